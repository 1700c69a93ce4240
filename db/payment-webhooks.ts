// What the gateway's webhooks record: each event once (by its id), and a chargeback flag on the payment.
import type { Sql } from './client.js';

/** Flags the payment a chargeback names by its gateway reference; its id, or undefined if it is not ours. */
export async function flagChargeback(sql: Sql, providerRef: string, status: string | undefined) {
  const [p] = await sql<{ id: string }[]>`select id from payment where provider_ref = ${providerRef}`;
  if (p) await sql`update payment set review_flag = ${`chargeback_${status ?? 'open'}`} where id = ${p.id}`;
  return p?.id;
}

export async function webhookEventSeen(sql: Sql, eventId: string) {
  const [seen] = await sql`select 1 from webhook_event where id = ${eventId}`;
  return !!seen;
}

export async function recordWebhookEvent(
  sql: Sql,
  e: { id: string; provider: string; type: string; paymentId: string },
) {
  await sql`insert into webhook_event (id, provider, type, payment_id) values (${e.id}, ${e.provider}, ${e.type}, ${e.paymentId})
    on conflict (id) do nothing`;
}
