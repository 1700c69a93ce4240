// The interval-partitions job's contract (workflows/interval-partitions.ts): once a day, by a Temporal
// Schedule the worker makes sure of at start, meter_interval's monthly partitions are created ahead and the
// ones older than the retention are detached and dropped (db/interval-partitions.ts).
import type { IntervalPartitionPolicy, Month } from '../../domain/intervals/partitions.js';
import { TASK_QUEUES, WORKFLOW_TYPES } from './names.js';

export const INTERVAL_PARTITIONS = {
  type: WORKFLOW_TYPES.intervalPartitions,
  taskQueue: TASK_QUEUES.billing,
} as const;
/** The schedule, and the id of each run it starts. */
export const INTERVAL_PARTITIONS_SCHEDULE_ID = 'interval-partitions';
export const INTERVAL_PARTITIONS_EVERY = '1 day';

export interface IntervalPartitionsInput {
  /** the instant whose month is "current" (default: the worker's clock) */
  asOf?: string;
  policy?: Partial<IntervalPartitionPolicy>;
}
export interface IntervalPartitionsResult {
  created: Month[];
  dropped: Month[];
  oldestKept: Month;
}
export type IntervalPartitionsWorkflow = (
  input?: IntervalPartitionsInput,
) => Promise<IntervalPartitionsResult>;
