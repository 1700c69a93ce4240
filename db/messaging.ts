// The messaging capability's records: planning a notification into messages (subscriptions, verified
// contacts, language, quiet hours), each message's state as it is sent, and delivery events from webhooks.
import { randomUUID } from 'node:crypto';
import { type QuietHours, quietDelayMs } from '../domain/messages/quiet-hours.js';
import { type Language, render, type TemplateData } from '../domain/messages/templates.js';
import { DEMO_UTILITY, type UtilityProfile } from '../lib/config.js';
import { newId } from '../lib/ids.js';
import type { NotificationPlanStatus } from '../workflows/contracts/messaging.js';
import type { Sql, Tx } from './client.js';
import { type Contact, createVerification, flagMessageContact } from './contacts.js';
import { type AlertType, type NotificationData, queueNotification } from './notifications.js';
import { type Channels, defaultSubscription, setSubscriptions } from './subscriptions.js';
import { currentUtility } from './utility-settings.js';

type Db = Sql | Tx;

/** Notices about a login that go to the login's own email (or the one it is moving to), not a contact. */
const LOGIN_EMAIL_NOTICES = new Set([
  'login_email_verification',
  'signup_email_in_use',
  'password_reset',
  'login_email_change',
  'login_email_change_notice',
  // a staff login's invitation, to the address it names
  'staff_invitation',
]);
export type Channel = 'email' | 'sms';

export interface PlannedMessage {
  id: string;
  channel: Channel;
  /** how long to wait before sending (SMS quiet hours), ms */
  delayMs: number;
}

export interface PlanResult {
  status: NotificationPlanStatus;
  messages: PlannedMessage[];
  reason?: string;
}

export interface PlanOptions {
  publicUrl: string;
  providers: { email: 'sendgrid' | 'outbox'; sms: 'twilio' | 'outbox' };
  quietHours: QuietHours;
  now?: Date;
  /** the environment's utility (UTILITY_*), until its admins save settings */
  utility?: UtilityProfile;
}

/**
 * Turns a queued notification into its messages, once: the rows are keyed `{notificationId}/{channel}`, so a
 * retried activity finds the messages it planned before. Only verified, active contacts are used (a
 * contact_verification message goes to the contact being verified); SMS to a number that sent STOP is not.
 */
export async function planNotification(
  sql: Sql,
  notificationId: string,
  o: PlanOptions,
): Promise<PlanResult> {
  return (await planNotifications(sql, [notificationId], o)).get(notificationId)!;
}

interface PlanContact {
  id: string;
  customerId: string;
  kind: Channel;
  value: string;
  verifiedAt: Date | null;
  status: string;
  optedOut: boolean;
}
type Target = { id: string | null; kind: Channel; value: string };

/**
 * planNotification for a page of notifications (a bill run's e-bills), set-based: the same rules, read and
 * written in a handful of statements for the whole page instead of a dozen per notice. Returns each id's plan.
 */
export async function planNotifications(
  sql: Sql,
  ids: string[],
  o: PlanOptions,
): Promise<Map<string, PlanResult>> {
  const plans = new Map<string, PlanResult>();
  for (const id of ids) plans.set(id, { status: 'skipped', messages: [], reason: 'no such notification' });
  if (!ids.length) return plans;
  await sql.begin(async (tx) => {
    const notices = await tx<
      {
        id: string;
        accountId: string | null;
        alert: string;
        data: TemplateData;
        urgent: boolean;
        status: string;
        accountNumber: string | null;
        customerId: string | null;
        language: string | null;
      }[]
    >`select n.id, n.account_id, n.alert, n.data, n.urgent, n.status, a.account_number, a.customer_id, c.language
      from notification n left join account a on a.id = n.account_id left join customer c on c.id = a.customer_id
      where n.id = any(${ids}) order by n.id for update of n`;
    const now = o.now ?? new Date();
    const existing = new Map<string, PlannedMessage[]>();
    for (const m of await tx<
      { id: string; notificationId: string; channel: Channel; sendAfter: Date | null }[]
    >`
      select id, notification_id, channel, send_after from outbound_message
      where notification_id = any(${ids}) order by notification_id, channel`) {
      const list = existing.get(m.notificationId) ?? [];
      list.push({
        id: m.id,
        channel: m.channel,
        delayMs: Math.max(0, (m.sendAfter?.getTime() ?? 0) - now.getTime()),
      });
      existing.set(m.notificationId, list);
    }
    const todo = notices.filter((n) => {
      const planned = existing.get(n.id);
      if (planned) plans.set(n.id, { status: 'planned', messages: planned });
      else if (n.status !== 'pending') plans.set(n.id, { status: n.status as 'processed', messages: [] });
      return !planned && n.status === 'pending';
    });
    if (!todo.length) return;

    const customerIds = [...new Set(todo.flatMap((n) => (n.customerId ? [n.customerId] : [])))];
    const contacts = new Map<string, PlanContact[]>();
    for (const c of await tx<PlanContact[]>`
      select c.id, c.customer_id, c.kind, c.value, c.verified_at, c.status,
        (c.kind = 'sms' and exists (select 1 from sms_opt_out o where o.phone = c.value)) as opted_out
      from customer_contact c where c.customer_id = any(${customerIds})
      order by c.verified_at desc nulls last, c.id desc`) {
      contacts.set(c.customerId, [...(contacts.get(c.customerId) ?? []), c]);
    }
    const chosen = new Map<string, { email: boolean; sms: boolean }>();
    for (const s of await tx<{ customerId: string; alert: string; email: boolean; sms: boolean }[]>`
      select customer_id, alert, email, sms from alert_subscription
      where customer_id = any(${customerIds}) and alert = any(${[...new Set(todo.map((n) => n.alert))]})`)
      chosen.set(`${s.customerId}/${s.alert}`, s);

    const utility = await currentUtility(tx, { utility: o.utility ?? DEMO_UTILITY });
    const rows: Record<string, unknown>[] = [];
    const queued: MessageEvent[] = [];
    const skipped: { id: string; reason: string }[] = [];
    for (const n of todo) {
      // a staff login's invitation belongs to no account: it goes, in English, to the address it names
      const staffNotice = n.accountId === null && n.alert === 'staff_invitation';
      if (!n.customerId && !staffNotice) {
        skipped.push({ id: n.id, reason: 'account missing' });
        plans.set(n.id, { status: 'skipped', messages: [], reason: 'account missing' });
        continue;
      }
      const own = (n.customerId && contacts.get(n.customerId)) || [];
      // a verified, active contact of that kind (not a number that sent STOP), the most recently verified
      const usable = (kind: Channel) =>
        own.find((c) => c.kind === kind && c.verifiedAt && c.status === 'active' && !c.optedOut);
      const targets = chooseTargets(n, own, usable, chosen.get(`${n.customerId}/${n.alert}`));
      if (!targets.length) {
        skipped.push({ id: n.id, reason: 'no subscribed, verified contact' });
        plans.set(n.id, { status: 'skipped', messages: [], reason: 'no subscribed, verified contact' });
        continue;
      }
      const language: Language = n.language === 'es' ? 'es' : 'en';
      const r = render(n.alert, n.data, {
        language,
        accountNumber: n.accountNumber ?? '',
        publicUrl: o.publicUrl,
        utility: { name: utility.name, phone: utility.phone },
      });
      const messages: PlannedMessage[] = [];
      for (const c of targets) {
        const delayMs = c.kind === 'sms' && !n.urgent ? quietDelayMs(now, o.quietHours) : 0;
        const id = newId('msg');
        const email = c.kind === 'email';
        rows.push({
          id,
          idempotency_key: `${n.id}/${c.kind}`,
          account_id: n.accountId,
          customer_id: n.customerId,
          notification_id: n.id,
          contact_id: c.id,
          channel: c.kind,
          to_address: c.value,
          template: n.alert,
          subject: email ? r.subject : null,
          body: email ? r.text : r.sms,
          html: email ? r.html : null,
          language,
          urgent: n.urgent,
          encoding: email ? null : r.smsEncoding,
          segments: email ? null : r.smsSegments,
          provider: email ? o.providers.email : o.providers.sms,
          status: 'queued',
          send_after: new Date(now.getTime() + delayMs),
        });
        queued.push({ messageId: id, kind: 'queued', detail: delayMs ? { quietHoursDelayMs: delayMs } : {} });
        messages.push({ id, channel: c.kind, delayMs });
      }
      plans.set(n.id, { status: 'planned', messages });
    }
    // a page of rows at a time: PostgreSQL takes at most 65,535 parameters in one statement
    for (let i = 0; i < rows.length; i += 2000)
      await tx`insert into outbound_message ${tx(rows.slice(i, i + 2000) as never)}`;
    await events(tx, queued);
    if (skipped.length)
      await tx`update notification n set status = 'skipped', processed_at = now(),
          data = n.data || jsonb_build_object('skippedBecause', s.reason)
        from unnest(${skipped.map((s) => s.id)}::text[], ${skipped.map((s) => s.reason)}::text[]) as s(id, reason)
        where n.id = s.id`;
  });
  return plans;
}

/** Whom a notice goes to, by its kind: the customer's subscriptions, or the rule its kind has instead. */
function chooseTargets(
  n: { alert: string; data: TemplateData; urgent: boolean; customerId: string | null },
  own: PlanContact[],
  usable: (kind: Channel) => PlanContact | undefined,
  subscription: { email: boolean; sms: boolean } | undefined,
): Target[] {
  const targets: Target[] = [];
  const add = (c: PlanContact | undefined) => c && targets.push(c);
  if (n.alert === 'contact_verification') {
    // to the contact being verified (not yet verified itself), if it is still this customer's and usable
    const c = own.find((x) => x.id === n.data.contactId);
    if (c && c.status === 'active' && !(c.kind === 'sms' && c.optedOut)) add(c);
  } else if (n.alert === 'subscriptions_changed') {
    add(usable('email') ?? usable('sms'));
  } else if (n.alert === 'login_linked') {
    // a security notice: every verified channel on the account, whatever the subscriptions say
    add(usable('email'));
    add(usable('sms'));
  } else if (LOGIN_EMAIL_NOTICES.has(n.alert)) {
    // a login's own email (its verification link) is not a customer contact: it has no contact id
    if (typeof n.data.email === 'string') targets.push({ id: null, kind: 'email', value: n.data.email });
  } else {
    const subs =
      subscription ??
      defaultSubscription(n.alert, { email: !!usable('email'), sms: !!usable('sms') }, n.urgent);
    if (subs.email) add(usable('email'));
    if (subs.sms) add(usable('sms'));
    // a paperless customer's bill must reach them: with no channel chosen (or none usable), email it anyway
    if (n.alert === 'bill_ready' && !targets.length) add(usable('email'));
  }
  return targets.map((c) => ({ id: c.id, kind: c.kind, value: c.value }));
}

export async function finishNotification(db: Db, id: string) {
  await db`update notification set status = 'processed', processed_at = now() where id = ${id} and status = 'pending'`;
}

export interface MessageEvent {
  messageId: string;
  kind: string;
  detail?: Record<string, unknown>;
}

/** Many messages' events in one statement (a batch's attempts, sends or failures). */
export async function events(db: Db, list: MessageEvent[]) {
  if (!list.length) return;
  await db`insert into message_event (message_id, kind, detail)
    select * from unnest(${list.map((e) => e.messageId)}::text[], ${list.map((e) => e.kind)}::text[],
      ${list.map((e) => JSON.stringify(e.detail ?? {}))}::jsonb[])`;
}

export async function event(
  db: Db,
  messageId: string,
  kind: string,
  detail: Record<string, unknown> = {},
  providerEventId?: string,
) {
  const rows = await db`insert into message_event (message_id, kind, detail, provider_event_id)
    values (${messageId}, ${kind}, ${db.json(detail as never)}, ${providerEventId ?? null})
    on conflict (provider_event_id) do nothing returning id`;
  return rows.length > 0;
}

export interface MessageRow {
  id: string;
  accountId: string | null;
  customerId: string | null;
  contactId: string | null;
  notificationId: string | null;
  channel: Channel;
  toAddress: string;
  template: string;
  subject: string | null;
  body: string;
  html: string | null;
  language: string | null;
  urgent: boolean;
  encoding: string | null;
  segments: number | null;
  provider: string;
  providerId: string | null;
  status: string;
  attempts: number;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: Date;
  sentAt: Date | null;
  statusAt: Date | null;
}

/** Whose message it is (undefined when there is none, or it went to no account). */
export async function messageAccountId(db: Db, id: string): Promise<string | undefined> {
  const [m] = await db<
    { accountId: string | null }[]
  >`select account_id from outbound_message where id = ${id}`;
  return m?.accountId ?? undefined;
}

export async function getMessage(db: Db, id: string): Promise<MessageRow | undefined> {
  const [m] = await db<MessageRow[]>`select * from outbound_message where id = ${id}`;
  return m;
}

/**
 * Records an attempt before the provider is called (status "sending", attempts + 1). Returns the message if it
 * should be sent, or null if an earlier attempt already got it to the provider.
 */
export async function beginAttempt(sql: Sql, id: string): Promise<MessageRow | null> {
  const [m] = await sql<MessageRow[]>`
    update outbound_message set status = 'sending', attempts = attempts + 1, status_at = now()
    where id = ${id} and status in ('queued', 'sending') returning *`;
  if (m) await event(sql, id, 'attempt', { attempt: m.attempts });
  return m ?? null;
}

/** Delivery states move forward only: a late "sent" never overwrites "delivered" or a bounce. */
const RANK: Record<string, number> = {
  queued: 0,
  sending: 1,
  sent: 2,
  outbox: 3,
  delivered: 3,
  undelivered: 3,
  failed: 3,
  bounced: 3,
  dropped: 3,
  spam_report: 4,
};
export const DELIVERY_STATES = Object.keys(RANK);

export async function recordSent(sql: Sql, id: string, provider: string, providerId: string) {
  const status = provider === 'outbox' ? 'outbox' : 'sent';
  await sql`update outbound_message set provider = ${provider}, provider_id = ${providerId},
      status = case when status in ('queued', 'sending') then ${status} else status end,
      sent_at = coalesce(sent_at, now()), status_at = now(), error_code = null, error_message = null
    where id = ${id}`;
}

export async function recordFailure(sql: Sql, id: string, retrying: boolean, code: string, message: string) {
  await sql`update outbound_message set status = ${retrying ? 'queued' : 'failed'}, error_code = ${code},
      error_message = ${message.slice(0, 500)}, status_at = now()
    where id = ${id} and status in ('queued', 'sending')`;
  await event(sql, id, retrying ? 'provider_error' : 'failed', { code, message: message.slice(0, 500) });
}

/** A provider's delivery report (webhook): recorded once per provider event id; the state only moves forward. */
export async function applyDeliveryEvent(
  sql: Sql,
  e: { messageId: string; status: string; providerEventId: string; detail: Record<string, unknown> },
): Promise<'applied' | 'duplicate' | 'unknown_message'> {
  return sql.begin(async (tx) => {
    const [m] = await tx<
      { status: string }[]
    >`select status from outbound_message where id = ${e.messageId} for update`;
    if (!m) return 'unknown_message' as const;
    if (!(await event(tx, e.messageId, e.status, e.detail, e.providerEventId))) return 'duplicate' as const;
    if ((RANK[e.status] ?? 0) >= (RANK[m.status] ?? 0) && e.status !== m.status)
      await tx`update outbound_message set status = ${e.status}, status_at = now() where id = ${e.messageId}`;
    return 'applied' as const;
  });
}

/** The message a provider reports on: by our own id when the report carries it, else by the provider's id. */
async function providerMessageId(db: Db, provider: string, providerId: string, hint?: string) {
  if (hint) {
    const [m] = await db<{ id: string }[]>`select id from outbound_message where id = ${hint}`;
    if (m) return m.id;
  }
  const [m] = await db<
    { id: string }[]
  >`select id from outbound_message where provider = ${provider} and provider_id = ${providerId}`;
  return m?.id;
}

export interface ProviderReport {
  provider: 'twilio' | 'sendgrid';
  providerId: string;
  /** our message id, when the provider echoes it back */
  hint?: string;
  status: string;
  providerEventId: string;
  detail: Record<string, unknown>;
  /** when the report says the address cannot be used again: how to flag its contact */
  flagContact?: { status: 'invalid' | 'suppressed'; flag: string };
}

/**
 * A provider's webhook report on a message: its delivery event applied once, and the contact flagged when the
 * report says so and the event was new. Null when no such message is known.
 */
export async function applyProviderReport(sql: Sql, r: ProviderReport) {
  const messageId = await providerMessageId(sql, r.provider, r.providerId, r.hint);
  if (!messageId) return null;
  const applied = await applyDeliveryEvent(sql, {
    messageId,
    status: r.status,
    providerEventId: r.providerEventId,
    detail: r.detail,
  });
  if (applied === 'applied' && r.flagContact)
    await flagMessageContact(sql, messageId, r.flagContact.status, r.flagContact.flag);
  return applied;
}

/** A message as listed: the columns listMessages selects. */
export type MessageListItem = Pick<
  MessageRow,
  | 'id'
  | 'accountId'
  | 'notificationId'
  | 'channel'
  | 'toAddress'
  | 'template'
  | 'subject'
  | 'body'
  | 'language'
  | 'provider'
  | 'providerId'
  | 'status'
  | 'attempts'
  | 'segments'
  | 'errorCode'
  | 'createdAt'
  | 'sentAt'
  | 'statusAt'
>;

/** Newest first, cursor-paginated by id (ids sort by creation). */
export async function listMessages(
  db: Db,
  f: { accountId?: string; status?: string; channel?: string; limit: number; startingAfter?: string },
) {
  const rows = await db<MessageListItem[]>`
    select id, account_id, notification_id, channel, to_address, template, subject, body, language, provider,
      provider_id, status, attempts, segments, error_code, created_at, sent_at, status_at
    from outbound_message
    where true
      ${f.accountId ? db`and account_id = ${f.accountId}` : db``}
      ${f.status ? db`and status = ${f.status}` : db``}
      ${f.channel ? db`and channel = ${f.channel}` : db``}
      ${f.startingAfter ? db`and id < ${f.startingAfter}` : db``}
    order by id desc limit ${f.limit + 1}`;
  return { data: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}

export async function messageEvents(db: Db, messageId: string) {
  return db<{ kind: string; detail: Record<string, unknown>; createdAt: Date }[]>`
    select kind, detail, created_at from message_event where message_id = ${messageId} order by id`;
}

export interface HighUsageFinding {
  accountId: string;
  serviceType: string;
  unit: string;
  /** per day over the recent window, and the normal per day before it: decimal strings */
  usage: string;
  normal: string;
}

/**
 * The high-usage rule (see HighUsagePolicy): per active AMI/AMR meter, L is its latest valid read (at most two
 * days old at `asOf`), P the last read at least `recentDays` before L, B the last read at least `baselineDays`
 * before P. Recent = (L − P) × multiplier per day; normal = (P − B) × multiplier per day. Flagged when recent >
 * factor × normal and normal ≥ minDailyNormal. A register that went backwards (rollover, exchange) is skipped.
 * One finding per account and service (the meter with the highest ratio).
 */
export async function findHighUsage(
  db: Db,
  asOf: Date,
  p: { recentDays: number; baselineDays: number; factor: string; minDailyNormal: string },
): Promise<HighUsageFinding[]> {
  return db<HighUsageFinding[]>`
    with m as (
      select mi.meter_id, me.multiplier, me.unit, sa.account_id, sa.service_type
      from meter_installation mi
      join meter me on me.id = mi.meter_id
      join service_agreement sa on sa.service_point_id = mi.service_point_id and sa.status = 'active'
      where mi.removed_at is null
    ), r as (
      select m.*, l.read_at as l_at, l.value as l_v, p.read_at as p_at, p.value as p_v, b.read_at as b_at, b.value as b_v
      from m
      cross join lateral (select read_at, value from meter_read where meter_id = m.meter_id and quality <> 'rejected'
        and source in ('ami', 'amr') and read_at <= ${asOf} order by read_at desc limit 1) l
      cross join lateral (select read_at, value from meter_read where meter_id = m.meter_id and quality <> 'rejected'
        and read_at <= l.read_at - make_interval(days => ${p.recentDays}) order by read_at desc limit 1) p
      cross join lateral (select read_at, value from meter_read where meter_id = m.meter_id and quality <> 'rejected'
        and read_at <= p.read_at - make_interval(days => ${p.baselineDays}) order by read_at desc limit 1) b
      where l.read_at > ${asOf}::timestamptz - interval '2 days' and l.value >= p.value and p.value >= b.value
    ), d as (
      select account_id, service_type, unit,
        (l_v - p_v) * multiplier / (extract(epoch from l_at - p_at) / 86400) as usage,
        (p_v - b_v) * multiplier / (extract(epoch from p_at - b_at) / 86400) as normal
      from r
    )
    select distinct on (account_id, service_type) account_id, service_type, unit,
      trim_scale(round(usage, 2))::text as usage, trim_scale(round(normal, 2))::text as normal
    from d
    where normal >= ${p.minDailyNormal}::numeric and usage > ${p.factor}::numeric * normal
    order by account_id, service_type, usage / normal desc`;
}

/**
 * The messaging capability's own notices (a contact's verification code, "your choices changed") ride the same
 * transactional outbox as every other notice; they are not alert types a customer subscribes to.
 */
export async function queueMessagingNotice(
  db: Db,
  n: {
    /** null only for staff_invitation, which belongs to no account */
    accountId: string | null;
    alert:
      | 'contact_verification'
      | 'subscriptions_changed'
      | 'login_linked'
      | 'login_email_verification'
      | 'signup_email_in_use'
      | 'staff_invitation'
      | 'password_reset'
      | 'login_email_change'
      | 'login_email_change_notice';
    key: string;
    data: NotificationData;
    urgent?: boolean;
  },
) {
  return queueNotification(db, { ...n, alert: n.alert as unknown as AlertType });
}

/** The customer's channel choices per alert type, confirmed by a message when any of them changed. */
export async function changeSubscriptions(
  sql: Sql,
  c: { accountId: string; customerId: string; alerts: Partial<Record<AlertType, Channels>> },
): Promise<number> {
  return sql.begin(async (tx) => {
    const n = await setSubscriptions(tx, c.customerId, c.alerts);
    if (n > 0)
      await queueMessagingNotice(tx, {
        accountId: c.accountId,
        alert: 'subscriptions_changed',
        key: `subscriptions_changed/${c.customerId}/${randomUUID()}`,
        data: { changed: Object.keys(c.alerts).join(',') },
      });
    return n;
  });
}

/**
 * A new secret for the contact, sent to the contact itself: an email link (`{contactId}.{token}`, as
 * verifyEmailLink reads it) or an SMS code. Urgent: the customer is waiting for it, so quiet hours do not hold it.
 */
export async function sendContactVerification(
  sql: Sql,
  v: { accountId: string; contact: Contact; ttlMinutes: number; publicUrl: string },
) {
  const c = v.contact;
  await sql.begin(async (tx) => {
    const secret = await createVerification(tx, c.id, c.kind, v.ttlMinutes);
    await queueMessagingNotice(tx, {
      accountId: v.accountId,
      alert: 'contact_verification',
      key: `contact_verification/${c.id}/${Date.now()}`,
      data:
        c.kind === 'email'
          ? { contactId: c.id, link: `${v.publicUrl}/portal/verify-contact?token=${c.id}.${secret}` }
          : { contactId: c.id, code: secret },
      urgent: true,
    });
  });
}

export interface NotificationListItem {
  id: string;
  alert: string;
  status: string;
  urgent: boolean;
  data: Record<string, unknown>;
  createdAt: Date;
  processedAt: Date | null;
  messages: number;
}

/** What the account was to be told, including notices not sent (no subscription or verified contact). */
export async function listNotifications(db: Db, accountId: string, limit: number, startingAfter?: string) {
  const rows = await db<NotificationListItem[]>`
    select n.id, n.alert, n.status, n.urgent, n.data, n.created_at, n.processed_at,
      (select count(*)::int from outbound_message m where m.notification_id = n.id) as messages
    from notification n where n.account_id = ${accountId}
      ${startingAfter ? db`and n.id < ${startingAfter}` : db``}
    order by n.id desc limit ${limit + 1}`;
  return { data: rows.slice(0, limit), hasMore: rows.length > limit };
}
