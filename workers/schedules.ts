// The Temporal Schedules a worker process makes sure of at start: created once, found and left alone after.
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import {
  INTERVAL_PARTITIONS,
  INTERVAL_PARTITIONS_EVERY,
  INTERVAL_PARTITIONS_SCHEDULE_ID,
} from '../workflows/contracts/interval-partitions.js';
import { LEAK_CHECK, LEAK_CHECK_SCHEDULE_ID } from '../workflows/contracts/leak-check.js';
import { HIGH_USAGE_CHECK, HIGH_USAGE_SCHEDULE_ID } from '../workflows/contracts/messaging.js';

async function ensureSchedule(
  client: Client,
  o: { scheduleId: string; workflowType: string; taskQueue: string; interval: string; runNow?: boolean },
): Promise<'created' | 'exists'> {
  try {
    await client.schedule.create({
      scheduleId: o.scheduleId,
      spec: { intervals: [{ every: o.interval as never }] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      action: {
        type: 'startWorkflow',
        workflowType: o.workflowType,
        workflowId: o.scheduleId,
        taskQueue: o.taskQueue,
        args: [{}],
      },
      ...(o.runNow ? { state: { triggerImmediately: true } } : {}),
    });
    return 'created';
  } catch (e) {
    if (e instanceof ScheduleAlreadyRunning) return 'exists';
    throw e;
  }
}

/** The daily high-usage check as a Temporal Schedule, created once (a second call finds it and leaves it). */
export function ensureHighUsageSchedule(
  client: Client,
  o: { taskQueue: string; interval: string; scheduleId?: string },
): Promise<'created' | 'exists'> {
  return ensureSchedule(client, {
    scheduleId: o.scheduleId ?? HIGH_USAGE_SCHEDULE_ID,
    workflowType: HIGH_USAGE_CHECK.type,
    taskQueue: o.taskQueue,
    interval: o.interval,
  });
}

/**
 * The daily interval-partitions job as a Temporal Schedule, created once; it runs at once when created, so
 * a new installation has its months ahead from the start.
 */
export function ensureIntervalPartitionsSchedule(
  client: Client,
  o: { taskQueue: string; interval?: string; scheduleId?: string },
): Promise<'created' | 'exists'> {
  return ensureSchedule(client, {
    scheduleId: o.scheduleId ?? INTERVAL_PARTITIONS_SCHEDULE_ID,
    workflowType: INTERVAL_PARTITIONS.type,
    taskQueue: o.taskQueue,
    interval: o.interval ?? INTERVAL_PARTITIONS_EVERY,
    runNow: true,
  });
}

/** The daily leak check (domain/leak.ts) as a Temporal Schedule, created once like the high-usage check. */
export function ensureLeakCheckSchedule(
  client: Client,
  o: { taskQueue: string; interval: string; scheduleId?: string },
): Promise<'created' | 'exists'> {
  return ensureSchedule(client, {
    scheduleId: o.scheduleId ?? LEAK_CHECK_SCHEDULE_ID,
    workflowType: LEAK_CHECK.type,
    taskQueue: o.taskQueue,
    interval: o.interval,
  });
}
