// Reads the portal and the staff console need beyond the account summary: usage history per service with
// last year's comparison, the account's recent meter reads, and its receivable aging (autopay: autopay.ts).
import { Type } from '@sinclair/typebox';
import type { Sql } from '../../db/client.js';
import { inTenure, tenures } from '../../db/tenure.js';
import { notFound } from '../errors.js';
import { STAFF } from '../plugins/auth.js';
import { Cents, DecimalString, IdParams, Nullable, Period } from '../schemas.js';
import type { App, AppDeps } from '../types.js';

const ownOrStaff = {
  access: {
    staff: STAFF.any,
    customer: { account: (req: { params: unknown }) => (req.params as { id: string }).id },
  },
} as const;

const UsageMonth = Type.Object({
  period: Period,
  quantity: Nullable(DecimalString),
  lastYear: Nullable(DecimalString),
});
const Usage = Type.Object({
  object: Type.Literal('usage'),
  accountId: Type.String(),
  months: Type.Integer(),
  periods: Type.Array(Period),
  services: Type.Array(
    Type.Object({
      serviceType: Type.String(),
      unit: Type.String(),
      meters: Type.Array(Type.String(), { description: 'meter serial numbers' }),
      servicePointIds: Type.Array(Type.String(), {
        description: 'where the service is delivered (for Green Button downloads)',
      }),
      usage: Type.Array(UsageMonth),
      totals: Type.Object({ quantity: DecimalString, lastYear: Nullable(DecimalString) }),
    }),
  ),
});

/** YYYY-MM `n` months after `period` (negative: before). */
export function addMonths(period: string, n: number): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

/** Exact decimal sum of decimal strings (usage is never a float). */
function addDecimals(xs: string[]): string {
  const scale = Math.max(0, ...xs.map((x) => x.split('.')[1]?.length ?? 0));
  let total = 0n;
  for (const x of xs) {
    const [w, f = ''] = x.split('.');
    total += BigInt(`${w}${f.padEnd(scale, '0')}`);
  }
  if (!scale) return total.toString();
  const s = total.toString().padStart(scale + 1, '0');
  return `${s.slice(0, -scale)}.${s.slice(-scale)}`.replace(/\.?0+$/, '');
}

/**
 * Monthly consumption per service from the meter reads the account's tenure covers (db/tenure.ts): each read's advance over the meter's previous read,
 * times the meter's multiplier, counted in the month the usage happened (a read on the 1st closes the month
 * before). A register that wrapped past its dials counts the wrap. Superseded and rejected reads are skipped.
 */
export async function usageHistory(sql: Sql, accountId: string, months: number, lastPeriod: string) {
  const first = addMonths(lastPeriod, -(months - 1));
  const from = addMonths(first, -12); // last year's months for the comparison
  const rows = await sql<
    { serviceType: string; unit: string; serial: string; spId: string; period: string; quantity: string }[]
  >`
    with t as (${tenures(sql, accountId)}), m as (
      select t.agreement_id, t.service_type, t.service_point_id, mt.id as meter_id, mt.unit, mt.serial_number,
             mt.multiplier, mt.dial_count, mi.installed_at, mi.removed_at, t.from_at, t.to_at
      from t
      join meter_installation mi on mi.service_point_id = t.service_point_id
      join meter mt on mt.id = mi.meter_id
    ), r as (
      -- each tenure's first read is its baseline: usage before it was someone else's
      select m.service_type, m.service_point_id, m.unit, m.serial_number, m.multiplier, m.dial_count, mr.read_at,
             mr.value - lag(mr.value) over (partition by m.meter_id, m.agreement_id order by mr.read_at) as advance
      from m join meter_read mr on mr.meter_id = m.meter_id
      where mr.read_at >= ${`${addMonths(from, -1)}-01`}::timestamptz
        and mr.read_at < (${`${addMonths(lastPeriod, 1)}-01`}::date + 1)::timestamptz
        and mr.read_at >= m.installed_at and (m.removed_at is null or mr.read_at <= m.removed_at)
        and mr.read_at >= m.from_at and (m.to_at is null or mr.read_at < m.to_at)
        and mr.quality <> 'rejected'
        and not exists (select 1 from meter_read s where s.supersedes_id = mr.id)
    )
    select service_type, unit, serial_number as serial, service_point_id as sp_id,
           to_char((read_at at time zone 'UTC') - interval '1 day', 'YYYY-MM') as period,
           sum((case when advance < 0 then advance + power(10::numeric, dial_count) else advance end) * multiplier)::text as quantity
    from r where advance is not null
    group by 1, 2, 3, 4, 5`;
  const periods = Array.from({ length: months }, (_, i) => addMonths(first, i));
  const byService = new Map<
    string,
    { unit: string; meters: Set<string>; sps: Set<string>; q: Map<string, string[]> }
  >();
  for (const r of rows) {
    const s = byService.get(r.serviceType) ?? {
      unit: r.unit,
      meters: new Set(),
      sps: new Set(),
      q: new Map(),
    };
    s.meters.add(r.serial);
    s.sps.add(r.spId);
    s.q.set(r.period, [...(s.q.get(r.period) ?? []), r.quantity]);
    byService.set(r.serviceType, s);
  }
  const norm = (x: string[] | undefined) => (x ? addDecimals(x) : null);
  const services = [...byService.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([serviceType, s]) => {
      const usage = periods.map((period) => ({
        period,
        quantity: norm(s.q.get(period)),
        lastYear: norm(s.q.get(addMonths(period, -12))),
      }));
      const lastYears = usage.map((u) => u.lastYear).filter((x): x is string => x !== null);
      return {
        serviceType,
        unit: s.unit,
        meters: [...s.meters].sort(),
        servicePointIds: [...s.sps].sort(),
        usage,
        totals: {
          quantity: addDecimals(usage.map((u) => u.quantity ?? '0')),
          lastYear: lastYears.length === usage.length ? addDecimals(lastYears) : null,
        },
      };
    });
  return { periods, services };
}

/** Receivable aging of one account: the balance is laid on its newest charges first (oldest are paid first). */
/** Aged as of `asOf`, the utility's date today on the one clock. */
export async function accountAging(sql: Sql, accountId: string, asOf: string) {
  const [row] = await sql<
    { balance: string; current: string; d31: string; d61: string; d91: string; oldest: string | null }[]
  >`
    with ar as (select id from ledger_account where account_id = ${accountId}),
    bal as (select coalesce(sum(p.amount_cents), 0) as b from posting p where p.ledger_account_id in (select id from ar)),
    debits as (
      select je.id, je.effective_on, sum(p.amount_cents) as amt
      from posting p join journal_entry je on je.id = p.journal_entry_id
      where p.ledger_account_id in (select id from ar)
      group by je.id, je.effective_on having sum(p.amount_cents) > 0
    ),
    laid as (
      select d.effective_on, least(d.amt, bal.b - (sum(d.amt) over w - d.amt)) as part
      from debits d, bal
      window w as (order by d.effective_on desc, d.id desc)
    ),
    open as (select * from laid where part > 0)
    select (select b from bal)::text as balance,
      coalesce(sum(part) filter (where ${asOf}::date - effective_on <= 30), 0)::text as current,
      coalesce(sum(part) filter (where ${asOf}::date - effective_on between 31 and 60), 0)::text as d31,
      coalesce(sum(part) filter (where ${asOf}::date - effective_on between 61 and 90), 0)::text as d61,
      coalesce(sum(part) filter (where ${asOf}::date - effective_on > 90), 0)::text as d91,
      min(effective_on)::text as oldest
    from open`;
  const r = row!;
  return {
    balanceCents: Number(r.balance),
    buckets: {
      current: Number(r.current),
      days31to60: Number(r.d31),
      days61to90: Number(r.d61),
      over90: Number(r.d91),
    },
    oldestOpenCharge: r.oldest,
  };
}

export const AgingBuckets = Type.Object({
  current: Cents,
  days31to60: Cents,
  days61to90: Cents,
  over90: Cents,
});

export default async function usageRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;
  const exists = async (id: string) => (await sql`select 1 from account where id = ${id}`).length > 0;

  app.get(
    '/accounts/:id/usage',
    {
      config: ownOrStaff,
      schema: {
        tags: ['accounts'],
        summary:
          'Monthly usage per metered service for the last 12 or 24 months, each month beside the same month a year before',
        params: IdParams,
        querystring: Type.Object(
          {
            months: Type.Optional(Type.Union([Type.Literal(12), Type.Literal(24)], { default: 12 })),
            through: Type.Optional(Period),
          },
          { additionalProperties: false },
        ),
        response: { 200: Usage },
      },
    },
    async (req) => {
      if (!(await exists(req.params.id))) throw notFound('account', req.params.id);
      const months = req.query.months ?? 12;
      const last = req.query.through ?? addMonths(req.today.slice(0, 7), -1);
      const h = await usageHistory(sql, req.params.id, months, last);
      return { object: 'usage' as const, accountId: req.params.id, months, ...h };
    },
  );

  app.get(
    '/accounts/:id/reads',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['meters'],
        summary: "The account's most recent meter reads, every meter, with source and quality",
        params: IdParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }),
        response: {
          200: Type.Object({
            object: Type.Literal('list'),
            data: Type.Array(
              Type.Object({
                id: Type.String(),
                meterId: Type.String(),
                serialNumber: Type.String(),
                serviceType: Type.String(),
                readAt: Type.String(),
                value: Type.String(),
                unit: Type.String(),
                source: Type.String(),
                quality: Type.String(),
                superseded: Type.Boolean(),
              }),
            ),
            has_more: Type.Boolean(),
          }),
        },
      },
    },
    async (req) => {
      if (!(await exists(req.params.id))) throw notFound('account', req.params.id);
      const limit = req.query.limit ?? 50;
      const rows = await sql`
        select mr.id, mt.id as meter_id, mt.serial_number, sa.service_type, mr.read_at, mr.value::text as value, mt.unit,
               mr.source, mr.quality, exists (select 1 from meter_read s where s.supersedes_id = mr.id) as superseded
        from service_agreement sa
        join meter_installation mi on mi.service_point_id = sa.service_point_id
        join meter mt on mt.id = mi.meter_id
        join meter_read mr on mr.meter_id = mt.id
          and mr.read_at >= mi.installed_at and (mi.removed_at is null or mr.read_at <= mi.removed_at)
        where sa.account_id = ${req.params.id} and ${inTenure(sql, sql`mr.read_at`, 'sa')}
        order by mr.read_at desc, mr.id desc limit ${limit + 1}`;
      return {
        object: 'list' as const,
        has_more: rows.length > limit,
        data: rows
          .slice(0, limit)
          .map((r) => ({ ...(r as never as object), readAt: (r.readAt as Date).toISOString() })) as never,
      };
    },
  );

  app.get(
    '/accounts/:id/aging',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['reports'],
        summary: "The account's balance by age of its open charges (days since each charge), from the ledger",
        params: IdParams,
        response: {
          200: Type.Object({
            object: Type.Literal('account_aging'),
            accountId: Type.String(),
            balanceCents: Cents,
            buckets: AgingBuckets,
            oldestOpenCharge: Nullable(Type.String()),
          }),
        },
      },
    },
    async (req) => {
      if (!(await exists(req.params.id))) throw notFound('account', req.params.id);
      return {
        object: 'account_aging' as const,
        accountId: req.params.id,
        ...(await accountAging(sql, req.params.id, deps.clock.today())),
      };
    },
  );

  app.get(
    '/accounts/:id/service-orders',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['collections'],
        summary:
          "The account's field work, newest first: disconnects, reconnects, re-reads, start and final reads, with what asked for each",
        params: IdParams,
        response: {
          200: Type.Object({
            object: Type.Literal('list'),
            data: Type.Array(
              Type.Object({
                id: Type.String(),
                object: Type.Literal('service_order'),
                kind: Type.String(),
                status: Type.String(),
                reason: Type.String(),
                sourceType: Nullable(Type.String()),
                sourceId: Nullable(Type.String()),
                createdAt: Type.String(),
                completedAt: Nullable(Type.String()),
              }),
            ),
            has_more: Type.Boolean(),
          }),
        },
      },
    },
    async (req) => {
      if (!(await exists(req.params.id))) throw notFound('account', req.params.id);
      const rows = await sql<
        {
          id: string;
          kind: string;
          status: string;
          reason: string;
          sourceType: string | null;
          sourceId: string | null;
          createdAt: Date;
          completedAt: Date | null;
        }[]
      >`select id, kind, status, reason, source_type, source_id, created_at, completed_at from service_order
        where account_id = ${req.params.id} order by created_at desc, id desc limit 101`;
      return {
        object: 'list' as const,
        has_more: rows.length > 100,
        data: rows.slice(0, 100).map((r) => ({
          ...r,
          object: 'service_order' as const,
          createdAt: r.createdAt.toISOString(),
          completedAt: r.completedAt?.toISOString() ?? null,
        })),
      };
    },
  );
}
