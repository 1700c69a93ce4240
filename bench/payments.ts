// From a Stripe webhook received to the new balance visible through the API: the "my payment did not post"
// path, end to end (signature check, workflow signal, ledger posting, GET /accounts/:id), over N payments.
// Real Temporal dev server, real PostgreSQL, the real worker, the API over HTTP, and the project's Stripe fake.
// Run: npx tsx bench/payments.ts [N=1000] [concurrency=10]

import os from 'node:os';
import { buildApp } from '../api/app.js';
import { createAccount, createCustomer } from '../db/accounts.js';
import { createUser } from '../db/users.js';
import { StripeFake } from '../test/fakes/stripe.js';
import { runBenchWorkers, startBenchDb } from './stack.js';
import { quantile, runBench, type Stops } from './support.js';

const N = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.argv[3] ?? 10);

async function main(stops: Stops) {
  const { stack, sql } = await startBenchDb('bench-payments', stops);
  const { client } = stack;
  const stripe = await new StripeFake().start();
  stops.push(() => stripe.stop());
  const prefix = `benchpay${Date.now()}-`;
  stops.push(await runBenchWorkers(stack, { sql, stripe: stripe.client, taskQueuePrefix: prefix }));
  const app = await buildApp({
    sql,
    temporal: { client, namespace: 'default', taskQueuePrefix: prefix },
    publicUrl: 'http://127.0.0.1',
    providerModes: {},
    stripe: stripe.client,
    stripeWebhookSecret: stripe.webhookSecret,
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  stops.push(() => app.close());

  await createUser(sql, {
    email: 'bench@utility.test',
    displayName: 'Bench',
    password: 'bench-password',
    kind: 'staff',
    role: 'csr',
  });
  const { token } = await (
    await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@utility.test', password: 'bench-password' }),
    })
  ).json();
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  // N accounts, each with a payment intent waiting for its webhook
  const payments: { accountId: string; intentId: string }[] = [];
  for (let i = 0; i < N; i++) {
    const c = await createCustomer(sql, { name: `Bench ${i}` });
    const a = await createAccount(sql, { customerId: c.id, accountNumber: String(5_000_000_000 + i) });
    const r = await (
      await fetch(`${base}/accounts/${a.id}/payments`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ amountCents: 1000 + i, method: 'card' }),
      })
    ).json();
    const [row] = await sql<{ providerRef: string }[]>`select provider_ref from payment where id = ${r.id}`;
    payments.push({ accountId: a.id as string, intentId: row!.providerRef });
  }

  const latencies: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < payments.length) {
      const p = payments[next++]!;
      const e = stripe.event(p.intentId, 'payment_intent.succeeded', { status: 'succeeded' });
      const t0 = performance.now();
      const w = await fetch(`${base}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': e.signature },
        body: e.payload,
      });
      if (!w.ok) throw new Error(`webhook ${w.status}`);
      for (;;) {
        const acct = await (await fetch(`${base}/accounts/${p.accountId}`, { headers: auth })).json();
        if (acct.balanceCents < 0) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      latencies.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const wall = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => quantile(latencies, p).toFixed(0);
  console.log(
    `payments=${N} concurrency=${CONCURRENCY} p50=${q(0.5)}ms p90=${q(0.9)}ms p99=${q(0.99)}ms max=${latencies.at(-1)!.toFixed(0)}ms throughput=${(N / wall).toFixed(0)}/s`,
  );
  console.log(
    `summary: cores=${os.cpus().length}; webhook received -> balance visible via GET /accounts/:id: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms over ${N} payments (goal p99 <= 250 ms); command: npx tsx bench/payments.ts ${N} ${CONCURRENCY}`,
  );
}

runBench(main);
