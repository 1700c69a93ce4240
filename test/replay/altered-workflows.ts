// The workflow code with one deliberate non-deterministic change, for test/workflow/replay.test.ts: the
// billing cycle now waits a second before its first step. Histories recorded from the real code must fail
// to replay against it; that is what shows the replay test would catch such a change.
import { sleep } from '@temporalio/workflow';
import { billingCycleWorkflow as real } from '../../workflows/billing-cycle.js';

export * from '../../workflows/index.js';

export async function billingCycleWorkflow(...args: Parameters<typeof real>): ReturnType<typeof real> {
  await sleep('1 second');
  return real(...args);
}
