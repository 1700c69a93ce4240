// Net energy metering and net billing for customers who export (rooftop solar), as pure code on top of the
// rate engine. A month is rated from two channels: delivered (import, Green Button flowDirection 1) and
// received (export, flowDirection 19), and a carried state (kWh bank per TOU period, $ credit).
//
// Modes:
// - nem_kwh: net the month's kWh per TOU period; a surplus goes to that period's kWh bank and offsets later
//   months' net kWh in the same period. In the true-up month the bank is paid at `yearEndSellRate`, or kept
//   when `rollOverAtTrueUp`.
// - nem_dollar: net per TOU period; a surplus is credited at the period's buy rate (its tier-1 energy
//   prices) as a $ credit.
// - net_billing: net each interval; net exports are credited at the period's sell rate (or a time series).
// - buy_all_sell_all: every import is billed, every export credited at the sell rate; no netting.
// $ credits offset the bill down to 0 and the rest carries to later months (the account's credit balance);
// `creditsApplySameMonth: false` holds a month's credit for the next bill; `creditsExpire: "true_up"` drops
// what is left after the true-up month. Fixed and demand charges are billed on the import channel.
import { type Dec, dec, decToString, divRoundHalfUp, ONE, ZERO } from './decimal.js';
import type { NemSettings } from './nem-settings.js';
import {
  holidaysOf,
  type Interval,
  type RatedLine,
  type RateVersion,
  type RatingContext,
  RatingError,
  rate,
  scheduleIndex,
} from './rate-engine.js';
import { type Tariff, TariffError } from './tariff.js';

export type { NemMode, NemSettings } from './nem-settings.js';
export { parseNemSettings } from './nem-settings.js';

export interface NemState {
  /** kWh banked per TOU period name (nem_kwh) */
  kwhBank: Record<string, string>;
  /** $ credit carried, in cents (>= 0) */
  creditCents: number;
}

export const EMPTY_NEM_STATE: NemState = { kwhBank: {}, creditCents: 0 };

export interface CreditLine {
  component: string;
  /** nem_credit: a credit earned; nem_carry: credit moved to or from the carried balance (nem_credit ledger) */
  kind: 'nem_credit' | 'nem_carry';
  description: string;
  quantity: string;
  unit: string;
  unitPrice: string | null;
  /** negative: money owed to the customer */
  amountCents: number;
  touPeriod: string | null;
}

export interface NemBill {
  lines: (RatedLine | CreditLine)[];
  totalCents: number;
  /** what carries to the next bill: banked kWh by period and the $ credit */
  state: NemState;
  /** cents added to the carried credit by this bill (its nem_carry lines; negative when it used more) */
  carryCents: number;
  /** carried credit that expired at this true-up: it leaves the carried balance, not the bill */
  expiredCents: number;
  /** the received (exported) kWh rated */
  exportedKwh: string;
  /** the charges' own bill floored at 0 before top-ups, and their peak (for a year's minimum and ratchets) */
  minimumBasisCents: number;
  peakKw?: string;
}

/** The TOU periods the energy charges are netted in: the first TOU component's, else one period. */
function energyPeriods(t: Tariff) {
  const tou = t.components.find((c) => c.type === 'tou');
  if (tou?.type !== 'tou') return { names: ['all hours'], of: (_: string) => 0, tou: undefined };
  const holidays = holidaysOf(t);
  return {
    names: tou.periods.map((p) => p.name),
    of: (start: string) => scheduleIndex(start, tou.weekday, tou.weekend, holidays),
    tou,
  };
}

/** A period's buy rate: the tier-1 prices of the energy charges that bill it (nem_dollar credits). */
function buyRate(t: Tariff, k: number): Dec {
  let r = ZERO;
  for (const c of t.components) {
    if (c.type === 'volumetric') r = (r + dec(c.tiers[0]!.price)) as Dec;
    if (c.type === 'tou') r = (r + dec(c.periods[k]?.tiers[0]?.price ?? '0')) as Dec;
    if (c.type === 'rider' && c.perUnit) r = (r + dec(c.perUnit)) as Dec;
  }
  return r;
}

const CENT = ONE * (ONE / 100n);
const cents = (q: Dec, p: Dec) => Number(divRoundHalfUp(q * p, CENT));

/** A sell-rate time series parsed once per settings object (a year of hourly prices is 8,760 strings). */
const seriesCache = new WeakMap<Record<string, string>, Map<string, Dec>>();
function seriesOf(s: Record<string, string>): Map<string, Dec> {
  let m = seriesCache.get(s);
  if (!m) {
    m = new Map(Object.entries(s).map(([k, v]) => [k, dec(v)]));
    seriesCache.set(s, m);
  }
  return m;
}

/**
 * Exports given interval for interval with the imports: the same starts in the same order, each a
 * "YYYY-MM-DDTHH:MM" (or with its UTC offset, as the bill run gives them: "…T01:00-05:00", which keeps the
 * repeated hour of a fall-back day apart) strictly after the one before (so no start repeats and each is
 * its own netting key).
 */
function aligned(imports: Interval[], exports: Interval[]): boolean {
  if (imports.length !== exports.length) return false;
  let prev = '';
  for (let x = 0; x < imports.length; x++) {
    const s = imports[x]!.start;
    if ((s.length !== 16 && s.length !== 22) || s !== exports[x]!.start || !(s > prev)) return false;
    prev = s;
  }
  return true;
}

/**
 * Register reads (the delivered and received registers read at the period's ends) give only the month's
 * totals: enough for kWh or $ net metering and buy all / sell all on a tariff without time-of-use energy
 * or interval demand, not for netting per interval or per TOU period.
 */
function registerModeAllowed(t: Tariff, ctx: RatingContext, s: NemSettings): void {
  const need = (why: string) => {
    throw new RatingError('intervals_required', `${why}; register reads give only the month's totals`);
  };
  if (s.mode === 'net_billing') need('net billing nets each interval and needs interval data');
  if (s.sellSeries) need('a sell-rate time series needs interval data');
  if (t.components.some((c) => c.type === 'tou'))
    need(`${t.name} has time-of-use energy charges, which need interval data to net`);
  if (ctx.demandKw === undefined && t.components.some((c) => c.type === 'demand'))
    need(`${t.name} has a demand charge, which needs a demand read or interval data`);
}

/**
 * One month of a net-metered account. `ctx.intervals` is the delivered (import) channel; `exports` the
 * received channel. Without `ctx.intervals` the month is rated from registers: `ctx.usage` delivered and
 * the sum of `exports` received. The tariff's components bill the netted energy; credits follow as `nem_credit` lines.
 */
export function rateNemMonth(
  versions: RateVersion[],
  ctx: RatingContext,
  exports: Interval[],
  settings: NemSettings,
  state: NemState = EMPTY_NEM_STATE,
): NemBill {
  const t = versions[versions.length - 1]!.tariff;
  const registers = ctx.intervals === undefined;
  if (registers) registerModeAllowed(t, ctx, settings);
  // register reads: the month's delivered total is one import, the received total one export
  const imports = ctx.intervals ?? [
    { start: `${ctx.periodStart}T00:00`, minutes: 0, value: ctx.usage ?? ZERO },
  ];
  const { names, of, tou } = energyPeriods(t);
  const credits: CreditLine[] = [];
  const bank: Record<string, Dec> = Object.fromEntries(
    Object.entries(state.kwhBank).map(([k, q]) => [k, dec(q)]),
  );
  const trueUp = Number(ctx.periodEnd.slice(5, 7)) === settings.trueUpMonth;
  let earned = 0; // $ credit earned this month, cents
  let net: RatingContext['netEnergy'];
  // A channel's kWh by TOU period. When the imports are summed and the exports have the same starts in the
  // same order (one meter's two registers), the exports are summed in the same pass, each start's period
  // found once, and kept for the exports' call.
  let paired: { xs: Interval[]; sums: Dec[] } | undefined;
  const byPeriod = (xs: Interval[]) => {
    if (paired?.xs === xs) return paired.sums;
    const out = names.map(() => ZERO as Dec);
    let other = xs === imports && exports.length === xs.length ? names.map(() => ZERO as Dec) : undefined;
    for (let x = 0; x < xs.length; x++) {
      const i = xs[x]!;
      const k = of(i.start);
      out[k] = (out[k]! + i.value) as Dec;
      if (other) {
        const e = exports[x]!;
        if (e.start === i.start) other[k] = (other[k]! + e.value) as Dec;
        else other = undefined;
      }
    }
    if (other) paired = { xs: exports, sums: other };
    return out;
  };
  if (settings.mode === 'nem_kwh' || settings.mode === 'nem_dollar') {
    const imp = byPeriod(imports);
    const exp = byPeriod(exports);
    const billed = names.map((name, k) => {
      let q = (imp[k]! - exp[k]!) as Dec;
      if (q < 0n) {
        const surplus = -q as Dec;
        if (settings.mode === 'nem_kwh') bank[name] = ((bank[name] ?? ZERO) + surplus) as Dec;
        else {
          const r = buyRate(t, k);
          const c = cents(surplus, r);
          earned += c;
          credits.push({
            component: 'Net metering credit',
            kind: 'nem_credit',
            description: `Net metering credit, ${name} (${decToString(surplus)} kWh surplus at the buy rate)`,
            quantity: decToString(surplus),
            unit: 'kWh',
            unitPrice: decToString(r),
            amountCents: -c,
            touPeriod: name,
          });
        }
        return ZERO as Dec;
      }
      const banked = bank[name] ?? ZERO;
      if (settings.mode === 'nem_kwh' && banked > 0n) {
        const used = (banked < q ? banked : q) as Dec;
        bank[name] = (banked - used) as Dec;
        q = (q - used) as Dec;
      }
      return q;
    });
    net = {
      total: billed.reduce((a, b) => a + b, 0n) as Dec,
      ...(tou ? { byPeriod: { [tou.name]: billed } } : {}),
    };
    if (settings.mode === 'nem_kwh' && trueUp && !settings.rollOverAtTrueUp) {
      for (const [name, q] of Object.entries(bank)) {
        if (q === 0n) continue;
        const r = dec(settings.yearEndSellRate!);
        const c = cents(q, r);
        earned += c;
        credits.push({
          component: 'Net metering true-up',
          kind: 'nem_credit',
          description: `True-up: ${decToString(q)} banked kWh (${name}) paid at the year-end rate`,
          quantity: decToString(q),
          unit: 'kWh',
          unitPrice: settings.yearEndSellRate!,
          amountCents: -c,
          touPeriod: name === 'all hours' ? null : name,
        });
        bank[name] = ZERO;
      }
    }
  } else {
    // net billing nets each interval (by start time); buy all / sell all does not net.
    // Hot path (bench/rating.ts): sell rates parsed once, each interval's TOU period found once, no
    // per-interval objects; the general path (exports not aligned with imports) keys exports by start.
    const rateOf = names.map((name) => {
      const s = settings.sellRates?.[name] ?? settings.sellRates?.['*'];
      return s === undefined ? undefined : dec(s);
    });
    const series = settings.sellSeries ? seriesOf(settings.sellSeries) : undefined;
    const sold = names.map(() => ({ q: ZERO as Dec, c: 0 }));
    const billedBy = names.map(() => ZERO as Dec);
    const sell = (start: string, k: number, q: Dec) => {
      const r = series?.get(start.slice(0, 16)) ?? rateOf[k];
      if (r === undefined)
        throw new TariffError(
          'netMetering.sellRates',
          `has no sell rate for ${names[k]} (${start.slice(0, 16)})`,
        );
      const s = sold[k]!;
      s.q = (s.q + q) as Dec;
      s.c += cents(q, r);
    };
    // the total is the sum of billedBy, taken once at the end
    const bill = (k: number, q: Dec) => {
      billedBy[k] = (billedBy[k]! + q) as Dec;
    };
    if (settings.mode === 'net_billing' && aligned(imports, exports)) {
      const halfCent = CENT / 2n;
      for (let x = 0; x < imports.length; x++) {
        const i = imports[x]!;
        const k = of(i.start);
        const n = (i.value - exports[x]!.value) as Dec;
        if (n >= 0n) bill(k, n);
        else {
          const r = series ? undefined : rateOf[k];
          if (r !== undefined && r >= 0n) {
            // sell() inline: q x r >= 0 and CENT is even, so its half-up rounding to cents is
            // floor((q x r + CENT/2) / CENT); adding 0 to billedBy[k] is skipped
            const s = sold[k]!;
            s.q = (s.q - n) as Dec;
            s.c += Number((-n * r + halfCent) / CENT);
          } else {
            bill(k, ZERO);
            sell(i.start, k, -n as Dec);
          }
        }
      }
    } else if (settings.mode === 'net_billing') {
      const exportAt = new Map<string, Dec>();
      for (const e of exports) {
        const key = e.start.slice(0, 16);
        exportAt.set(key, ((exportAt.get(key) ?? ZERO) + e.value) as Dec);
      }
      const seen = new Set<string>();
      for (const i of imports) {
        const key = i.start.slice(0, 16);
        const e = seen.has(key) ? ZERO : (exportAt.get(key) ?? ZERO);
        seen.add(key);
        const k = of(i.start);
        const n = (i.value - e) as Dec;
        if (n >= 0n) bill(k, n);
        else {
          bill(k, ZERO);
          sell(i.start, k, -n as Dec);
        }
      }
      for (const e of exports) if (!seen.has(e.start.slice(0, 16))) sell(e.start, of(e.start), e.value);
    } else {
      for (const i of imports) bill(of(i.start), i.value);
      for (const e of exports) sell(e.start, of(e.start), e.value);
    }
    names.forEach((name, k) => {
      const s = sold[k]!;
      if (s.q === 0n) return;
      earned += s.c;
      credits.push({
        component: 'Export credit',
        kind: 'nem_credit',
        description: `Export credit, ${name} (${decToString(s.q)} kWh at the sell rate)`,
        quantity: decToString(s.q),
        unit: 'kWh',
        unitPrice: null,
        amountCents: -s.c,
        touPeriod: names.length > 1 ? name : null,
      });
    });
    const billedTotal = billedBy.reduce((a, b) => a + b, 0n) as Dec;
    net = { total: billedTotal, ...(tou ? { byPeriod: { [tou.name]: billedBy } } : {}) };
  }

  // charges: the tariff on the netted energy; demand and fixed charges on the import channel
  const charged = rate(versions, { ...ctx, ...(registers ? {} : { intervals: imports }), netEnergy: net });
  const lines: (RatedLine | CreditLine)[] = [...charged.lines, ...credits];
  const credit = (component: string, description: string, amountCents: number): CreditLine => ({
    component,
    kind: 'nem_carry',
    description,
    quantity: '1',
    unit: 'USD',
    unitPrice: null,
    amountCents,
    touPeriod: null,
  });
  // this month's credits are on the bill; held ones are added back and carried to the next bill
  let owed = charged.totalCents - earned;
  let carry = 0;
  if (!settings.creditsApplySameMonth && earned > 0) {
    lines.push(credit('Credit carried forward', "This month's credit, applied from the next bill", earned));
    owed += earned;
    carry += earned;
  }
  const fromCarried = Math.min(state.creditCents, Math.max(0, owed));
  if (fromCarried > 0) {
    lines.push(credit('Credit carried', 'Credit carried from earlier bills', -fromCarried));
    owed -= fromCarried;
  }
  carry += state.creditCents - fromCarried;
  if (owed < 0) {
    // a bill is never below 0: the rest is the account's credit, carried to the next bill
    lines.push(credit('Credit carried forward', 'Credit beyond this bill, carried to the next', -owed));
    carry += -owed;
    owed = 0;
  }
  let expired = 0;
  if (trueUp && settings.creditsExpire === 'true_up') {
    expired = carry;
    carry = 0;
  }
  const nextBank = Object.fromEntries(
    Object.entries(bank)
      .filter(([, q]) => q !== 0n)
      .map(([k, q]) => [k, decToString(q)]),
  );
  const next: NemState = { kwhBank: nextBank, creditCents: carry };
  return {
    lines,
    totalCents: lines.reduce((n, l) => n + l.amountCents, 0),
    state: next,
    carryCents: lines.reduce((n, l) => (l.kind === 'nem_carry' ? n + l.amountCents : n), 0),
    expiredCents: expired,
    exportedKwh: decToString(exports.reduce((n, e) => n + e.value, 0n) as Dec),
    minimumBasisCents: charged.minimumBasisCents,
    ...(charged.peakKw !== undefined ? { peakKw: charged.peakKw } : {}),
  };
}
