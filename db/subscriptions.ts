// Alert subscriptions: per customer, per alert type, which channels (email, SMS, both or none).
// No row means the default: email for everything when the customer has a verified email; SMS too for the
// urgent kinds (outages, collection notices such as a final notice) when they have a verified phone.
import { randomUUID } from 'node:crypto';
import type { Sql, Tx } from './client.js';
import { ALERT_TYPES, type AlertType, queueNotification } from './notifications.js';

type Db = Sql | Tx;

export type Channels = 'email' | 'sms' | 'both' | 'none';
export const URGENT_BY_DEFAULT: readonly AlertType[] = ['outage', 'collection_notice'];

export interface Subscription {
  alert: AlertType;
  email: boolean;
  sms: boolean;
  channels: Channels;
  source: 'default' | 'customer';
}

export const channelsOf = (email: boolean, sms: boolean): Channels =>
  email && sms ? 'both' : email ? 'email' : sms ? 'sms' : 'none';

export function defaultSubscription(
  alert: string,
  contacts: { email: boolean; sms: boolean },
  urgent = false,
): { email: boolean; sms: boolean } {
  return {
    email: contacts.email,
    sms: contacts.sms && (urgent || (URGENT_BY_DEFAULT as readonly string[]).includes(alert)),
  };
}

/** Which verified, usable contact kinds the customer has. */
export async function verifiedKinds(db: Db, customerId: string) {
  const rows = await db<{ kind: string }[]>`
    select distinct kind from customer_contact
    where customer_id = ${customerId} and verified_at is not null and status = 'active'
      and (kind <> 'sms' or not exists (select 1 from sms_opt_out o where o.phone = customer_contact.value))`;
  const kinds = new Set(rows.map((r) => r.kind));
  return { email: kinds.has('email'), sms: kinds.has('sms') };
}

export async function subscriptionsFor(db: Db, customerId: string): Promise<Subscription[]> {
  const rows = await db<{ alert: string; email: boolean; sms: boolean }[]>`
    select alert, email, sms from alert_subscription where customer_id = ${customerId}`;
  const chosen = new Map(rows.map((r) => [r.alert, r]));
  const kinds = await verifiedKinds(db, customerId);
  return ALERT_TYPES.map((alert) => {
    const c = chosen.get(alert);
    const s = c ?? defaultSubscription(alert, kinds);
    return {
      alert,
      email: s.email,
      sms: s.sms,
      channels: channelsOf(s.email, s.sms),
      source: c ? 'customer' : 'default',
    };
  });
}

export async function setSubscriptions(
  db: Db,
  customerId: string,
  choices: Partial<Record<AlertType, Channels>>,
) {
  const rows = Object.entries(choices).map(([alert, ch]) => ({
    customer_id: customerId,
    alert,
    email: ch === 'email' || ch === 'both',
    sms: ch === 'sms' || ch === 'both',
  }));
  if (!rows.length) return 0;
  const changed = await db`
    insert into alert_subscription ${db(rows as never, 'customer_id', 'alert', 'email', 'sms')}
    on conflict (customer_id, alert) do update set email = excluded.email, sms = excluded.sms, updated_at = now()
    where (alert_subscription.email, alert_subscription.sms) is distinct from (excluded.email, excluded.sms)
    returning alert`;
  return changed.length;
}

/**
 * Paperless billing on or off for the account, confirmed by a notice when it changed. False (nothing done)
 * when turning it on for a customer without a verified email address to send the bills to.
 */
export async function setPaperless(
  sql: Sql,
  p: { accountId: string; customerId: string; enabled: boolean },
): Promise<boolean> {
  if (p.enabled && !(await verifiedKinds(sql, p.customerId)).email) return false;
  await sql.begin(async (tx) => {
    const [changed] = await tx`update account set paperless = ${p.enabled}
      where id = ${p.accountId} and paperless <> ${p.enabled} returning id`;
    if (changed)
      await queueNotification(tx, {
        accountId: p.accountId,
        alert: 'paperless_enrolled',
        key: `paperless_enrolled/${p.accountId}/${randomUUID()}`,
        data: { enabled: p.enabled },
      });
  });
  return true;
}
