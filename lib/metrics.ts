// Process metrics in Prometheus form (prom-client): one registry per process, read by /metrics (issue 21)
// and by the benches, which print where a bill run's time goes.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

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

/** API requests by route pattern (never the raw URL: ids would make a series per account). */
export const httpSeconds = new Histogram({
  name: 'cisflow_http_request_seconds',
  help: 'API request latency by route',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  registers: [registry],
});

/** Bills this process issued, and bill decisions that held a bill for review (a retried page counts again). */
export const billsTotal = new Counter({
  name: 'cisflow_bills_total',
  help: 'Bills issued, and bills held for review, by this process',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

/** Payments put on accounts (posted), and payments that failed or came back, by this process. */
export const paymentsTotal = new Counter({
  name: 'cisflow_payments_total',
  help: 'Payments posted, failed and returned, by this process',
  labelNames: ['outcome', 'channel'] as const,
  registers: [registry],
});

/** The work waiting for people and for the dispatcher, read from the database when scraped. */
export interface Backlog {
  exceptionsOpen: number;
  exceptionsOldestSeconds: number;
  notificationsPending: number;
  notificationsOldestSeconds: number;
}

let backlogSource: (() => Promise<Backlog>) | null = null;
let asked: Promise<Backlog> | null = null;

/**
 * Where the backlog gauges read from (db/metrics.ts, given by the API); a process that sets none reports none.
 * The four gauges of one scrape share one query.
 */
export function setBacklogSource(read: (() => Promise<Backlog>) | null) {
  backlogSource = read;
  asked = null;
}

function backlogGauge(name: string, help: string, pick: (b: Backlog) => number) {
  return new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      if (!backlogSource) return;
      asked ??= backlogSource().finally(() => setTimeout(() => (asked = null), 1000).unref());
      this.set(pick(await asked));
    },
  });
}
backlogGauge(
  'cisflow_exceptions_open',
  'Held bills waiting in the exceptions queue',
  (b) => b.exceptionsOpen,
);
backlogGauge(
  'cisflow_exceptions_oldest_age_seconds',
  'Age of the oldest open held bill',
  (b) => b.exceptionsOldestSeconds,
);
backlogGauge(
  'cisflow_notifications_pending',
  'Notifications not yet dispatched',
  (b) => b.notificationsPending,
);
backlogGauge(
  'cisflow_notifications_oldest_age_seconds',
  'Age of the oldest notification not yet dispatched',
  (b) => b.notificationsOldestSeconds,
);
