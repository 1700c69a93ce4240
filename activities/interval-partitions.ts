// The interval-partitions job's one activity: meter_interval's months made ahead, old months dropped.
import type { Sql } from '../db/client.js';
import { maintainIntervalPartitions } from '../db/interval-partitions.js';
import type { IntervalPartitionPolicy } from '../domain/intervals/partitions.js';
import type { Clock } from '../lib/clock.js';
import type {
  IntervalPartitionsInput,
  IntervalPartitionsResult,
} from '../workflows/contracts/interval-partitions.js';

export function createIntervalPartitionActivities(
  sql: Sql,
  clock: Clock,
  policy: Partial<IntervalPartitionPolicy> = {},
) {
  return {
    async maintainIntervalPartitions(a: IntervalPartitionsInput): Promise<IntervalPartitionsResult> {
      const asOf = a.asOf ? new Date(a.asOf) : clock.now();
      return maintainIntervalPartitions(sql, asOf, { ...policy, ...a.policy });
    },
  };
}
export type IntervalPartitionActivities = ReturnType<typeof createIntervalPartitionActivities>;
