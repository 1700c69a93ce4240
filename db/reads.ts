// Meter reads as the API lists and records them: a meter's reads, an account's recent reads over every
// meter its tenure covers, and a hand-entered read on a meter that must exist.
import { addRead, requireAccount } from './accounts.js';
import type { Sql } from './client.js';
import { noSuch } from './refused.js';
import { inTenure } from './tenure.js';

/** Records a register read on a meter (404 if there is no such meter). */
export async function recordRead(
  sql: Sql,
  meterId: string,
  r: Omit<Parameters<typeof addRead>[1], 'meterId'>,
) {
  const [m] = await sql`select 1 from meter where id = ${meterId}`;
  if (!m) throw noSuch('meter', meterId);
  return addRead(sql, { meterId, ...r });
}

export interface MeterRead {
  id: string;
  meterId: string;
  readAt: Date;
  value: string;
  source: string;
  quality: string;
}

/** A meter's latest 100 reads, newest first. */
export async function meterReads(sql: Sql, meterId: string) {
  const rows = await sql<MeterRead[]>`
    select id, meter_id, read_at, value::text as value, source, quality from meter_read
    where meter_id = ${meterId} order by read_at desc limit 101`;
  return { reads: rows.slice(0, 100), hasMore: rows.length > 100 };
}

export interface AccountRead {
  id: string;
  meterId: string;
  serialNumber: string;
  serviceType: string;
  readAt: Date;
  value: string;
  unit: string;
  source: string;
  quality: string;
  superseded: boolean;
}

/**
 * The account's `limit` most recent reads on every meter installed where it took service, while it did
 * (404 if there is no such account).
 */
export async function accountReads(sql: Sql, accountId: string, limit: number) {
  await requireAccount(sql, accountId);
  const rows = await sql<AccountRead[]>`
    select mr.id, mt.id as meter_id, mt.serial_number, sa.service_type, mr.read_at, mr.value::text as value, mt.unit,
           mr.source, mr.quality, exists (select 1 from meter_read s where s.supersedes_id = mr.id) as superseded
    from service_agreement sa
    join meter_installation mi on mi.service_point_id = sa.service_point_id
    join meter mt on mt.id = mi.meter_id
    join meter_read mr on mr.meter_id = mt.id
      and mr.read_at >= mi.installed_at and (mi.removed_at is null or mr.read_at <= mi.removed_at)
    where sa.account_id = ${accountId} and ${inTenure(sql, sql`mr.read_at`, 'sa')}
    order by mr.read_at desc, mr.id desc limit ${limit + 1}`;
  return { reads: rows.slice(0, limit), hasMore: rows.length > limit };
}
