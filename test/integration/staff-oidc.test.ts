// Staff single sign-on (issue 20 item 1) against a local OpenID Connect provider the test starts in-process:
// the whole redirect dance (authorization code with PKCE and state) with fetch and cookies, no browser. The
// role comes from the configured claim through the role map; an unknown person or an unmapped claim is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { createUser } from '../../db/users.js';
import { parseRoleMap } from '../../domain/staff-roles.js';
import { type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { followToCallback, localOidcProvider } from '../support/oidc.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

const PUBLIC = 'http://127.0.0.1:3000';
let sql: Sql;
let t: TemporalHarness;
let app: TestApp;
let idp: Awaited<ReturnType<typeof localOidcProvider>>;
/** 1 December 2026, 09:00 UTC: the sign-in's recorded time */
const SSO_MORNING = new Date('2026-12-01T09:00:00Z');

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  t = await startWorkers(sql);
  idp = await localOidcProvider({
    clientId: 'cisflow-test',
    clientSecret: 'a client secret for the local provider',
    redirectUri: `${PUBLIC}/auth/oidc/callback`,
  });
  app = await testApp(sql, t, undefined, {
    now: () => SSO_MORNING,
    staffAuth: {
      oidc: {
        issuer: idp.issuer,
        clientId: 'cisflow-test',
        clientSecret: 'a client secret for the local provider',
        roleClaim: 'roles',
        roleMap: parseRoleMap('cis-billing=billing_admin,cis-admins=admin'),
      },
    },
  });
});
afterAll(async () => idp?.close());

/** GET /auth/oidc/start → the provider → back to our callback; the callback's answer. */
async function ssoSignIn() {
  const start = await app.inject({ method: 'GET', url: '/auth/oidc/start' });
  expect(start.statusCode, start.body).toBe(302);
  const state = start.cookies.find((c) => c.name === 'cisflow_oidc')!;
  const back = await followToCallback(start.headers.location as string, `${PUBLIC}/auth/oidc/callback`);
  return app.inject({
    method: 'GET',
    url: back.slice(PUBLIC.length),
    headers: { cookie: `cisflow_oidc=${state.value}` },
  });
}

describe('single sign-on', () => {
  it('signs a known staff member in with the role their claim maps to, and records it', async () => {
    const id = await createUser(sql, {
      email: 'alice@utility.test',
      displayName: 'Alice',
      password: 'unused password here 1',
      kind: 'staff',
      role: 'csr',
    });
    idp.signInAs('alice-sub', { email: 'alice@utility.test', roles: ['marketing', 'cis-billing'] });
    const r = await ssoSignIn();
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe(`${PUBLIC}/staff/`);
    const session = r.cookies.find((c) => c.name === 'cisflow_session')!;
    const me = await app.inject({
      method: 'GET',
      url: '/me',
      headers: { cookie: `cisflow_session=${session.value}` },
    });
    expect(me.json()).toMatchObject({ id, role: 'billing_admin', kind: 'staff' });
    const [u] = await sql<{ lastSignInAt: Date }[]>`select last_sign_in_at from app_user where id = ${id}`;
    expect(u!.lastSignInAt.toISOString()).toBe(SSO_MORNING.toISOString());
    const [a] = await sql<{ detail: { from: string; to: string } }[]>`
      select detail from audit_log where resource_id = ${id} and action like 'oidc%'`;
    expect(a!.detail).toMatchObject({ from: 'csr', to: 'billing_admin' });
  });

  it('refuses a staff member whose claim maps to no role, and a person with no staff login', async () => {
    await createUser(sql, {
      email: 'bob@utility.test',
      displayName: 'Bob',
      password: 'unused password here 2',
      kind: 'staff',
      role: 'admin',
    });
    idp.signInAs('bob-sub', { email: 'bob@utility.test', roles: ['marketing'] });
    const unmapped = await ssoSignIn();
    expect(unmapped.statusCode).toBe(403);
    expect(unmapped.json().error.code).toBe('sso_role_unmapped');
    expect(unmapped.cookies.find((c) => c.name === 'cisflow_session')).toBeUndefined();

    idp.signInAs('carol-sub', { email: 'carol@elsewhere.test', roles: ['cis-admins'] });
    const unknown = await ssoSignIn();
    expect(unknown.statusCode).toBe(403);
    expect(unknown.json().error.code).toBe('sso_user_unknown');
  });

  it('refuses a callback without the browser state it started with', async () => {
    idp.signInAs('alice-sub', { email: 'alice@utility.test', roles: ['cis-billing'] });
    const start = await app.inject({ method: 'GET', url: '/auth/oidc/start' });
    const back = await followToCallback(start.headers.location as string, `${PUBLIC}/auth/oidc/callback`);
    const r = await app.inject({ method: 'GET', url: back.slice(PUBLIC.length) });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('sso_state_invalid');
  });
});
