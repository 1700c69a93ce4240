import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { assertBalanced, billEntry, paymentEntry, UnbalancedEntryError } from '../../domain/ledger.js';
import { monthlyPeriod } from '../../domain/period.js';
import { parseFlatTariff, rateFlatSegment } from '../../domain/rating.js';

const tariff = parseFlatTariff({ kind: 'flat', customerCharge: '18.40', unitPrice: '3.62', unit: 'ccf' });
const rate = { id: 'rv_1', scheduleCode: 'W', effectiveFrom: '2020-01-01', tariff };

describe('flat rating', () => {
  it('prices a full month: customer charge plus usage, each line rounded half-up', () => {
    const r = rateFlatSegment({
      serviceType: 'water',
      consumption: dec('7.25'),
      unit: 'ccf',
      periodStart: '2026-10-01',
      periodEnd: '2026-10-31',
      serviceStart: '2020-01-01',
      rate,
      readTrace: {},
    });
    expect(r.lines.map((l) => l.amountCents)).toEqual([1840, 2625]); // 7.25 x 3.62 = 26.245 -> 26.25
    expect(r.totalCents).toBe(4465);
    expect(r.lines[0]!.trace).toMatchObject({
      rateVersionId: 'rv_1',
      proration: { serviceDays: 31, periodDays: 31 },
    });
  });

  it('prorates the customer charge by days when service starts mid-period', () => {
    const r = rateFlatSegment({
      serviceType: 'water',
      consumption: dec('0'),
      unit: 'ccf',
      periodStart: '2026-10-01',
      periodEnd: '2026-10-31',
      serviceStart: '2026-10-16',
      rate,
      readTrace: {},
    });
    expect(r.lines[0]).toMatchObject({ quantity: '16/31', amountCents: 950 }); // 18.40 x 16/31 = 9.4967
  });

  it('names the field at fault in a bad tariff', () => {
    expect(() => parseFlatTariff({ kind: 'flat', customerCharge: '1', unit: 'ccf' })).toThrow(
      /tariff.unitPrice/,
    );
    expect(() => parseFlatTariff({ kind: 'tiered' })).toThrow(/tariff.kind/);
  });

  it('is deterministic and proration never exceeds the full charge', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 100_000 }),
        (startDay, hundredths) => {
          const input = {
            serviceType: 'water',
            consumption: dec(`${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`),
            unit: 'ccf',
            periodStart: '2026-10-01',
            periodEnd: '2026-10-31',
            serviceStart: `2026-10-${String(startDay).padStart(2, '0')}`,
            rate,
            readTrace: {},
          };
          const a = rateFlatSegment(input);
          const b = rateFlatSegment(input);
          return (
            JSON.stringify(a) === JSON.stringify(b) &&
            a.lines[0]!.amountCents <= 1840 &&
            a.lines[0]!.amountCents >= 0
          );
        },
      ),
    );
  });
});

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
});
