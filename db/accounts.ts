// Customer, account, premise, meter and service agreement records: plain SQL, one function per question.

import { withCheckDigit } from '../domain/check-digit.js';
import { confirmationNumber } from '../domain/payment-receipt.js';
import { newId } from '../lib/ids.js';
import type { Sql, Tx } from './client.js';
import { accountBalanceCents, nemCreditCents } from './ledger.js';
import { noSuch, Refused } from './refused.js';
import { likeLiteral } from './search.js';

type Db = Sql | Tx;

export interface NewCustomer {
  kind?: 'person' | 'business';
  name: string;
  email?: string | null;
  phone?: string | null;
  language?: 'en' | 'es';
}

export async function createCustomer(sql: Db, c: NewCustomer) {
  const [row] = await sql`
    insert into customer (id, kind, name, email, phone, language)
    values (${newId('cust')}, ${c.kind ?? 'person'}, ${c.name}, ${c.email ?? null}, ${c.phone ?? null}, ${c.language ?? 'en'})
    returning *`;
  return row!;
}

export async function nextAccountNumber(sql: Db): Promise<string> {
  // Ten digits with a mod-10 check digit, so a mistyped number on a phone call is caught.
  const [row] = await sql<
    { n: string }[]
  >`select (coalesce(max(left(account_number, 9)::bigint), 100000000) + 1)::text as n
    from account where account_number ~ '^\\d{10}$'`;
  return withCheckDigit(row!.n);
}

/** Refuses (404, naming `param`) unless the account exists. */
export async function requireAccount(sql: Db, id: string, param = 'id') {
  const [a] = await sql`select 1 from account where id = ${id}`;
  if (!a) throw noSuch('account', id, param);
}

/** Opens an account for a customer who must exist (else 404 on customerId). */
export async function openAccount(sql: Db, a: Parameters<typeof createAccount>[1]) {
  const [c] = await sql`select 1 from customer where id = ${a.customerId}`;
  if (!c) throw noSuch('customer', a.customerId, 'customerId');
  return createAccount(sql, a);
}

export interface AccountListItem {
  id: string;
  accountNumber: string;
  customerId: string;
  customerName: string;
  customerClass: string;
  billingCycle: string;
  paperless: boolean;
  status: string;
}

/** Accounts in id order after `startingAfter`, matching `q` on account number, customer name or address. */
export async function listAccounts(sql: Db, f: { limit: number; startingAfter?: string; q?: string }) {
  const like = f.q ? `%${likeLiteral(f.q)}%` : null;
  const rows = await sql<AccountListItem[]>`
    select a.id, a.account_number, a.customer_id, c.name as customer_name, a.customer_class, a.billing_cycle, a.paperless, a.status
    from account a join customer c on c.id = a.customer_id
    where a.id > ${f.startingAfter ?? ''}
      ${
        like
          ? sql`and (a.account_number like ${like} or c.name ilike ${like} or exists (
              select 1 from service_agreement sa join service_point sp on sp.id = sa.service_point_id
              join premise p on p.id = sp.premise_id where sa.account_id = a.id and p.address_line1 ilike ${like}))`
          : sql``
      }
    order by a.id limit ${f.limit + 1}`;
  return { accounts: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}

/** The account's Stripe customer (null until it saved a method); undefined if there is no such account. */
export async function accountStripeCustomer(sql: Db, id: string) {
  const [a] = await sql<
    { stripeCustomerId: string | null }[]
  >`select stripe_customer_id from account where id = ${id}`;
  return a;
}

export async function createAccount(
  sql: Db,
  a: {
    customerId: string;
    accountNumber?: string;
    customerClass?: string;
    billingCycle?: string;
    paperless?: boolean;
  },
) {
  const accountNumber = a.accountNumber ?? (await nextAccountNumber(sql));
  const [row] = await sql`
    insert into account (id, account_number, customer_id, customer_class, billing_cycle, paperless)
    values (${newId('acct')}, ${accountNumber}, ${a.customerId}, ${a.customerClass ?? 'residential'},
            ${a.billingCycle ?? '01'}, ${a.paperless ?? false})
    returning *`;
  return row!;
}

export async function createPremise(
  sql: Db,
  p: {
    addressLine1: string;
    addressLine2?: string | null;
    city: string;
    state: string;
    postalCode: string;
    route?: string | null;
  },
) {
  const [row] = await sql`
    insert into premise (id, address_line1, address_line2, city, state, postal_code, route)
    values (${newId('prem')}, ${p.addressLine1}, ${p.addressLine2 ?? null}, ${p.city}, ${p.state}, ${p.postalCode}, ${p.route ?? null})
    returning *`;
  return row!;
}

export async function createServicePoint(sql: Db, premiseId: string, serviceType: string) {
  const [row] = await sql`
    insert into service_point (id, premise_id, service_type) values (${newId('sp')}, ${premiseId}, ${serviceType}) returning *`;
  return row!;
}

export async function createMeter(
  sql: Db,
  m: {
    serialNumber: string;
    kind: string;
    unit: string;
    dialCount?: number;
    multiplier?: string;
    size?: string | null;
  },
) {
  const [row] = await sql`
    insert into meter (id, serial_number, kind, unit, dial_count, multiplier, size)
    values (${newId('mtr')}, ${m.serialNumber}, ${m.kind}, ${m.unit}, ${m.dialCount ?? 6}, ${m.multiplier ?? '1'}, ${m.size ?? null})
    returning *`;
  return row!;
}

export async function installMeter(sql: Db, meterId: string, servicePointId: string, installedAt: string) {
  const [row] = await sql`
    insert into meter_installation (id, meter_id, service_point_id, installed_at)
    values (${newId('inst')}, ${meterId}, ${servicePointId}, ${installedAt}) returning *`;
  return row!;
}

export async function createServiceAgreement(
  sql: Db,
  s: { accountId: string; servicePointId: string; rateScheduleId: string; startDate: string },
) {
  const [sp] = await sql<
    { serviceType: string }[]
  >`select service_type from service_point where id = ${s.servicePointId}`;
  if (!sp) throw new Error(`service point ${s.servicePointId} does not exist`);
  const [row] = await sql`
    insert into service_agreement (id, account_id, service_point_id, service_type, rate_schedule_id, start_date)
    values (${newId('sa')}, ${s.accountId}, ${s.servicePointId}, ${sp.serviceType}, ${s.rateScheduleId}, ${s.startDate})
    returning *`;
  return row!;
}

/**
 * Starts an agreement from the API: the account, service point and rate schedule must exist (404 naming
 * each), and the schedule must price the service point's service (400).
 */
export async function startServiceAgreement(sql: Db, s: Parameters<typeof createServiceAgreement>[1]) {
  const [check] = await sql<{ account: boolean; sp: string | null; rs: string | null }[]>`select
    exists (select 1 from account where id = ${s.accountId}) as account,
    (select service_type from service_point where id = ${s.servicePointId}) as sp,
    (select service_type from rate_schedule where id = ${s.rateScheduleId}) as rs`;
  if (!check?.account) throw noSuch('account', s.accountId, 'accountId');
  if (!check.sp) throw noSuch('service point', s.servicePointId, 'servicePointId');
  if (!check.rs) throw noSuch('rate schedule', s.rateScheduleId, 'rateScheduleId');
  if (check.sp !== check.rs)
    throw new Refused(
      `a ${check.rs} rate schedule cannot price ${check.sp} service`,
      'parameter_invalid',
      'rateScheduleId',
    );
  return createServiceAgreement(sql, s);
}

export async function addRead(
  sql: Db,
  r: {
    meterId: string;
    readAt: string;
    value: string;
    source: string;
    quality?: string;
    /** a bidirectional meter's received (export) register at the same read */
    received?: string;
  },
) {
  const [row] = await sql`
    insert into meter_read (id, meter_id, read_at, value, source, quality, received_value)
    values (${newId('read')}, ${r.meterId}, ${r.readAt}, ${r.value}, ${r.source}, ${r.quality ?? 'valid'}, ${r.received ?? null})
    returning id, meter_id, read_at, value::text as value, source, quality, received_value::text as received, created_at`;
  return row!;
}

export interface AccountRef {
  id: string;
  accountNumber: string;
  customerId: string;
  customerClass: string;
}

/** The account's number, customer and class: what a route needs to know it exists and whose it is. */
export async function findAccount(sql: Db, id: string): Promise<AccountRef | undefined> {
  const [a] = await sql<AccountRef[]>`
    select id, account_number, customer_id, customer_class from account where id = ${id}`;
  return a;
}

export async function customerExists(sql: Db, id: string): Promise<boolean> {
  return (await sql`select 1 from customer where id = ${id}`).length > 0;
}

/** The account's own columns (those callers read) with its customer's name and contact. */
export interface AccountRow extends AccountRef {
  billingCycle: string;
  paperless: boolean;
  status: string;
  customerName: string;
  customerEmail: string | null;
  customerPhone: string | null;
}

export async function getAccount(sql: Db, id: string) {
  const [row] = await sql<AccountRow[]>`
    select a.*, c.name as customer_name, c.email as customer_email, c.phone as customer_phone
    from account a join customer c on c.id = a.customer_id where a.id = ${id}`;
  return row;
}

/** Everything the portal and the staff view show at the top of an account, from one consistent source. */
export async function accountSummary(sql: Db, id: string) {
  const account = await getAccount(sql, id);
  if (!account) return undefined;
  const [balanceCents, nemCredit, bills, payments, agreements] = await Promise.all([
    accountBalanceCents(sql, id),
    nemCreditCents(sql, id),
    sql`select id, period, period_start::text, period_end::text, status, bill_date::text, due_date::text, total_cents
        from bill where account_id = ${id} order by period desc limit 24`,
    sql<
      {
        id: string;
        amountCents: number;
        method: string;
        status: string;
        receivedAt: Date;
        postedAt: Date | null;
      }[]
    >`
        select p.id, p.amount_cents, p.method, p.method_brand, p.method_last4, p.status, p.received_at,
               je.created_at as posted_at
        from payment p left join journal_entry je on je.id = p.journal_entry_id
        where p.account_id = ${id} and p.received_at > now() - interval '24 months' order by p.received_at desc limit 100`,
    sql`select sa.id, sa.service_type, sa.status, sa.start_date::text, sa.end_date::text, rs.code as rate_schedule,
               p.address_line1, p.city, p.state, p.postal_code
        from service_agreement sa
        join rate_schedule rs on rs.id = sa.rate_schedule_id
        join service_point sp on sp.id = sa.service_point_id
        join premise p on p.id = sp.premise_id
        where sa.account_id = ${id} order by sa.service_type`,
  ]);
  const latest = bills[0];
  return {
    id: account.id as string,
    accountNumber: account.accountNumber as string,
    status: account.status as string,
    customerClass: account.customerClass as string,
    billingCycle: account.billingCycle as string,
    paperless: account.paperless as boolean,
    customer: { id: account.customerId as string, name: account.customerName as string },
    balanceCents,
    // solar credit carried to the next bill (net metering); 0 for everyone else
    netMeteringCreditCents: nemCredit,
    dueDate: latest && balanceCents > 0 ? (latest.dueDate as string) : null,
    serviceAgreements: agreements,
    bills,
    // each with the confirmation number its receipt shows
    payments: payments.map((p) => ({ ...p, confirmationNumber: confirmationNumber(p.id) })),
  };
}
