// The one way the pages talk to the API: same-origin cookie session, the CSRF header on changes, typed errors.

/** An error answer from our API, as the pages see it (the server's own ApiError is api/errors.ts). */
export class PortalApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

const CSRF_KEY = 'cisflow.csrf';
export const setCsrf = (t: string | null) =>
  t ? sessionStorage.setItem(CSRF_KEY, t) : sessionStorage.removeItem(CSRF_KEY);

export async function api<T = unknown>(
  path: string,
  opts: { method?: string; body?: unknown; idempotencyKey?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const changes = !!opts.method && opts.method !== 'GET';
  let csrf = sessionStorage.getItem(CSRF_KEY);
  if (changes && !csrf && !path.startsWith('/auth/')) {
    // a page opened in a new tab shares the session cookie but not the tab's storage
    csrf = (await api<{ csrfToken: string | null }>('/auth/csrf').catch(() => null))?.csrfToken ?? null;
    setCsrf(csrf);
  }
  if (csrf && changes) headers['x-csrf-token'] = csrf;
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  const res = await fetch(path, {
    method: opts.method ?? 'GET',
    headers,
    credentials: 'same-origin',
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = res.status === 204 ? '' : await res.text();
  const body = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const e = body?.error ?? {};
    throw new PortalApiError(res.status, e.code ?? 'error', e.message ?? res.statusText, e.param);
  }
  return body as T;
}

export interface Me {
  id: string;
  email: string;
  displayName: string;
  kind: 'staff' | 'customer';
  role: string | null;
  accounts: { id: string; accountNumber: string }[];
}

export async function login(email: string, password: string): Promise<Me> {
  const r = await api<{ user: Me; csrfToken: string }>('/auth/login', {
    method: 'POST',
    body: { email, password },
  });
  setCsrf(r.csrfToken);
  return r.user;
}

export async function logout() {
  await api('/auth/logout', { method: 'POST' }).catch(() => {});
  setCsrf(null);
  location.reload();
}

export const newKey = () => crypto.randomUUID();

export interface AccountSummary {
  id: string;
  accountNumber: string;
  status: string;
  paperless: boolean;
  billingCycle: string;
  customer: { id: string; name: string };
  balanceCents: number;
  /** net metering: solar credit carried to the next bill */
  netMeteringCreditCents?: number;
  dueDate: string | null;
  serviceAgreements: {
    id: string;
    serviceType: string;
    status: string;
    rateSchedule: string;
    addressLine1: string;
    city: string;
    state: string;
    postalCode: string;
  }[];
  bills: {
    id: string;
    period: string;
    status: string;
    billDate: string;
    dueDate: string;
    totalCents: number;
  }[];
  payments: { id: string; amountCents: number; method: string; status: string; receivedAt: string }[];
}

export interface Usage {
  months: number;
  periods: string[];
  services: {
    serviceType: string;
    unit: string;
    meters: string[];
    servicePointIds: string[];
    usage: { period: string; quantity: string | null; lastYear: string | null }[];
    totals: { quantity: string; lastYear: string | null };
  }[];
}
