// A bill held for high usage also tells the customer: the read checks' message carries the figures
// ("12.5/day is over 2.5x the same season last year of 3.1/day"); the agreement gives the service and unit.
import type { Tx } from '../db/client.js';
import { queueNotification } from '../db/notifications.js';
import type { Hold } from '../domain/bill-calc.js';

export async function queueHighUsageFromHold(tx: Tx, accountId: string, workflowId: string, h: Hold) {
  const m = /^([\d.]+)\/day .* of ([\d.]+)\/day/.exec(h.message);
  const [sa] = await tx<{ serviceType: string; unit: string | null }[]>`
    select sa.service_type, (select me.unit from meter_installation mi join meter me on me.id = mi.meter_id
        where mi.service_point_id = sa.service_point_id order by mi.installed_at desc limit 1) as unit
    from service_agreement sa where sa.id = ${h.serviceAgreementId}`;
  await queueNotification(tx, {
    accountId,
    alert: 'high_usage',
    key: `high_usage/hold/${workflowId}/${h.serviceAgreementId}`,
    data: {
      usage: m?.[1] ?? null,
      normal: m?.[2] ?? null,
      unit: sa?.unit ?? null,
      service: sa?.serviceType ?? null,
      basis: 'bill_exception',
    },
  });
}
