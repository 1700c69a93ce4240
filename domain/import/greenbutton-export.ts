// Green Button "Download My Data": a service point's usage as an ESPI Atom feed. Pure: values in, XML out.
// One UsagePoint (the service point), one MeterReading per meter (titled with its serial number, so the
// importer can put the data back on the right meter), one ReadingType each, IntervalBlocks by UTC day.
// ESPI values are integers: each meter's values are written in the ESPI unit (Wh, ft³, US gal, therm) with a
// powerOfTenMultiplier of -k, k the fewest decimals that keep every value exact (at most 9).
import { type Dec, dec } from '../decimal.js';

export type MeterUnit = 'gal' | 'kgal' | 'ccf' | 'cf' | 'kWh' | 'therm';

export interface GbExportMeter {
  serial: string;
  unit: MeterUnit;
  intervals: { startMs: number; seconds: number; value: string }[];
}

export interface GbExportInput {
  servicePointId: string;
  serviceType: string;
  title: string;
  /** the utility's standard offset from UTC, seconds (LocalTimeParameters.tzOffset) */
  tzOffsetSeconds: number;
  /** how far daylight saving time moves the clock, seconds (0: none); the rules written are the US ones */
  dstOffsetSeconds?: number;
  updatedMs: number;
  meters: GbExportMeter[];
}

// meter unit -> ESPI uom code and the factor from the meter unit to it
const ESPI_UNIT: Record<MeterUnit, { uom: number; factor: bigint }> = {
  kWh: { uom: 72, factor: 1000n },
  gal: { uom: 128, factor: 1n },
  kgal: { uom: 128, factor: 1000n },
  cf: { uom: 119, factor: 1n },
  ccf: { uom: 119, factor: 100n },
  therm: { uom: 169, factor: 1n },
};
// ESPI ServiceKind: 0 electricity, 1 gas, 2 water, 5 refuse, 6 sewerage
const SERVICE_KIND: Record<string, number> = { electric: 0, gas: 1, water: 2, trash: 5, sewer: 6 };

const esc = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The smallest k (0..9) for which every value × 10^k is a whole number. */
function decimalsNeeded(values: Dec[]): number {
  let k = 0;
  for (const v of values) {
    let frac = v % 10n ** 9n;
    if (frac < 0n) frac = -frac;
    if (frac === 0n) continue;
    let digits = 9;
    while (frac % 10n === 0n) {
      frac /= 10n;
      digits--;
    }
    k = Math.max(k, digits);
  }
  return k;
}

export function buildGreenButtonXml(x: GbExportInput): string {
  const base = `/espi/1_1/resource/RetailCustomer/cisflow/UsagePoint/${encodeURIComponent(x.servicePointId)}`;
  const updated = iso(x.updatedMs);
  const entry = (id: string, links: [string, string][], title: string, content: string) =>
    `  <entry>\n    <id>urn:cisflow:${esc(id)}</id>\n${links
      .map(([rel, href]) => `    <link rel="${rel}" href="${esc(href)}"/>`)
      .join('\n')}\n    <title>${esc(title)}</title>\n    <content>\n${content}\n    </content>\n` +
    `    <published>${updated}</published>\n    <updated>${updated}</updated>\n  </entry>`;
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:espi="http://naesb.org/espi">',
    `  <id>urn:cisflow:green-button:${esc(x.servicePointId)}</id>`,
    `  <title>${esc(x.title)}</title>`,
    `  <updated>${updated}</updated>`,
    `  <link rel="self" href="${esc(base)}"/>`,
    entry(
      `${x.servicePointId}`,
      [
        ['self', base],
        ['up', '/espi/1_1/resource/RetailCustomer/cisflow/UsagePoint'],
        ['related', `${base}/MeterReading`],
        ['related', '/espi/1_1/resource/LocalTimeParameters/1'],
      ],
      x.title,
      `      <espi:UsagePoint>\n        <espi:ServiceCategory>\n          <espi:kind>${SERVICE_KIND[x.serviceType] ?? 2}</espi:kind>\n        </espi:ServiceCategory>\n      </espi:UsagePoint>`,
    ),
    entry(
      'LocalTimeParameters:1',
      [
        ['self', '/espi/1_1/resource/LocalTimeParameters/1'],
        ['up', '/espi/1_1/resource/LocalTimeParameters'],
      ],
      'Utility time zone',
      `      <espi:LocalTimeParameters>\n        <espi:dstEndRule>B40E2000</espi:dstEndRule>\n        <espi:dstOffset>${x.dstOffsetSeconds ?? 0}</espi:dstOffset>\n        <espi:dstStartRule>360E2000</espi:dstStartRule>\n        <espi:tzOffset>${x.tzOffsetSeconds}</espi:tzOffset>\n      </espi:LocalTimeParameters>`,
    ),
  ];
  x.meters.forEach((m, mi) => {
    const n = mi + 1;
    const mr = `${base}/MeterReading/${n}`;
    const rt = `/espi/1_1/resource/ReadingType/${encodeURIComponent(x.servicePointId)}-${n}`;
    const { uom, factor } = ESPI_UNIT[m.unit];
    const values = m.intervals.map((i) => (dec(i.value) * factor) as Dec);
    const k = decimalsNeeded(values);
    const scale = 10n ** BigInt(9 - k);
    const seconds = m.intervals[0]?.seconds ?? 0;
    out.push(
      entry(
        `${x.servicePointId}:MeterReading:${n}`,
        [
          ['self', mr],
          ['up', `${base}/MeterReading`],
          ['related', `${mr}/IntervalBlock`],
          ['related', rt],
        ],
        m.serial,
        '      <espi:MeterReading/>',
      ),
      entry(
        `${x.servicePointId}:ReadingType:${n}`,
        [
          ['self', rt],
          ['up', '/espi/1_1/resource/ReadingType'],
        ],
        `${m.serial} usage`,
        `      <espi:ReadingType>\n        <espi:accumulationBehaviour>4</espi:accumulationBehaviour>\n        <espi:commodity>${uom === 72 ? 1 : uom === 169 ? 7 : 9}</espi:commodity>\n        <espi:flowDirection>1</espi:flowDirection>\n        <espi:intervalLength>${seconds}</espi:intervalLength>\n        <espi:kind>12</espi:kind>\n        <espi:powerOfTenMultiplier>${-k}</espi:powerOfTenMultiplier>\n        <espi:uom>${uom}</espi:uom>\n      </espi:ReadingType>`,
      ),
    );
    // one IntervalBlock per UTC day
    const days = new Map<number, number[]>();
    m.intervals.forEach((iv, i) => {
      const day = Math.floor(iv.startMs / 86_400_000);
      const list = days.get(day) ?? [];
      list.push(i);
      days.set(day, list);
    });
    let b = 0;
    for (const [day, idxs] of [...days].sort((a, c) => a[0] - c[0])) {
      b++;
      const readings = idxs
        .map((i) => {
          const iv = m.intervals[i]!;
          return `        <espi:IntervalReading>\n          <espi:timePeriod>\n            <espi:duration>${iv.seconds}</espi:duration>\n            <espi:start>${Math.floor(iv.startMs / 1000)}</espi:start>\n          </espi:timePeriod>\n          <espi:value>${values[i]! / scale}</espi:value>\n        </espi:IntervalReading>`;
        })
        .join('\n');
      const first = m.intervals[idxs[0]!]!;
      const last = m.intervals[idxs[idxs.length - 1]!]!;
      const span = Math.floor((last.startMs + last.seconds * 1000 - first.startMs) / 1000);
      out.push(
        entry(
          `${x.servicePointId}:IntervalBlock:${n}:${day}`,
          [
            ['self', `${mr}/IntervalBlock/${b}`],
            ['up', `${mr}/IntervalBlock`],
          ],
          '',
          `      <espi:IntervalBlock>\n        <espi:interval>\n          <espi:duration>${span}</espi:duration>\n          <espi:start>${Math.floor(first.startMs / 1000)}</espi:start>\n        </espi:interval>\n${readings}\n      </espi:IntervalBlock>`,
        ),
      );
    }
  });
  out.push('</feed>', '');
  return out.join('\n');
}
