// Authentication (session cookie or bearer token) and the one authorization check every route goes through.
// Each route declares `config.access`; a route without one fails at startup, so nothing is open by accident.
import { createHash, randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Sql } from '../../db/client.js';
import { ROLES, type Role } from '../../domain/roles.js';
import { ApiError, notFound } from '../errors.js';

export { ROLES, type Role };

/** Role groups, so routes read as intent rather than lists. */
export const STAFF = {
  any: ROLES,
  billing: ['billing_admin', 'supervisor', 'admin'],
  supervisors: ['supervisor', 'admin'],
  admin: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  kind: 'staff' | 'customer';
  role: Role | null;
  customerId: string | null;
}

export type Access =
  | { public: true }
  | {
      staff: readonly Role[];
      /** What a customer may reach: their own session, or the account a request names. Absent: staff only. */
      customer?: 'self' | { account: AccountOf };
    };

/** Which account a request is about, for a customer's access (undefined: none). */
type AccountOf = (req: FastifyRequest) => Promise<string | undefined> | string | undefined;

/** The `:id` in a request's path. */
export const idParam = (req: FastifyRequest) => (req.params as { id: string }).id;

/** Any staff member, or a customer of the account the request is about (by default the path's `:id`). */
export const staffOrOwner = (account: AccountOf = idParam): Access => ({
  staff: STAFF.any,
  customer: { account },
});

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
    authVia: 'cookie' | 'bearer' | null;
    csrfToken: string | null;
    /** What a staff action changed, for the audit log. */
    auditResource?: { type: string; id: string | null; detail?: Record<string, unknown> };
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export const SESSION_COOKIE = 'cisflow_session';
/** The body limit of a public route (sign-in, sign-up, webhooks) that names none of its own. */
export const PUBLIC_BODY_LIMIT = 64 * 1024;
const hash = (t: string) => createHash('sha256').update(t).digest('hex');

export async function createSession(sql: Sql, user: AuthUser) {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const hours = user.kind === 'staff' ? 12 : 24 * 7;
  await sql`insert into user_session (token_hash, user_id, csrf_token, expires_at)
    values (${hash(token)}, ${user.id}, ${csrfToken}, now() + make_interval(hours => ${hours}))`;
  return { token, csrfToken, maxAgeSeconds: hours * 3600 };
}

/** Signs the user in: a new session, with its cookie set on the reply (the token and CSRF token returned). */
export async function startSession(sql: Sql, reply: FastifyReply, user: AuthUser, secure: boolean) {
  const s = await createSession(sql, user);
  reply.setCookie(SESSION_COOKIE, s.token, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/',
    maxAge: s.maxAgeSeconds,
  });
  return s;
}

export async function endSession(sql: Sql, token: string) {
  await sql`delete from user_session where token_hash = ${hash(token)}`;
}

function tokenFrom(req: FastifyRequest): { token: string; via: 'cookie' | 'bearer' } | null {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return { token: h.slice(7).trim(), via: 'bearer' };
  const c = req.cookies[SESSION_COOKIE];
  return c ? { token: c, via: 'cookie' } : null;
}

export async function canReachAccount(sql: Sql, user: AuthUser, accountId: string): Promise<boolean> {
  if (user.kind === 'staff') return true;
  const rows =
    await sql`select 1 from portal_account_access where user_id = ${user.id} and account_id = ${accountId}`;
  return rows.length > 0;
}

/** The single authorization decision. Throws a typed ApiError; returns when the request may proceed. */
export async function authorize(sql: Sql, req: FastifyRequest, access: Access): Promise<void> {
  if ('public' in access) return;
  const user = req.user;
  if (!user)
    throw new ApiError(
      401,
      'authentication_error',
      'not_authenticated',
      'Sign in, or send a valid bearer token',
    );
  // Cookies ride along on cross-site requests; a state change over a cookie must also carry the CSRF token.
  if (req.authVia === 'cookie' && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
    if (req.headers['x-csrf-token'] !== req.csrfToken) {
      throw new ApiError(
        403,
        'permission_error',
        'csrf_token_invalid',
        'Missing or wrong X-CSRF-Token header',
      );
    }
  }
  if (user.kind === 'staff') {
    if (user.role && access.staff.includes(user.role)) return;
    throw new ApiError(
      403,
      'permission_error',
      'role_not_permitted',
      `Your role (${user.role}) cannot do this`,
    );
  }
  const rule = access.customer;
  if (!rule) throw new ApiError(403, 'permission_error', 'staff_only', 'This is for utility staff only');
  if (rule === 'self') return;
  const accountId = await rule.account(req);
  // Someone else's account and a missing one look the same: no probing for which accounts exist. The
  // answer names only what the caller sent (the bill they asked for), never the account it belongs to.
  if (!accountId || !(await canReachAccount(sql, user, accountId))) throw notFoundAsNamed(req);
}

/** "No such bill: 'bill_…'" for `/bills/:id`, as the route itself answers for an id that does not exist. */
function notFoundAsNamed(req: FastifyRequest) {
  const segments = (req.routeOptions.url ?? '').split('/');
  const params = (req.params ?? {}) as Record<string, string>;
  const at = segments.findIndex((s) => s.startsWith(':'));
  if (at < 1) return notFound('account', '');
  const param = segments[at]!.slice(1);
  const what = segments[at - 1]!.replace(/s$/, '').replaceAll('-', ' ');
  return notFound(what, params[param] ?? '', param);
}

export default fp(async function auth(app: FastifyInstance, opts: { sql: Sql; secureCookies: boolean }) {
  const { sql } = opts;
  await app.register(cookie);
  app.decorateRequest('user', null);
  app.decorateRequest('authVia', null);
  app.decorateRequest('csrfToken', null);

  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) return;
    const access = route.config?.access;
    if (!access) throw new Error(`route ${route.method} ${route.url} declares no config.access`);
    // Anyone may send to a public route: it reads a small body unless it sets its own limit, and one that
    // does must refuse unauthenticated requests before the body is read (see POST /head-end/reads).
    if ('public' in access && route.bodyLimit === undefined) route.bodyLimit = PUBLIC_BODY_LIMIT;
  });

  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config?.access;
    if (!access) return; // 404s and docs
    const t = tokenFrom(req);
    if (t) {
      const [row] = await sql<(AuthUser & { csrfToken: string })[]>`
        select u.id, u.email, u.display_name, u.kind, u.role, u.customer_id, s.csrf_token
        from user_session s join app_user u on u.id = s.user_id
        where s.token_hash = ${hash(t.token)} and s.expires_at > now() and u.status = 'active'`;
      if (row) {
        const { csrfToken, ...user } = row;
        req.user = user;
        req.authVia = t.via;
        req.csrfToken = csrfToken;
      }
    }
    await authorize(sql, req, access);
  });

  // Every staff change, and every staff request refused, leaves an append-only audit row. Written before the
  // response goes out (onSend), so a client that saw the result can always find its audit record.
  app.addHook('onSend', async (req, reply, payload) => {
    const u = req.user;
    if (u?.kind !== 'staff') return payload;
    const changed = !['GET', 'HEAD', 'OPTIONS'].includes(req.method) && reply.statusCode < 400;
    if (!changed && reply.statusCode !== 403) return payload;
    const res = req.auditResource;
    const detail = { status: reply.statusCode, params: req.params, ...(res?.detail ?? {}) };
    await sql`insert into audit_log (actor_user_id, actor_role, action, resource_type, resource_id, request_id, detail)
      values (${u.id}, ${u.role}, ${`${req.method} ${req.routeOptions.url ?? req.url}`}, ${res?.type ?? 'request'},
              ${res?.id ?? null}, ${req.id}, ${sql.json(detail as never)})`;
    return payload;
  });

  app.decorate('secureCookies', opts.secureCookies);
});
