// Customer contacts (email addresses and SMS numbers) and their verification: an email link or an SMS code.
// Only the hash of a code is kept; a code expires, and five wrong tries use it up.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { newId } from '../lib/ids.js';
import type { Sql, Tx } from './client.js';
import { Refused } from './refused.js';
import { subscriptionsFor } from './subscriptions.js';

type Db = Sql | Tx;

export interface Contact {
  id: string;
  customerId: string;
  kind: 'email' | 'sms';
  value: string;
  verifiedAt: Date | null;
  status: 'active' | 'invalid' | 'suppressed';
  flag: string | null;
  flaggedAt: Date | null;
  optedOut: boolean;
  /** for a mobile number: when the customer agreed to texts, and to which version of the wording */
  smsConsentAt: Date | null;
  smsConsentVersion: string | null;
}

/** The SMS consent a customer gave when adding a number: the wording's version and language. */
export interface SmsConsent {
  textVersion: string;
  language: 'en' | 'es';
}

const CONTACT_COLUMNS = (db: Db) => db`c.id, c.customer_id, c.kind, c.value, c.verified_at, c.status, c.flag,
  c.flagged_at, (c.kind = 'sms' and exists (select 1 from sms_opt_out o where o.phone = c.value)) as opted_out,
  sc.consented_at as sms_consent_at, sc.text_version as sms_consent_version`;
const LATEST_CONSENT = (db: Db) => db`left join lateral (select consented_at, text_version from sms_consent
  where contact_id = c.id order by consented_at desc limit 1) sc on true`;

/** Contact ids sort by creation like the rest (`cc_` + time + random). */
const contactId = () => `cc_${Date.now().toString(36).padStart(9, '0')}${randomBytes(8).toString('hex')}`;
const hash = (s: string) => createHash('sha256').update(s).digest('hex');
export const MAX_VERIFY_ATTEMPTS = 5;

/** E.164 for North American numbers typed loosely ("(541) 555-0100" → "+15415550100"); other input as given. */
export function normalizePhone(raw: string): string | null {
  const digits = raw.replace(/[\s().-]/g, '');
  if (/^\+[1-9]\d{7,14}$/.test(digits)) return digits;
  if (/^\d{10}$/.test(digits)) return `+1${digits}`;
  if (/^1\d{10}$/.test(digits)) return `+${digits}`;
  return null;
}
export const normalizeEmail = (raw: string) => {
  const e = raw.trim();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e) && e.length <= 254 ? e : null;
};

export async function listContacts(db: Db, customerId: string): Promise<Contact[]> {
  return db<Contact[]>`
    select ${CONTACT_COLUMNS(db)} from customer_contact c ${LATEST_CONSENT(db)}
    where c.customer_id = ${customerId} and c.kind in ('email', 'sms')
    order by c.created_at, c.id`;
}

export async function getContact(db: Db, id: string): Promise<Contact | undefined> {
  const [c] = await db<Contact[]>`
    select ${CONTACT_COLUMNS(db)} from customer_contact c ${LATEST_CONSENT(db)} where c.id = ${id}`;
  return c;
}

/** Adds a contact (or finds the same one again); a new or changed address starts unverified. */
export async function addContact(db: Db, customerId: string, kind: 'email' | 'sms', value: string) {
  const [row] = await db<{ id: string }[]>`
    insert into customer_contact (id, customer_id, kind, value)
    values (${contactId()}, ${customerId}, ${kind}, ${value})
    on conflict (customer_id, kind, value) do update set
      -- added again after a bounce or an invalid-number report: it must be verified afresh
      verified_at = case when customer_contact.status = 'active' then customer_contact.verified_at end,
      status = 'active'
    returning id`;
  return row!.id;
}

/** A new verification secret for the contact: a 6-digit code for SMS, a long token for an email link. */
export async function createVerification(
  db: Db,
  contactId: string,
  kind: 'email' | 'sms',
  ttlMinutes: number,
) {
  const secret =
    kind === 'sms' ? String(randomInt(0, 1_000_000)).padStart(6, '0') : randomBytes(24).toString('base64url');
  // codes are short: scope their hash to the contact so two contacts' equal codes never collide
  await db`update contact_verification set used_at = now() where contact_id = ${contactId} and used_at is null`;
  await db`insert into contact_verification (id, contact_id, secret_hash, expires_at)
    values (${newId('vrf')}, ${contactId}, ${hash(`${contactId}:${secret}`)}, now() + make_interval(mins => ${ttlMinutes}))`;
  return secret;
}

export type VerifyResult = 'verified' | 'wrong_code' | 'expired' | 'too_many_attempts' | 'no_pending_code';

/** Checks an SMS code (or an email token) for the contact; marks the contact verified on success. */
export async function verifyContact(db: Sql, contactId: string, secret: string): Promise<VerifyResult> {
  return db.begin(async (tx) => {
    const [v] = await tx<{ id: string; secretHash: string; expired: boolean; attempts: number }[]>`
      select id, secret_hash, expires_at < now() as expired, attempts from contact_verification
      where contact_id = ${contactId} and used_at is null order by created_at desc limit 1 for update`;
    if (!v) return 'no_pending_code';
    if (v.expired) return 'expired';
    if (v.attempts >= MAX_VERIFY_ATTEMPTS) return 'too_many_attempts';
    if (v.secretHash !== hash(`${contactId}:${secret}`)) {
      await tx`update contact_verification set attempts = attempts + 1 where id = ${v.id}`;
      return v.attempts + 1 >= MAX_VERIFY_ATTEMPTS ? 'too_many_attempts' : 'wrong_code';
    }
    await tx`update contact_verification set used_at = now() where id = ${v.id}`;
    await tx`update customer_contact set verified_at = now(), status = 'active', flag = null, flagged_at = null
      where id = ${contactId}`;
    // the secrets served their purpose: keep no readable copy in the message record or the outbox
    await tx`update outbound_message set body = '(verification code, removed once used)', html = null
      where contact_id = ${contactId} and template = 'contact_verification'`;
    await tx`update notification set data = data - 'code' - 'link'
      where alert = 'contact_verification' and data->>'contactId' = ${contactId}`;
    return 'verified';
  });
}

/** The email link carries contact id and token: `{contactId}.{token}`. */
export async function verifyEmailLink(db: Sql, link: string): Promise<VerifyResult> {
  const dot = link.indexOf('.');
  if (dot < 1) return 'no_pending_code';
  return verifyContact(db, link.slice(0, dot), link.slice(dot + 1));
}

/** A bounce, spam report or invalid number: the contact is not used again until staff or the customer fix it. */
export async function flagContact(db: Db, contactId: string, status: 'invalid' | 'suppressed', flag: string) {
  await db`update customer_contact set status = ${status}, flag = ${flag}, flagged_at = now() where id = ${contactId}`;
}

/** Flags the contact a sent message went to, from a provider's delivery report about that message. */
export async function flagMessageContact(
  db: Db,
  messageId: string,
  status: 'invalid' | 'suppressed',
  flag: string,
) {
  await db`update customer_contact set status = ${status}, flag = ${flag.slice(0, 300)}, flagged_at = now()
    where id = (select contact_id from outbound_message where id = ${messageId})`;
}

/** The number sent STOP (or PARAR): no SMS goes to it until it sends START. */
export async function optOutSms(db: Db, phone: string) {
  await db`insert into sms_opt_out (phone) values (${phone}) on conflict (phone) do nothing`;
}

/** The number sent START (or INICIAR): texts to it may go again. */
export async function optInSms(db: Db, phone: string) {
  await db`delete from sms_opt_out where phone = ${phone}`;
}

/**
 * Adds a contact under the customer's row lock, unless the customer already has `max` email/SMS contacts (the
 * same contact added again always goes through). A mobile number's SMS consent is stored with it, in the same
 * transaction. Returns the contact id, or null when the cap refused it.
 */
export async function addContactCapped(
  sql: Sql,
  customerId: string,
  kind: 'email' | 'sms',
  value: string,
  max: number,
  consent?: SmsConsent,
): Promise<string | null> {
  return sql.begin(async (tx) => {
    await tx`select 1 from customer where id = ${customerId} for update`;
    const [n] = await tx<{ total: number; same: number }[]>`
      select count(*)::int as total, count(*) filter (where kind = ${kind} and value = ${value})::int as same
      from customer_contact where customer_id = ${customerId} and kind in ('email', 'sms')`;
    if (!n!.same && n!.total >= max) return null;
    const id = await addContact(tx, customerId, kind, value);
    if (kind === 'sms' && consent)
      await tx`insert into sms_consent (id, customer_id, contact_id, phone, text_version, language)
        values (${newId('smc')}, ${customerId}, ${id}, ${value}, ${consent.textVersion}, ${consent.language})`;
    return id;
  });
}

/**
 * Removes one of the customer's email addresses or mobile numbers, under the customer's row lock. Refused
 * (409 contact_needed) when it is the last verified, usable contact of its kind and alerts (or paperless
 * bills, for email) still go to that kind: add another first, or turn those alerts off. Its pending codes go
 * with it; the messages sent to it stay in the history, no longer linked to it. The SMS consent record stays.
 */
export async function removeContact(sql: Sql, customerId: string, contactId: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`select 1 from customer where id = ${customerId} for update`;
    const [c] = await tx<{ kind: 'email' | 'sms'; usable: boolean }[]>`
      select c.kind, (c.verified_at is not null and c.status = 'active'
        and not (c.kind = 'sms' and exists (select 1 from sms_opt_out o where o.phone = c.value))) as usable
      from customer_contact c
      where c.id = ${contactId} and c.customer_id = ${customerId} and c.kind in ('email', 'sms')`;
    if (!c) throw new Refused(`No such contact: '${contactId}'`, 'resource_missing', 'contactId');
    if (c.usable) {
      const [other] = await tx`select 1 from customer_contact c
        where c.customer_id = ${customerId} and c.kind = ${c.kind} and c.id <> ${contactId}
          and c.verified_at is not null and c.status = 'active'
          and not (c.kind = 'sms' and exists (select 1 from sms_opt_out o where o.phone = c.value))
        limit 1`;
      if (!other) {
        const needs = (await subscriptionsFor(tx, customerId)).filter((s) => s[c.kind]).map((s) => s.alert);
        const [paperless] =
          c.kind === 'email'
            ? await tx`select 1 from account where customer_id = ${customerId} and paperless limit 1`
            : [];
        if (needs.length || paperless)
          throw new Refused(
            c.kind === 'email'
              ? 'This is the last confirmed email address your alerts and paperless bills go to: add and confirm another, or turn email alerts off, before removing it'
              : 'This is the last confirmed mobile number your text alerts go to: add and confirm another, or turn text alerts off, before removing it',
            'contact_needed',
            'contactId',
          );
      }
    }
    await tx`delete from contact_verification where contact_id = ${contactId}`;
    await tx`update outbound_message set contact_id = null where contact_id = ${contactId}`;
    await tx`update sms_consent set contact_id = null where contact_id = ${contactId}`;
    await tx`delete from customer_contact where id = ${contactId}`;
  });
}

/** Verification messages sent to the customer's contacts in the last 24 hours (each SMS costs money). */
export async function verificationsLastDay(db: Db, customerId: string): Promise<number> {
  const [r] = await db<{ n: number }[]>`
    select count(*)::int as n from contact_verification v join customer_contact c on c.id = v.contact_id
    where c.customer_id = ${customerId} and v.created_at > now() - interval '1 day'`;
  return r!.n;
}

/** Verification messages sent to one contact in the last hour. */
export async function verificationsLastHour(db: Db, contactId: string): Promise<number> {
  const [r] = await db<{ n: number }[]>`select count(*)::int as n from contact_verification
    where contact_id = ${contactId} and created_at > now() - interval '1 hour'`;
  return r?.n ?? 0;
}

/** Contacts flagged by a bounce, a spam report or an invalid number, most recently flagged first. */
export async function flaggedContacts(db: Db, limit: number): Promise<Contact[]> {
  return db<Contact[]>`
    select ${CONTACT_COLUMNS(db)} from customer_contact c ${LATEST_CONSENT(db)}
    where c.flag is not null order by c.flagged_at desc limit ${limit}`;
}

export async function findContact(db: Db, customerId: string, kind: 'email' | 'sms', value: string) {
  const [c] = await db<{ id: string; verifiedAt: Date | null; status: string }[]>`
    select id, verified_at, status from customer_contact
    where customer_id = ${customerId} and kind = ${kind} and value = ${value}`;
  return c;
}
