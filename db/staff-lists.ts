// Staff lists of everything a utility runs on: bill runs, billing cycles, customers, meters, premises and
// service orders. Each is cursor-paginated as Stripe's lists are (limit, starting_after -> has_more) and
// filterable; the cursor is the last row's id (ids sort by creation), or its key where rows have no id.
import type { Sql } from './client.js';
import { likeLiteral } from './search.js';

interface Page {
  limit: number;
  startingAfter?: string;
}
const page = <T>(rows: T[], limit: number) => ({ data: rows.slice(0, limit), hasMore: rows.length > limit });
const contains = (q: string) => `%${likeLiteral(q)}%`;

export interface BillRunRow {
  /** "01/2026-10": the cursor */
  id: string;
  cycle: string;
  period: string;
  billed: number;
  held: number;
  cancelled: number;
  billedCents: number;
  firstBillAt: Date;
  lastBillAt: Date;
}

/**
 * Bill runs as the bills they made: one row per cycle and period, newest period first, with how many bills
 * were issued, held for staff (exceptions raised) and cancelled, and the total billed.
 */
export async function listBillRuns(
  sql: Sql,
  f: Page & { cycle?: string; periodFrom?: string; periodTo?: string },
) {
  const [afterCycle, afterPeriod] = f.startingAfter?.split('/') ?? [];
  const rows = await sql<BillRunRow[]>`
    with bills as (
      select a.billing_cycle as cycle, b.period,
        count(*) filter (where b.status = 'issued')::int as billed,
        count(*) filter (where b.status = 'cancelled')::int as cancelled,
        coalesce(sum(b.total_cents) filter (where b.status = 'issued'), 0)::bigint as billed_cents,
        min(b.created_at) as first_bill_at, max(b.created_at) as last_bill_at
      from bill b join account a on a.id = b.account_id
      where true
        ${f.cycle ? sql`and a.billing_cycle = ${f.cycle}` : sql``}
        ${f.periodFrom ? sql`and b.period >= ${f.periodFrom}` : sql``}
        ${f.periodTo ? sql`and b.period <= ${f.periodTo}` : sql``}
      group by 1, 2),
    held as (
      select a.billing_cycle as cycle, e.period, count(*)::int as held
      from bill_exception e join account a on a.id = e.account_id
      where true ${f.cycle ? sql`and a.billing_cycle = ${f.cycle}` : sql``}
      group by 1, 2)
    select b.cycle || '/' || b.period as id, b.cycle, b.period, b.billed, coalesce(h.held, 0) as held,
      b.cancelled, b.billed_cents, b.first_bill_at, b.last_bill_at
    from bills b left join held h on h.cycle = b.cycle and h.period = b.period
    where true
      ${
        afterPeriod
          ? sql`and (b.period < ${afterPeriod} or (b.period = ${afterPeriod} and b.cycle > ${afterCycle!}))`
          : sql``
      }
    order by b.period desc, b.cycle limit ${f.limit + 1}`;
  return page(rows, f.limit);
}

export interface BillingCycleRow {
  cycle: string;
  activeAccounts: number;
  lastPeriod: string | null;
  lastBilled: number;
  lastHeld: number;
}

/**
 * Billing cycles: every cycle an account is on, with its active accounts (what a run would bill) and its
 * last run's figures (the latest period billed). The cursor is the cycle.
 */
export async function listBillingCycles(sql: Sql, f: Page & { cycle?: string }) {
  const rows = await sql<BillingCycleRow[]>`
    with cycles as (
      select billing_cycle as cycle, count(*) filter (where status = 'active')::int as active_accounts
      from account
      where true
        ${f.cycle ? sql`and billing_cycle = ${f.cycle}` : sql``}
        ${f.startingAfter ? sql`and billing_cycle > ${f.startingAfter}` : sql``}
      group by 1 order by 1 limit ${f.limit + 1})
    select c.cycle, c.active_accounts, l.period as last_period,
      coalesce((select count(*)::int from bill b join account a on a.id = b.account_id
         where a.billing_cycle = c.cycle and b.period = l.period and b.status = 'issued'), 0) as last_billed,
      coalesce((select count(*)::int from bill_exception e join account a on a.id = e.account_id
         where a.billing_cycle = c.cycle and e.period = l.period), 0) as last_held
    from cycles c
    left join lateral (select max(b.period) as period from bill b join account a on a.id = b.account_id
      where a.billing_cycle = c.cycle) l on true
    order by c.cycle`;
  return page(rows, f.limit);
}

export interface CustomerRow {
  id: string;
  kind: string;
  name: string;
  email: string | null;
  phone: string | null;
  language: string;
  accounts: number;
  createdAt: Date;
}

/** Customers by id, matching `q` on name, email or phone. */
export async function listCustomers(sql: Sql, f: Page & { q?: string; kind?: string; language?: string }) {
  const rows = await sql<CustomerRow[]>`
    select c.id, c.kind, c.name, c.email, c.phone, c.language, c.created_at,
      (select count(*)::int from account a where a.customer_id = c.id) as accounts
    from customer c
    where c.id > ${f.startingAfter ?? ''}
      ${f.q ? sql`and (c.name ilike ${contains(f.q)} or c.email ilike ${contains(f.q)} or c.phone like ${contains(f.q)})` : sql``}
      ${f.kind ? sql`and c.kind = ${f.kind}` : sql``}
      ${f.language ? sql`and c.language = ${f.language}` : sql``}
    order by c.id limit ${f.limit + 1}`;
  return page(rows, f.limit);
}

export interface MeterRow {
  id: string;
  serialNumber: string;
  kind: string;
  unit: string;
  size: string | null;
  installation: {
    servicePointId: string;
    premiseId: string;
    addressLine1: string;
    city: string;
    installedAt: string;
  } | null;
  lastRead: { id: string; readAt: string; value: string; source: string; quality: string } | null;
}

/** Meters by id, each with where it is installed now (null: in stock) and its last read. */
export async function listMeters(sql: Sql, f: Page & { q?: string; kind?: string; installed?: boolean }) {
  const rows = await sql<MeterRow[]>`
    select m.id, m.serial_number, m.kind, m.unit, m.size,
      case when i.id is null then null else json_build_object('servicePointId', i.service_point_id,
        'premiseId', p.id, 'addressLine1', p.address_line1, 'city', p.city, 'installedAt', i.installed_at) end as installation,
      case when r.id is null then null else json_build_object('id', r.id, 'readAt', r.read_at,
        'value', trim_scale(r.value)::text, 'source', r.source, 'quality', r.quality) end as last_read
    from meter m
    left join meter_installation i on i.meter_id = m.id and i.removed_at is null
    left join service_point sp on sp.id = i.service_point_id
    left join premise p on p.id = sp.premise_id
    left join lateral (select id, read_at, value, source, quality from meter_read mr where mr.meter_id = m.id
      and mr.quality <> 'rejected' order by read_at desc limit 1) r on true
    where m.id > ${f.startingAfter ?? ''}
      ${f.q ? sql`and m.serial_number ilike ${contains(f.q)}` : sql``}
      ${f.kind ? sql`and m.kind = ${f.kind}` : sql``}
      ${f.installed === undefined ? sql`` : f.installed ? sql`and i.id is not null` : sql`and i.id is null`}
    order by m.id limit ${f.limit + 1}`;
  return page(rows, f.limit);
}

export interface PremiseRow {
  id: string;
  addressLine1: string;
  addressLine2: string | null;
  city: string;
  state: string;
  postalCode: string;
  route: string | null;
  services: string[];
}

/** Premises by id, matching `q` on the address, with the services their points take. */
export async function listPremises(
  sql: Sql,
  f: Page & { q?: string; city?: string; postalCode?: string; route?: string },
) {
  const rows = await sql<PremiseRow[]>`
    select p.id, p.address_line1, p.address_line2, p.city, p.state, p.postal_code, p.route,
      coalesce((select array_agg(distinct sp.service_type order by sp.service_type) from service_point sp
        where sp.premise_id = p.id), '{}') as services
    from premise p
    where p.id > ${f.startingAfter ?? ''}
      ${f.q ? sql`and (p.address_line1 || ' ' || coalesce(p.address_line2, '') || ' ' || p.city || ' ' || p.postal_code) ilike ${contains(f.q)}` : sql``}
      ${f.city ? sql`and lower(p.city) = lower(${f.city})` : sql``}
      ${f.postalCode ? sql`and p.postal_code = ${f.postalCode}` : sql``}
      ${f.route ? sql`and p.route = ${f.route}` : sql``}
    order by p.id limit ${f.limit + 1}`;
  return page(rows, f.limit);
}

export interface ServiceOrderRow {
  id: string;
  accountId: string;
  accountNumber: string;
  kind: string;
  status: string;
  reason: string;
  sourceType: string | null;
  sourceId: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

/** Service orders, newest first (the cursor is the last id: ids sort by creation). */
export async function listServiceOrders(
  sql: Sql,
  f: Page & { status?: string; kind?: string; accountId?: string },
) {
  const rows = await sql<ServiceOrderRow[]>`
    select o.id, o.account_id, a.account_number, o.kind, o.status, o.reason, o.source_type, o.source_id,
      o.created_at, o.completed_at
    from service_order o join account a on a.id = o.account_id
    where true
      ${f.startingAfter ? sql`and o.id < ${f.startingAfter}` : sql``}
      ${f.status ? sql`and o.status = ${f.status}` : sql``}
      ${f.kind ? sql`and o.kind = ${f.kind}` : sql``}
      ${f.accountId ? sql`and o.account_id = ${f.accountId}` : sql``}
    order by o.id desc limit ${f.limit + 1}`;
  return page(rows, f.limit);
}

export interface BillRunPreview {
  cycle: string;
  period: string;
  /** active accounts on the cycle: what a run pages through */
  accounts: number;
  /** of those, how many already have a live (issued or held) bill for the period: a re-run skips them */
  alreadyBilled: number;
  /** the cycle's latest run before or at this period (by its bills and held bills), or null */
  lastRun: { period: string; billed: number; held: number } | null;
}

/** What starting a cycle's run for a period would do, read-only: the console shows it before it starts one. */
export async function billRunPreview(sql: Sql, cycle: string, period: string): Promise<BillRunPreview> {
  const [row] = await sql<
    (Omit<BillRunPreview, 'lastRun'> & { lastPeriod: string | null; lastBilled: number; lastHeld: number })[]
  >`
    with last as (
      select max(x.period) as period from (
        select b.period from bill b join account a on a.id = b.account_id
        where a.billing_cycle = ${cycle} and b.period <= ${period}
        union all
        select e.period from bill_exception e join account a on a.id = e.account_id
        where a.billing_cycle = ${cycle} and e.period <= ${period}) x)
    select ${cycle}::text as cycle, ${period}::text as period,
      (select count(*)::int from account where billing_cycle = ${cycle} and status = 'active') as accounts,
      (select count(distinct a.id)::int from account a join bill b on b.account_id = a.id
         where a.billing_cycle = ${cycle} and a.status = 'active' and b.period = ${period}
           and b.status <> 'cancelled') as already_billed,
      l.period as last_period,
      (select count(*)::int from bill b join account a on a.id = b.account_id
         where a.billing_cycle = ${cycle} and b.period = l.period and b.status = 'issued') as last_billed,
      (select count(*)::int from bill_exception e join account a on a.id = e.account_id
         where a.billing_cycle = ${cycle} and e.period = l.period) as last_held
    from last l`;
  const r = row!;
  return {
    cycle: r.cycle,
    period: r.period,
    accounts: r.accounts,
    alreadyBilled: r.alreadyBilled,
    lastRun: r.lastPeriod ? { period: r.lastPeriod, billed: r.lastBilled, held: r.lastHeld } : null,
  };
}
