// Where an account's bills are mailed: the customer's mailing address when one is on file (a completed
// mailing-address service request sets it, db/service-requests.ts changeMailingAddress), else the service
// premise of the account's first agreement. The bill PDF and the print vendor's file both read it here.
// A bill is addressed as of its issue: the first change after it (mailing_address_change) names the address
// that was in effect then, so a change never re-addresses a bill already issued.
import type { Sql } from './client.js';

export interface MailingAddress {
  line1: string;
  line2: string | null;
  city: string;
  state: string;
  postalCode: string;
}

/**
 * A lateral join naming `mail` (line1, line2, city, state, postal_code) for the account aliased `a`; with
 * `asOf` (an instant, e.g. the bill's `b.created_at`), the address in effect then.
 */
export const mailingAddressJoin = (sql: Sql, asOf?: ReturnType<Sql>) => sql`
  left join lateral (
    select line1, line2, city, state, postal_code from (
      select addr->>'line1' as line1, nullif(addr->>'line2', '') as line2, addr->>'city' as city,
             addr->>'state' as state, addr->>'postal_code' as postal_code, 0 as rank, '' as service_type
      from customer c, lateral (select ${
        asOf
          ? sql`case when exists (select 1 from mailing_address_change x where x.customer_id = c.id
                   and x.changed_at > ${asOf})
                 then (select x.previous from mailing_address_change x where x.customer_id = c.id
                   and x.changed_at > ${asOf} order by x.changed_at, x.id limit 1)
                 else c.mailing_address end`
          : sql`c.mailing_address`
      } as addr) m0
      where c.id = a.customer_id and addr is not null
      union all
      select pr.address_line1, pr.address_line2, pr.city, pr.state, pr.postal_code, 1, sa.service_type
      from service_agreement sa join service_point sp on sp.id = sa.service_point_id
      join premise pr on pr.id = sp.premise_id where sa.account_id = a.id
    ) m order by rank, service_type limit 1
  ) mail on true`;

/** The lines an envelope window shows under the name: street, a second line if any, city state ZIP. */
export const addressLines = (m: MailingAddress) => [
  m.line1,
  ...(m.line2 ? [m.line2] : []),
  `${m.city}, ${m.state} ${m.postalCode}`,
];
