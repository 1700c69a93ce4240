// The audit log, read back: every staff change and every staff request refused (written by api/plugins/auth.ts).
import type { Sql } from './client.js';

export interface AuditEvent {
  id: string;
  at: Date;
  actorUserId: string | null;
  actorEmail: string | null;
  actorRole: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  requestId: string | null;
  status: number | null;
  detail: Record<string, unknown>;
}

export interface AuditFilter {
  /** the acting user's id */
  actor?: string;
  role?: string;
  /** "POST /accounts/:id/adjustments", or the start of one ("POST /accounts") */
  action?: string;
  resourceType?: string;
  resourceId?: string;
  /** everything done to one account: the account itself, or a request on one of its paths (/accounts/:id/…) */
  account?: string;
  /** the HTTP status the request got, e.g. 403 for refusals */
  status?: number;
  from?: string;
  to?: string;
  limit: number;
  /** the id of the last event of the previous page */
  startingAfter?: string;
}

/** Newest first, cursor-paginated by id (ids are handed out in order). */
export async function listAuditEvents(db: Sql, f: AuditFilter) {
  const rows = await db<(Omit<AuditEvent, 'status'> & { status: string | null })[]>`
    select l.id::text as id, l.at, l.actor_user_id, u.email as actor_email, l.actor_role, l.action,
      l.resource_type, l.resource_id, l.request_id, l.detail->>'status' as status, l.detail
    from audit_log l left join app_user u on u.id = l.actor_user_id
    where true
      ${f.account ? db`and (l.resource_id = ${f.account} or l.detail->'params'->>'id' = ${f.account})` : db``}
      ${f.actor ? db`and l.actor_user_id = ${f.actor}` : db``}
      ${f.role ? db`and l.actor_role = ${f.role}` : db``}
      ${f.action ? db`and starts_with(l.action, ${f.action})` : db``}
      ${f.resourceType ? db`and l.resource_type = ${f.resourceType}` : db``}
      ${f.resourceId ? db`and l.resource_id = ${f.resourceId}` : db``}
      ${f.status ? db`and l.detail->>'status' = ${String(f.status)}` : db``}
      ${f.from ? db`and l.at >= ${f.from}` : db``}
      ${f.to ? db`and l.at < ${f.to}` : db``}
      ${f.startingAfter ? db`and l.id < ${f.startingAfter}::bigint` : db``}
    order by l.id desc limit ${f.limit + 1}`;
  const data = rows
    .slice(0, f.limit)
    .map((r) => ({ ...r, status: r.status === null ? null : Number(r.status) }));
  return { data, hasMore: rows.length > f.limit };
}

/** Every event the filter matches, newest first, a page at a time (an export of any size in bounded memory). */
export async function* auditEventPages(
  db: Sql,
  f: Omit<AuditFilter, 'limit' | 'startingAfter'>,
  pageSize = 1000,
) {
  let startingAfter: string | undefined;
  for (;;) {
    const page = await listAuditEvents(db, { ...f, limit: pageSize, startingAfter });
    if (page.data.length) yield page.data;
    if (!page.hasMore) return;
    startingAfter = page.data.at(-1)!.id;
  }
}
