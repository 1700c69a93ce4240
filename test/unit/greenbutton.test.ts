import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/index.js';
import { parseGreenButton, toRatingIntervals } from '../../domain/import/greenbutton.js';
import { ImportError } from '../../domain/import/urdb.js';
import { FIXTURES } from '../support/fixtures.js';

const GB = path.join(FIXTURES, 'greenbutton');
const read = (f: string) => readFileSync(path.join(GB, f), 'utf8');

describe('Green Button fixtures', () => {
  it('test_usage_data.xml: one electric usage point, 1,340 fifteen-minute readings in Wh, DST day included', () => {
    const { usagePoints, tzOffsetSeconds } = parseGreenButton(read('test_usage_data.xml'));
    expect(tzOffsetSeconds).toBe(-18000);
    expect(usagePoints).toHaveLength(1);
    const [m] = usagePoints[0]!.meterReadings;
    expect(usagePoints[0]).toMatchObject({ title: 'Front Electric Meter', serviceKind: 0 });
    expect(m).toMatchObject({ unit: 'Wh', uom: 72 });
    expect(m!.intervals).toHaveLength(1340);
    expect(m!.intervals[0]).toMatchObject({
      start: '2012-03-01T05:00:00.000Z',
      localStart: '2012-03-01T00:00',
      minutes: 15,
      value: '282',
      cost: 974,
    });
  });

  it('test_usage_data_01.xml: one day of 96 readings', () => {
    const m = parseGreenButton(read('test_usage_data_01.xml')).usagePoints[0]!.meterReadings[0]!;
    expect(m.intervals).toHaveLength(96);
    expect(toRatingIntervals(m)[0]).toEqual({ start: '2012-03-01T00:00', minutes: 15, value: '0.282' });
  });

  it('the customer statement feed parses, with no usage in it', () => {
    expect(parseGreenButton(read('retail_customer_statement_example.xml')).usagePoints).toEqual([]);
  });

  it('refuses broken XML clearly', () => {
    expect(() => parseGreenButton('<feed><entry></feed>')).toThrow(ImportError);
    expect(() => parseGreenButton('<notafeed/>')).toThrow(/no Atom <feed>/);
  });

  it('feeds the bill calculator: a day of usage on a flat kWh price', () => {
    const r = run([
      'rate',
      'preview',
      '--tariff',
      path.resolve('examples/tariff-electric-flat.json'),
      '--usage',
      path.join(GB, 'test_usage_data_01.xml'),
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    const kwh =
      parseGreenButton(read('test_usage_data_01.xml')).usagePoints[0]!.meterReadings[0]!.intervals.reduce(
        (n, i) => n + Number(i.value),
        0,
      ) / 1000;
    expect(out.lines[0].quantity).toBe(String(kwh));
    expect(out.period).toEqual({ from: '2012-03-01', to: '2012-03-01' });
  });
});
