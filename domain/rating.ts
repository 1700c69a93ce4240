// Rating for the flat tariff: a fixed customer charge plus a single price per unit.
// The full rate engine (tiers, seasons, TOU, demand, riders, taxes) builds on these line and trace shapes.
import { type Dec, dec, decToString, divRoundHalfUp, mulToCents, ONE } from './decimal.js';

export interface FlatTariff {
  kind: 'flat';
  currency: 'USD';
  customerCharge: string; // per bill period
  unitPrice: string; // per unit of consumption
  unit: string;
}

export interface RateVersionRef {
  id: string;
  scheduleCode: string;
  effectiveFrom: string;
  tariff: FlatTariff;
}

export interface BillLine {
  description: string;
  quantity: string | null;
  unit: string | null;
  unitPrice: string | null;
  amountCents: number;
  rateVersionId: string;
  trace: Record<string, unknown>;
}

export interface SegmentInput {
  serviceType: string;
  consumption: Dec;
  unit: string;
  periodStart: string; // ISO date, inclusive
  periodEnd: string; // ISO date, inclusive
  serviceStart: string; // service agreement start date
  rate: RateVersionRef;
  readTrace: Record<string, unknown>;
}

const DAY_MS = 86_400_000;
export const daysInclusive = (from: string, to: string) =>
  Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;

/** Validates a flat tariff from JSON, naming the field at fault. */
export function parseFlatTariff(t: unknown): FlatTariff {
  const o = t as Record<string, unknown>;
  if (!o || typeof o !== 'object') throw new TypeError('tariff must be an object');
  if (o.kind !== 'flat') throw new TypeError(`tariff.kind must be "flat" (got ${JSON.stringify(o.kind)})`);
  for (const k of ['customerCharge', 'unitPrice', 'unit'] as const) {
    if (typeof o[k] !== 'string') throw new TypeError(`tariff.${k} must be a string`);
  }
  dec(o.customerCharge as string);
  dec(o.unitPrice as string);
  return {
    kind: 'flat',
    currency: 'USD',
    customerCharge: o.customerCharge as string,
    unitPrice: o.unitPrice as string,
    unit: o.unit as string,
  };
}

/**
 * Rates one service agreement for one period. The customer charge is prorated by days when service
 * started inside the period: factor = service days / period days, applied before the cents rounding.
 */
export function rateFlatSegment(s: SegmentInput): { lines: BillLine[]; totalCents: number } {
  const t = s.rate.tariff;
  const periodDays = daysInclusive(s.periodStart, s.periodEnd);
  const from = s.serviceStart > s.periodStart ? s.serviceStart : s.periodStart;
  const serviceDays = Math.max(0, daysInclusive(from, s.periodEnd));
  const base = {
    rateVersionId: s.rate.id,
    scheduleCode: s.rate.scheduleCode,
    effectiveFrom: s.rate.effectiveFrom,
  };
  // proration as an exact fraction: customerCharge * serviceDays / periodDays, rounded once to cents
  const chargeCents = Number(
    divRoundHalfUp(dec(t.customerCharge) * BigInt(serviceDays) * 100n, ONE * BigInt(periodDays)),
  );
  const lines: BillLine[] = [
    {
      description: `${cap(s.serviceType)} customer charge`,
      quantity: serviceDays === periodDays ? '1' : `${serviceDays}/${periodDays}`,
      unit: 'period',
      unitPrice: t.customerCharge,
      amountCents: chargeCents,
      rateVersionId: s.rate.id,
      trace: { ...base, tier: null, proration: { serviceDays, periodDays } },
    },
    {
      description: `${cap(s.serviceType)} usage`,
      quantity: decToString(s.consumption),
      unit: s.unit,
      unitPrice: t.unitPrice,
      amountCents: mulToCents(s.consumption, dec(t.unitPrice)),
      rateVersionId: s.rate.id,
      trace: { ...base, tier: null, proration: null, reads: s.readTrace },
    },
  ];
  return { lines, totalCents: lines.reduce((n, l) => n + l.amountCents, 0) };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
