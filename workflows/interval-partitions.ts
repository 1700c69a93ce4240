// The daily interval-partitions job (contract: workflows/contracts/interval-partitions.ts): one activity.
import { proxyActivities } from '@temporalio/workflow';
import type { IntervalPartitionActivities } from '../activities/interval-partitions.js';
import type { IntervalPartitionsInput, IntervalPartitionsResult } from './contracts/interval-partitions.js';

export async function intervalPartitionsWorkflow(
  input: IntervalPartitionsInput = {},
): Promise<IntervalPartitionsResult> {
  const acts = proxyActivities<IntervalPartitionActivities>({
    // DETACH … CONCURRENTLY waits for the transactions reading meter_interval to end
    startToCloseTimeout: '30 minutes',
    retry: { initialInterval: '30 seconds', maximumInterval: '10 minutes' },
  });
  return acts.maintainIntervalPartitions(input);
}
