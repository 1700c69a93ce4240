// What changed between two tariff versions, for staff reviewing a rate change: components added, removed
// or changed (matched by name), and each changed price or field as {path, from, to}.
import type { Tariff } from './tariff.js';

export interface FieldChange {
  path: string;
  from: unknown;
  to: unknown;
}

export interface TariffDiff {
  /** fields outside the components (name, unit, seasons, …) */
  fields: FieldChange[];
  added: string[];
  removed: string[];
  changed: { component: string; changes: FieldChange[] }[];
}

type Leaves = Map<string, unknown>;

/** Every leaf of a JSON value by its path ("tiers[1].price"). */
function leaves(v: unknown, path: string, out: Leaves): Leaves {
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) leaves(x, `${path}[${i}]`, out);
  } else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) leaves(x, path ? `${path}.${k}` : k, out);
  else out.set(path, v);
  return out;
}

function compare(a: unknown, b: unknown): FieldChange[] {
  const la = leaves(a, '', new Map());
  const lb = leaves(b, '', new Map());
  const paths = [...new Set([...la.keys(), ...lb.keys()])].sort();
  return paths
    .filter((p) => la.get(p) !== lb.get(p))
    .map((p) => ({ path: p, from: la.get(p) ?? null, to: lb.get(p) ?? null }));
}

/** Components are matched by name; a name used twice is told apart by its order among its namesakes. */
function byName(t: Tariff) {
  const seen = new Map<string, number>();
  const m = new Map<string, unknown>();
  for (const c of t.components) {
    const n = seen.get(c.name) ?? 0;
    seen.set(c.name, n + 1);
    m.set(n ? `${c.name} (${n + 1})` : c.name, c);
  }
  return m;
}

export function diffTariffs(from: Tariff, to: Tariff): TariffDiff {
  const { components: _a, source: _sa, ...fa } = from;
  const { components: _b, source: _sb, ...fb } = to;
  const ca = byName(from);
  const cb = byName(to);
  const changed: TariffDiff['changed'] = [];
  for (const [name, c] of cb) {
    if (!ca.has(name)) continue;
    const changes = compare(ca.get(name), c);
    if (changes.length) changed.push({ component: name, changes });
  }
  return {
    fields: compare(fa, fb),
    added: [...cb.keys()].filter((n) => !ca.has(n)),
    removed: [...ca.keys()].filter((n) => !cb.has(n)),
    changed,
  };
}
