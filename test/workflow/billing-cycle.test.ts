import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  addRead,
  createAccount,
  createCustomer,
  createMeter,
  createPremise,
  createServiceAgreement,
  createServicePoint,
  installMeter,
} from '../../db/accounts.js';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents, trialBalance } from '../../db/ledger.js';
import { newId } from '../../lib/ids.js';
import {
  billingCycleWorkflow,
  billingCycleWorkflowId,
  billStatusQuery,
} from '../../workflows/billing-cycle.js';
import { freshDatabase } from '../support/db.js';
import { simpleTariff } from '../support/tariffs.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

let sql: Sql;
let t: TemporalHarness;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  t = await startWorkers(sql);
});

async function waterAccount(opts: { customerCharge?: string; unitPrice?: string; start?: string } = {}) {
  const cust = await createCustomer(sql, { name: 'Ada Lovelace' });
  const acct = await createAccount(sql, { customerId: cust.id });
  const prem = await createPremise(sql, {
    addressLine1: '1 Main St',
    city: 'Springfield',
    state: 'OR',
    postalCode: '97477',
  });
  const sp = await createServicePoint(sql, prem.id, 'water');
  const meter = await createMeter(sql, {
    serialNumber: `W-${newId('mtr').slice(-8)}`,
    kind: 'water',
    unit: 'ccf',
    dialCount: 4,
  });
  await installMeter(sql, meter.id, sp.id, '2020-01-01T00:00:00Z');
  const rsId = newId('rs');
  await sql`insert into rate_schedule (id, code, name, service_type) values (${rsId}, ${`W-${rsId.slice(-6)}`}, 'Water flat', 'water')`;
  await sql`insert into rate_version (id, rate_schedule_id, effective_from, tariff) values (${newId('rv')}, ${rsId}, '2020-01-01',
    ${sql.json(simpleTariff('water', 'ccf', opts.customerCharge ?? '18.40', opts.unitPrice ?? '3.62'))})`;
  await createServiceAgreement(sql, {
    accountId: acct.id,
    servicePointId: sp.id,
    rateScheduleId: rsId,
    startDate: opts.start ?? '2020-01-01',
  });
  return { acct, meter };
}

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
    expect(await handle.query(billStatusQuery)).toBe('issued');
    const desc = await handle.describe();
    expect(desc.typedSearchAttributes.get({ name: 'AccountNumber', type: 'KEYWORD' } as never)).toBe(
      acct.accountNumber,
    );
    expect(desc.typedSearchAttributes.get({ name: 'BillStatus', type: 'KEYWORD' } as never)).toBe('issued');
  });

  it('holds the bill, posting nothing, when a closing read is missing', async () => {
    const { acct, meter } = await waterAccount();
    await addRead(sql, { meterId: meter.id, readAt: '2026-10-01T08:00:00Z', value: '100', source: 'ami' });
    const result = await t.env.client.workflow.execute(billingCycleWorkflow, {
      workflowId: billingCycleWorkflowId(acct.accountNumber, '2026-10'),
      taskQueue: `${t.taskQueuePrefix}billing`,
      args: [{ accountId: acct.id, period: '2026-10', policy: { dueDays: 21 } }],
    });
    expect(result).toMatchObject({ status: 'held', reasons: [{ code: 'missing_read' }] });
    expect(await accountBalanceCents(sql, acct.id)).toBe(0);
    expect(inject('temporalNamespace')).toBe('default');
  });

  it("holds unusually high usage against the account's own history before a bill goes out", async () => {
    const { acct, meter } = await waterAccount();
    for (const [at, value] of [
      ['2026-08-01', '100'],
      ['2026-09-01', '110'],
      ['2026-10-01', '200'],
    ] as const) {
      await addRead(sql, { meterId: meter.id, readAt: `${at}T08:00:00Z`, value, source: 'ami' });
    }
    const bill = (period: string) =>
      t.env.client.workflow.execute(billingCycleWorkflow, {
        workflowId: billingCycleWorkflowId(acct.accountNumber, period),
        taskQueue: `${t.taskQueuePrefix}billing`,
        args: [{ accountId: acct.id, period, policy: { dueDays: 21 } }],
      });
    expect(await bill('2026-08')).toMatchObject({ status: 'issued' }); // 10 ccf, no history yet
    const held = await bill('2026-09'); // 90 ccf in 30 days = 3/day against 10/31 = 0.32/day
    expect(held).toMatchObject({ status: 'held', reasons: [{ code: 'high_usage' }] });
    expect(held.status === 'held' && held.reasons[0]!.message).toMatch(/over 2.5x the recent average/);
  });
});
