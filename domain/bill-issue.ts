// The first step of the one bill-issuing pipeline (activities/bill-pipeline.ts): what to do with one
// account's facts for one period. Every way a bill is made (a bill run's page, one account's billing
// cycle, a final bill, a rebill) decides here, so they skip, hold and date bills by the same rules.
import { type AccountFacts, calculateBill, type Hold, type RatedSegment } from './bill-calc.js';
import { addDays, type Period } from './period.js';
import type { ValidationPolicy } from './read-validation.js';

/** An account's billing facts (db/billing.ts loads them), with the bill it already has for the period. */
export interface BillFacts extends AccountFacts {
  accountId: string;
  accountNumber: string;
  billingCycle: string;
  /** the period's live bill, and the workflow (or run) that issued it */
  existingBill: { id: string; totalCents: number; status: string; workflowId: string } | null;
}

/** A rated bill ready to store (db/billing.ts issueBillsTx). */
export interface IssueBillInput {
  accountId: string;
  period: Period;
  billDate: string;
  dueDate: string;
  workflowId: string;
  segments: RatedSegment[];
  /** a corrected bill (cancel/rebill) replacing a cancelled one for the same period */
  replaces?: { billId: string; revision: number };
}

/** The terms a bill is issued on: the same for every account of a page. */
export interface BillTerms {
  period: Period;
  billDate: string;
  dueDays: number;
  /** the workflow (or run, or rebill key) issuing: a retry of the same issuer finds its own bills */
  workflowId: string;
  /** usage checks that hold a bill; absent when staff already decided (an approval, a rebill) */
  validation?: ValidationPolicy;
}

export type BillDecision =
  | { kind: 'already_billed'; billId: string; totalCents: number; byThisIssuer: boolean }
  | { kind: 'held'; holds: Hold[] }
  /** no agreement in service this period: no bill */
  | { kind: 'nothing' }
  | { kind: 'ready'; bill: IssueBillInput; estimated: boolean };

export function decideBill(facts: BillFacts, terms: BillTerms): BillDecision {
  const existing = facts.existingBill;
  if (existing)
    return {
      kind: 'already_billed',
      billId: existing.id,
      totalCents: existing.totalCents,
      byThisIssuer: existing.workflowId === terms.workflowId,
    };
  const { segments, holds } = calculateBill({ ...facts, validation: terms.validation }, terms.period);
  if (holds.length) return { kind: 'held', holds };
  if (!segments.length) return { kind: 'nothing' };
  return {
    kind: 'ready',
    estimated: segments.some((s) => s.lines.some((l) => isEstimated(l.trace))),
    bill: {
      accountId: facts.accountId,
      period: terms.period,
      billDate: terms.billDate,
      dueDate: addDays(terms.billDate, terms.dueDays),
      workflowId: terms.workflowId,
      segments,
    },
  };
}

/** a read was estimated, or intervals were (by cisflow's gap rule or the vendor) */
const isEstimated = (trace: Record<string, unknown>) => {
  if ((trace.reads as { estimated?: boolean } | undefined)?.estimated === true) return true;
  const i = trace.intervals as { estimated?: number; vendorEstimated?: number } | undefined;
  return !!i && (i.estimated ?? 0) + (i.vendorEstimated ?? 0) > 0;
};

/** The print batch a bill joins when it is not emailed: its cycle's batch for the period. */
export const printBatchOf = (billingCycle: string, periodKey: string) => `${billingCycle}/${periodKey}`;
