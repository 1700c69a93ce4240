// Dunning: `dunning/{accountNumber}`, one case per account while it owes anything collectible. It looks at
// the facts, takes the steps the collection policy says are due, then sleeps until the next policy day on
// which a rule could fire — or until a bill, payment, dispute, hold or arrangement wakes it. The rules are
// in domain/collections.ts and run inside an activity, so the workflow itself is only timers and steps.
import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CollectionActivities } from '../activities/collections.js';
import { clockToday, msUntilDay, type PolicyClock, startClock } from '../domain/policy-clock.js';
import { AccountNumber } from './search-attributes.js';

export interface DunningState {
  caseId: string | null;
  stage: string;
  today: string | null;
  nextReview: string | null;
  blockedBy: string[];
  balanceCents: number;
  steps: string[];
}

export const reviewSignal = defineSignal<[string]>('review');
export const dunningStateQuery = defineQuery<DunningState>('dunning');

const acts = proxyActivities<CollectionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function dunningWorkflow(input: {
  accountId: string;
  accountNumber: string;
  caseId?: string;
  clock?: PolicyClock;
}): Promise<DunningState> {
  const state: DunningState = {
    caseId: input.caseId ?? null,
    stage: 'watching',
    today: null,
    nextReview: null,
    blockedBy: [],
    balanceCents: 0,
    steps: [],
  };
  let woken = 0;
  setHandler(reviewSignal, () => {
    woken++;
  });
  setHandler(dunningStateQuery, () => state);
  upsertSearchAttributes([{ key: AccountNumber, value: input.accountNumber }]);

  const clock =
    input.clock ?? startClock(await acts.collectionDayLength({ accountId: input.accountId }), Date.now());
  const caseId =
    input.caseId ??
    (await acts.openCollectionCase({ accountId: input.accountId, workflowId: workflowInfo().workflowId }));
  state.caseId = caseId;

  for (;;) {
    const seen = woken;
    const today = clockToday(clock, Date.now());
    const { decision, balanceCents } = await acts.reviewCollections({
      accountId: input.accountId,
      caseId,
      today,
    });
    Object.assign(state, {
      today,
      stage: decision.stage,
      nextReview: decision.nextReview,
      blockedBy: decision.blockedBy,
      balanceCents,
    });
    for (const action of decision.actions) {
      await acts.performCollectionAction({ accountId: input.accountId, caseId, today, action });
      state.steps.push(`${today} ${action.kind}`);
    }
    if (decision.actions.length) continue; // a step changes the facts (a fee, a disconnect): look again
    await acts.updateCollectionCase({
      caseId,
      stage: decision.stage,
      close: decision.settled && woken === seen,
    });
    if (decision.settled && woken === seen) {
      state.stage = 'closed';
      return state;
    }
    const wait = decision.nextReview ? msUntilDay(clock, decision.nextReview, Date.now()) : undefined;
    await condition(() => woken !== seen, wait === undefined ? undefined : Math.max(wait, 1));
    if (workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof dunningWorkflow>({ ...input, caseId, clock });
    }
  }
}
