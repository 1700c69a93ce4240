// Open Water Rate Specification (.owrs YAML) -> native tariff, for one customer class.
// The class's `bill` formula decides which charges are billed (default: service_charge + commodity_charge).
// A value that `depends_on` customer facts is resolved from `params` (e.g. meter_type, pressure_zone);
// a service charge by meter size alone becomes a by-meter-size charge. Budget formulas (indoor/outdoor)
// are kept in `source` for the budget calculator; tiers refer to them as "100%" or "budget:indoor".
import { parse } from 'yaml';
import { type Dec, dec, decToString, divRoundHalfEven, ONE } from '../decimal.js';
import { parseTariff, type Tariff } from '../tariff.js';
import { ImportError } from './urdb.js';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => !!x && typeof x === 'object' && !Array.isArray(x);

export interface OwrsOptions {
  customerClass: string;
  /** customer facts that rates depend on: meter_size, meter_type, water_type, pressure_zone, … */
  params?: Record<string, string>;
}

export function parseOwrs(text: string): { metadata: Obj; classes: Record<string, Obj> } {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new ImportError('owrs', `is not valid YAML: ${(e as Error).message}`);
  }
  if (!isObj(doc) || !isObj(doc.metadata) || !isObj(doc.rate_structure)) {
    throw new ImportError('owrs', 'must have metadata and rate_structure');
  }
  const classes: Record<string, Obj> = {};
  for (const [name, body] of Object.entries(doc.rate_structure)) {
    // older files write a class as a list of single-key maps
    if (Array.isArray(body)) classes[name] = Object.assign({}, ...body.filter(isObj));
    else if (isObj(body)) classes[name] = body;
  }
  return { metadata: doc.metadata, classes };
}

const num = (v: unknown, path: string): string => {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  if (!/^-?\d*\.?\d+$/.test(s)) throw new ImportError(path, `expected a number, got ${JSON.stringify(v)}`);
  return s.startsWith('.') ? `0${s}` : s;
};

export function importOwrs(text: string, o: OwrsOptions): { tariff: Tariff; warnings: string[] } {
  const { metadata, classes } = parseOwrs(text);
  const cls = classes[o.customerClass];
  if (!cls) {
    throw new ImportError(
      'customerClass',
      `"${o.customerClass}" is not in this file; classes: ${Object.keys(classes).join(', ')}`,
    );
  }
  const base = `rate_structure.${o.customerClass}`;
  const params = o.params ?? {};
  const warnings: string[] = [];
  const field = (name: string) => cls[name] ?? cls[`${name}_commodity`];

  /** Resolves a value that may depend on customer facts. */
  const resolve = (v: unknown, path: string): unknown => {
    if (!isObj(v) || v.depends_on === undefined) return v;
    const deps = (Array.isArray(v.depends_on) ? v.depends_on : [v.depends_on]).map(String);
    const values = v.values as Obj;
    const missing = deps.filter((d) => params[d] === undefined);
    if (missing.length)
      throw new ImportError(
        path,
        `depends on ${missing.join(', ')}; give ${missing.map((d) => `${d}=…`).join(' ')}`,
      );
    const key = deps.map((d) => params[d]).join('|');
    if (!(key in values))
      throw new ImportError(
        path,
        `has no value for ${deps.join('|')} = ${key}; values: ${Object.keys(values).join(', ')}`,
      );
    return values[key];
  };

  const fixedCharge = (name: string, v: unknown, path: string) => {
    if (isObj(v) && v.depends_on !== undefined) {
      const deps = (Array.isArray(v.depends_on) ? v.depends_on : [v.depends_on]).map(String);
      if (deps[0] === 'meter_size' && params.meter_size === undefined) {
        // priced per meter size: keep the whole table; other dependencies (meter_type) are fixed by params
        const rest = deps.slice(1);
        const miss = rest.filter((d) => params[d] === undefined);
        if (miss.length)
          throw new ImportError(
            path,
            `depends on ${miss.join(', ')}; give ${miss.map((d) => `${d}=…`).join(' ')}`,
          );
        const suffix = rest.map((d) => `|${params[d]}`).join('');
        const bySize: Record<string, string> = {};
        for (const [k, a] of Object.entries(v.values as Obj)) {
          if (rest.length === 0) bySize[k.trim()] = num(a, `${path}.values["${k}"]`);
          else if (k.endsWith(suffix))
            bySize[k.slice(0, -suffix.length).trim()] = num(a, `${path}.values["${k}"]`);
        }
        if (!Object.keys(bySize).length)
          throw new ImportError(path, `has no meter sizes for ${rest.map((d) => params[d]).join('|')}`);
        return { type: 'fixed', name, byMeterSize: bySize };
      }
    }
    return { type: 'fixed', name, amount: num(resolve(v, path), path) };
  };

  /**
   * The tiers of a `Tiered` or `Budget` charge. The commodity charge reads `tier_starts`/`tier_prices`
   * (and `budget`); any other charge `X_charge` reads its own `X_tier_starts`/`X_tier_prices`/`X_budget`.
   * Starts follow RateParser (see docs/tariff-format.md, "OWRS tier starts"):
   * - Tiered: tier k covers (start_k - 1, start_{k+1} - 1], the first start counts as 0, so a native
   *   `from` is start - 1; `%` or named starts are an error (there is no budget).
   * - Budget: tier k covers (resolved_k, resolved_{k+1}]; `N%` is round-half-even(N/100 x budget) whole
   *   units. A constant budget (`sewer_budget: 10`) is resolved here; a formula budget (`indoor+outdoor`)
   *   is the customer's, given at rating time and rounded there (`roundBudget`).
   */
  const tieredCharge = (term: string, kind: 'Tiered' | 'Budget') => {
    const prefix = term === 'commodity_charge' ? '' : term.replace(/_charge$/, '_');
    const key = (k: string) => (prefix ? `${prefix}${k}` : k);
    const get = (k: string) => (prefix ? cls[key(k)] : field(k));
    const at = (k: string) => `${base}.${prefix ? key(k) : cls[k] !== undefined ? k : `${k}_commodity`}`;
    const starts = resolve(get('tier_starts'), at('tier_starts'));
    const prices = resolve(get('tier_prices'), at('tier_prices'));
    if (
      !Array.isArray(starts) ||
      !Array.isArray(prices) ||
      starts.length !== prices.length ||
      starts.length === 0
    ) {
      throw new ImportError(
        at('tier_starts'),
        `${key('tier_starts')} and ${key('tier_prices')} must be lists of the same length`,
      );
    }
    let budget: string | undefined;
    if (kind === 'Budget') {
      const b = resolve(get('budget'), at('budget'));
      if (typeof b === 'number' || (typeof b === 'string' && /^\s*-?\d*\.?\d+\s*$/.test(b)))
        budget = roundHalfEvenUnits(num(b, at('budget')));
      else if (prefix)
        throw new ImportError(
          at('budget'),
          b === undefined
            ? `${term} is a Budget charge but ${key('budget')} is not given`
            : `must be a number for a Budget ${term}; a formula budget is supported only for the commodity charge`,
        );
    }
    const tiers = starts.map((s, i) => {
      const path = `${at('tier_starts')}[${i}]`;
      const price = num(resolve(prices[i], `${at('tier_prices')}[${i}]`), `${at('tier_prices')}[${i}]`);
      if (kind === 'Tiered') {
        if (typeof s === 'string' && (s.trim().endsWith('%') || /^[a-z_]+$/.test(s.trim())))
          throw new ImportError(path, `"${s}" is a budget start, but ${term} is Tiered (not Budget)`);
        return { from: i === 0 ? '0' : minusOne(num(s, path)), price };
      }
      if (typeof s === 'string' && /^[a-z_]+$/.test(s.trim())) return { from: `budget:${s.trim()}`, price };
      if (typeof s === 'string' && s.trim().endsWith('%')) {
        const pct = num(s.trim().slice(0, -1), path);
        return { from: budget === undefined ? `${pct}%` : percentOfUnits(pct, budget), price };
      }
      return { from: i === 0 ? '0' : num(s, path), price };
    });
    return {
      type: 'volumetric',
      name:
        term === 'commodity_charge'
          ? 'Water'
          : term.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase()),
      tiers,
      ...(kind === 'Budget' ? { roundBudget: true, ...(budget !== undefined ? { budget } : {}) } : {}),
    };
  };

  const unit = typeof metadata.bill_unit === 'string' ? metadata.bill_unit : 'ccf';
  const billFormula = typeof cls.bill === 'string' ? cls.bill : 'service_charge+commodity_charge';
  const terms = billFormula
    .split('+')
    .map((t) => t.trim())
    .filter(Boolean);
  const components: unknown[] = [];
  for (const term of terms) {
    const path = `${base}.${term}`;
    const v = field(term);
    if (v === undefined)
      throw new ImportError(`${base}.bill`, `names ${term}, which the class does not define`);
    const label = term.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
    if (v === 'Tiered' || v === 'Budget') {
      components.push(tieredCharge(term, v));
      continue;
    }
    if (typeof v === 'string' && /\*\s*usage_(ccf|kgal|gal|af)$/.test(v)) {
      // "<price or field> * usage_ccf": a uniform price per unit
      const factor = v.split('*')[0]!.trim();
      const p = /^[\d.]+$/.test(factor)
        ? factor
        : num(resolve(cls[factor] ?? cls[`${factor}_commodity`], `${base}.${factor}`), `${base}.${factor}`);
      components.push({
        type: 'volumetric',
        name: term === 'commodity_charge' ? 'Water' : label,
        tiers: [{ from: '0', price: p }],
      });
      continue;
    }
    if (typeof v === 'number' || isObj(v)) {
      components.push(fixedCharge(label, v, path));
      continue;
    }
    throw new ImportError(path, `formula "${String(v)}" is not supported`);
  }
  // RateParser bills only what the bill formula names; a charge left out is reported, not billed
  for (const [k, x] of Object.entries(cls)) {
    if (!/(_charge|_surcharge)(_commodity)?$/.test(k) || terms.includes(k.replace(/_commodity$/, '')))
      continue;
    if (x === undefined || x === null || x === 0 || x === '0' || Number(x) === 0) continue;
    warnings.push(`${base}.${k} is ${isObj(x) ? 'set' : String(x)} but not in the bill formula; not billed`);
  }
  const budget = Object.fromEntries(
    ['indoor', 'outdoor', 'budget', 'gpcd', 'landscape_factor', 'days_in_period']
      .map((k) => [k, field(k)])
      .filter(([, x]) => x !== undefined),
  );
  const tariff = parseTariff(
    {
      schema: 'cisflow.tariff/1',
      name: `${String(metadata.utility_name ?? 'OWRS').trim()} ${o.customerClass}`,
      service: 'water',
      unit,
      components,
      source: {
        format: 'owrs',
        utility: metadata.utility_name,
        effectiveDate: effectiveDate(metadata.effective_date),
        billFrequency: metadata.bill_frequency,
        customerClass: o.customerClass,
        ...(Object.keys(budget).length ? { budget } : {}),
      },
    },
    { preview: true },
  );
  return { tariff, warnings };
}

/** A decimal string minus one (RateParser's Tiered starts are the first unit of the tier). */
function minusOne(s: string): string {
  return decToString((dec(s) - ONE) as Dec);
}

/** R's round(): half to even, to whole units. */
export function roundHalfEvenUnits(s: string): string {
  return decToString((divRoundHalfEven(dec(s), ONE) * ONE) as Dec);
}

/** round-half-even(pct / 100 x budget), whole units */
function percentOfUnits(pct: string, budget: string): string {
  return decToString((divRoundHalfEven(dec(pct) * dec(budget), 100n * ONE * ONE) * ONE) as Dec);
}

/** OWRS dates come as 2016-01-01 or 03/01/2017 (month/day/year). */
export function effectiveDate(v: unknown): string | undefined {
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v !== 'string') return undefined;
  const us = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(v);
  return us ? `${us[3]}-${us[1]}-${us[2]}` : /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined;
}
