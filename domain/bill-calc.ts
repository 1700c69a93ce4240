// One account's bill for one period, from plain facts (reads, meters, rate versions): the same pure code
// runs in the billing workflow, the demo loader, the what-if tool and the benchmark.
// Anything that cannot be billed with confidence becomes a hold with a reason, never a guess.
import { type Dec, dec, decToString, ZERO } from './decimal.js';
import { type RatedLine, RatingError, rate } from './rate-engine.js';
import { type Finding, type UsageHistory, type ValidationPolicy, validateUsage } from './read-validation.js';
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
  ratingParams?: { meterSize?: string; budget?: string; budgetParts?: Record<string, string> };
  history?: UsageHistory;
}

export interface AccountFacts {
  flags?: string[];
  /** average monthly water usage last winter, for sewer charges capped at the winter average */
  winterAverage?: string | null;
  segments: SegmentFacts[];
  /** validate usage before rating; absent for history that was already approved (demo data, what-if) */
  validation?: ValidationPolicy;
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
}

export interface Hold {
  serviceAgreementId: string;
  code: string;
  message: string;
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

function toLine(l: RatedLine, scheduleCode: string, reads: Record<string, unknown> | null): BillLineOut {
  // built field by field: this runs for every line of every bill in a bill run
  const trace: Record<string, unknown> = {
    component: l.component,
    kind: l.kind,
    scheduleCode,
    unitPrice: l.unitPrice,
    tier: l.tier,
    season: l.season,
    touPeriod: l.touPeriod,
    proration: l.proration,
  };
  if (l.detail) trace.detail = l.detail;
  if (reads) trace.reads = reads;
  return {
    description: l.description,
    quantity: l.quantity,
    unit: l.unit,
    unitPrice: l.unitPrice && !l.unitPrice.endsWith('%') ? l.unitPrice : null,
    amountCents: l.amountCents,
    rateVersionId: l.rateVersionId,
    trace,
  };
}

export function calculateBill(
  facts: AccountFacts,
  period: { start: string; end: string },
): { segments: RatedSegment[]; holds: Hold[] } {
  const holds: Hold[] = [];
  const usage = new Map<string, { q: Dec; trace: Record<string, unknown> | null }>();
  // metered usage first, so sewer can be billed on the water it follows
  for (const s of facts.segments) {
    const suspended = s.status === 'suspended_seasonal';
    if (!s.meter || (suspended && !s.closingRead)) {
      // unmetered (trash, flat sewer), or suspended for the season with no read: no consumption is billed
      usage.set(s.serviceAgreementId, { q: ZERO, trace: null });
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
      const days = Math.round((Date.parse(period.end) - Date.parse(period.start)) / 86_400_000) + 1;
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
  const water = facts.segments.filter((s) => s.serviceType === 'water');
  const waterHeld = water.some((s) => !usage.has(s.serviceAgreementId));
  const waterUsage = water.length
    ? (water.reduce((n, s) => n + (usage.get(s.serviceAgreementId)?.q ?? 0n), 0n) as Dec)
    : undefined;

  const segments: RatedSegment[] = [];
  for (const s of facts.segments) {
    const u = usage.get(s.serviceAgreementId);
    if (!u) continue;
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
      const r = rate(versions, {
        periodStart: period.start,
        periodEnd: period.end,
        serviceStart: s.serviceStart,
        serviceEnd: s.serviceEnd ?? undefined,
        usage: u.q,
        waterUsage,
        winterAverage: facts.winterAverage ? dec(facts.winterAverage) : undefined,
        meterSize: p.meterSize ?? s.meter?.size ?? undefined,
        budget: p.budget ? dec(p.budget) : undefined,
        budgetParts: p.budgetParts
          ? Object.fromEntries(Object.entries(p.budgetParts).map(([k, x]) => [k, dec(x)]))
          : undefined,
        flags: facts.flags,
      });
      const codeOf = new Map(s.rates.map((v) => [v.id, v.scheduleCode]));
      segments.push({
        serviceAgreementId: s.serviceAgreementId,
        serviceType: s.serviceType,
        startReadId: s.openingRead?.id ?? null,
        endReadId: s.closingRead?.id ?? null,
        consumption: s.meter ? decToString(u.q) : null,
        unit: s.meter?.unit ?? null,
        lines: r.lines.map((l) =>
          toLine(l, codeOf.get(l.rateVersionId) ?? '', l.component && u.trace ? u.trace : null),
        ),
        totalCents: r.totalCents,
        taxCents: r.lines.reduce((n, l) => (l.kind === 'tax' ? n + l.amountCents : n), 0),
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
