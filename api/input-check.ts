// Hostile-input checks that run before schema validation: PostgreSQL cannot store a NUL character in text or
// jsonb, and a body nested thousands deep costs the validator and the database stack depth. Both are refused
// as 400 naming the field, instead of surfacing later as a database error.

/** Deeper than any body the API takes (tariffs and reports nest a handful of levels). */
export const MAX_BODY_DEPTH = 32;

export type InputProblem = { param: string; kind: 'nul' | 'depth' };

const join = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/**
 * The first string (value or key) holding a NUL, or the first value nested deeper than maxDepth, as a dotted
 * path (`lines[2].note`). Iterative, so any depth of input is walked without growing the call stack.
 */
export function findBadInput(value: unknown, root = '', maxDepth = MAX_BODY_DEPTH): InputProblem | null {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: root, depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return { param: path || 'body', kind: 'nul' };
      continue;
    }
    if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) continue;
    if (depth >= maxDepth) return { param: path || 'body', kind: 'depth' };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: join(path, i), depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i]!;
      if (k.includes('\u0000')) return { param: join(path, k.replaceAll('\u0000', '\\u0000')), kind: 'nul' };
      stack.push({ v: (v as Record<string, unknown>)[k], path: join(path, k), depth: depth + 1 });
    }
  }
  return null;
}
