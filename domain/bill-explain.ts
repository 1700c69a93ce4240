// "Why is my bill high?": a stored bill's lines in plain terms, and its change against the last bill and the
// same month last year split into drivers (days, usage, tiers, rates, other). Pure: it reads only the stored
// lines and their traces (db/billing.ts issueBillsTx, domain/rate-engine.ts), so it explains exactly what
// was billed. It returns kinds and numbers; the portal words them in English or Spanish.
//
// How a change is split, per priced component (same service and component name in both bills):
// - usage-priced (volumetric, per-unit riders), with P = the other bill's exact cost, Q its usage, D its days:
//     days  = P x (D' - D) / D               the other bill's usage per day, over the days added
//     usage = P x (Q' - Q) / Q - days        more (or less) use than the days explain, at its average price
//     tier  = cost of this usage at the other bill's tier prices - Q' x P / Q   (usage moving between tiers)
//     rate  = this bill's exact cost - cost of this usage at the other bill's prices
// - fixed charges, with F = the share of a period billed (days / period days, summed):
//     days = P x (F' - F) / F, rate = this exact cost - P x F' / F
// - anything else (taxes, percentage riders, minimums, demand, credits) and a component in one bill only is
//   "other", or "rate" when the service's rate version changed. Each driver is rounded once, half-up, and
//   what the line roundings and those roundings leave over is named: `other.roundingCents`. The drivers add
//   up to the change in total cents exactly.
import { type Dec, dec, decToString, divRoundHalfUp, ONE } from './decimal.js';
import { daysBetween } from './period.js';

/** A stored bill line (db/billing.ts BillLineRow); `trace` is what the rate engine recorded. */
export interface StoredLine {
  seq: number;
  description: string;
  quantity: string | null;
  unit: string | null;
  unitPrice: string | null;
  amountCents: number;
  rateVersionId: string | null;
  trace: Record<string, unknown>;
}

export interface StoredBill {
  id: string;
  period: string;
  periodStart: string;
  periodEnd: string;
  totalCents: number;
  segments: {
    serviceType: string;
    consumption: string | null;
    unit: string | null;
    totalCents: number;
    lines: StoredLine[];
  }[];
}

export type LineKind = 'fixed' | 'usage' | 'rider' | 'tax' | 'minimum' | 'demand' | 'credit' | 'other';

export interface ExplainedLine {
  seq: number;
  serviceType: string;
  kind: LineKind;
  component: string;
  description: string;
  amountCents: number;
  quantity: string | null;
  unit: string | null;
  unitPrice: string | null;
  /** a percentage rider or tax: its percent, and the subtotal it applied to (quantity) */
  percent: string | null;
  /** a block tier: its number and range in the line's units (`to` null: no upper end on this bill) */
  tier: { n: number; from: string; to: string | null } | null;
  season: string | null;
  touPeriod: string | null;
  /** set only when the line covers part of the period: "15 of 31 days" */
  proration: { from: string; to: string; days: number; periodDays: number } | null;
  /** a charge billed on another service's usage (sewer on water), and the winter cap if it applied */
  basis: { on: 'water' | 'winter_average'; cappedAt: string | null } | null;
  exempt: boolean;
  rateVersionId: string | null;
  scheduleCode: string | null;
  trace: Record<string, unknown>;
}

export interface Reads {
  startValue: string;
  endValue: string;
  multiplier: string;
  estimated: boolean;
  rollover: boolean;
}

/** A segment billed from interval data (domain/interval-billing.ts IntervalSummary, as stored in the trace). */
export interface Intervals {
  timeZone: string;
  count: number;
  /** filled by cisflow's gap rule */
  estimated: number;
  vendorEstimated: number;
  /** delivered kWh per TOU period */
  byPeriod: { period: string; quantity: string }[];
  /** the highest interval demand and its local start ("2026-11-17T18:00-06:00") */
  peak: { kw: string; at: string } | null;
}

export interface ExplainedSegment {
  serviceType: string;
  unit: string | null;
  usage: string | null;
  days: number;
  totalCents: number;
  reads: Reads | null;
  intervals: Intervals | null;
  rateVersionIds: string[];
  lines: ExplainedLine[];
}

export type Driver =
  | { kind: 'days'; cents: number; days: number }
  | { kind: 'usage'; cents: number; services: { serviceType: string; unit: string | null; change: string }[] }
  | {
      kind: 'tier';
      cents: number;
      moves: { serviceType: string; component: string; tier: number; unit: string | null; change: string }[];
    }
  | { kind: 'rate'; cents: number; services: { serviceType: string; from: string[]; to: string[] }[] }
  | { kind: 'other'; cents: number; linesCents: number; roundingCents: number };

export interface ServiceComparison {
  serviceType: string;
  unit: string | null;
  usage: { this: string | null; other: string | null; change: string | null };
  days: { this: number | null; other: number | null };
  rateVersions: { this: string[]; other: string[]; changed: boolean };
  /** usage per tier of each tiered component, in both bills */
  tiers: { component: string; tier: number; this: string; other: string }[];
}

export interface Comparison {
  billId: string;
  period: string;
  periodStart: string;
  periodEnd: string;
  totalCents: number;
  days: number;
  changeCents: number;
  services: ServiceComparison[];
  /** the change split into drivers, largest first (absolute cents); they add up to changeCents */
  drivers: Driver[];
}

export interface BillExplanation {
  billId: string;
  period: string;
  periodStart: string;
  periodEnd: string;
  totalCents: number;
  days: number;
  segments: ExplainedSegment[];
  previous: Comparison | null;
  lastYear: Comparison | null;
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);
type Proration = { from: string; to: string; days: number; periodDays: number };
const prorationOf = (l: StoredLine) => (l.trace.proration as Proration | null | undefined) ?? null;
const detailOf = (l: StoredLine) => (l.trace.detail as Record<string, unknown> | undefined) ?? {};
const componentOf = (l: StoredLine) => str(l.trace.component) ?? l.description;
const tierOf = (l: StoredLine) => (typeof l.trace.tier === 'number' ? l.trace.tier : 1);
/** stored numerics come back as "12.000000000": shown as "12" */
const norm = (s: string | null) => (s !== null && /^-?\d+(\.\d+)?$/.test(s) ? decToString(dec(s)) : s);
const decOr0 = (s: string | null | undefined) => (s ? dec(s) : (0n as Dec));
const quantityOf = (l: StoredLine) => decOr0(l.quantity ?? str(l.trace.quantity));
const priceOf = (l: StoredLine) => decOr0(l.unitPrice ?? str(l.trace.unitPrice));

const periodDays = (from: string, to: string) => daysBetween(from, to) + 1;

/** How a line was priced, from its tariff component type. */
function kindOf(l: StoredLine): LineKind {
  const k = str(l.trace.kind);
  if (k === 'fixed' || k === 'tax' || k === 'minimum' || k === 'demand') return k;
  if (k === 'volumetric' || k === 'tou') return 'usage';
  if (k === 'rider') return str(l.trace.unitPrice)?.endsWith('%') ? 'rider' : 'usage';
  if (k === 'nem_credit' || k === 'nem_carry') return 'credit';
  return 'other';
}

/** The days a segment's lines cover: its distinct proration pieces, else the whole period. */
function segmentDays(lines: StoredLine[], periodStart: string, periodEnd: string): number {
  const pieces = new Map<string, number>();
  for (const l of lines) {
    const p = prorationOf(l);
    if (p) pieces.set(`${p.from}/${p.to}`, p.days);
  }
  if (!pieces.size) return periodDays(periodStart, periodEnd);
  return [...pieces.values()].reduce((a, b) => a + b, 0);
}

function explainLine(l: StoredLine, serviceType: string, all: StoredLine[]): ExplainedLine {
  const kind = kindOf(l);
  const p = prorationOf(l);
  const d = detailOf(l);
  const priceText = str(l.trace.unitPrice);
  let tier: ExplainedLine['tier'] = null;
  if (typeof l.trace.tier === 'number' && typeof d.tierFrom === 'string') {
    // the next tier of the same component and piece, if billed, is where this one ends
    const next = all.find(
      (x) =>
        componentOf(x) === componentOf(l) &&
        x.trace.tier === (l.trace.tier as number) + 1 &&
        x.trace.touPeriod === l.trace.touPeriod &&
        prorationOf(x)?.from === p?.from,
    );
    const to = next ? str(detailOf(next).tierFrom) : null;
    tier = { n: l.trace.tier, from: d.tierFrom, to };
  }
  const basis = d.basis === 'water' || d.basis === 'winter_average' ? d.basis : null;
  return {
    seq: l.seq,
    serviceType,
    kind,
    component: componentOf(l),
    description: l.description,
    amountCents: l.amountCents,
    quantity: norm(l.quantity ?? str(l.trace.quantity)),
    unit: l.unit,
    unitPrice: priceText?.endsWith('%') ? null : (str(l.trace.unitPrice) ?? norm(l.unitPrice)),
    percent: priceText?.endsWith('%') ? priceText.slice(0, -1) : null,
    tier,
    season: str(l.trace.season),
    touPeriod: str(l.trace.touPeriod),
    proration: p && p.days < p.periodDays ? p : null,
    basis: basis ? { on: basis, cappedAt: str(d.cappedAt) } : null,
    exempt: d.exempt === true,
    rateVersionId: l.rateVersionId,
    scheduleCode: str(l.trace.scheduleCode),
    trace: l.trace,
  };
}

function explainSegment(b: StoredBill, s: StoredBill['segments'][number]): ExplainedSegment {
  const withReads = s.lines.find((l) => l.trace.reads && typeof l.trace.reads === 'object');
  const r = withReads?.trace.reads as Record<string, unknown> | undefined;
  const iv = s.lines.find((l) => l.trace.intervals && typeof l.trace.intervals === 'object')?.trace
    .intervals as Record<string, unknown> | undefined;
  const peak = iv?.peak as { kw: string; at: string } | undefined;
  return {
    serviceType: s.serviceType,
    unit: s.unit,
    usage: norm(s.consumption),
    days: segmentDays(s.lines, b.periodStart, b.periodEnd),
    totalCents: s.totalCents,
    reads: r
      ? {
          startValue: String(r.startValue),
          endValue: String(r.endValue),
          multiplier: String(r.multiplier ?? '1'),
          estimated: r.estimated === true,
          rollover: r.rollover === true,
        }
      : null,
    intervals: iv
      ? {
          timeZone: String(iv.timeZone),
          count: Number(iv.intervals),
          estimated: Number(iv.estimated ?? 0),
          vendorEstimated: Number(iv.vendorEstimated ?? 0),
          byPeriod: ((iv.byPeriod ?? []) as { period: string; kwh: string }[]).map((p) => ({
            period: p.period,
            quantity: p.kwh,
          })),
          peak: peak ? { kw: String(peak.kw), at: String(peak.at) } : null,
        }
      : null,
    rateVersionIds: versionsOf(s.lines),
    lines: s.lines.map((l) => explainLine(l, s.serviceType, s.lines)),
  };
}

const versionsOf = (lines: StoredLine[]) =>
  [...new Set(lines.map((l) => l.rateVersionId).filter((v): v is string => !!v))].sort();

// ---- the split of a change into drivers ----

/** An exact amount: num / den dollars-of-1e-18 (a Dec times a Dec), den > 0. */
interface Q {
  n: bigint;
  d: bigint;
}
const q = (n: bigint, d = 1n): Q => ({ n, d });
const add = (a: Q, b: Q): Q => ({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });
const sub = (a: Q, b: Q): Q => add(a, { n: -b.n, d: b.d });
const times = (a: Q, n: bigint, d: bigint): Q => ({ n: a.n * n, d: a.d * d });
const ZERO_Q = q(0n);
/** cents in 1e-18 dollars */
const CENT = (ONE * ONE) / 100n;
const fromCentsQ = (cents: number) => q(BigInt(cents) * CENT);
const roundCents = (a: Q) => Number(divRoundHalfUp(a.n, a.d * CENT));

interface Priced {
  kind: LineKind;
  lines: StoredLine[];
  cents: number;
}

/** A bill's lines by service and component. */
function byComponent(b: StoredBill) {
  const out = new Map<string, Map<string, Priced>>();
  for (const s of b.segments) {
    const m = out.get(s.serviceType) ?? new Map<string, Priced>();
    for (const l of s.lines) {
      const key = componentOf(l);
      const p = m.get(key) ?? { kind: kindOf(l), lines: [], cents: 0 };
      p.lines.push(l);
      p.cents += l.amountCents;
      m.set(key, p);
    }
    out.set(s.serviceType, m);
  }
  return out;
}

const exactCost = (lines: StoredLine[]) =>
  lines.reduce((a, l) => add(a, q(quantityOf(l) * priceOf(l))), ZERO_Q);
const usageOf = (lines: StoredLine[]) => lines.reduce((n, l) => n + quantityOf(l), 0n);
/** The share of a period a fixed charge covers, as a fraction (summed over its pieces). */
function periodShare(lines: StoredLine[]): Q {
  return lines.reduce((a, l) => {
    const p = prorationOf(l);
    return add(a, p ? q(BigInt(p.days), BigInt(p.periodDays)) : q(1n));
  }, ZERO_Q);
}
const exactFixed = (lines: StoredLine[]) =>
  lines.reduce((a, l) => {
    const p = prorationOf(l);
    const price = q(priceOf(l) * ONE);
    return add(a, p ? times(price, BigInt(p.days), BigInt(p.periodDays)) : price);
  }, ZERO_Q);

/** Tier prices of the other bill: the last piece's price for each tier (what was in effect at its end). */
function tierPrices(lines: StoredLine[]): Map<number, Dec> {
  const out = new Map<number, Dec>();
  for (const l of lines) out.set(tierOf(l), priceOf(l));
  return out;
}

function tierUsage(lines: StoredLine[]): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const l of lines) out.set(tierOf(l), (out.get(tierOf(l)) ?? 0n) + quantityOf(l));
  return out;
}

function compare(cur: StoredBill, other: StoredBill): Comparison {
  const curSeg = new Map(cur.segments.map((s) => [s.serviceType, s]));
  const othSeg = new Map(other.segments.map((s) => [s.serviceType, s]));
  const curC = byComponent(cur);
  const othC = byComponent(other);
  const services = [...new Set([...curSeg.keys(), ...othSeg.keys()])].sort();
  let days = ZERO_Q;
  let usage = ZERO_Q;
  let tier = ZERO_Q;
  let rate = ZERO_Q;
  let linesCents = 0;
  const rows: ServiceComparison[] = [];
  const usageChanges: Extract<Driver, { kind: 'usage' }>['services'] = [];
  const moves: Extract<Driver, { kind: 'tier' }>['moves'] = [];
  const rateServices: Extract<Driver, { kind: 'rate' }>['services'] = [];
  for (const st of services) {
    const a = curSeg.get(st);
    const b = othSeg.get(st);
    const aDays = a ? segmentDays(a.lines, cur.periodStart, cur.periodEnd) : null;
    const bDays = b ? segmentDays(b.lines, other.periodStart, other.periodEnd) : null;
    const aV = a ? versionsOf(a.lines) : [];
    const bV = b ? versionsOf(b.lines) : [];
    const changed = !!a && !!b && aV.join() !== bV.join();
    if (changed) rateServices.push({ serviceType: st, from: bV, to: aV });
    const tiers: ServiceComparison['tiers'] = [];
    const ca = curC.get(st) ?? new Map<string, Priced>();
    const cb = othC.get(st) ?? new Map<string, Priced>();
    for (const name of [...new Set([...ca.keys(), ...cb.keys()])]) {
      const x = ca.get(name);
      const y = cb.get(name);
      if (!x || !y || x.kind !== y.kind || aDays === null || bDays === null || x.kind === 'other') {
        // a charge on one bill only: a new or ended charge of a changed rate, else "other"
        const cents = (x?.cents ?? 0) - (y?.cents ?? 0);
        if (changed) rate = add(rate, fromCentsQ(cents));
        else linesCents += cents;
        continue;
      }
      if (x.kind === 'usage') {
        const P = exactCost(y.lines);
        const Qb = usageOf(y.lines);
        const Qa = usageOf(x.lines);
        const prices = tierPrices(y.lines);
        const own = tierPrices(x.lines);
        // this bill's usage at the other bill's prices (a tier the other bill did not reach: its own price)
        const atOld = x.lines.reduce(
          (s, l) => add(s, q(quantityOf(l) * (prices.get(tierOf(l)) ?? priceOf(l)))),
          ZERO_Q,
        );
        const dDays = times(P, BigInt(aDays - bDays), BigInt(bDays));
        // with no usage on the other bill, its first-tier price stands for its average price
        const base = Qb === 0n ? q(prices.get(1) ?? own.get(1) ?? 0n) : times(P, 1n, Qb);
        const volume = times(base, Qa - Qb, 1n);
        days = add(days, dDays);
        usage = add(usage, sub(volume, dDays));
        tier = add(tier, sub(atOld, times(base, Qa, 1n)));
        rate = add(rate, sub(exactCost(x.lines), atOld));
        const ua = tierUsage(x.lines);
        const ub = tierUsage(y.lines);
        if (ua.size > 1 || ub.size > 1)
          for (const t of [...new Set([...ua.keys(), ...ub.keys()])].sort((m, n) => m - n)) {
            const qa = (ua.get(t) ?? 0n) as Dec;
            const qb = (ub.get(t) ?? 0n) as Dec;
            tiers.push({ component: name, tier: t, this: decToString(qa), other: decToString(qb) });
            if (t > 1 && qa !== qb)
              moves.push({
                serviceType: st,
                component: name,
                tier: t,
                unit: x.lines[0]!.unit,
                change: decToString((qa - qb) as Dec),
              });
          }
      } else if (x.kind === 'fixed') {
        const P = exactFixed(y.lines);
        const Fa = periodShare(x.lines);
        const Fb = periodShare(y.lines);
        // P x Fa / Fb: the other bill's charge over this bill's share of a period
        const scaled: Q = { n: P.n * Fa.n * Fb.d, d: P.d * Fa.d * Fb.n };
        days = add(days, sub(scaled, P));
        rate = add(rate, sub(exactFixed(x.lines), scaled));
      } else linesCents += x.cents - y.cents;
    }
    const ua = norm(a?.consumption ?? null);
    const ub = norm(b?.consumption ?? null);
    const change = ua !== null && ub !== null ? decToString((dec(ua) - dec(ub)) as Dec) : null;
    if (change !== null && change !== '0')
      usageChanges.push({ serviceType: st, unit: a?.unit ?? b?.unit ?? null, change });
    rows.push({
      serviceType: st,
      unit: a?.unit ?? b?.unit ?? null,
      usage: { this: ua, other: ub, change },
      days: { this: aDays, other: bDays },
      rateVersions: { this: aV, other: bV, changed },
      tiers,
    });
  }
  const changeCents = cur.totalCents - other.totalCents;
  const curDays = billDays(cur);
  const othDays = billDays(other);
  const drivers: Driver[] = [
    { kind: 'days', cents: roundCents(days), days: curDays - othDays },
    { kind: 'usage', cents: roundCents(usage), services: usageChanges },
    { kind: 'tier', cents: roundCents(tier), moves },
    { kind: 'rate', cents: roundCents(rate), services: rateServices },
  ];
  // what the four drivers leave is "other": the other lines' change, and the roundings, named
  const otherCents = changeCents - drivers.reduce((n, d) => n + d.cents, 0);
  drivers.push({ kind: 'other', cents: otherCents, linesCents, roundingCents: otherCents - linesCents });
  return {
    billId: other.id,
    period: other.period,
    periodStart: other.periodStart,
    periodEnd: other.periodEnd,
    totalCents: other.totalCents,
    days: othDays,
    changeCents,
    services: rows,
    drivers: drivers
      .filter((d) => d.cents !== 0)
      .sort((m, n) => Math.abs(n.cents) - Math.abs(m.cents) || ORDER[m.kind] - ORDER[n.kind]),
  };
}

const ORDER: Record<Driver['kind'], number> = { days: 0, usage: 1, tier: 2, rate: 3, other: 4 };

/** The bill's days: its longest service (services on one bill share the period). */
const billDays = (b: StoredBill) =>
  b.segments.length
    ? Math.max(...b.segments.map((s) => segmentDays(s.lines, b.periodStart, b.periodEnd)))
    : periodDays(b.periodStart, b.periodEnd);

export function explainBill(
  bill: StoredBill,
  previous: StoredBill | null,
  lastYear: StoredBill | null,
): BillExplanation {
  return {
    billId: bill.id,
    period: bill.period,
    periodStart: bill.periodStart,
    periodEnd: bill.periodEnd,
    totalCents: bill.totalCents,
    days: billDays(bill),
    segments: bill.segments.map((s) => explainSegment(bill, s)),
    previous: previous ? compare(bill, previous) : null,
    lastYear: lastYear ? compare(bill, lastYear) : null,
  };
}
