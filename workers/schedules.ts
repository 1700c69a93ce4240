// The Temporal Schedules a worker process makes sure of at start: created once, found and left alone after.
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { LEAK_CHECK, LEAK_CHECK_SCHEDULE_ID } from '../workflows/contracts/leak-check.js';
import { HIGH_USAGE_CHECK, HIGH_USAGE_SCHEDULE_ID } from '../workflows/contracts/messaging.js';

/** The daily high-usage check as a Temporal Schedule, created once (a second call finds it and leaves it). */
export async function ensureHighUsageSchedule(
  client: Client,
  o: { taskQueue: string; interval: string; scheduleId?: string },
): Promise<'created' | 'exists'> {
  const scheduleId = o.scheduleId ?? HIGH_USAGE_SCHEDULE_ID;
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: o.interval as never }] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      action: {
        type: 'startWorkflow',
        workflowType: HIGH_USAGE_CHECK.type,
        workflowId: scheduleId,
        taskQueue: o.taskQueue,
        args: [{}],
      },
    });
    return 'created';
  } catch (e) {
    if (e instanceof ScheduleAlreadyRunning) return 'exists';
    throw e;
  }
}

/** The daily leak check (domain/leak.ts) as a Temporal Schedule, created once like the high-usage check. */
export async function ensureLeakCheckSchedule(
  client: Client,
  o: { taskQueue: string; interval: string; scheduleId?: string },
): Promise<'created' | 'exists'> {
  const scheduleId = o.scheduleId ?? LEAK_CHECK_SCHEDULE_ID;
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: o.interval as never }] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      action: {
        type: 'startWorkflow',
        workflowType: LEAK_CHECK.type,
        workflowId: scheduleId,
        taskQueue: o.taskQueue,
        args: [{}],
      },
    });
    return 'created';
  } catch (e) {
    if (e instanceof ScheduleAlreadyRunning) return 'exists';
    throw e;
  }
}
