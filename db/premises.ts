// Premises from the API: a service point on a premise, and a meter installed at a service point, each on
// records that must exist (404 naming the one that does not). The inserts are db/accounts.ts.
import { createServicePoint, installMeter } from './accounts.js';
import type { Sql } from './client.js';
import { noSuch } from './refused.js';

export async function addServicePoint(sql: Sql, premiseId: string, serviceType: string) {
  const [p] = await sql`select 1 from premise where id = ${premiseId}`;
  if (!p) throw noSuch('premise', premiseId);
  return createServicePoint(sql, premiseId, serviceType);
}

export async function installMeterAt(sql: Sql, meterId: string, servicePointId: string, installedAt: string) {
  const [m] = await sql`select 1 from meter where id = ${meterId}`;
  if (!m) throw noSuch('meter', meterId);
  const [sp] = await sql`select 1 from service_point where id = ${servicePointId}`;
  if (!sp) throw noSuch('service point', servicePointId, 'servicePointId');
  return installMeter(sql, meterId, servicePointId, installedAt);
}
