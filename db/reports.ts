// Reports for billing staff, computed from the ledger and the bill records (balances are sums of postings).
// AR aging is db/aging.ts, the same rule the account view uses.
import type { Sql } from './client.js';

/** numerator/denominator as a percentage with two decimals, rounded half-up, in integer math. */
export function percent(numerator: number, denominator: number): string | null {
  if (denominator <= 0) return null;
  const basisPoints = (BigInt(numerator) * 20000n + BigInt(denominator)) / (2n * BigInt(denominator));
  const s = basisPoints.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

const ratio = (numerator: number, denominator: number) => ({
  numerator,
  denominator,
  percent: percent(numerator, denominator),
});

/** receivable / billed × days, to one decimal, rounded half-up, in integer math; null when nothing was billed. */
function dsoDays(receivable: number, billed: number, days: number): string | null {
  if (billed <= 0) return null;
  const tenths = (BigInt(receivable) * BigInt(days) * 20n + BigInt(billed)) / (2n * BigInt(billed));
  const abs = tenths < 0n ? -tenths : tenths;
  return `${tenths < 0n ? '-' : ''}${abs / 10n}.${abs % 10n}`;
}

/** DSO, paperless share, exception rate and dispute rate over the `days` days up to `today`. */
export async function kpiReport(sql: Sql, today: string, days: number) {
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
         where status = 'issued' and bill_date > ${today}::date - ${days}::int)::text as billed,
      (select count(*) filter (where paperless) from account where status = 'active')::int as paperless,
      (select count(*) from account where status = 'active')::int as active,
      (select count(*) from bill_exception where created_at > now() - make_interval(days => ${days}))::int as exceptions,
      (select count(*) from bill where bill_date > ${today}::date - ${days}::int)::int as bills,
      -- held bills that never became a bill (still waiting, or cancelled) are attempts too
      (select count(*) from bill_exception where status <> 'resolved'
         and created_at > now() - make_interval(days => ${days}))::int as unbilled,
      (select count(*) from dispute where created_at > now() - make_interval(days => ${days}))::int as disputes`;
  const receivable = Number(k!.receivable);
  const billed = Number(k!.billed);
  return {
    dso: { receivableCents: receivable, billedCents: billed, days: dsoDays(receivable, billed, days) },
    paperless: ratio(k!.paperless, k!.active),
    exceptionRate: ratio(k!.exceptions, k!.bills + k!.unbilled),
    disputeRate: ratio(k!.disputes, k!.bills),
  };
}
