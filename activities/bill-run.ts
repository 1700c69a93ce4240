// Bill-run activities: a page of a cycle's accounts is rated and stored in one set-based transaction.
// Per-account Temporal workflows are kept for accounts that need a lifecycle (held bills); the clean
// majority is billed here, which is what lets a 100,000-account run finish in minutes.
import { heartbeat } from '@temporalio/activity';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { enqueueHeldBills } from '../db/bill-exceptions.js';
import { loadBillingInputsMany } from '../db/billing.js';
import type { Sql } from '../db/client.js';
import { waitsForReads } from '../domain/bill-calc.js';
import type { Period } from '../domain/period.js';
import type { ValidationPolicy } from '../domain/read-validation.js';
import { timed } from '../lib/metrics.js';
import {
  BILLING_CYCLE,
  type BillingCycleWorkflow,
  type BillingPolicy,
  billingCycleWorkflowId,
  type HeldAccount,
} from '../workflows/contracts/billing-cycle.js';
import type { BillPipeline } from './bill-pipeline.js';

export interface BatchResult {
  lastId: string | null;
  billed: number;
  alreadyBilled: number;
  estimated: number;
  emailed: number;
  printed: number;
  held: HeldAccount[];
  failed: { accountId: string; error: string }[];
}

export function createBillRunActivities(
  sql: Sql,
  client: Client,
  issueFromFacts: BillPipeline,
  timeZone = 'UTC',
) {
  return {
    /**
     * Starts the billing-cycle workflow of each held account, as an independent workflow rather than a child:
     * held bills can number in the thousands and wait for days, more than a parent may keep pending.
     * Idempotent: an account whose workflow already exists (running, or closed by staff) is left alone.
     */
    async handOverHeld(a: { held: HeldAccount[]; period: string; policy: BillingPolicy; taskQueue: string }) {
      let started = 0;
      await Promise.all(
        a.held.map(async (h) => {
          try {
            await client.workflow.start<BillingCycleWorkflow>(BILLING_CYCLE.type, {
              workflowId: billingCycleWorkflowId(h.accountNumber, a.period),
              taskQueue: a.taskQueue,
              args: [{ accountId: h.accountId, period: a.period, policy: a.policy, held: h }],
              workflowIdReusePolicy: 'REJECT_DUPLICATE',
            });
            started++;
          } catch (e) {
            if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
          }
        }),
      );
      return started;
    },

    /** Page boundaries for a cycle: the id each page starts after, so pages can run side by side. */
    async planPages(a: { cycle: string; pageSize: number }): Promise<{ total: number; starts: string[] }> {
      const rows = await sql<{ id: string; n: number }[]>`
        select id, (row_number() over (order by id))::int as n from account
        where billing_cycle = ${a.cycle} and status = 'active' order by id`;
      const starts = [''];
      for (const r of rows) if (r.n % a.pageSize === 0 && r.n < rows.length) starts.push(r.id);
      return { total: rows.length, starts };
    },

    /** One page of the cycle, through the bill pipeline: delivered now, handed to collections with the run. */
    async billPage(a: {
      cycle: string;
      period: Period;
      after: string;
      pageSize: number;
      billDate: string;
      dueDays: number;
      runId: string;
      validation?: ValidationPolicy;
    }): Promise<BatchResult> {
      const { ids, facts } = await timed('load', async () => {
        const ids = (
          await sql<{ id: string }[]>`
            select id from account where billing_cycle = ${a.cycle} and status = 'active' and id > ${a.after}
            order by id limit ${a.pageSize}`
        ).map((r) => r.id);
        return { ids, facts: await loadBillingInputsMany(sql, ids, a.period, timeZone) };
      });
      heartbeat('loaded');
      const r = await issueFromFacts(
        ids.flatMap((id) => facts.get(id) ?? []),
        {
          period: a.period,
          billDate: a.billDate,
          dueDays: a.dueDays,
          workflowId: a.runId,
          validation: a.validation,
        },
        'with_run',
      );
      // held bills go to the exceptions queue here, for the page at once, rather than one activity each in
      // their workflows; those waiting for late reads are queued by their workflow if the reads never come
      const held: HeldAccount[] = r.accounts.flatMap((x) =>
        x.outcome === 'held'
          ? [
              {
                accountId: x.accountId,
                accountNumber: x.accountNumber,
                billingCycle: x.billingCycle,
                holds: x.holds,
                queued: !waitsForReads(x.holds),
              },
            ]
          : [],
      );
      await timed('queue_held', () =>
        sql.begin((tx) =>
          enqueueHeldBills(
            tx,
            held
              .filter((h) => h.queued)
              .map((h) => ({
                accountId: h.accountId,
                period: a.period.key,
                workflowId: billingCycleWorkflowId(h.accountNumber, a.period.key),
                reasons: h.holds,
              })),
            { refresh: false },
          ),
        ),
      );
      return {
        lastId: ids.at(-1) ?? null,
        billed: r.billed,
        alreadyBilled: r.alreadyBilled,
        estimated: r.estimated,
        emailed: r.emailed,
        printed: r.printed,
        held,
        failed: r.accounts.flatMap((x) =>
          x.outcome === 'failed' ? [{ accountId: x.accountId, error: x.error }] : [],
        ),
      };
    },
  };
}

export type BillRunActivities = ReturnType<typeof createBillRunActivities>;
