// Process metrics in Prometheus form (prom-client): one registry per process, read by /metrics (issue 21)
// and by the benches, which print where a bill run's time goes.
import { Histogram, Registry } from 'prom-client';

export const registry = new Registry();

const buckets = [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10, 60];

/** Seconds spent in each step of billing a page or an account: load, rate, store, deliver, autopay… */
export const billingPhaseSeconds = new Histogram({
  name: 'cisflow_billing_phase_seconds',
  help: 'Time spent in each step of the bill pipeline',
  labelNames: ['phase'] as const,
  buckets,
  registers: [registry],
});

/** Seconds each activity took on this worker, by activity type. */
export const activitySeconds = new Histogram({
  name: 'cisflow_activity_seconds',
  help: 'Activity execution time on this worker',
  labelNames: ['activity', 'outcome'] as const,
  buckets,
  registers: [registry],
});

/** Runs `fn`, adding its time to the billing phase's histogram. */
export async function timed<T>(phase: string, fn: () => Promise<T>): Promise<T> {
  const end = billingPhaseSeconds.startTimer({ phase });
  try {
    return await fn();
  } finally {
    end();
  }
}

/** The sum and count of each labelled series of a histogram: what a bench prints. */
export async function histogramTotals(h: Histogram<string>) {
  const { values } = await h.get();
  const out = new Map<string, { seconds: number; count: number }>();
  for (const v of values) {
    const key = Object.values(v.labels).join('/');
    const row = out.get(key) ?? { seconds: 0, count: 0 };
    if (v.metricName?.endsWith('_sum')) row.seconds = v.value;
    else if (v.metricName?.endsWith('_count')) row.count = v.value;
    else continue;
    out.set(key, row);
  }
  return out;
}
