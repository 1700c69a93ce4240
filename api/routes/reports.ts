// Reports for billing staff, computed from the ledger and the bill records (balances are sums of postings).
import { Type } from '@sinclair/typebox';
import { STAFF } from '../plugins/auth.js';
import { Cents, Nullable } from '../schemas.js';
import type { App, AppDeps } from '../types.js';
import { AgingBuckets } from './usage.js';

const Ratio = Type.Object({
  numerator: Type.Integer(),
  denominator: Type.Integer(),
  percent: Nullable(Type.String({ description: 'two decimals, e.g. "12.50"' })),
});

/** numerator/denominator as a percentage with two decimals, rounded half-up, in integer math. */
export function percent(numerator: number, denominator: number): string | null {
  if (denominator <= 0) return null;
  const basisPoints = (BigInt(numerator) * 20000n + BigInt(denominator)) / (2n * BigInt(denominator));
  const s = basisPoints.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

export default async function reportRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;
  const access = { access: { staff: STAFF.billing } };

  app.get(
    '/reports/ar-aging',
    {
      config: access,
      schema: {
        tags: ['reports'],
        summary:
          "Accounts receivable aging: each owing account's balance laid on its newest charges first, bucketed by days since the charge",
        response: {
          200: Type.Object({
            object: Type.Literal('report.ar_aging'),
            asOf: Type.String(),
            totalReceivableCents: Cents,
            creditBalancesCents: Cents,
            accountsOwing: Type.Integer(),
            buckets: AgingBuckets,
          }),
        },
      },
    },
    async () => {
      const asOf = deps.clock.today();
      const [r] = await sql<
        {
          owing: string;
          credits: string;
          n: number;
          current: string;
          d31: string;
          d61: string;
          d91: string;
        }[]
      >`
        with bal as (
          select la.account_id, la.id as ar, sum(p.amount_cents) as b
          from ledger_account la join posting p on p.ledger_account_id = la.id
          where la.account_id is not null group by la.account_id, la.id
        ),
        owing as (select * from bal where b > 0),
        debits as (
          select o.account_id, o.b, je.id, je.effective_on, sum(p.amount_cents) as amt
          from owing o join posting p on p.ledger_account_id = o.ar join journal_entry je on je.id = p.journal_entry_id
          group by o.account_id, o.b, je.id, je.effective_on having sum(p.amount_cents) > 0
        ),
        laid as (
          select effective_on,
                 least(amt, b - (sum(amt) over (partition by account_id order by effective_on desc, id desc) - amt)) as part
          from debits
        ),
        open as (select * from laid where part > 0)
        select (select coalesce(sum(b), 0) from owing)::text as owing,
               (select coalesce(sum(b), 0) from bal where b < 0)::text as credits,
               (select count(*) from owing)::int as n,
               coalesce(sum(part) filter (where ${asOf}::date - effective_on <= 30), 0)::text as current,
               coalesce(sum(part) filter (where ${asOf}::date - effective_on between 31 and 60), 0)::text as d31,
               coalesce(sum(part) filter (where ${asOf}::date - effective_on between 61 and 90), 0)::text as d61,
               coalesce(sum(part) filter (where ${asOf}::date - effective_on > 90), 0)::text as d91
        from open`;
      return {
        object: 'report.ar_aging' as const,
        asOf,
        totalReceivableCents: Number(r!.owing),
        creditBalancesCents: Number(r!.credits),
        accountsOwing: r!.n,
        buckets: {
          current: Number(r!.current),
          days31to60: Number(r!.d31),
          days61to90: Number(r!.d61),
          over90: Number(r!.d91),
        },
      };
    },
  );

  app.get(
    '/reports/kpis',
    {
      config: access,
      schema: {
        tags: ['reports'],
        summary:
          'DSO, dispute rate (disputes opened / bills issued), paperless share and exception rate over the last `days` days (default 90)',
        querystring: Type.Object(
          { days: Type.Optional(Type.Integer({ minimum: 7, maximum: 730, default: 90 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            object: Type.Literal('report.kpis'),
            days: Type.Integer(),
            dso: Type.Object({
              receivableCents: Cents,
              billedCents: Cents,
              days: Nullable(Type.String({ description: 'receivable / billed × days, one decimal' })),
            }),
            paperless: Ratio,
            exceptionRate: Ratio,
            disputeRate: Ratio,
          }),
        },
      },
    },
    async (req) => {
      const days = req.query.days ?? 90;
      const [k] = await sql<
        {
          receivable: string;
          billed: string;
          paperless: number;
          active: number;
          exceptions: number;
          bills: number;
          unbilled: number;
          disputes: number;
        }[]
      >`
        select
          (select coalesce(sum(p.amount_cents), 0) from posting p join ledger_account la on la.id = p.ledger_account_id
             where la.account_id is not null)::text as receivable,
          (select coalesce(sum(total_cents), 0) from bill
             where status = 'issued' and bill_date > ${deps.clock.today()}::date - ${days}::int)::text as billed,
          (select count(*) filter (where paperless) from account where status = 'active')::int as paperless,
          (select count(*) from account where status = 'active')::int as active,
          (select count(*) from bill_exception where created_at > now() - make_interval(days => ${days}))::int as exceptions,
          (select count(*) from bill where bill_date > ${deps.clock.today()}::date - ${days}::int)::int as bills,
          -- held bills that never became a bill (still waiting, or cancelled) are attempts too
          (select count(*) from bill_exception where status <> 'resolved'
             and created_at > now() - make_interval(days => ${days}))::int as unbilled,
          (select count(*) from dispute where created_at > now() - make_interval(days => ${days}))::int as disputes`;
      const receivable = Number(k!.receivable);
      const billed = Number(k!.billed);
      // DSO to one decimal, rounded half-up, in integer math
      const dsoTenths =
        billed > 0
          ? (BigInt(receivable) * BigInt(days) * 20n + BigInt(billed)) / (2n * BigInt(billed))
          : null;
      return {
        object: 'report.kpis' as const,
        days,
        dso: {
          receivableCents: receivable,
          billedCents: billed,
          days:
            dsoTenths === null
              ? null
              : `${dsoTenths < 0n ? '-' : ''}${(dsoTenths < 0n ? -dsoTenths : dsoTenths) / 10n}.${(dsoTenths < 0n ? -dsoTenths : dsoTenths) % 10n}`,
        },
        paperless: {
          numerator: k!.paperless,
          denominator: k!.active,
          percent: percent(k!.paperless, k!.active),
        },
        exceptionRate: {
          numerator: k!.exceptions,
          denominator: k!.bills + k!.unbilled,
          percent: percent(k!.exceptions, k!.bills + k!.unbilled),
        },
        disputeRate: {
          numerator: k!.disputes,
          denominator: k!.bills,
          percent: percent(k!.disputes, k!.bills),
        },
      };
    },
  );
}
