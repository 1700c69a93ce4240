// The bill calculator on its own: a tariff (native, URDB or OWRS) plus usage -> lines and total, from the
// same engine the bill run uses. Shared by `cisflow rate preview` and POST /rates/preview.
import { dec } from './decimal.js';
import { importOwrs } from './import/owrs.js';
import { importUrdb } from './import/urdb.js';
import { type Interval, type RatedLine, type RatingContext, rate } from './rate-engine.js';
import { parseTariff, type Tariff, unappliedFields } from './tariff.js';

export type TariffFormat = 'native' | 'urdb' | 'owrs';

export interface TariffSource {
  tariff: unknown; // object (native or URDB) or text (OWRS YAML, double-encoded URDB)
  format?: TariffFormat;
  customerClass?: string;
  params?: Record<string, string>;
}

/** Usage as JSON carries it: decimals as strings. */
export interface UsageInput {
  from?: string;
  to?: string;
  serviceStart?: string;
  serviceEnd?: string;
  usage?: string;
  intervals?: { start: string; minutes?: number; value: string }[];
  demandKw?: string;
  waterUsage?: string;
  winterAverage?: string;
  meterSize?: string;
  budget?: string;
  budgetParts?: Record<string, string>;
  flags?: string[];
  /** earlier months' peaks, for demand ratchets */
  priorPeaks?: { month: string; kw: string }[];
  /** the year's earlier bills floored at 0 before top-ups, for an annual minimum in the true-up month */
  yearToDateCents?: number;
}

export class PreviewError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
    this.name = 'PreviewError';
  }
}

export function detectFormat(t: unknown): TariffFormat {
  if (typeof t === 'string')
    return t.trimStart().startsWith('{') || t.trimStart().startsWith('"') ? 'urdb' : 'owrs';
  if (t && typeof t === 'object' && (t as { schema?: unknown }).schema === 'cisflow.tariff/1')
    return 'native';
  return 'urdb';
}

function parseJsonTariff(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PreviewError('tariff', `a native tariff sent as text must be JSON (${(e as Error).message})`);
  }
}

export function loadTariff(src: TariffSource): { tariff: Tariff; warnings: string[] } {
  const format = src.format ?? detectFormat(src.tariff);
  if (format === 'native') {
    // a preview may show a tariff that live billing refuses; say why
    const tariff = parseTariff(typeof src.tariff === 'string' ? parseJsonTariff(src.tariff) : src.tariff, {
      preview: true,
    });
    const unapplied = unappliedFields(tariff);
    return {
      tariff,
      warnings: unapplied.length ? [`not applied, so refused for live billing: ${unapplied.join(', ')}`] : [],
    };
  }
  if (format === 'urdb') {
    const r = importUrdb(src.tariff);
    const unapplied = unappliedFields(r.tariff);
    if (unapplied.length)
      r.warnings.push(`not applied, so refused for live billing: ${unapplied.join(', ')}`);
    return r;
  }
  if (typeof src.tariff !== 'string') throw new PreviewError('tariff', 'an OWRS tariff is YAML text');
  if (!src.customerClass)
    throw new PreviewError('customerClass', 'an OWRS tariff needs the customer class to rate');
  return importOwrs(src.tariff, { customerClass: src.customerClass, params: src.params });
}

const num = (v: string | undefined, param: string) => {
  if (v === undefined) return undefined;
  try {
    return dec(String(v));
  } catch (e) {
    throw new PreviewError(param, (e as Error).message);
  }
};

export function toContext(u: UsageInput, fallback?: { from: string; to: string }): RatingContext {
  const intervals: Interval[] | undefined = u.intervals?.map((i, k) => {
    if (typeof i.start !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(i.start)) {
      throw new PreviewError(`intervals[${k}].start`, 'must be a local time like 2026-07-01T14:15');
    }
    const minutes = i.minutes ?? 60;
    if (!Number.isInteger(minutes) || minutes <= 0 || minutes > 1440)
      throw new PreviewError(`intervals[${k}].minutes`, 'must be 1 to 1440');
    return { start: i.start, minutes, value: num(i.value, `intervals[${k}].value`)! };
  });
  const from = u.from ?? fallback?.from ?? intervals?.map((i) => i.start.slice(0, 10)).sort()[0];
  const to =
    u.to ??
    fallback?.to ??
    intervals
      ?.map((i) => i.start.slice(0, 10))
      .sort()
      .at(-1);
  if (!from || !to)
    throw new PreviewError('from', 'give the period (from, to), or intervals to take it from');
  for (const [k, d] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(d)))
      throw new PreviewError(k, `must be a date like 2026-10-01 (got "${d}")`);
  }
  return {
    periodStart: from,
    periodEnd: to,
    serviceStart: u.serviceStart,
    serviceEnd: u.serviceEnd,
    usage: num(u.usage, 'usage'),
    intervals,
    demandKw: num(u.demandKw, 'demandKw'),
    waterUsage: num(u.waterUsage, 'waterUsage'),
    winterAverage: num(u.winterAverage, 'winterAverage'),
    meterSize: u.meterSize,
    budget: num(u.budget, 'budget'),
    budgetParts:
      u.budgetParts &&
      Object.fromEntries(Object.entries(u.budgetParts).map(([k, v]) => [k, num(v, `budgetParts.${k}`)!])),
    flags: u.flags,
    ...(u.priorPeaks
      ? {
          priorPeaks: u.priorPeaks.map((p, k) => {
            if (typeof p?.month !== 'string' || !/^\d{4}-\d{2}$/.test(p.month))
              throw new PreviewError(`priorPeaks[${k}].month`, 'must be a month like 2026-07');
            return { month: p.month, kw: num(p.kw, `priorPeaks[${k}].kw`)! };
          }),
        }
      : {}),
    ...(u.yearToDateCents !== undefined
      ? {
          yearToDateCents: (() => {
            if (!Number.isInteger(u.yearToDateCents) || u.yearToDateCents < 0)
              throw new PreviewError('yearToDateCents', 'must be a whole number of cents, 0 or more');
            return u.yearToDateCents;
          })(),
        }
      : {}),
  };
}

export interface Preview {
  tariff: string;
  period: { from: string; to: string };
  lines: RatedLine[];
  totalCents: number;
  warnings: string[];
}

export function previewBill(
  src: TariffSource,
  usage: UsageInput,
  fallback?: { from: string; to: string },
): Preview {
  const { tariff, warnings } = loadTariff(src);
  const ctx = toContext(usage, fallback);
  const r = rate([{ id: 'preview', effectiveFrom: '1900-01-01', tariff }], ctx);
  return {
    tariff: tariff.name,
    period: { from: ctx.periodStart, to: ctx.periodEnd },
    lines: r.lines,
    totalCents: r.totalCents,
    warnings,
  };
}

/** A CSV of intervals: header "start,minutes,value" (minutes optional). */
export function parseIntervalCsv(text: string): UsageInput['intervals'] {
  const rows = text.split(/\r?\n/).filter((l) => l.trim());
  const header =
    rows
      .shift()
      ?.split(',')
      .map((h) => h.trim().toLowerCase()) ?? [];
  const at = (name: string) => header.indexOf(name);
  if (at('start') < 0 || at('value') < 0)
    throw new PreviewError(
      'usage',
      'an interval CSV needs a header with start and value (and optionally minutes)',
    );
  return rows.map((line, i) => {
    const cols = line.split(',').map((c) => c.trim());
    const minutes = at('minutes') >= 0 ? Number(cols[at('minutes')]) : 60;
    if (!cols[at('start')] || !cols[at('value')])
      throw new PreviewError(`usage line ${i + 2}`, 'needs start and value');
    return { start: cols[at('start')]!, minutes, value: cols[at('value')]! };
  });
}
