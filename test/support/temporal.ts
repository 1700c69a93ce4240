// Runs cisflow's real workers against the run's Temporal dev server, on task queues unique to one test file.
import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { afterAll, inject } from 'vitest';
import type { Sql } from '../../db/client.js';
import { createWorkers } from '../../workers/index.js';

export interface TemporalHarness {
  env: TestWorkflowEnvironment;
  taskQueuePrefix: string;
  workers: Worker[];
}

let runtimeInstalled = false;

export async function startWorkers(sql: Sql): Promise<TemporalHarness> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const env = await TestWorkflowEnvironment.createFromExistingServer({
    address: inject('temporalAddress'),
    namespace: inject('temporalNamespace'),
  });
  const taskQueuePrefix = `t${randomBytes(4).toString('hex')}-`;
  const workers = await createWorkers({
    connection: env.nativeConnection,
    namespace: inject('temporalNamespace'),
    sql,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    taskQueuePrefix,
  });
  const running = workers.map((w) => w.run());
  afterAll(async () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.all(running);
    await env.teardown();
  });
  return { env, taskQueuePrefix, workers };
}
