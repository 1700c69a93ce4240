// Cancel/rebill: a bill found wrong (a read that was over-read, say) is cancelled — its journal entry
// reversed, the bill kept for the record — and re-rated from the corrected reads into a new bill for the same
// period that says which bill it replaces. One transaction: the account never shows neither bill nor both.
import { decideBill } from '../domain/bill-issue.js';
import { assertBalanced } from '../domain/ledger.js';
import { daysBetween } from '../domain/period.js';
import type { ReadCorrection } from '../domain/reads.js';
import { newId } from '../lib/ids.js';
import { type BillRow, billRowColumns, issueBillsTx, loadBillingInputsMany } from './billing.js';
import type { Sql, Tx } from './client.js';
import { postEntry } from './ledger.js';
import { Refused } from './refused.js';

export class RebillRefused extends Refused {
  constructor(message: string) {
    super(message, 'rebill_refused');
  }
}

/** Records a corrected read superseding the old one, which stays (quality "rejected") for the record. */
export async function supersedeRead(tx: Tx, c: ReadCorrection, key: string) {
  const [done] = await tx<{ id: string }[]>`
    select id from meter_read where supersedes_id = ${c.readId} and flags @> ${tx.json([{ key }] as never)}`;
  if (done) return done.id;
  const [old] = await tx<{ meterId: string; readAt: Date }[]>`
    select meter_id, read_at from meter_read where id = ${c.readId}`;
  if (!old) throw new RebillRefused(`read ${c.readId} does not exist`);
  const id = newId('read');
  await tx`insert into meter_read (id, meter_id, read_at, value, source, quality, supersedes_id, flags)
    values (${id}, ${old.meterId}, ${old.readAt}, ${c.value}, 'manual', 'valid', ${c.readId}, ${tx.json([{ key }] as never)})`;
  await tx`update meter_read set quality = 'rejected' where id = ${c.readId}`;
  return id;
}

export async function cancelAndRebill(
  sql: Sql,
  a: { billId: string; corrections: ReadCorrection[]; key: string; today: string },
): Promise<{ cancelledBillId: string; newBillId: string; oldTotalCents: number; newTotalCents: number }> {
  return sql.begin(async (tx) => {
    const [bill] = await tx<(BillRow & { revision: number })[]>`
      select ${billRowColumns(tx)}, revision from bill where id = ${a.billId} for update`;
    if (!bill) throw new RebillRefused(`bill ${a.billId} does not exist`);
    if (bill.status === 'cancelled') {
      const [done] = await tx<{ id: string; totalCents: number }[]>`
        select id, total_cents from bill where replaces_bill_id = ${bill.id}`;
      if (done)
        return {
          cancelledBillId: bill.id,
          newBillId: done.id,
          oldTotalCents: bill.totalCents,
          newTotalCents: done.totalCents,
        };
      throw new RebillRefused(`bill ${bill.id} is cancelled`);
    }
    const [later] =
      await tx`select id from bill where account_id = ${bill.accountId} and period > ${bill.period}
      and status = 'issued' limit 1`;
    if (later)
      throw new RebillRefused(
        "a later bill started from this bill's closing read; correct the latest bill, or post an adjustment",
      );
    for (const c of a.corrections) await supersedeRead(tx, c, a.key);

    await tx`update bill set status = 'cancelled' where id = ${bill.id}`;
    const [entry] = await tx<{ id: string; description: string }[]>`
      select id, description from journal_entry where bill_id = ${bill.id} and kind = 'bill'`;
    if (entry) {
      const postings = await tx<{ ledgerAccountId: string; amountCents: number }[]>`
        select ledger_account_id, amount_cents from posting where journal_entry_id = ${entry.id}`;
      await postEntry(
        tx,
        assertBalanced({
          idempotencyKey: `${a.key}:cancel`,
          kind: 'reversal',
          accountId: bill.accountId,
          effectiveOn: a.today,
          description: `Cancelled: ${entry.description} (corrected bill follows)`,
          postings: postings.map((p) => ({
            ledgerAccount: p.ledgerAccountId as never,
            amountCents: -p.amountCents,
          })),
        }),
        { reversesId: entry.id, billId: bill.id },
      );
    }

    const period = { key: bill.period, start: bill.periodStart, end: bill.periodEnd };
    const facts = (await loadBillingInputsMany(tx as unknown as Sql, [bill.accountId], period)).get(
      bill.accountId,
    );
    if (!facts) throw new RebillRefused(`account ${bill.accountId} does not exist`);
    // the pipeline's decision (domain/bill-issue.ts), on the bill's own due-day terms, dated today; staff
    // decided these reads, so the usage checks that would hold a bill do not apply
    const decision = decideBill(facts, {
      period,
      billDate: a.today,
      dueDays: daysBetween(bill.billDate, bill.dueDate),
      workflowId: a.key,
      validation: undefined,
    });
    if (decision.kind !== 'ready')
      throw new RebillRefused(
        decision.kind === 'held'
          ? `the corrected bill cannot be rated: ${decision.holds.map((h) => h.message).join('; ')}`
          : `the corrected bill cannot be made: ${decision.kind === 'nothing' ? 'nothing was in service' : 'the period has a live bill'}`,
      );
    const [issued] = await issueBillsTx(tx, [
      { ...decision.bill, replaces: { billId: bill.id, revision: bill.revision + 1 } },
    ]);
    await tx`select pg_notify('account_events', ${JSON.stringify({ accountId: bill.accountId, type: 'bill.rebilled', billId: issued!.billId })})`;
    return {
      cancelledBillId: bill.id,
      newBillId: issued!.billId,
      oldTotalCents: bill.totalCents,
      newTotalCents: issued!.totalCents,
    };
  });
}
