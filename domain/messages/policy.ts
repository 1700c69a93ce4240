// Messaging policy: every duration and threshold the messaging workflows use, so tests can shrink them.
import type { QuietHours } from './quiet-hours.js';

export interface MessagingPolicy {
  quietHours: QuietHours;
  /** provider calls: Temporal retry with exponential backoff on 5xx / network errors */
  retry: {
    initialInterval: string;
    backoffCoefficient: number;
    maximumInterval: string;
    maximumAttempts: number;
  };
  /** bill day: how many notifications the dispatcher claims for one notification-batch workflow */
  batchSize: number;
  /** provider calls in flight at once, per worker process (bounded: a provider's rate limit, our sockets) */
  sendConcurrency: number;
  /** how often the dispatcher sweeps for notifications whose wake-up it missed */
  sweepIntervalMs: number;
  /** a dispatched notification still pending after this long is started again (its workflow id dedupes) */
  redispatchAfterMs: number;
  /** verification codes and links */
  verificationTtlMinutes: number;
  highUsage: HighUsagePolicy;
}

/**
 * The high-usage rule: an AMI meter's usage over the last `recentDays` (per day) is compared with its normal,
 * the trailing `baselineDays` before that (per day). Above `factor` times normal, and normal at least
 * `minDailyNormal` (too little history or a vacant premise says nothing), queues one high_usage notice per
 * account, service and day.
 */
export interface HighUsagePolicy {
  /** how often the Temporal Schedule runs the check */
  interval: string;
  recentDays: number;
  baselineDays: number;
  factor: string;
  minDailyNormal: string;
}

export const DEFAULT_MESSAGING_POLICY: MessagingPolicy = {
  quietHours: { start: '21:00', end: '08:00', timeZone: 'America/Los_Angeles' },
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 12,
  },
  batchSize: 250,
  sendConcurrency: 16,
  sweepIntervalMs: 30_000,
  redispatchAfterMs: 5 * 60_000,
  verificationTtlMinutes: 60,
  highUsage: {
    interval: '1 day',
    recentDays: 1,
    baselineDays: 28,
    factor: '2.5',
    minDailyNormal: '0.1',
  },
};

export function messagingPolicy(p: Partial<MessagingPolicy> = {}): MessagingPolicy {
  return {
    ...DEFAULT_MESSAGING_POLICY,
    ...p,
    retry: { ...DEFAULT_MESSAGING_POLICY.retry, ...p.retry },
    quietHours: { ...DEFAULT_MESSAGING_POLICY.quietHours, ...p.quietHours },
    highUsage: { ...DEFAULT_MESSAGING_POLICY.highUsage, ...p.highUsage },
  };
}
