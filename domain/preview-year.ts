// A year of a customer's hourly (or finer) load and generation, rated month by month the way the bill run
// would: delivered (import) and received (export) channels split into calendar months, each month handed
// what the one before left (kWh bank, $ credit, peaks, the year's bills before top-ups). Shared by
// `cisflow rate preview --year`.
import { centsToDecimal } from './decimal.js';
import type { CreditLine } from './net-metering.js';
import { type NemSettings, parseNemSettings } from './net-metering.js';
import { monthlyPeriod } from './period.js';
import { loadTariff, PreviewError, type TariffSource, toContext, type UsageInput } from './preview.js';
import type { Interval, RatedLine, RatingContext } from './rate-engine.js';
import { rateNemYear, rateYear } from './rate-year.js';

type Usage = NonNullable<UsageInput['intervals']>;

export interface YearPreview {
  tariff: string;
  netMetering: NemSettings['mode'] | null;
  months: {
    period: { from: string; to: string };
    lines: (RatedLine | CreditLine)[];
    totalCents: number;
    total: string;
  }[];
  totalCents: number;
  total: string;
  warnings: string[];
}

/** Intervals grouped by the calendar month they start in, months in order. */
function byMonth(xs: Interval[]): Map<string, Interval[]> {
  const out = new Map<string, Interval[]>();
  for (const i of [...xs].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))) {
    const ym = i.start.slice(0, 7);
    const list = out.get(ym);
    if (list) list.push(i);
    else out.set(ym, [i]);
  }
  return out;
}

/**
 * Rates every calendar month the data covers. Net metering settings come from `netMetering` (or the native
 * tariff's own `netMetering` object); without them, and with no received kWh, the year is billed plainly.
 */
export function previewYear(
  src: TariffSource,
  delivered: Usage,
  received: Usage = [],
  netMetering?: unknown,
): YearPreview {
  const { tariff, warnings } = loadTariff(src);
  const settings =
    netMetering === undefined ? tariff.netMetering : parseNemSettings(netMetering, tariff.trueUpMonth);
  if (!delivered.length) throw new PreviewError('usage', 'a year preview needs delivered interval usage');
  const imp = toContext({ intervals: delivered }).intervals ?? [];
  const exp = received.length ? (toContext({ intervals: received }).intervals ?? []) : [];
  if (!settings && exp.some((i) => i.value !== 0n))
    throw new PreviewError(
      'netMetering',
      'the usage has received (exported) kWh but the tariff has no netMetering settings',
    );
  const impM = byMonth(imp);
  const expM = byMonth(exp);
  const yms = [...new Set([...impM.keys(), ...expM.keys()])].sort();
  const months: RatingContext[] = yms.map((ym) => ({
    periodStart: monthlyPeriod(ym).start,
    periodEnd: monthlyPeriod(ym).end,
    intervals: impM.get(ym) ?? [],
  }));
  const versions = [{ id: 'preview', effectiveFrom: '1900-01-01', tariff }];
  const y = settings
    ? rateNemYear(
        versions,
        months,
        yms.map((ym) => expM.get(ym) ?? []),
        settings,
        {
          trueUpMonth: settings.trueUpMonth,
        },
      )
    : rateYear(versions, months);
  if (yms.length !== 12) warnings.push(`the usage covers ${yms.length} calendar months, not 12`);
  return {
    tariff: tariff.name,
    netMetering: settings?.mode ?? null,
    months: y.bills.map((b) => ({
      period: { from: b.periodStart, to: b.periodEnd },
      lines: b.lines,
      totalCents: b.totalCents,
      total: centsToDecimal(b.totalCents),
    })),
    totalCents: y.totalCents,
    total: centsToDecimal(y.totalCents),
    warnings,
  };
}

/**
 * A CSV of two channels: header "start,minutes,delivered,received" (minutes optional; "value" names the
 * delivered column too; received optional). A row must give start and delivered; an empty received is 0.
 */
export function parseChannelCsv(text: string): { delivered: Usage; received: Usage } {
  const rows = text.split(/\r?\n/).filter((l) => l.trim());
  const header = (rows.shift() ?? '').split(',').map((h) => h.trim().toLowerCase());
  const at = (name: string) => header.indexOf(name);
  const s = at('start');
  const d = at('delivered') >= 0 ? at('delivered') : at('value');
  const r = at('received');
  const mi = at('minutes');
  if (s < 0 || d < 0)
    throw new PreviewError(
      'usage',
      'an interval CSV needs a header with start and delivered (or value), and optionally minutes and received',
    );
  const delivered: Usage = [];
  const received: Usage = [];
  rows.forEach((line, i) => {
    const cols = line.split(',').map((c) => c.trim());
    if (!cols[s] || !cols[d]) throw new PreviewError(`usage line ${i + 2}`, 'needs start and delivered');
    const minutes = mi >= 0 ? Number(cols[mi]) : 60;
    delivered.push({ start: cols[s]!, minutes, value: cols[d]! });
    if (r >= 0 && cols[r]) received.push({ start: cols[s]!, minutes, value: cols[r]! });
  });
  return { delivered, received };
}
