// What /metrics reports from the database: the exceptions queue and the notification backlog (both by their
// partial indexes on open / pending rows, so a scrape stays cheap at any size).
import type { Backlog } from '../lib/metrics.js';
import type { Sql } from './client.js';

export async function backlog(sql: Sql): Promise<Backlog> {
  const [r] = await sql<
    { exceptionsOpen: number; exceptionsOldest: number; pending: number; pendingOldest: number }[]
  >`
    select
      (select count(*)::int from bill_exception where status in ('open', 'escalated')) as exceptions_open,
      (select coalesce(extract(epoch from now() - min(created_at)), 0)::float8 from bill_exception
         where status in ('open', 'escalated')) as exceptions_oldest,
      (select count(*)::int from notification where status = 'pending') as pending,
      (select coalesce(extract(epoch from now() - min(created_at)), 0)::float8 from notification
         where status = 'pending') as pending_oldest`;
  return {
    exceptionsOpen: r!.exceptionsOpen,
    exceptionsOldestSeconds: Math.round(r!.exceptionsOldest),
    notificationsPending: r!.pending,
    notificationsOldestSeconds: Math.round(r!.pendingOldest),
  };
}
