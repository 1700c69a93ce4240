// A rate-change impact report: `rate-impact/{reportId}`. It plans the schedule's active accounts in pages,
// rates up to `concurrency` pages at a time (each page loaded with one query and rated on both tariffs by
// one activity), then computes and stores the figures. Progress is a query; pages continue as new past
// `pagesPerRun`. Re-running a page rewrites its own rows, so a retry counts no account twice.

import { ApplicationFailure, continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { RateImpactActivities } from '../activities/rate-impact.js';
import {
  DEFAULT_RATE_IMPACT_POLICY,
  type RateImpactInput,
  type RateImpactPolicy,
  type RateImpactProgress,
  rateImpactProgressQuery,
} from './contracts/rate-impact.js';

const acts = proxyActivities<RateImpactActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

export async function rateImpactWorkflow(input: RateImpactInput): Promise<RateImpactProgress> {
  const policy: RateImpactPolicy = { ...DEFAULT_RATE_IMPACT_POLICY, ...input.policy };
  const progress: RateImpactProgress = input.resume?.progress ?? {
    reportId: input.reportId,
    status: 'planning',
    total: 0,
    pages: 0,
    pagesDone: 0,
    rated: 0,
    failed: 0,
    failures: [],
  };
  setHandler(rateImpactProgressQuery, () => progress);
  let remaining = input.resume?.remaining;
  try {
    if (!remaining) {
      const plan = await acts.planImpactPages({ reportId: input.reportId, pageSize: policy.pageSize });
      progress.total = plan.total;
      progress.pages = plan.starts.length;
      remaining = plan.starts;
    }
    progress.status = 'running';
    let pagesThisRun = 0;
    while (remaining.length && pagesThisRun < policy.pagesPerRun) {
      const wave = remaining.slice(0, Math.min(policy.concurrency, policy.pagesPerRun - pagesThisRun));
      await Promise.all(
        wave.map(async (after) => {
          const r = await acts.rateImpactPage({ reportId: input.reportId, after, pageSize: policy.pageSize });
          progress.rated += r.rated;
          progress.failed += r.failed.length;
          progress.failures.push(...r.failed.slice(0, Math.max(0, 50 - progress.failures.length)));
          progress.pagesDone++;
        }),
      );
      remaining = remaining.slice(wave.length);
      pagesThisRun += wave.length;
    }
    if (!remaining.length) await acts.finishImpactReport({ reportId: input.reportId });
  } catch (e) {
    // a page that failed every retry: the report says so rather than staying "running"
    progress.status = 'failed';
    await acts.failImpactReport({ reportId: input.reportId });
    throw ApplicationFailure.nonRetryable(`rate impact report failed: ${(e as Error).message}`);
  }
  if (remaining.length)
    await continueAsNew<typeof rateImpactWorkflow>({ ...input, resume: { progress, remaining } });
  progress.status = 'completed';
  return progress;
}
