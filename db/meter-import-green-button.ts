// The data behind a service point's Green Button download: for each meter installed there, its interval data
// while installed; a meter with no interval data gives its consumption between successive register reads
// (multiplier applied, rollover handled as read validation does), one interval per pair of reads. Only the
// delivered channel (0) is exported so far.
import { decToString } from '../domain/decimal.js';
import type { GbExportInput, GbExportMeter, MeterUnit } from '../domain/import/greenbutton-export.js';
import { consumption } from '../domain/reads.js';
import type { Sql } from './client.js';

/**
 * The account a customer reaches this service point through: among the accounts with an agreement here, the
 * latest one linked to the user's login (or, when none is, the latest of all: the access check then refuses).
 */
export async function servicePointAccount(
  sql: Sql,
  servicePointId: string,
  userId?: string,
): Promise<string | undefined> {
  const [r] = await sql<{ accountId: string }[]>`
    select sa.account_id from service_agreement sa
    where sa.service_point_id = ${servicePointId}
    order by (${userId ?? null}::text is not null and exists (
                select 1 from portal_account_access pa where pa.user_id = ${userId ?? null} and pa.account_id = sa.account_id)) desc,
             sa.start_date desc, sa.id desc
    limit 1`;
  return r?.accountId;
}

export interface GreenButtonPoint {
  servicePointId: string;
  serviceType: string;
  address: string;
  /** serial numbers installed there, oldest first */
  meters: string[];
}

/** The account's metered service points, for its Green Button downloads; undefined for no account. */
export async function accountGreenButtonPoints(
  sql: Sql,
  accountId: string,
): Promise<GreenButtonPoint[] | undefined> {
  const [acct] = await sql`select 1 from account where id = ${accountId}`;
  if (!acct) return undefined;
  const rows = await sql<GreenButtonPoint[]>`
    select sp.id as service_point_id, sp.service_type, p.address_line1 || ', ' || p.city as address,
           array_agg(m.serial_number order by i.installed_at) as meters
    from service_point sp
    join premise p on p.id = sp.premise_id
    join meter_installation i on i.service_point_id = sp.id
    join meter m on m.id = i.meter_id
    where sp.id in (select service_point_id from service_agreement where account_id = ${accountId})
    group by sp.id, sp.service_type, p.address_line1, p.city
    order by sp.service_type, sp.id`;
  return rows.map((r) => ({ ...r, meters: [...r.meters] }));
}

export async function greenButtonData(
  sql: Sql,
  servicePointId: string,
  opts: { from?: string; to?: string; tzOffsetSeconds: number; dstOffsetSeconds?: number },
): Promise<GbExportInput | null> {
  const [sp] = await sql<{ id: string; serviceType: string; addressLine1: string; city: string }[]>`
    select sp.id, sp.service_type, p.address_line1, p.city from service_point sp join premise p on p.id = sp.premise_id
    where sp.id = ${servicePointId}`;
  if (!sp) return null;
  const from = opts.from ? new Date(opts.from) : new Date(0);
  const to = opts.to ? new Date(opts.to) : new Date('9999-01-01T00:00:00Z');
  const installs = await sql<
    {
      meterId: string;
      serialNumber: string;
      unit: MeterUnit;
      dialCount: number;
      multiplier: string;
      installedAt: Date;
      removedAt: Date | null;
    }[]
  >`
    select m.id as meter_id, m.serial_number, m.unit, m.dial_count, m.multiplier::text as multiplier, i.installed_at, i.removed_at
    from meter_installation i join meter m on m.id = i.meter_id
    where i.service_point_id = ${servicePointId} order by i.installed_at`;
  const meters: GbExportMeter[] = [];
  for (const ins of installs) {
    const lo = new Date(Math.max(from.getTime(), new Date(ins.installedAt).getTime()));
    const hi = new Date(
      Math.min(to.getTime(), ins.removedAt ? new Date(ins.removedAt).getTime() : to.getTime()),
    );
    const intervals = await sql<{ startAt: Date; seconds: number; value: string }[]>`
      select start_at, seconds, value::text as value from meter_interval
      -- the delivered channel: a net-metered meter's received channel is not this reading type
      where meter_id = ${ins.meterId} and channel = 0 and start_at >= ${lo} and start_at < ${hi} order by start_at`;
    let list: GbExportMeter['intervals'] = intervals.map((i) => ({
      startMs: new Date(i.startAt).getTime(),
      seconds: i.seconds,
      value: i.value,
    }));
    if (!list.length) {
      const reads = await sql<{ id: string; readAt: Date; value: string; source: string }[]>`
        select id, read_at, value::text as value, source from meter_read r
        where meter_id = ${ins.meterId} and read_at >= ${lo} and read_at <= ${hi} and quality <> 'rejected'
          and not exists (select 1 from meter_read n where n.supersedes_id = r.id)
        order by read_at, id`;
      list = [];
      for (let i = 1; i < reads.length; i++) {
        const a = reads[i - 1]!;
        const b = reads[i]!;
        const c = consumption(
          { id: a.id, value: a.value, readAt: new Date(a.readAt).toISOString(), source: a.source as 'ami' },
          { id: b.id, value: b.value, readAt: new Date(b.readAt).toISOString(), source: b.source as 'ami' },
          { dialCount: ins.dialCount, multiplier: ins.multiplier },
        );
        if (!c.ok) continue;
        const startMs = new Date(a.readAt).getTime();
        const seconds = Math.round((new Date(b.readAt).getTime() - startMs) / 1000);
        if (seconds <= 0) continue;
        list.push({ startMs, seconds, value: decToString(c.quantity) });
      }
    }
    meters.push({ serial: ins.serialNumber, unit: ins.unit, intervals: list });
  }
  return {
    servicePointId: sp.id,
    serviceType: sp.serviceType,
    title: `${sp.serviceType} service at ${sp.addressLine1}, ${sp.city}`,
    tzOffsetSeconds: opts.tzOffsetSeconds,
    dstOffsetSeconds: opts.dstOffsetSeconds ?? 0,
    updatedMs: Date.now(),
    meters,
  };
}
