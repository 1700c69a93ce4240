// A year of monthly bills rated in order, each month handed what it needs from the months before it: the
// earlier peaks (demand ratchets) and the year's floored bills before top-ups (annual minimum, checked in
// the tariff's true-up month). Rating a year this way equals rating each month with that history given.
import { dec } from './decimal.js';
import {
  EMPTY_NEM_STATE,
  type NemBill,
  type NemSettings,
  type NemState,
  rateNemMonth,
} from './net-metering.js';
import { type Interval, type RateResult, type RateVersion, type RatingContext, rate } from './rate-engine.js';

export interface MonthBill extends RateResult {
  periodStart: string;
  periodEnd: string;
}

export interface NemMonthBill extends NemBill {
  periodStart: string;
  periodEnd: string;
}

/**
 * Rates consecutive periods. `history` seeds the peaks of months before the first one. The year-to-date
 * total restarts after each true-up month (the month the period ends in).
 */
export function rateYear(
  versions: RateVersion[],
  months: RatingContext[],
  opts: { trueUpMonth?: number; history?: RatingContext['priorPeaks'] } = {},
): { bills: MonthBill[]; totalCents: number } {
  const trueUp = opts.trueUpMonth ?? versions[0]?.tariff.trueUpMonth ?? 12;
  const peaks = [...(opts.history ?? [])];
  let ytd = 0;
  const bills: MonthBill[] = [];
  for (const m of months) {
    const r = rate(versions, {
      ...m,
      priorPeaks: m.priorPeaks ?? peaks,
      yearToDateCents: m.yearToDateCents ?? ytd,
    });
    bills.push({ ...r, periodStart: m.periodStart, periodEnd: m.periodEnd });
    if (r.peakKw !== undefined) peaks.push({ month: m.periodEnd.slice(0, 7), kw: dec(r.peakKw) });
    ytd = Number(m.periodEnd.slice(5, 7)) === trueUp ? 0 : ytd + r.minimumBasisCents;
  }
  return { bills, totalCents: bills.reduce((n, b) => n + b.totalCents, 0) };
}

/**
 * A net-metered year: each month gets the NEM state (kWh bank, $ credit) the month before left, and the
 * same history `rateYear` hands on (earlier peaks, the year's bills before top-ups). `exports[i]` is month
 * i's received channel.
 */
export function rateNemYear(
  versions: RateVersion[],
  months: RatingContext[],
  exports: Interval[][],
  settings: NemSettings,
  opts: { trueUpMonth?: number; history?: RatingContext['priorPeaks']; state?: NemState } = {},
): { bills: NemMonthBill[]; totalCents: number; state: NemState } {
  const trueUp = opts.trueUpMonth ?? versions[0]?.tariff.trueUpMonth ?? 12;
  const peaks = [...(opts.history ?? [])];
  let ytd = 0;
  let state = opts.state ?? EMPTY_NEM_STATE;
  const bills: NemMonthBill[] = [];
  months.forEach((m, i) => {
    const r = rateNemMonth(
      versions,
      { ...m, priorPeaks: m.priorPeaks ?? peaks, yearToDateCents: m.yearToDateCents ?? ytd },
      exports[i] ?? [],
      settings,
      state,
    );
    bills.push({ ...r, periodStart: m.periodStart, periodEnd: m.periodEnd });
    state = r.state;
    if (r.peakKw !== undefined) peaks.push({ month: m.periodEnd.slice(0, 7), kw: dec(r.peakKw) });
    ytd = Number(m.periodEnd.slice(5, 7)) === trueUp ? 0 : ytd + r.minimumBasisCents;
  });
  return { bills, totalCents: bills.reduce((n, b) => n + b.totalCents, 0), state };
}
