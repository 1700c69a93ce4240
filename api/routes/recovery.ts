// Customer account recovery: "forgot password" (a single-use emailed link; the answer is the same whether or
// not the email has a login) and the change of a login's email (takes effect when the new address confirms).
// The rules and the links live in db/account-recovery.ts; back-off per email and per address in db/throttle.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply } from 'fastify';
import {
  confirmEmailChange,
  type LinkUse,
  requestEmailChange,
  requestPasswordReset,
  resetPassword,
} from '../../db/account-recovery.js';
import { clearTries, takeTry } from '../../db/throttle.js';
import { loginForSignIn } from '../../db/users.js';
import type { Backoff } from '../../domain/auth-policy.js';
import { passwordProblem } from '../../lib/password-rules.js';
import { hashPassword, verifyPassword } from '../../lib/passwords.js';
import { ApiError } from '../errors.js';
import { authSettings, perIp, tooManyTries } from '../throttle.js';
import type { App, AppDeps } from '../types.js';
import {
  EmailChangeAnswer,
  EmailChangeBody,
  EmailChangeConfirmBody,
  PasswordResetAnswer,
  PasswordResetBody,
  PasswordResetConfirmBody,
  PasswordResetDone,
} from './recovery.schema.js';

/**
 * A reset request answers no sooner than this (elapsed time, so the wall clock on purpose): an email with a
 * login costs a few more queries than one without, and the floor hides the difference.
 */
const RESET_ANSWER_FLOOR_MS = 250;

/** A used, expired or unknown link: 400 naming the token, with what to do next. */
function linkRefused(r: Exclude<LinkUse, 'done'>, askAgain: string) {
  return new ApiError(
    400,
    'invalid_request_error',
    r === 'expired' ? 'token_expired' : 'token_invalid',
    r === 'expired'
      ? `That link has expired; ${askAgain}`
      : `That link is not valid or was already used; ${askAgain}`,
    'token',
  );
}

export default async function recoveryRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;
  const { policy, now } = authSettings(deps);
  const r = policy.recovery;
  const ipLimit = perIp(r.perIp);
  const link = (kind: 'reset-password' | 'confirm-email') => (token: string) =>
    // in the fragment: it never reaches a server log or a Referer header
    `${deps.publicUrl}/portal#${kind}=${encodeURIComponent(token)}`;

  /** Takes a try for each key, or answers 429 for the first in back-off. */
  const throttle = async (
    reply: FastifyReply,
    keys: { key: string; b: Backoff; what: string; param: string }[],
  ) => {
    for (const k of keys) {
      const wait = await takeTry(sql, k.key, k.b, now());
      if (wait !== null)
        throw tooManyTries(reply, wait, `Too many requests ${k.what}; try again in ${wait} seconds`, k.param);
    }
  };

  const weakPassword = (password: string) => {
    const weak = passwordProblem(password, policy.password.minLength);
    if (weak) throw new ApiError(400, 'invalid_request_error', 'password_too_weak', weak, 'password');
  };

  app.post(
    '/auth/password-reset',
    {
      config: { access: { public: true }, rateLimit: ipLimit },
      schema: {
        tags: ['auth'],
        summary:
          'Forgot password: email a single-use reset link (30 minutes) to this login. The answer is the same whether or not the email has a login.',
        body: PasswordResetBody,
        response: { 202: PasswordResetAnswer },
      },
    },
    async (req, reply) => {
      const floor = sleep(RESET_ANSWER_FLOOR_MS);
      const email = req.body.email.toLowerCase();
      // per address and per email, known or not, before the lookup: a refusal tells nothing either
      await throttle(reply, [
        { key: `reset-ip:${req.ip}`, b: r.perIpBackoff, what: 'from your network', param: 'email' },
        { key: `reset:${email}`, b: r.perEmail, what: 'for this email', param: 'email' },
      ]);
      await requestPasswordReset(sql, {
        email,
        now: now(),
        ttlMinutes: r.linkTtlMinutes,
        link: link('reset-password'),
      });
      await floor;
      return reply
        .status(202)
        .send({ object: 'password_reset' as const, status: 'check_your_email' as const });
    },
  );

  app.post(
    '/auth/password-reset/confirm',
    {
      // the emailed token is the credential (24 random bytes, single use, expiring)
      config: { access: { public: true }, rateLimit: ipLimit },
      schema: {
        tags: ['auth'],
        summary:
          'Set a new password with the token from the emailed reset link; every session of the login ends and the link stops working',
        body: PasswordResetConfirmBody,
        response: { 200: PasswordResetDone },
      },
    },
    async (req) => {
      weakPassword(req.body.password);
      const done = await resetPassword(sql, {
        token: req.body.token,
        passwordHash: await hashPassword(req.body.password),
        now: now(),
      });
      if (done.result !== 'done') throw linkRefused(done.result, 'ask for a new one from the sign-in page');
      // the new password is proof enough: earlier wrong tries no longer slow its holder down
      await clearTries(sql, `login:${done.email!.toLowerCase()}`);
      return { object: 'password_reset' as const, status: 'done' as const };
    },
  );

  app.post(
    '/me/email',
    {
      // customers only: staff logins are managed by admins
      config: { access: { staff: [], customer: 'self' }, rateLimit: ipLimit },
      schema: {
        tags: ['auth'],
        summary:
          'Change the email this login signs in with (current password needed): a link goes to the new address and a notice to the current one; it changes once the link is used',
        body: EmailChangeBody,
        response: { 202: EmailChangeAnswer },
      },
    },
    async (req, reply) => {
      const user = req.user!;
      const key = `email-change:${user.id}`;
      await throttle(reply, [{ key, b: policy.login.perEmail, what: 'for this login', param: 'password' }]);
      const row = await loginForSignIn(sql, user.email);
      if (!row?.passwordHash || !(await verifyPassword(req.body.password, row.passwordHash)))
        throw new ApiError(
          400,
          'invalid_request_error',
          'password_incorrect',
          'That is not your current password',
          'password',
        );
      await clearTries(sql, key);
      await requestEmailChange(sql, {
        userId: user.id,
        currentEmail: user.email,
        newEmail: req.body.newEmail,
        now: now(),
        ttlMinutes: r.linkTtlMinutes,
        link: link('confirm-email'),
      });
      return reply.status(202).send({
        object: 'email_change' as const,
        newEmail: req.body.newEmail,
        status: 'check_your_email' as const,
      });
    },
  );

  app.post(
    '/auth/email-change/confirm',
    {
      // the token sent to the new address is the credential: it may be opened on another device
      config: { access: { public: true }, rateLimit: ipLimit },
      schema: {
        tags: ['auth'],
        summary: 'Confirm a login email change with the token from the link sent to the new address',
        body: EmailChangeConfirmBody,
        response: { 200: EmailChangeAnswer },
      },
    },
    async (req) => {
      const done = await confirmEmailChange(sql, { token: req.body.token, now: now() });
      if (done.result !== 'done') throw linkRefused(done.result, 'ask again from your profile');
      return { object: 'email_change' as const, newEmail: done.email!, status: 'done' as const };
    },
  );
}
