// Read validation, estimation and true-up. Validation flags; it never changes a read or a quantity.
// A finding with severity "hold" keeps the bill out of the mail until staff look at it.
import { type Dec, dec, decToString, divRoundHalfUp, ONE, ZERO } from './decimal.js';
import { type Consumption, consumption, type MeterSpec, type RegisterRead } from './reads.js';

export interface ValidationPolicy {
  /** usage above baseline x highFactor is held as high */
  highFactor: string;
  /** usage below baseline x lowFactor is held as low */
  lowFactor: string;
  /** below this daily baseline the history is too thin to judge high/low */
  minBaselineDaily: string;
  /** hold zero usage on an active metered service */
  holdZeroUsage: boolean;
  /**
   * Interval billing: the longest run of missing intervals, in hours, estimated by the gap rule
   * (domain/interval-billing.ts); a longer one holds the bill. Default DEFAULT_VALIDATION's.
   */
  maxIntervalGapHours?: number;
}

export const DEFAULT_VALIDATION: ValidationPolicy = {
  highFactor: '2.5',
  lowFactor: '0.25',
  minBaselineDaily: '0.05',
  holdZeroUsage: true,
  maxIntervalGapHours: 6,
};

export type FindingCode =
  | 'negative_consumption'
  | 'out_of_order'
  | 'zero_usage'
  | 'high_usage'
  | 'low_usage'
  | 'suspended_service'
  | 'duplicate_read'
  | 'rollover'
  | 'estimated';

export interface Finding {
  code: FindingCode;
  severity: 'hold' | 'info';
  message: string;
}

export interface UsageHistory {
  /** average daily usage over the same period last year */
  sameSeasonLastYearDaily?: string | null;
  /** average daily usage over recent bills */
  recentDaily?: string | null;
}

const perDay = (q: Dec, days: number) => divRoundHalfUp(q, BigInt(days)) as Dec;
const times = (a: Dec, f: string) => divRoundHalfUp(a * dec(f), ONE) as Dec;

/** The baseline that high/low usage is judged against: same season last year first, then recent bills. */
export function baselineDaily(
  h: UsageHistory,
): { daily: Dec; basis: 'same_season_last_year' | 'recent_average' } | null {
  if (h.sameSeasonLastYearDaily)
    return { daily: dec(h.sameSeasonLastYearDaily), basis: 'same_season_last_year' };
  if (h.recentDaily) return { daily: dec(h.recentDaily), basis: 'recent_average' };
  return null;
}

export function validateUsage(a: {
  result: Consumption;
  days: number;
  serviceStatus: string;
  history: UsageHistory;
  policy: ValidationPolicy;
}): Finding[] {
  const out: Finding[] = [];
  if (!a.result.ok) return [{ code: a.result.reason, severity: 'hold', message: a.result.message }];
  const q = a.result.quantity;
  if (a.serviceStatus === 'suspended_seasonal') {
    // suspended services are not billed for consumption; usage while suspended needs a person to look
    return q > 0n
      ? [
          {
            code: 'suspended_service',
            severity: 'hold',
            message: `${decToString(q)} used on a service suspended for the season`,
          },
        ]
      : [];
  }
  if (a.result.rollover)
    out.push({
      code: 'rollover',
      severity: 'info',
      message: 'the register rolled over; usage counts through zero',
    });
  if (a.result.trace.estimated)
    out.push({ code: 'estimated', severity: 'info', message: 'usage includes an estimated read' });
  if (q === 0n && a.policy.holdZeroUsage && a.serviceStatus === 'active') {
    out.push({
      code: 'zero_usage',
      severity: 'hold',
      message: 'no usage on an active service: a stopped meter or a vacant premise?',
    });
    return out;
  }
  const base = baselineDaily(a.history);
  if (!base || base.daily < dec(a.policy.minBaselineDaily)) return out;
  const daily = perDay(q, a.days);
  const basis = base.basis.replace(/_/g, ' ');
  if (daily > times(base.daily, a.policy.highFactor)) {
    out.push({
      code: 'high_usage',
      severity: 'hold',
      message: `${decToString(daily)}/day is over ${a.policy.highFactor}x the ${basis} of ${decToString(base.daily)}/day`,
    });
  } else if (daily < times(base.daily, a.policy.lowFactor)) {
    out.push({
      code: 'low_usage',
      severity: 'hold',
      message: `${decToString(daily)}/day is under ${a.policy.lowFactor}x the ${basis} of ${decToString(base.daily)}/day`,
    });
  }
  return out;
}

/** Two reads of one meter at the same moment, or the same value within `withinMinutes`, are duplicates. */
export function findDuplicates(
  reads: RegisterRead[],
  withinMinutes = 60,
): { read: RegisterRead; duplicateOf: RegisterRead }[] {
  const sorted = [...reads].sort((a, b) => Date.parse(a.readAt) - Date.parse(b.readAt));
  const out: { read: RegisterRead; duplicateOf: RegisterRead }[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    const gap = (Date.parse(cur.readAt) - Date.parse(prev.readAt)) / 60_000;
    if (gap === 0 || (gap <= withinMinutes && dec(cur.value) === dec(prev.value)))
      out.push({ read: cur, duplicateOf: prev });
  }
  return out;
}

/**
 * Consumption across a meter exchange: the old meter from the opening read to its removal read, plus the
 * new meter from its install read to the closing read. Each part keeps its own dials and multiplier.
 */
export function consumptionAcrossExchange(
  parts: { start: RegisterRead; end: RegisterRead; meter: MeterSpec }[],
): Consumption {
  let total = ZERO;
  let rollover = false;
  for (const p of parts) {
    const c = consumption(p.start, p.end, p.meter);
    if (!c.ok) return c;
    total = (total + c.quantity) as Dec;
    rollover ||= c.rollover;
  }
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  return {
    ok: true,
    quantity: total,
    rollover,
    trace: {
      startReadId: first.start.id,
      endReadId: last.end.id,
      startValue: first.start.value,
      endValue: last.end.value,
      multiplier: parts.map((p) => p.meter.multiplier).join('+'),
      rollover,
      estimated: parts.some((p) => p.start.source === 'estimated' || p.end.source === 'estimated'),
      ...(parts.length > 1
        ? { exchange: parts.map((p) => ({ startReadId: p.start.id, endReadId: p.end.id })) }
        : {}),
    },
  };
}

/**
 * An estimated closing read when no actual read came in time: the last read plus average daily usage
 * (same period last year, else recent bills) times the days since it. Null when there is no history.
 */
export function estimateRead(a: {
  last: RegisterRead;
  at: string;
  history: UsageHistory;
  meter: MeterSpec;
}): { value: string; quantity: string; basis: string } | null {
  const base = baselineDaily(a.history);
  if (!base) return null;
  const days = Math.round((Date.parse(a.at) - Date.parse(a.last.readAt)) / 86_400_000);
  if (days <= 0) return null;
  const usage = divRoundHalfUp(base.daily * BigInt(days), 1n) as Dec;
  // the register counts before the multiplier; keep the estimate on the register's scale
  const registerDelta = divRoundHalfUp(usage * ONE, dec(a.meter.multiplier)) as Dec;
  const range = dec(10n ** BigInt(a.meter.dialCount));
  let value = (dec(a.last.value) + registerDelta) as Dec;
  if (value >= range) value = (value - range) as Dec;
  return { value: decToString(value), quantity: decToString(usage), basis: base.basis };
}

/**
 * True-up: the first actual read after estimates. The bill that follows is charged actual minus the last
 * billed (estimated) read, which may be negative (a credit) when the estimate ran high. Across the estimate
 * and the true-up the customer pays for exactly actual minus the last actual read: nothing twice, nothing lost.
 */
export function trueUp(a: {
  lastActual: RegisterRead;
  lastBilled: RegisterRead;
  actual: RegisterRead;
  meter: MeterSpec;
}): {
  quantity: Dec;
  billedBefore: Dec;
  totalSinceLastActual: Dec;
} {
  const total = consumption(a.lastActual, a.actual, a.meter);
  const before = consumption(a.lastActual, a.lastBilled, a.meter);
  if (!total.ok) throw new RangeError(total.message);
  const billedBefore = before.ok ? before.quantity : ZERO;
  return {
    quantity: (total.quantity - billedBefore) as Dec,
    billedBefore,
    totalSinceLastActual: total.quantity,
  };
}
