// Autopay's next debit, on named dates: the due date or days before it, the bill's own date when that is
// later, month ends (the 31st, February in a leap year and not) and a year end.
import { describe, expect, it } from 'vitest';
import {
  autopayAmountCents,
  autopayDebitDate,
  nextAutopayDebit,
  sameDayNextMonth,
} from '../../domain/autopay.js';

const bill = (billDate: string, dueDate: string, totalCents = 8_412) => ({
  id: 'bill_1',
  billDate,
  dueDate,
  totalCents,
});

describe('autopay debit date and amount', () => {
  it('debits on the due date or the chosen number of days before, across month and year ends', () => {
    expect(autopayDebitDate('2026-12-21', 0)).toBe('2026-12-21');
    expect(autopayDebitDate('2026-12-21', 5)).toBe('2026-12-16');
    expect(autopayDebitDate('2026-03-01', 3)).toBe('2026-02-26');
    expect(autopayDebitDate('2028-03-01', 3)).toBe('2028-02-27'); // 2028 is a leap year
    expect(autopayDebitDate('2027-01-02', 5)).toBe('2026-12-28');
  });
  it('charges what is owed, at most the bill, nothing under 50 cents', () => {
    expect(autopayAmountCents(10_000, 8_412)).toBe(8_412);
    expect(autopayAmountCents(3_000, 8_412)).toBe(3_000);
    expect(autopayAmountCents(49, 8_412)).toBe(0);
    expect(autopayAmountCents(-500, 8_412)).toBe(0);
  });
  it('moves a date a month on, keeping month ends', () => {
    expect(sameDayNextMonth('2026-11-15')).toBe('2026-12-15');
    expect(sameDayNextMonth('2026-12-15')).toBe('2027-01-15');
    expect(sameDayNextMonth('2027-01-31')).toBe('2027-02-28');
    expect(sameDayNextMonth('2028-01-31')).toBe('2028-02-29');
    expect(sameDayNextMonth('2026-03-31')).toBe('2026-04-30');
  });
});

describe('the next autopay debit', () => {
  const today = '2026-12-01';
  it('is the latest bill, on its debit date, for what is owed on it', () => {
    expect(
      nextAutopayDebit({
        today,
        daysBeforeDue: 3,
        balanceCents: 9_000,
        latestBill: bill('2026-11-30', '2026-12-21'),
      }),
    ).toEqual({ kind: 'bill', billId: 'bill_1', date: '2026-12-18', amountCents: 8_412 });
    // today is the debit day: still to come
    expect(
      nextAutopayDebit({
        today,
        daysBeforeDue: 0,
        balanceCents: 9_000,
        latestBill: bill('2026-11-10', today),
      }),
    ).toMatchObject({ kind: 'bill', date: today });
  });
  it('is the bill date when the days before due reach back before the bill', () => {
    expect(
      nextAutopayDebit({
        today,
        daysBeforeDue: 20,
        balanceCents: 8_412,
        latestBill: bill('2026-12-01', '2026-12-15'),
      }),
    ).toEqual({ kind: 'bill', billId: 'bill_1', date: '2026-12-01', amountCents: 8_412 });
  });
  it('is the next bill when the latest is paid or its debit day has passed, keeping month ends', () => {
    // paid: the next bill is a month after this one, due as many days after it
    expect(
      nextAutopayDebit({
        today,
        daysBeforeDue: 0,
        balanceCents: 0,
        latestBill: bill('2026-11-20', '2026-12-11'),
      }),
    ).toEqual({ kind: 'next_bill', date: '2027-01-10' });
    // billed on Jan 31: Feb 28 in 2027, and the bill after that on Mar 31, not Mar 28
    expect(
      nextAutopayDebit({
        today: '2027-02-10',
        daysBeforeDue: 0,
        balanceCents: 0,
        latestBill: bill('2027-01-31', '2027-02-21'),
      }),
    ).toEqual({ kind: 'next_bill', date: '2027-03-21' });
    expect(
      nextAutopayDebit({
        today: '2027-03-22',
        daysBeforeDue: 0,
        balanceCents: 0,
        latestBill: bill('2027-01-31', '2027-02-21'),
      }),
    ).toEqual({ kind: 'next_bill', date: '2027-04-21' }); // Mar 31 + 21 days
    // a leap year: Jan 31 → Feb 29
    expect(
      nextAutopayDebit({
        today: '2028-02-01',
        daysBeforeDue: 2,
        balanceCents: 0,
        latestBill: bill('2028-01-31', '2028-02-21'),
      }),
    ).toEqual({ kind: 'next_bill', date: '2028-03-19' }); // Feb 29 + 21 = Mar 21, 2 days before
    // owed but its debit day is behind us (a failed debit): the next bill's, across the year end
    expect(
      nextAutopayDebit({
        today: '2026-12-20',
        daysBeforeDue: 0,
        balanceCents: 8_412,
        latestBill: bill('2026-11-30', '2026-12-18'),
      }),
    ).toEqual({ kind: 'next_bill', date: '2027-01-17' }); // billed on the 30th: Dec 30 + 18 days
  });
  it('is unknown until the first bill', () => {
    expect(nextAutopayDebit({ today, daysBeforeDue: 0, balanceCents: 0, latestBill: null })).toEqual({
      kind: 'no_bill',
    });
  });
});
