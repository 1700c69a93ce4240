import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/index.js';
import { FIXTURES } from '../support/fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cisflow-cli-'));
const file = (name: string, body: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, body);
  return p;
};
const CAMBRIA = path.join(
  FIXTURES,
  'owrs/full_utility_rates/California/Cambria Community Services District - 491/03-01-2017.owrs',
);

describe('cisflow rate preview', () => {
  it('rates an OWRS tariff on usage from a JSON file', () => {
    const usage = file('u.json', JSON.stringify({ usage: '20' }));
    const r = run([
      'rate',
      'preview',
      '--tariff',
      CAMBRIA,
      '--usage',
      usage,
      '--class',
      'RESIDENTIAL_SINGLE',
      '--from',
      '2026-09-01',
      '--to',
      '2026-10-31',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      // 26.52 + 4 x 6.76 + 12 x 8.84 + 4 x 9.87 (OWRS Tiered starts are each tier's first unit)
      totalCents: 19912,
      total: '199.12',
      period: { from: '2026-09-01', to: '2026-10-31' },
    });
  });

  it('rates a native TOU tariff on an interval CSV, taking the period from the data', () => {
    const sched = Array.from({ length: 12 }, () =>
      Array.from({ length: 24 }, (_, h) => (h >= 17 && h < 20 ? 1 : 0)),
    );
    const tariff = file(
      't.json',
      JSON.stringify({
        schema: 'cisflow.tariff/1',
        name: 'TOU',
        service: 'electric',
        unit: 'kWh',
        components: [
          {
            type: 'tou',
            name: 'Energy',
            weekday: sched,
            weekend: sched,
            periods: [
              { name: 'off', tiers: [{ from: '0', price: '0.10' }] },
              { name: 'peak', tiers: [{ from: '0', price: '0.40' }] },
            ],
          },
        ],
      }),
    );
    const usage = file(
      'u.csv',
      'start,minutes,value\n2026-07-01T16:00,60,2\n2026-07-01T17:00,60,3\n2026-07-02T18:00,60,1.5\n',
    );
    const r = run(['rate', 'preview', '--tariff', tariff, '--usage', usage]);
    expect(r.code).toBe(0);
    // off-peak 2 kWh x 0.10 = 0.20; peak 4.5 kWh x 0.40 = 1.80
    expect(JSON.parse(r.out)).toMatchObject({
      totalCents: 200,
      period: { from: '2026-07-01', to: '2026-07-02' },
    });
  });

  it('fails with one clear line on bad input', () => {
    const usage = file('bad.json', JSON.stringify({ usage: 'lots', from: '2026-10-01', to: '2026-10-31' }));
    const r = run([
      'rate',
      'preview',
      '--tariff',
      CAMBRIA,
      '--usage',
      usage,
      '--class',
      'RESIDENTIAL_SINGLE',
    ]);
    expect(r).toEqual({ code: 2, out: 'cisflow: not a decimal number: "lots"' });
    expect(run(['rate', 'preview', '--tariff', CAMBRIA, '--usage', usage]).out).toMatch(
      /needs the customer class/,
    );
    expect(run(['rate', 'preview', '--tariff', '/nope.json', '--usage', usage]).out).toBe(
      'cisflow: no such file: /nope.json',
    );
    expect(run(['bill']).code).toBe(2);
  });
});
