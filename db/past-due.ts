// What the portal's past-due banner and the staff 360 show of an account in arrears, in one answer: how much
// is past due (the unpaid charges due before today, by the rule collections itself uses), since when, the
// late fees charged on it, the collections stage and its next step (a late fee, the final notice, the
// disconnect) with its date, and what the customer may arrange online.
import { decideCollections, nextCollectionStep, pastDueOn } from '../domain/collections.js';
import { daysBetween } from '../domain/period.js';
import { requireAccount } from './accounts.js';
import { type ArrangementOffer, arrangementOffer, type Installment } from './arrangements.js';
import type { Sql } from './client.js';
import { accountCharges, collectionFacts } from './collections.js';

export interface PastDue {
  accountId: string;
  asOf: string;
  balanceCents: number;
  /** unpaid charges (bills and fees) whose due date is before today */
  pastDueCents: number;
  /** the due date of the oldest of them, and how many days ago it was */
  oldestDueDate: string | null;
  daysPastDue: number;
  lateFees: { billId: string; feeCents: number; chargedOn: string }[];
  collections: {
    caseId: string | null;
    stage: string;
    /** the day a disconnect may happen: announced by a final notice, or the one the next final notice would give */
    disconnectOn: string | null;
    nextStep:
      | { kind: 'late_fee'; on: string; feeCents: number }
      | { kind: 'final_notice'; on: string; disconnectOn: string }
      | { kind: 'disconnect'; on: string }
      | null;
    /** why a step that is due is not taken: a hold, a moratorium, a dispute, the small-balance threshold */
    blockedBy: string[];
  };
  arrangement: { id: string; totalCents: number; installments: Installment[] } | null;
  offer: ArrangementOffer;
}

export async function pastDueView(sql: Sql, accountId: string, today: string): Promise<PastDue> {
  await requireAccount(sql, accountId);
  const [open] = await sql<{ id: string }[]>`
    select id from collection_case where account_id = ${accountId} and status = 'open'`;
  const [{ balanceCents, charges }, facts, offer, [arrangement]] = await Promise.all([
    accountCharges(sql, accountId),
    collectionFacts(sql, { accountId, caseId: open?.id ?? '', today }),
    arrangementOffer(sql, accountId, today),
    sql<{ id: string; totalCents: number; installments: Installment[] }[]>`
      select id, total_cents, installments from payment_arrangement
      where account_id = ${accountId} and status = 'active'`,
  ]);
  const { pastDueCents, oldestDueDate, charges: overdue } = pastDueOn(charges, today);
  const billIds = [...new Set(overdue.flatMap((c) => (c.billId ? [c.billId] : [])))];
  const lateFees = billIds.length
    ? await sql<{ billId: string; feeCents: number; chargedOn: string }[]>`
        select a.bill_id, a.amount_cents as fee_cents, je.effective_on::text as charged_on
        from adjustment a join journal_entry je on je.id = a.journal_entry_id
        where a.account_id = ${accountId} and a.kind = 'late_fee' and a.bill_id = any(${billIds})
          and not exists (select 1 from journal_entry r where r.reverses_id = je.id)
        order by je.effective_on, a.id`
    : [];
  const decision = decideCollections(facts, facts.policy);
  const nextStep = pastDueCents > 0 ? nextCollectionStep(facts, facts.policy) : null;
  return {
    accountId,
    asOf: today,
    balanceCents,
    pastDueCents,
    oldestDueDate,
    daysPastDue: oldestDueDate ? daysBetween(oldestDueDate, today) : 0,
    lateFees: [...lateFees],
    collections: {
      caseId: open?.id ?? null,
      stage: pastDueCents > 0 ? decision.stage : 'current',
      disconnectOn:
        facts.disconnectAllowedOn ?? (nextStep?.kind === 'final_notice' ? nextStep.disconnectOn : null),
      nextStep,
      blockedBy: decision.blockedBy,
    },
    arrangement: arrangement ?? null,
    offer,
  };
}
