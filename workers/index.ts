// Worker process: one Temporal worker per capability task queue, sharing one workflow bundle and DB pool;
// beside them, the notification dispatcher and (with METER_DROP_DIR) the drop-folder watcher.

import { Client, Connection } from '@temporalio/client';
import {
  makeTelemetryFilterString,
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import type Stripe from 'stripe';
import { createBillAccountActivities, createBillPipeline } from '../activities/bill-pipeline.js';
import { createBillRunActivities } from '../activities/bill-run.js';
import { createBillingActivities } from '../activities/billing.js';
import { createCollectionActivities } from '../activities/collections.js';
import { createCustomerServiceActivities } from '../activities/customer-service.js';
import { createDeliveryActivities } from '../activities/delivery.js';
import { createIntervalPartitionActivities } from '../activities/interval-partitions.js';
import { createLeakCheckActivities } from '../activities/leak-check.js';
import { createMessagingActivities } from '../activities/messaging.js';
import { createOnDemandReadActivities, simulatorAdapter } from '../activities/on-demand-read.js';
import { createPaymentActivities } from '../activities/payments.js';
import { createRateImpactActivities } from '../activities/rate-impact.js';
import { connect, type Sql } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { DEFAULT_LEAK_POLICY } from '../domain/leak.js';
import {
  DEFAULT_MESSAGING_POLICY,
  type MessagingPolicy,
  messagingPolicy,
} from '../domain/messages/policy.js';
import { type Clock, systemClock } from '../lib/clock.js';
import { loadConfig, providerModes, type UtilityProfile } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { type MessagingProviders, messagingProvidersFromConfig } from '../lib/providers/messaging.js';
import { stripeFromConfig } from '../lib/providers/stripe.js';
import { DUNNING } from '../workflows/contracts/collections.js';
import { INTERVAL_PARTITIONS } from '../workflows/contracts/interval-partitions.js';
import { LEAK_CHECK } from '../workflows/contracts/leak-check.js';
import { HIGH_USAGE_CHECK, NOTIFICATION } from '../workflows/contracts/messaging.js';
import { TASK_QUEUES, type TaskQueue, taskQueueName } from '../workflows/contracts/names.js';
import { AUTOPAY } from '../workflows/contracts/payment.js';
import { activityMetrics } from './activity-metrics.js';
import { bundleInChild } from './bundle.js';
import { startDropFolderWatcher } from './drop-folder.js';
import { coreMetricsAddress, portFree, startWorkerMetrics } from './metrics-server.js';
import { startNotificationDispatcher } from './notification-dispatcher.js';
import {
  ensureHighUsageSchedule,
  ensureIntervalPartitionsSchedule,
  ensureLeakCheckSchedule,
} from './schedules.js';
import { ensureSearchAttributes } from './search-attributes.js';
import { temporalLogger } from './temporal-logger.js';

export async function createWorkers(o: {
  connection: NativeConnection;
  namespace: string;
  sql: Sql;
  /** activities that start workflows (a bill run handing held accounts over) use this client */
  client: Client;
  workflowBundle: { code: string } | { codePath: string };
  taskQueuePrefix?: string;
  /** links in bill emails point here */
  publicUrl?: string;
  emailProvider?: 'sendgrid' | 'outbox';
  /** null: dev outbox mode, no gateway */
  stripe?: Stripe | null;
  /** SendGrid / Twilio (absent: dev outbox mode), the messaging policy, and the utility messages sign with
   * until its admins save settings (UTILITY_*) */
  messaging?: { providers?: MessagingProviders; policy?: MessagingPolicy; utility?: UtilityProfile };
  /** the one clock activities read "today" from (tests pass a fixed date) */
  clock?: Clock;
  /** months of interval data kept before the current one (INTERVAL_RETENTION_MONTHS) */
  intervalRetentionMonths?: number;
}): Promise<Worker[]> {
  const clock = o.clock ?? systemClock();
  const q = (queue: TaskQueue) => taskQueueName(queue, o.taskQueuePrefix);
  const publicUrl = o.publicUrl ?? 'http://127.0.0.1:3000';
  // every bill goes out through this one pipeline, a bill run's page or a single account's
  const issueFromFacts = createBillPipeline({
    sql: o.sql,
    client: o.client,
    queues: { payments: q(AUTOPAY.taskQueue), collections: q(DUNNING.taskQueue) },
    publicUrl,
  });
  // one worker per task queue: the same connection, workflows and activity metrics, each its own activities
  const worker = (queue: TaskQueue, activities: object, options: Partial<WorkerOptions> = {}) =>
    Worker.create({
      interceptors: { activity: [activityMetrics] },
      connection: o.connection,
      namespace: o.namespace,
      taskQueue: q(queue),
      workflowBundle: o.workflowBundle,
      activities,
      ...options,
    });
  return [
    await worker(
      TASK_QUEUES.billing,
      {
        ...createBillingActivities(o.sql, clock),
        ...createBillAccountActivities(o.sql, issueFromFacts, clock),
        ...createBillRunActivities(o.sql, o.client, issueFromFacts, clock.timeZone),
        ...createCollectionActivities(o.sql, o.client, { collections: q(DUNNING.taskQueue) }, clock),
        ...createCustomerServiceActivities(o.sql, clock),
        ...createLeakCheckActivities(o.sql, clock),
        // rate-change impact reports' pages (workflows/rate-impact.ts)
        ...createRateImpactActivities(o.sql),
        // the only head-end adapter so far is the simulator (demo and tests)
        ...createOnDemandReadActivities(o.sql, simulatorAdapter(o.sql), clock),
        ...createDeliveryActivities(o.sql, {
          publicUrl,
          emailProvider: o.emailProvider ?? 'outbox',
        }),
        ...createIntervalPartitionActivities(
          o.sql,
          clock,
          o.intervalRetentionMonths ? { retentionMonths: o.intervalRetentionMonths } : {},
        ),
      },
      {
        maxConcurrentActivityTaskExecutions: 20,
        // a large run leaves thousands of held billing-cycle workflows waiting for staff for days; keeping
        // them all cached cost most of a 100,000-account run's 1.8 GB. An evicted one replays its short history.
        maxCachedWorkflows: 500,
      },
    ),
    await worker(TASK_QUEUES.payments, {
      ...createPaymentActivities(o.sql, o.stripe ?? null, clock),
      // a payment tells collections to stop, or a return to resume
      ...createCollectionActivities(o.sql, o.client, { collections: q(DUNNING.taskQueue) }, clock),
    }),
    await worker(
      TASK_QUEUES.messaging,
      createMessagingActivities(o.sql, {
        providers: o.messaging?.providers ?? { email: null, sms: null },
        publicUrl,
        policy: o.messaging?.policy ?? messagingPolicy(),
        utility: o.messaging?.utility,
        clock,
      }),
    ),
  ];
}

async function main() {
  const config = loadConfig();
  const log = createLogger('worker', config.logLevel);
  if (!config.databaseUrl)
    throw new Error('DATABASE_URL is required by the worker (npm start sets it for you)');
  if (!config.temporal.address)
    throw new Error('TEMPORAL_ADDRESS is required by the worker (npm start sets it for you)');
  // the SDK's own worker metrics (task slots, polls, latencies), appended to the worker's /metrics; a port
  // already taken costs those metrics, never the worker
  const port = config.workerMetricsPort;
  const sdkMetrics = port > 0 && (await portFree(port + 1));
  if (port > 0 && !sdkMetrics)
    log.warn(
      { port: port + 1 },
      'Temporal SDK metrics off: the port is in use (set WORKER_METRICS_PORT per worker)',
    );
  Runtime.install({
    logger: temporalLogger(log),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
      ...(sdkMetrics ? { metrics: { prometheus: { bindAddress: coreMetricsAddress(port) } } } : {}),
    },
  });
  const metricsServer = startWorkerMetrics(config.workerMetricsPort, log);
  const sql = connect(config.databaseUrl, { max: 20, appName: 'cisflow-worker' });
  await migrate(sql);
  const clientConnection = await Connection.connect({ address: config.temporal.address });
  const added = await ensureSearchAttributes(clientConnection, config.temporal.namespace);
  if (added.length) log.info({ added }, 'registered search attributes');
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  // SMS quiet hours are the utility's local night (UTILITY_TIME_ZONE; unset, the policy's default zone)
  const policy = messagingPolicy(
    process.env.UTILITY_TIME_ZONE
      ? { quietHours: { ...DEFAULT_MESSAGING_POLICY.quietHours, timeZone: config.utilityTimeZone } }
      : {},
  );
  const workers = await createWorkers({
    connection,
    namespace: config.temporal.namespace,
    sql,
    client,
    workflowBundle: await bundleInChild(),
    publicUrl: config.publicUrl,
    emailProvider: providerModes(config).email === 'sendgrid' ? 'sendgrid' : 'outbox',
    stripe: stripeFromConfig(config),
    messaging: { providers: messagingProvidersFromConfig(config), policy, utility: config.utility },
    clock: systemClock(config.utilityTimeZone),
    intervalRetentionMonths: config.intervalRetentionMonths,
  });
  // every queued notification becomes a `notification/{id}` workflow (LISTEN, plus sweeps: nothing is lost)
  const dispatcher = await startNotificationDispatcher({
    sql,
    client,
    taskQueue: NOTIFICATION.taskQueue,
    policy,
    log,
  });
  await ensureHighUsageSchedule(client, {
    taskQueue: HIGH_USAGE_CHECK.taskQueue,
    interval: policy.highUsage.interval,
  });
  // meter_interval's monthly partitions: made ahead, and dropped past the retention, once a day
  await ensureIntervalPartitionsSchedule(client, { taskQueue: INTERVAL_PARTITIONS.taskQueue });
  await ensureLeakCheckSchedule(client, {
    taskQueue: LEAK_CHECK.taskQueue,
    interval: DEFAULT_LEAK_POLICY.interval,
  });
  // meter read files dropped into METER_DROP_DIR are imported and moved to processed/ or rejected/
  const dropFolder = config.meterDropDir
    ? startDropFolderWatcher(sql, { dir: config.meterDropDir, timeZone: config.utilityTimeZone, log })
    : null;
  log.info(
    { taskQueues: Object.values(TASK_QUEUES), namespace: config.temporal.namespace },
    'worker running',
  );
  const stop = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Started by the dev orchestrator: if it dies, do not linger as an orphan.
  process.on('disconnect', stop);
  await Promise.all(workers.map((w) => w.run()));
  await dropFolder?.stop();
  await dispatcher.stop();
  metricsServer?.close();
  await connection.close();
  await clientConnection.close();
  await sql.end({ timeout: 5 });
  log.info('worker stopped');
  process.exit(0); // the dev orchestrator's IPC channel would otherwise keep the process alive
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
