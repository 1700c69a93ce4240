// Where an account's bills are mailed: the customer's mailing address when one is on file (a completed
// mailing-address service request sets it, db/service-requests.ts changeMailingAddress), else the service
// premise of the account's first agreement. The bill PDF and the print vendor's file both read it here.
import type { Sql } from './client.js';

export interface MailingAddress {
  line1: string;
  line2: string | null;
  city: string;
  state: string;
  postalCode: string;
}

/** A lateral join naming `mail` (line1, line2, city, state, postal_code) for the account aliased `a`. */
export const mailingAddressJoin = (sql: Sql) => sql`
  left join lateral (
    select line1, line2, city, state, postal_code from (
      select c.mailing_address->>'line1' as line1, nullif(c.mailing_address->>'line2', '') as line2,
             c.mailing_address->>'city' as city, c.mailing_address->>'state' as state,
             c.mailing_address->>'postal_code' as postal_code, 0 as rank, '' as service_type
      from customer c where c.id = a.customer_id and c.mailing_address is not null
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
