// Portal sign-up: a customer links their utility account with the account number plus something only the
// account holder knows (the service address ZIP code, or the amount of the last bill), then signs in.
// Wrong answers are counted: five misses on one account number (or twenty from one address) within 15 minutes
// lock sign-up for it, so the factor cannot be guessed.
import { Type } from '@sinclair/typebox';
import { newId } from '../../lib/ids.js';
import { hashPassword } from '../../lib/passwords.js';
import { ApiError } from '../errors.js';
import { STAFF, startSession } from '../plugins/auth.js';
import type { App, AppDeps } from '../types.js';

export const SIGNUP_LIMITS = { perAccount: 5, perIp: 20, windowMinutes: 15 };

const Verification = Type.Union([
  Type.Object(
    { postalCode: Type.String({ pattern: '^\\d{5}(-\\d{4})?$', description: 'ZIP of the service address' }) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      lastBillCents: Type.Integer({
        minimum: 0,
        maximum: 100_000_000,
        description: 'the total of the latest bill, in cents',
      }),
    },
    { additionalProperties: false },
  ),
]);

export default async function signupRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;
  const secure = deps.publicUrl.startsWith('https:');

  /** The account the number and factor prove, counting every try; throws the same error for any mismatch. */
  const verifiedAccount = async (
    accountNumber: string,
    verification: { postalCode: string } | { lastBillCents: number },
    ip: string,
  ) => {
    const [tries] = await sql<{ byAccount: number; byIp: number }[]>`
      select count(*) filter (where account_number = ${accountNumber})::int as by_account,
             count(*) filter (where ip = ${ip})::int as by_ip
      from portal_signup_attempt
      where not succeeded and at > now() - make_interval(mins => ${SIGNUP_LIMITS.windowMinutes})
        and (account_number = ${accountNumber} or ip = ${ip})`;
    if (tries!.byAccount >= SIGNUP_LIMITS.perAccount || tries!.byIp >= SIGNUP_LIMITS.perIp) {
      throw new ApiError(
        429,
        'invalid_request_error',
        'too_many_attempts',
        `Too many tries; linking this account is locked for ${SIGNUP_LIMITS.windowMinutes} minutes. Call us if you need help.`,
        'accountNumber',
      );
    }
    const [acct] = await sql<{ id: string; customerId: string; name: string }[]>`
      select a.id, a.customer_id, c.name from account a join customer c on c.id = a.customer_id
      where a.account_number = ${accountNumber} and a.status <> 'closed'`;
    let ok = false;
    if (acct && 'postalCode' in verification) {
      const zip = verification.postalCode.slice(0, 5);
      ok =
        (
          await sql`select 1 from service_agreement sa join service_point sp on sp.id = sa.service_point_id
            join premise p on p.id = sp.premise_id where sa.account_id = ${acct.id} and left(p.postal_code, 5) = ${zip}`
        ).length > 0;
    } else if (acct && 'lastBillCents' in verification) {
      const [last] = await sql<{ totalCents: string }[]>`
        select total_cents::text from bill where account_id = ${acct.id} and status = 'issued'
        order by period desc limit 1`;
      ok = !!last && Number(last.totalCents) === verification.lastBillCents;
    }
    await sql`insert into portal_signup_attempt (account_number, ip, succeeded) values (${accountNumber}, ${ip}, ${ok})`;
    if (!acct || !ok) {
      // one answer for a wrong number and a wrong factor: no probing for which account numbers exist
      throw new ApiError(
        400,
        'invalid_request_error',
        'verification_failed',
        'That account number and verification do not match our records',
        'verification',
      );
    }
    return acct;
  };

  app.post(
    '/auth/signup',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['auth'],
        summary:
          'Create a portal login linked to a utility account (account number + ZIP code or last bill amount); signs in',
        body: Type.Object(
          {
            accountNumber: Type.String({ pattern: '^\\d{10}$' }),
            verification: Verification,
            email: Type.String({ format: 'email', maxLength: 254 }),
            password: Type.String({ minLength: 10, maxLength: 200 }),
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            user: Type.Object({
              id: Type.String(),
              object: Type.Literal('user'),
              email: Type.String(),
              displayName: Type.String(),
              kind: Type.String(),
              role: Type.Null(),
              accounts: Type.Array(Type.Object({ id: Type.String(), accountNumber: Type.String() })),
            }),
            token: Type.String(),
            csrfToken: Type.String(),
          }),
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const acct = await verifiedAccount(b.accountNumber, b.verification, req.ip);
      const [taken] = await sql`select 1 from app_user where lower(email) = lower(${b.email})`;
      if (taken)
        throw new ApiError(
          409,
          'invalid_request_error',
          'email_in_use',
          'That email already has a login: sign in instead',
          'email',
        );
      const userId = newId('user');
      const displayName = b.displayName ?? acct.name;
      const passwordHash = await hashPassword(b.password);
      await sql.begin(async (tx) => {
        await tx`insert into app_user (id, email, display_name, password_hash, kind, customer_id)
          values (${userId}, ${b.email}, ${displayName}, ${passwordHash}, 'customer', ${acct.customerId})`;
        await tx`insert into portal_account_access (user_id, account_id) values (${userId}, ${acct.id})`;
      });
      const user = {
        id: userId,
        email: b.email,
        displayName,
        kind: 'customer' as const,
        role: null,
        customerId: acct.customerId,
      };
      const s = await startSession(sql, reply, user, secure);
      return reply.status(201).send({
        user: {
          id: userId,
          object: 'user' as const,
          email: b.email,
          displayName,
          kind: 'customer',
          role: null,
          accounts: [{ id: acct.id, accountNumber: b.accountNumber }],
        },
        token: s.token,
        csrfToken: s.csrfToken,
      });
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
      config: { access: { staff: [], customer: 'self' } },
      schema: {
        tags: ['auth'],
        summary:
          'Link another utility account to this portal login (account number + ZIP code or last bill amount)',
        body: Type.Object(
          { accountNumber: Type.String({ pattern: '^\\d{10}$' }), verification: Verification },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            object: Type.Literal('list'),
            data: Type.Array(Type.Object({ id: Type.String(), accountNumber: Type.String() })),
            has_more: Type.Boolean(),
          }),
        },
      },
    },
    async (req, reply) => {
      const acct = await verifiedAccount(req.body.accountNumber, req.body.verification, req.ip);
      await sql`insert into portal_account_access (user_id, account_id) values (${req.user!.id}, ${acct.id})
        on conflict do nothing`;
      const data = await sql<{ id: string; accountNumber: string }[]>`
        select a.id, a.account_number from portal_account_access p join account a on a.id = p.account_id
        where p.user_id = ${req.user!.id} order by a.account_number`;
      return reply.status(201).send({ object: 'list' as const, data: [...data], has_more: false });
    },
  );
}
