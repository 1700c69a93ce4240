// Staff sign-in beyond the password: TOTP (the second step of POST /auth/login, and setting it up) and single
// sign-on through OpenID Connect. Codes are throttled per login (db/throttle.ts) and never accepted twice.
import { Type } from '@sinclair/typebox';
import {
  acceptTotpStep,
  challengedUser,
  recordSignIn,
  saveOidcSignIn,
  signInBySso,
  staffByEmail,
  startTotpEnrolment,
  takeOidcSignIn,
  totpOf,
  useChallenge,
} from '../../db/staff-users.js';
import { clearTries, takeTry } from '../../db/throttle.js';
import { loginById } from '../../db/users.js';
import { roleFromClaim } from '../../domain/staff-roles.js';
import { oidcClient } from '../../lib/oidc.js';
import { type SecretBox, secretBox } from '../../lib/secret-box.js';
import { newTotpSecret, totpStep, totpUri } from '../../lib/totp.js';
import { ApiError } from '../errors.js';
import { type AuthUser, STAFF, startSession } from '../plugins/auth.js';
import { authSettings, perIp, tooManyTries } from '../throttle.js';
import type { App, AppDeps } from '../types.js';
import { LoginAnswer, TotpCode, TotpEnrolment } from './auth.schema.js';

const OIDC_COOKIE = 'cisflow_oidc';
const ISSUER = 'cisflow';

export default async function staffSignInRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;
  const secure = deps.publicUrl.startsWith('https:');
  const { policy, now } = authSettings(deps);
  const box: SecretBox | null = deps.staffAuth?.totpKey ? secretBox(deps.staffAuth.totpKey) : null;
  const signInCap = { access: { public: true } as const, rateLimit: perIp(policy.login.perIp) };

  const needBox = () => {
    if (!box)
      // the server's configuration, not a fault: the request cannot be served here, and retrying will not help
      throw new ApiError(
        409,
        'invalid_request_error',
        'totp_not_configured',
        'TOTP needs TOTP_ENCRYPTION_KEY set on the server first',
      );
    return box;
  };

  /** A new secret for the login, unconfirmed until a code from it is accepted. */
  const enrol = async (userId: string, email: string) => {
    const secret = newTotpSecret();
    await startTotpEnrolment(sql, userId, needBox().seal(secret));
    return { object: 'totp_enrolment' as const, secret, otpauthUri: totpUri(secret, email, ISSUER) };
  };

  /** Checks a code for the login (throttled): true once accepted, which also confirms an enrolment. */
  const checkCode = async (reply: Parameters<typeof tooManyTries>[0], userId: string, code: string) => {
    const key = `totp:${userId}`;
    const wait = await takeTry(sql, key, policy.staff.totp, now());
    if (wait !== null)
      throw tooManyTries(reply, wait, `Too many codes tried; try again in ${wait} seconds`, 'code');
    const t = await totpOf(sql, userId);
    if (!t) throw new ApiError(400, 'invalid_request_error', 'totp_not_set_up', 'Set up TOTP first', 'code');
    const step = await totpStep(needBox().open(t.secret), code, now());
    if (step === null || !(await acceptTotpStep(sql, userId, step, now())))
      throw new ApiError(401, 'authentication_error', 'totp_invalid', 'That code is not right', 'code');
    await clearTries(sql, key);
  };

  const challengeUser = async (challenge: string) => {
    const userId = await challengedUser(sql, challenge, now());
    if (!userId)
      throw new ApiError(
        401,
        'authentication_error',
        'challenge_invalid',
        'This sign-in has expired; sign in with your password again',
        'challenge',
      );
    return (await loginById(sql, userId))!;
  };

  const Challenge = Type.String({ minLength: 10, maxLength: 200 });

  app.post(
    '/auth/login/totp/setup',
    {
      config: signInCap,
      schema: {
        tags: ['auth'],
        summary:
          'During sign-in, when TOTP is required and not set up: a new secret to add to an authenticator',
        body: Type.Object({ challenge: Challenge }),
        response: { 200: TotpEnrolment },
      },
    },
    async (req) => {
      const u = await challengeUser(req.body.challenge);
      return enrol(u.id, u.email);
    },
  );

  app.post(
    '/auth/login/totp',
    {
      config: signInCap,
      schema: {
        tags: ['auth'],
        summary: "Sign-in's second step: the challenge from POST /auth/login and a TOTP code",
        body: Type.Object({ challenge: Challenge, code: TotpCode }),
        response: { 200: LoginAnswer },
      },
    },
    async (req, reply) => {
      const u = await challengeUser(req.body.challenge);
      await checkCode(reply, u.id, req.body.code);
      if (!(await useChallenge(sql, req.body.challenge, now())))
        throw new ApiError(
          401,
          'authentication_error',
          'challenge_invalid',
          'This sign-in was used',
          'challenge',
        );
      await recordSignIn(sql, u.id, now());
      const s = await startSession(sql, reply, u, secure);
      return { user: meOf(u), token: s.token, csrfToken: s.csrfToken };
    },
  );

  app.post(
    '/auth/totp/setup',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['auth'],
        summary: 'Set up TOTP for the signed-in staff member: a secret, active once confirmed with a code',
        response: { 200: TotpEnrolment },
      },
    },
    async (req) => {
      req.auditResource = { type: 'user', id: req.user!.id, detail: { totp: 'setup' } };
      return enrol(req.user!.id, req.user!.email);
    },
  );

  app.post(
    '/auth/totp/confirm',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['auth'],
        summary: 'Confirm TOTP with a code from the app: from now on, sign-in asks for a code',
        body: Type.Object({ code: TotpCode }),
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await checkCode(reply, req.user!.id, req.body.code);
      req.auditResource = { type: 'user', id: req.user!.id, detail: { totp: 'confirmed' } };
      return reply.status(204).send(null);
    },
  );

  // ---------------------------------------------------------------- single sign-on
  const oidc = deps.staffAuth?.oidc;
  const base = deps.publicUrl.replace(/\/$/, '');
  const sso = oidc ? oidcClient(oidc, `${base}/auth/oidc/callback`) : null;
  const needSso = () => {
    if (!sso || !oidc)
      throw new ApiError(404, 'invalid_request_error', 'sso_not_configured', 'Single sign-on is not set up');
    return { sso, oidc };
  };
  const refused = (code: string, message: string) => new ApiError(403, 'permission_error', code, message);

  app.get(
    '/auth/oidc/start',
    {
      config: signInCap,
      schema: { tags: ['auth'], summary: "Single sign-on: redirects to the utility's identity provider" },
    },
    async (_req, reply) => {
      const s = await needSso().sso.start();
      await saveOidcSignIn(sql, { ...s, expiresAt: new Date(now().getTime() + 10 * 60_000) });
      // Lax: the provider sends the browser back with a cross-site redirect, which a Strict cookie would miss.
      // The state in it ties the callback to this browser (no signing someone in to another's session).
      reply.setCookie(OIDC_COOKIE, s.state, {
        httpOnly: true,
        sameSite: 'lax',
        secure,
        path: '/auth/oidc',
        maxAge: 600,
      });
      return reply.redirect(s.url.href, 302);
    },
  );

  app.get(
    '/auth/oidc/callback',
    {
      config: signInCap,
      schema: {
        tags: ['auth'],
        summary:
          'Single sign-on: where the identity provider sends the browser back; signs in and opens the console',
        querystring: Type.Object({ state: Type.Optional(Type.String({ maxLength: 200 })) }),
      },
    },
    async (req, reply) => {
      const { sso, oidc: o } = needSso();
      const state = req.query.state;
      const cookie = req.cookies[OIDC_COOKIE];
      reply.clearCookie(OIDC_COOKIE, { path: '/auth/oidc' });
      const pending = state && cookie === state ? await takeOidcSignIn(sql, state, now()) : undefined;
      if (!state || !pending)
        throw new ApiError(
          400,
          'invalid_request_error',
          'sso_state_invalid',
          'Start single sign-on again',
          'state',
        );
      let claims: Record<string, unknown>;
      try {
        claims = await sso.finish(new URL(`${base}${req.url}`), { state, ...pending });
      } catch (e) {
        req.log.warn({ err: e }, 'oidc callback refused');
        throw new ApiError(
          401,
          'authentication_error',
          'sso_failed',
          'The identity provider did not sign you in',
        );
      }
      const email = typeof claims.email === 'string' ? claims.email : null;
      const u = email && claims.email_verified !== false ? await staffByEmail(sql, email) : undefined;
      if (!u || u.status === 'deactivated')
        throw refused('sso_user_unknown', 'No active staff login has this email; ask an admin to invite you');
      const role = roleFromClaim(claims[o.roleClaim], o.roleMap);
      if (!role)
        throw refused('sso_role_unmapped', 'Your directory role gives no access to the staff console');
      await signInBySso(sql, u.id, role, now(), { claim: o.roleClaim, issuer: o.issuer });
      await startSession(sql, reply, (await loginById(sql, u.id))!, secure);
      return reply.redirect(`${base}/staff/`, 303);
    },
  );
}

const meOf = (u: AuthUser) => ({
  id: u.id,
  object: 'user' as const,
  email: u.email,
  displayName: u.displayName,
  kind: u.kind,
  role: u.role,
  accounts: [],
});
