// On-demand meter reads (re-reads for disputes and service requests, final and start reads) go through an
// adapter, one per head-end. The demo and the tests use the simulator: a register that reads back the last
// actual read plus the meter's recent daily use, unless a test has set the register (meter_simulator).
import type { Sql } from '../db/client.js';
import { type Dec, dec, decToString, divRoundHalfUp, ONE } from '../domain/decimal.js';
import { type Clock, systemClock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';

export interface MeterRef {
  id: string;
  serialNumber: string;
  unit: string;
  dialCount: number;
}

export interface OnDemandReadAdapter {
  readonly name: string;
  /** The meter's register right now, as a decimal string in the meter's unit. */
  readNow(meter: MeterRef, at: Date): Promise<{ value: string; readAt: string }>;
}

export function simulatorAdapter(sql: Sql): OnDemandReadAdapter {
  return {
    name: 'simulator',
    async readNow(meter, at) {
      const [set] = await sql<{ value: string }[]>`
        select value::text from meter_simulator where meter_id = ${meter.id}`;
      if (set) return { value: set.value, readAt: at.toISOString() };
      // last two valid reads give a daily rate; the register has moved on by that rate since the last one
      const reads = await sql<{ value: string; readAt: Date }[]>`
        select value::text, read_at from meter_read where meter_id = ${meter.id} and quality = 'valid'
        order by read_at desc limit 2`;
      if (!reads.length) return { value: '0', readAt: at.toISOString() };
      const last = reads[0]!;
      const prev = reads[1];
      let value: bigint = dec(last.value);
      if (prev) {
        const used = dec(last.value) - dec(prev.value);
        const span = BigInt(last.readAt.getTime() - prev.readAt.getTime());
        const since = BigInt(Math.max(0, at.getTime() - last.readAt.getTime()));
        if (used > 0n && span > 0n) value += (used * since) / span;
      }
      // a register shows four decimals and wraps at its dial count (exact: scaled integers throughout)
      const step = ONE / 10_000n;
      value = divRoundHalfUp(value, step) * step;
      value %= 10n ** BigInt(meter.dialCount) * ONE;
      return { value: decToString(value as Dec), readAt: at.toISOString() };
    },
  };
}

export function createOnDemandReadActivities(
  sql: Sql,
  adapter: OnDemandReadAdapter,
  clock: Clock = systemClock(),
) {
  return {
    /**
     * Reads every meter serving the account now and records each read (source "ami", flagged on-demand),
     * once per request key: a retried activity returns the reads it already took.
     */
    async takeOnDemandReads(a: { accountId: string; key: string; at?: string; premiseId?: string }) {
      const done = await sql<{ id: string; meterId: string; value: string; readAt: Date }[]>`
        select id, meter_id, value::text, read_at from meter_read
        where flags @> ${sql.json([{ onDemand: a.key }] as never)}`;
      if (done.length)
        return done.map((r) => ({
          readId: r.id,
          meterId: r.meterId,
          value: r.value,
          readAt: r.readAt.toISOString(),
        }));
      const meters = await sql<MeterRef[]>`
        select distinct m.id, m.serial_number, m.unit, m.dial_count from service_agreement sa
        join meter_installation mi on mi.service_point_id = sa.service_point_id and mi.removed_at is null
        join meter m on m.id = mi.meter_id
        join service_point sp on sp.id = sa.service_point_id
        where sa.account_id = ${a.accountId} and sa.status <> 'closed'
          and (${a.premiseId ?? null}::text is null or sp.premise_id = ${a.premiseId ?? null})`;
      const at = a.at ? new Date(a.at) : clock.now();
      const out = [];
      for (const m of meters) {
        // a move-out and the next move-in on one day share the meter's read at that moment
        const [same] = await sql<{ id: string; value: string; readAt: Date }[]>`
          select id, value::text, read_at from meter_read
          where meter_id = ${m.id} and read_at = ${at} and quality = 'valid' limit 1`;
        if (same) {
          out.push({ readId: same.id, meterId: m.id, value: same.value, readAt: same.readAt.toISOString() });
          continue;
        }
        const r = await adapter.readNow(m, at);
        const id = newId('read');
        await sql`insert into meter_read (id, meter_id, read_at, value, source, quality, flags)
          values (${id}, ${m.id}, ${r.readAt}, ${r.value}, 'ami', 'valid',
                  ${sql.json([{ onDemand: a.key, adapter: adapter.name }] as never)})`;
        out.push({ readId: id, meterId: m.id, value: r.value, readAt: r.readAt });
      }
      return out;
    },
  };
}

export type OnDemandReadActivities = ReturnType<typeof createOnDemandReadActivities>;
