// A held bill's activities: the exceptions queue, corrected and estimated reads. Each is idempotent: a retry
// after a crash finds the earlier result. Issuing a bill is the pipeline's (activities/bill-pipeline.ts).
import { enqueueHeldBills, type HeldBill } from '../db/bill-exceptions.js';
import { loadBillingInputs } from '../db/billing.js';
import type { Sql } from '../db/client.js';
import { addDays } from '../domain/period.js';
import { estimateRead } from '../domain/read-validation.js';
import { type Clock, systemClock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
import type { ExceptionStatus } from '../workflows/contracts/billing-cycle.js';

type Period = { key: string; start: string; end: string };

export function createBillingActivities(sql: Sql, clock: Clock = systemClock()) {
  return {
    /** Puts a held bill in the exceptions queue (once per workflow), or refreshes its reasons. */
    async recordException(a: HeldBill) {
      await sql.begin((tx) => enqueueHeldBills(tx, [a], { refresh: true }));
    },

    async closeException(a: {
      workflowId: string;
      status: Exclude<ExceptionStatus, 'open'>;
      resolution?: Record<string, unknown>;
      by?: string | null;
    }) {
      await sql`update bill_exception set status = ${a.status},
          resolution = coalesce(${a.resolution ? sql.json(a.resolution as never) : null}, resolution),
          resolved_by = coalesce(${a.by ?? null}, resolved_by),
          resolved_at = case when ${a.status} in ('resolved', 'cancelled') then now() else resolved_at end
        where workflow_id = ${a.workflowId}`;
    },

    /**
     * Staff corrected a read: the new value is recorded as a manual read that supersedes the held one, which
     * is kept (quality "rejected") for the record. Keyed by the workflow step, so a retry adds nothing.
     */
    async correctRead(a: { readId: string; value: string; idempotencyKey: string }) {
      return sql.begin(async (tx) => {
        const [done] = await tx<
          { id: string }[]
        >`select id from meter_read where flags @> ${sql.json([{ key: a.idempotencyKey }] as never)}`;
        if (done) return done.id;
        const [old] = await tx<
          { meterId: string; readAt: Date }[]
        >`select meter_id, read_at from meter_read where id = ${a.readId}`;
        if (!old) throw new Error(`read ${a.readId} does not exist`);
        const id = newId('read');
        await tx`insert into meter_read (id, meter_id, read_at, value, source, quality, supersedes_id, flags)
          values (${id}, ${old.meterId}, ${old.readAt}, ${a.value}, 'manual', 'valid', ${a.readId}, ${sql.json([{ key: a.idempotencyKey }] as never)})`;
        await tx`update meter_read set quality = 'rejected' where id = ${a.readId}`;
        return id;
      });
    },

    /**
     * No closing read arrived within the late-read window: estimate one per meter from the account's own
     * history, marked "estimated", so the next actual read trues it up. Meters with no history stay held.
     */
    async estimateMissingReads(a: { accountId: string; period: Period }) {
      const inputs = await loadBillingInputs(sql, a.accountId, a.period, clock.timeZone);
      if (!inputs) throw new Error(`account ${a.accountId} does not exist`);
      const closingAt = `${addDays(a.period.end, 1)}T00:00:00.000Z`;
      let estimated = 0;
      for (const s of inputs.segments) {
        if (!s.meter || s.closingRead || !s.openingRead) continue;
        const e = estimateRead({
          last: s.openingRead,
          at: closingAt,
          history: s.history ?? {},
          meter: s.meter,
        });
        if (!e) continue;
        const [m] = await sql<
          { id: string }[]
        >`select m.id from meter m where m.serial_number = ${s.meter.serialNumber}`;
        const inserted =
          await sql`insert into meter_read (id, meter_id, read_at, value, source, quality, flags)
          select ${newId('read')}, ${m!.id}, ${closingAt}, ${e.value}, 'estimated', 'valid', ${sql.json([{ estimate: e.basis, quantity: e.quantity }] as never)}
          where not exists (select 1 from meter_read where meter_id = ${m!.id} and read_at = ${closingAt} and source = 'estimated')
          returning id`;
        estimated += inserted.length;
      }
      return estimated;
    },
  };
}

export type BillingActivities = ReturnType<typeof createBillingActivities>;
