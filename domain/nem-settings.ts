// Net metering settings of a tariff (`netMetering`), validated with the field at fault named. Kept apart
// from the netting arithmetic (net-metering.ts) so the tariff parser can validate them without a cycle.
import { dec } from './decimal.js';
import { TariffError } from './tariff-error.js';

export type NemMode = 'nem_kwh' | 'nem_dollar' | 'net_billing' | 'buy_all_sell_all';

export interface NemSettings {
  mode: NemMode;
  /** 1..12, default 12 */
  trueUpMonth: number;
  /** $/kWh paid for the kWh bank left at true-up (nem_kwh) */
  yearEndSellRate?: string;
  rollOverAtTrueUp?: boolean;
  /** $/kWh for exports by TOU period name (net billing, buy all / sell all); `*` for all periods */
  sellRates?: Record<string, string>;
  /** $/kWh by interval start ("YYYY-MM-DDTHH:MM"): wins over sellRates where given */
  sellSeries?: Record<string, string>;
  creditsApplySameMonth: boolean;
  creditsExpire: 'true_up' | 'never';
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => !!x && typeof x === 'object' && !Array.isArray(x);
const MODES: NemMode[] = ['nem_kwh', 'nem_dollar', 'net_billing', 'buy_all_sell_all'];

function price(v: unknown, path: string): string {
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string') throw new TariffError(path, 'must be a decimal string such as "0.08"');
  try {
    dec(s);
  } catch (e) {
    throw new TariffError(path, (e as Error).message);
  }
  return s;
}

/**
 * Validates untrusted settings, naming the field at fault (`netMetering.trueUpMonth`). `trueUpMonth` is the
 * tariff's own when not given here; the two may not differ (one true-up a year).
 */
export function parseNemSettings(v: unknown, tariffTrueUpMonth?: number): NemSettings {
  const p = 'netMetering';
  if (!isObj(v)) throw new TariffError(p, 'must be an object');
  if (!MODES.includes(v.mode as NemMode))
    throw new TariffError(`${p}.mode`, `must be one of ${MODES.join(', ')}`);
  const trueUpMonth = v.trueUpMonth ?? tariffTrueUpMonth ?? 12;
  if (!Number.isInteger(trueUpMonth) || (trueUpMonth as number) < 1 || (trueUpMonth as number) > 12)
    throw new TariffError(`${p}.trueUpMonth`, 'must be a month from 1 to 12');
  if (tariffTrueUpMonth !== undefined && trueUpMonth !== tariffTrueUpMonth)
    throw new TariffError(`${p}.trueUpMonth`, `differs from the tariff's trueUpMonth (${tariffTrueUpMonth})`);
  const bool = (k: string, d: boolean) => {
    if (v[k] === undefined) return d;
    if (typeof v[k] !== 'boolean') throw new TariffError(`${p}.${k}`, 'must be true or false');
    return v[k] as boolean;
  };
  const rates = (k: string) => {
    if (v[k] === undefined) return undefined;
    if (!isObj(v[k])) throw new TariffError(`${p}.${k}`, 'must map names to prices');
    return Object.fromEntries(
      Object.entries(v[k] as Obj).map(([n, x]) => [n, price(x, `${p}.${k}["${n}"]`)]),
    );
  };
  const creditsExpire = v.creditsExpire ?? 'never';
  if (creditsExpire !== 'true_up' && creditsExpire !== 'never')
    throw new TariffError(`${p}.creditsExpire`, 'must be true_up or never');
  const s: NemSettings = {
    mode: v.mode as NemMode,
    trueUpMonth: trueUpMonth as number,
    ...(v.yearEndSellRate !== undefined
      ? { yearEndSellRate: price(v.yearEndSellRate, `${p}.yearEndSellRate`) }
      : {}),
    rollOverAtTrueUp: bool('rollOverAtTrueUp', false),
    ...(v.sellRates !== undefined ? { sellRates: rates('sellRates') } : {}),
    ...(v.sellSeries !== undefined ? { sellSeries: rates('sellSeries') } : {}),
    creditsApplySameMonth: bool('creditsApplySameMonth', true),
    creditsExpire,
  };
  if ((s.mode === 'net_billing' || s.mode === 'buy_all_sell_all') && !s.sellRates && !s.sellSeries)
    throw new TariffError(`${p}.sellRates`, `${s.mode} needs sellRates or sellSeries`);
  if (s.mode === 'nem_kwh' && !s.rollOverAtTrueUp && s.yearEndSellRate === undefined)
    throw new TariffError(
      `${p}.yearEndSellRate`,
      'nem_kwh needs a year-end sell rate unless credits roll over',
    );
  return s;
}
