// Portal logins and the utility accounts they reach: proving an account (the latest bill's amount), linking,
// listing and removing linked logins, and the sign-up's email verification link.
import { createHash, randomBytes } from 'node:crypto';
import { newId } from '../lib/ids.js';
import { hashPassword } from '../lib/passwords.js';
import type { Sql, Tx } from './client.js';
import { queueMessagingNotice } from './messaging.js';

type Db = Sql | Tx;
const hash = (s: string) => createHash('sha256').update(s).digest('hex');

export interface ProvableAccount {
  id: string;
  customerId: string;
  name: string;
  /** the latest issued bill's total, if there is one above zero (a $0 bill proves nothing) */
  latestBillCents: number | null;
}

/** The open account with this number and what it takes to prove it, or undefined. */
export async function provableAccount(db: Db, accountNumber: string): Promise<ProvableAccount | undefined> {
  const [a] = await db<(Omit<ProvableAccount, 'latestBillCents'> & { latestBillCents: string | null })[]>`
    select a.id, a.customer_id, c.name,
      (select b.total_cents::text from bill b where b.account_id = a.id and b.status = 'issued'
       order by b.period desc, b.bill_date desc limit 1) as latest_bill_cents
    from account a join customer c on c.id = a.customer_id
    where a.account_number = ${accountNumber} and a.status <> 'closed'`;
  if (!a) return undefined;
  const cents = a.latestBillCents === null ? null : Number(a.latestBillCents);
  return { ...a, latestBillCents: cents !== null && cents > 0 ? cents : null };
}

/** Kept as history (who tried which account from where); the back-off itself lives in auth_throttle. */
export async function recordProofAttempt(db: Db, accountNumber: string, ip: string, succeeded: boolean) {
  await db`insert into portal_signup_attempt (account_number, ip, succeeded)
    values (${accountNumber}, ${ip}, ${succeeded})`;
}

/** Links the login to the account; false if it was linked already. */
export async function linkLogin(db: Db, userId: string, accountId: string): Promise<boolean> {
  const rows =
    await db`insert into portal_account_access (user_id, account_id) values (${userId}, ${accountId})
    on conflict do nothing returning user_id`;
  return rows.length > 0;
}

export async function linkedAccounts(db: Db, userId: string) {
  return db<{ id: string; accountNumber: string }[]>`
    select a.id, a.account_number from portal_account_access p join account a on a.id = p.account_id
    where p.user_id = ${userId} order by a.account_number`;
}

export interface LinkedLogin {
  userId: string;
  email: string;
  displayName: string;
  linkedAt: Date;
  emailVerified: boolean;
}

export async function linkedLogins(db: Db, accountId: string): Promise<LinkedLogin[]> {
  return db<LinkedLogin[]>`
    select u.id as user_id, u.email, u.display_name, p.linked_at, u.email_verified_at is not null as email_verified
    from portal_account_access p join app_user u on u.id = p.user_id
    where p.account_id = ${accountId} order by p.linked_at, u.id`;
}

/** Removes the login's access to the account; false if it had none. Its sessions lose the account at once. */
export async function unlinkLogin(db: Db, accountId: string, userId: string): Promise<boolean> {
  const rows =
    await db`delete from portal_account_access where account_id = ${accountId} and user_id = ${userId}
    returning user_id`;
  return rows.length > 0;
}

export async function loginByEmail(db: Db, email: string) {
  const [u] = await db<{ id: string; emailVerified: boolean; kind: string }[]>`
    select id, email_verified_at is not null as email_verified, kind from app_user where lower(email) = lower(${email})`;
  return u;
}

/** A new single-use link secret for the login's email; earlier unused ones stop working. */
export async function createEmailVerification(db: Db, userId: string, ttlMinutes: number) {
  const token = randomBytes(24).toString('base64url');
  await db`update login_email_verification set used_at = now() where user_id = ${userId} and used_at is null`;
  await db`insert into login_email_verification (id, user_id, token_hash, expires_at)
    values (${newId('vrf')}, ${userId}, ${hash(token)}, now() + make_interval(mins => ${ttlMinutes}))`;
  return token;
}

/** Uses the emailed link: the login's email is verified, and the link's copies in the outbox are removed. */
export async function verifyLoginEmail(sql: Sql, token: string): Promise<'verified' | 'invalid' | 'expired'> {
  return sql.begin(async (tx) => {
    const [v] = await tx<{ id: string; userId: string; expired: boolean }[]>`
      select id, user_id, expires_at < now() as expired from login_email_verification
      where token_hash = ${hash(token)} and used_at is null for update`;
    if (!v) return 'invalid' as const;
    if (v.expired) return 'expired' as const;
    await tx`update login_email_verification set used_at = now() where id = ${v.id}`;
    await tx`update app_user set email_verified_at = coalesce(email_verified_at, now()) where id = ${v.userId}`;
    await tx`update outbound_message set body = '(verification link, removed once used)', html = null
      where template = 'login_email_verification'
        and notification_id in (select id from notification where data->>'userId' = ${v.userId})`;
    await tx`update notification set data = data - 'link'
      where alert = 'login_email_verification' and data->>'userId' = ${v.userId}`;
    return 'verified' as const;
  });
}

/** Tells the account's existing contacts that a login was linked (sent whatever their subscriptions). */
export async function announceLink(db: Db, accountId: string, userId: string, loginEmail: string) {
  await queueMessagingNotice(db, {
    accountId,
    alert: 'login_linked',
    key: `login_linked/${accountId}/${userId}/${newId('ntf')}`,
    data: { userId, loginEmail },
    urgent: true,
  });
}

/**
 * A portal sign-up for a proved account. A new email gets an unconfirmed customer login linked to the
 * account and a link to confirm it (the account's contacts are told of the link). An email that already has
 * a login gets no new one and no change: that address is told instead (or, for a customer login never
 * confirmed, sent its link again). Both take the same password-hashing work, so the time tells nothing.
 */
export async function signUpLogin(
  sql: Sql,
  s: {
    account: { id: string; customerId: string; name: string };
    email: string;
    password: string;
    displayName?: string;
    ttlMinutes: number;
    /** the emailed link that carries the token */
    link: (token: string) => string;
  },
) {
  const acct = s.account;
  const existing = await loginByEmail(sql, s.email);
  if (existing) {
    await hashPassword(s.password);
    await sql.begin(async (tx) => {
      if (!existing.emailVerified && existing.kind === 'customer') {
        const token = await createEmailVerification(tx, existing.id, s.ttlMinutes);
        await queueMessagingNotice(tx, {
          accountId: acct.id,
          alert: 'login_email_verification',
          key: `login_email_verification/${existing.id}/${newId('ntf')}`,
          data: { userId: existing.id, email: s.email, link: s.link(token) },
          urgent: true,
        });
      } else
        await queueMessagingNotice(tx, {
          accountId: acct.id,
          alert: 'signup_email_in_use',
          key: `signup_email_in_use/${existing.id}/${newId('ntf')}`,
          data: { userId: existing.id, email: s.email },
          urgent: true,
        });
    });
    return;
  }
  const userId = newId('user');
  const passwordHash = await hashPassword(s.password);
  await sql.begin(async (tx) => {
    // unconfirmed (email_verified_at null): it signs in once the emailed link is used
    await tx`insert into app_user (id, email, display_name, password_hash, kind, customer_id, email_verified_at)
      values (${userId}, ${s.email}, ${s.displayName ?? acct.name}, ${passwordHash}, 'customer', ${acct.customerId}, null)`;
    await linkLogin(tx, userId, acct.id);
    const token = await createEmailVerification(tx, userId, s.ttlMinutes);
    await queueMessagingNotice(tx, {
      accountId: acct.id,
      alert: 'login_email_verification',
      key: `login_email_verification/${userId}/${newId('ntf')}`,
      data: { userId, email: s.email, link: s.link(token) },
      urgent: true,
    });
    await announceLink(tx, acct.id, userId, s.email);
  });
}

/** Links one more proved account to a login (its contacts told when the link is new); the login's accounts. */
export async function linkAnotherAccount(sql: Sql, l: { userId: string; email: string; accountId: string }) {
  await sql.begin(async (tx) => {
    if (await linkLogin(tx, l.userId, l.accountId)) await announceLink(tx, l.accountId, l.userId, l.email);
  });
  return linkedAccounts(sql, l.userId);
}
