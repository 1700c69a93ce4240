// A cycle's bill run on the real Temporal server: every clean account billed once, held accounts handed
// to their own workflows, progress queryable, continue-as-new across pages, and a re-run bills no one twice.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addRead,
  createMeter,
  createServiceAgreement,
  createServicePoint,
  installMeter,
} from '../../db/accounts.js';
import type { Sql } from '../../db/client.js';
import { seedDemo } from '../../db/demo/seed.js';
import { nemCreditCents, trialBalance } from '../../db/ledger.js';
import { billRunWorkflow } from '../../workflows/bill-run.js';
import { billRunProgressQuery, billRunWorkflowId } from '../../workflows/contracts/bill-run.js';
import { billingCycleWorkflowId, billStateQuery } from '../../workflows/contracts/billing-cycle.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

let sql: Sql;
let t: TemporalHarness;
const PERIOD = '2026-10';

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  t = await startWorkers(sql);
  // 120 accounts in one cycle with 13 months of reads; 12 billed, October waits for this run
  await seedDemo(sql, {
    accounts: 120,
    seed: 3,
    today: '2026-11-28',
    months: 13,
    billedMonths: 12,
    cycles: 1,
  });
  // two accounts that must not bill as read: a 500 ccf spike, and a closing read that never arrived
  const water = await sql<{ accountNumber: string; meterId: string; readId: string }[]>`
    select a.account_number, m.id as meter_id, r.id as read_id from account a
    join service_agreement sa on sa.account_id = a.id and sa.service_type = 'water'
    join meter_installation mi on mi.service_point_id = sa.service_point_id join meter m on m.id = mi.meter_id
    join meter_read r on r.meter_id = m.id and r.read_at::date = '2026-11-01'
    order by a.account_number limit 2`;
  spiked = water[0]!.accountNumber;
  missing = water[1]!.accountNumber;
  await sql`insert into meter_read (id, meter_id, read_at, value, source)
    select 'read_spike', meter_id, read_at + interval '1 hour', value + 500, 'ami' from meter_read where id = ${water[0]!.readId}`;
  await sql`update meter_read set quality = 'rejected' where id = ${water[1]!.readId}`;
  // one account also has rooftop solar: a net-metered electric agreement on a bidirectional meter
  const [solar] = await sql<{ id: string; premiseId: string }[]>`
    select a.id, sp.premise_id from account a join service_agreement sa on sa.account_id = a.id and sa.service_type = 'water'
    join service_point sp on sp.id = sa.service_point_id order by a.account_number offset 5 limit 1`;
  solarAccountId = solar!.id;
  const sp = await createServicePoint(sql, solar!.premiseId, 'electric');
  const meter = await createMeter(sql, {
    serialNumber: 'E-SOLAR-1',
    kind: 'electric',
    unit: 'kWh',
    dialCount: 6,
  });
  await installMeter(sql, meter.id as string, sp.id as string, '2020-01-01T00:00:00Z');
  await sql`insert into rate_schedule (id, code, name, service_type) values ('rs_solar', 'E-NEM', 'Solar', 'electric')`;
  await sql`insert into rate_version (id, rate_schedule_id, effective_from, tariff) values ('rv_solar', 'rs_solar', '2020-01-01',
    ${sql.json({
      schema: 'cisflow.tariff/1',
      name: 'Residential solar',
      service: 'electric',
      unit: 'kWh',
      netMetering: { mode: 'nem_dollar' },
      components: [
        { type: 'fixed', name: 'Basic charge', amount: '10.00' },
        { type: 'volumetric', name: 'Energy', tiers: [{ from: '0', price: '0.20' }] },
      ],
    })})`;
  solarAgreementId = (
    await createServiceAgreement(sql, {
      accountId: solar!.id,
      servicePointId: sp.id as string,
      rateScheduleId: 'rs_solar',
      startDate: '2020-01-01',
    })
  ).id as string;
  for (const [at, value, received] of [
    ['2026-10-01T06:00:00Z', '1000', '0'],
    ['2026-11-01T06:00:00Z', '1300', '420'],
  ] as const)
    await addRead(sql, { meterId: meter.id as string, readAt: at, value, source: 'ami', received });
  // collections on 100 ms days, so the run's hand-off reaches its reminder and past-due days in the test
  await sql`insert into collection_policy (customer_class, policy) values ('residential', ${sql.json({ dayLength: '100ms' })})`;
});
let spiked: string;
let missing: string;
let solarAccountId: string;
let solarAgreementId: string;

describe('bill run', () => {
  it('bills the cycle page by page, holds the unusual, and can be re-run without billing anyone twice', async () => {
    const run = (id: string) =>
      t.env.client.workflow.start(billRunWorkflow, {
        workflowId: id,
        taskQueue: `${t.taskQueuePrefix}billing`,
        // small pages and runs: 5 pages of 25, continuing as new every 2 pages
        args: [
          {
            cycle: '01',
            period: PERIOD,
            policy: { pageSize: 25, concurrency: 2, pagesPerRun: 2, escalateAfter: '1 hour' },
          },
        ],
      });
    const h = await run(billRunWorkflowId('01', PERIOD));
    const p = await h.result();
    expect(p).toMatchObject({ status: 'completed', total: 120, pages: 5, pagesDone: 5, failed: 0 });
    expect(p.billed + p.held).toBe(120);
    expect(p.emailed + p.printed).toBe(p.billed); // every bill delivered: paperless by email, the rest printed
    expect(p.billed).toBeGreaterThan(100);
    expect((await h.describe()).runId).not.toBe(h.firstExecutionRunId); // it continued as new

    const [counts] = await sql<{ bills: number; accounts: number }[]>`
      select count(*)::int as bills, count(distinct account_id)::int as accounts from bill where period = ${PERIOD} and workflow_id like 'bill-run/%'`;
    expect(counts).toEqual({ bills: p.billed, accounts: p.billed });
    expect((await trialBalance(sql)).reduce((n, r) => n + r.balance, 0)).toBe(0);
    // the solar account: 300 kWh in, 420 out -> 120 x 0.20 = 24.00 credit on a 10.00 bill: 14.00 carried
    const solarLines = await sql<{ kind: string; amountCents: number }[]>`
      select l.trace->>'kind' as kind, l.amount_cents from bill_line l join bill_segment s on s.id = l.bill_segment_id
      join bill b on b.id = s.bill_id where b.account_id = ${solarAccountId} and b.period = ${PERIOD}
        and s.service_agreement_id = ${solarAgreementId} order by l.seq`;
    expect(solarLines).toEqual([
      { kind: 'fixed', amountCents: 1000 },
      { kind: 'volumetric', amountCents: 0 },
      { kind: 'nem_credit', amountCents: -2400 },
      { kind: 'nem_carry', amountCents: 1400 },
    ]);
    expect(await nemCreditCents(sql, solarAccountId)).toBe(1400);
    // the run's bills go to collections with their due date: reminders before it, then a dunning case
    // for every account still unpaid once past due (days here last 100 ms, so 21 days pass in about 2 s)
    const handoff = t.env.client.workflow.getHandle(`collections-handoff/${billRunWorkflowId('01', PERIOD)}`);
    const fromRun = await sql<{ n: number }[]>`select count(*)::int as n from bill
      where workflow_id = ${billRunWorkflowId('01', PERIOD)} and total_cents > 0`;
    const unpaid = fromRun[0]!.n;
    expect(await handoff.result()).toEqual({ reminded: unpaid, casesOpened: unpaid });
    const [reminders] = await sql<{ n: number }[]>`select count(*)::int as n from notification
      where alert = 'payment_due' and data->>'billId' in (select id from bill where workflow_id = ${billRunWorkflowId('01', PERIOD)})`;
    expect(reminders!.n).toBe(unpaid);
    const missingCase = async () =>
      (
        await sql`select 1 from bill b where b.workflow_id = ${billRunWorkflowId('01', PERIOD)} and b.total_cents > 0
          and not exists (select 1 from collection_case c where c.account_id = b.account_id)`
      ).length;

    // every held account waits in its own workflow, in the exceptions queue
    const held = await sql<{ accountNumber: string }[]>`
      select a.account_number from account a where not exists (select 1 from bill b where b.account_id = a.id and b.period = ${PERIOD})`;
    expect(p.held).toBeGreaterThanOrEqual(2);
    // the spike waits for staff; the missing read is estimated from history by its own workflow, then billed
    const spike = t.env.client.workflow.getHandle(billingCycleWorkflowId(spiked, PERIOD));
    for (let i = 0; (await spike.query(billStateQuery)).status !== 'held' && i < 100; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await spike.query(billStateQuery)).toMatchObject({
      status: 'held',
      reasons: [{ code: 'high_usage' }, { code: 'water_held' }],
    });
    expect(
      await t.env.client.workflow.getHandle(billingCycleWorkflowId(missing, PERIOD)).result(),
    ).toMatchObject({ status: 'issued', estimated: true });
    expect(held.map((a) => a.accountNumber)).toContain(spiked);
    expect(held.map((a) => a.accountNumber)).not.toContain(missing);
    // the page queued the spike's exception and its high-usage notice itself: once each, and its workflow
    // went straight to waiting (no exceptions-queue activity of its own)
    const queued = () => sql<{ exceptions: number; notices: number }[]>`
      select (select count(*)::int from bill_exception
                where workflow_id = ${billingCycleWorkflowId(spiked, PERIOD)} and status = 'open') as exceptions,
             (select count(*)::int from notification
                where alert = 'high_usage' and idempotency_key like ${`high_usage/hold/${billingCycleWorkflowId(spiked, PERIOD)}/%`}) as notices`;
    expect(await queued()).toEqual([{ exceptions: 1, notices: 1 }]);
    const spikeHistory = JSON.stringify((await spike.fetchHistory()).events);
    expect(spikeHistory).not.toContain('recordException');

    // a second run of the same cycle and period: nothing new
    const [before] = await sql<
      { bills: number }[]
    >`select count(*)::int as bills from bill where period = ${PERIOD}`;
    const again = await (await run(`${billRunWorkflowId('01', PERIOD)}/rerun`)).result();
    expect(again).toMatchObject({ billed: 0, alreadyBilled: before!.bills });
    const [after] = await sql<
      { bills: number }[]
    >`select count(*)::int as bills from bill where period = ${PERIOD}`;
    expect(after!.bills).toBe(before!.bills);
    expect(await queued()).toEqual([{ exceptions: 1, notices: 1 }]);
    const progress = await t.env.client.workflow
      .getHandle(`${billRunWorkflowId('01', PERIOD)}/rerun`)
      .query(billRunProgressQuery);
    expect(progress.status).toBe('completed');
    // last, so a loaded machine has had the whole test to start them: every dunning case the hand-off
    // started has opened (each case's first review opens it)
    for (let i = 0; (await missingCase()) > 0 && i < 300; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await missingCase()).toBe(0);
  }, 120_000);
});
