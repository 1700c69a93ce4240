// A net-metered (rooftop solar) account billed month after month through the bill run's own path
// (loadBillingInputsMany -> calculateBill -> issueBills), from the delivered and received registers of a
// bidirectional meter. Credits appear as bill lines, carry from bill to bill, and the carried credit is the
// balance of the account's nem_credit ledger account. Amounts are worked by hand in the comments.
import { beforeAll, describe, expect, it } from 'vitest';
import { accountSummary, addRead } from '../../db/accounts.js';
import { issueBills, loadBillingInputsMany } from '../../db/billing.js';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents, nemCreditCents, trialBalance } from '../../db/ledger.js';
import { whatIf } from '../../db/what-if.js';
import { calculateBill } from '../../domain/bill-calc.js';
import { monthlyPeriod } from '../../domain/period.js';
import { parseTariff } from '../../domain/tariff.js';
import { meteredAccount } from '../support/accounts.js';
import { freshDatabase } from '../support/db.js';

let sql: Sql;
beforeAll(async () => {
  ({ sql } = await freshDatabase());
});

// $10.00 a month plus $0.20/kWh; surpluses credited at the buy rate ($0.20); true-up in November, when
// what is left expires
const tariff = (netMetering: Record<string, unknown>) => ({
  schema: 'cisflow.tariff/1',
  name: 'Residential solar',
  service: 'electric',
  unit: 'kWh',
  trueUpMonth: 11,
  netMetering,
  components: [
    { type: 'fixed', name: 'Basic charge', amount: '10.00' },
    { type: 'volumetric', name: 'Energy', tiers: [{ from: '0', price: '0.20' }] },
  ],
});

async function solarAccount(netMetering: Record<string, unknown>, reads: [string, string, string | null][]) {
  const { acct, meter } = await meteredAccount(sql, {
    service: 'electric',
    unit: 'kWh',
    tariff: tariff(netMetering),
    customerName: 'Ada Solar',
  });
  for (const [at, value, received] of reads)
    await addRead(sql, {
      meterId: meter.id as string,
      readAt: `${at}T00:00:00Z`,
      value,
      source: 'ami',
      ...(received === null ? {} : { received }),
    });
  return acct.id as string;
}

async function bill(accountId: string, key: string) {
  const m = monthlyPeriod(key);
  const period = { key, start: m.start, end: m.end };
  const facts = (await loadBillingInputsMany(sql, [accountId], period)).get(accountId)!;
  const { segments, holds } = calculateBill(facts, period);
  if (holds.length) return { holds, totalCents: null, lines: [] as [string, string, number][] };
  const [b] = await issueBills(sql, [
    {
      accountId,
      period,
      billDate: m.end,
      dueDate: m.end,
      workflowId: `test/${accountId}/${key}`,
      segments,
    },
  ]);
  return {
    holds,
    totalCents: b!.totalCents,
    lines: segments[0]!.lines.map((l) => [l.description, String(l.trace.kind), l.amountCents]) as [
      string,
      string,
      number,
    ][],
  };
}

describe('net metering in the bill run', () => {
  it('credits a surplus, carries it through the ledger to the next bills, and expires what is left at true-up', async () => {
    // delivered register 1000 -> 1300 -> 1500 -> 1600 -> 1650; received 0 -> 420 -> 450 -> 600 -> 900
    const id = await solarAccount({ mode: 'nem_dollar', creditsExpire: 'true_up' }, [
      ['2026-08-01', '1000', '0'],
      ['2026-09-01', '1300', '420'],
      ['2026-10-01', '1500', '450'],
      ['2026-11-01', '1600', '600'],
      ['2026-12-01', '1650', '900'],
    ]);
    // August: 300 in, 420 out -> 0 kWh billed, 120 kWh x 0.20 = 24.00 credit; 10.00 bill is 0, 14.00 carried
    const aug = await bill(id, '2026-08');
    expect(aug.lines).toEqual([
      ['Basic charge', 'fixed', 1000],
      ['Energy', 'volumetric', 0],
      [expect.stringContaining('120 kWh surplus'), 'nem_credit', -2400],
      ['Credit beyond this bill, carried to the next', 'nem_carry', 1400],
    ]);
    expect(aug.totalCents).toBe(0);
    expect(await nemCreditCents(sql, id)).toBe(1400);
    expect(await accountBalanceCents(sql, id)).toBe(0);
    // what the portal and the staff view show, from the same ledger
    expect(await accountSummary(sql, id)).toMatchObject({ balanceCents: 0, netMeteringCreditCents: 1400 });
    // September: 200 in, 30 out -> 170 x 0.20 + 10.00 = 44.00, less 14.00 carried = 30.00
    const sep = await bill(id, '2026-09');
    expect(sep.totalCents).toBe(3000);
    expect(sep.lines.at(-1)).toEqual(['Credit carried from earlier bills', 'nem_carry', -1400]);
    expect(await nemCreditCents(sql, id)).toBe(0);
    expect(await accountBalanceCents(sql, id)).toBe(3000);
    // October: 100 in, 150 out -> 50 x 0.20 = 10.00 credit = the 10.00 bill: 0 owed, nothing carried
    expect((await bill(id, '2026-10')).totalCents).toBe(0);
    expect(await nemCreditCents(sql, id)).toBe(0);
    // November (true-up): 50 in, 300 out -> 250 x 0.20 = 50.00 credit; 10.00 bill is 0; the 40.00 left expires
    const nov = await bill(id, '2026-11');
    expect(nov.totalCents).toBe(0);
    expect(await nemCreditCents(sql, id)).toBe(0);
    const [state] =
      await sql`select n.credit_cents::int, n.carry_cents::int, n.expired_cents::int, trim_scale(n.exported)::text as exported
      from bill_segment_nem n join bill_segment s on s.id = n.bill_segment_id join bill b on b.id = s.bill_id
      where b.account_id = ${id} and b.period = '2026-11'`;
    expect(state).toEqual({ creditCents: 0, carryCents: 4000, expiredCents: 4000, exported: '300' });
    // the ledger still balances, and the customer owes exactly the September bill
    expect((await trialBalance(sql)).reduce((n, r) => n + r.balance, 0)).toBe(0);
    expect(await accountBalanceCents(sql, id)).toBe(3000);

    // what-if: the same four months under 12.00 + 0.25/kWh, credits kept at true-up
    const proposed = parseTariff({
      ...tariff({ mode: 'nem_dollar' }),
      components: [
        { type: 'fixed', name: 'Basic charge', amount: '12.00' },
        { type: 'volumetric', name: 'Energy', tiers: [{ from: '0', price: '0.25' }] },
      ],
    });
    const w = await whatIf(sql, id, proposed);
    // Aug: 12.00 - 120 x 0.25 = -18.00 -> 0, 18.00 carried; Sep: 12.00 + 170 x 0.25 - 18.00 = 36.50;
    // Oct: 12.00 - 50 x 0.25 = -0.50 -> 0, 0.50 carried; Nov: 12.00 - 250 x 0.25 = -50.50 -> 0, 0.50 + 50.50 = 51.00 carried
    expect(w.bills.map((b) => [b.period, b.exported, b.currentCents, b.proposedCents])).toEqual([
      ['2026-08', '420', 0, 0],
      ['2026-09', '30', 3000, 3650],
      ['2026-10', '150', 0, 0],
      ['2026-11', '300', 0, 0],
    ]);
    expect(w).toMatchObject({ differenceCents: 650, carriedCreditCents: 5100, warnings: [] });
    // without netMetering the exports would earn nothing, and the what-if says so
    const plain = parseTariff({ ...proposed, netMetering: undefined });
    expect((await whatIf(sql, id, plain)).warnings).toEqual([expect.stringMatching(/exports earn nothing/)]);
  });

  it('banks kWh month to month and pays the bank at the year-end rate in the true-up month', async () => {
    const id = await solarAccount({ mode: 'nem_kwh', yearEndSellRate: '0.04' }, [
      ['2026-09-01', '1000', '0'],
      ['2026-10-01', '1100', '250'],
      ['2026-11-01', '1200', '250'],
      ['2026-12-01', '1220', '250'],
    ]);
    // September: 100 in, 250 out -> 150 kWh banked; the bill is the 10.00 basic charge
    expect((await bill(id, '2026-09')).totalCents).toBe(1000);
    // October: 100 in, nothing out -> all 100 from the bank (50 left); 10.00
    expect((await bill(id, '2026-10')).totalCents).toBe(1000);
    // November (true-up): 20 in -> from the bank (30 left), paid at 30 x 0.04 = 1.20: 10.00 - 1.20 = 8.80
    const nov = await bill(id, '2026-11');
    expect(nov.lines.map((l) => l[2])).toEqual([1000, 0, -120]);
    expect(nov.totalCents).toBe(880);
    const [s] =
      await sql`select n.kwh_bank from bill_segment_nem n join bill_segment s on s.id = n.bill_segment_id
      join bill b on b.id = s.bill_id where b.account_id = ${id} and b.period = '2026-11'`;
    expect(s!.kwhBank).toEqual({});
  });

  it('holds a net-metered bill whose read has no received register, naming the read', async () => {
    const id = await solarAccount({ mode: 'nem_dollar' }, [
      ['2026-09-01', '1000', '0'],
      ['2026-10-01', '1100', null],
    ]);
    const r = await bill(id, '2026-09');
    expect(r.holds).toEqual([
      expect.objectContaining({ code: 'missing_received_read', message: expect.stringMatching(/received/) }),
    ]);
  });
});
