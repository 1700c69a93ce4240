// Runs cisflow's real workers against the run's Temporal dev server, on task queues unique to one test file.
import { randomBytes } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import type Stripe from 'stripe';
import { afterAll, inject } from 'vitest';
import type { Sql } from '../../db/client.js';
import { createWorkers } from '../../workers/index.js';
import { ensureSearchAttributes } from '../../workers/search-attributes.js';

export interface TemporalHarness {
  env: TestWorkflowEnvironment;
  namespace: string;
  taskQueuePrefix: string;
  workers: Worker[];
}

let runtimeInstalled = false;

export async function startWorkers(sql: Sql, opts: { stripe?: Stripe } = {}): Promise<TemporalHarness> {
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
  const workers = await createWorkers({
    connection: env.nativeConnection,
    namespace,
    sql,
    client: env.client,
    stripe: opts.stripe ?? null,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    taskQueuePrefix,
  });
  const running = workers.map((w) => w.run());
  afterAll(async () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.all(running);
    await env.teardown();
  });
  return { env, namespace, taskQueuePrefix, workers };
}
