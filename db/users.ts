// Portal and staff logins.
import type { Role } from '../domain/roles.js';
import { newId } from '../lib/ids.js';
import { hashPassword } from '../lib/passwords.js';
import type { Sql, Tx } from './client.js';

export async function createUser(
  sql: Sql | Tx,
  u: {
    email: string;
    displayName: string;
    password: string;
    kind: 'staff' | 'customer';
    role?: string | null;
    customerId?: string | null;
    accountIds?: string[];
  },
) {
  const id = newId('user');
  await sql`insert into app_user (id, email, display_name, password_hash, kind, role, customer_id)
    values (${id}, ${u.email}, ${u.displayName}, ${await hashPassword(u.password)}, ${u.kind}, ${u.role ?? null}, ${u.customerId ?? null})`;
  for (const accountId of u.accountIds ?? []) {
    await sql`insert into portal_account_access (user_id, account_id) values (${id}, ${accountId})`;
  }
  return id;
}

export interface SignInRow {
  id: string;
  email: string;
  displayName: string;
  kind: 'staff' | 'customer';
  role: string | null;
  customerId: string | null;
  /** null for a staff login invited and not yet accepted */
  passwordHash: string | null;
  emailVerifiedAt: Date | null;
  /** invited, active or deactivated: only an active login signs in */
  status: string;
  /** a staff login whose TOTP is confirmed: signing in asks for a code */
  totpOn: boolean;
}

/** The login with this email (any case), with what signing in checks: its password hash and confirmation. */
export async function loginForSignIn(sql: Sql | Tx, email: string): Promise<SignInRow | undefined> {
  const [row] = await sql<SignInRow[]>`
    select id, email, display_name, kind, role, customer_id, password_hash, email_verified_at, status,
      totp_confirmed_at is not null as totp_on
    from app_user where lower(email) = lower(${email})`;
  return row;
}

/** An active login as a session sees it. */
export async function loginById(sql: Sql | Tx, id: string) {
  const [row] = await sql<
    {
      id: string;
      email: string;
      displayName: string;
      kind: 'staff' | 'customer';
      role: Role | null;
      customerId: string | null;
    }[]
  >`select id, email, display_name, kind, role, customer_id from app_user where id = ${id} and status = 'active'`;
  return row;
}

/** Staff logins, by name: who a held bill can be assigned to. */
export async function staffUsers(sql: Sql) {
  return sql<{ id: string; displayName: string; role: string }[]>`
    select id, display_name, role from app_user where kind = 'staff' and status = 'active'
    order by display_name, id limit 500`;
}
