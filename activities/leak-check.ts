// The leak check's activity: find the signals in the interval data, then open, continue and close episodes
// (each with its notice) in the database. "Now" is the injected clock unless the input names an instant.
import type { Sql } from '../db/client.js';
import { findLeakSignals, recordLeakCheck } from '../db/leaks.js';
import { type LeakPolicy, leakPolicy } from '../domain/leak.js';
import type { Clock } from '../lib/clock.js';
import type { LeakCheckInput, LeakCheckResult } from '../workflows/contracts/leak-check.js';

export function createLeakCheckActivities(sql: Sql, clock: Clock, policy: Partial<LeakPolicy> = {}) {
  return {
    async checkLeaks(a: LeakCheckInput): Promise<LeakCheckResult> {
      const p = leakPolicy({ ...policy, ...a.policy });
      const asOf = a.asOf ? new Date(a.asOf) : clock.now();
      const signals = await findLeakSignals(sql, asOf, p, clock.timeZone);
      return recordLeakCheck(sql, asOf, signals, clock.timeZone);
    },
  };
}

export type LeakCheckActivities = ReturnType<typeof createLeakCheckActivities>;
