// OpenEI Utility Rate Database (URDB) rate -> native tariff. Accepts a rate object, an API response
// ({items:[…]}), or either one JSON-encoded inside a string (some downloads are double-encoded).
// Every field is accounted for (domain/import/urdb-fields.ts): applied, descriptive, or, when cisflow
// cannot apply its value, a warning plus an entry in `source.unapplied`, which parseTariff refuses for live
// billing. Nothing is dropped silently.
import { parseTariff, type Schedule, type Tariff, type Tier } from '../tariff.js';
import { hasEffect, URDB_APPLIED_FIELDS, URDB_INFO_FIELDS, URDB_UNAPPLIED_FIELDS } from './urdb-fields.js';

export class ImportError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'ImportError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => !!x && typeof x === 'object' && !Array.isArray(x);

/** URDB stores float32 values (0.070769 arrives as 0.07076899707…): keep 7 significant digits. */
function price(n: unknown, path: string): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new ImportError(path, 'must be a number');
  const s = Number(n.toPrecision(7)).toFixed(9).replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

const UNBOUNDED = 1e30;

/** URDB energy tier units -> what a tier's `max` is counted per (none: kWh in the billing period). */
const TIER_UNITS: Record<string, Tier['per'] | 'kWh'> = {
  kWh: 'kWh',
  'kWh/kW': 'kW',
  'kWh daily': 'day',
  'kWh/day': 'day',
};

/** Each period's sell rate: its tiers' `sell`, which must agree (cisflow credits exports per period). */
type SellRates = { rates: Record<string, string>; mixed: boolean; any: boolean } | null;
function sellRatesOf(structure: unknown[], names: string[]): SellRates {
  const rates: Record<string, string> = {};
  let mixed = false;
  let any = false;
  structure.forEach((p, i) => {
    const sells = (Array.isArray(p) ? p : []).map((t) => (isObj(t) ? Number(t.sell ?? 0) : 0));
    if (sells.some((x) => x !== 0)) any = true;
    if (new Set(sells).size > 1) mixed = true;
    rates[names[i] ?? `period ${i + 1}`] = price(sells[0] ?? 0, `energyratestructure[${i}][0].sell`);
  });
  return { rates, mixed, any };
}

/**
 * URDB `dgrules` as net metering settings (docs/tariff-format.md). Net billing (instantaneous) and buy all /
 * sell all credit exports at the periods' `sell` rates. Net metering banks kWh, but URDB gives no year-end
 * sell rate, and hourly net billing nets per hour, which cisflow does not: both preview (at a 0 rate, per
 * interval) and are refused for live billing until the rate says otherwise.
 */
function netMeteringOf(
  r: Record<string, unknown>,
  sell: SellRates,
  notApplied: (field: string, message: string) => void,
): Record<string, unknown> | undefined {
  const rules = typeof r.dgrules === 'string' ? r.dgrules : undefined;
  if (!rules) {
    if (sell?.any)
      notApplied(
        'energyratestructure.sell',
        'energyratestructure: sell rates without dgrules are not applied',
      );
    return undefined;
  }
  if (sell?.mixed)
    notApplied(
      'energyratestructure.sell',
      'energyratestructure: sell rates that differ by tier are not applied',
    );
  const sellRates = sell?.rates ?? { '*': '0' };
  switch (rules) {
    case 'Net Billing Instantaneous':
      return { mode: 'net_billing', sellRates };
    case 'Buy All Sell All':
      return { mode: 'buy_all_sell_all', sellRates };
    case 'Net Billing Hourly':
      notApplied(
        'dgrules',
        'dgrules "Net Billing Hourly": netting per hour is not applied (cisflow nets each interval)',
      );
      return { mode: 'net_billing', sellRates };
    case 'Net Metering':
      notApplied(
        'dgrules',
        'dgrules "Net Metering": URDB gives no year-end sell rate for the kWh left at true-up (previewed at 0; set netMetering.yearEndSellRate)',
      );
      return { mode: 'nem_kwh', yearEndSellRate: '0' };
    default:
      notApplied('dgrules', `dgrules "${rules}" is not applied`);
      return undefined;
  }
}

function tiersOf(rows: unknown, path: string): { tiers: Tier[]; units: string[] } {
  if (!Array.isArray(rows) || rows.length === 0)
    throw new ImportError(path, 'must be a non-empty list of tiers');
  let from = '0';
  let per: Tier['per'];
  const units: string[] = [];
  const tiers = rows.map((t, i) => {
    if (!isObj(t)) throw new ImportError(`${path}[${i}]`, 'must be an object');
    const rate = (t.rate as number | undefined) ?? 0;
    const adj = (t.adj as number | undefined) ?? 0;
    const tier: Tier = { from, price: price(rate + adj, `${path}[${i}].rate`), ...(per ? { per } : {}) };
    const unit = typeof t.unit === 'string' ? t.unit : 'kWh';
    units.push(unit);
    const max = t.max as number | undefined;
    if (max !== undefined && max < UNBOUNDED) {
      from = price(max, `${path}[${i}].max`);
      // a tier's max is in its own unit, so the next tier's start is counted per the same thing
      const p = TIER_UNITS[unit];
      per = p === 'kWh' ? undefined : p;
    } else if (i < rows.length - 1)
      throw new ImportError(`${path}[${i}].max`, 'only the last tier may be unbounded');
    return tier;
  });
  return { tiers, units };
}

function scheduleOf(v: unknown, path: string): Schedule {
  if (!Array.isArray(v) || v.length !== 12) throw new ImportError(path, 'must have 12 monthly rows');
  return v.map((row, m) => {
    if (!Array.isArray(row) || row.length !== 24)
      throw new ImportError(`${path}[${m}]`, 'must have 24 hourly entries');
    return row.map((x) => Math.round(Number(x)));
  });
}

export function unwrapUrdb(input: unknown): Obj {
  let v = input;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      throw new ImportError('urdb', 'is a string but not JSON');
    }
  }
  if (isObj(v) && Array.isArray(v.items)) {
    if (v.items.length !== 1)
      throw new ImportError('urdb.items', `holds ${v.items.length} rates; import one at a time`);
    v = v.items[0];
  }
  if (!isObj(v)) throw new ImportError('urdb', 'must be a URDB rate object');
  return v;
}

export function importUrdb(input: unknown): { tariff: Tariff; warnings: string[] } {
  const r = unwrapUrdb(input);
  const warnings: string[] = [];
  const unapplied: string[] = [];
  /** a field with a value cisflow does not apply: warned on the preview, refused for live billing */
  const notApplied = (field: string, message: string) => {
    if (!unapplied.includes(field)) unapplied.push(field);
    warnings.push(message);
  };
  const components: unknown[] = [];
  let sellRates: SellRates = null;
  const periodName = (i: number, n: number) => (n === 1 ? 'all hours' : `period ${i + 1}`);

  const fixed = r.fixedmonthlycharge ?? r.fixedchargefirstmeter;
  if (fixed !== undefined) {
    const units = (r.fixedchargeunits as string | undefined) ?? '$/month';
    if (units !== '$/month')
      throw new ImportError('fixedchargeunits', `"${units}" is not supported; only $/month`);
    if (Number(fixed) !== 0)
      components.push({
        type: 'fixed',
        name: 'Fixed monthly charge',
        amount: price(fixed, 'fixedmonthlycharge'),
      });
  }

  if (r.energyratestructure !== undefined) {
    const structure = r.energyratestructure as unknown[];
    if (!Array.isArray(structure) || structure.length === 0)
      throw new ImportError('energyratestructure', 'must be a non-empty list of periods');
    const periods = structure.map((p, i) => ({
      name: periodName(i, structure.length),
      ...tiersOf(p, `energyratestructure[${i}]`),
    }));
    const units = new Set(periods.flatMap((p) => p.units));
    for (const u of units)
      if (!(u in TIER_UNITS))
        throw new ImportError(
          'energyratestructure',
          `tier unit "${u}" is not supported; cisflow bills kWh, kWh/kW (hours use) and kWh daily tiers, mixed or not`,
        );
    const allPerKw = [...units].every((u) => u === 'kWh/kW');
    const anyPerKw = units.has('kWh/kW');
    const weekday = scheduleOf(r.energyweekdayschedule, 'energyweekdayschedule');
    const weekend = scheduleOf(r.energyweekendschedule, 'energyweekendschedule');
    const used = new Set([...weekday.flat(), ...weekend.flat()]);
    for (const k of used)
      if (k >= periods.length)
        throw new ImportError(
          'energyweekdayschedule',
          `names period ${k}, but only ${periods.length} are defined`,
        );
    if (periods.length === 1 && !anyPerKw) {
      // one period all year: an ordinary (possibly tiered) energy charge, billable from register reads
      components.push({ type: 'volumetric', name: 'Energy', tiers: periods[0]!.tiers });
    } else {
      components.push({
        type: 'tou',
        name: 'Energy',
        weekday,
        weekend,
        periods: periods.map(({ name, tiers }) => ({
          name,
          tiers: allPerKw ? tiers.map(({ from, price }) => ({ from, price })) : tiers,
        })),
        ...(allPerKw ? { tiersPerKw: true } : {}),
      });
    }
    sellRates = sellRatesOf(
      structure,
      periods.length === 1 && !anyPerKw ? ['*'] : periods.map((p) => p.name),
    );
  }
  const netMetering = netMeteringOf(r, sellRates, notApplied);

  const ratchet = ratchetOf(r);
  if (r.flatdemandstructure !== undefined) {
    const structure = r.flatdemandstructure as unknown[];
    const months = (r.flatdemandmonths as unknown[] | undefined)?.map((x) => Math.round(Number(x)));
    if (!Array.isArray(structure) || !months || months.length !== 12) {
      throw new ImportError('flatdemandmonths', 'must give a structure index for each of the 12 months');
    }
    structure.forEach((s, i) => {
      const inMonths = months.flatMap((k, m) => (k === i ? [m + 1] : []));
      if (inMonths.length === 0) return;
      const { tiers } = tiersOf(s, `flatdemandstructure[${i}]`);
      if (tiers.every((t) => Number(t.price) === 0)) return;
      components.push({
        type: 'demand',
        name: structure.length > 1 ? `Demand (${monthNames(inMonths)})` : 'Demand',
        tiers,
        months: inMonths,
        ...(ratchet ? { ratchet } : {}),
      });
    });
  }
  if (ratchet && !components.some((c) => (c as { ratchet?: unknown }).ratchet))
    notApplied(
      'lookbackPercent',
      'lookbackPercent: a demand ratchet without a flat demand charge is not applied',
    );

  if (r.demandratestructure !== undefined) {
    const structure = r.demandratestructure as unknown[];
    const periods = structure.map((p, i) => ({
      name: periodName(i, structure.length),
      tiers: tiersOf(p, `demandratestructure[${i}]`).tiers,
    }));
    components.push({
      type: 'demand',
      name: 'TOU demand',
      periods,
      weekday: scheduleOf(r.demandweekdayschedule, 'demandweekdayschedule'),
      weekend: scheduleOf(r.demandweekendschedule, 'demandweekendschedule'),
    });
  }

  const min = r.minmonthlycharge ?? r.mincharge;
  if (min !== undefined && Number(min) > 0) {
    const units = (r.minchargeunits as string | undefined) ?? '$/month';
    if (units !== '$/month')
      notApplied('minchargeunits', `minchargeunits "${units}" is not supported; minimum charge not imported`);
    else components.push({ type: 'minimum', name: 'Minimum charge', amount: price(min, 'minmonthlycharge') });
  }
  if (r.annualmincharge !== undefined && Number(r.annualmincharge) > 0) {
    // checked in the true-up month (December) against the year's bills before monthly top-ups
    components.push({
      type: 'minimum',
      name: 'Annual minimum charge',
      amount: price(r.annualmincharge, 'annualmincharge'),
      per: 'year',
    });
  }
  for (const k of ['demandunits', 'flatdemandunit', 'demandrateunit']) {
    if (r[k] !== undefined && r[k] !== 'kW')
      notApplied(k, `${k} "${String(r[k])}" is not applied: cisflow bills demand in kW`);
  }
  for (const [k, v] of Object.entries(r)) {
    if (URDB_INFO_FIELDS.has(k) || URDB_APPLIED_FIELDS.has(k) || unapplied.includes(k) || !hasEffect(v))
      continue;
    const why = URDB_UNAPPLIED_FIELDS[k] ?? 'is not a field cisflow knows';
    notApplied(k, `${k}: ${why}; not applied`);
  }
  if (components.length === 0) throw new ImportError('urdb', 'has no charges cisflow can import');

  const tariff = parseTariff(
    {
      schema: 'cisflow.tariff/1',
      name: typeof r.name === 'string' ? r.name : 'Imported URDB rate',
      service: 'electric',
      unit: 'kWh',
      ...(netMetering ? { netMetering } : {}),
      components,
      source: {
        format: 'urdb',
        ...(typeof r.label === 'string' ? { label: r.label } : {}),
        ...(typeof r.utility === 'string' ? { utility: r.utility } : {}),
        ...(typeof r.uri === 'string' ? { uri: r.uri } : {}),
        ...(typeof r.startdate === 'number'
          ? { startdate: new Date(r.startdate * 1000).toISOString().slice(0, 10) }
          : {}),
        ...(unapplied.length ? { unapplied } : {}),
      },
    },
    { preview: true },
  );
  return { tariff, warnings };
}

/**
 * URDB demand ratchet: lookbackPercent of the highest peak of the last lookbackRange months, counting the
 * months flagged in lookbackMonths. lookbackPercent is a fraction (0.8 = 80%) as URDB stores it; a value
 * above 1 is read as a percentage already.
 */
function ratchetOf(r: Obj): { percent: string; months: number; eligibleMonths?: number[] } | undefined {
  const pct = r.lookbackPercent;
  if (pct === undefined || pct === null || Number(pct) === 0) return undefined;
  if (typeof pct !== 'number' || pct < 0)
    throw new ImportError('lookbackPercent', 'must be a number from 0 to 1');
  const range = r.lookbackRange;
  if (!Number.isInteger(range) || (range as number) < 1 || (range as number) > 36)
    throw new ImportError(
      'lookbackRange',
      'must be a whole number of months (1 to 36) when lookbackPercent is set',
    );
  const flags = r.lookbackMonths;
  let eligibleMonths: number[] | undefined;
  if (flags !== undefined && flags !== null) {
    if (!Array.isArray(flags) || flags.length !== 12)
      throw new ImportError('lookbackMonths', 'must flag each of the 12 months');
    eligibleMonths = flags.flatMap((f, m) => (f === true || Number(f) === 1 ? [m + 1] : []));
    if (eligibleMonths.length === 12) eligibleMonths = undefined;
  }
  const percent = price(pct <= 1 ? pct * 100 : pct, 'lookbackPercent');
  return { percent, months: range as number, ...(eligibleMonths ? { eligibleMonths } : {}) };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const monthNames = (ms: number[]) => ms.map((m) => MONTHS[m - 1]).join(', ');
