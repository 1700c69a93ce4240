// Field work as the staff console lists it: disconnects, reconnects, re-reads, start and final reads, each
// with what asked for it. (Collections and service requests create them: db/collections.ts.)
import { requireAccount } from './accounts.js';
import type { Sql } from './client.js';

export interface ServiceOrder {
  id: string;
  kind: string;
  status: string;
  reason: string;
  sourceType: string | null;
  sourceId: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

/** The account's latest 100 service orders, newest first (404 if there is no such account). */
export async function accountServiceOrders(sql: Sql, accountId: string) {
  await requireAccount(sql, accountId);
  const rows = await sql<ServiceOrder[]>`
    select id, kind, status, reason, source_type, source_id, created_at, completed_at from service_order
    where account_id = ${accountId} order by created_at desc, id desc limit 101`;
  return { orders: rows.slice(0, 100), hasMore: rows.length > 100 };
}
