// Outage and service alerts: one urgent-by-default notice to each active account served in an area (postal
// codes, read routes) or at given premises, and the broadcast's record.
import { newId } from '../lib/ids.js';
import type { Sql } from './client.js';
import { queueNotification } from './notifications.js';

export interface OutageArea {
  postalCodes: string[];
  routes: string[];
  premiseIds: string[];
}

/** Queues the notices and records the broadcast in one transaction: how many accounts, how many notices. */
export async function broadcastOutage(
  sql: Sql,
  b: { message: string; area: OutageArea; urgent: boolean; by: string },
) {
  const id = newId('bcast');
  const { postalCodes: postal, routes, premiseIds: premises } = b.area;
  const counts = await sql.begin(async (tx) => {
    const accounts = await tx<{ accountId: string }[]>`
      select distinct sa.account_id from service_agreement sa
      join service_point sp on sp.id = sa.service_point_id
      join premise p on p.id = sp.premise_id
      join account a on a.id = sa.account_id and a.status = 'active'
      where sa.status in ('active', 'pending_stop')
        and (p.postal_code = any(${postal}) or p.route = any(${routes}) or p.id = any(${premises}))
      order by sa.account_id`;
    let queued = 0;
    for (const a of accounts) {
      const n = await queueNotification(tx, {
        accountId: a.accountId,
        alert: 'outage',
        key: `outage/${id}/${a.accountId}`,
        data: { message: b.message, area: [...postal, ...routes].join(', ') || null, broadcastId: id },
        urgent: b.urgent,
      });
      if (n) queued++;
    }
    await tx`insert into outage_broadcast (id, message, area, urgent, created_by, account_count)
      values (${id}, ${b.message}, ${tx.json(b.area as never)}, ${b.urgent}, ${b.by}, ${accounts.length})`;
    return { accounts: accounts.length, queued };
  });
  return { id, ...counts };
}
