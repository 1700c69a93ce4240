// Rate schedules and their effective-dated tariff versions.
import type { Tariff } from '../domain/tariff.js';
import { newId } from '../lib/ids.js';
import type { Sql } from './client.js';

/** A new schedule with its first version, in one transaction. */
export async function createRateSchedule(
  sql: Sql,
  s: { code: string; name: string; serviceType: string; effectiveFrom: string; tariff: Tariff },
) {
  const id = newId('rs');
  const rateVersionId = newId('rv');
  await sql.begin(async (tx) => {
    await tx`insert into rate_schedule (id, code, name, service_type) values (${id}, ${s.code}, ${s.name}, ${s.serviceType})`;
    await tx`insert into rate_version (id, rate_schedule_id, effective_from, tariff)
      values (${rateVersionId}, ${id}, ${s.effectiveFrom}, ${tx.json(s.tariff as never)})`;
  });
  return { id, rateVersionId };
}
