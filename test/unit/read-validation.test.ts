import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calculateBill, type SegmentFacts } from '../../domain/bill-calc.js';
import { dec, decToString } from '../../domain/decimal.js';
import {
  consumptionAcrossExchange,
  DEFAULT_VALIDATION,
  estimateRead,
  findDuplicates,
  trueUp,
  validateUsage,
} from '../../domain/read-validation.js';
import { consumption, type RegisterRead } from '../../domain/reads.js';

const r = (
  id: string,
  value: string,
  readAt: string,
  source: RegisterRead['source'] = 'ami',
): RegisterRead => ({ id, value, readAt, source });
const meter = { dialCount: 6, multiplier: '1' };
const check = (from: string, to: string, status = 'active', history = {}) =>
  validateUsage({
    result: consumption(r('a', from, '2026-10-01T08:00:00Z'), r('b', to, '2026-11-01T08:00:00Z'), meter),
    days: 31,
    serviceStatus: status,
    history,
    policy: DEFAULT_VALIDATION,
  });
const codes = (f: { code: string; severity: string }[]) => f.map((x) => `${x.code}:${x.severity}`);

describe('read validation flags, never fixes', () => {
  it('holds negative consumption and out-of-order reads', () => {
    expect(codes(check('500000', '100'))).toEqual(['negative_consumption:hold']);
    const c = consumption(r('a', '1', '2026-11-01T00:00:00Z'), r('b', '2', '2026-10-01T00:00:00Z'), meter);
    expect(
      codes(
        validateUsage({
          result: c,
          days: 31,
          serviceStatus: 'active',
          history: {},
          policy: DEFAULT_VALIDATION,
        }),
      ),
    ).toEqual(['out_of_order:hold']);
  });

  it('holds zero usage on an active service, but not on a suspended one', () => {
    expect(codes(check('100', '100'))).toEqual(['zero_usage:hold']);
    expect(check('100', '100', 'suspended_seasonal')).toEqual([]);
    expect(codes(check('100', '112', 'suspended_seasonal'))).toEqual(['suspended_service:hold']);
  });

  it('judges high and low usage against the same season last year first, then recent bills', () => {
    // 31 days; last year 0.4/day -> high above 1.0/day (31), low below 0.1/day (3.1)
    expect(
      codes(check('100', '140', 'active', { sameSeasonLastYearDaily: '0.4', recentDaily: '5' })),
    ).toEqual(['high_usage:hold']);
    expect(codes(check('100', '102', 'active', { sameSeasonLastYearDaily: '0.4' }))).toEqual([
      'low_usage:hold',
    ]);
    expect(check('100', '112', 'active', { sameSeasonLastYearDaily: '0.4' })).toEqual([]);
    expect(codes(check('100', '140', 'active', { recentDaily: '0.3' }))).toEqual(['high_usage:hold']);
    expect(check('100', '140', 'active', {})).toEqual([]); // no history, no judgement
    expect(check('100', '140', 'active', { recentDaily: '0.01' })).toEqual([]); // baseline too thin
    expect(check('100', '140', 'active', { recentDaily: '0.3' })[0]!.message).toMatch(
      /over 2.5x the recent average of 0.3\/day/,
    );
  });

  it('notes a rollover without holding', () => {
    expect(codes(check('999990', '10'))).toEqual(['rollover:info']);
  });

  it('finds duplicate reads', () => {
    const reads = [
      r('a', '10', '2026-10-01T08:00:00Z'),
      r('b', '10', '2026-10-01T08:20:00Z'),
      r('c', '11', '2026-10-02T08:00:00Z'),
      r('d', '12', '2026-10-02T08:00:00Z'),
    ];
    expect(findDuplicates(reads).map((d) => [d.read.id, d.duplicateOf.id])).toEqual([
      ['b', 'a'],
      ['d', 'c'],
    ]);
  });

  it('adds up usage across a meter exchange, each meter with its own multiplier', () => {
    const c = consumptionAcrossExchange([
      { start: r('o1', '5000', '2026-10-01T00:00:00Z'), end: r('o2', '5004', '2026-10-15T00:00:00Z'), meter },
      {
        start: r('n1', '0', '2026-10-15T01:00:00Z'),
        end: r('n2', '0.7', '2026-11-01T00:00:00Z'),
        meter: { dialCount: 6, multiplier: '10' },
      },
    ]);
    expect(c.ok && decToString(c.quantity)).toBe('11');
    expect(c.ok && c.trace.exchange).toHaveLength(2);
  });
});

describe('estimation and true-up', () => {
  it('estimates from average daily usage, marked with its basis', () => {
    const e = estimateRead({
      last: r('a', '1000', '2026-10-01T08:00:00Z'),
      at: '2026-11-01T08:00:00Z',
      history: { sameSeasonLastYearDaily: '0.25', recentDaily: '1' },
      meter,
    });
    expect(e).toEqual({ value: '1007.75', quantity: '7.75', basis: 'same_season_last_year' });
    expect(
      estimateRead({
        last: r('a', '1000', '2026-10-01T08:00:00Z'),
        at: '2026-11-01T08:00:00Z',
        history: {},
        meter,
      }),
    ).toBeNull();
  });

  it('trues up without billing any usage twice or losing any', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (estHundredths, actualHundredths) => {
          const lastActual = r('a', '1000', '2026-09-01T08:00:00Z');
          const estimated = r(
            'e',
            decToString((dec('1000') + dec(`${estHundredths / 100}`)) as never),
            '2026-10-01T08:00:00Z',
            'estimated',
          );
          const actual = r(
            'x',
            decToString((dec('1000') + dec(`${actualHundredths / 100}`)) as never),
            '2026-11-01T08:00:00Z',
          );
          const t = trueUp({ lastActual, lastBilled: estimated, actual, meter });
          return (
            t.billedBefore + t.quantity === t.totalSinceLastActual &&
            t.totalSinceLastActual === dec(`${actualHundredths / 100}`)
          );
        },
      ),
    );
  });
});

describe('calculateBill holds what validation flags', () => {
  const seg = (to: string, history = {}): SegmentFacts => ({
    serviceAgreementId: 'sa_1',
    serviceType: 'water',
    status: 'active',
    serviceStart: '2020-01-01',
    meter: { serialNumber: 'W1', unit: 'ccf', dialCount: 6, multiplier: '1' },
    openingRead: r('a', '100', '2026-10-01T08:00:00Z'),
    closingRead: r('b', to, '2026-11-01T08:00:00Z'),
    rates: [
      {
        id: 'rv',
        scheduleCode: 'W',
        effectiveFrom: '2020-01-01',
        tariff: {
          schema: 'cisflow.tariff/1',
          name: 'W',
          service: 'water',
          unit: 'ccf',
          components: [{ type: 'volumetric', name: 'Water', tiers: [{ from: '0', price: '3' }] }],
        },
      },
    ],
    history,
  });
  const period = { start: '2026-10-01', end: '2026-10-31' };

  it('holds high usage with its reason and rates normal usage, noting findings in the trace', () => {
    const held = calculateBill(
      { segments: [seg('200', { recentDaily: '0.3' })], validation: DEFAULT_VALIDATION },
      period,
    );
    expect(held.holds).toEqual([expect.objectContaining({ code: 'high_usage' })]);
    expect(held.segments).toEqual([]);
    const ok = calculateBill(
      { segments: [seg('110', { recentDaily: '0.3' })], validation: DEFAULT_VALIDATION },
      period,
    );
    expect(ok.segments[0]!.totalCents).toBe(3000);
    const approved = calculateBill({ segments: [seg('200', { recentDaily: '0.3' })] }, period); // no validation: already approved
    expect(approved.segments[0]!.totalCents).toBe(30000);
  });
});
