// Portal sign-up and linking another account. Ownership is proved by the account number with the latest bill's
// amount (api/account-proof.ts, throttled per address, login and account). Sign-up answers the same whether or
// not the email already has a login, and tells that address instead; a new login works once its email is
// confirmed through the emailed link. Every new link is announced to the account's existing contacts.
import { Type } from '@sinclair/typebox';
import { linkAnotherAccount, signUpLogin, verifyLoginEmail } from '../../db/portal-logins.js';
import { passwordProblem } from '../../lib/password-rules.js';
import { AccountProofBody, proveAccount } from '../account-proof.js';
import { ApiError } from '../errors.js';
import { STAFF } from '../plugins/auth.js';
import { List } from '../schemas.js';
import { authSettings, perIp } from '../throttle.js';
import type { App, AppDeps } from '../types.js';

const LinkedAccount = Type.Object({ id: Type.String(), accountNumber: Type.String() });

export default async function signupRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;
  const { policy, now } = authSettings(deps);
  const proofLimit = perIp(policy.proof.perIp);
  const verifyLink = (token: string) => `${deps.publicUrl}/portal?verify-email=${encodeURIComponent(token)}`;

  app.post(
    '/auth/signup',
    {
      config: { access: { public: true }, rateLimit: proofLimit },
      schema: {
        tags: ['auth'],
        summary:
          'Ask for a portal login linked to a utility account (account number + latest bill amount). A link to confirm the email is sent to it; the login works once it is confirmed. The answer is the same whether or not the email already has a login.',
        body: Type.Object(
          {
            ...AccountProofBody,
            email: Type.String({ format: 'email', maxLength: 254 }),
            password: Type.String({ minLength: 1, maxLength: 200 }),
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: {
          202: Type.Object({
            object: Type.Literal('signup'),
            email: Type.String(),
            status: Type.Literal('check_your_email'),
          }),
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const weak = passwordProblem(b.password, policy.password.minLength);
      if (weak) throw new ApiError(400, 'invalid_request_error', 'password_too_weak', weak, 'password');
      const acct = await proveAccount(sql, policy, now(), req, reply, b);
      await signUpLogin(sql, {
        account: acct,
        email: b.email,
        password: b.password,
        displayName: b.displayName,
        ttlMinutes: policy.emailVerificationTtlMinutes,
        link: verifyLink,
      });
      return reply
        .status(202)
        .send({ object: 'signup' as const, email: b.email, status: 'check_your_email' as const });
    },
  );

  app.post(
    '/auth/verify-email',
    {
      // the emailed token is the credential (24 random bytes, single use, expiring)
      config: { access: { public: true }, rateLimit: proofLimit },
      schema: {
        tags: ['auth'],
        summary: "Confirm a new login's email with the token from the emailed link; the login then works",
        body: Type.Object(
          { token: Type.String({ minLength: 10, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ object: Type.Literal('email_verification'), verified: Type.Boolean() }),
        },
      },
    },
    async (req) => {
      const r = await verifyLoginEmail(sql, req.body.token);
      if (r !== 'verified')
        throw new ApiError(
          400,
          'invalid_request_error',
          r === 'expired' ? 'token_expired' : 'token_invalid',
          r === 'expired' ? 'That link has expired; sign up again for a new one' : 'That link is not valid',
          'token',
        );
      return { object: 'email_verification' as const, verified: true };
    },
  );

  app.get(
    '/auth/csrf',
    {
      config: { access: { staff: STAFF.any, customer: 'self' } },
      schema: {
        tags: ['auth'],
        summary:
          "The session's CSRF token, for a page opened in a new tab (only a same-origin page can read it)",
        response: { 200: Type.Object({ csrfToken: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return { csrfToken: req.csrfToken };
    },
  );

  app.post(
    '/me/accounts',
    {
      // customers only: staff reach every account already
      config: { access: { staff: [], customer: 'self' }, rateLimit: proofLimit },
      schema: {
        tags: ['auth'],
        summary:
          "Link another utility account to this portal login (account number + latest bill amount); the account's contacts are told",
        body: Type.Object(AccountProofBody, { additionalProperties: false }),
        response: {
          201: List(LinkedAccount),
        },
      },
    },
    async (req, reply) => {
      const acct = await proveAccount(sql, policy, now(), req, reply, req.body);
      const user = req.user!;
      const data = await linkAnotherAccount(sql, { userId: user.id, email: user.email, accountId: acct.id });
      return reply.status(201).send({ object: 'list' as const, data: [...data], has_more: false });
    },
  );
}
