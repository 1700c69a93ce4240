// A billing cycle's bill run: `bill-run/{cycle}/{period}`. It plans the cycle's accounts in pages, bills
// up to `concurrency` pages at a time (each page rated and stored set-based by one activity), and hands
// every held account to its own billing-cycle workflow (started by an activity, not as a child: there can
// be thousands, waiting for days), which waits in the exceptions queue for staff.
// Re-running it is safe: bills are unique per account and period and ledger entries post once.

import {
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BillRunActivities } from '../activities/bill-run.js';
import type { CollectionActivities } from '../activities/collections.js';
import { monthlyPeriod } from '../domain/period.js';
import {
  type BillRunInput,
  type BillRunPolicy,
  type BillRunProgress,
  billRunProgressQuery,
  DEFAULT_BILL_RUN_POLICY,
} from './contracts/bill-run.js';
import { validationOf } from './contracts/billing-cycle.js';
import { BillingCycle, BillStatus } from './contracts/search-attributes.js';

const acts = proxyActivities<BillRunActivities & CollectionActivities>({
  startToCloseTimeout: '5 minutes',
  // a page heartbeats as it goes, so a page on a worker that died is retried within seconds, not minutes
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
});

function previousMonth(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

export async function billRunWorkflow(input: BillRunInput): Promise<BillRunProgress> {
  const policy: BillRunPolicy = { ...DEFAULT_BILL_RUN_POLICY, ...input.policy };
  const periodKey = input.period ?? input.resume?.progress.period ?? previousMonth(new Date());
  const period = monthlyPeriod(periodKey);
  const info = workflowInfo();
  const progress: BillRunProgress = input.resume?.progress ?? {
    cycle: input.cycle,
    period: periodKey,
    status: 'planning',
    total: 0,
    pages: 0,
    pagesDone: 0,
    billed: 0,
    alreadyBilled: 0,
    held: 0,
    estimated: 0,
    failed: 0,
    emailed: 0,
    printed: 0,
    failures: [],
    startedAt: new Date().toISOString(),
  };
  setHandler(billRunProgressQuery, () => progress);
  upsertSearchAttributes([
    { key: BillingCycle, value: input.cycle },
    { key: BillStatus, value: 'bill_run_running' },
  ]);

  let remaining = input.resume?.remaining;
  if (!remaining) {
    const plan = await acts.planPages({ cycle: input.cycle, pageSize: policy.pageSize });
    progress.total = plan.total;
    progress.pages = plan.starts.length;
    remaining = plan.starts;
  }
  progress.status = 'running';
  const billDate = progress.startedAt.slice(0, 10);
  const runId = info.workflowId;
  let pagesThisRun = 0;

  // held accounts are handed over beside the pages, not in a page's slot; drained before the run moves on
  const handOvers = new Set<Promise<unknown>>();
  // a promise leaves its set when it succeeds; a failed one stays, so the next race or drain throws it
  const track = (set: Set<Promise<unknown>>, p: Promise<unknown>) => {
    const q: Promise<unknown> = p.then(() => set.delete(q));
    q.catch(() => {}); // handled where the set is awaited
    set.add(q);
  };
  const billOne = async (after: string) => {
    const r = await acts.billPage({
      cycle: input.cycle,
      period,
      after,
      pageSize: policy.pageSize,
      billDate,
      dueDays: policy.dueDays,
      runId,
      validation: validationOf(policy),
    });
    // the page's bills are stored, delivered (email or print batch) and their autopay scheduled by the
    // pipeline; documents render when first opened or printed
    progress.billed += r.billed;
    progress.emailed += r.emailed;
    progress.printed += r.printed;
    progress.alreadyBilled += r.alreadyBilled;
    progress.estimated += r.estimated;
    progress.failed += r.failed.length;
    progress.failures.push(...r.failed.slice(0, Math.max(0, 50 - progress.failures.length)));
    if (r.held.length) {
      const handOver = acts.handOverHeld({
        held: r.held,
        period: periodKey,
        policy,
        taskQueue: info.taskQueue,
      });
      if (!slidingWindow) await handOver;
      else track(handOvers, handOver);
    }
    progress.held += r.held.length;
    progress.pagesDone++;
  };

  // a run started before the sliding window billed its pages in waves; it replays the same way
  const slidingWindow = patched('bill-run-sliding-window');
  const pages = new Set<Promise<unknown>>();
  while (remaining.length) {
    if (pagesThisRun >= policy.pagesPerRun) {
      await Promise.all(handOvers);
      await continueAsNew<typeof billRunWorkflow>({
        ...input,
        period: periodKey,
        resume: { progress, remaining },
      });
    }
    if (!slidingWindow) {
      const wave = remaining.slice(0, Math.min(policy.concurrency, policy.pagesPerRun - pagesThisRun));
      await Promise.all(wave.map(billOne));
      remaining = remaining.slice(wave.length);
      pagesThisRun += wave.length;
      continue;
    }
    // the next page starts as soon as any page ends: one slow page never idles the others' slots.
    // `remaining` keeps a page until it is done, so continue-as-new (only with no page in flight) resumes it.
    const next = remaining.slice(pages.size, pages.size + 1)[0];
    if (
      next !== undefined &&
      pages.size < policy.concurrency &&
      pagesThisRun + pages.size < policy.pagesPerRun
    ) {
      track(
        pages,
        billOne(next).then(() => {
          remaining = remaining!.filter((p) => p !== next);
          pagesThisRun++;
        }),
      );
      continue;
    }
    await Promise.race(pages);
  }
  await Promise.all(handOvers);
  // collections takes the run's bills from here, with their due date
  await acts.scheduleCollectionsHandoff({ runId });
  progress.status = 'completed';
  upsertSearchAttributes([{ key: BillStatus, value: 'bill_run_completed' }]);
  return progress;
}
