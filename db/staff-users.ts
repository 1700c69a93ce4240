// Staff logins as an admin runs them: the list, invitations (an emailed single-use link to set a password),
// role changes and deactivation (never leaving no active admin), TOTP enrolment, and sign-in's records
// (the second step's challenge, an OpenID Connect sign-in under way, the last sign-in time).
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../domain/roles.js';
import { newId } from '../lib/ids.js';
import type { Sql, Tx } from './client.js';
import { queueMessagingNotice } from './messaging.js';
import { noSuch, Refused } from './refused.js';

type Db = Sql | Tx;
const hash = (s: string) => createHash('sha256').update(s).digest('hex');
const token = () => randomBytes(32).toString('base64url');

export type StaffStatus = 'invited' | 'active' | 'deactivated';
/** off: none; pending: a secret made, not yet confirmed with a code; on: asked for at every sign-in */
export type TotpState = 'off' | 'pending' | 'on';

export interface StaffUserRow {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  status: StaffStatus;
  totp: TotpState;
  lastSignInAt: Date | null;
  createdAt: Date;
  deactivatedAt: Date | null;
}

const columns = (
  db: Db,
) => db`id, email, display_name, role, status, last_sign_in_at, created_at, deactivated_at,
  case when totp_confirmed_at is not null then 'on' when totp_secret is not null then 'pending' else 'off' end as totp`;

export async function staffUser(db: Db, id: string): Promise<StaffUserRow | undefined> {
  const [u] = await db<
    StaffUserRow[]
  >`select ${columns(db)} from app_user where id = ${id} and kind = 'staff'`;
  return u;
}

/** Staff logins by id (creation order), cursor-paginated; filterable by role and status. */
export async function listStaffUsers(
  db: Db,
  f: { limit: number; startingAfter?: string; role?: Role; status?: StaffStatus },
) {
  const rows = await db<StaffUserRow[]>`
    select ${columns(db)} from app_user
    where kind = 'staff' and id > ${f.startingAfter ?? ''}
      ${f.role ? db`and role = ${f.role}` : db``}
      ${f.status ? db`and status = ${f.status}` : db``}
    order by id limit ${f.limit + 1}`;
  return { data: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}

/**
 * A new staff login, invited: no password until the emailed link is used. The invitation email rides the
 * notification outbox in the same transaction, so it exists exactly when the login does.
 */
export async function inviteStaff(
  sql: Sql,
  i: {
    email: string;
    displayName: string;
    role: Role;
    invitedBy: string;
    expiresAt: Date;
    link: (token: string) => string;
  },
) {
  return sql.begin(async (tx) => {
    const [taken] = await tx`select 1 from app_user where lower(email) = lower(${i.email})`;
    if (taken) throw new Refused('A login with this email already exists', 'email_in_use', 'email');
    const id = newId('user');
    await tx`insert into app_user (id, email, display_name, password_hash, kind, role, status)
      values (${id}, ${i.email}, ${i.displayName}, null, 'staff', ${i.role}, 'invited')`;
    const secret = token();
    const invitationId = newId('inv');
    await tx`insert into staff_invitation (id, user_id, token_hash, invited_by, expires_at)
      values (${invitationId}, ${id}, ${hash(secret)}, ${i.invitedBy}, ${i.expiresAt})`;
    await queueMessagingNotice(tx, {
      accountId: null,
      alert: 'staff_invitation',
      key: `staff_invitation/${invitationId}`,
      data: { userId: id, email: i.email, role: i.role, link: i.link(secret) },
      urgent: true,
    });
    return id;
  });
}

/** Uses the invitation: the password is set, the login is active, and the link's copies are blanked. */
export async function acceptInvitation(sql: Sql, secret: string, passwordHash: string, now: Date) {
  return sql.begin(async (tx) => {
    const [v] = await tx<{ id: string; userId: string; expiresAt: Date; status: string }[]>`
      select i.id, i.user_id, i.expires_at, u.status from staff_invitation i join app_user u on u.id = i.user_id
      where i.token_hash = ${hash(secret)} and i.used_at is null for update of i`;
    if (v?.status !== 'invited')
      throw new Refused(
        'This invitation link is not valid (it may have been used)',
        'invitation_invalid',
        'token',
      );
    if (v.expiresAt <= now)
      throw new Refused(
        'This invitation link has expired; ask an admin for a new one',
        'invitation_expired',
        'token',
      );
    await tx`update staff_invitation set used_at = ${now} where id = ${v.id}`;
    await tx`update app_user set password_hash = ${passwordHash}, status = 'active' where id = ${v.userId}`;
    await tx`update outbound_message set body = '(invitation link, removed once used)', html = null
      where template = 'staff_invitation'
        and notification_id in (select id from notification where data->>'userId' = ${v.userId})`;
    await tx`update notification set data = data - 'link'
      where alert = 'staff_invitation' and data->>'userId' = ${v.userId}`;
    return v.userId;
  });
}

/**
 * Changes what a staff login may be (a role, or deactivated), refusing any change that leaves no active admin.
 * The active admins are locked first, so two admins demoting each other at once cannot both succeed.
 */
async function changeStaff(
  sql: Sql,
  id: string,
  change: (tx: Tx, user: StaffUserRow) => Promise<void>,
  leavesAdmin: (user: StaffUserRow) => boolean,
) {
  return sql.begin(async (tx) => {
    const admins = await tx<{ id: string }[]>`
      select id from app_user where kind = 'staff' and role = 'admin' and status = 'active' for update`;
    const user = await staffUser(tx, id);
    if (!user) throw noSuch('user', id);
    const others = admins.filter((a) => a.id !== id).length;
    if (user.role === 'admin' && user.status === 'active' && !leavesAdmin(user) && others === 0)
      throw new Refused('This is the last active admin: make another admin first', 'last_admin', 'id');
    await change(tx, user);
    return (await staffUser(tx, id))!;
  });
}

export const changeRole = (sql: Sql, id: string, role: Role) =>
  changeStaff(
    sql,
    id,
    async (tx) => {
      await tx`update app_user set role = ${role} where id = ${id}`;
    },
    () => role === 'admin',
  );

/** Deactivates the login: its sessions end at once, its open invitation and sign-in challenges stop working. */
export const deactivateStaff = (sql: Sql, id: string, now: Date) =>
  changeStaff(
    sql,
    id,
    async (tx, user) => {
      if (user.status === 'deactivated') return;
      await tx`update app_user set status = 'deactivated', deactivated_at = ${now} where id = ${id}`;
      await tx`delete from user_session where user_id = ${id}`;
      await tx`update staff_invitation set used_at = ${now} where user_id = ${id} and used_at is null`;
      await tx`delete from staff_sign_in_challenge where user_id = ${id}`;
    },
    () => false,
  );

// ---------------------------------------------------------------- TOTP

/** The sealed secret and whether it is confirmed (null: the login has none). */
export async function totpOf(db: Db, userId: string) {
  const [u] = await db<{ secret: string | null; confirmed: boolean; lastStep: string | null }[]>`
    select totp_secret as secret, totp_confirmed_at is not null as confirmed, totp_last_step::text as last_step
    from app_user where id = ${userId}`;
  return u?.secret ? { secret: u.secret, confirmed: u.confirmed, lastStep: Number(u.lastStep ?? -1) } : null;
}

/** A new, unconfirmed secret; refused if TOTP is already on (an admin resets it first). */
export async function startTotpEnrolment(db: Db, userId: string, sealedSecret: string) {
  const rows =
    await db`update app_user set totp_secret = ${sealedSecret}, totp_confirmed_at = null, totp_last_step = null
    where id = ${userId} and totp_confirmed_at is null returning id`;
  if (!rows.length) throw new Refused('TOTP is already set up; an admin can reset it', 'totp_already_active');
}

/**
 * Records a code accepted for `step`: enrolment is confirmed, and no code of this step or before is taken again.
 * False if another request took this step first (a replayed code).
 */
export async function acceptTotpStep(db: Db, userId: string, step: number, now: Date) {
  const rows = await db`update app_user set totp_last_step = ${step},
      totp_confirmed_at = coalesce(totp_confirmed_at, ${now})
    where id = ${userId} and totp_secret is not null and coalesce(totp_last_step, -1) < ${step} returning id`;
  return rows.length > 0;
}

/** An admin's reset: the login has no TOTP until it enrols again. */
export async function resetTotp(db: Db, userId: string) {
  const rows =
    await db`update app_user set totp_secret = null, totp_confirmed_at = null, totp_last_step = null
    where id = ${userId} and kind = 'staff' returning id`;
  if (!rows.length) throw noSuch('user', userId);
}

export async function staffAuthSettings(db: Db) {
  const [s] = await db<{ requireTotp: boolean; updatedAt: Date }[]>`
    select require_totp, updated_at from staff_auth_setting`;
  return s ?? { requireTotp: false, updatedAt: new Date(0) };
}

export async function setRequireTotp(db: Db, requireTotp: boolean, now: Date) {
  await db`update staff_auth_setting set require_totp = ${requireTotp}, updated_at = ${now}`;
  return staffAuthSettings(db);
}

// ---------------------------------------------------------------- sign-in

/** The second step's challenge for a login whose password was right; only its hash is kept. */
export async function createSignInChallenge(db: Db, userId: string, expiresAt: Date) {
  const secret = token();
  await db`delete from staff_sign_in_challenge where user_id = ${userId} and expires_at < ${expiresAt}`;
  await db`insert into staff_sign_in_challenge (token_hash, user_id, expires_at)
    values (${hash(secret)}, ${userId}, ${expiresAt})`;
  return secret;
}

/** The active staff login an unused, unexpired challenge is for, or undefined. */
export async function challengedUser(db: Db, secret: string, now: Date) {
  const [c] = await db<{ userId: string }[]>`
    select c.user_id from staff_sign_in_challenge c join app_user u on u.id = c.user_id
    where c.token_hash = ${hash(secret)} and c.used_at is null and c.expires_at > ${now} and u.status = 'active'`;
  return c?.userId;
}

/** Uses the challenge once; false if it was used meanwhile. */
export async function useChallenge(db: Db, secret: string, now: Date) {
  const rows = await db`update staff_sign_in_challenge set used_at = ${now}
    where token_hash = ${hash(secret)} and used_at is null returning user_id`;
  return rows.length > 0;
}

export async function recordSignIn(db: Db, userId: string, now: Date) {
  await db`update app_user set last_sign_in_at = ${now} where id = ${userId}`;
}

/** A staff login by email for single sign-on (any status: the caller refuses what is not active). */
export async function staffByEmail(db: Db, email: string) {
  const [u] = await db<{ id: string; email: string; displayName: string; role: Role; status: StaffStatus }[]>`
    select id, email, display_name, role, status from app_user where kind = 'staff' and lower(email) = lower(${email})`;
  return u;
}

/**
 * A single sign-on: the provider's role replaces the login's (the directory is the source of truth), an
 * invited login becomes active, and a changed role is written to the audit log, as any staff change is.
 */
export async function signInBySso(sql: Sql, userId: string, role: Role, now: Date, detail: object) {
  return sql.begin(async (tx) => {
    const [before] = await tx<{ role: Role }[]>`select role from app_user where id = ${userId} for update`;
    await tx`update app_user set role = ${role}, status = 'active', last_sign_in_at = ${now} where id = ${userId}`;
    await tx`update staff_invitation set used_at = ${now} where user_id = ${userId} and used_at is null`;
    if (before && before.role !== role)
      await tx`insert into audit_log (actor_user_id, actor_role, action, resource_type, resource_id, detail)
        values (${userId}, ${role}, 'oidc sign-in: role from provider', 'user', ${userId},
          ${tx.json({ from: before.role, to: role, ...detail } as never)})`;
  });
}

export async function saveOidcSignIn(
  db: Db,
  s: { state: string; codeVerifier: string; nonce: string; expiresAt: Date },
) {
  await db`delete from oidc_sign_in where expires_at < ${s.expiresAt} - interval '1 day'`;
  await db`insert into oidc_sign_in (state, code_verifier, nonce, expires_at)
    values (${s.state}, ${s.codeVerifier}, ${s.nonce}, ${s.expiresAt})`;
}

/** Takes the sign-in under way for this state, once (a replayed callback finds nothing). */
export async function takeOidcSignIn(db: Db, state: string, now: Date) {
  const [s] = await db<{ codeVerifier: string; nonce: string }[]>`
    delete from oidc_sign_in where state = ${state} and expires_at > ${now} returning code_verifier, nonce`;
  return s;
}
