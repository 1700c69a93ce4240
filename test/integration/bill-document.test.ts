// The bill a customer receives: its PDF carries the figures the ledger and the bill lines hold, is ready
// for a window envelope (mailing address, remittance stub), speaks the customer's language and is tagged.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { billPdf, renderBillPdf } from '../../activities/documents.js';
import { addRead } from '../../db/accounts.js';
import { billDocumentData } from '../../db/bill-document.js';
import { issueBill, loadBillingInputs } from '../../db/billing.js';
import type { Sql } from '../../db/client.js';
import { seedDemo } from '../../db/demo/seed.js';
import { mailingAddressJoin } from '../../db/mailing-address.js';
import { calculateBill } from '../../domain/bill-calc.js';
import { formatCents } from '../../domain/decimal.js';
import { addDays, monthlyPeriod } from '../../domain/period.js';
import { readScanLine } from '../../domain/scan-line.js';
import { DEMO_UTILITY, loadConfig } from '../../lib/config.js';
import { eventually, waterAccount } from '../support/accounts.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { pdfPages, pdfTags, pdfText } from '../support/pdf.js';
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
  // the demo draws some customers as Spanish speakers; the first bill's checks are in English
  await sql`update customer set language = 'en' where id = (select customer_id from account where id = ${accountId})`;
});

describe('bill document', () => {
  it('prints the account, period, reads, 13 months of usage per metered service, the charges, the balance story and a remittance stub', async () => {
    const d = (await billDocumentData(sql, billId))!;
    const text = await pdfText((await billPdf(sql, billId))!);
    expect(text).toContain(`Account ${d.accountNumber}`);
    expect(text).toContain(d.customerName);
    expect(text).toContain(d.serviceAddress[0]!);
    expect(text).toContain('Billing period Oct 1 – Oct 31, 2026 (31 days)');
    for (const r of d.reads) {
      expect(text).toContain(`${r.start!.value} on ${r.start!.date} (actual)`);
      expect(text).toContain(`${r.end!.value} on ${r.end!.date} (actual)`);
    }
    // every metered service (the demo's water, and electric where it has it) has its 13-month chart
    const metered = await sql<{ serviceType: string }[]>`
      select distinct service_type from bill_segment where bill_id = ${billId} and end_read_id is not null order by 1`;
    expect(d.usage.map((u) => u.service)).toEqual(metered.map((m) => m.serviceType));
    for (const u of d.usage) {
      expect(u.months.map((m) => m.period)).toEqual([
        '2025-10',
        '2025-11',
        '2025-12',
        '2026-01',
        '2026-02',
        '2026-03',
        '2026-04',
        '2026-05',
        '2026-06',
        '2026-07',
        '2026-08',
        '2026-09',
        '2026-10',
      ]);
      expect(text).toContain(`Your ${u.service} use, last 13 months (${u.unit})`);
    }
    for (const label of ['Oct 25', 'Nov 25', 'Jun 26', 'Oct 26']) expect(text).toContain(label);
    for (const s of d.segments) for (const l of s.lines) expect(text).toContain(formatCents(l.amountCents));
    expect(text).toContain(`Current charges ${formatCents(d.currentChargesCents)}`);
    // the balance story adds up, and is what the ledger says
    expect(d.previousBalanceCents - d.paymentsCents + d.adjustmentsCents + d.currentChargesCents).toBe(
      d.amountDueCents,
    );
    expect(text).toContain(`Amount due ${formatCents(d.amountDueCents)}`);
    expect(text).toContain('Return this portion with your payment');
    // no stored nine-digit quantity reaches the page
    expect(text).not.toMatch(/\d\.\d{5,}/);
  });

  it("puts the utility's contacts under its name, and a remit-to address and a scan line on the first page's stub", async () => {
    const d = (await billDocumentData(sql, billId))!;
    const [first, ...rest] = await pdfPages((await billPdf(sql, billId))!);
    // the demo's profile until UTILITY_* are set
    expect(first).toContain(`${DEMO_UTILITY.name} Billing period`);
    expect(first).toContain('Questions: (541) 555-0100 · utility.example.org');
    expect(first).toContain('Emergencies, day or night: (541) 555-0199');
    expect(first).toContain('Office hours: Mon–Fri 8 am – 5 pm');
    expect(first).toContain(
      `Make checks payable to ${DEMO_UTILITY.name} and mail to: ${DEMO_UTILITY.remitTo.join(' ')}`,
    );
    // the scan line reads back to this account and this amount due, its check digit intact
    const scan = first!.match(/\b\d{12} \d{10} \d\b/)?.[0];
    expect(readScanLine(scan!)).toEqual({
      ok: true,
      accountNumber: d.accountNumber,
      amountDueCents: Math.max(0, d.amountDueCents),
    });
    // the stub stays on page 1: the details page starts with the reads, nothing of the stub spilled onto it
    expect(rest[0]).toMatch(/^Meter reads/);
    expect(rest.join(' ')).not.toMatch(/\b\d{12} \d{10} \d\b/);
  });

  it("prints a configured utility's own name, contacts and remit-to, in the customer's language", async () => {
    const { utility } = loadConfig({
      UTILITY_NAME: 'Cedar Falls Water & Sewer',
      UTILITY_REMIT_TO: 'Cedar Falls Utilities; PO Box 77; Cedar Falls, IA 50613-0077',
      UTILITY_PHONE: '(319) 555-0142',
    });
    expect(utility).toMatchObject({ website: null, emergencyPhone: null, officeHours: null });
    const d = (await billDocumentData(sql, billId))!;
    const [first] = await pdfPages(await renderBillPdf({ ...d, language: 'es' }, { utility }));
    expect(first).toContain('Cedar Falls Water & Sewer');
    expect(first).toContain('Preguntas: (319) 555-0142');
    expect(first).not.toContain('Emergencias');
    expect(first).toContain(
      'Haga los cheques a nombre de Cedar Falls Water & Sewer y envíelos a: Cedar Falls Utilities PO Box 77 Cedar Falls, IA 50613-0077',
    );
    expect(first).not.toContain(DEMO_UTILITY.name);
    // a name without a remit-to address is refused at startup, naming the variable
    expect(() => loadConfig({ UTILITY_NAME: 'Cedar Falls Water & Sewer' })).toThrow(/UTILITY_REMIT_TO/);
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

describe('a mail-ready bill, by hand-worked figures', () => {
  // Grace's water at $3.62 a ccf and $18.40 a month: Sep 2025 used 40 ccf (900 -> 940), Sep 2026 50 ccf
  // (1000 -> 1050), Oct 2026 30 ccf (1050 -> 1080).
  let grace: Awaited<ReturnType<typeof waterAccount>>;
  const bills: Record<string, string> = {};
  const read = (at: string, value: string) =>
    addRead(sql, { meterId: grace.meter.id, readAt: `${at}T08:00:00Z`, value, source: 'ami' });
  const bill = async (key: string) => {
    const period = monthlyPeriod(key);
    const facts = (await loadBillingInputs(sql, grace.acct.id, period))!;
    const { segments } = calculateBill({ ...facts, validation: undefined }, period);
    const b = await issueBill(sql, {
      accountId: grace.acct.id,
      period,
      billDate: addDays(period.end, 2),
      dueDate: addDays(period.end, 22),
      workflowId: 'test',
      segments,
    });
    bills[key] = b.billId;
  };
  const MESSAGE = 'Water rates change on January 1. Call 541-555-0100 with questions.';

  beforeAll(async () => {
    grace = await waterAccount(sql);
    await read('2025-09-01', '900');
    await read('2025-10-01', '940');
    await read('2026-09-01', '1000');
    await read('2026-10-01', '1050');
    await read('2026-11-01', '1080');
    // last September's bill is issued after this one: a bill's window starts where the account's previous bill
    // ended, and this account has no bill in between
    await bill('2026-09');
    await bill('2025-09');
  });

  it('shows the days, the use per day, last year, plain quantities, the period, the message and the tags', async () => {
    const pdf = (await billPdf(sql, bills['2026-09']!, { message: { en: MESSAGE } }))!;
    const text = await pdfText(pdf);
    expect(text).toContain('Billing period Sep 1 – Sep 30, 2026 (30 days)');
    expect(text).toContain('Bill date Oct 2, 2026');
    expect(text).toContain('Due Oct 22, 2026');
    // 50 ccf over 30 days = 1.666… -> 1.67 a day; against 40 ccf a year before: +10/40 = 25% more
    expect(text).toContain(
      'Service Used Average per day Same period last year Water 50 ccf 1.67 ccf 40 ccf 25% more',
    );
    // 50 × $3.62 = $181.00; $18.40 for the whole month; 1 month, not "1.000000000 period"
    expect(text).toContain('Water usage 50 ccf × $3.62 $181.00');
    expect(text).toContain('Water customer charge 1 month × $18.40 $18.40');
    expect(text).toContain('Total current charges $199.40');
    expect(text).toContain(`Message from cisflow demo utility ${MESSAGE}`);
    expect(text).toContain('Your water use, last 13 months (ccf)');
    expect(text).not.toMatch(/\d\.\d{5,}|\d period/);

    const tags = await pdfTags(pdf);
    expect(tags.title).toBe('Bill for account ' + grace.acct.accountNumber + ', Sep 1 – Sep 30, 2026');
    expect(tags.lang).toBe('en-US');
    expect(tags.displayTitle).toBe(true);
    for (const role of ['H1', 'H2', 'Table', 'TR', 'TH', 'TD', 'P', 'Figure'])
      expect(tags.roles).toContain(role);
    const between = [
      'Oct 25',
      'Nov 25',
      'Dec 25',
      'Jan 26',
      'Feb 26',
      'Mar 26',
      'Apr 26',
      'May 26',
      'Jun 26',
      'Jul 26',
      'Aug 26',
    ];
    expect(tags.figureAlts).toEqual([
      `water use by month: Sep 25 40 ccf, ${between.map((m) => `${m} no bill`).join(', ')}, Sep 26 50 ccf`,
    ]);

    // a first page for the folder that keeps screenshots, when poppler is installed
    if (spawnSync('pdftoppm', ['-v']).error === undefined) {
      mkdirSync('test-output/screenshots', { recursive: true });
      writeFileSync('test-output/screenshots/bill.pdf', pdf);
      spawnSync('pdftoppm', [
        '-png',
        '-r',
        '80',
        '-f',
        '1',
        '-l',
        '1',
        '-singlefile',
        'test-output/screenshots/bill.pdf',
        'test-output/screenshots/bill-pdf',
      ]);
    }
  });

  it('prints every label in Spanish for a Spanish-speaking customer', async () => {
    const d = (await billDocumentData(sql, bills['2026-09']!))!;
    expect(d.language).toBe('en');
    const text = await pdfText(
      await renderBillPdf(
        { ...d, language: 'es' },
        { message: { en: MESSAGE, es: 'Las tarifas cambian el 1 de enero.' } },
      ),
    );
    expect(text).toContain('Período de facturación 1 sep – 30 sep 2026 (30 días)');
    expect(text).toContain('Fecha de factura 2 oct 2026');
    expect(text).toContain('Vence 22 oct 2026');
    expect(text).toContain(
      'Servicio Consumo Promedio por día Mismo período del año pasado Agua 50 ccf 1.67 ccf 40 ccf 25% más',
    );
    expect(text).toContain('Saldo anterior');
    expect(text).toContain('Cargos actuales $199.40');
    expect(text).toContain('Mensaje de cisflow demo utility Las tarifas cambian el 1 de enero.');
    expect(text).toContain('Water customer charge 1 mes × $18.40 $18.40');
    expect(text).toContain('Total de cargos actuales $199.40');
    expect(text).toContain('Devuelva esta parte con su pago');
    expect(text).toContain('Lecturas del medidor');
    expect(text).toContain('Su consumo de agua, últimos 13 meses (ccf)');
    for (const english of [
      'Billing period',
      'Amount due',
      'Average per day',
      'Return this portion',
      'Message from',
    ])
      expect(text).not.toContain(english);
  });

  it('takes the language from the customer', async () => {
    await sql`update customer set language = 'es' where id = (select customer_id from account where id = ${accountId})`;
    const [b] = await sql<{ id: string }[]>`
      select id from bill where account_id = ${accountId} and period = '2026-09'`;
    const text = await pdfText((await billPdf(sql, b!.id))!);
    expect(text).toContain('Período de facturación 1 sep – 30 sep 2026 (30 días)');
    expect(text).toContain('Total a pagar');
    const tags = await pdfTags((await billPdf(sql, b!.id))!);
    expect(tags.lang).toBe('es-US');
  });

  it('mails the next bill to the address a completed mailing-address request gave', async () => {
    const before = await pdfText((await billPdf(sql, bills['2026-09']!))!);
    expect(before).toContain('GRACE HOPPER 12 ELM ST SPRINGFIELD, OR 97477');

    const customer = await customerLogin(app, sql, [grace.acct.id]);
    const asked = await app.inject({
      method: 'POST',
      url: `/accounts/${grace.acct.id}/service-requests`,
      headers: bearer(customer.token),
      payload: {
        kind: 'mailing_address',
        details: {
          line1: 'PO Box 7',
          line2: 'Attn: Grace',
          city: 'Eugene',
          state: 'OR',
          postal_code: '97401',
        },
      },
    });
    expect(asked.statusCode).toBe(201);
    await eventually(async () => {
      const r = await app.inject({
        url: `/service-requests/${asked.json().id}`,
        headers: bearer(customer.token),
      });
      return r.json().status === 'completed' ? r : null;
    });

    await bill('2026-10');
    const text = await pdfText((await billPdf(sql, bills['2026-10']!))!);
    // the envelope window and the stub carry the new address; the premise is still the service address
    expect(text).toContain('GRACE HOPPER PO BOX 7 ATTN: GRACE EUGENE, OR 97401');
    expect(text).toContain('Service address 12 Elm St Springfield, OR 97477');
    expect(text).toContain('Grace Hopper PO Box 7 Attn: Grace Eugene, OR 97401');
    // 30 ccf over 31 days = 0.967… -> 0.97; no bill for Oct 2025
    expect(text).toContain('Water 30 ccf 0.97 ccf no bill last year');
    // the bill already printed keeps the copy it was printed with
    expect(await pdfText((await billPdf(sql, bills['2026-09']!))!)).toBe(before);
  });
});

describe('each bill keeps the mailing address it was issued with', () => {
  // Ada's water: reads on Oct 1, Nov 1, Dec 1 and Dec 31 (a month end); bills for Oct, Nov and Dec 2026,
  // issued one at a time between two mailing-address changes, and rendered only at the end.
  let ada: Awaited<ReturnType<typeof waterAccount>>;
  const issued: Record<string, string> = {};
  const issue = async (key: string) => {
    const period = monthlyPeriod(key);
    const facts = (await loadBillingInputs(sql, ada.acct.id, period))!;
    const { segments } = calculateBill({ ...facts, validation: undefined }, period);
    const b = await issueBill(sql, {
      accountId: ada.acct.id,
      period,
      billDate: addDays(period.end, 1),
      dueDate: addDays(period.end, 21),
      workflowId: 'test',
      segments,
    });
    issued[key] = b.billId;
  };
  const changeTo = async (token: string, line1: string) => {
    const asked = await app.inject({
      method: 'POST',
      url: `/accounts/${ada.acct.id}/service-requests`,
      headers: bearer(token),
      payload: {
        kind: 'mailing_address',
        details: { line1, city: 'Eugene', state: 'OR', postal_code: '97401' },
      },
    });
    expect(asked.statusCode).toBe(201);
    await eventually(async () => {
      const r = await app.inject({ url: `/service-requests/${asked.json().id}`, headers: bearer(token) });
      return r.json().status === 'completed' ? r : null;
    });
  };

  it('prints the address in effect at issue, even when the PDF is made after a later change', async () => {
    ada = await waterAccount(sql);
    for (const [at, v] of [
      ['2026-10-01', '100'],
      ['2026-11-01', '110'],
      ['2026-12-01', '125'],
      ['2026-12-31', '131'],
    ] as const)
      await addRead(sql, { meterId: ada.meter.id, readAt: `${at}T08:00:00Z`, value: v, source: 'ami' });
    const customer = await customerLogin(app, sql, [ada.acct.id]);

    await issue('2026-10'); // no mailing address on file: mailed to the premise
    await changeTo(customer.token, 'PO Box 7');
    await issue('2026-11');
    await changeTo(customer.token, 'PO Box 9');
    await issue('2026-12');

    const text = async (key: string) => pdfText((await billPdf(sql, issued[key]!))!);
    const oct = await text('2026-10');
    expect(oct).toContain('GRACE HOPPER 12 ELM ST SPRINGFIELD, OR 97477');
    expect(oct).not.toContain('PO BOX');
    const nov = await text('2026-11');
    expect(nov).toContain('GRACE HOPPER PO BOX 7 EUGENE, OR 97401');
    expect(nov).not.toContain('PO BOX 9');
    const dec = await text('2026-12');
    expect(dec).toContain('GRACE HOPPER PO BOX 9 EUGENE, OR 97401');
    expect(dec).toContain('Billing period Dec 1 – Dec 31, 2026 (31 days)');
    expect(dec).toContain('Service address 12 Elm St Springfield, OR 97477');
    // the print vendor's file addresses each bill the same way
    const [row] = await sql<{ line1: string }[]>`
      select mail.line1 from bill b join account a on a.id = b.account_id
      ${mailingAddressJoin(sql, sql`b.created_at`)} where b.id = ${issued['2026-11']!}`;
    expect(row!.line1).toBe('PO Box 7');
    // one history row per request, each naming what it replaced
    const changes = await sql<{ previous: { line1: string } | null; address: { line1: string } }[]>`
      select previous, address from mailing_address_change
      where customer_id = ${ada.customer.id} order by changed_at`;
    expect(changes.map((c) => [c.previous?.line1 ?? null, c.address.line1])).toEqual([
      [null, 'PO Box 7'],
      ['PO Box 7', 'PO Box 9'],
    ]);
  });
});
