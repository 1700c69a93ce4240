// Intervals as the bill run rates them (domain/interval-billing.ts): local TOU hours across the DST days of
// America/Chicago (Sunday 8 March 2026, 23 hours; Sunday 1 November 2026, 25 hours), and the gap rule.
import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import {
  type IntervalChannel,
  intervalBasis,
  localStart,
  summarize,
  windowIntervals,
} from '../../domain/interval-billing.js';
import { rate } from '../../domain/rate-engine.js';
import { parseTariff } from '../../domain/tariff.js';

const TZ = 'America/Chicago';

/** Hourly intervals from `fromIso` (an instant), values 1, 2, 3, … unless given. */
function hourly(fromIso: string, count: number, values?: string[]): IntervalChannel {
  const start = Date.parse(fromIso) / 60_000;
  return {
    startMinutes: Array.from({ length: count }, (_, k) => start + 60 * k),
    seconds: Array.from({ length: count }, () => 3600),
    values: Array.from({ length: count }, (_, k) => values?.[k] ?? String(k + 1)),
    quality: Array.from({ length: count }, () => 0),
  };
}

// periods by local hour: 1 am, 2 am, 3 am, and every other hour; the same on weekends
const byHour = Array.from({ length: 12 }, () =>
  Array.from({ length: 24 }, (_, h) => (h >= 1 && h <= 3 ? h - 1 : 3)),
);
const tariff = parseTariff({
  schema: 'cisflow.tariff/1',
  name: 'Hours',
  service: 'electric',
  unit: 'kWh',
  components: [
    {
      type: 'tou',
      name: 'Energy',
      weekday: byHour,
      weekend: byHour,
      periods: ['1 am', '2 am', '3 am', 'other'].map((name) => ({
        name,
        tiers: [{ from: '0', price: '1.00' }],
      })),
    },
  ],
});

function ratedByPeriod(day: string, ch: IntervalChannel) {
  const r = windowIntervals(ch, { from: day, to: day }, TZ, 6, 'meter M-1');
  if (!r.ok) throw new Error(r.message);
  const { lines } = rate([{ id: 'v1', effectiveFrom: '2020-01-01', tariff }], {
    periodStart: day,
    periodEnd: day,
    intervals: r.intervals,
  });
  return {
    starts: r.intervals.map((i) => i.start),
    lines: Object.fromEntries(lines.map((l) => [l.touPeriod, l.quantity])),
    summary: summarize(tariff, r.intervals, TZ, r).byPeriod,
  };
}

describe('local hours across daylight saving time', () => {
  it('spring forward: 23 intervals, no 2 am, 3 am billed once', () => {
    // local midnight CST is 06:00Z; 02:00 local does not exist, 03:00 is CDT (-05:00)
    const r = ratedByPeriod('2026-03-08', hourly('2026-03-08T06:00:00Z', 23));
    expect(r.starts.slice(0, 4)).toEqual([
      '2026-03-08T00:00-06:00',
      '2026-03-08T01:00-06:00',
      '2026-03-08T03:00-05:00',
      '2026-03-08T04:00-05:00',
    ]);
    expect(r.starts.at(-1)).toBe('2026-03-08T23:00-05:00');
    // values 1..23: 1 am is the 2nd (2), 3 am the 3rd (3); other hours 276 - 5 = 271
    expect(r.lines).toEqual({ '1 am': '2', '3 am': '3', other: '271' });
    expect(r.summary).toEqual([
      { period: '1 am', kwh: '2' },
      { period: '2 am', kwh: '0' },
      { period: '3 am', kwh: '3' },
      { period: 'other', kwh: '271' },
    ]);
  });

  it('fall back: 25 intervals, 1 am billed twice, each on its own offset', () => {
    // local midnight CDT is 05:00Z; 01:00 happens at -05:00 and again at -06:00
    const r = ratedByPeriod('2026-11-01', hourly('2026-11-01T05:00:00Z', 25));
    expect(r.starts.slice(0, 4)).toEqual([
      '2026-11-01T00:00-05:00',
      '2026-11-01T01:00-05:00',
      '2026-11-01T01:00-06:00',
      '2026-11-01T02:00-06:00',
    ]);
    expect(r.starts).toHaveLength(25);
    // values 1..25: 1 am = 2 + 3, 2 am = 4, 3 am = 5; other = 325 - 14 = 311
    expect(r.lines).toEqual({ '1 am': '5', '2 am': '4', '3 am': '5', other: '311' });
  });

  it('words an instant in the zone with its offset', () => {
    expect(localStart(Date.parse('2026-07-14T22:00:00Z') / 60_000, TZ)).toBe('2026-07-14T17:00-05:00');
    expect(localStart(Date.parse('2026-07-14T22:00:00Z') / 60_000, 'UTC')).toBe('2026-07-14T22:00+00:00');
  });
});

describe('the gap rule', () => {
  const day = { from: '2026-07-14', to: '2026-07-14' };
  const midnight = '2026-07-14T05:00:00Z'; // local midnight, CDT

  it('fills a short gap linearly between its neighbours, marked quality 1', () => {
    const ch = hourly(
      midnight,
      24,
      Array.from({ length: 24 }, (_, k) => (k === 4 ? '4' : '1')),
    );
    // drop 01:00-03:59 (3 hours): between 00:00 (1) and 04:00 (4) they are 1.75, 2.5, 3.25
    for (const a of Object.values(ch)) a.splice(1, 3);
    const r = windowIntervals(ch, day, TZ, 3, 'meter M-1');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.intervals.slice(0, 5).map((i) => [i.start.slice(11, 16), String(i.value), i.quality])).toEqual([
      ['00:00', String(dec('1')), 0],
      ['01:00', String(dec('1.75')), 1],
      ['02:00', String(dec('2.5')), 1],
      ['03:00', String(dec('3.25')), 1],
      ['04:00', String(dec('4')), 0],
    ]);
    expect(r.estimated).toBe(3);
    expect(r.gaps).toEqual([
      { from: '2026-07-14T01:00-05:00', to: '2026-07-14T04:00-05:00', hours: '3', intervals: 3 },
    ]);
  });

  it('repeats the one neighbour at the window edge', () => {
    const ch = hourly(
      midnight,
      22,
      Array.from({ length: 22 }, () => '2'),
    );
    const r = windowIntervals(ch, day, TZ, 6, 'meter M-1');
    expect(r.ok && r.intervals.slice(-2).map((i) => [i.start, i.quality, String(i.value)])).toEqual([
      ['2026-07-14T22:00-05:00', 1, String(dec('2'))],
      ['2026-07-14T23:00-05:00', 1, String(dec('2'))],
    ]);
  });

  it('holds a gap over the limit and a window with no intervals; without a limit it estimates', () => {
    const ch = hourly(midnight, 17); // 17:00-23:59 missing: 7 hours
    expect(windowIntervals(ch, day, TZ, 6, 'meter M-1')).toEqual({
      ok: false,
      code: 'interval_gap',
      message:
        'meter M-1 has no intervals from 2026-07-14T17:00-05:00 to 2026-07-15T00:00-05:00 (7 hours), more than the 6-hour limit for estimating',
    });
    expect(windowIntervals(ch, day, TZ, 7, 'meter M-1').ok).toBe(true);
    expect(windowIntervals(ch, day, TZ, undefined, 'meter M-1').ok).toBe(true);
    expect(windowIntervals(null, day, TZ, 6, 'meter M-1')).toMatchObject({ code: 'missing_intervals' });
  });
});

describe('which tariffs bill from intervals', () => {
  const base = { schema: 'cisflow.tariff/1', name: 'T', service: 'electric', unit: 'kWh' };
  const flat = { type: 'volumetric', name: 'Energy', tiers: [{ from: '0', price: '0.1' }] };
  it('time-based tariffs need them; kWh net metering uses them when present; flat ones never', () => {
    expect(intervalBasis(tariff)).toBe('required');
    const demand = { type: 'demand', name: 'Demand', tiers: [{ from: '0', price: '9' }] };
    expect(intervalBasis(parseTariff({ ...base, components: [flat, demand] }))).toBe('required');
    expect(
      intervalBasis(
        parseTariff({
          ...base,
          netMetering: { mode: 'nem_kwh', yearEndSellRate: '0.03' },
          components: [flat],
        }),
      ),
    ).toBe('if_present');
    expect(intervalBasis(parseTariff({ ...base, components: [flat] }))).toBe('none');
  });
});
