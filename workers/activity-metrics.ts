// Times every activity this worker runs (lib/metrics.ts activitySeconds), by type and outcome: what a bill
// run's held hand-offs, collections hand-off and planning cost, and what /metrics will report.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { activitySeconds } from '../lib/metrics.js';

export const activityMetrics: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      const end = activitySeconds.startTimer({ activity: ctx.info.activityType });
      try {
        const result = await next(input);
        end({ outcome: 'ok' });
        return result;
      } catch (e) {
        end({ outcome: 'failed' });
        throw e;
      }
    },
  },
});
