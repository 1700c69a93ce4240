// The bill a customer receives: its PDF carries the figures the ledger and the bill lines hold.
import { beforeAll, describe, expect, it } from 'vitest';
import { billPdf } from '../../activities/documents.js';
import { billDocumentData } from '../../db/bill-document.js';
import type { Sql } from '../../db/client.js';
import { seedDemo } from '../../db/demo/seed.js';
import { formatCents } from '../../domain/decimal.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { pdfText } from '../support/pdf.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let billId: string;
let accountId: string;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
  await seedDemo(sql, { accounts: 4, seed: 9, today: '2026-11-28', months: 15 });
  const [b] = await sql<{ id: string; accountId: string }[]>`
    select b.id, b.account_id from bill b where b.period = '2026-10' order by b.account_id limit 1`;
  billId = b!.id;
  accountId = b!.accountId;
});

describe('bill document', () => {
  it('prints the account, period, reads, 13 months of usage, the charges, the balance story and a remittance stub', async () => {
    const d = (await billDocumentData(sql, billId))!;
    const text = await pdfText((await billPdf(sql, billId))!);
    expect(text).toContain(`Account ${d.accountNumber}`);
    expect(text).toContain(d.customerName);
    expect(text).toContain(d.serviceAddress[0]!);
    expect(text).toContain('2026-10-01 to 2026-10-31');
    expect(text).toContain(`Due ${d.dueDate}`);
    for (const r of d.reads) {
      expect(text).toContain(`${r.start!.value} on ${r.start!.date} (actual)`);
      expect(text).toContain(`${r.end!.value} on ${r.end!.date} (actual)`);
    }
    expect(d.usageHistory!.months).toHaveLength(13);
    expect(text).toMatch(/last 13 months/);
    for (const label of ['Oct 25', 'Nov 25', 'Jun 26', 'Oct 26']) expect(text).toContain(label);
    for (const s of d.segments) for (const l of s.lines) expect(text).toContain(formatCents(l.amountCents));
    expect(text).toContain(`Current charges ${formatCents(d.currentChargesCents)}`);
    // the balance story adds up, and is what the ledger says
    expect(d.previousBalanceCents - d.paymentsCents + d.adjustmentsCents + d.currentChargesCents).toBe(
      d.amountDueCents,
    );
    expect(text).toContain(`Amount due ${formatCents(d.amountDueCents)}`);
    expect(text).toContain('Return this portion with your payment');
  });

  it('is stored once and served to staff and to the account holder only', async () => {
    const first = (await billPdf(sql, billId))!;
    const again = (await billPdf(sql, billId))!;
    expect(Buffer.compare(first, again)).toBe(0);
    const csr = await staffToken(app, sql, 'csr');
    const r = await app.inject({ method: 'GET', url: `/bills/${billId}/document`, headers: bearer(csr) });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const owner = await customerLogin(app, sql, [accountId]);
    expect(
      (await app.inject({ method: 'GET', url: `/bills/${billId}/document`, headers: bearer(owner.token) }))
        .statusCode,
    ).toBe(200);
    const stranger = await customerLogin(app, sql, []);
    expect(
      (await app.inject({ method: 'GET', url: `/bills/${billId}/document`, headers: bearer(stranger.token) }))
        .statusCode,
    ).toBe(404);
  });
});
