// Accounts and bills for workflow tests: a metered water account, and a bill issued directly with the
// amount and due date a scenario needs (rating is tested elsewhere; collections cares about what is owed).

import {
  createAccount,
  createCustomer,
  createMeter,
  createPremise,
  createServiceAgreement,
  createServicePoint,
  installMeter,
} from '../../db/accounts.js';
import { issueBill } from '../../db/billing.js';
import type { Sql } from '../../db/client.js';
import { postEntry } from '../../db/ledger.js';
import { recordCounterPayment } from '../../db/payments.js';
import { assertBalanced, receivable } from '../../domain/ledger.js';
import { newId } from '../../lib/ids.js';
import { TODAY } from './clock.js';
import { simpleTariff } from './tariffs.js';

type WaterOpts = {
  customerClass?: string;
  email?: string;
  unitPrice?: string;
  customerCharge?: string;
  dialCount?: number;
};
let creating: Promise<unknown> = Promise.resolve();

/** A metered water account; concurrent tests take turns, as account numbers are handed out in order. */
export function waterAccount(sql: Sql, opts: WaterOpts = {}) {
  const made = creating.then(() => createWaterAccount(sql, opts));
  creating = made.catch(() => {});
  return made;
}

async function createWaterAccount(sql: Sql, opts: WaterOpts) {
  return meteredAccount(sql, {
    service: 'water',
    unit: 'ccf',
    tariff: simpleTariff('water', 'ccf', opts.customerCharge ?? '18.40', opts.unitPrice ?? '3.62'),
    customerName: 'Grace Hopper',
    email: opts.email ?? `grace.${newId('cust').slice(-6).toLowerCase()}@example.test`,
    customerClass: opts.customerClass,
    dialCount: opts.dialCount,
  });
}

/** A customer, account, premise and service point with one meter on one rate schedule of `tariff`. */
export async function meteredAccount(
  sql: Sql,
  o: {
    service: string;
    unit: string;
    tariff: unknown;
    customerName: string;
    email?: string;
    customerClass?: string;
    dialCount?: number;
  },
) {
  const cust = await createCustomer(sql, { name: o.customerName, ...(o.email ? { email: o.email } : {}) });
  const acct = await createAccount(sql, { customerId: cust.id, customerClass: o.customerClass });
  const prem = await createPremise(sql, {
    addressLine1: '12 Elm St',
    city: 'Springfield',
    state: 'OR',
    postalCode: '97477',
  });
  const sp = await createServicePoint(sql, prem.id, o.service);
  const prefix = o.service[0]!.toUpperCase();
  const meter = await createMeter(sql, {
    serialNumber: `${prefix}-${newId('mtr').slice(-10)}`,
    kind: o.service,
    unit: o.unit,
    dialCount: o.dialCount ?? 6,
  });
  await installMeter(sql, meter.id, sp.id, '2020-01-01T00:00:00Z');
  const rsId = newId('rs');
  const label = o.service[0]!.toUpperCase() + o.service.slice(1);
  await sql`insert into rate_schedule (id, code, name, service_type) values (${rsId}, ${`${prefix}-${rsId.slice(-8)}`}, ${label}, ${o.service})`;
  await sql`insert into rate_version (id, rate_schedule_id, effective_from, tariff) values (${newId('rv')}, ${rsId}, '2020-01-01',
    ${sql.json(o.tariff as never)})`;
  const sa = await createServiceAgreement(sql, {
    accountId: acct.id,
    servicePointId: sp.id,
    rateScheduleId: rsId,
    startDate: '2020-01-01',
  });
  return {
    customer: cust,
    acct,
    premise: prem,
    servicePoint: sp,
    meter,
    agreementId: sa.id,
    rateScheduleId: rsId,
  };
}

/** A bill of `totalCents` for the period, due on `dueDate`, posted to the ledger like any other. */
export async function simpleBill(
  sql: Sql,
  a: { accountId: string; agreementId: string; period: string; totalCents: number; dueDate: string },
) {
  const [y, m] = a.period.split('-').map(Number) as [number, number];
  const end = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  return issueBill(sql, {
    accountId: a.accountId,
    period: { key: a.period, start: `${a.period}-01`, end },
    billDate: end,
    dueDate: a.dueDate,
    workflowId: 'test',
    segments: [
      {
        serviceAgreementId: a.agreementId,
        serviceType: 'water',
        startReadId: null,
        endReadId: null,
        consumption: null,
        unit: null,
        totalCents: a.totalCents,
        taxCents: 0,
        lines: [
          {
            description: 'Water charges',
            quantity: null,
            unit: null,
            unitPrice: null,
            amountCents: a.totalCents,
            rateVersionId: null as never,
            trace: { test: true },
          },
        ],
      },
    ],
  });
}

export async function payAtCounter(sql: Sql, accountId: string, amountCents: number) {
  return sql.begin((tx) =>
    recordCounterPayment(tx, {
      accountId,
      amountCents,
      method: 'cash',
      receivedOn: TODAY,
      idempotencyKey: newId('pay'),
      reference: null,
    }),
  );
}

/** Polls until `check` returns a truthy value (workflows act on their own time). */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  ms = 20_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An account that owes `cents` from an opening balance (payments tests need something to pay). */
export async function accountOwing(sql: Sql, cents: number, name = 'Payer') {
  const c = await createCustomer(sql, { name });
  const a = await createAccount(sql, { customerId: c.id });
  await sql.begin((tx) =>
    postEntry(
      tx,
      assertBalanced({
        idempotencyKey: `open:${a.id}`,
        kind: 'opening_balance',
        accountId: a.id,
        effectiveOn: '2026-10-01',
        description: 'Opening balance',
        postings: [
          { ledgerAccount: receivable(a.id), amountCents: cents },
          { ledgerAccount: 'revenue:water', amountCents: -cents },
        ],
      }),
    ),
  );
  return a.id as string;
}
