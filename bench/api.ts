// The portal's two hottest reads under load, as customers hit them: the account summary (balance from the
// ledger, bills, payments, services) and the 24-month usage history, each through the full API over HTTP
// (session lookup, the customer's access check, the query, serialization), with a demo utility of N accounts.
// Load is open-loop at a fixed rate (autocannon overallRate); each request names a random account and signs in
// as that account's own customer. Prints p50/p99 per endpoint, then a summary line. Goal: p99 <= 50 ms at 200/s.
// Run: npx tsx bench/api.ts [accounts=100000] [rate=200] [seconds=30]
//   BENCH_BILLED_MONTHS (default 23 of 24) trades seed time for bills per account.

import os from 'node:os';
import autocannon from 'autocannon';
import { buildApp } from '../api/app.js';
import { connect } from '../db/client.js';
import { seedDemo } from '../db/demo/seed.js';
import { migrate } from '../db/migrate.js';
import { newId } from '../lib/ids.js';
import { hashPassword } from '../lib/passwords.js';
import { startBenchStack } from './stack.js';

const N = Number(process.argv[2] ?? 100_000);
const RATE = Number(process.argv[3] ?? 200);
const SECONDS = Number(process.argv[4] ?? 30);
const BILLED = Number(process.env.BENCH_BILLED_MONTHS ?? 23);
const LOGINS = 500;
const stops: (() => Promise<void>)[] = [];

async function main() {
  const stack = await startBenchStack('bench-api');
  stops.push(() => stack.stop());
  const sql = connect(stack.adminUrl, { max: 20 });
  stops.push(() => sql.end());
  await migrate(sql);
  const t0 = Date.now();
  await seedDemo(sql, {
    accounts: N,
    billedMonths: BILLED,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  const seedSec = (Date.now() - t0) / 1000;

  // customers of LOGINS random accounts, each signed in once (as a browser would be)
  const accounts = await sql<{ id: string }[]>`select id from account order by random() limit ${LOGINS}`;
  const hash = await hashPassword('bench-password-1');
  const users = accounts.map((a, i) => ({
    id: newId('user'),
    email: `bench${i}@example.test`,
    display_name: `Bench ${i}`,
    password_hash: hash,
    kind: 'customer',
    account: a.id,
  }));
  await sql`insert into app_user ${sql(users.map(({ account: _, ...u }) => u))}`;
  await sql`insert into portal_account_access ${sql(users.map((u) => ({ user_id: u.id, account_id: u.account })))}`;
  await sql`analyze`;

  const app = await buildApp({
    sql,
    temporal: { client: stack.client, namespace: 'default' },
    publicUrl: 'http://127.0.0.1',
    providerModes: {},
    stripe: null,
    stripeWebhookSecret: null,
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  stops.push(() => app.close());
  const sessions: { token: string; account: string }[] = [];
  for (const u of users) {
    const r = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: u.email, password: 'bench-password-1' },
    });
    sessions.push({ token: r.json().token, account: u.account });
  }

  const results: string[] = [];
  const run = async (name: string, path: (account: string) => string) => {
    let i = 0;
    const pick = () => sessions[Math.floor(Math.random() * sessions.length)]!;
    // warm the pool and the plans for a moment first, unmeasured
    await autocannon({
      url: base,
      connections: 10,
      amount: 200,
      requests: [{ setupRequest: (r) => req(r) }],
    });
    function req(r: { path: string; headers?: Record<string, string> }) {
      const s = pick();
      i++;
      return {
        ...r,
        method: 'GET' as const,
        path: path(s.account),
        headers: { authorization: `Bearer ${s.token}` },
      };
    }
    const res = await autocannon({
      url: base,
      connections: 20,
      overallRate: RATE,
      duration: SECONDS,
      requests: [{ setupRequest: (r) => req(r) }],
    });
    const bad = res.non2xx + res.errors + res.timeouts;
    const line = `${name}: p50=${res.latency.p50}ms p90=${res.latency.p90}ms p99=${res.latency.p99}ms max=${res.latency.max}ms rate=${res.requests.average}/s requests=${res.requests.total} non2xx/errors=${bad}`;
    console.log(line);
    results.push(`${name} p99=${res.latency.p99}ms`);
    return { p99: res.latency.p99, bad, n: i };
  };

  const summary = await run('GET /accounts/:id', (a) => `/accounts/${a}`);
  const usage = await run('GET /accounts/:id/usage?months=24', (a) => `/accounts/${a}/usage?months=24`);
  const ok = summary.p99 <= 50 && usage.p99 <= 50 && !summary.bad && !usage.bad;
  console.log(
    `summary: accounts=${N} billedMonths=${BILLED} seed=${seedSec.toFixed(0)}s rate=${RATE}/s for ${SECONDS}s each, ${results.join(', ')}; goal p99<=50ms ${ok ? 'met' : 'NOT met'}; cores=${os.cpus().length}; command: BENCH_BILLED_MONTHS=${BILLED} npx tsx bench/api.ts ${N} ${RATE} ${SECONDS}`,
  );
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    process.exit();
  });
