// Dunning: `dunning/{accountNumber}`, one case per account while it owes anything collectible. It looks at
// the facts, takes the steps the collection policy says are due, then sleeps until the next policy day on
// which a rule could fire — or until a bill, payment, dispute, hold or arrangement wakes it. The rules are
// in domain/collections.ts and run inside an activity, so the workflow itself is only timers and steps.
import {
  condition,
  continueAsNew,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CollectionActivities } from '../activities/collections.js';
import { addDays } from '../domain/period.js';
import { clockToday, msUntilDay, startClock } from '../domain/policy-clock.js';
import {
  type CollectionsHandoffInput,
  type CollectionsHandoffResult,
  type DunningInput,
  type DunningState,
  dunningStateQuery,
  reviewSignal,
} from './contracts/collections.js';
import { AccountNumber } from './contracts/search-attributes.js';

const acts = proxyActivities<CollectionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// Reviews are short reads: local activities, so a case that only sleeps costs one round trip to start.
const local = proxyLocalActivities<CollectionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

export async function dunningWorkflow(input: DunningInput): Promise<DunningState> {
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

  let clock = input.clock;
  let caseId = input.caseId;
  for (;;) {
    const seen = woken;
    // before the first review the policy's day length is unknown: the review takes the clock's today
    const review = await local.reviewCollections({
      accountId: input.accountId,
      caseId,
      workflowId: workflowInfo().workflowId,
      today: clock ? clockToday(clock, Date.now()) : undefined,
    });
    const today = review.today;
    caseId = review.caseId;
    clock ??= startClock(review.dayLength, Date.now(), review.clockStart);
    const { decision } = review;
    Object.assign(state, {
      caseId,
      today,
      stage: decision.stage,
      nextReview: decision.nextReview,
      blockedBy: decision.blockedBy,
      balanceCents: review.balanceCents,
    });
    for (const action of decision.actions) {
      await acts.performCollectionAction({ accountId: input.accountId, caseId, today, action });
      state.steps.push(`${today} ${action.kind}`);
    }
    if (decision.actions.length) continue; // a step changes the facts (a fee, a disconnect): look again
    if (decision.settled && woken === seen) {
      await local.updateCollectionCase({ caseId, stage: 'settled', close: true });
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

/**
 * A bill run's hand-off to collections: `collections-handoff/{runId}`. Wakes on each policy day from the
 * first reminder day to the last past-due day; each pass is set-based and idempotent (see db/collections.ts).
 */
export async function collectionsHandoffWorkflow(
  input: CollectionsHandoffInput,
): Promise<CollectionsHandoffResult> {
  const plan = await acts.collectionsHandoffPlan({ runId: input.runId });
  if (!plan) return { reminded: 0, casesOpened: 0 };
  const clock = startClock(plan.dayLength, Date.now(), plan.clockStart);
  const total = { reminded: 0, casesOpened: 0 };
  for (;;) {
    const today = clockToday(clock, Date.now());
    if (today >= plan.firstDay) {
      const pass = await acts.collectionsHandoffPass({ runId: input.runId, today });
      total.reminded += pass.reminded;
      total.casesOpened += pass.casesOpened;
    }
    if (today >= plan.lastDay) return total;
    const next = today < plan.firstDay ? plan.firstDay : addDays(today, 1);
    await sleep(Math.max(1, msUntilDay(clock, next, Date.now())));
  }
}
