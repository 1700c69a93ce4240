// Bounded concurrency for calls to the outside world (a provider's API): at most `limit` at once across
// every caller sharing the limiter, the rest wait their turn in order.

export type Limiter = <T>(f: () => Promise<T>) => Promise<T>;

export function limiter(limit: number): Limiter {
  if (!(limit >= 1)) throw new Error(`limiter: limit must be at least 1, got ${limit}`);
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(f: () => Promise<T>) => {
    if (active >= limit) await new Promise<void>((r) => waiting.push(r));
    else active++;
    try {
      return await f();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
