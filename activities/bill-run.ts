// Bill-run activities: a page of a cycle's accounts is rated and stored in one set-based transaction.
// Per-account Temporal workflows are kept for accounts that need a lifecycle (held bills); the clean
// majority is billed here, which is what lets a 100,000-account run finish in minutes.
import { heartbeat } from '@temporalio/activity';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { type IssueBillInput, issueBills, loadBillingInputsMany } from '../db/billing.js';
import type { Sql } from '../db/client.js';
import { calculateBill } from '../domain/bill-calc.js';
import { addDays, type Period } from '../domain/period.js';
import type { ValidationPolicy } from '../domain/read-validation.js';
import {
  BILLING_CYCLE,
  type BillingCycleWorkflow,
  type BillingPolicy,
  billingCycleWorkflowId,
} from '../workflows/contracts/billing-cycle.js';
import { AUTOPAY, type AutopayWorkflow, autopayWorkflowId } from '../workflows/contracts/payment.js';

export interface BatchResult {
  lastId: string | null;
  billed: number;
  /** bills created by this page, for delivery */
  billIds: string[];
  alreadyBilled: number;
  estimated: number;
  held: { accountId: string; accountNumber: string }[];
  failed: { accountId: string; error: string }[];
}

export function createBillRunActivities(
  sql: Sql,
  client: Client,
  queues: { payments: string } = { payments: AUTOPAY.taskQueue },
) {
  return {
    /** Starts an autopay workflow for each new bill of an account enrolled in autopay (once per bill). */
    async scheduleAutopay(a: { billIds: string[] }) {
      if (!a.billIds.length) return 0;
      const due = await sql<{ billId: string; dueDate: string; daysBeforeDue: number }[]>`
        select b.id as bill_id, b.due_date::text, e.days_before_due from bill b
        join autopay_enrollment e on e.account_id = b.account_id and e.status = 'active'
        where b.id = any(${a.billIds}) and b.total_cents > 0`;
      let started = 0;
      for (const d of due) {
        try {
          await client.workflow.start<AutopayWorkflow>(AUTOPAY.type, {
            workflowId: autopayWorkflowId(d.billId),
            taskQueue: queues.payments,
            args: [{ billId: d.billId, dueDate: d.dueDate, daysBeforeDue: d.daysBeforeDue }],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          });
          started++;
        } catch (e) {
          if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
        }
      }
      return started;
    },

    /**
     * Starts the billing-cycle workflow of each held account, as an independent workflow rather than a child:
     * held bills can number in the thousands and wait for days, more than a parent may keep pending.
     * Idempotent: an account whose workflow already exists (running, or closed by staff) is left alone.
     */
    async handOverHeld(a: {
      held: { accountId: string; accountNumber: string }[];
      period: string;
      policy: BillingPolicy;
      taskQueue: string;
    }) {
      let started = 0;
      await Promise.all(
        a.held.map(async (h) => {
          try {
            await client.workflow.start<BillingCycleWorkflow>(BILLING_CYCLE.type, {
              workflowId: billingCycleWorkflowId(h.accountNumber, a.period),
              taskQueue: a.taskQueue,
              args: [{ accountId: h.accountId, period: a.period, policy: a.policy }],
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
      const ids = (
        await sql<{ id: string }[]>`
          select id from account where billing_cycle = ${a.cycle} and status = 'active' and id > ${a.after}
          order by id limit ${a.pageSize}`
      ).map((r) => r.id);
      const inputs = await loadBillingInputsMany(sql, ids, a.period);
      heartbeat('loaded');
      const result: BatchResult = {
        lastId: ids.at(-1) ?? null,
        billIds: [],
        billed: 0,
        alreadyBilled: 0,
        estimated: 0,
        held: [],
        failed: [],
      };
      const bills: IssueBillInput[] = [];
      for (const id of ids) {
        const facts = inputs.get(id);
        if (!facts) continue;
        if (facts.existingBill) {
          result.alreadyBilled++;
          continue;
        }
        try {
          const { segments, holds } = calculateBill({ ...facts, validation: a.validation }, a.period);
          if (holds.length) {
            result.held.push({ accountId: id, accountNumber: facts.accountNumber });
            continue;
          }
          if (segments.length === 0) continue; // nothing in service this period
          if (
            segments.some((s) =>
              s.lines.some((l) => (l.trace.reads as { estimated?: boolean } | undefined)?.estimated),
            )
          )
            result.estimated++;
          bills.push({
            accountId: id,
            period: a.period,
            billDate: a.billDate,
            dueDate: addDays(a.billDate, a.dueDays),
            workflowId: a.runId,
            segments,
          });
        } catch (e) {
          // one bad account must not stop the cycle: report it and carry on
          result.failed.push({ accountId: id, error: (e as Error).message });
        }
      }
      heartbeat('rated');
      const stored = await issueBills(sql, bills);
      for (const s of stored) {
        if (s.created) {
          result.billed++;
          result.billIds.push(s.billId);
        } else result.alreadyBilled++;
      }
      return result;
    },
  };
}

export type BillRunActivities = ReturnType<typeof createBillRunActivities>;
