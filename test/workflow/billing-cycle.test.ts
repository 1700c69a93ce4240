import { beforeAll, describe, expect, it } from 'vitest';
import { billPdf } from '../../activities/documents.js';
import { addRead } from '../../db/accounts.js';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents, trialBalance } from '../../db/ledger.js';
import { createUser } from '../../db/users.js';
import { billingCycleWorkflow } from '../../workflows/billing-cycle.js';
import {
  type BillingCycleState,
  type BillingPolicy,
  billingCycleWorkflowId,
  billStateQuery,
  billStatusQuery,
  resolveExceptionUpdate,
} from '../../workflows/contracts/billing-cycle.js';
import { waterAccount as supportWaterAccount } from '../support/accounts.js';
import { freshDatabase } from '../support/db.js';
import { pdfText } from '../support/pdf.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

let sql: Sql;
let t: TemporalHarness;

let staffId: string;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  t = await startWorkers(sql);
  staffId = await createUser(sql, {
    email: 'sup@utility.test',
    displayName: 'Sup',
    password: 'pw-pw-pw-1',
    kind: 'staff',
    role: 'supervisor',
  });
});

// 4-dial meters: the first test rolls the register over from 9990 to 12.5
const waterAccount = () => supportWaterAccount(sql, { dialCount: 4 });

describe('billing cycle workflow on a real Temporal server', () => {
  it('issues a bill from two reads, posts it to the ledger once, and sets search attributes', async () => {
    const { acct, meter } = await waterAccount();
    await addRead(sql, { meterId: meter.id, readAt: '2026-10-01T08:00:00Z', value: '9990', source: 'ami' });
    await addRead(sql, { meterId: meter.id, readAt: '2026-11-01T08:00:00Z', value: '0012.5', source: 'ami' }); // 4-dial rollover
    const workflowId = billingCycleWorkflowId(acct.accountNumber, '2026-10');
    const run = () =>
      t.env.client.workflow.execute(billingCycleWorkflow, {
        workflowId,
        taskQueue: `${t.taskQueuePrefix}billing`,
        args: [{ accountId: acct.id, period: '2026-10', policy: { dueDays: 21 } }],
      });
    const result = await run();
    // 22.5 ccf (rollover 9990 -> 10012.5) x $3.62 = $81.45 ; + $18.40 customer charge = $99.85
    expect(result).toMatchObject({ status: 'issued', totalCents: 9985, created: true });
    expect(await accountBalanceCents(sql, acct.id)).toBe(9985);

    const lines = await sql`select l.description, l.quantity::text, l.amount_cents, l.trace from bill_line l
      join bill_segment s on s.id = l.bill_segment_id join bill b on b.id = s.bill_id where b.account_id = ${acct.id} order by l.seq`;
    expect(lines.map((l) => [l.description, l.quantity, l.amountCents])).toEqual([
      ['Water customer charge', '1.000000000', 1840],
      ['Water usage', '22.500000000', 8145],
    ]);
    expect(lines[1]!.trace).toMatchObject({
      reads: { rollover: true, startValue: '9990', endValue: '12.5' },
    });

    // Re-running the same account and period (a re-run bill run) neither bills nor posts twice.
    await t.env.client.workflow.getHandle(workflowId).result();
    const again = await t.env.client.workflow.execute(billingCycleWorkflow, {
      workflowId: `${workflowId}/rerun`,
      taskQueue: `${t.taskQueuePrefix}billing`,
      args: [{ accountId: acct.id, period: '2026-10', policy: { dueDays: 21 } }],
    });
    expect(again).toMatchObject({ status: 'issued', created: false, totalCents: 9985 });
    expect(await accountBalanceCents(sql, acct.id)).toBe(9985);
    expect((await trialBalance(sql)).reduce((n, r) => n + r.balance, 0)).toBe(0);

    const handle = t.env.client.workflow.getHandle(workflowId);
    expect(await handle.query(billStatusQuery)).toBe('delivered');
    const desc = await handle.describe();
    expect(desc.typedSearchAttributes.get({ name: 'AccountNumber', type: 'KEYWORD' } as never)).toBe(
      acct.accountNumber,
    );
    expect(desc.typedSearchAttributes.get({ name: 'BillStatus', type: 'KEYWORD' } as never)).toBe(
      'delivered',
    );
  });

  const start = (
    acct: { id?: unknown; accountNumber?: unknown },
    period: string,
    policy: BillingPolicy = { dueDays: 21 },
  ) =>
    t.env.client.workflow.start(billingCycleWorkflow, {
      workflowId: billingCycleWorkflowId(acct.accountNumber as string, period),
      taskQueue: `${t.taskQueuePrefix}billing`,
      args: [{ accountId: acct.id as string, period, policy }],
    });
  const waitFor = async (
    h: { query: (q: typeof billStateQuery) => Promise<BillingCycleState> },
    statuses: string[],
  ) => {
    for (let i = 0; i < 150; i++) {
      const s = await h.query(billStateQuery);
      if (statuses.includes(s.status)) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`never reached ${statuses.join('/')}`);
  };
  const exceptionOf = async (workflowId: string) =>
    (await sql`select status, reasons, resolution from bill_exception where workflow_id = ${workflowId}`)[0];

  it('holds a bill with a missing read in the exceptions queue, posting nothing, until staff cancel it', async () => {
    const { acct, meter } = await waterAccount();
    await addRead(sql, { meterId: meter.id, readAt: '2026-10-01T08:00:00Z', value: '100', source: 'ami' });
    const h = await start(acct, '2026-10');
    const state = await waitFor(h, ['held']);
    expect(state.reasons).toMatchObject([{ code: 'missing_read' }]);
    expect(await exceptionOf(h.workflowId)).toMatchObject({
      status: 'open',
      reasons: [{ code: 'missing_read' }],
    });
    expect(await accountBalanceCents(sql, acct.id)).toBe(0);
    await h.executeUpdate(resolveExceptionUpdate, {
      args: [{ action: 'cancel', by: staffId, note: 'vacant' }],
    });
    expect(await h.result()).toMatchObject({ status: 'cancelled' });
    expect(await exceptionOf(h.workflowId)).toMatchObject({
      status: 'cancelled',
      resolution: { action: 'cancel', note: 'vacant' },
    });
  });

  it("holds unusually high usage against the account's own history; staff correct the read and it issues", async () => {
    const { acct, meter } = await waterAccount();
    const reads: Record<string, string> = {};
    for (const [at, value] of [
      ['2026-08-01', '100'],
      ['2026-09-01', '110'],
      ['2026-10-01', '200'],
    ] as const) {
      reads[at] = (await addRead(sql, { meterId: meter.id, readAt: `${at}T08:00:00Z`, value, source: 'ami' }))
        .id as string;
    }
    expect(await (await start(acct, '2026-08')).result()).toMatchObject({ status: 'issued' }); // 10 ccf, no history yet
    const h = await start(acct, '2026-09'); // 90 ccf in 30 days = 3/day against 10/31 = 0.32/day
    const held = await waitFor(h, ['held']);
    expect(held.reasons).toMatchObject([
      { code: 'high_usage', message: expect.stringMatching(/over 2.5x the recent average/) },
    ]);
    // a misread: the register said 120, not 200
    await h.executeUpdate(resolveExceptionUpdate, {
      args: [{ action: 'adjust_read', by: staffId, readId: reads['2026-10-01']!, value: '120' }],
    });
    const r = await h.result();
    expect(r).toMatchObject({ status: 'issued', totalCents: 1840 + 3620 }); // 10 ccf x 3.62 + 18.40
    const [old] = await sql`select quality from meter_read where id = ${reads['2026-10-01']!}`;
    expect(old!.quality).toBe('rejected');
    expect(await exceptionOf(h.workflowId)).toMatchObject({
      status: 'resolved',
      resolution: { action: 'adjust_read', value: '120' },
    });
    await expect(
      h.executeUpdate(resolveExceptionUpdate, { args: [{ action: 'approve', by: 'x' }] }),
    ).rejects.toThrow(/not held|already completed/);
  });

  it('escalates a held bill nobody resolves; approval bills the usage as read', async () => {
    const { acct, meter } = await waterAccount();
    for (const [at, value] of [
      ['2026-08-01', '100'],
      ['2026-09-01', '110'],
      ['2026-10-01', '200'],
    ] as const) {
      await addRead(sql, { meterId: meter.id, readAt: `${at}T08:00:00Z`, value, source: 'ami' });
    }
    await (await start(acct, '2026-08')).result();
    const h = await start(acct, '2026-09', { dueDays: 21, escalateAfter: '1s' });
    await waitFor(h, ['escalated']);
    expect(await exceptionOf(h.workflowId)).toMatchObject({ status: 'escalated' });
    await h.executeUpdate(resolveExceptionUpdate, {
      args: [{ action: 'approve', by: staffId, note: 'pool fill, confirmed by phone' }],
    });
    expect(await h.result()).toMatchObject({ status: 'issued', totalCents: 1840 + 32580 }); // 90 x 3.62
  });

  it('waits for a late read, then estimates from history; the next actual read trues it up', async () => {
    const { acct, meter } = await waterAccount();
    for (const [at, value] of [
      ['2026-07-01', '100'],
      ['2026-08-01', '131'],
      ['2026-09-01', '162'],
    ] as const) {
      await addRead(sql, { meterId: meter.id, readAt: `${at}T08:00:00Z`, value, source: 'ami' });
    }
    for (const p of ['2026-07', '2026-08']) await (await start(acct, p)).result(); // 31 ccf each: 1/day
    const h = await start(acct, '2026-09', { dueDays: 21, lateReadWindow: '1s' });
    await waitFor(h, ['awaiting_reads', 'issued']);
    const r = await h.result();
    expect(r).toMatchObject({ status: 'issued', estimated: true, totalCents: 1840 + 10860 }); // 30 days x 1/day x 3.62
    const [est] =
      await sql`select value::text, source from meter_read where meter_id = ${meter.id} and source = 'estimated'`;
    expect(est).toMatchObject({ value: '192.0000', source: 'estimated' });
    // the customer's copy says so, and it went out: not paperless, so into the cycle's print batch
    const billId = (r as { billId: string }).billId;
    expect(await pdfText((await billPdf(sql, billId))!)).toContain('192 on 2026-10-01 (estimated)');
    const [printed] = await sql`select batch from print_batch_item where bill_id = ${billId}`;
    expect(printed).toMatchObject({ batch: '01/2026-09' });
    // the next actual read, 210 on Nov 1: October bills 210 - 192 (the estimate it opens from) = 18 ccf
    await addRead(sql, { meterId: meter.id, readAt: '2026-11-01T08:00:00Z', value: '210', source: 'ami' });
    expect(await (await start(acct, '2026-10')).result()).toMatchObject({
      status: 'issued',
      totalCents: 1840 + 6516,
    }); // 18 ccf
    const [total] = await sql<
      { billed: string }[]
    >`select sum(s.consumption)::text as billed from bill_segment s join bill b on b.id = s.bill_id where b.account_id = ${acct.id}`;
    expect(total!.billed).toBe('110.000000000'); // 210 - 100: every unit once, across the estimate
  });
});
