// Notices, from the capability's commit (queueNotification) to the provider accepting the message: the
// transactional outbox, the dispatcher (LISTEN), the notification workflow and the real @sendgrid/mail SDK
// against the project's SendGrid fake. Two figures: one notice at a time (latency), and a burst queued in one
// transaction, as a bill-run page does (throughput).
// Run: npx tsx bench/messaging.ts [burst=1000] [single=50]

import os from 'node:os';
import { createAccount, createCustomer } from '../db/accounts.js';
import { queueNotification } from '../db/notifications.js';
import { messagingPolicy } from '../domain/messages/policy.js';
import { sendgridProvider } from '../lib/providers/messaging.js';
import { SendgridFake } from '../test/fakes/sendgrid.js';
import { startNotificationDispatcher } from '../workers/notification-dispatcher.js';
import { NOTIFICATION } from '../workflows/contracts/messaging.js';
import { taskQueueName } from '../workflows/contracts/names.js';
import { runBenchWorkers, startBenchDb } from './stack.js';
import { quantile, runBench, type Stops } from './support.js';

const BURST = Number(process.argv[2] ?? 1000);
const SINGLE = Number(process.argv[3] ?? 50);

async function main(stops: Stops) {
  const { stack, sql } = await startBenchDb('bench-messaging', stops);
  const sendgrid = await new SendgridFake().start();
  stops.push(() => sendgrid.stop());
  const prefix = `benchmsg${Date.now()}-`;
  const policy = messagingPolicy({ quietHours: { start: '00:00', end: '00:00', timeZone: 'UTC' } });
  const stopWorkers = await runBenchWorkers(stack, {
    sql,
    taskQueuePrefix: prefix,
    messaging: {
      policy,
      providers: {
        email: sendgridProvider({ apiKey: 'SG.bench', from: 'alerts@utility.test', baseUrl: sendgrid.url }),
        sms: null,
      },
    },
  });
  const dispatcher = await startNotificationDispatcher({
    sql,
    client: stack.client,
    taskQueue: taskQueueName(NOTIFICATION.taskQueue, prefix),
    policy,
  });
  stops.push(async () => {
    await dispatcher.stop();
    await stopWorkers();
  });

  const accounts: string[] = [];
  for (let i = 0; i < Math.max(BURST, SINGLE); i++) {
    const c = await createCustomer(sql, { name: `Bench ${i}` });
    const a = await createAccount(sql, { customerId: c.id, accountNumber: String(6_000_000_000 + i) });
    await sql`insert into customer_contact (id, customer_id, kind, value, verified_at)
      values (${`cc_bench${i}`}, ${c.id}, 'email', ${`bench${i}@example.test`}, now())`;
    accounts.push(a.id as string);
  }
  const sentTo = async (to: string) => {
    for (;;) {
      if (sendgrid.sent.some((s) => s.to === to)) return;
      await new Promise((r) => setTimeout(r, 2));
    }
  };

  // one at a time: commit -> accepted by the provider
  const single: number[] = [];
  for (let i = 0; i < SINGLE; i++) {
    const t0 = performance.now();
    await sql.begin((tx) =>
      queueNotification(tx, {
        accountId: accounts[i]!,
        alert: 'payment_received',
        key: `bench-single/${i}`,
        data: { amountCents: 1000 + i },
      }),
    );
    await sentTo(`bench${i}@example.test`);
    single.push(performance.now() - t0);
    console.log(`single ${i + 1}/${SINGLE}: ${single.at(-1)!.toFixed(0)} ms`);
  }
  single.sort((a, b) => a - b);
  const q = (xs: number[], p: number) => quantile(xs, p).toFixed(0);

  // a burst in one transaction, as a bill-run page queues its bill_ready notices
  const before = sendgrid.sent.length;
  const t0 = performance.now();
  await sql.begin(async (tx) => {
    for (let i = 0; i < BURST; i++)
      await queueNotification(tx, {
        accountId: accounts[i]!,
        alert: 'bill_ready',
        key: `bench-burst/${i}`,
        data: { billId: `bill_${i}`, period: '2026-11', amountCents: 5000 + i, dueDate: '2026-12-20' },
      });
  });
  const queuedAt = performance.now();
  let last = before;
  while (sendgrid.sent.length - before < BURST) {
    await new Promise((r) => setTimeout(r, 250));
    if (sendgrid.sent.length !== last) {
      last = sendgrid.sent.length;
      console.log(
        `burst: ${last - before}/${BURST} sent after ${((performance.now() - queuedAt) / 1000).toFixed(1)} s`,
      );
    }
  }
  const wall = (performance.now() - queuedAt) / 1000;
  console.log(
    `summary: cores=${os.cpus().length}; one notice, commit -> SendGrid accepted: p50 ${q(single, 0.5)} ms, p99 ${q(single, 0.99)} ms over ${SINGLE}; a burst of ${BURST} queued in one transaction (${((queuedAt - t0) / 1000).toFixed(1)} s to queue) all sent in ${wall.toFixed(1)} s = ${(BURST / wall).toFixed(0)} messages/s; command: npx tsx bench/messaging.ts ${BURST} ${SINGLE}`,
  );
}

runBench(main);
