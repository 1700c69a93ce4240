// The one way the pages talk to the API: same-origin cookie session, the CSRF header on changes, typed errors.
// Answers are typed from the server's own TypeBox schemas (type-only imports: nothing of the server is bundled).
import type { Static, TSchema } from '@sinclair/typebox';
import type { LoginAnswer, Me as MeSchema } from '../../../api/routes/auth.schema';
import type { Usage as UsageSchema } from '../../../api/routes/usage.schema';
import type { AccountSummary as AccountSummarySchema, List } from '../../../api/schemas';

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

export type Me = Static<typeof MeSchema>;

/** A list answer, `{object: 'list', data, has_more}`, of items of schema T. */
export type ListOf<T extends TSchema> = Static<ReturnType<typeof List<T>>>;

export async function login(email: string, password: string): Promise<Me> {
  const r = await api<Static<typeof LoginAnswer>>('/auth/login', {
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

export type AccountSummary = Static<typeof AccountSummarySchema>;
export type Usage = Static<typeof UsageSchema>;
