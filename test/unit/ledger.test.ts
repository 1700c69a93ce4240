import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertBalanced, billEntry, paymentEntry, UnbalancedEntryError } from '../../domain/ledger.js';
import { monthlyPeriod } from '../../domain/period.js';

describe('journal entries', () => {
  it('every bill entry balances, whatever the segments', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            serviceType: fc.constantFrom('water', 'sewer', 'trash'),
            totalCents: fc.integer({ min: -50_000, max: 500_000 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        (segments) => {
          const e = billEntry({
            idempotencyKey: 'k',
            accountId: 'acct_1',
            billDate: '2026-11-03',
            period: '2026-10',
            segments,
          });
          return e === null || e.postings.reduce((n, p) => n + p.amountCents, 0) === 0;
        },
      ),
    );
  });

  it('refuses an unbalanced or fractional entry', () => {
    const e = paymentEntry({
      idempotencyKey: 'p',
      accountId: 'a',
      amountCents: 500,
      receivedOn: '2026-11-01',
      description: 'x',
    });
    expect(() =>
      assertBalanced({ ...e, postings: [e.postings[0]!, { ...e.postings[1]!, amountCents: -499 }] }),
    ).toThrow(UnbalancedEntryError);
    expect(() =>
      assertBalanced({ ...e, postings: [{ ...e.postings[0]!, amountCents: 0.5 }, e.postings[1]!] }),
    ).toThrow(UnbalancedEntryError);
  });

  it('knows month lengths, leap years included', () => {
    expect(monthlyPeriod('2028-02')).toEqual({ key: '2028-02', start: '2028-02-01', end: '2028-02-29' });
    expect(() => monthlyPeriod('2026-13')).toThrow(/period/);
  });

  it('credits taxes to tax payable, not revenue', () => {
    const e = billEntry({
      idempotencyKey: 'k',
      accountId: 'acct_1',
      billDate: '2026-11-03',
      period: '2026-10',
      segments: [
        { serviceType: 'electric', totalCents: 10300, taxCents: 300 },
        { serviceType: 'trash', totalCents: 2875 },
      ],
    });
    expect(e!.postings).toEqual([
      { ledgerAccount: 'ar:acct_1', amountCents: 13175 },
      { ledgerAccount: 'revenue:electric', amountCents: -10000 },
      { ledgerAccount: 'revenue:trash', amountCents: -2875 },
      { ledgerAccount: 'tax_payable', amountCents: -300 },
    ]);
  });
});
