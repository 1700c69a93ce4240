// Login and account-proof policy: every limit and back-off the sign-in, sign-up and account-linking routes use,
// so tests can shrink them. Back-off always expires: a real user is slowed, never locked out for good.

/** Free failures, then each try is refused for base × 2^(failures − free) seconds, at most maxSeconds. */
export interface Backoff {
  freeFailures: number;
  baseSeconds: number;
  maxSeconds: number;
  /** quiet this long after the last failure and the count starts again */
  forgetAfterSeconds: number;
}

/** A plain per-IP request cap (@fastify/rate-limit), per time window. */
export interface RateCap {
  max: number;
  windowSeconds: number;
}

export interface AuthPolicy {
  login: { perIp: RateCap; perEmail: Backoff };
  /** proving ownership of a utility account (sign-up, linking another account) */
  proof: { perIp: RateCap; perIpBackoff: Backoff; perLogin: Backoff; perAccount: Backoff };
  password: { minLength: number };
  contacts: { maxPerCustomer: number; verificationsPerDay: number };
  /** how long a sign-up's email verification link works */
  emailVerificationTtlMinutes: number;
  /** staff sign-in: TOTP codes per login, the second step's time, an invitation link's life */
  staff: { totp: Backoff; challengeTtlMinutes: number; invitationTtlHours: number };
  /** "forgot password" and login email change: per email / login, per IP, and how long their links work */
  recovery: { perEmail: Backoff; perIp: RateCap; perIpBackoff: Backoff; linkTtlMinutes: number };
}

export const DEFAULT_AUTH_POLICY: AuthPolicy = {
  login: {
    perIp: { max: 30, windowSeconds: 60 },
    perEmail: { freeFailures: 5, baseSeconds: 30, maxSeconds: 15 * 60, forgetAfterSeconds: 24 * 3600 },
  },
  proof: {
    perIp: { max: 20, windowSeconds: 60 },
    perIpBackoff: { freeFailures: 20, baseSeconds: 60, maxSeconds: 3600, forgetAfterSeconds: 24 * 3600 },
    perLogin: { freeFailures: 5, baseSeconds: 60, maxSeconds: 3600, forgetAfterSeconds: 24 * 3600 },
    perAccount: { freeFailures: 5, baseSeconds: 60, maxSeconds: 3600, forgetAfterSeconds: 24 * 3600 },
  },
  password: { minLength: 10 },
  contacts: { maxPerCustomer: 10, verificationsPerDay: 10 },
  emailVerificationTtlMinutes: 24 * 60,
  staff: {
    totp: { freeFailures: 5, baseSeconds: 30, maxSeconds: 15 * 60, forgetAfterSeconds: 24 * 3600 },
    challengeTtlMinutes: 5,
    invitationTtlHours: 72,
  },
  recovery: {
    perEmail: { freeFailures: 3, baseSeconds: 60, maxSeconds: 3600, forgetAfterSeconds: 24 * 3600 },
    perIp: { max: 20, windowSeconds: 60 },
    perIpBackoff: { freeFailures: 30, baseSeconds: 60, maxSeconds: 3600, forgetAfterSeconds: 24 * 3600 },
    linkTtlMinutes: 30,
  },
};

export function authPolicy(p: Partial<AuthPolicy> = {}): AuthPolicy {
  return { ...DEFAULT_AUTH_POLICY, ...p };
}

/** Seconds a key is refused after its `failures`-th failure (0: not refused). */
export function backoffSeconds(b: Backoff, failures: number): number {
  if (failures < b.freeFailures) return 0;
  return Math.min(b.maxSeconds, b.baseSeconds * 2 ** Math.min(30, failures - b.freeFailures));
}
