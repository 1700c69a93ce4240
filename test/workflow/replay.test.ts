// Safe workflow upgrades: a history of every workflow type, recorded by the tests from the code as it was
// (RECORD_REPLAY=1, test/support/replay-record.ts) and committed under test/replay/, replays against the
// current workflow bundle without a non-determinism error. The same histories against code with one
// deliberate non-deterministic change fail, so a change that would break running workflows fails here first.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { bundleOptions } from '../../workers/bundle.js';
import { WORKFLOW_TYPES } from '../../workflows/contracts/names.js';
import { REPLAY_DIR } from '../support/replay-record.js';

// the replay workers' state changes are not news; the non-determinism the last test provokes still warns
Runtime.install({ logger: new DefaultLogger('WARN') });

const histories = readdirSync(REPLAY_DIR)
  .filter((f) => f.endsWith('.history'))
  .map((f) => ({
    type: f.replace(/\.history$/, ''),
    workflowId: `replay-${f.replace(/\.history$/, '')}`,
    history: temporal.api.history.v1.History.decode(readFileSync(path.join(REPLAY_DIR, f))),
  }));

async function replay(opts: Parameters<typeof Worker.runReplayHistories>[0], only?: string) {
  const failures: { type: string; error: string }[] = [];
  const chosen = histories.filter((h) => !only || h.type === only);
  for await (const r of Worker.runReplayHistories(opts, chosen)) {
    if (r.error)
      failures.push({
        type: r.workflowId.replace(/^replay-/, ''),
        error: `${r.error.name}: ${r.error.message}`,
      });
  }
  return { failures, replayed: chosen.length };
}

describe('replaying recorded histories', () => {
  it('has a history for every workflow type', () => {
    expect(histories.map((h) => h.type).sort()).toEqual(Object.values(WORKFLOW_TYPES).sort());
  });

  it('replays every one against the current workflow code', async () => {
    const r = await replay({ workflowBundle: { codePath: inject('workflowBundlePath') } });
    expect(r.failures).toEqual([]);
    expect(r.replayed).toBe(Object.keys(WORKFLOW_TYPES).length);
  }, 120_000);

  it('fails on a deliberately non-deterministic change', async () => {
    const altered = await bundleWorkflowCode({
      ...bundleOptions,
      workflowsPath: path.resolve('test/replay/altered-workflows.ts'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
    });
    const r = await replay({ workflowBundle: altered }, WORKFLOW_TYPES.billingCycle);
    expect(r.replayed).toBe(1);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]!.error).toMatch(/DeterminismViolationError/);
  }, 180_000);
});
