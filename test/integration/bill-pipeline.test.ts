// The one bill-issuing pipeline (activities/bill-pipeline.ts) on real PostgreSQL, with a recording Temporal
// client: a bill and its delivery commit together; a retry by the same issuer after its commit still
// schedules autopay and tells collections; another issuer's bill is left alone.
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBillPipeline, type HandOff } from '../../activities/bill-pipeline.js';
import { addRead } from '../../db/accounts.js';
import { enrolAutopay } from '../../db/autopay.js';
import { loadBillingInputs } from '../../db/billing.js';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents } from '../../db/ledger.js';
import { monthlyPeriod } from '../../domain/period.js';
import { waterAccount } from '../support/accounts.js';
import { TODAY } from '../support/clock.js';
import { freshDatabase } from '../support/db.js';

let sql: Sql;
beforeAll(async () => {
  ({ sql } = await freshDatabase());
});

const PERIOD = monthlyPeriod('2026-10');
/** The pipeline heartbeats, so it runs in an activity's context. */
const inActivity = <T>(fn: () => Promise<T>) => new MockActivityEnvironment().run(fn) as Promise<T>;

/** Records what the pipeline asks of Temporal; `failStarts` makes the next n workflow starts fail. */
function recordingClient() {
  const started: string[] = [];
  const signalled: string[] = [];
  let failStarts = 0;
  const client = {
    workflow: {
      async start(_type: string, o: { workflowId: string }) {
        if (failStarts > 0) {
          failStarts--;
          throw new Error('Temporal unavailable');
        }
        started.push(o.workflowId);
      },
      async signalWithStart(_type: string, o: { workflowId: string }) {
        signalled.push(o.workflowId);
      },
    },
  } as unknown as Client;
  return { client, started, signalled, failNextStarts: (n: number) => (failStarts = n) };
}

const pipelineWith = (client: Client) =>
  createBillPipeline({
    sql,
    client,
    queues: { payments: 'payments', collections: 'collections' },
    publicUrl: 'http://cisflow.test',
  });

async function readyAccount() {
  const a = await waterAccount(sql);
  await addRead(sql, { meterId: a.meter.id, readAt: '2026-10-01T08:00:00Z', value: '100', source: 'ami' });
  await addRead(sql, { meterId: a.meter.id, readAt: '2026-11-01T08:00:00Z', value: '110', source: 'ami' });
  await enrolAutopay(sql, {
    accountId: a.acct.id,
    method: 'card',
    paymentMethodRef: 'pm_card_visa',
    daysBeforeDue: 0,
  });
  return a;
}

describe('the bill pipeline', () => {
  it('stores, delivers and schedules once; a retry after commit finishes what the first try did not', async () => {
    const a = await readyAccount();
    const temporal = recordingClient();
    const issue = pipelineWith(temporal.client);
    const run = async (workflowId: string, handOff: HandOff) => {
      const facts = (await loadBillingInputs(sql, a.acct.id, PERIOD))!;
      const terms = { period: PERIOD, billDate: TODAY, dueDays: 21, workflowId };
      return inActivity(() => issue([facts], terms, handOff));
    };

    // the first try commits the bill, then fails to start the autopay workflow
    temporal.failNextStarts(1);
    await expect(run('billing-cycle/x/2026-10', 'at_once')).rejects.toThrow('Temporal unavailable');
    const [bill] = await sql<{ id: string; totalCents: number; dueDate: string }[]>`
      select id, total_cents, due_date::text from bill where account_id = ${a.acct.id}`;
    // 10 ccf x $3.62 + $18.40
    expect(bill).toMatchObject({ totalCents: 5460 });
    // delivered in the bill's own transaction: not paperless, so in its cycle's print batch
    expect(await sql`select batch from print_batch_item where bill_id = ${bill!.id}`).toEqual([
      { batch: '01/2026-10' },
    ]);
    expect(temporal.started).toEqual([]);

    // the retry finds its own bill: nothing stored twice, but autopay and collections now happen
    const again = await run('billing-cycle/x/2026-10', 'at_once');
    expect(again).toMatchObject({ billed: 0, alreadyBilled: 1, printed: 0 });
    expect(again.accounts).toEqual([
      expect.objectContaining({ outcome: 'issued', billId: bill!.id, created: false, byThisIssuer: true }),
    ]);
    expect(temporal.started).toEqual([`autopay/${bill!.id}`]);
    expect(temporal.signalled).toEqual([`dunning/${a.acct.accountNumber}`]);
    expect(await sql`select 1 from bill where account_id = ${a.acct.id}`).toHaveLength(1);

    // a bill run that meets the bill later leaves it alone: not its bill to schedule or hand over
    const other = await run('bill-run/01/2026-10', 'with_run');
    expect(other).toMatchObject({ billed: 0, alreadyBilled: 1 });
    expect(other.accounts[0]).toMatchObject({ byThisIssuer: false });
    expect(temporal.started).toHaveLength(1);
    expect(temporal.signalled).toHaveLength(1);
  });

  it('holds, skips and reports each account of a page on its own', async () => {
    const ok = await readyAccount();
    const missing = await waterAccount(sql); // no reads at all
    const temporal = recordingClient();
    const issue = pipelineWith(temporal.client);
    const facts = await Promise.all(
      [ok, missing].map(async (x) => (await loadBillingInputs(sql, x.acct.id, PERIOD))!),
    );
    const terms = { period: PERIOD, billDate: TODAY, dueDays: 21, workflowId: 'bill-run/01/2026-10' };
    const r = await inActivity(() => issue(facts, terms, 'with_run'));
    expect(r).toMatchObject({ billed: 1, alreadyBilled: 0, printed: 1, emailed: 0 });
    expect(r.accounts.map((x) => [x.accountId, x.outcome])).toEqual([
      [missing.acct.id, 'held'],
      [ok.acct.id, 'issued'],
    ]);
    // with the run: collections hears of these bills when the run ends, not one by one
    expect(temporal.signalled).toEqual([]);
    expect(temporal.started).toHaveLength(1); // autopay for the one bill
  });

  it('two issuers at once for one account and period: one bill, one journal entry, one delivery', async () => {
    const a = await readyAccount();
    const temporal = recordingClient();
    const issue = pipelineWith(temporal.client);
    // both load the facts first (no bill yet), then store at the same moment
    const facts = await Promise.all(
      Array.from({ length: 6 }, async () => (await loadBillingInputs(sql, a.acct.id, PERIOD))!),
    );
    expect(facts.every((f) => f.existingBill === null)).toBe(true);
    const results = await Promise.all(
      facts.map((f, i) =>
        inActivity(() =>
          issue([f], { period: PERIOD, billDate: TODAY, dueDays: 21, workflowId: `issuer-${i}` }, 'at_once'),
        ),
      ),
    );
    expect(results.map((r) => r.billed).sort()).toEqual([0, 0, 0, 0, 0, 1]);
    const bills = await sql<{ id: string }[]>`select id from bill where account_id = ${a.acct.id}`;
    expect(bills).toHaveLength(1);
    expect(
      await sql`select 1 from journal_entry where bill_id = ${bills[0]!.id} and kind = 'bill'`,
    ).toHaveLength(1);
    expect(await accountBalanceCents(sql, a.acct.id)).toBe(5460);
    expect(await sql`select 1 from print_batch_item where bill_id = ${bills[0]!.id}`).toHaveLength(1);
    // only the issuer that stored it schedules autopay and tells collections
    expect(temporal.started).toEqual([`autopay/${bills[0]!.id}`]);
    expect(temporal.signalled).toHaveLength(1);
  });
});
