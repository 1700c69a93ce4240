// Notices, from the capability's commit (queueNotification) to the provider accepting the message: the
// transactional outbox, the dispatcher (LISTEN), the messaging workflows and the real @sendgrid/mail SDK
// against the project's SendGrid fake. Two figures per dispatch mode: one notice at a time (latency), and
// bill day's burst: `burst` bill_ready notices for paperless accounts queued in one transaction, until the
// fake has accepted every email (throughput). Modes, in the same run: `batch` (a notification-batch
// workflow per claimed page, the default) and `per-notice` (a notification workflow per notice, as before).
// Each burst also checks nobody got two emails.
// Run: npx tsx bench/messaging.ts [burst=1000] [single=20] [modes=batch,per-notice] [runs=1] [perNoticeBurst=burst]
//   BENCH_BATCH_SIZE, BENCH_SEND_CONCURRENCY: the messaging policy's batchSize and sendConcurrency

import os from 'node:os';
import { type NotificationRequest, queueNotification, queueNotifications } from '../db/notifications.js';
import { messagingPolicy } from '../domain/messages/policy.js';
import { newId } from '../lib/ids.js';
import { sendgridProvider } from '../lib/providers/messaging.js';
import { SendgridFake } from '../test/fakes/sendgrid.js';
import { type DispatchMode, startNotificationDispatcher } from '../workers/notification-dispatcher.js';
import { NOTIFICATION } from '../workflows/contracts/messaging.js';
import { taskQueueName } from '../workflows/contracts/names.js';
import { runBenchWorkers, startBenchDb } from './stack.js';
import { quantile, runBench, type Stops } from './support.js';

const BURST = Number(process.argv[2] ?? 1000);
const SINGLE = Number(process.argv[3] ?? 20);
const MODES = (process.argv[4] ?? 'batch,per-notice').split(',') as DispatchMode[];
const RUNS = Number(process.argv[5] ?? 1);
const PER_NOTICE_BURST = Number(process.argv[6] ?? BURST);

async function main(stops: Stops) {
  const { stack, sql } = await startBenchDb('bench-messaging', stops);
  // 35,000 rendered emails a run: the fake keeps who and when, not the bodies
  const sendgrid = await new SendgridFake({ keepBodies: false }).start();
  stops.push(() => sendgrid.stop());
  const prefix = `benchmsg${Date.now()}-`;
  const policy = messagingPolicy({
    quietHours: { start: '00:00', end: '00:00', timeZone: 'UTC' },
    ...(process.env.BENCH_BATCH_SIZE ? { batchSize: Number(process.env.BENCH_BATCH_SIZE) } : {}),
    ...(process.env.BENCH_SEND_CONCURRENCY
      ? { sendConcurrency: Number(process.env.BENCH_SEND_CONCURRENCY) }
      : {}),
  });
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
  stops.push(stopWorkers);

  // paperless accounts with a verified email, a page of rows per statement
  const N = Math.max(BURST, PER_NOTICE_BURST, SINGLE);
  const accounts: string[] = [];
  for (let from = 0; from < N; from += 1000) {
    const page = Array.from({ length: Math.min(1000, N - from) }, (_, k) => from + k);
    const customers = page.map((i) => ({
      id: newId('cust'),
      kind: 'person',
      name: `Bench ${i}`,
      language: 'en',
    }));
    const accts = page.map((i, k) => ({
      id: newId('acct'),
      account_number: String(6_000_000_000 + i),
      customer_id: customers[k]!.id,
      customer_class: 'residential',
      billing_cycle: '01',
      paperless: true,
    }));
    await sql`insert into customer ${sql(customers)}`;
    await sql`insert into account ${sql(accts)}`;
    await sql`insert into customer_contact ${sql(
      page.map((i, k) => ({
        id: `cc_bench${i}`,
        customer_id: customers[k]!.id,
        kind: 'email',
        value: `bench${i}@example.test`,
        verified_at: new Date(),
      })),
    )}`;
    accounts.push(...accts.map((a) => a.id));
  }
  console.log(`seeded ${N} paperless accounts`);
  const q = (xs: number[], p: number) => quantile(xs, p).toFixed(0);
  const results: string[] = [];
  const rates = new Map<DispatchMode, number>();

  for (const mode of MODES) {
    const dispatcher = await startNotificationDispatcher({
      sql,
      client: stack.client,
      taskQueue: taskQueueName(NOTIFICATION.taskQueue, prefix),
      policy,
      mode,
    });
    // one at a time: commit -> accepted by the provider
    const single: number[] = [];
    for (let i = 0; i < SINGLE; i++) {
      const to = `bench${i}@example.test`;
      const before = sendgrid.sent.length;
      const t0 = performance.now();
      await sql.begin((tx) =>
        queueNotification(tx, {
          accountId: accounts[i]!,
          alert: 'payment_received',
          key: `bench-single/${mode}/${i}`,
          data: { amountCents: 1000 + i },
        }),
      );
      while (!sendgrid.sent.slice(before).some((s) => s.to === to))
        await new Promise((r) => setTimeout(r, 2));
      single.push(performance.now() - t0);
    }

    // bill day: a burst in one transaction, as a bill run of that many paperless accounts leaves them
    const size = mode === 'per-notice' ? PER_NOTICE_BURST : BURST;
    const walls: number[] = [];
    let duplicates = 0;
    for (let run = 0; run < RUNS; run++) {
      const before = sendgrid.sent.length;
      const list: NotificationRequest[] = accounts.slice(0, size).map((accountId, i) => ({
        accountId,
        alert: 'bill_ready',
        key: `bench-burst/${mode}/${run}/${i}`,
        data: { billId: `bill_${run}_${i}`, period: '2026-11', amountCents: 5000 + i, dueDate: '2026-12-20' },
      }));
      const t0 = performance.now();
      await sql.begin(async (tx) => {
        for (let i = 0; i < list.length; i += 1000) await queueNotifications(tx, list.slice(i, i + 1000));
      });
      const queuedAt = performance.now();
      let last = 0;
      let lastLog = 0;
      while (last < size) {
        await new Promise((r) => setTimeout(r, 100));
        last = sendgrid.sent.length - before;
        if (performance.now() - lastLog > 5_000) {
          lastLog = performance.now();
          console.log(
            `${mode} run ${run + 1}: ${last}/${size} accepted after ${((performance.now() - queuedAt) / 1000).toFixed(1)} s`,
          );
        }
      }
      const wall = (performance.now() - queuedAt) / 1000;
      // give a would-be duplicate a moment to arrive, then count emails per recipient
      await new Promise((r) => setTimeout(r, 1_000));
      const perRecipient = new Map<string, number>();
      for (const s of sendgrid.sent.slice(before)) perRecipient.set(s.to, (perRecipient.get(s.to) ?? 0) + 1);
      duplicates += [...perRecipient.values()].filter((n) => n > 1).length;
      walls.push(wall);
      console.log(
        `${mode} run ${run + 1}: ${size} queued in ${((queuedAt - t0) / 1000).toFixed(1)} s, all accepted in ${wall.toFixed(1)} s = ${(size / wall).toFixed(0)} emails/s; recipients ${perRecipient.size}`,
      );
    }
    await dispatcher.stop();
    const median = quantile(walls, 0.5);
    rates.set(mode, size / median);
    results.push(
      `${mode}: one notice, commit -> SendGrid accepted: p50 ${q(single, 0.5)} ms, p99 ${q(single, 0.99)} ms over ${SINGLE}; burst of ${size} bill_ready: median ${median.toFixed(1)} s over ${RUNS} run(s) (${walls.map((w) => w.toFixed(1)).join(', ')}) = ${(size / median).toFixed(0)} emails/s; recipients with more than one email: ${duplicates}`,
    );
  }
  const ratio =
    rates.has('batch') && rates.has('per-notice')
      ? `; batch / per-notice emails/s = ${(rates.get('batch')! / rates.get('per-notice')!).toFixed(1)}x`
      : '';
  console.log(
    `summary: cores=${os.cpus().length} loadavg(1m)=${os.loadavg()[0]!.toFixed(1)} batchSize=${policy.batchSize} sendConcurrency=${policy.sendConcurrency}${ratio}\n  ${results.join('\n  ')}\n  command: npx tsx bench/messaging.ts ${process.argv.slice(2).join(' ')}`,
  );
}

runBench(main);
