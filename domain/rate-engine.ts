// The rate engine: pure, deterministic, exact. Given a tariff's versions and one service's usage for a
// billing period, it returns bill lines that each say how they were computed.
//
// Rules (see docs/tariff-format.md):
// - Rounding: each line is rounded once, half-up (away from zero) to the cent; totals are sums of lines.
// - Proration is by days. The billed window is the period cut to the service's start/end dates; it is split
//   where a new rate version takes effect and where a seasonal tariff changes season. Each piece carries
//   factor = its days / the full period's days: fixed charges, minimums and demand charges are multiplied by
//   it, and block-tier thresholds are scaled by it (a half period gets half-size blocks). Fixed charges and
//   minimums round cumulatively from the period's first day, so however a period is split its pieces add
//   up to the whole amount to the cent (periodShareCents).
// - Usage without interval data is shared between pieces by days; the last piece takes the remainder so the
//   pieces always add up to the metered usage exactly. With interval data each piece uses its own intervals.
// - Components apply in order. Riders, minimums and taxes apply to the subtotal of the lines before them.
// - TOU hours come from each interval's local wall-clock start time; Saturday and Sunday use the weekend schedule.
import {
  type Dec,
  decConst as dec,
  decToString,
  divRoundHalfEven,
  divRoundHalfUp,
  fromCents,
  ONE,
  ZERO,
} from './decimal.js';
import type { Component, Schedule, Tariff, Tier } from './tariff.js';

export interface Interval {
  /** local wall-clock start, "YYYY-MM-DDTHH:MM" (anything after the minutes is ignored) */
  start: string;
  minutes: number;
  value: Dec; // usage in the interval, e.g. kWh
}

export interface RatingContext {
  periodStart: string; // inclusive ISO date
  periodEnd: string; // inclusive ISO date
  serviceStart?: string;
  serviceEnd?: string;
  usage?: Dec;
  intervals?: Interval[];
  demandKw?: Dec;
  waterUsage?: Dec;
  winterAverage?: Dec;
  meterSize?: string;
  budget?: Dec;
  /** named parts of the budget, e.g. { indoor } */
  budgetParts?: Record<string, Dec>;
  flags?: readonly string[];
  /** the peaks (kW) of earlier months, from the account's history, for demand ratchets */
  priorPeaks?: { month: string; kw: Dec }[];
  /** the year's earlier monthly bills, floored at 0 and before minimum top-ups, for an annual minimum */
  yearToDateCents?: number;
  /**
   * Net metering: the energy to bill after netting, instead of the intervals' sum (which still give the
   * demand): `total` for volumetric charges and riders, `byPeriod` per TOU component name and period.
   */
  netEnergy?: { total: Dec; byPeriod?: Record<string, Dec[]> };
}

export interface RateVersion {
  id: string;
  effectiveFrom: string;
  tariff: Tariff;
}

export interface RatedLine {
  component: string;
  /** the tariff component type; taxes post to tax payable, everything else to revenue */
  kind: Component['type'];
  description: string;
  quantity: string;
  unit: string;
  unitPrice: string | null;
  amountCents: number;
  rateVersionId: string;
  tier: number | null;
  season: string | null;
  touPeriod: string | null;
  proration: { from: string; to: string; days: number; periodDays: number };
  detail?: Record<string, string | boolean>;
}

export class RatingError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RatingError';
  }
}

const DAY = 86_400_000;
/** Days since 1970-01-01 for "YYYY-MM-DD…", by integer arithmetic (no Date parsing on the hot path). */
function epochDay(iso: string): number {
  const y0 = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
const isoOf = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
const monthOf = (iso: string) => Number(iso.slice(5, 7));

function seasonOf(t: Tariff, month: number): string | null {
  if (!t.seasons) return null;
  for (const s of t.seasons) if (s.months.includes(month)) return s.name;
  return null;
}

interface Piece {
  from: number; // epoch days, inclusive
  to: number;
  version: RateVersion;
  season: string | null;
}

function versionAt(sorted: { v: RateVersion; day: number }[], day: number): RateVersion {
  let v: RateVersion | undefined;
  for (const x of sorted) if (x.day <= day) v = x.v;
  if (!v) throw new RatingError('no_rate_version', `no rate version is in effect on ${isoOf(day)}`);
  return v;
}

/** Shares a window total between pieces by days; the last piece takes the remainder. */
class Sharer {
  private given = 0n;
  constructor(
    private readonly total: Dec | undefined,
    private readonly windowDays: number,
  ) {}
  next(days: number, last: boolean): Dec | undefined {
    if (this.total === undefined) return undefined;
    const share = last
      ? this.total - this.given
      : divRoundHalfUp(this.total * BigInt(days), BigInt(this.windowDays));
    this.given += share;
    return share as Dec;
  }
}

type LineIn = Omit<RatedLine, 'rateVersionId' | 'season' | 'proration'>;

/** Appends a line with its piece's version, season and proration; returns its amount for the subtotal. */
function addLine(
  lines: RatedLine[],
  base: Pick<RatedLine, 'rateVersionId' | 'season' | 'proration'>,
  l: LineIn,
): number {
  lines.push({
    component: l.component,
    kind: l.kind,
    description: l.description,
    quantity: l.quantity,
    unit: l.unit,
    unitPrice: l.unitPrice,
    amountCents: l.amountCents,
    rateVersionId: base.rateVersionId,
    tier: l.tier,
    season: base.season,
    touPeriod: l.touPeriod,
    proration: base.proration,
    ...(l.detail ? { detail: l.detail } : {}),
  });
  return l.amountCents;
}

/** Splits the billed window at version changes and season changes. */
function pieces(versions: RateVersion[], from: number, to: number): Piece[] {
  const sorted = versions.map((v) => ({ v, day: epochDay(v.effectiveFrom) })).sort((a, b) => a.day - b.day);
  // cut where a version takes effect, and at month starts when a tariff has seasons
  const cuts = new Set<number>([from]);
  for (const x of sorted) if (x.day > from && x.day <= to) cuts.add(x.day);
  if (sorted.some((x) => x.v.tariff.seasons)) {
    const d = new Date(from * DAY);
    for (let m = 1; ; m++) {
      const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + m, 1) / DAY;
      if (start > to) break;
      cuts.add(start);
    }
  }
  const starts = [...cuts].sort((a, b) => a - b);
  const out: Piece[] = [];
  starts.forEach((start, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]! - 1 : to;
    const version = versionAt(sorted, start);
    const season = seasonOf(version.tariff, new Date(start * DAY).getUTCMonth() + 1);
    const prev = out[out.length - 1];
    if (prev && prev.version === version && prev.season === season) prev.to = end;
    else out.push({ from: start, to: end, version, season });
  });
  return out;
}

/** amount x num/den, rounded half-up to cents */
const prorateToCents = (amount: Dec, num: number, den: number) =>
  Number(divRoundHalfUp(amount * BigInt(num) * 100n, ONE * BigInt(den)));

/**
 * A per-period amount for days [first, last] of a period (0-based day offsets), rounded cumulatively: days
 * 1..n of a period cost round(amount x n / periodDays), and a piece pays the difference between its ends.
 * However a period is split (rate change, move-in, move-out), its pieces add up to the amount to the cent.
 */
export function periodShareCents(amount: Dec, first: number, last: number, periodDays: number): number {
  return prorateToCents(amount, last + 1, periodDays) - prorateToCents(amount, first, periodDays);
}
const scale = (x: Dec, num: number, den: number) => divRoundHalfUp(x * BigInt(num), BigInt(den)) as Dec;
const qtyPriceCents = (q: Dec, p: Dec) => Number(divRoundHalfUp(q * p, ONE * (ONE / 100n)));
const percentOf = (cents: number, pct: Dec) => Number(divRoundHalfUp(BigInt(cents) * pct, 100n * ONE));
const fractionText = (num: number, den: number) => (num === den ? '1' : `${num}/${den}`);

/** Splits a quantity into block tiers. Thresholds are already scaled to the piece. */
function blocks(q: Dec, starts: Dec[]): Dec[] {
  return starts.map((s, i) => {
    const next = starts[i + 1];
    if (q <= s) return ZERO;
    return ((next !== undefined && q > next ? next : q) - s) as Dec;
  });
}

/** whole units, half to even (OWRS / RateParser budgets) */
const wholeHalfEven = (n: bigint, d: bigint) => (divRoundHalfEven(n, d) * ONE) as Dec;

interface BudgetRule {
  /** the charge's own budget, else the customer's */
  budget?: string;
  roundBudget?: boolean;
}

function tierStarts(
  tiers: Tier[],
  num: number,
  den: number,
  ctx: RatingContext,
  path: string,
  rule: BudgetRule = {},
): Dec[] {
  const round = rule.roundBudget === true;
  const budget = rule.budget !== undefined ? dec(rule.budget) : ctx.budget;
  return tiers.map((t) => {
    if (t.from.startsWith('budget:')) {
      const part = ctx.budgetParts?.[t.from.slice(7)];
      if (part === undefined)
        throw new RatingError('budget_required', `${path} needs the customer's ${t.from.slice(7)} budget`);
      return scale(round ? wholeHalfEven(part, ONE) : part, num, den);
    }
    if (t.from.endsWith('%')) {
      if (budget === undefined)
        throw new RatingError(
          'budget_required',
          `${path} uses budget tiers but the account has no water budget`,
        );
      const pct = dec(t.from.slice(0, -1));
      // OWRS: round(N/100 x round(budget)); native: the exact percentage of the budget
      const start = round
        ? wholeHalfEven(wholeHalfEven(budget, ONE) * pct, 100n * ONE * ONE)
        : (divRoundHalfUp(budget * pct, 100n * ONE) as Dec);
      return scale(start, num, den);
    }
    return scale(dec(t.from), num, den);
  });
}

/** Day facts for an interval's date, cached: a month of 15-minute data repeats each date 96 times. */
const dayCache = new Map<string, { day: number; month: number; weekend: boolean }>();
let lastKey = '';
let lastEnd = ''; // lastKey with its last code unit + 1: the strings starting with lastKey lie in [lastKey, lastEnd)
let lastInfo: { day: number; month: number; weekend: boolean } | undefined;
function dayInfo(start: string) {
  // consecutive intervals share a date; two string comparisons test the prefix faster than startsWith
  if (start >= lastKey && start < lastEnd) return lastInfo!;
  const key = start.slice(0, 10);
  let info = dayCache.get(key);
  if (!info) {
    if (dayCache.size > 5000) dayCache.clear();
    const day = epochDay(key);
    const dow = new Date(day * DAY).getUTCDay();
    info = { day, month: Number(key.slice(5, 7)), weekend: dow === 0 || dow === 6 };
    dayCache.set(key, info);
  }
  if (key.length === 10) {
    lastKey = key;
    // a last code unit of 0xFFFF wraps to 0: lastEnd < lastKey then, and the test above never passes
    lastEnd = key.slice(0, 9) + String.fromCharCode(key.charCodeAt(9) + 1);
    lastInfo = info;
  }
  return info;
}

const NO_HOLIDAYS: ReadonlySet<string> = new Set();
export function scheduleIndex(
  start: string,
  weekday: Schedule,
  weekend: Schedule,
  holidays: ReadonlySet<string> = NO_HOLIDAYS,
): number {
  const d = dayInfo(start);
  const h = (start.charCodeAt(11) - 48) * 10 + (start.charCodeAt(12) - 48);
  const offDay = d.weekend || (holidays.size > 0 && holidays.has(start.slice(0, 10)));
  return ((offDay ? weekend : weekday)[d.month - 1] as number[])[h]!;
}

/**
 * Tier starts in usage units for one piece. Per-period starts are scaled by the piece's share of the
 * period; per-day starts are x the piece's days; per-kW starts are x the peak. Mixed units (block-step):
 * a start above a later start is cut down to it, so a kWh tier never reaches past the kWh/kW block it
 * sits in. `share` (a TOU period's kWh / the month's kWh) scales every start of that period.
 */
function unitStarts(
  tiers: Tier[],
  days: number,
  periodDays: number,
  ctx: RatingContext,
  path: string,
  rule: BudgetRule & { tiersPerKw?: boolean },
  peakKw: Dec | undefined,
  share?: { num: Dec; den: Dec },
): Dec[] {
  const plain = tierStarts(tiers, days, periodDays, ctx, path, rule);
  const out = tiers.map((t, i) => {
    const per = rule.tiersPerKw ? 'kW' : t.per;
    if (per === 'day') return (dec(t.from) * BigInt(days)) as Dec;
    if (per === 'kW') {
      if (peakKw === undefined)
        throw new RatingError('demand_required', `${path} has tiers per kW of demand and needs the peak`);
      return divRoundHalfUp(dec(t.from) * peakKw, ONE) as Dec;
    }
    return plain[i]!;
  });
  for (let i = out.length - 2; i >= 0; i--) if (out[i]! > out[i + 1]!) out[i] = out[i + 1]!;
  if (share && share.den !== share.num && share.den > 0n)
    for (let i = 0; i < out.length; i++) out[i] = divRoundHalfUp(out[i]! * share.num, share.den) as Dec;
  return out;
}

const hasPerKw = (tiers: Tier[]) => tiers.some((t) => t.per === 'kW');

const kw = (i: Interval) => divRoundHalfUp(i.value * 60n, BigInt(i.minutes)) as Dec;
const maxKw = (xs: Interval[]) =>
  xs.reduce((m, i) => {
    const k = kw(i);
    return k > m ? k : m;
  }, ZERO as Dec);
/** The interval with the highest kW (the first of equals). */
const topKw = (xs: Interval[]) => {
  let top: Interval | undefined;
  let m = ZERO as Dec;
  for (const i of xs) {
    if (i.minutes <= 0) continue;
    const k = kw(i);
    if (!top || k > m) {
      top = i;
      m = k;
    }
  }
  return top;
};
// kW rounds monotonically in the kWh, so with one interval length the peak is the largest kWh's kW
function intervalPeak(xs: Interval[] | undefined): Dec | undefined {
  if (!xs?.length) return undefined;
  const minutes = xs[0]!.minutes;
  let top = xs[0]!;
  for (const i of xs) {
    if (i.minutes !== minutes) return maxKw(xs);
    if (i.value > top.value) top = i;
  }
  const k = kw(top);
  return k > 0n ? k : (ZERO as Dec);
}

/** A piece's intervals and what the engine needs of them, gathered in one pass (see scanPiece). */
interface PieceScan {
  /** the intervals in the piece: the given array itself when all of them are (no copy) */
  xs: Interval[];
  /** their sum, when asked for */
  sum: Dec;
  /** the first interval with the most usage, if any */
  top: Interval | undefined;
  /** every interval has top's length in minutes */
  oneLength: boolean;
}

function scanPiece(all: Interval[], from: number, to: number, withSum: boolean): PieceScan {
  let xs: Interval[] | undefined; // copied only once an interval falls outside the piece
  let sum = 0n;
  let top: Interval | undefined;
  let oneLength = true;
  for (let x = 0; x < all.length; x++) {
    const i = all[x]!;
    const d = dayInfo(i.start).day;
    if (d >= from && d <= to) {
      if (xs) xs.push(i);
      if (withSum) sum += i.value;
      if (top === undefined) top = i;
      else {
        if (i.minutes !== top.minutes) oneLength = false;
        if (i.value > top.value) top = i;
      }
    } else if (!xs) xs = all.slice(0, x);
  }
  return { xs: xs ?? all, sum: sum as Dec, top, oneLength };
}

/** intervalPeak from a scan, without another pass when the intervals share a length */
function scanPeak(s: PieceScan): Dec | undefined {
  if (!s.top) return undefined;
  if (!s.oneLength) return maxKw(s.xs);
  const k = kw(s.top);
  return k > 0n ? k : (ZERO as Dec);
}

/** Months between two "YYYY-MM" months (b - a). */
const monthsBetween = (a: string, b: string) =>
  (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + Number(b.slice(5, 7)) - Number(a.slice(5, 7));

const holidayCache = new WeakMap<Tariff, ReadonlySet<string>>();
export function holidaysOf(t: Tariff): ReadonlySet<string> {
  if (!t.holidays?.length) return NO_HOLIDAYS;
  let set = holidayCache.get(t);
  if (!set) {
    set = new Set(t.holidays);
    holidayCache.set(t, set);
  }
  return set;
}

export interface RateResult {
  lines: RatedLine[];
  totalCents: number;
  /** the bill floored at 0, before minimum top-ups: what an annual minimum is checked against */
  minimumBasisCents: number;
  /** the period's peak demand (a read; else the highest interval when the tariff has a ratchet) */
  peakKw?: string;
}

export function rate(versions: RateVersion[], ctx: RatingContext): RateResult {
  if (versions.length === 0) throw new RatingError('no_rate_version', 'no rate versions given');
  const pStart = epochDay(ctx.periodStart);
  const pEnd = epochDay(ctx.periodEnd);
  if (pEnd < pStart)
    throw new RatingError(
      'bad_period',
      `period ends (${ctx.periodEnd}) before it starts (${ctx.periodStart})`,
    );
  const periodDays = pEnd - pStart + 1;
  const from = Math.max(pStart, ctx.serviceStart ? epochDay(ctx.serviceStart) : pStart);
  const to = Math.min(pEnd, ctx.serviceEnd ? epochDay(ctx.serviceEnd) : pEnd);
  if (to < from) return { lines: [], totalCents: 0, minimumBasisCents: 0 };
  const windowDays = to - from + 1;
  const ps = pieces(versions, from, to);
  if (ctx.netEnergy && ps.length > 1)
    throw new RatingError(
      'net_metering_split_period',
      'a net-metered bill must fall in one rate version and season; bill the parts separately',
    );

  const intervals = ctx.intervals;
  // with intervals each piece sums its own (below), so the shared total is only used without them
  const totalUsage = ctx.usage ?? ZERO;
  // shares a window total between pieces by days, last piece taking the remainder
  const usageShare = new Sharer(totalUsage, windowDays);
  const waterShare = new Sharer(ctx.waterUsage, windowDays);
  const winterShare = new Sharer(ctx.winterAverage, windowDays);

  const lines: RatedLine[] = [];
  ps.forEach((p, idx) => {
    const last = idx === ps.length - 1;
    const days = p.to - p.from + 1;
    const t = p.version.tariff;
    const own = usageShare.next(days, last) ?? ZERO;
    const scan = intervals && scanPiece(intervals, p.from, p.to, !ctx.netEnergy);
    const inPiece = scan?.xs;
    const usage = ctx.netEnergy?.total ?? scan?.sum ?? own;
    const water = waterShare.next(days, last);
    const winter = winterShare.next(days, last);
    const proration = { from: isoOf(p.from), to: isoOf(p.to), days, periodDays };
    const base = { rateVersionId: p.version.id, season: p.season, proration };
    const holidays = holidaysOf(t);
    let subtotal = 0;
    for (const c of t.components) {
      if ('season' in c && c.season && c.season !== p.season) continue;
      switch (c.type) {
        case 'fixed': {
          const amount = c.byMeterSize ? sizeAmount(c, ctx.meterSize) : c.amount!;
          subtotal += addLine(lines, base, {
            component: c.name,
            kind: c.type,
            description: c.name,
            quantity: fractionText(days, periodDays),
            unit: 'period',
            unitPrice: amount,
            amountCents: periodShareCents(dec(amount), p.from - pStart, p.to - pStart, periodDays),
            tier: null,
            touPeriod: null,
            ...(c.byMeterSize ? { detail: { meterSize: ctx.meterSize ?? '' } } : {}),
          });
          break;
        }
        case 'volumetric': {
          let q = usage;
          const detail: Record<string, string> = { basis: c.basis ?? 'own' };
          if (c.basis === 'water' || c.basis === 'winter_average') {
            if (water === undefined)
              throw new RatingError(
                'water_usage_required',
                `${c.name} is billed on water usage, which was not given`,
              );
            q = water;
            if (c.basis === 'winter_average' && winter !== undefined && winter < q) {
              q = winter;
              detail.cappedAt = decToString(winter);
            }
          }
          const starts = unitStarts(
            c.tiers,
            days,
            periodDays,
            ctx,
            c.name,
            c,
            hasPerKw(c.tiers) ? (ctx.demandKw ?? (scan && scanPeak(scan))) : undefined,
          );
          const parts = blocks(q, starts);
          let any = false;
          parts.forEach((part, i) => {
            if (part === 0n && (any || i > 0)) return;
            any = true;
            const tier = c.tiers[i]!;
            subtotal += addLine(lines, base, {
              component: c.name,
              kind: c.type,
              description: c.tiers.length > 1 ? `${c.name}, tier ${i + 1}` : c.name,
              quantity: decToString(part),
              unit: t.unit,
              unitPrice: tier.price,
              amountCents: qtyPriceCents(part, dec(tier.price)),
              tier: c.tiers.length > 1 ? i + 1 : null,
              touPeriod: null,
              detail: { ...detail, tierFrom: decToString(starts[i]!) },
            });
          });
          break;
        }
        case 'tou': {
          if (!inPiece)
            throw new RatingError(
              'intervals_required',
              `${c.name} is a time-of-use charge and needs interval data`,
            );
          const forced = ctx.netEnergy?.byPeriod?.[c.name];
          const byPeriod = forced ? [...forced] : c.periods.map(() => 0n as Dec);
          if (!forced)
            for (const i of inPiece) {
              const k = scheduleIndex(i.start, c.weekday, c.weekend, holidays);
              byPeriod[k] = (byPeriod[k]! + i.value) as Dec;
            }
          const monthKwh = byPeriod.reduce((a, b) => a + b, 0n) as Dec;
          const perKw = c.tiersPerKw || c.periods.some((per) => hasPerKw(per.tiers));
          const peakKw = perKw ? (ctx.demandKw ?? (scan && scanPeak(scan))) : undefined;
          c.periods.forEach((per, k) => {
            const q = byPeriod[k]!;
            if (q === 0n) return;
            // several periods share each tier: a period gets (its kWh / the month's kWh) of every tier width
            const starts = unitStarts(per.tiers, days, periodDays, ctx, c.name, c, peakKw, {
              num: q,
              den: monthKwh,
            });
            blocks(q, starts).forEach((part, i) => {
              if (part === 0n) return;
              const tier = per.tiers[i]!;
              subtotal += addLine(lines, base, {
                component: c.name,
                kind: c.type,
                description: `${c.name}, ${per.name}${per.tiers.length > 1 ? ` tier ${i + 1}` : ''}`,
                quantity: decToString(part),
                unit: t.unit,
                unitPrice: tier.price,
                amountCents: qtyPriceCents(part, dec(tier.price)),
                tier: per.tiers.length > 1 ? i + 1 : null,
                touPeriod: per.name,
              });
            });
          });
          break;
        }
        case 'demand': {
          if (c.months && !c.months.includes(monthOf(isoOf(p.from)))) break;
          // `at`: the peak interval's local start, for the bill to say when the peak was
          const groups: {
            name: string | null;
            tiers: Tier[];
            kw: Dec;
            why?: string;
            peak?: Dec;
            at?: string;
          }[] = [];
          if (c.periods) {
            if (!inPiece)
              throw new RatingError(
                'intervals_required',
                `${c.name} is a time-of-use demand charge and needs interval data`,
              );
            let peak = c.periods.map(() => ZERO as Dec);
            const at: (string | undefined)[] = c.periods.map(() => undefined);
            if (scan?.top && scan.oneLength && scan.top.minutes > 0) {
              // one positive length: kW rises with kWh, so each period's peak is its top interval's kW
              const top: (Interval | undefined)[] = c.periods.map(() => undefined);
              for (const i of inPiece) {
                const k = scheduleIndex(i.start, c.weekday!, c.weekend!, holidays);
                const t = top[k];
                if (t === undefined || i.value > t.value) top[k] = i;
              }
              peak = top.map((t, k) => {
                const v = t ? kw(t) : ZERO;
                if (v > 0n) at[k] = t!.start;
                return v > 0n ? v : (ZERO as Dec);
              });
            } else
              for (const i of inPiece) {
                const k = scheduleIndex(i.start, c.weekday!, c.weekend!, holidays);
                const v = kw(i);
                if (v > peak[k]!) {
                  peak[k] = v;
                  at[k] = i.start;
                }
              }
            for (const [k, per] of c.periods.entries())
              groups.push({
                name: per.name,
                tiers: per.tiers,
                kw: peak[k]!,
                ...(at[k] ? { at: at[k] } : {}),
              });
          } else {
            // a demand register read wins; otherwise the highest interval
            let peak = ctx.demandKw;
            let at: string | undefined;
            if (peak === undefined && scan?.top) {
              // with one positive length the top interval has the highest kW (scanPeak); else each one's kW
              const top = scan.oneLength && scan.top.minutes > 0 ? scan.top : topKw(scan.xs);
              peak = scan.oneLength && scan.top.minutes > 0 ? scanPeak(scan) : maxKw(scan.xs);
              if (top && peak !== undefined && peak > 0n) at = top.start;
            }
            if (peak === undefined)
              throw new RatingError('demand_required', `${c.name} needs a demand read or interval data`);
            const billing = billingDemand(c, peak, ctx);
            groups.push({
              name: null,
              tiers: c.tiers!,
              kw: billing.kw,
              why: billing.why,
              peak,
              ...(at ? { at } : {}),
            });
          }
          for (const g of groups) {
            if (g.kw === 0n) continue;
            blocks(
              g.kw,
              g.tiers.map((x) => dec(x.from)),
            ).forEach((part, i) => {
              if (part === 0n) return;
              const price = dec(g.tiers[i]!.price);
              // demand is priced on the peak, then prorated by days like a fixed charge
              const cents = Number(
                divRoundHalfUp(part * price * BigInt(days) * 100n, ONE * ONE * BigInt(periodDays)),
              );
              subtotal += addLine(lines, base, {
                component: c.name,
                kind: c.type,
                description: g.name ? `${c.name}, ${g.name}` : c.name,
                quantity: decToString(part),
                unit: 'kW',
                unitPrice: g.tiers[i]!.price,
                amountCents: cents,
                tier: g.tiers.length > 1 ? i + 1 : null,
                touPeriod: g.name,
                detail: {
                  peakKw: decToString(g.peak ?? g.kw),
                  ...(g.at ? { peakAt: g.at } : {}),
                  ...(g.why ? { billingKw: decToString(g.kw), billingDemand: g.why } : {}),
                },
              });
            });
          }
          break;
        }
        case 'minimum': {
          if (c.per === 'year') {
            // in the true-up month: the year's floored bills before top-ups, this one included, against the minimum
            if (!last || monthOf(ctx.periodEnd) !== (t.trueUpMonth ?? 12)) break;
            if (ctx.yearToDateCents === undefined)
              throw new RatingError(
                'year_history_required',
                `${c.name} is checked in the true-up month and needs the year's earlier bills (yearToDateCents)`,
              );
            const yearCents = ctx.yearToDateCents + Math.max(0, basisOf(lines));
            const floor = Number(divRoundHalfUp(dec(c.amount) * 100n, ONE));
            if (yearCents < floor)
              subtotal += addLine(lines, base, {
                component: c.name,
                kind: c.type,
                description: `${c.name} (the year's bills brought up to the annual minimum)`,
                quantity: '1',
                unit: 'year',
                unitPrice: c.amount,
                amountCents: floor - yearCents,
                tier: null,
                touPeriod: null,
                detail: { minimumCents: String(floor), yearCents: String(yearCents) },
              });
            break;
          }
          // the bill so far, floored at 0, is brought up to the minimum: the bill is then exactly the minimum
          const floor = periodShareCents(dec(c.amount), p.from - pStart, p.to - pStart, periodDays);
          if (Math.max(0, subtotal) < floor) {
            subtotal += addLine(lines, base, {
              component: c.name,
              kind: c.type,
              description: `${c.name} (bill brought up to the minimum)`,
              quantity: '1',
              unit: 'period',
              unitPrice: c.amount,
              amountCents: floor - subtotal,
              tier: null,
              touPeriod: null,
              detail: { minimumCents: String(floor) },
            });
          }
          break;
        }
        case 'rider': {
          if (c.percent !== undefined) {
            subtotal += addLine(lines, base, {
              component: c.name,
              kind: c.type,
              description: `${c.name} (${c.percent}%)`,
              quantity: decToString(fromCents(subtotal)),
              unit: 'USD',
              unitPrice: `${c.percent}%`,
              amountCents: percentOf(subtotal, dec(c.percent)),
              tier: null,
              touPeriod: null,
            });
          } else {
            subtotal += addLine(lines, base, {
              component: c.name,
              kind: c.type,
              description: c.name,
              quantity: decToString(usage),
              unit: t.unit,
              unitPrice: c.perUnit!,
              amountCents: qtyPriceCents(usage, dec(c.perUnit!)),
              tier: null,
              touPeriod: null,
            });
          }
          break;
        }
        case 'tax': {
          const exempt = !!c.exemptFlag && !!ctx.flags?.includes(c.exemptFlag);
          subtotal += addLine(lines, base, {
            component: c.name,
            kind: c.type,
            description: exempt ? `${c.name} (exempt)` : `${c.name} (${c.percent}%)`,
            quantity: decToString(fromCents(subtotal)),
            unit: 'USD',
            unitPrice: `${c.percent}%`,
            amountCents: exempt ? 0 : percentOf(subtotal, dec(c.percent)),
            tier: null,
            touPeriod: null,
            detail: { exempt },
          });
          break;
        }
      }
    }
  });
  // the peak is history for later ratchets; worked out only for tariffs that have one
  const needsPeak = versions.some((v) =>
    v.tariff.components.some((c) => c.type === 'demand' && c.ratchet !== undefined),
  );
  const peak = ctx.demandKw ?? (needsPeak ? intervalPeak(intervals) : undefined);
  return {
    lines,
    totalCents: lines.reduce((n, l) => n + l.amountCents, 0),
    minimumBasisCents: Math.max(0, basisOf(lines)),
    ...(peak !== undefined ? { peakKw: decToString(peak) } : {}),
  };
}

/** The lines so far without minimum top-ups. */
const basisOf = (lines: RatedLine[]) =>
  lines.reduce((n, l) => (l.kind === 'minimum' ? n : n + l.amountCents), 0);

/**
 * Billing demand = the highest of the period's peak, the minimum billing demand, and the ratchet: its
 * percentage of the highest peak among the last `months` months (those in `eligibleMonths`).
 */
function billingDemand(
  c: Extract<Component, { type: 'demand' }>,
  peak: Dec,
  ctx: RatingContext,
): { kw: Dec; why?: string } {
  let kw = peak;
  let why: string | undefined;
  if (c.minimumKw !== undefined && dec(c.minimumKw) > kw) {
    kw = dec(c.minimumKw);
    why = `minimum billing demand ${c.minimumKw} kW`;
  }
  if (c.ratchet) {
    if (!ctx.priorPeaks)
      throw new RatingError(
        'demand_history_required',
        `${c.name} has a demand ratchet and needs the peaks of the last ${c.ratchet.months} months`,
      );
    const month = ctx.periodEnd.slice(0, 7);
    let top: { month: string; kw: Dec } | undefined;
    for (const p of ctx.priorPeaks) {
      const back = monthsBetween(p.month, month);
      if (back < 1 || back > c.ratchet.months) continue;
      if (c.ratchet.eligibleMonths && !c.ratchet.eligibleMonths.includes(Number(p.month.slice(5, 7))))
        continue;
      if (!top || p.kw > top.kw) top = p;
    }
    if (top) {
      const r = divRoundHalfUp(top.kw * dec(c.ratchet.percent), 100n * ONE) as Dec;
      if (r > kw) {
        kw = r;
        why = `ratchet ${c.ratchet.percent}% of ${decToString(top.kw)} kW (${top.month})`;
      }
    }
  }
  return why ? { kw, why } : { kw };
}

function sizeAmount(c: Extract<Component, { type: 'fixed' }>, size: string | undefined): string {
  const a = size === undefined ? undefined : c.byMeterSize![size];
  if (a === undefined) {
    if (c.amount !== undefined) return c.amount;
    throw new RatingError(
      'meter_size_unpriced',
      `${c.name} has no price for meter size ${size ?? '(none)'}; sizes: ${Object.keys(c.byMeterSize!).join(', ')}`,
    );
  }
  return a;
}
