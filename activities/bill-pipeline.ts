// The one bill-issuing pipeline: facts -> rate -> store + ledger + delivery (one transaction) -> autopay ->
// collections hand-off. A bill run's page (activities/bill-run.ts billPage) and one account's billing cycle
// (activities/billing.ts billAccount, which a final bill also runs) both call issueFromFacts; a rebill
// (db/rebill.ts) uses the same decision and the same storing step inside its own transaction.
import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { autopayDueFor } from '../db/autopay.js';
import { issueDelivered } from '../db/bill-issue.js';
import { loadBillingInputs } from '../db/billing.js';
import type { Sql } from '../db/client.js';
import type { Hold } from '../domain/bill-calc.js';
import { type BillFacts, type BillTerms, decideBill, type IssueBillInput } from '../domain/bill-issue.js';
import type { Period } from '../domain/period.js';
import type { ValidationPolicy } from '../domain/read-validation.js';
import type { Clock } from '../lib/clock.js';
import { billingPhaseSeconds, billsTotal, timed } from '../lib/metrics.js';
import {
  AUTOPAY,
  type AutopayWorkflow,
  autopayRetimeSignal,
  autopayWorkflowId,
} from '../workflows/contracts/payment.js';
import { signalCollections } from './collections.js';

type Account = { accountId: string; accountNumber: string; billingCycle: string };
export type AccountOutcome = Account &
  (
    | { outcome: 'issued'; billId: string; totalCents: number; created: boolean; byThisIssuer: boolean }
    | { outcome: 'held'; holds: Hold[] }
    | { outcome: 'nothing' }
    | { outcome: 'failed'; error: string }
  );

export interface PipelineResult {
  accounts: AccountOutcome[];
  /** bills created now */
  billed: number;
  /** bills the period already had (another run's, or this issuer's from an earlier try) */
  alreadyBilled: number;
  estimated: number;
  emailed: number;
  printed: number;
}

/**
 * When collections hears of the bills: `at_once` signals each account's dunning workflow (one bill); a bill
 * run's bills go `with_run`, together in one collections-handoff workflow when the run ends.
 */
export type HandOff = 'at_once' | 'with_run';

export interface PipelineDeps {
  sql: Sql;
  client: Client;
  queues: { payments: string; collections: string };
  /** links in bill emails point here */
  publicUrl: string;
}

export function createBillPipeline(d: PipelineDeps) {
  return async function issueFromFacts(
    facts: BillFacts[],
    terms: BillTerms,
    handOff: HandOff,
  ): Promise<PipelineResult> {
    const r: PipelineResult = {
      accounts: [],
      billed: 0,
      alreadyBilled: 0,
      estimated: 0,
      emailed: 0,
      printed: 0,
    };
    const ready: { account: Account; bill: IssueBillInput }[] = [];
    const rating = billingPhaseSeconds.startTimer({ phase: 'rate' });
    for (const f of facts) {
      const account = {
        accountId: f.accountId,
        accountNumber: f.accountNumber,
        billingCycle: f.billingCycle,
      };
      try {
        const decision = decideBill(f, terms);
        if (decision.kind === 'ready') {
          ready.push({ account, bill: decision.bill });
          if (decision.estimated) r.estimated++;
        } else if (decision.kind === 'already_billed') {
          r.alreadyBilled++;
          const { billId, totalCents, byThisIssuer } = decision;
          r.accounts.push({
            ...account,
            outcome: 'issued',
            billId,
            totalCents,
            created: false,
            byThisIssuer,
          });
        } else if (decision.kind === 'held')
          r.accounts.push({ ...account, outcome: 'held', holds: decision.holds });
        else r.accounts.push({ ...account, outcome: 'nothing' });
      } catch (e) {
        // one bad account must not stop the page: report it and carry on
        r.accounts.push({ ...account, outcome: 'failed', error: (e as Error).message });
      }
    }
    rating();
    heartbeat('rated');
    const { stored, delivery } = await issueDelivered(
      d.sql,
      ready.map((x) => x.bill),
      d.publicUrl,
    );
    r.emailed = delivery.emailed;
    r.printed = delivery.printed;
    stored.forEach((s, i) => {
      if (s.created) r.billed++;
      else r.alreadyBilled++; // issued by someone else between loading and storing
      r.accounts.push({ ...ready[i]!.account, outcome: 'issued', ...s, byThisIssuer: s.created });
    });
    billsTotal.inc({ outcome: 'issued' }, stored.filter((x) => x.created).length);
    billsTotal.inc({ outcome: 'held' }, r.accounts.filter((x) => x.outcome === 'held').length);
    // What follows commits outside the bill's transaction, so it also runs for this issuer's bills stored on an
    // earlier try that failed after commit; both steps are idempotent.
    const mine = r.accounts.filter(
      (a): a is Extract<AccountOutcome, { outcome: 'issued' }> => a.outcome === 'issued' && a.byThisIssuer,
    );
    await timed('autopay', () => scheduleAutopay(mine.map((a) => a.billId)));
    if (handOff === 'at_once') {
      await timed('collections', async () => {
        for (const a of mine.filter((x) => x.totalCents > 0))
          await signalCollections(
            d.client,
            d.queues.collections,
            { id: a.accountId, accountNumber: a.accountNumber },
            'bill_issued',
          );
      });
    }
    return r;
  };

  /** An autopay workflow for each new bill of an account enrolled in autopay (once per bill). */
  async function scheduleAutopay(billIds: string[]) {
    await startAutopay(d.sql, d.client, d.queues.payments, billIds);
  }
}

/**
 * Starts the autopay workflow of each bill among `billIds` that an active enrolment pays, once per bill
 * (`autopay/{billId}`; one already started is left as it is). The bill pipeline calls it for new bills, and
 * an enrolment for the bill it will debit next (domain/autopay.ts nextAutopayDebit).
 */
export async function startAutopay(
  sql: Sql,
  client: Client,
  taskQueue: string,
  billIds: string[],
  opts: { retime?: boolean } = {},
) {
  for (const due of await autopayDueFor(sql, billIds)) {
    const workflowId = autopayWorkflowId(due.billId);
    try {
      await client.workflow.start<AutopayWorkflow>(AUTOPAY.type, {
        workflowId,
        taskQueue,
        args: [{ billId: due.billId, dueDate: due.dueDate, daysBeforeDue: due.daysBeforeDue }],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      // a changed enrolment moves a debit still waiting; one that has already run is left as it is
      if (opts.retime) await retime(client, workflowId, due.daysBeforeDue);
    }
  }
}

async function retime(client: Client, workflowId: string, daysBeforeDue: number) {
  try {
    await client.workflow.getHandle(workflowId).signal(autopayRetimeSignal, { daysBeforeDue });
  } catch (e) {
    if (!(e instanceof WorkflowNotFoundError)) throw e; // closed: the debit was made (or nothing was due)
  }
}

export type BillPipeline = ReturnType<typeof createBillPipeline>;

/** The single-account end of the pipeline, as an activity: a billing cycle's (and a final bill's) one step. */
export function createBillAccountActivities(sql: Sql, issueFromFacts: BillPipeline, clock: Clock) {
  return {
    /**
     * One account's bill for a period, dated today on the one clock: issued (stored, delivered, autopay
     * scheduled, collections told at once), held with its reasons, or nothing in service.
     */
    async billAccount(a: {
      accountId: string;
      period: Period;
      dueDays: number;
      workflowId: string;
      validation?: ValidationPolicy;
    }): Promise<AccountOutcome> {
      const facts = await loadBillingInputs(sql, a.accountId, a.period, clock.timeZone);
      if (!facts)
        throw ApplicationFailure.nonRetryable(`account ${a.accountId} does not exist`, 'no_such_account');
      const [outcome] = (await issueFromFacts([facts], { ...a, billDate: clock.today() }, 'at_once'))
        .accounts;
      // a tariff the engine cannot rate stays unratable however often it is retried
      if (outcome!.outcome === 'failed')
        throw ApplicationFailure.nonRetryable(outcome!.error, 'rating_failed');
      return outcome!;
    },
  };
}

export type BillAccountActivities = ReturnType<typeof createBillAccountActivities>;
