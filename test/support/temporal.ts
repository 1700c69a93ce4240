// Runs cisflow's real workers against the run's Temporal dev server, on task queues unique to one test file.
import { randomBytes } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import type Stripe from 'stripe';
import { afterAll, inject } from 'vitest';
import type { Sql } from '../../db/client.js';
import { type MessagingPolicy, messagingPolicy } from '../../domain/messages/policy.js';
import type { Clock } from '../../lib/clock.js';
import type { MessagingProviders } from '../../lib/providers/messaging.js';
import { createWorkers } from '../../workers/index.js';
import { type Dispatcher, startNotificationDispatcher } from '../../workers/notification-dispatcher.js';
import { ensureSearchAttributes } from '../../workers/search-attributes.js';
import { NOTIFICATION } from '../../workflows/contracts/messaging.js';
import { taskQueueName } from '../../workflows/contracts/names.js';
import { testClock } from './clock.js';

export interface TemporalHarness {
  env: TestWorkflowEnvironment;
  namespace: string;
  taskQueuePrefix: string;
  workers: Worker[];
  /** turns queued notifications into `notification/{id}` workflows, as the worker process does */
  dispatcher: Dispatcher;
}

let runtimeInstalled = false;

export async function startWorkers(
  sql: Sql,
  opts: {
    stripe?: Stripe;
    /** the policy object is used as given (not copied), so a test may change it between steps */
    messaging?: { providers?: MessagingProviders; policy?: MessagingPolicy };
    publicUrl?: string;
    /** activities read "today" here: the suite's fixed date unless a test names another */
    clock?: Clock;
  } = {},
): Promise<TemporalHarness> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  // A namespace per test file: workflow ids (billing-cycle/{accountNumber}/…) are unique per namespace,
  // and every test database numbers its accounts from the same start, as one utility would.
  const namespace = `cisflow-test-${randomBytes(5).toString('hex')}`;
  const admin = await Connection.connect({ address: inject('temporalAddress') });
  await admin.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: { seconds: 86_400 as never },
  });
  await ensureSearchAttributes(admin, namespace);
  await admin.close();
  const env = await TestWorkflowEnvironment.createFromExistingServer({
    address: inject('temporalAddress'),
    namespace,
  });
  const taskQueuePrefix = `t${randomBytes(4).toString('hex')}-`;
  const policy = opts.messaging?.policy ?? messagingPolicy();
  const workers = await createWorkers({
    connection: env.nativeConnection,
    namespace,
    sql,
    client: env.client,
    stripe: opts.stripe ?? null,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    taskQueuePrefix,
    publicUrl: opts.publicUrl,
    messaging: { providers: opts.messaging?.providers, policy },
    clock: opts.clock ?? testClock(),
  });
  const dispatcher = await startNotificationDispatcher({
    sql,
    client: env.client,
    taskQueue: taskQueueName(NOTIFICATION.taskQueue, taskQueuePrefix),
    policy,
  });
  const running = workers.map((w) => w.run());
  afterAll(async () => {
    await dispatcher.stop();
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.all(running);
    await env.teardown();
  });
  return { env, namespace, taskQueuePrefix, workers, dispatcher };
}
