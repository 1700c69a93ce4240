// The portal's two hottest reads under load, as customers hit them: the account summary (balance from the
// ledger, bills, payments, services) and the 24-month usage history, each through the full API over HTTP
// (session lookup, the customer's access check, the query, serialization), with a demo utility of N accounts.
// The API runs as its own process (api/server.ts, as in production); the load comes from this one, open-loop
// at a fixed rate (autocannon overallRate); each request names a random account and signs in as that account's
// own customer. Prints p50/p99 per endpoint, then a summary line. Goal: p99 <= 50 ms at 200/s.
// Run: npx tsx bench/api.ts [accounts=100000] [rate=200] [seconds=30]
//   BENCH_BILLED_MONTHS (default 23 of 24) trades seed time for bills per account.
//   DATABASE_URL naming a database that already holds a demo utility skips the seed (100,000 accounts take
//   about half an hour to load on two cores).

import { spawn } from 'node:child_process';
import os from 'node:os';
import autocannon from 'autocannon';
import { seedDemo } from '../db/demo/seed.js';
import { freePort } from '../dev/postgres.js';
import { newId } from '../lib/ids.js';
import { hashPassword } from '../lib/passwords.js';
import { startBenchDb } from './stack.js';
import { runBench, type Stops } from './support.js';

const N = Number(process.argv[2] ?? 100_000);
const RATE = Number(process.argv[3] ?? 200);
const SECONDS = Number(process.argv[4] ?? 30);
const BILLED = Number(process.env.BENCH_BILLED_MONTHS ?? 23);
const LOGINS = 500;

async function main(stops: Stops) {
  const { stack, sql } = await startBenchDb('bench-api', stops);
  const t0 = Date.now();
  const seeded = await seedDemo(sql, {
    accounts: N,
    billedMonths: BILLED,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  const seedSec = (Date.now() - t0) / 1000;

  const [{ n: accountsLoaded }] = (await sql`select count(*)::int as n from account`) as unknown as [
    { n: number },
  ];

  // customers of LOGINS random accounts, each signed in once (as a browser would be)
  const run = newId('user').slice(-6).toLowerCase();
  const accounts = await sql<{ id: string }[]>`select id from account order by random() limit ${LOGINS}`;
  const hash = await hashPassword('bench-password-1');
  const users = accounts.map((a, i) => ({
    id: newId('user'),
    email: `bench${i}.${run}@example.test`,
    display_name: `Bench ${i}`,
    password_hash: hash,
    kind: 'customer',
    account: a.id,
  }));
  await sql`insert into app_user ${sql(users.map(({ account: _, ...u }) => u))}`;
  await sql`insert into portal_account_access ${sql(users.map((u) => ({ user_id: u.id, account_id: u.account })))}`;
  await sql`analyze`;

  // the API as its own process, configured as npm start configures it
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const api = spawn(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: stack.adminUrl,
      TEMPORAL_ADDRESS: stack.address,
      TEMPORAL_NAMESPACE: 'default',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: base,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  stops.push(async () => {
    if (api.exitCode === null) {
      api.kill('SIGTERM');
      await new Promise((r) => api.once('exit', r));
    }
  });
  for (
    let i = 0;
    !(await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  ) {
    if (api.exitCode !== null || i > 240) throw new Error('the API did not start');
    await new Promise((r) => setTimeout(r, 250));
  }
  const sessions: { token: string; account: string }[] = [];
  for (const u of users) {
    const r = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: u.email, password: 'bench-password-1' }),
    });
    sessions.push({ token: ((await r.json()) as { token: string }).token, account: u.account });
  }

  const results: string[] = [];
  const measure = async (name: string, path: (account: string) => string) => {
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

  const summary = await measure('GET /accounts/:id', (a) => `/accounts/${a}`);
  const usage = await measure('GET /accounts/:id/usage?months=24', (a) => `/accounts/${a}/usage?months=24`);
  await new Promise((r) => setTimeout(r, 1000)); // let the last in-flight requests finish before stopping
  const ok = summary.p99 <= 50 && usage.p99 <= 50 && !summary.bad && !usage.bad;
  console.log(
    `summary: accounts=${accountsLoaded} billedMonths=${BILLED} seed=${seeded.seeded ? `${seedSec.toFixed(0)}s` : 'skipped (already loaded)'} rate=${RATE}/s for ${SECONDS}s each, ${results.join(', ')}; goal p99<=50ms ${ok ? 'met' : 'NOT met'}; cores=${os.cpus().length}; command: BENCH_BILLED_MONTHS=${BILLED} npx tsx bench/api.ts ${N} ${RATE} ${SECONDS}`,
  );
}

// the API child's pipes would keep this process alive
runBench(main, { exit: true });
