// Collections activities: facts and the dunning decision, each step performed once, and the hand-offs
// that wake (or start) an account's dunning workflow when a bill is issued or a payment changes things.
import { heartbeat } from '@temporalio/activity';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Sql } from '../db/client.js';
import {
  collectionFacts,
  handoffPass,
  handoffPlan,
  openCase,
  pastDueWithoutCase,
  performCollectionAction,
  updateCase,
} from '../db/collections.js';
import { type CollectionAction, type CollectionDecision, decideCollections } from '../domain/collections.js';
import { type Clock, clockStart, systemClock } from '../lib/clock.js';
import {
  COLLECTIONS_HANDOFF,
  type CollectionsHandoffWorkflow,
  collectionsHandoffWorkflowId,
  DUNNING,
  type DunningWorkflow,
  dunningWorkflowId,
  reviewSignal,
} from '../workflows/contracts/collections.js';

/** Wakes the account's dunning workflow, starting it if there is none: it looks at the facts again. */
export async function signalCollections(
  client: Client,
  taskQueue: string,
  account: { id: string; accountNumber: string },
  reason: string,
) {
  await client.workflow.signalWithStart<DunningWorkflow, [string]>(DUNNING.type, {
    workflowId: dunningWorkflowId(account.accountNumber),
    taskQueue,
    args: [{ accountId: account.id, accountNumber: account.accountNumber }],
    signal: reviewSignal,
    signalArgs: [reason],
  });
}

/** Wakes the open collection cases of these accounts (a payment posted outside a workflow: counter, lockbox). */
export async function wakeOpenCases(
  sql: Sql,
  client: Client,
  taskQueue: string,
  accountIds: string[],
  reason: string,
) {
  if (!accountIds.length) return 0;
  const open = await sql<{ id: string; accountNumber: string }[]>`
    select a.id, a.account_number from collection_case c join account a on a.id = c.account_id
    where c.status = 'open' and c.account_id = any(${accountIds})`;
  for (const a of open) await signalCollections(client, taskQueue, a, reason);
  return open.length;
}

/**
 * Hands every account already past due without a case to collections, through the same wake-up a bill run's
 * hand-off uses: its dunning workflow reviews the facts and takes the steps their age implies.
 */
export async function handOffPastDue(sql: Sql, client: Client, taskQueue: string, today: string) {
  const accounts = await pastDueWithoutCase(sql, today);
  for (const a of accounts) await signalCollections(client, taskQueue, a, 'past due without a case');
  return accounts.length;
}

export function createCollectionActivities(
  sql: Sql,
  client: Client,
  queues: { collections: string },
  clock: Clock = systemClock(),
) {
  const wake = async (accountIds: string[], reason: string) => {
    if (!accountIds.length) return 0;
    const accounts = await sql<{ id: string; accountNumber: string }[]>`
      select id, account_number from account where id = any(${accountIds})`;
    // bounded fan-out: a bill run hands over a page of a thousand accounts at a time
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(16, accounts.length) }, async () => {
        while (next < accounts.length) {
          const a = accounts[next++]!;
          await signalCollections(client, queues.collections, a, reason);
          heartbeat(next);
        }
      }),
    );
    return accounts.length;
  };
  return {
    /**
     * Looks at the facts and decides (domain/collections.ts). The first review of a workflow opens the case
     * and tells it the policy's day length; each review keeps the case's stage current for staff lists.
     */
    async reviewCollections(a: {
      accountId: string;
      caseId?: string;
      workflowId: string;
      /** the policy clock's date; absent on a workflow's first review, which takes the clock's today */
      today?: string;
    }): Promise<{
      caseId: string;
      decision: CollectionDecision;
      dayLength: string;
      balanceCents: number;
      today: string;
      clockStart: { today: string; timeZone: string };
    }> {
      const today = a.today ?? clock.today();
      const caseId = a.caseId ?? (await openCase(sql, a.accountId, a.workflowId));
      const { policy, balanceCents, ...facts } = await collectionFacts(sql, { ...a, today, caseId });
      const decision = decideCollections(facts, policy);
      await sql`update collection_case set stage = ${decision.stage} where id = ${caseId} and stage <> ${decision.stage}`;
      return {
        caseId,
        decision,
        dayLength: policy.dayLength,
        balanceCents,
        today,
        clockStart: clockStart(clock),
      };
    },

    async updateCollectionCase(a: { caseId: string; stage: string; close: boolean }) {
      await updateCase(sql, a.caseId, a.stage, a.close);
    },

    async performCollectionAction(a: {
      accountId: string;
      caseId: string;
      today: string;
      action: CollectionAction;
    }) {
      await performCollectionAction(sql, a);
    },

    /**
     * A whole bill run is handed to collections in one workflow, `collections-handoff/{runId}`, which sends the
     * reminders and opens cases for the accounts still unpaid once past due: a per-account dunning workflow
     * for every bill of a 100,000-account run would cost more than the run itself, and most are paid on time.
     */
    async scheduleCollectionsHandoff(a: { runId: string }) {
      try {
        await client.workflow.start<CollectionsHandoffWorkflow>(COLLECTIONS_HANDOFF.type, {
          workflowId: collectionsHandoffWorkflowId(a.runId),
          taskQueue: queues.collections,
          args: [{ runId: a.runId }],
        });
        return true;
      } catch (e) {
        if (e instanceof WorkflowExecutionAlreadyStartedError) return false;
        throw e;
      }
    },

    async collectionsHandoffPlan(a: { runId: string }) {
      const plan = await handoffPlan(sql, a.runId);
      return plan && { ...plan, clockStart: clockStart(clock) };
    },

    async collectionsHandoffPass(a: { runId: string; today: string }) {
      const pass = await handoffPass(sql, a);
      await wake(
        pass.pastDue.map((x) => x.id),
        'past_due',
      );
      return { reminded: pass.reminded, casesOpened: pass.pastDue.length };
    },

    /** A payment posted, failed or was returned, a dispute or arrangement changed: collections looks again. */
    async nudgeCollections(a: { accountId?: string; paymentId?: string; reason: string; start?: boolean }) {
      if (!a.accountId && a.paymentId) {
        const [p] = await sql<
          { accountId: string }[]
        >`select account_id from payment where id = ${a.paymentId}`;
        a.accountId = p?.accountId;
      }
      if (!a.accountId) return 0;
      // a payment stops collections only where there is a case; it never needs to open one
      if (!a.start) return wakeOpenCases(sql, client, queues.collections, [a.accountId], a.reason);
      return wake([a.accountId], a.reason);
    },
  };
}

export type CollectionActivities = ReturnType<typeof createCollectionActivities>;
