// The daily leak check's contract (workflows/leak-check.ts): run by a Temporal Schedule, it finds water
// meters with no dry hour for a day (or two) and night flow far above the meter's normal, opens episodes
// and queues one leak_suspected notice per episode (rule: domain/leak.ts).
import type { LeakPolicy } from '../../domain/leak.js';
import { TASK_QUEUES, WORKFLOW_TYPES } from './names.js';

export const LEAK_CHECK = { type: WORKFLOW_TYPES.leakCheck, taskQueue: TASK_QUEUES.billing } as const;

/** The schedule, and the id of each check it starts. */
export const LEAK_CHECK_SCHEDULE_ID = 'leak-check';

export interface LeakCheckInput {
  /** the instant checked (ISO); omitted when the schedule starts it: the activities' clock */
  asOf?: string;
  policy?: Partial<LeakPolicy>;
}
export interface LeakCheckResult {
  /** meters with a signal or an open episode */
  meters: number;
  opened: number;
  continued: number;
  closed: number;
  /** leak_suspected notices queued (one per opened episode) */
  queued: number;
}
export type LeakCheckWorkflow = (input?: LeakCheckInput) => Promise<LeakCheckResult>;
