// Autopay's rules: the day a bill is debited, how much, and the next debit the customer is shown. The
// autopay workflow and its payment activity use the same rules, so the portal says what will happen.
import { addDays, daysBetween } from './period.js';

/** Stripe's smallest charge: below it there is nothing to debit. */
export const MIN_DEBIT_CENTS = 50;

/** The day autopay debits a bill due on `dueDate`: that day, or `daysBeforeDue` days before it. */
export const autopayDebitDate = (dueDate: string, daysBeforeDue: number): string =>
  addDays(dueDate, -daysBeforeDue);

/**
 * What autopay charges for a bill: what is still owed on the account, never more than the bill; 0 when that
 * is less than the smallest charge (paid already, or a credit).
 */
export function autopayAmountCents(balanceCents: number, billTotalCents: number): number {
  const amount = Math.min(balanceCents, billTotalCents);
  return amount >= MIN_DEBIT_CENTS ? amount : 0;
}

/** The same day of the next month, or that month's last day when it is shorter (Jan 31 → Feb 28 or 29). */
export function sameDayNextMonth(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const lastOfNext = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(d, lastOfNext))).toISOString().slice(0, 10);
}

export interface AutopayBill {
  id: string;
  billDate: string;
  dueDate: string;
  totalCents: number;
}

export type NextDebit =
  /** the latest bill will be debited on `date` for `amountCents` */
  | { kind: 'bill'; billId: string; date: string; amountCents: number }
  /** nothing left to debit on the latest bill: the next bill's debit, its date estimated from this one's */
  | { kind: 'next_bill'; date: string }
  /** no bill yet: the first bill is debited when it comes */
  | { kind: 'no_bill' };

/**
 * The next autopay debit an enrolled account will see. The latest bill is debited on its debit date (on the
 * day it is issued if that date is earlier, as the workflow does), for what is owed on it. When that is past
 * or there is nothing to debit, the next bill is expected a month after the latest one, on the same day of
 * the month (the month's last day when it is shorter: Jan 31, Feb 28, Mar 31), with as many days to its due
 * date as the latest bill had.
 */
export function nextAutopayDebit(i: {
  today: string;
  daysBeforeDue: number;
  balanceCents: number;
  latestBill: AutopayBill | null;
}): NextDebit {
  const bill = i.latestBill;
  if (!bill) return { kind: 'no_bill' };
  const debitOn = (b: { billDate: string; dueDate: string }) => {
    const d = autopayDebitDate(b.dueDate, i.daysBeforeDue);
    return d < b.billDate ? b.billDate : d;
  };
  const amountCents = autopayAmountCents(i.balanceCents, bill.totalCents);
  const date = debitOn(bill);
  if (amountCents > 0 && date >= i.today) return { kind: 'bill', billId: bill.id, date, amountCents };
  const dueDays = daysBetween(bill.billDate, bill.dueDate);
  // month by month from the latest bill's date, keeping its day of the month (the 31st stays a month end)
  const [, , day] = bill.billDate.split('-').map(Number) as [number, number, number];
  let billDate = bill.billDate;
  for (let n = 0; n < 240; n++) {
    billDate = withDay(sameDayNextMonth(billDate), day);
    const next = debitOn({ billDate, dueDate: addDays(billDate, dueDays) });
    if (next >= i.today) return { kind: 'next_bill', date: next };
  }
  return { kind: 'next_bill', date: i.today };
}

/** The date with its day of the month set back to `day` where the month has it (Feb 28 → Mar 31). */
function withDay(date: string, day: number): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${date.slice(0, 8)}${String(Math.min(day, last)).padStart(2, '0')}`;
}
