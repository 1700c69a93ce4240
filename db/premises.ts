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

export interface PremiseHit {
  id: string;
  addressLine1: string;
  addressLine2: string | null;
  city: string;
  state: string;
  postalCode: string;
}

/**
 * Service addresses whose street, city or ZIP starts with or holds the words typed (for a move): the
 * address only, never who takes service there. At most `limit`, by address.
 */
export async function searchPremises(sql: Sql, q: string, limit = 10) {
  const words = q.trim().toLowerCase().split(/\s+/).filter(Boolean).slice(0, 5);
  if (!words.length) return [];
  const like = (w: string) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<PremiseHit[]>`
    select id, address_line1, address_line2, city, state, postal_code from premise p
    where ${words.map((w) => sql`lower(p.address_line1 || ' ' || coalesce(p.address_line2, '') || ' ' || p.city || ' ' || p.state || ' ' || p.postal_code) like ${like(w)}`).reduce((a, b) => sql`${a} and ${b}`)}
    order by p.address_line1, p.city, p.id limit ${limit}`;
}
