// Sign-in for staff and portal customers. Sessions are random tokens stored hashed; cookies are HttpOnly + SameSite.
import { Type } from '@sinclair/typebox';
import { linkedAccounts } from '../../db/portal-logins.js';
import { createSignInChallenge, recordSignIn, staffAuthSettings } from '../../db/staff-users.js';
import { clearTries, takeTry } from '../../db/throttle.js';
import { loginForSignIn } from '../../db/users.js';
import { DUMMY_HASH, verifyPassword } from '../../lib/passwords.js';
import { ApiError } from '../errors.js';
import { type AuthUser, endSession, SESSION_COOKIE, STAFF, startSession } from '../plugins/auth.js';
import { authSettings, perIp, tooManyTries } from '../throttle.js';
import type { App, AppDeps } from '../types.js';
import { LoginAnswer, Me, MfaChallenge } from './auth.schema.js';

export default async function authRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;
  const secure = deps.publicUrl.startsWith('https:');
  const { policy, now } = authSettings(deps);

  const me = async (u: AuthUser) => {
    const accounts = u.kind === 'customer' ? await linkedAccounts(sql, u.id) : [];
    return {
      id: u.id,
      object: 'user' as const,
      email: u.email,
      displayName: u.displayName,
      kind: u.kind,
      role: u.role,
      accounts: [...accounts],
    };
  };

  app.post(
    '/auth/login',
    {
      config: { access: { public: true }, rateLimit: perIp(policy.login.perIp) },
      schema: {
        tags: ['auth'],
        summary:
          'Sign in; sets an HttpOnly session cookie and returns a bearer token and CSRF token (or, for staff with TOTP, a challenge for POST /auth/login/totp)',
        body: Type.Object({
          email: Type.String({ format: 'email', maxLength: 254 }),
          password: Type.String({ minLength: 1, maxLength: 200 }),
        }),
        response: { 200: Type.Union([LoginAnswer, MfaChallenge]) },
      },
    },
    async (req, reply) => {
      const { email, password } = req.body;
      // back-off per email, known or not, taken before the lookup: the same answer and time either way
      const key = `login:${email.toLowerCase()}`;
      const wait = await takeTry(sql, key, policy.login.perEmail, now());
      if (wait !== null)
        throw tooManyTries(
          reply,
          wait,
          `Too many sign-in tries for this email; try again in ${wait} seconds`,
          'email',
        );
      const row = await loginForSignIn(sql, email);
      const ok = await verifyPassword(password, row?.passwordHash ?? DUMMY_HASH);
      // a deactivated login answers as a wrong password does: nothing to learn about who left
      if (!row || !ok || row.status !== 'active')
        throw new ApiError(
          401,
          'authentication_error',
          'invalid_credentials',
          'Email or password is not right',
        );
      await clearTries(sql, key);
      // only the holder of the password learns this; the link we emailed at sign-up unlocks the login
      if (!row.emailVerifiedAt)
        throw new ApiError(
          403,
          'authentication_error',
          'email_not_verified',
          'Confirm your email address first: use the link we emailed you',
          'email',
        );
      const { passwordHash: _, emailVerifiedAt: _v, status: _s, totpOn, ...login } = row;
      const user = login as AuthUser; // app_user.role holds only ROLES
      if (user.kind === 'staff') {
        // the second step: a code from the app, or (required for everyone) setting the app up first
        const method: 'totp' | 'totp_enrolment' | null = totpOn
          ? 'totp'
          : (await staffAuthSettings(sql)).requireTotp
            ? 'totp_enrolment'
            : null;
        if (method) {
          const expiresAt = new Date(now().getTime() + policy.staff.challengeTtlMinutes * 60_000);
          const challenge = await createSignInChallenge(sql, user.id, expiresAt);
          return {
            object: 'mfa_challenge' as const,
            mfaRequired: true as const,
            method,
            challenge,
            expiresAt: expiresAt.toISOString(),
          };
        }
        await recordSignIn(sql, user.id, now());
      }
      const s = await startSession(sql, reply, user, secure);
      return { user: await me(user), token: s.token, csrfToken: s.csrfToken };
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { access: { staff: STAFF.any, customer: 'self' } },
      schema: { tags: ['auth'], response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      // end the session this request came in on, and the cookie's too: an Authorization header that is not
      // a bearer token must not leave the cookie's session alive
      const h = req.headers.authorization;
      const tokens = [h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined, req.cookies[SESSION_COOKIE]];
      for (const token of tokens) if (token) await endSession(sql, token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/me',
    {
      config: { access: { staff: STAFF.any, customer: 'self' } },
      schema: { tags: ['auth'], response: { 200: Me } },
    },
    async (req) => me(req.user!),
  );
}
