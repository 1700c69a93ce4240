// A bill dispute: `dispute/{id}`. Collection of the disputed amount is suspended while it is open (the
// dunning facts leave it out). An optional re-read is taken at once; then staff decide, and a dispute that
// waits past its SLA is escalated to a supervisor. The decision is applied before the update returns.
import {
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { CollectionActivities } from '../activities/collections.js';
import type { CustomerServiceActivities } from '../activities/customer-service.js';
import type { OnDemandReadActivities } from '../activities/on-demand-read.js';
import { clockToday, durationMs, startClock } from '../domain/policy-clock.js';
import {
  DISPUTE_RESOLUTIONS,
  type DisputeInput,
  type DisputeOutcome,
  type DisputeResolution,
  type DisputeState,
  disputeStateQuery,
  resolveDisputeUpdate,
} from './contracts/dispute.js';
import { AccountNumber } from './contracts/search-attributes.js';

const acts = proxyActivities<CustomerServiceActivities & CollectionActivities & OnDemandReadActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function disputeWorkflow(input: DisputeInput): Promise<DisputeOutcome> {
  // handlers first: staff may decide before the workflow's first activity has returned
  const state: DisputeState = { status: 'open', escalated: false, reread: null, resolution: null };
  let asked: DisputeResolution | undefined;
  let outcome: DisputeOutcome | undefined;
  let failure: string | undefined;
  setHandler(disputeStateQuery, () => state);
  setHandler(
    resolveDisputeUpdate,
    async (r) => {
      asked = r;
      failure = undefined;
      await condition(() => outcome !== undefined || failure !== undefined);
      if (failure) {
        const message = failure;
        asked = undefined;
        // an ApplicationFailure fails this update for the caller; a plain Error would fail the workflow task
        throw ApplicationFailure.create({ message, type: 'ResolutionRefused', nonRetryable: true });
      }
      return outcome!;
    },
    {
      validator: (r) => {
        if (outcome) throw new Error('this dispute is already resolved');
        if (asked) throw new Error('a decision on this dispute is being applied');
        if (!(DISPUTE_RESOLUTIONS as readonly string[]).includes(r.resolution))
          throw new Error('unknown resolution');
        if (r.resolution === 'adjusted' && !(Number.isSafeInteger(r.creditCents) && r.creditCents > 0))
          throw new Error('an adjusted resolution needs a credit in whole cents');
      },
    },
  );

  const d = await acts.loadDispute({ disputeId: input.disputeId });
  state.status = d.status;
  // operations find it under the account in the Temporal UI, with the account's other workflows
  if (d.accountNumber) upsertSearchAttributes([{ key: AccountNumber, value: d.accountNumber }]);
  const clock = startClock(d.dayLength, Date.now(), d.clockStart);

  // the disputed amount leaves collections at once
  await acts.nudgeCollections({ accountId: d.accountId, reason: 'dispute_opened' });
  if (d.reread) {
    await acts.markDispute({
      disputeId: input.disputeId,
      status: 'investigating',
      detail: { reread: 'requested' },
    });
    state.status = 'investigating';
    const reads = await acts.takeOnDemandReads({ accountId: d.accountId, key: `dispute:${input.disputeId}` });
    state.reread = reads.map((r) => ({ readId: r.readId, meterId: r.meterId, value: r.value }));
    await acts.notifyDisputeStep({ disputeId: input.disputeId, step: 'reread_taken' });
  }

  for (;;) {
    const sla = d.disputeSlaDays * durationMs(d.dayLength);
    let decided = true;
    if (state.escalated) await condition(() => asked !== undefined);
    else decided = await condition(() => asked !== undefined, sla);
    if (!decided) {
      state.escalated = true;
      state.status = 'escalated';
      await acts.markDispute({
        disputeId: input.disputeId,
        status: 'escalated',
        detail: { to: 'supervisor', afterDays: d.disputeSlaDays },
      });
      continue;
    }
    try {
      outcome = await acts.resolveDispute({
        disputeId: input.disputeId,
        resolution: asked!,
        today: clockToday(clock, Date.now()),
      });
    } catch (e) {
      // a refused decision (say, a rebill with no corrected read) is reported to staff; the dispute stays open
      failure = (e as { cause?: Error }).cause?.message ?? (e as Error).message;
      await condition(() => asked === undefined);
      continue;
    }
    state.status = 'resolved';
    state.resolution = outcome.resolution;
    // whatever is still owed goes back to collections (or the case closes if nothing is)
    await acts.nudgeCollections({ accountId: d.accountId, reason: 'dispute_resolved', start: true });
    return outcome;
  }
}
