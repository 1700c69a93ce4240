// Proof that a caller holds a utility account: the account number with the latest bill's total to the cent.
// Account numbers run in sequence and ZIP codes cluster, so a ZIP proves nothing; a bill's amount is printed
// only on the bill. Every try counts against the caller's address, their login (when signed in) and the
// target account, each with an expiring back-off, so neither guessing nor a flood of wrong tries keeps the
// real holder out for long.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Sql } from '../db/client.js';
import { type ProvableAccount, provableAccount, recordProofAttempt } from '../db/portal-logins.js';
import { clearTries, refundTry, takeTry } from '../db/throttle.js';
import type { AuthPolicy } from '../domain/auth-policy.js';
import { ApiError } from './errors.js';
import { tooManyTries } from './throttle.js';

export const AccountProofBody = {
  accountNumber: Type.String({ pattern: '^\\d{10}$' }),
  verification: Type.Object(
    {
      lastBillCents: Type.Integer({
        minimum: 1,
        maximum: 100_000_000,
        description: 'the total of the latest bill, in cents, exactly as printed on it',
      }),
    },
    { additionalProperties: false },
  ),
};

/** The account the number and bill amount prove; one 400 for any mismatch, a 429 while in back-off. */
export async function proveAccount(
  sql: Sql,
  policy: AuthPolicy,
  now: Date,
  req: FastifyRequest,
  reply: FastifyReply,
  proof: { accountNumber: string; verification: { lastBillCents: number } },
): Promise<ProvableAccount> {
  const p = policy.proof;
  const keys = [
    { key: `proof-ip:${req.ip}`, b: p.perIpBackoff, what: 'from your network' },
    ...(req.user ? [{ key: `proof-login:${req.user.id}`, b: p.perLogin, what: 'for your login' }] : []),
    { key: `proof-account:${proof.accountNumber}`, b: p.perAccount, what: 'for this account number' },
  ];
  const taken: typeof keys = [];
  for (const k of keys) {
    const wait = await takeTry(sql, k.key, k.b, now);
    if (wait !== null) {
      // refused before it was tried: it must not count against the keys already taken
      for (const t of taken) await refundTry(sql, t.key, t.b);
      throw tooManyTries(
        reply,
        wait,
        `Too many tries ${k.what}; try again in ${wait} seconds, or call us for help`,
        'accountNumber',
      );
    }
    taken.push(k);
  }
  const acct = await provableAccount(sql, proof.accountNumber);
  const ok =
    !!acct && acct.latestBillCents !== null && acct.latestBillCents === proof.verification.lastBillCents;
  await recordProofAttempt(sql, proof.accountNumber, req.ip, ok);
  if (!ok || !acct)
    // one answer for a wrong number and a wrong amount: no probing for which account numbers exist
    throw new ApiError(
      400,
      'invalid_request_error',
      'verification_failed',
      'That account number and bill amount do not match our records',
      'verification',
    );
  for (const k of keys)
    if (k.key.startsWith('proof-account:')) await clearTries(sql, k.key);
    else await refundTry(sql, k.key, k.b);
  return acct;
}
