// One account's bill for one period, from plain facts (reads, meters, rate versions): the same pure code
// runs in the billing workflow, the demo loader, the what-if tool and the benchmark.
// Anything that cannot be billed with confidence becomes a hold with a reason, never a guess.
import { serviceWindow } from './billing-window.js';
import { type Dec, dec, decToString, divRoundHalfUp, ZERO } from './decimal.js';
import {
  type BilledInterval,
  type IntervalBasis,
  type IntervalSummary,
  intervalBasis,
  type MeterIntervals,
  summarize,
  windowIntervals,
} from './interval-billing.js';
import { type CreditLine, EMPTY_NEM_STATE, type NemState, rateNemMonth } from './net-metering.js';
import { addMonths, daysBetween, monthlyPeriod } from './period.js';
import { type RatedLine, type RateVersion, type RatingContext, RatingError, rate } from './rate-engine.js';
import {
  DEFAULT_VALIDATION,
  type Finding,
  type UsageHistory,
  type ValidationPolicy,
  validateUsage,
} from './read-validation.js';
import { consumption, type RegisterRead } from './reads.js';
import { parseTariff, type Tariff, TariffError } from './tariff.js';

export interface RateVersionFacts {
  id: string;
  scheduleCode: string;
  effectiveFrom: string;
  tariff: unknown;
}

export interface SegmentFacts {
  serviceAgreementId: string;
  serviceType: string;
  status: string;
  serviceStart: string;
  serviceEnd?: string | null;
  /** the last day an issued bill already covers for this agreement; the bill starts the day after */
  billedThrough?: string | null;
  meter: {
    serialNumber: string;
    unit: string;
    dialCount: number;
    multiplier: string;
    size?: string | null;
  } | null;
  openingRead: RegisterRead | null;
  closingRead: RegisterRead | null;
  rates: RateVersionFacts[];
  /** net metering: what the agreement's last bill carried (kWh bank, $ credit); none before the first */
  nemState?: NemState | null;
  ratingParams?: { meterSize?: string; budget?: string; budgetParts?: Record<string, string> };
  history?: UsageHistory;
  /**
   * The meter's intervals in the window (db/intervals.ts), loaded for agreements whose tariff may bill from
   * them (domain/interval-billing.ts intervalBasis); absent otherwise.
   */
  intervals?: MeterIntervals | null;
}

export interface AccountFacts {
  flags?: string[];
  /** average monthly water usage last winter, for sewer charges capped at the winter average */
  winterAverage?: string | null;
  segments: SegmentFacts[];
  /** validate usage before rating; absent for history that was already approved (demo data, what-if) */
  validation?: ValidationPolicy;
  /** the utility's time zone: interval days and TOU hours are local (default UTC) */
  timeZone?: string;
}

export interface BillLineOut {
  description: string;
  quantity: string | null;
  unit: string | null;
  unitPrice: string | null;
  amountCents: number;
  rateVersionId: string;
  trace: Record<string, unknown>;
}

export interface RatedSegment {
  serviceAgreementId: string;
  serviceType: string;
  startReadId: string | null;
  endReadId: string | null;
  consumption: string | null;
  unit: string | null;
  lines: BillLineOut[];
  totalCents: number;
  /** the part of totalCents that is tax, owed to the taxing authority rather than earned */
  taxCents: number;
  /** net-metered: the state this bill leaves, and what moved into (carry) or out of (expired) the credit */
  nem?: { state: NemState; carryCents: number; expiredCents: number; exportedKwh: string };
}

export interface Hold {
  serviceAgreementId: string;
  code: string;
  message: string;
}

/**
 * A bill held only for reads that have not come in (sewer follows its held water) waits for late reads and
 * then an estimate before it goes to the exceptions queue; any other hold goes to the queue at once.
 */
export function waitsForReads(holds: readonly Hold[]): boolean {
  return (
    holds.some((h) => h.code === 'missing_read') &&
    holds.every((h) => h.code === 'missing_read' || h.code === 'water_held')
  );
}

const tariffCache = new WeakMap<object, Tariff>();
function tariffOf(v: RateVersionFacts): Tariff {
  // tariffs repeat across thousands of accounts in a bill run; validate each object once
  if (v.tariff && typeof v.tariff === 'object') {
    const hit = tariffCache.get(v.tariff);
    if (hit) return hit;
    const t = parseTariff(v.tariff);
    tariffCache.set(v.tariff, t);
    return t;
  }
  return parseTariff(v.tariff);
}

/** Whether an agreement on these rate versions may bill from intervals (the latest version's tariff decides). */
export function segmentIntervalBasis(rates: RateVersionFacts[]): IntervalBasis {
  const latest = rates[rates.length - 1];
  if (!latest) return 'none';
  try {
    return intervalBasis(tariffOf(latest));
  } catch {
    return 'none'; // rating holds it with the tariff's error
  }
}

function toLine(
  l: RatedLine | CreditLine,
  scheduleCode: string,
  reads: Record<string, unknown> | null,
  versionId: string,
  intervals: IntervalSummary | undefined,
): BillLineOut {
  // built field by field: this runs for every line of every bill in a bill run
  // a net metering credit line has no tier, season or proration of its own
  const rated = 'rateVersionId' in l ? l : null;
  const trace: Record<string, unknown> = {
    component: l.component,
    kind: l.kind,
    scheduleCode,
    unitPrice: l.unitPrice,
    tier: rated?.tier ?? null,
    season: rated?.season ?? null,
    touPeriod: l.touPeriod,
    proration: rated?.proration ?? null,
  };
  if (rated?.detail) trace.detail = rated.detail;
  if (reads) trace.reads = reads;
  if (intervals && l.component) trace.intervals = intervals;
  return {
    description: l.description,
    quantity: l.quantity,
    unit: l.unit,
    unitPrice: l.unitPrice && !l.unitPrice.endsWith('%') ? l.unitPrice : null,
    amountCents: l.amountCents,
    rateVersionId: rated?.rateVersionId ?? versionId,
    trace,
  };
}

/**
 * Rates a bill that may span calendar months. cisflow bills monthly, so a window across months (a final
 * bill from the last bill to the stop date) is rated month by month, each month against its own length,
 * exactly as monthly bills would have rated those days. Usage is shared between months by days, the last
 * month taking the remainder, so the months add up to the metered usage.
 */
export function rateByMonth(
  versions: RateVersion[],
  ctx: RatingContext,
): { lines: RatedLine[]; totalCents: number } {
  const first = ctx.serviceStart && ctx.serviceStart > ctx.periodStart ? ctx.serviceStart : ctx.periodStart;
  const last = ctx.serviceEnd && ctx.serviceEnd < ctx.periodEnd ? ctx.serviceEnd : ctx.periodEnd;
  if (first.slice(0, 7) === last.slice(0, 7) || last < first) return rate(versions, ctx);
  const months: { start: string; end: string; days: number }[] = [];
  for (let key = first.slice(0, 7); key <= last.slice(0, 7); ) {
    const m = monthlyPeriod(key);
    const start = m.start < first ? first : m.start;
    const end = m.end > last ? last : m.end;
    months.push({ start, end, days: daysBetween(start, end) + 1 });
    key = addMonths(key, 1);
  }
  const totalDays = months.reduce((n, m) => n + m.days, 0);
  const share = (total: Dec | undefined) => {
    let given = 0n;
    return (days: number, isLast: boolean) => {
      if (total === undefined) return undefined;
      const part = isLast ? total - given : divRoundHalfUp(total * BigInt(days), BigInt(totalDays));
      given += part;
      return part as Dec;
    };
  };
  const usage = share(ctx.usage);
  const water = share(ctx.waterUsage);
  const lines: RatedLine[] = [];
  months.forEach((m, i) => {
    const isLast = i === months.length - 1;
    const nominal = monthlyPeriod(m.start.slice(0, 7));
    const r = rate(versions, {
      ...ctx,
      periodStart: nominal.start,
      periodEnd: nominal.end,
      serviceStart: m.start,
      serviceEnd: m.end,
      usage: ctx.intervals ? undefined : usage(m.days, isLast),
      waterUsage: water(m.days, isLast),
      intervals: ctx.intervals?.filter(
        (x) => x.start.slice(0, 10) >= m.start && x.start.slice(0, 10) <= m.end,
      ),
    });
    lines.push(...r.lines);
  });
  return { lines, totalCents: lines.reduce((n, l) => n + l.amountCents, 0) };
}

export function calculateBill(
  facts: AccountFacts,
  period: { start: string; end: string },
): { segments: RatedSegment[]; holds: Hold[] } {
  const holds: Hold[] = [];
  const usage = new Map<
    string,
    { q: Dec; trace: Record<string, unknown> | null; intervals?: FromIntervals }
  >();
  // the days each agreement is billed for: nothing twice, nothing skipped (domain/billing-window.ts)
  const windows = new Map<string, { from: string; to: string }>();
  for (const s of facts.segments) {
    const w = serviceWindow({
      period,
      serviceStart: s.serviceStart,
      serviceEnd: s.serviceEnd,
      billedThrough: s.billedThrough,
    });
    if (w) windows.set(s.serviceAgreementId, w);
  }
  // metered usage first, so sewer can be billed on the water it follows
  for (const s of facts.segments) {
    if (!windows.has(s.serviceAgreementId)) continue; // every day of this agreement is billed already
    const suspended = s.status === 'suspended_seasonal';
    if (!s.meter || (suspended && !s.closingRead)) {
      // unmetered (trash, flat sewer), or suspended for the season with no read: no consumption is billed
      usage.set(s.serviceAgreementId, { q: ZERO, trace: null });
      continue;
    }
    const fromIntervals = intervalsOf(s, windows.get(s.serviceAgreementId)!, facts);
    if (fromIntervals) {
      if (!fromIntervals.ok) {
        holds.push({ serviceAgreementId: s.serviceAgreementId, ...fromIntervals.hold });
        continue;
      }
      const q = fromIntervals.delivered.reduce((n, i) => n + i.value, 0n) as Dec;
      const notes: string[] = [];
      if (facts.validation) {
        const w = windows.get(s.serviceAgreementId)!;
        // the register checks (zero, high, low usage) on the intervals' total
        const found = validateUsage({
          result: { ok: true, quantity: q, rollover: false, trace: intervalReadTrace(fromIntervals) },
          days: daysBetween(w.from, w.to) + 1,
          serviceStatus: s.status,
          history: s.history ?? {},
          policy: facts.validation,
        });
        const blocking = found.filter((f) => f.severity === 'hold');
        if (blocking.length) {
          for (const f of blocking)
            holds.push({ serviceAgreementId: s.serviceAgreementId, code: f.code, message: f.message });
          continue;
        }
        notes.push(...found.map((f) => f.code));
      }
      if (notes.length) fromIntervals.summary.findings = notes;
      usage.set(s.serviceAgreementId, { q: suspended ? ZERO : q, trace: null, intervals: fromIntervals });
      continue;
    }
    if (!s.openingRead || !s.closingRead) {
      holds.push({
        serviceAgreementId: s.serviceAgreementId,
        code: 'missing_read',
        message: `meter ${s.meter.serialNumber} has no ${s.openingRead ? 'closing' : 'opening'} read for the period`,
      });
      continue;
    }
    const c = consumption(s.openingRead, s.closingRead, s.meter);
    let findings: Finding[] = [];
    if (facts.validation) {
      const days = daysBetween(period.start, period.end) + 1;
      findings = validateUsage({
        result: c,
        days,
        serviceStatus: s.status,
        history: s.history ?? {},
        policy: facts.validation,
      });
    } else if (!c.ok) findings = [{ code: c.reason, severity: 'hold', message: c.message }];
    const blocking = findings.filter((f) => f.severity === 'hold');
    if (blocking.length || !c.ok) {
      for (const f of blocking)
        holds.push({ serviceAgreementId: s.serviceAgreementId, code: f.code, message: f.message });
      continue;
    }
    const notes = findings.map((f) => f.code);
    usage.set(s.serviceAgreementId, {
      q: suspended ? ZERO : c.quantity,
      trace: { ...c.trace, ...(notes.length ? { findings: notes } : {}) },
    });
  }
  const water = facts.segments.filter((s) => s.serviceType === 'water' && windows.has(s.serviceAgreementId));
  const waterHeld = water.some((s) => !usage.has(s.serviceAgreementId));
  const waterUsage = water.length
    ? (water.reduce((n, s) => n + (usage.get(s.serviceAgreementId)?.q ?? 0n), 0n) as Dec)
    : undefined;

  const segments: RatedSegment[] = [];
  for (const s of facts.segments) {
    const u = usage.get(s.serviceAgreementId);
    const win = windows.get(s.serviceAgreementId);
    if (!u || !win) continue;
    if (s.rates.length === 0) {
      holds.push({
        serviceAgreementId: s.serviceAgreementId,
        code: 'no_rate_version',
        message: `no rate version is in effect by ${period.end}`,
      });
      continue;
    }
    if (s.serviceType === 'sewer' && waterHeld) {
      holds.push({
        serviceAgreementId: s.serviceAgreementId,
        code: 'water_held',
        message: 'sewer follows water usage, and the water segment is held',
      });
      continue;
    }
    try {
      const versions = s.rates.map((v) => ({
        id: v.id,
        effectiveFrom: v.effectiveFrom,
        tariff: tariffOf(v),
      }));
      const p = s.ratingParams ?? {};
      const latest = versions[versions.length - 1]!;
      const nemSettings = latest.tariff.netMetering;
      let received: Dec | undefined;
      const iv = u.intervals;
      if (nemSettings && s.meter && !iv) {
        // the received register, read at the same reads as the delivered one
        const o = s.openingRead!;
        const c = s.closingRead!;
        if (o.received == null || c.received == null) {
          holds.push({
            serviceAgreementId: s.serviceAgreementId,
            code: 'missing_received_read',
            message: `meter ${s.meter.serialNumber} is net-metered but read ${o.received == null ? o.id : c.id} has no received (export) register value`,
          });
          continue;
        }
        const x = consumption({ ...o, value: o.received }, { ...c, value: c.received }, s.meter);
        if (!x.ok) {
          holds.push({
            serviceAgreementId: s.serviceAgreementId,
            code: x.reason,
            message: `received register: ${x.message}`,
          });
          continue;
        }
        received = x.quantity;
      }
      const ctx: RatingContext = {
        periodStart: period.start,
        periodEnd: period.end,
        serviceStart: win.from,
        serviceEnd: win.to,
        usage: u.q,
        waterUsage,
        winterAverage: facts.winterAverage ? dec(facts.winterAverage) : undefined,
        meterSize: p.meterSize ?? s.meter?.size ?? undefined,
        budget: p.budget ? dec(p.budget) : undefined,
        budgetParts: p.budgetParts
          ? Object.fromEntries(Object.entries(p.budgetParts).map(([k, x]) => [k, dec(x)]))
          : undefined,
        flags: facts.flags,
        ...(iv ? { intervals: iv.delivered } : {}),
      };
      const nemBill = nemSettings
        ? rateNemMonth(
            versions,
            ctx,
            iv?.received ?? [{ start: `${win.from}T00:00`, minutes: 0, value: received ?? ZERO }],
            nemSettings,
            s.nemState ?? EMPTY_NEM_STATE,
          )
        : undefined;
      const r = nemBill ?? rateByMonth(versions, ctx);
      const codeOf = new Map(s.rates.map((v) => [v.id, v.scheduleCode]));
      segments.push({
        serviceAgreementId: s.serviceAgreementId,
        serviceType: s.serviceType,
        // billed from intervals: no register read opens or closes it
        startReadId: iv ? null : (s.openingRead?.id ?? null),
        endReadId: iv ? null : (s.closingRead?.id ?? null),
        consumption: s.meter ? decToString(u.q) : null,
        unit: s.meter?.unit ?? null,
        lines: r.lines.map((l) =>
          toLine(
            l,
            codeOf.get('rateVersionId' in l ? l.rateVersionId : latest.id) ?? '',
            l.component && u.trace ? u.trace : null,
            latest.id,
            iv?.summary,
          ),
        ),
        totalCents: r.totalCents,
        taxCents: r.lines.reduce((n, l) => (l.kind === 'tax' ? n + l.amountCents : n), 0),
        ...(nemBill
          ? {
              nem: {
                state: nemBill.state,
                carryCents: nemBill.carryCents,
                expiredCents: nemBill.expiredCents,
                exportedKwh: nemBill.exportedKwh,
              },
            }
          : {}),
      });
    } catch (e) {
      if (e instanceof RatingError || e instanceof TariffError) {
        holds.push({
          serviceAgreementId: s.serviceAgreementId,
          code: e instanceof RatingError ? e.code : 'invalid_tariff',
          message: e.message,
        });
      } else throw e;
    }
  }
  return { segments, holds };
}

type FromIntervals = {
  ok: true;
  delivered: BilledInterval[];
  received?: BilledInterval[];
  summary: IntervalSummary & { findings?: string[] };
};

/**
 * The agreement's intervals for its window when its tariff bills from them (domain/interval-billing.ts),
 * gaps estimated or the hold that a gap past the policy's limit makes; undefined: bill from registers.
 */
function intervalsOf(
  s: SegmentFacts,
  win: { from: string; to: string },
  facts: AccountFacts,
): FromIntervals | { ok: false; hold: { code: string; message: string } } | undefined {
  const basis = segmentIntervalBasis(s.rates);
  if (basis === 'none' || !s.meter) return undefined;
  const t = tariffOf(s.rates[s.rates.length - 1]!);
  if (basis === 'if_present' && !s.intervals?.delivered) return undefined;
  const tz = facts.timeZone ?? 'UTC';
  // the gap limit comes with the usage checks; without them (a bill staff approved) every gap is estimated
  const limit = facts.validation
    ? (facts.validation.maxIntervalGapHours ?? DEFAULT_VALIDATION.maxIntervalGapHours)
    : undefined;
  const meter = `meter ${s.meter.serialNumber}`;
  const d = windowIntervals(s.intervals?.delivered ?? null, win, tz, limit, meter);
  if (!d.ok) return { ok: false, hold: { code: d.code, message: d.message } };
  let received: Extract<ReturnType<typeof windowIntervals>, { ok: true }> | undefined;
  if (t.netMetering) {
    const r = windowIntervals(s.intervals?.received ?? null, win, tz, limit, `${meter} (received channel)`);
    if (!r.ok) return { ok: false, hold: { code: r.code, message: r.message } };
    received = r;
  }
  const summary = summarize(t, d.intervals, tz, d);
  if (received)
    summary.received = {
      intervals: received.intervals.length,
      estimated: received.estimated,
      kwh: decToString(received.intervals.reduce((n, i) => n + i.value, 0n) as Dec),
    };
  return { ok: true, delivered: d.intervals, ...(received ? { received: received.intervals } : {}), summary };
}

/** The read trace the usage checks see for an interval total: estimated when any interval is. */
const intervalReadTrace = (f: FromIntervals) => ({
  startReadId: '',
  endReadId: '',
  startValue: '',
  endValue: '',
  multiplier: '1',
  rollover: false,
  estimated: f.summary.estimated + (f.summary.received?.estimated ?? 0) > 0,
});
