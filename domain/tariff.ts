// cisflow's native tariff format (schema "cisflow.tariff/1"): what a rate schedule version charges.
// Documented in docs/tariff-format.md. `parseTariff` validates untrusted JSON and names the field at fault.
import { dec } from './decimal.js';
import { type NemSettings, parseNemSettings } from './nem-settings.js';
import { TariffError } from './tariff-error.js';

export { TariffError };

export const SERVICE_TYPES = ['water', 'sewer', 'electric', 'gas', 'trash'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

/**
 * A block tier starts at `from` units (per full period). A tier covers usage above its `from` up to the next
 * tier's `from`: with tiers at 0 and 5, the first 5 units (including the 5th) are tier 1 and unit 5.01 is tier 2.
 * `from` may be a number of units, a percentage of the customer's water budget ("100%"), or a named part of
 * that budget ("budget:indoor") for budget-based rates.
 */
export interface Tier {
  from: string;
  price: string;
  /**
   * `from` is per kW of the period's peak demand (hours use, URDB "kWh/kW") or per day of the billing
   * period (URDB "kWh/day"), instead of per full period. Tiers of different units may mix (block-step):
   * each start is worked out in units, then a start above a later one is cut down to it.
   */
  per?: 'kW' | 'day';
}

export interface Season {
  name: string;
  months: number[]; // 1..12
}

/** 12 rows (Jan..Dec) of 24 hourly period indexes, as in URDB. */
export type Schedule = number[][];

export type Component =
  | { type: 'fixed'; name: string; amount?: string; byMeterSize?: Record<string, string>; season?: string }
  | {
      type: 'volumetric';
      name: string;
      tiers: Tier[];
      /** own: this service's usage; water: the account's water usage (sewer); winter_average: water, capped at the winter average. */
      basis?: 'own' | 'water' | 'winter_average';
      season?: string;
      /** this charge's own budget (OWRS `sewer_budget: 10`); otherwise the customer's budget is used */
      budget?: string;
      /** OWRS Budget charges: the budget, its parts and `%` starts are rounded half-even to whole units */
      roundBudget?: boolean;
    }
  | {
      type: 'tou';
      name: string;
      weekday: Schedule;
      weekend: Schedule;
      periods: { name: string; tiers: Tier[] }[];
      /** Tier starts are hours of use: kWh per kW of the period's peak demand (URDB "kWh/kW"). */
      tiersPerKw?: boolean;
      season?: string;
    }
  | {
      type: 'demand';
      name: string;
      /** Flat demand: price per kW of the period's highest demand. */
      tiers?: Tier[];
      /** TOU demand: highest demand within each period. */
      weekday?: Schedule;
      weekend?: Schedule;
      periods?: { name: string; tiers: Tier[] }[];
      months?: number[];
      season?: string;
      /** billing demand is at least this many kW (flat demand) */
      minimumKw?: string;
      /** billing demand is at least `percent`% of the highest peak of the last `months` months (flat demand) */
      ratchet?: Ratchet;
    }
  | {
      type: 'minimum';
      name: string;
      amount: string;
      season?: string;
      /** `year`: an annual minimum, billed in the true-up month against the year's bills */
      per?: 'period' | 'year';
    }
  | { type: 'rider'; name: string; percent?: string; perUnit?: string; season?: string }
  | { type: 'tax'; name: string; percent: string; exemptFlag?: string; season?: string };

export interface Ratchet {
  percent: string;
  months: number;
  /** calendar months (1..12) whose peaks count; all when absent */
  eligibleMonths?: number[];
}

export interface Tariff {
  schema: 'cisflow.tariff/1';
  name: string;
  service: ServiceType;
  unit: string;
  seasons?: Season[];
  /** the month (1..12) of the annual true-up (annual minimum, net metering); December when absent */
  trueUpMonth?: number;
  /** days ("YYYY-MM-DD") that rate on the weekend TOU schedule */
  holidays?: string[];
  /** net metering / net billing for customers who export (domain/net-metering.ts) */
  netMetering?: NemSettings;
  components: Component[];
  source?: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => !!x && typeof x === 'object' && !Array.isArray(x);

function decimal(v: unknown, path: string, { allowPercent = false } = {}): string {
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string') throw new TariffError(path, 'must be a decimal string such as "3.62"');
  const body = allowPercent && s.endsWith('%') ? s.slice(0, -1) : s;
  try {
    dec(body);
  } catch (e) {
    throw new TariffError(path, (e as Error).message);
  }
  return s;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || !v.trim()) throw new TariffError(path, 'must be a non-empty string');
  return v;
}

function tiers(v: unknown, path: string): Tier[] {
  if (!Array.isArray(v) || v.length === 0)
    throw new TariffError(path, 'must be a non-empty list of {from, price}');
  let prev: bigint | null = null;
  let prevPct = false;
  let prevPer: unknown;
  return v.map((t, i) => {
    if (!isObj(t)) throw new TariffError(`${path}[${i}]`, 'must be an object {from, price}');
    if (t.per !== undefined && t.per !== 'kW' && t.per !== 'day')
      throw new TariffError(`${path}[${i}].per`, 'must be "kW" or "day"');
    const per = t.per as Tier['per'];
    if (per !== prevPer) prev = null; // starts of different units are not compared
    prevPer = per;
    if (typeof t.from === 'string' && /^budget:[a-z_]+$/.test(t.from)) {
      prev = null; // a named part of the budget (e.g. budget:indoor): its size is only known per customer
      return { from: t.from, price: decimal(t.price, `${path}[${i}].price`) };
    }
    const from = decimal(t.from, `${path}[${i}].from`, { allowPercent: true });
    const pct = from.endsWith('%');
    const n = dec(pct ? from.slice(0, -1) : from);
    if (i === 0 && n !== 0n) throw new TariffError(`${path}[0].from`, 'the first tier must start at 0');
    if (prev !== null && pct === prevPct && n <= prev)
      throw new TariffError(`${path}[${i}].from`, 'tiers must start in increasing order');
    prev = n;
    prevPct = pct;
    return { from, price: decimal(t.price, `${path}[${i}].price`), ...(per ? { per } : {}) };
  });
}

function schedule(v: unknown, path: string, periods: number): Schedule {
  if (!Array.isArray(v) || v.length !== 12)
    throw new TariffError(path, 'must have 12 rows (January to December)');
  return v.map((row, m) => {
    if (!Array.isArray(row) || row.length !== 24)
      throw new TariffError(`${path}[${m}]`, 'must have 24 hourly entries');
    return row.map((p, h) => {
      if (!Number.isInteger(p) || p < 0 || p >= periods)
        throw new TariffError(`${path}[${m}][${h}]`, `must be a period index from 0 to ${periods - 1}`);
      return p as number;
    });
  });
}

function periods(v: unknown, path: string) {
  if (!Array.isArray(v) || v.length === 0)
    throw new TariffError(path, 'must be a non-empty list of {name, tiers}');
  return v.map((p, i) => {
    if (!isObj(p)) throw new TariffError(`${path}[${i}]`, 'must be an object');
    return { name: str(p.name, `${path}[${i}].name`), tiers: tiers(p.tiers, `${path}[${i}].tiers`) };
  });
}

export interface ParseOptions {
  /**
   * Accept a tariff whose `source.unapplied` lists fields cisflow does not apply (an import), for previews
   * only. Without it such a tariff is refused, so live billing never bills one as if the fields were not there.
   */
  preview?: boolean;
}

/** The imported fields cisflow does not apply, as an import recorded them in `source.unapplied`. */
export function unappliedFields(t: Pick<Tariff, 'source'>): string[] {
  const u = t.source?.unapplied;
  return Array.isArray(u) ? u.map(String) : [];
}

export function parseTariff(input: unknown, opts: ParseOptions = {}): Tariff {
  if (!isObj(input)) throw new TariffError('tariff', 'must be a JSON object');
  if (isObj(input.source) && input.source.unapplied !== undefined) {
    const u = input.source.unapplied;
    if (!Array.isArray(u) || u.some((x) => typeof x !== 'string'))
      throw new TariffError('source.unapplied', 'must be a list of field names');
    if (u.length > 0 && !opts.preview)
      throw new TariffError(
        'source.unapplied',
        `the imported rate has fields cisflow does not apply (${u.join(', ')}); it can be previewed but not used for live billing`,
      );
  }
  if (input.schema !== 'cisflow.tariff/1') throw new TariffError('schema', 'must be "cisflow.tariff/1"');
  const service = input.service as ServiceType;
  if (!SERVICE_TYPES.includes(service))
    throw new TariffError('service', `must be one of ${SERVICE_TYPES.join(', ')}`);
  const seasons = input.seasons === undefined ? undefined : parseSeasons(input.seasons);
  const seasonNames = new Set(seasons?.map((s) => s.name));
  if (!Array.isArray(input.components) || input.components.length === 0) {
    throw new TariffError('components', 'must be a non-empty list');
  }
  const components = input.components.map((c, i): Component => {
    const p = `components[${i}]`;
    if (!isObj(c)) throw new TariffError(p, 'must be an object');
    const name = str(c.name, `${p}.name`);
    const season = c.season === undefined ? undefined : str(c.season, `${p}.season`);
    if (season && !seasonNames.has(season))
      throw new TariffError(`${p}.season`, `names no season declared in "seasons"`);
    switch (c.type) {
      case 'fixed': {
        if (c.amount === undefined && c.byMeterSize === undefined)
          throw new TariffError(p, 'needs amount or byMeterSize');
        const byMeterSize =
          c.byMeterSize === undefined ? undefined : sizeMap(c.byMeterSize, `${p}.byMeterSize`);
        return {
          type: 'fixed',
          name,
          amount: c.amount === undefined ? undefined : decimal(c.amount, `${p}.amount`),
          byMeterSize,
          season,
        };
      }
      case 'volumetric': {
        const basis = (c.basis ?? 'own') as 'own' | 'water' | 'winter_average';
        if (!['own', 'water', 'winter_average'].includes(basis))
          throw new TariffError(`${p}.basis`, 'must be own, water or winter_average');
        if (c.roundBudget !== undefined && typeof c.roundBudget !== 'boolean')
          throw new TariffError(`${p}.roundBudget`, 'must be true or false');
        return {
          type: 'volumetric',
          name,
          tiers: tiers(c.tiers, `${p}.tiers`),
          basis,
          season,
          ...(c.budget !== undefined ? { budget: decimal(c.budget, `${p}.budget`) } : {}),
          ...(c.roundBudget ? { roundBudget: true } : {}),
        };
      }
      case 'tou': {
        const ps = periods(c.periods, `${p}.periods`);
        return {
          type: 'tou',
          name,
          periods: ps,
          weekday: schedule(c.weekday, `${p}.weekday`, ps.length),
          weekend: schedule(c.weekend, `${p}.weekend`, ps.length),
          ...(c.tiersPerKw === true ? { tiersPerKw: true } : {}),
          ...(season ? { season } : {}),
        };
      }
      case 'demand': {
        if (c.periods !== undefined) {
          const ps = periods(c.periods, `${p}.periods`);
          return {
            type: 'demand',
            name,
            periods: ps,
            weekday: schedule(c.weekday, `${p}.weekday`, ps.length),
            weekend: schedule(c.weekend, `${p}.weekend`, ps.length),
            ...(season ? { season } : {}),
          };
        }
        const months = c.months === undefined ? undefined : monthList(c.months, `${p}.months`);
        return {
          type: 'demand',
          name,
          tiers: tiers(c.tiers, `${p}.tiers`),
          months,
          ...(season ? { season } : {}),
          ...(c.minimumKw !== undefined ? { minimumKw: decimal(c.minimumKw, `${p}.minimumKw`) } : {}),
          ...(c.ratchet !== undefined ? { ratchet: ratchet(c.ratchet, `${p}.ratchet`) } : {}),
        };
      }
      case 'minimum': {
        if (c.per !== undefined && c.per !== 'period' && c.per !== 'year')
          throw new TariffError(`${p}.per`, 'must be period or year');
        return {
          type: 'minimum',
          name,
          amount: decimal(c.amount, `${p}.amount`),
          ...(season ? { season } : {}),
          ...(c.per === 'year' ? { per: 'year' as const } : {}),
        };
      }
      case 'rider': {
        if ((c.percent === undefined) === (c.perUnit === undefined))
          throw new TariffError(p, 'needs exactly one of percent or perUnit');
        return c.percent !== undefined
          ? {
              type: 'rider',
              name,
              percent: decimal(c.percent, `${p}.percent`),
              ...(season ? { season } : {}),
            }
          : {
              type: 'rider',
              name,
              perUnit: decimal(c.perUnit, `${p}.perUnit`),
              ...(season ? { season } : {}),
            };
      }
      case 'tax':
        return {
          type: 'tax',
          name,
          percent: decimal(c.percent, `${p}.percent`),
          exemptFlag: c.exemptFlag === undefined ? undefined : str(c.exemptFlag, `${p}.exemptFlag`),
          ...(season ? { season } : {}),
        };
      default:
        throw new TariffError(`${p}.type`, 'must be fixed, volumetric, tou, demand, minimum, rider or tax');
    }
  });
  if (
    input.trueUpMonth !== undefined &&
    (!Number.isInteger(input.trueUpMonth) ||
      (input.trueUpMonth as number) < 1 ||
      (input.trueUpMonth as number) > 12)
  )
    throw new TariffError('trueUpMonth', 'must be a month from 1 to 12');
  if (
    input.holidays !== undefined &&
    (!Array.isArray(input.holidays) ||
      input.holidays.some((d) => typeof d !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(d)))
  )
    throw new TariffError('holidays', 'must be a list of dates like 2026-12-25');
  return {
    schema: 'cisflow.tariff/1',
    name: str(input.name, 'name'),
    service,
    unit: str(input.unit, 'unit'),
    seasons,
    ...(input.trueUpMonth !== undefined ? { trueUpMonth: input.trueUpMonth as number } : {}),
    ...(input.holidays !== undefined ? { holidays: input.holidays as string[] } : {}),
    ...(input.netMetering !== undefined
      ? { netMetering: parseNemSettings(input.netMetering, input.trueUpMonth as number | undefined) }
      : {}),
    components,
    ...(isObj(input.source) ? { source: input.source } : {}),
  };
}

function ratchet(v: unknown, path: string): Ratchet {
  if (!isObj(v)) throw new TariffError(path, 'must be {percent, months, eligibleMonths?}');
  const percent = decimal(v.percent, `${path}.percent`);
  if (!Number.isInteger(v.months) || (v.months as number) < 1 || (v.months as number) > 36)
    throw new TariffError(`${path}.months`, 'must be a whole number of months from 1 to 36');
  return {
    percent,
    months: v.months as number,
    ...(v.eligibleMonths !== undefined
      ? { eligibleMonths: monthList(v.eligibleMonths, `${path}.eligibleMonths`) }
      : {}),
  };
}

function monthList(v: unknown, path: string): number[] {
  if (!Array.isArray(v) || v.some((m) => !Number.isInteger(m) || m < 1 || m > 12))
    throw new TariffError(path, 'must list months 1 to 12');
  return v as number[];
}

function parseSeasons(v: unknown): Season[] {
  if (!Array.isArray(v)) throw new TariffError('seasons', 'must be a list of {name, months}');
  const seen = new Set<number>();
  return v.map((s, i) => {
    if (!isObj(s)) throw new TariffError(`seasons[${i}]`, 'must be an object');
    const months = monthList(s.months, `seasons[${i}].months`);
    for (const m of months) {
      if (seen.has(m)) throw new TariffError(`seasons[${i}].months`, `month ${m} is in two seasons`);
      seen.add(m);
    }
    return { name: str(s.name, `seasons[${i}].name`), months };
  });
}

function sizeMap(v: unknown, path: string): Record<string, string> {
  if (!isObj(v) || Object.keys(v).length === 0)
    throw new TariffError(path, 'must map meter sizes to amounts');
  return Object.fromEntries(Object.entries(v).map(([k, a]) => [k, decimal(a, `${path}["${k}"]`)]));
}
