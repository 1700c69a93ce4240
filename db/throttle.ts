// Server-side back-off for guessable things (an email's password, an account's proof of ownership). A try is
// counted as a failure when it is taken, in one statement under the row's lock, so a burst of concurrent
// tries cannot all slip through before the first failure is written; a success then settles it.
import type { Backoff } from '../domain/auth-policy.js';
import type { Sql, Tx } from './client.js';

type Db = Sql | Tx;

/** Takes one try for `key`: null when it may go ahead, or the seconds until it may (refused tries don't count). */
export async function takeTry(db: Db, key: string, b: Backoff, now: Date): Promise<number | null> {
  // the failure count this try makes: a key quiet for forgetAfterSeconds starts again at 1
  const next = db`case when t.last_failure_at < ${now}::timestamptz - make_interval(secs => ${b.forgetAfterSeconds})
    then 1 else t.failures + 1 end`;
  const until = (failures: typeof next) => db`case when ${failures} >= ${b.freeFailures}
    then ${now}::timestamptz + make_interval(secs => least(${b.maxSeconds}::float8,
      ${b.baseSeconds}::float8 * power(2, least(30, ${failures} - ${b.freeFailures})))) end`;
  const rows = await db<{ failures: number }[]>`
    insert into auth_throttle as t (key, failures, last_failure_at, blocked_until)
    values (${key}, 1, ${now}, ${until(db`1`)})
    on conflict (key) do update set failures = ${next}, last_failure_at = ${now}, blocked_until = ${until(next)}
    where t.blocked_until is null or t.blocked_until <= ${now}
    returning failures`;
  if (rows.length) return null;
  const [t] = await db<{ blockedUntil: Date }[]>`select blocked_until from auth_throttle where key = ${key}`;
  return t ? Math.max(1, Math.ceil((t.blockedUntil.getTime() - now.getTime()) / 1000)) : null;
}

/** The try succeeded: forget the key's failures (an email after a right password, an account once proved). */
export async function clearTries(db: Db, key: string) {
  await db`delete from auth_throttle where key = ${key}`;
}

/** The try succeeded but the key still counts attempts (an IP, a login): take back the one failure it counted. */
export async function refundTry(db: Db, key: string, b: Backoff) {
  await db`update auth_throttle set failures = greatest(failures - 1, 0),
      blocked_until = case when failures - 1 < ${b.freeFailures} then null else blocked_until end
    where key = ${key}`;
}
