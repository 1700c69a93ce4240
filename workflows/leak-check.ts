// Leak check: run by a Temporal Schedule (daily by default); one activity does the set-based pass over the
// interval data and records the episodes (db/leaks.ts), retried as a whole (each episode step is idempotent:
// an open episode is continued, never opened twice, and its notice has one key).
import { proxyActivities } from '@temporalio/workflow';
import type { LeakCheckActivities } from '../activities/leak-check.js';
import type { LeakCheckInput, LeakCheckResult } from './contracts/leak-check.js';

export async function leakCheckWorkflow(input: LeakCheckInput = {}): Promise<LeakCheckResult> {
  const acts = proxyActivities<LeakCheckActivities>({
    startToCloseTimeout: '30 minutes',
    retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes', maximumAttempts: 5 },
  });
  return acts.checkLeaks(input);
}
