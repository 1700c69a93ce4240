// `cisflow rate preview --year`: a generated year of hourly load plus generation, two CSV columns or two
// Green Button channels, rated month by month with net billing / net metering carried between months.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cisflow-cli-year-'));
const file = (name: string, body: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, body);
  return p;
};
const sched = Array.from({ length: 12 }, () => Array.from({ length: 24 }, (_, h) => (h < 12 ? 0 : 1)));
const tariffJson = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    schema: 'cisflow.tariff/1',
    name: 'Solar TOU',
    service: 'electric',
    unit: 'kWh',
    components: [
      { type: 'fixed', name: 'Basic', amount: '10.00' },
      {
        type: 'tou',
        name: 'Energy',
        weekday: sched,
        weekend: sched,
        periods: [
          { name: 'off-peak', tiers: [{ from: '0', price: '0.10' }] },
          { name: 'on-peak', tiers: [{ from: '0', price: '0.30' }] },
        ],
      },
    ],
    ...extra,
  });
const pad = (n: number) => String(n).padStart(2, '0');
/** Every hour of 2026: 1 kWh delivered; at noon `gen` kWh received. */
function yearCsv(gen: (month: number) => number) {
  const rows = ['start,minutes,delivered,received'];
  for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 3_600_000) {
    const d = new Date(t);
    const h = d.getUTCHours();
    const start = `${d.toISOString().slice(0, 11)}${pad(h)}:00`;
    rows.push(`${start},60,1,${h === 12 ? gen(d.getUTCMonth() + 1) : 0}`);
  }
  return `${rows.join('\n')}\n`;
}
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

describe('cisflow rate preview --year', () => {
  it('net billing, two CSV columns: each month 10.00 + days x (12 x 0.10 + 11 x 0.30 - 2 x 0.05)', () => {
    // noon nets 1 - 3 = -2 kWh: billed 0, 2 kWh credited at 0.05; a day is 4.50 - 0.10 = 4.40
    const tariff = file(
      'nb.json',
      tariffJson({ netMetering: { mode: 'net_billing', sellRates: { '*': '0.05' } } }),
    );
    const usage = file(
      'year.csv',
      yearCsv(() => 3),
    );
    const r = run(['rate', 'preview', '--year', '--tariff', tariff, '--usage', usage]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.netMetering).toBe('net_billing');
    expect(out.months.map((m: { period: { from: string } }) => m.period.from)).toEqual(
      DAYS.map((_, i) => `2026-${pad(i + 1)}-01`),
    );
    expect(out.months.map((m: { totalCents: number }) => m.totalCents)).toEqual(
      DAYS.map((d) => 1000 + 440 * d),
    );
    expect(out.months[1].period).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    // 12 x 10.00 + 365 x 4.40 = 1,726.00
    expect(out).toMatchObject({ totalCents: 172600, total: '1726.00', warnings: [] });
  });

  it('kWh net metering carries the on-peak bank month to month and pays it at the December true-up', () => {
    // Jan-Jun noon exports 31 kWh: on-peak nets 12 - 31 < 0 every day, so only off-peak bills and the bank
    // grows by 19 kWh a day; Jul-Dec no exports, the bank pays the on-peak kWh until it runs out.
    const nem = file('nem.json', JSON.stringify({ mode: 'nem_kwh', yearEndSellRate: '0.04' }));
    const tariff = file('plain.json', tariffJson());
    const usage = file(
      'nem.csv',
      yearCsv((m) => (m <= 6 ? 31 : 0)),
    );
    const r = run(['rate', 'preview', '--year', '--tariff', tariff, '--usage', usage, '--net-metering', nem]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    const totals = out.months.map((m: { totalCents: number }) => m.totalCents);
    // Jan-Jun: 10.00 + days x 12 x 0.10; bank after June = 181 days x 19 = 3,439 kWh
    expect(totals.slice(0, 6)).toEqual(DAYS.slice(0, 6).map((d) => 1000 + 120 * d));
    // Jul-Dec on-peak use 184 days x 12 = 2,208 kWh < 3,439: all banked; December pays 1,231 x 0.04 = 49.24,
    // 10.00 + 31 x 1.20 = 47.20 - 49.24 < 0: the bill is 0 (the rest carried)
    expect(totals.slice(6, 11)).toEqual(DAYS.slice(6, 11).map((d) => 1000 + 120 * d));
    expect(totals[11]).toBe(0);
    expect(out.totalCents).toBe(totals.reduce((a: number, b: number) => a + b, 0));
  });

  it('two Green Button channels (flowDirection 1 and 19) bill like the CSV', () => {
    const reading = (id: string, flow: number, values: (h: number) => number) => {
      const t0 = Date.UTC(2026, 6, 1) / 1000;
      const readings = Array.from(
        { length: 48 },
        (_, h) =>
          `<IntervalReading><timePeriod><duration>3600</duration><start>${t0 + h * 3600}</start></timePeriod><value>${values(h % 24)}</value></IntervalReading>`,
      ).join('');
      return `<entry><link rel="self" href="/UsagePoint/1/MeterReading/${id}"/><link rel="up" href="/UsagePoint/1/MeterReading"/><link rel="related" href="/ReadingType/${id}"/><content><MeterReading/></content></entry>
<entry><link rel="self" href="/ReadingType/${id}"/><content><ReadingType><flowDirection>${flow}</flowDirection><powerOfTenMultiplier>0</powerOfTenMultiplier><uom>72</uom></ReadingType></content></entry>
<entry><link rel="self" href="/UsagePoint/1/MeterReading/${id}/IntervalBlock/1"/><link rel="up" href="/UsagePoint/1/MeterReading/${id}/IntervalBlock"/><content><IntervalBlock>${readings}</IntervalBlock></content></entry>`;
    };
    const xml = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
<entry><link rel="self" href="/UsagePoint/1"/><content><UsagePoint><ServiceCategory><kind>0</kind></ServiceCategory></UsagePoint></content></entry>
${reading('d', 1, () => 1000)}${reading('r', 19, (h) => (h === 12 ? 3000 : 0))}</feed>`;
    const tariff = file(
      'nb2.json',
      tariffJson({ netMetering: { mode: 'net_billing', sellRates: { '*': '0.05' } } }),
    );
    const r = run(['rate', 'preview', '--year', '--tariff', tariff, '--usage', file('gb.xml', xml)]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    // two July days: 10.00 + 2 x 4.40 = 18.80; one month, so a warning says it is not a full year
    expect(out.months).toHaveLength(1);
    expect(out.totalCents).toBe(1880);
    expect(out.warnings).toEqual(['the usage covers 1 calendar months, not 12']);
  });

  it('refuses exports without net metering settings, and a bad setting, naming the field', () => {
    const usage = file('e.csv', 'start,delivered,received\n2026-07-01T12:00,1,3\n');
    const plain = file('p.json', tariffJson());
    const r = run(['rate', 'preview', '--year', '--tariff', plain, '--usage', usage]);
    expect(r).toMatchObject({ code: 2 });
    expect(r.out).toMatch(/netMetering/);
    const bad = file('b.json', tariffJson({ netMetering: { mode: 'nem_kwh', trueUpMonth: 13 } }));
    const r2 = run(['rate', 'preview', '--year', '--tariff', bad, '--usage', usage]);
    expect(r2.code).toBe(2);
    expect(r2.out).toMatch(/trueUpMonth/);
  });
});
