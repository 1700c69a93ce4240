// Net energy metering and net billing, worked by hand (the arithmetic is in each comment).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import {
  EMPTY_NEM_STATE,
  type NemSettings,
  parseNemSettings,
  rateNemMonth,
} from '../../domain/net-metering.js';
import { type Interval, rate } from '../../domain/rate-engine.js';
import { parseTariff } from '../../domain/tariff.js';

const mk = (components: unknown[]) =>
  parseTariff({ schema: 'cisflow.tariff/1', name: 'E', service: 'electric', unit: 'kWh', components });
const fixed = { type: 'fixed', name: 'Basic', amount: '10.00' };
const flatT = mk([fixed, { type: 'volumetric', name: 'Energy', tiers: [{ from: '0', price: '0.20' }] }]);
const sched = Array.from({ length: 12 }, () => Array.from({ length: 24 }, (_, h) => (h < 12 ? 0 : 1)));
const touT = mk([
  fixed,
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
]);
const v = (t: ReturnType<typeof mk>) => [{ id: 'rv', effectiveFrom: '2000-01-01', tariff: t }];
const at = (day: string, h: number, kwh: string): Interval => ({
  start: `${day}T${String(h).padStart(2, '0')}:00`,
  minutes: 60,
  value: dec(kwh),
});
const month = (m: string, last: string) => ({ periodStart: `2026-${m}-01`, periodEnd: `2026-${m}-${last}` });
const OCT = month('10', '31');
const NOV = month('11', '30');
const DEC = month('12', '31');
const settings = (s: Record<string, unknown>): NemSettings => parseNemSettings(s);

describe('net metering, kWh credits', () => {
  const nem = settings({ mode: 'nem_kwh', yearEndSellRate: '0.05' });
  const imports = [at('2026-10-05', 1, '100'), at('2026-10-05', 13, '50')];
  const exports = [at('2026-10-05', 2, '30'), at('2026-10-05', 14, '80')];

  it('nets per TOU period and banks the surplus: off-peak 100 - 30 = 70 x 0.10 + 10.00 = $17.00, 30 on-peak kWh banked', () => {
    const r = rateNemMonth(v(touT), { ...OCT, intervals: imports }, exports, nem);
    expect(r.totalCents).toBe(1700);
    expect(r.state).toEqual({ kwhBank: { 'on-peak': '30' }, creditCents: 0 });
  });

  it('the bank offsets the same period next month: 50 on-peak - 30 banked = 20 x 0.30 + 10.00 = $16.00', () => {
    const r = rateNemMonth(v(touT), { ...NOV, intervals: [at('2026-11-02', 13, '50')] }, [], nem, {
      kwhBank: { 'on-peak': '30' },
      creditCents: 0,
    });
    expect(r.totalCents).toBe(1600);
    expect(r.state.kwhBank).toEqual({});
  });

  it('true-up in December pays the bank at the year-end rate: 10.00 - 30 x 0.05 = $8.50; or it rolls over', () => {
    const bank = { kwhBank: { 'on-peak': '30' }, creditCents: 0 };
    const r = rateNemMonth(v(touT), { ...DEC, intervals: [] }, [], nem, bank);
    expect(r.lines.map((l) => [l.component, l.amountCents])).toEqual([
      ['Basic', 1000],
      ['Net metering true-up', -150],
    ]);
    expect(r.totalCents).toBe(850);
    expect(r.state).toEqual({ kwhBank: {}, creditCents: 0 });
    const roll = settings({ mode: 'nem_kwh', rollOverAtTrueUp: true });
    const kept = rateNemMonth(v(touT), { ...DEC, intervals: [] }, [], roll, bank);
    expect(kept.totalCents).toBe(1000);
    expect(kept.state.kwhBank).toEqual({ 'on-peak': '30' });
    // a true-up month set to October pays in October instead
    const oct = settings({ mode: 'nem_kwh', yearEndSellRate: '0.05', trueUpMonth: 10 });
    expect(rateNemMonth(v(touT), { ...OCT, intervals: [] }, [], oct, bank).totalCents).toBe(850);
  });
});

describe('net metering, $ credits', () => {
  const nem = settings({ mode: 'nem_dollar' });
  it('a surplus is credited at the buy rate: 17.00 - 30 on-peak x 0.30 = $8.00', () => {
    const r = rateNemMonth(
      v(touT),
      { ...OCT, intervals: [at('2026-10-05', 1, '100'), at('2026-10-05', 13, '50')] },
      [at('2026-10-05', 2, '30'), at('2026-10-05', 14, '80')],
      nem,
    );
    expect(r.totalCents).toBe(800);
  });

  it('a credit beyond the bill carries: 17.00 - 150 x 0.30 = -28.00 -> $0 and $28.00 carried; next month 25.00 - 25.00', () => {
    const r = rateNemMonth(
      v(touT),
      { ...OCT, intervals: [at('2026-10-05', 1, '100'), at('2026-10-05', 13, '50')] },
      [at('2026-10-05', 2, '30'), at('2026-10-05', 14, '200')],
      nem,
    );
    expect(r.totalCents).toBe(0);
    expect(r.state.creditCents).toBe(2800);
    expect(r.lines.at(-1)).toMatchObject({ component: 'Credit carried forward', amountCents: 2800 });
    // November: 10.00 + 50 on-peak x 0.30 = 25.00, all paid from the 28.00 credit; 3.00 left
    const n = rateNemMonth(v(touT), { ...NOV, intervals: [at('2026-11-02', 13, '50')] }, [], nem, r.state);
    expect(n.totalCents).toBe(0);
    expect(n.state.creditCents).toBe(300);
  });
});

describe('net billing', () => {
  const nb = settings({ mode: 'net_billing', sellRates: { '*': '0.05' } });
  const day = '2026-10-05';
  const imports = [at(day, 1, '10'), at(day, 2, '2')];
  const exports = [at(day, 1, '4'), at(day, 2, '5'), at(day, 3, '10')];

  it('nets each interval and credits net exports at the sell rate: 11.20 - 13 x 0.05 = $10.55', () => {
    // hour 1: 10 - 4 = 6 billed; hour 2: 2 - 5 = 3 exported; hour 3: 10 exported. 10.00 + 6 x 0.20 = 11.20
    const r = rateNemMonth(v(flatT), { ...OCT, intervals: imports }, exports, nb);
    expect(r.lines.map((l) => [l.component, l.quantity, l.amountCents])).toEqual([
      ['Basic', '1', 1000],
      ['Energy', '6', 120],
      ['Export credit', '13', -65],
    ]);
    expect(r.totalCents).toBe(1055);
  });

  it('a sell-rate time series wins where given: hour 2 at 0.10: 11.20 - (3 x 0.10 + 10 x 0.05) = $10.40', () => {
    const series = settings({
      mode: 'net_billing',
      sellRates: { '*': '0.05' },
      sellSeries: { '2026-10-05T02:00': '0.10' },
    });
    expect(rateNemMonth(v(flatT), { ...OCT, intervals: imports }, exports, series).totalCents).toBe(1040);
  });

  it('$ carry-over held for the next bill, and credits that expire at true-up', () => {
    const held = settings({ mode: 'net_billing', sellRates: { '*': '0.05' }, creditsApplySameMonth: false });
    const r = rateNemMonth(v(flatT), { ...OCT, intervals: imports }, exports, held);
    expect(r.totalCents).toBe(1120); // the 0.65 is not taken off this bill
    expect(r.state.creditCents).toBe(65);
    // November, no solar, 10 kWh: 10.00 + 2.00 - 0.65 = 11.35
    const n = rateNemMonth(v(flatT), { ...NOV, intervals: [at('2026-11-02', 1, '10')] }, [], held, r.state);
    expect(n.totalCents).toBe(1135);
    // December is the true-up: what is left expires
    const exp = settings({ mode: 'net_billing', sellRates: { '*': '0.05' }, creditsExpire: 'true_up' });
    const big = rateNemMonth(v(flatT), { ...DEC, intervals: [] }, [at('2026-12-01', 12, '400')], exp);
    expect(big.totalCents).toBe(0); // 10.00 - 400 x 0.05 = -10.00 -> 0
    expect(big.state.creditCents).toBe(0);
    // the 10.00 went to the carried balance on this bill (a nem_carry line) and expired with the true-up
    expect(big.carryCents).toBe(1000);
    expect(big.expiredCents).toBe(1000);
  });

  it('buy all / sell all: 12 kWh x 0.20 + 10.00 - 19 x 0.05 = $11.45', () => {
    const s = settings({ mode: 'buy_all_sell_all', sellRates: { '*': '0.05' } });
    expect(rateNemMonth(v(flatT), { ...OCT, intervals: imports }, exports, s).totalCents).toBe(1145);
  });

  it('with no export, net billing equals the plain bill (random profiles, TOU and demand)', () => {
    const t = mk([
      fixed,
      touT.components[1] as object,
      { type: 'demand', name: 'Demand', tiers: [{ from: '0', price: '4.25' }] },
    ]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 72 }), (xs) => {
        const intervals = xs.map((x, i) => ({
          start: `2026-10-${String(5 + Math.floor(i / 24)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00`,
          minutes: 60,
          value: dec((x / 100).toFixed(2)),
        }));
        const plain = rate(v(t), { ...OCT, intervals }).totalCents;
        return rateNemMonth(v(t), { ...OCT, intervals }, [], nb).totalCents === plain;
      }),
    );
  });
});

describe('from register reads (delivered and received registers)', () => {
  const nem = settings({ mode: 'nem_dollar' });
  it('nets the month: 300 delivered - 420 received = 120 kWh surplus x 0.20 = $24.00 credit; 10.00 bill is 0, 14.00 carried', () => {
    const r = rateNemMonth(v(flatT), { ...OCT, usage: dec('300') }, [at('2026-10-01', 0, '420')], nem);
    expect(r.lines.map((l) => [l.component, l.kind, l.amountCents])).toEqual([
      ['Basic', 'fixed', 1000],
      ['Energy', 'volumetric', 0],
      ['Net metering credit', 'nem_credit', -2400],
      ['Credit carried forward', 'nem_carry', 1400],
    ]);
    expect(r.totalCents).toBe(0);
    expect(r.state.creditCents).toBe(1400);
    expect(r.carryCents).toBe(1400);
    expect(r.exportedKwh).toBe('420');
    // November: 200 delivered, nothing received: 10.00 + 40.00 = 50.00 - 14.00 carried = $36.00
    const n = rateNemMonth(v(flatT), { ...NOV, usage: dec('200') }, [], nem, r.state);
    expect(n.totalCents).toBe(3600);
    expect(n.carryCents).toBe(-1400);
    expect(n.state.creditCents).toBe(0);
  });

  it('refuses what needs intervals, saying why', () => {
    expect(() => rateNemMonth(v(touT), { ...OCT, usage: dec('300') }, [], nem)).toThrow(
      /time-of-use energy charges, which need interval data/,
    );
    const nb = settings({ mode: 'net_billing', sellRates: { '*': '0.05' } });
    expect(() => rateNemMonth(v(flatT), { ...OCT, usage: dec('300') }, [], nb)).toThrow(/nets each interval/);
    const demandT = mk([fixed, { type: 'demand', name: 'Demand', tiers: [{ from: '0', price: '4.25' }] }]);
    expect(() => rateNemMonth(v(demandT), { ...OCT, usage: dec('300') }, [], nem)).toThrow(/demand read/);
    // with a demand read it bills: 10.00 + 12 kW x 4.25 = 61.00
    expect(
      rateNemMonth(v(demandT), { ...OCT, usage: dec('300'), demandKw: dec('12') }, [], nem).totalCents,
    ).toBe(6100);
  });
});

describe('settings', () => {
  it('an invalid setting is refused with the field named', () => {
    expect(() => parseNemSettings({ mode: 'nem_kwh', trueUpMonth: 13, yearEndSellRate: '0.05' })).toThrow(
      /netMetering\.trueUpMonth: must be a month from 1 to 12/,
    );
    expect(() => parseNemSettings({ mode: 'net_billing' })).toThrow(/netMetering\.sellRates/);
    expect(() => parseNemSettings({ mode: 'solar' })).toThrow(/netMetering\.mode/);
    expect(() => parseNemSettings({ mode: 'nem_kwh' })).toThrow(/netMetering\.yearEndSellRate/);
    expect(parseNemSettings({ mode: 'nem_dollar' })).toMatchObject({
      trueUpMonth: 12,
      creditsApplySameMonth: true,
    });
    expect(EMPTY_NEM_STATE).toEqual({ kwhBank: {}, creditCents: 0 });
  });
});
