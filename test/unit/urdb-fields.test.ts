// No URDB field is dropped silently: each is applied, descriptive, or warned on the preview and refused for
// live billing (source.unapplied).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importUrdb } from '../../domain/import/urdb.js';
import { previewBill } from '../../domain/preview.js';
import { parseTariff, TariffError, unappliedFields } from '../../domain/tariff.js';
import { FIXTURES } from '../support/fixtures.js';

const flat = (k: number) => Array.from({ length: 12 }, () => Array.from({ length: 24 }, () => k));
const simple = {
  name: 'Simple',
  fixedmonthlycharge: 10,
  energyratestructure: [[{ rate: 0.1, unit: 'kWh' }]],
  energyweekdayschedule: flat(0),
  energyweekendschedule: flat(0),
};
const refusal = (t: unknown) => {
  try {
    parseTariff(t);
  } catch (e) {
    return e as TariffError;
  }
  return null;
};

describe('URDB fields', () => {
  it('a plain rate has nothing unapplied and can be billed live', () => {
    const { tariff, warnings } = importUrdb(simple);
    expect(warnings).toEqual([]);
    expect(unappliedFields(tariff)).toEqual([]);
    expect(refusal(tariff)).toBeNull();
  });

  it('fields with a value cisflow does not apply are warned and the tariff is refused for live billing, naming them', () => {
    const { tariff, warnings } = importUrdb({
      ...simple,
      coincidentratestructure: [[{ rate: 3 }]],
      demandreactivepowercharge: 0.5,
    });
    expect(warnings).toEqual([
      'coincidentratestructure: coincident demand charges are not applied; not applied',
      'demandreactivepowercharge: reactive power (kVAR) charges are not applied; not applied',
    ]);
    const e = refusal(JSON.parse(JSON.stringify(tariff)));
    expect(e).toBeInstanceOf(TariffError);
    expect(e?.path).toBe('source.unapplied');
    expect(e?.message).toMatch(
      /coincidentratestructure, demandreactivepowercharge.*not used for live billing/,
    );
  });

  it('an unknown field with a value is warned, not dropped; zero and empty values change nothing', () => {
    const { tariff, warnings } = importUrdb({
      ...simple,
      brandnewcharge: 4,
      demandreactivepowercharge: 0,
      coincidentratestructure: [],
      energycomments: 'descriptive',
    });
    expect(warnings).toEqual(['brandnewcharge: is not a field cisflow knows; not applied']);
    expect(unappliedFields(tariff)).toEqual(['brandnewcharge']);
  });

  it('the preview shows the warnings and still bills: 100 kWh = 10.00 + 100 x 0.10 = $20.00', () => {
    const p = previewBill(
      { tariff: { ...simple, fixedchargeeaaddl: 3 }, format: 'urdb' },
      { from: '2026-10-01', to: '2026-10-31', usage: '100' },
    );
    expect(p.totalCents).toBe(2000);
    expect(p.warnings).toEqual([
      'fixedchargeeaaddl: charges for additional meters are not applied; not applied',
      'not applied, so refused for live billing: fixedchargeeaaddl',
    ]);
  });

  it('urdbv7 and RE-TOU still import and preview, and say what live billing refuses', () => {
    const v7 = importUrdb(JSON.parse(readFileSync(path.join(FIXTURES, 'urdb', 'urdbv7.json'), 'utf8')));
    expect(unappliedFields(v7.tariff)).toContain('dgrules');
    const tou = importUrdb(
      JSON.parse(
        readFileSync(path.join(FIXTURES, 'urdb', 'urdb_rate_618940545457a35a1c4097ec.json'), 'utf8'),
      ),
    );
    expect(unappliedFields(tou.tariff)).toEqual(['dgrules']);
  });
});
