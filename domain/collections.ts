// Collections (dunning) as a pure decision: given what is owed, what has been done and what holds apply
// today, which steps are due now and when to look again. The workflow only gathers facts, performs the
// steps this returns and sleeps; so every rule here is testable without a clock or a database.
//
// Rules, in the order a past-due bill meets them (days are counted from the bill's due date):
//   reminder (before due) -> past-due notice -> late fee -> final disconnect notice -> disconnect -> reconnect.
// - Only collectible bills count: open (unpaid) amount > 0, not under an open dispute, not covered by an
//   active payment arrangement. A dispute suspends collection of the disputed bill only.
// - The late fee is charged once per bill, on that bill's unpaid charges: fees are not bills, so a late fee
//   is never charged on a late fee. Percent fees round half-up to the cent.
// - Below the small-balance threshold only notices go out: no fee, no final notice, no disconnect.
// - A medical or manual hold stops the final notice and the disconnect; a moratorium (winter, heat) stops
//   the disconnect and the final notice that would announce it.
// - The disconnect comes no sooner than the minimum notice period after the final notice.
// - Paying what is past due stops the steps at once; a disconnected account is reconnected, with its fee.
import { dec, divRoundHalfUp, ONE } from './decimal.js';
import { addDays } from './period.js';

export type LateFee =
  | { type: 'fixed'; cents: number }
  | { type: 'percent'; percent: string; minCents: number; maxCents?: number };

export interface CollectionPolicy {
  reminderDaysBeforeDue: number;
  /** the past-due notice goes out this many days after the due date */
  pastDueNoticeAfterDays: number;
  lateFee: LateFee;
  lateFeeAfterDays: number;
  finalNoticeAfterDays: number;
  /** the least time between the final notice and the disconnect, by law or policy */
  minNoticeDays: number;
  reconnectFeeCents: number;
  smallBalanceCents: number;
  medicalHoldDays: number;
  medicalHoldRenewals: number;
  /** a manual hold (staff judgement) runs at most this many days, renewed at most this often */
  manualHoldDays: number;
  manualHoldRenewals: number;
  /** no disconnects (and no notices announcing one) between these month-days, inclusive; may wrap the year */
  moratoria: { from: string; to: string; reason: string }[];
  /** arrangements a customer may set up alone: at most this many instalments */
  maxSelfServiceInstallments: number;
  /** an instalment not paid this many days after its due date breaks the arrangement */
  installmentGraceDays: number;
  /** a dispute not resolved within this many days is escalated to a supervisor */
  disputeSlaDays: number;
  /** how long a policy "day" lasts: "1 day" in production; tests shrink it to seconds */
  dayLength: string;
}

export const DEFAULT_COLLECTION_POLICY: CollectionPolicy = {
  reminderDaysBeforeDue: 3,
  pastDueNoticeAfterDays: 1,
  lateFee: { type: 'percent', percent: '1.5', minCents: 500 },
  lateFeeAfterDays: 5,
  finalNoticeAfterDays: 20,
  minNoticeDays: 10,
  reconnectFeeCents: 2500,
  smallBalanceCents: 2500,
  medicalHoldDays: 30,
  medicalHoldRenewals: 2,
  manualHoldDays: 14,
  manualHoldRenewals: 1,
  // through the end of February, the 29th of a leap year included (month-days compare as text)
  moratoria: [{ from: '12-01', to: '02-29', reason: 'winter moratorium' }],
  maxSelfServiceInstallments: 6,
  installmentGraceDays: 3,
  disputeSlaDays: 10,
  dayLength: '1 day',
};

export interface OpenBill {
  billId: string;
  dueDate: string;
  /** unpaid part of the bill's own charges, less any amount under open dispute */
  openCents: number;
  /** part of it is under an open dispute */
  disputed: boolean;
  /** covered by the active payment arrangement */
  arranged: boolean;
}

export interface CollectionFacts {
  today: string;
  bills: OpenBill[];
  autopay: boolean;
  /** bill-level steps already taken, e.g. "reminder:bill_…"; case-level ones are "final_notice" etc. */
  done: Set<string>;
  /** when the current case's final notice allows the disconnect (null: no final notice yet) */
  disconnectAllowedOn: string | null;
  holds: { kind: string; endsOn: string }[];
  serviceState: 'connected' | 'disconnected';
  /** a closed account (moved out) has no service to disconnect: only notices and fees apply */
  accountClosed?: boolean;
}

export type CollectionAction =
  | { kind: 'reminder'; billId: string; amountCents: number; dueDate: string }
  | { kind: 'past_due_notice'; billId: string; amountCents: number; dueDate: string }
  | { kind: 'late_fee'; billId: string; feeCents: number }
  | { kind: 'final_notice'; amountCents: number; disconnectOn: string }
  | { kind: 'disconnect'; amountCents: number }
  | { kind: 'reconnect'; feeCents: number };

export interface CollectionDecision {
  actions: CollectionAction[];
  /** the next day on which a rule could fire without anything else happening; null: nothing scheduled */
  nextReview: string | null;
  /** why a step that is otherwise due is not taken */
  blockedBy: string[];
  stage: string;
  /** nothing collectible is owed and service is on: the case can close */
  settled: boolean;
}

/** Half-up to the cent: "1.5" percent of 10,001 cents is 150.015 -> 150 cents. */
export function lateFeeCents(fee: LateFee, openCents: number): number {
  if (openCents <= 0) return 0;
  if (fee.type === 'fixed') return fee.cents;
  let cents = Number(divRoundHalfUp(dec(fee.percent) * BigInt(openCents), 100n * ONE));
  cents = Math.max(cents, fee.minCents);
  if (fee.maxCents !== undefined) cents = Math.min(cents, fee.maxCents);
  return cents;
}

/** Is the date inside a moratorium? Month-day ranges may wrap the new year (12-01 .. 02-28). */
export function inMoratorium(p: CollectionPolicy, date: string): string | null {
  const md = date.slice(5);
  for (const m of p.moratoria) {
    const inside = m.from <= m.to ? md >= m.from && md <= m.to : md >= m.from || md <= m.to;
    if (inside) return m.reason;
  }
  return null;
}

/** The first day after the moratorium covering `date` (searching at most a year ahead). */
function moratoriumEnds(p: CollectionPolicy, date: string): string {
  let d = date;
  for (let i = 0; i < 367 && inMoratorium(p, d); i++) d = addDays(d, 1);
  return d;
}

export function decideCollections(f: CollectionFacts, p: CollectionPolicy): CollectionDecision {
  const actions: CollectionAction[] = [];
  const blockedBy: string[] = [];
  const future: string[] = [];
  const later = (d: string) => {
    if (d > f.today) future.push(d);
  };
  // a disputed amount is already taken out of openCents: the rest of the bill is collected as usual
  const collectible = f.bills.filter((b) => b.openCents > 0 && !b.arranged);
  const pastDue = collectible.filter((b) => b.dueDate < f.today);
  const pastDueCents = pastDue.reduce((n, b) => n + b.openCents, 0);
  const aboveSmall = pastDueCents >= p.smallBalanceCents;
  const hold = f.holds.find((h) => h.endsOn >= f.today);
  const moratorium = inMoratorium(p, f.today);
  if (f.bills.some((b) => b.disputed)) blockedBy.push('dispute');
  if (f.bills.some((b) => b.openCents > 0 && b.arranged)) blockedBy.push('payment_arrangement');

  for (const b of collectible) {
    const remindOn = addDays(b.dueDate, -p.reminderDaysBeforeDue);
    if (!f.autopay && !f.done.has(`reminder:${b.billId}`) && f.today >= remindOn && f.today <= b.dueDate)
      actions.push({ kind: 'reminder', billId: b.billId, amountCents: b.openCents, dueDate: b.dueDate });
    else if (!f.autopay && !f.done.has(`reminder:${b.billId}`)) later(remindOn);

    const noticeOn = addDays(b.dueDate, p.pastDueNoticeAfterDays);
    if (f.today >= noticeOn) {
      if (!f.done.has(`past_due_notice:${b.billId}`))
        actions.push({
          kind: 'past_due_notice',
          billId: b.billId,
          amountCents: b.openCents,
          dueDate: b.dueDate,
        });
    } else later(noticeOn);

    const feeOn = addDays(b.dueDate, p.lateFeeAfterDays);
    if (f.today >= feeOn) {
      if (!f.done.has(`late_fee:${b.billId}`)) {
        if (aboveSmall) {
          const fee = lateFeeCents(p.lateFee, b.openCents);
          if (fee > 0) actions.push({ kind: 'late_fee', billId: b.billId, feeCents: fee });
        } else blockedBy.push('small_balance');
      }
    } else later(feeOn);
  }

  // Final notice and disconnect are about the account: driven by its oldest collectible past-due bill.
  const oldest = [...pastDue].sort((a, b) => a.dueDate.localeCompare(b.dueDate))[0];
  if (oldest && f.accountClosed) blockedBy.push('account_closed');
  if (oldest && f.serviceState === 'connected' && !f.accountClosed) {
    const finalOn = addDays(oldest.dueDate, p.finalNoticeAfterDays);
    const canAct = (): boolean => {
      if (!aboveSmall) {
        blockedBy.push('small_balance');
        return false;
      }
      if (hold) {
        blockedBy.push(`${hold.kind}_hold`);
        later(addDays(hold.endsOn, 1));
        return false;
      }
      if (moratorium) {
        blockedBy.push(moratorium);
        later(moratoriumEnds(p, f.today));
        return false;
      }
      return true;
    };
    if (f.disconnectAllowedOn === null) {
      if (f.today >= finalOn) {
        if (canAct())
          actions.push({
            kind: 'final_notice',
            amountCents: pastDueCents,
            disconnectOn: addDays(f.today, p.minNoticeDays),
          });
      } else later(finalOn);
    } else if (f.today >= f.disconnectAllowedOn) {
      if (canAct()) actions.push({ kind: 'disconnect', amountCents: pastDueCents });
    } else later(f.disconnectAllowedOn);
  }

  if (f.serviceState === 'disconnected' && pastDueCents <= 0)
    actions.push({ kind: 'reconnect', feeCents: p.reconnectFeeCents });

  // an open dispute keeps the case open: its outcome decides what is collected
  const settled =
    collectible.length === 0 && !f.bills.some((b) => b.disputed) && f.serviceState === 'connected';
  const stage =
    f.serviceState === 'disconnected'
      ? 'disconnected'
      : f.disconnectAllowedOn
        ? 'final_notice'
        : pastDue.length
          ? pastDue.some((b) => f.done.has(`late_fee:${b.billId}`))
            ? 'late_fee'
            : 'past_due'
          : collectible.length
            ? 'current'
            : 'settled';
  return {
    actions,
    nextReview: future.length ? future.sort()[0]! : null,
    blockedBy: [...new Set(blockedBy)],
    stage,
    settled,
  };
}

/** Equal instalments; the first ones take the leftover cents so the sum is exact. */
export function installmentPlan(totalCents: number, count: number, firstDue: string, everyDays: number) {
  if (!Number.isSafeInteger(totalCents) || totalCents <= 0) throw new RangeError('nothing to arrange');
  if (!Number.isInteger(count) || count < 1 || count > 24)
    throw new RangeError('instalments must be between 1 and 24');
  const base = Math.floor(totalCents / count);
  const extra = totalCents - base * count;
  return Array.from({ length: count }, (_, i) => ({
    seq: i + 1,
    dueDate: addDays(firstDue, i * everyDays),
    amountCents: base + (i < extra ? 1 : 0),
  }));
}

/** Merges stored policy (partial, from the collection_policy table) over the defaults, checking it. */
export function parseCollectionPolicy(stored: unknown): CollectionPolicy {
  const p = { ...DEFAULT_COLLECTION_POLICY, ...((stored ?? {}) as Partial<CollectionPolicy>) };
  const whole = (k: keyof CollectionPolicy) => {
    const v = p[k];
    if (!Number.isSafeInteger(v) || (v as number) < 0)
      throw new RangeError(`${k} must be a whole number of days or cents, at least 0`);
  };
  for (const k of [
    'reminderDaysBeforeDue',
    'pastDueNoticeAfterDays',
    'lateFeeAfterDays',
    'finalNoticeAfterDays',
    'minNoticeDays',
    'reconnectFeeCents',
    'smallBalanceCents',
    'medicalHoldDays',
    'medicalHoldRenewals',
    'manualHoldDays',
    'manualHoldRenewals',
    'maxSelfServiceInstallments',
    'installmentGraceDays',
    'disputeSlaDays',
  ] as const)
    whole(k);
  if (p.lateFee.type === 'fixed' && !(Number.isSafeInteger(p.lateFee.cents) && p.lateFee.cents >= 0))
    throw new RangeError('lateFee.cents must be whole cents');
  if (p.lateFee.type === 'percent' && !/^\d{1,2}(\.\d{1,4})?$/.test(p.lateFee.percent))
    throw new RangeError('lateFee.percent must be a decimal such as "1.5"');
  for (const m of p.moratoria)
    if (!/^\d{2}-\d{2}$/.test(m.from) || !/^\d{2}-\d{2}$/.test(m.to))
      throw new RangeError('moratoria dates are month-days such as "12-01"');
  if (!/^\d+(\.\d+)?\s*(ms|milliseconds?|s|seconds?|m|minutes?|h|hours?|d|days?)$/.test(p.dayLength))
    throw new RangeError('dayLength must be a duration such as "1 day" or "2s"');
  return p;
}

/** How many days a hold of this kind may run at a time, and how often it may be renewed, under the policy. */
export function holdLimits(p: CollectionPolicy, kind: 'medical' | 'manual') {
  return kind === 'medical'
    ? { days: p.medicalHoldDays, renewals: p.medicalHoldRenewals }
    : { days: p.manualHoldDays, renewals: p.manualHoldRenewals };
}

export interface Debit {
  /** a bill's id, or null for a fee or other charge */
  billId: string | null;
  dueDate: string;
  amountCents: number;
}

/**
 * What is still unpaid of each charge, from the ledger balance alone: every credit (payment, credit
 * adjustment, reversal) pays the oldest charges first, so the unpaid part sits on the newest ones.
 * Works from postings, not from stored "amount paid" figures, so it cannot drift from the balance.
 */
export function unpaidByCharge(balanceCents: number, debits: Debit[]): (Debit & { unpaidCents: number })[] {
  const newestFirst = [...debits].sort(
    (a, b) => b.dueDate.localeCompare(a.dueDate) || (b.billId ?? '').localeCompare(a.billId ?? ''),
  );
  let left = Math.max(0, balanceCents);
  const out = newestFirst.map((d) => {
    const unpaidCents = Math.max(0, Math.min(d.amountCents, left));
    left -= unpaidCents;
    return { ...d, unpaidCents };
  });
  return out.reverse();
}

/**
 * What is past due on `asOf`: the unpaid part (oldest charges paid first, `unpaidByCharge`) of every charge
 * due before that day, and the oldest such due date. The one rule the past-due banner, the bill and
 * collections' amounts agree on.
 */
export function pastDueOn(
  charges: (Debit & { unpaidCents: number })[],
  asOf: string,
): { pastDueCents: number; oldestDueDate: string | null; charges: (Debit & { unpaidCents: number })[] } {
  const overdue = charges.filter((c) => c.unpaidCents > 0 && c.dueDate < asOf);
  return {
    pastDueCents: overdue.reduce((n, c) => n + c.unpaidCents, 0),
    oldestDueDate: overdue.map((c) => c.dueDate).sort()[0] ?? null,
    charges: overdue,
  };
}

/**
 * A collections case's trail, in order, read for its disconnect: the day its last final notice allows it
 * (`allowedOn`; a reconnect clears it, as a new final notice is needed after one) and whether service is off
 * (the last disconnect not followed by a reconnect).
 */
export function disconnectState(events: { event: string; detail: { disconnectOn?: string } }[]): {
  allowedOn: string | null;
  disconnected: boolean;
} {
  let allowedOn: string | null = null;
  let disconnected = false;
  for (const e of events) {
    if (e.event === 'final_notice') allowedOn = e.detail.disconnectOn ?? null;
    if (e.event === 'disconnect') disconnected = true;
    if (e.event === 'reconnect') {
      allowedOn = null;
      disconnected = false;
    }
  }
  return { allowedOn, disconnected };
}

export type CollectionStep =
  | { kind: 'late_fee'; on: string; feeCents: number }
  | { kind: 'final_notice'; on: string; disconnectOn: string }
  | { kind: 'disconnect'; on: string };

/**
 * The next step collections will take if nothing is paid: a late fee, the final notice (with the disconnect
 * date it will announce) or the disconnect, and the day it falls due (today when it is due and not yet
 * taken). The decision above, asked again on each day it says to look again; null when no such step is
 * coming (nothing past due, below the small balance, a hold or moratorium with no end in the year).
 */
export function nextCollectionStep(f: CollectionFacts, p: CollectionPolicy): CollectionStep | null {
  let today: string | null = f.today;
  for (let i = 0; today && i < 24; i++) {
    const d = decideCollections({ ...f, today }, p);
    const fees = d.actions.flatMap((a) => (a.kind === 'late_fee' ? [a.feeCents] : []));
    if (fees.length) return { kind: 'late_fee', on: today, feeCents: fees.reduce((n, c) => n + c, 0) };
    for (const a of d.actions) {
      if (a.kind === 'final_notice') return { kind: 'final_notice', on: today, disconnectOn: a.disconnectOn };
      if (a.kind === 'disconnect') return { kind: 'disconnect', on: today };
    }
    // a step already taken on a bill is taken again in no later review
    today = d.nextReview;
  }
  return null;
}
