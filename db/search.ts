// Staff search: one box for what a caller gives — name, account number, service address, meter number or phone.
import type { Sql } from './client.js';
import { Refused } from './refused.js';

export interface AccountHit {
  id: string;
  accountNumber: string;
  customerName: string;
  phone: string | null;
  address: string | null;
  status: string;
  balanceCents: number;
  /** what matched: account_number, name, address, meter, phone */
  matchedOn: string[];
}

/** `s` as LIKE pattern text that matches it literally (%, _ and \ escaped). */
export const likeLiteral = (s: string) => s.replace(/[%_\\]/g, '\\$&');

/**
 * Accounts matching `q` on any of those, account number and meter matches first, then by name; a page of
 * `limit` after the hit `startingAfter` (an account id that matched the same `q`; else 400 on it).
 */
export async function searchAccounts(sql: Sql, query: string, limit: number, startingAfter?: string) {
  const q = query.trim();
  const like = `%${likeLiteral(q)}%`;
  const prefix = `${likeLiteral(q)}%`;
  const digits = q.replace(/\D/g, '');
  // a phone is matched on its last digits, as callers give them ("555-0142"); at least 4 digits
  const phoneLike = digits.length >= 4 && digits.length === q.replace(/[\s().+-]/g, '').length;
  const all = await sql<
    (Omit<AccountHit, 'balanceCents' | 'matchedOn'> & {
      byNumber: boolean;
      byName: boolean;
      byAddress: boolean;
      byMeter: boolean;
      byPhone: boolean;
      cursorFound: number;
    })[]
  >`
    -- each matcher finds its accounts on its own (one scan each), then only those are looked at
    with number as (select id from account where account_number like ${prefix}),
    name as (select a.id from account a join customer c on c.id = a.customer_id where c.name ilike ${like}),
    address as (
      select sa.account_id as id from premise p join service_point sp on sp.premise_id = p.id
      join service_agreement sa on sa.service_point_id = sp.id where p.address_line1 ilike ${like}),
    meter as (
      select sa.account_id as id from meter m join meter_installation mi on mi.meter_id = m.id
      join service_agreement sa on sa.service_point_id = mi.service_point_id where m.serial_number ilike ${prefix}),
    phone as (
      ${
        phoneLike
          ? sql`select a.id from account a join customer c on c.id = a.customer_id
              where regexp_replace(coalesce(c.phone, ''), '\\D', '', 'g') like ${`%${digits}`}
              union
              select a.id from customer_contact cc join account a on a.customer_id = cc.customer_id
              where cc.kind in ('sms', 'voice') and regexp_replace(cc.value, '\\D', '', 'g') like ${`%${digits}`}`
          : sql`select id from account where false`
      }),
    hits as (
      select id, bool_or(m = 'number') as by_number, bool_or(m = 'name') as by_name,
             bool_or(m = 'address') as by_address, bool_or(m = 'meter') as by_meter, bool_or(m = 'phone') as by_phone
      from (select id, 'number' as m from number union all select id, 'name' from name
            union all select id, 'address' from address union all select id, 'meter' from meter
            union all select id, 'phone' from phone) x
      group by id
    ),
    -- the order is a key: number or meter matches first, then name, account number and id (unique)
    ranked as (
      select h.*, not (h.by_number or h.by_meter) as later, a.account_number, c.name as customer_name, c.phone,
        a.status
      from hits h join account a on a.id = h.id join customer c on c.id = a.customer_id),
    cur as (select later, customer_name, account_number, id from ranked where id = ${startingAfter ?? ''})
    -- one row at least, so a page after the last hit still says whether its cursor was a hit
    select k.cursor_found, p.* from (select count(*)::int as cursor_found from cur) k
    left join lateral (
      select r.*,
        (select p.address_line1 || ', ' || p.city from service_agreement sa join service_point sp on sp.id = sa.service_point_id
           join premise p on p.id = sp.premise_id where sa.account_id = r.id order by sa.service_type limit 1) as address
      from ranked r
      where ${startingAfter ?? null}::text is null
        or (r.later, r.customer_name, r.account_number, r.id) > (select later, customer_name, account_number, id from cur)
      order by r.later, r.customer_name, r.account_number, r.id
      limit ${limit + 1}) p on true`;
  if (startingAfter && !all[0]?.cursorFound)
    throw new Refused(
      `starting_after: account '${startingAfter}' is not a hit of this search`,
      'parameter_invalid',
      'starting_after',
    );
  const rows = all.filter((r) => r.id !== null);
  const page = rows.slice(0, limit);
  const balances = page.length
    ? await sql<{ accountId: string; cents: string }[]>`
        select la.account_id, sum(p.amount_cents)::text as cents from ledger_account la
        join posting p on p.ledger_account_id = la.id
        where la.account_id in ${sql(page.map((r) => r.id))} group by la.account_id`
    : [];
  const bal = new Map(balances.map((b) => [b.accountId, Number(b.cents)]));
  return {
    hits: page.map(
      (r): AccountHit => ({
        id: r.id,
        accountNumber: r.accountNumber,
        customerName: r.customerName,
        phone: r.phone,
        address: r.address,
        status: r.status,
        balanceCents: bal.get(r.id) ?? 0,
        matchedOn: [
          ...(r.byNumber ? ['account_number'] : []),
          ...(r.byName ? ['name'] : []),
          ...(r.byAddress ? ['address'] : []),
          ...(r.byMeter ? ['meter'] : []),
          ...(r.byPhone ? ['phone'] : []),
        ],
      }),
    ),
    hasMore: rows.length > limit,
  };
}
