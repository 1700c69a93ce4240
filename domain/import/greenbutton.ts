// Green Button (NAESB ESPI) Atom feeds -> usage points with interval data. Pure: XML text in, values out.
// Entries are linked as ESPI links them: a MeterReading is "up" from its UsagePoint and names its ReadingType;
// an IntervalBlock is "up" from its MeterReading.
// Local time for TOU is UTC + the feed's tzOffset. DST rules (dstStartRule/dstEndRule) are not decoded yet.
import { XMLParser } from 'fast-xml-parser';
import { type Dec, dec, decToString, divRoundHalfUp } from '../decimal.js';
import { ImportError } from './urdb.js';

export interface GbInterval {
  start: string; // UTC ISO
  localStart: string; // "YYYY-MM-DDTHH:MM", UTC + tzOffset
  minutes: number;
  value: string; // in `unit`, power-of-ten applied
  cost?: number; // as given, in 1/100000 of the currency unit (ESPI)
}

export interface GbMeterReading {
  title: string;
  unit: string;
  uom: number;
  /** ESPI flowDirection: 1 delivered (import), 19 received (export); absent when the feed omits it */
  flowDirection?: number;
  intervals: GbInterval[];
}

export interface GbUsagePoint {
  title: string;
  serviceKind: number; // 0 electricity, 1 gas, 2 water, …
  meterReadings: GbMeterReading[];
}

// ESPI/IEC 61968 unit symbols: 42 m³, 119 ft³, 128 US gallons, 169 therms, 72 Wh, 38 W.
const UOM: Record<number, string> = { 72: 'Wh', 169: 'therm', 42: 'm3', 119: 'ft3', 128: 'gal', 38: 'W' };
const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

type Entry = { title?: unknown; link?: unknown; content?: Record<string, unknown> };

export function parseGreenButton(xml: string): { usagePoints: GbUsagePoint[]; tzOffsetSeconds: number } {
  let doc: Record<string, unknown>;
  try {
    doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      removeNSPrefix: true,
      parseTagValue: false,
    }).parse(xml, true);
  } catch (e) {
    throw new ImportError('greenbutton', `is not well-formed XML: ${(e as Error).message.split('\n')[0]}`);
  }
  const feed = doc.feed as { entry?: Entry | Entry[] } | undefined;
  if (!feed) throw new ImportError('greenbutton', 'has no Atom <feed>');
  const entries = asArray(feed.entry).map((e) => {
    const links = asArray(e.link as { rel?: string; href?: string } | { rel?: string; href?: string }[]);
    const href = (rel: string) => links.filter((l) => l.rel === rel).map((l) => l.href ?? '');
    const content = (e.content ?? {}) as Record<string, unknown>;
    const kind = Object.keys(content).find((k) => k !== '#text') ?? '';
    return {
      title: typeof e.title === 'string' ? e.title : '',
      self: href('self')[0] ?? '',
      up: href('up')[0] ?? '',
      related: href('related'),
      kind,
      body: content[kind] as Record<string, unknown>,
    };
  });
  const ltp = entries.find((e) => e.kind === 'LocalTimeParameters')?.body;
  const tzOffsetSeconds = ltp ? Number(ltp.tzOffset ?? 0) : 0;
  const readingTypes = new Map(entries.filter((e) => e.kind === 'ReadingType').map((e) => [e.self, e.body]));

  const usagePoints: GbUsagePoint[] = entries
    .filter((e) => e.kind === 'UsagePoint')
    .map((up) => {
      const meterReadings = entries
        .filter((m) => m.kind === 'MeterReading' && m.up === `${up.self}/MeterReading`)
        .map((m) => {
          const rtHref = m.related.find((h) => /\/ReadingType\//.test(h));
          const rt = rtHref ? readingTypes.get(rtHref) : undefined;
          if (!rt) throw new ImportError(`MeterReading ${m.self}`, 'names no ReadingType in this feed');
          const uom = Number(rt.uom);
          const power = Number(rt.powerOfTenMultiplier ?? 0);
          if (!Number.isInteger(power) || power < -9 || power > 9)
            throw new ImportError(
              `ReadingType ${rtHref}`,
              'powerOfTenMultiplier must be a whole number from -9 to 9',
            );
          const intervals = entries
            .filter((b) => b.kind === 'IntervalBlock' && b.up === `${m.self}/IntervalBlock`)
            .flatMap((b) => asArray(b.body as Record<string, unknown> | Record<string, unknown>[]))
            .flatMap((block) =>
              asArray(block.IntervalReading as Record<string, unknown> | Record<string, unknown>[]),
            )
            .map((r, i) => {
              const tp = r.timePeriod as { start?: string; duration?: string } | undefined;
              if (!tp?.start || !tp.duration || r.value === undefined)
                throw new ImportError(`IntervalReading ${i}`, 'needs timePeriod start, duration and value');
              // ESPI: start and duration are whole seconds, value a whole number (Int48)
              if (
                !/^\d{1,12}$/.test(String(tp.start).trim()) ||
                !/^\d{1,9}$/.test(String(tp.duration).trim())
              )
                throw new ImportError(
                  `IntervalReading ${i}`,
                  'timePeriod start and duration must be whole seconds',
                );
              if (!/^-?\d{1,15}$/.test(String(r.value).trim()))
                throw new ImportError(
                  `IntervalReading ${i}`,
                  `value "${String(r.value).slice(0, 20)}" is not a whole number`,
                );
              const start = Number(tp.start);
              const raw = dec(String(r.value).trim());
              const value =
                power >= 0
                  ? ((raw * 10n ** BigInt(power)) as Dec)
                  : (divRoundHalfUp(raw, 10n ** BigInt(-power)) as Dec);
              return {
                start: new Date(start * 1000).toISOString(),
                localStart: new Date((start + tzOffsetSeconds) * 1000).toISOString().slice(0, 16),
                minutes: Number(tp.duration) / 60,
                value: decToString(value),
                ...(r.cost !== undefined ? { cost: Number(r.cost) } : {}),
              };
            })
            .sort((a, b) => (a.start < b.start ? -1 : 1));
          const flow = rt.flowDirection === undefined ? undefined : Number(rt.flowDirection);
          return {
            title: m.title,
            unit: UOM[uom] ?? `uom ${uom}`,
            uom,
            ...(flow !== undefined && Number.isInteger(flow) ? { flowDirection: flow } : {}),
            intervals,
          };
        });
      const sc = (up.body?.ServiceCategory ?? {}) as { kind?: string };
      return { title: up.title, serviceKind: Number(sc.kind ?? 0), meterReadings };
    });
  return { usagePoints, tzOffsetSeconds };
}

/** Interval usage for the rate engine, in kWh for electricity recorded in Wh. */
export function toRatingIntervals(m: GbMeterReading): { start: string; minutes: number; value: string }[] {
  const toKwh = m.unit === 'Wh';
  return m.intervals.map((i) => ({
    start: i.localStart,
    minutes: i.minutes,
    value: toKwh ? decToString(divRoundHalfUp(dec(i.value), 1000n) as Dec) : i.value,
  }));
}
