// Customer account recovery: the "forgot password" link and the change of a login's email. Each link is a
// random token sent by email (through the notification outbox), kept only as its hash, used once, and
// expiring on the injected clock. A reset ends every session of the login; an email change takes effect only
// when the link sent to the new address is used, and the old address is told at once.
import { createHash, randomBytes } from 'node:crypto';
import { newId } from '../lib/ids.js';
import type { Sql, Tx } from './client.js';
import { queueMessagingNotice } from './messaging.js';
import { Refused } from './refused.js';

type Db = Sql | Tx;
const hash = (s: string) => createHash('sha256').update(s).digest('hex');
const newToken = () => randomBytes(24).toString('base64url');
const later = (now: Date, minutes: number) => new Date(now.getTime() + minutes * 60_000);

export type LinkUse = 'done' | 'invalid' | 'expired';

/** The account a login's notices are filed under (the notification outbox is per account): its first link. */
async function noticeAccount(db: Db, userId: string): Promise<string | undefined> {
  const [a] = await db<{ accountId: string }[]>`
    select account_id from portal_account_access where user_id = ${userId}
    order by linked_at, account_id limit 1`;
  return a?.accountId;
}

/** Once a link is used its copies in the outbox lose it, so a leaked mailbox or log cannot replay it. */
async function forgetLinks(tx: Tx, template: string, userId: string) {
  await tx`update outbound_message set body = '(link removed once used)', html = null
    where template = ${template}
      and notification_id in (select id from notification where alert = ${template} and data->>'userId' = ${userId})`;
  await tx`update notification set data = data - 'link' where alert = ${template} and data->>'userId' = ${userId}`;
}

/**
 * "Forgot password": a customer login with this email gets a reset link; an email with none gets nothing.
 * Both take a token and a lookup, and the caller answers the same either way, so nothing tells them apart.
 */
export async function requestPasswordReset(
  sql: Sql,
  r: { email: string; now: Date; ttlMinutes: number; link: (token: string) => string },
): Promise<void> {
  const token = newToken();
  const [u] = await sql<{ id: string; email: string }[]>`
    select id, email from app_user where lower(email) = lower(${r.email}) and kind = 'customer'`;
  if (!u) return;
  const accountId = await noticeAccount(sql, u.id);
  if (!accountId) return;
  await sql.begin(async (tx) => {
    // only the newest link works: asking again retires the ones before
    await tx`update password_reset set used_at = ${r.now} where user_id = ${u.id} and used_at is null`;
    await tx`insert into password_reset (id, user_id, token_hash, expires_at, created_at)
      values (${newId('pwr')}, ${u.id}, ${hash(token)}, ${later(r.now, r.ttlMinutes)}, ${r.now})`;
    await queueMessagingNotice(tx, {
      accountId,
      alert: 'password_reset',
      key: `password_reset/${u.id}/${newId('ntf')}`,
      data: { userId: u.id, email: u.email, link: r.link(token), minutes: r.ttlMinutes },
      urgent: true,
    });
  });
}

/**
 * Uses a reset link: the login's password becomes `passwordHash`, every session it had ends, and the link
 * (with any other open one) cannot be used again. Using it also proves the email, so an unconfirmed login
 * is confirmed. Returns the login's email when done, for the caller to clear its sign-in back-off.
 */
export async function resetPassword(
  sql: Sql,
  r: { token: string; passwordHash: string; now: Date },
): Promise<{ result: LinkUse; email?: string }> {
  return sql.begin(async (tx) => {
    const [p] = await tx<{ id: string; userId: string; expiresAt: Date }[]>`
      select id, user_id, expires_at from password_reset
      where token_hash = ${hash(r.token)} and used_at is null for update`;
    if (!p) return { result: 'invalid' as const };
    if (p.expiresAt <= r.now) return { result: 'expired' as const };
    await tx`update password_reset set used_at = ${r.now} where user_id = ${p.userId} and used_at is null`;
    const [u] = await tx<{ email: string }[]>`
      update app_user set password_hash = ${r.passwordHash}, email_verified_at = coalesce(email_verified_at, ${r.now})
      where id = ${p.userId} returning email`;
    await tx`delete from user_session where user_id = ${p.userId}`;
    await forgetLinks(tx, 'password_reset', p.userId);
    return { result: 'done' as const, email: u!.email };
  });
}

const emailTaken = async (db: Db, email: string, userId: string) =>
  (await db`select 1 from app_user where lower(email) = lower(${email}) and id <> ${userId}`).length > 0;

const inUse = () => new Refused('That email already belongs to another login', 'email_in_use', 'newEmail');

/**
 * A signed-in customer asks to sign in with another email (their password already checked): a link goes to
 * the new address and a notice to the current one. Nothing changes until the link is used.
 */
export async function requestEmailChange(
  sql: Sql,
  r: {
    userId: string;
    currentEmail: string;
    newEmail: string;
    now: Date;
    ttlMinutes: number;
    link: (token: string) => string;
  },
): Promise<void> {
  if (r.newEmail.toLowerCase() === r.currentEmail.toLowerCase())
    throw new Refused('That is already the email you sign in with', 'email_unchanged', 'newEmail');
  if (await emailTaken(sql, r.newEmail, r.userId)) throw inUse();
  const accountId = await noticeAccount(sql, r.userId);
  if (!accountId)
    throw new Refused('Link a utility account to this login first', 'account_needed', 'newEmail');
  const token = newToken();
  await sql.begin(async (tx) => {
    await tx`update login_email_change set used_at = ${r.now} where user_id = ${r.userId} and used_at is null`;
    await tx`insert into login_email_change (id, user_id, new_email, token_hash, expires_at, created_at)
      values (${newId('emc')}, ${r.userId}, ${r.newEmail}, ${hash(token)}, ${later(r.now, r.ttlMinutes)}, ${r.now})`;
    const key = newId('ntf');
    await queueMessagingNotice(tx, {
      accountId,
      alert: 'login_email_change',
      key: `login_email_change/${r.userId}/${key}`,
      data: { userId: r.userId, email: r.newEmail, link: r.link(token), minutes: r.ttlMinutes },
      urgent: true,
    });
    await queueMessagingNotice(tx, {
      accountId,
      alert: 'login_email_change_notice',
      key: `login_email_change_notice/${r.userId}/${key}`,
      data: { userId: r.userId, email: r.currentEmail, newEmail: r.newEmail },
      urgent: true,
    });
  });
}

/** Uses the link sent to the new address: the login signs in with it from now on. */
export async function confirmEmailChange(
  sql: Sql,
  r: { token: string; now: Date },
): Promise<{ result: LinkUse; email?: string }> {
  return sql.begin(async (tx) => {
    const [c] = await tx<{ id: string; userId: string; newEmail: string; expiresAt: Date }[]>`
      select id, user_id, new_email, expires_at from login_email_change
      where token_hash = ${hash(r.token)} and used_at is null for update`;
    if (!c) return { result: 'invalid' as const };
    if (c.expiresAt <= r.now) return { result: 'expired' as const };
    // another login may have taken the address since the request
    if (await emailTaken(tx, c.newEmail, c.userId)) throw inUse();
    await tx`update login_email_change set used_at = ${r.now} where id = ${c.id}`;
    await tx`update app_user set email = ${c.newEmail}, email_verified_at = ${r.now} where id = ${c.userId}`;
    await forgetLinks(tx, 'login_email_change', c.userId);
    return { result: 'done' as const, email: c.newEmail };
  });
}
