// The bill a customer receives: its PDF carries the figures the ledger and the bill lines hold, is ready
// for a window envelope (mailing address, remittance stub), speaks the customer's language and is tagged.
import { beforeAll, describe, expect, it } from 'vitest';
import { billPdf, renderBillPdf } from '../../activities/documents.js';
import { addRead } from '../../db/accounts.js';
import { billDocumentData } from '../../db/bill-document.js';
import { issueBill, loadBillingInputs } from '../../db/billing.js';
import type { Sql } from '../../db/client.js';
import { accountCharges, openCase, performCollectionAction } from '../../db/collections.js';
import { seedDemo } from '../../db/demo/seed.js';
import { mailingAddressJoin } from '../../db/mailing-address.js';
import { recordCounterPayment } from '../../db/payments.js';
import { calculateBill } from '../../domain/bill-calc.js';
import { pastDueOn } from '../../domain/collections.js';
import { formatCents } from '../../domain/decimal.js';
import { addDays, monthlyPeriod } from '../../domain/period.js';
import { readScanLine } from '../../domain/scan-line.js';
import { DEMO_UTILITY, loadConfig } from '../../lib/config.js';
import { newId } from '../../lib/ids.js';
import { eventually, simpleBill, waterAccount } from '../support/accounts.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { pdfPagePng, pdfPages, pdfTags, pdfText } from '../support/pdf.js';
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

  it("prints the utility's logo as an image, tagged with its name, and no image when there is no logo", async () => {
    const d = (await billDocumentData(sql, billId))!;
    const withLogo = await renderBillPdf(d, { utility: DEMO_UTILITY });
    const without = await renderBillPdf(d, { utility: { ...DEMO_UTILITY, logo: null } });
    // pdfkit writes an image as an XObject of subtype Image (the demo PNG's alpha channel as a second one, its
    // soft mask); the charts are drawn, not images
    const images = (pdf: Buffer) => pdf.toString('latin1').match(/\/Subtype \/Image/g)?.length ?? 0;
    expect(images(withLogo)).toBeGreaterThanOrEqual(1);
    expect(images(without)).toBe(0);
    expect((await pdfTags(withLogo)).figureAlts[0]).toBe(DEMO_UTILITY.name);
    expect((await pdfTags(without)).figureAlts).not.toContain(DEMO_UTILITY.name);
    // the name still heads the page either way
    for (const pdf of [withLogo, without]) expect((await pdfPages(pdf))[0]).toMatch(/^cisflow demo utility /);
  });

  it('keeps the stub on page 1 with everything page 1 can carry: logo, message, past due, a disconnect notice, ways to pay', async () => {
    // the demo bill with the most services, given a past due amount and a scheduled disconnect
    const [most] = await sql<{ billId: string }[]>`
      select bill_id from bill_segment s join bill b on b.id = s.bill_id where b.period = '2026-10'
      group by 1 order by count(*) desc, 1 limit 1`;
    const d = (await billDocumentData(sql, most!.billId))!;
    expect(d.segments.length).toBeGreaterThanOrEqual(3);
    // as if last month's bill had gone unpaid: the story still adds up to the amount due
    const unpaid = d.previousBalanceCents;
    expect(unpaid).toBeGreaterThan(0);
    const render = (language: 'en' | 'es') =>
      renderBillPdf(
        {
          ...d,
          language,
          paymentsCents: 0,
          amountDueCents: d.amountDueCents + d.paymentsCents,
          pastDue: { cents: unpaid, oldestDueDate: '2026-10-22' },
          disconnection: { on: '2026-11-12', amountCents: unpaid },
        },
        {
          message: {
            en: 'Water rates change on January 1. Call 541-555-0100 with questions about your bill.',
            es: 'Las tarifas del agua cambian el 1 de enero. Llame al 541-555-0100 si tiene preguntas sobre su factura.',
          },
          portalUrl: 'https://utility.example.org/portal',
        },
      );
    const pdf = await render('en');
    const [first, ...rest] = await pdfPages(pdf);
    expect(first).toContain(`Past due: ${formatCents(unpaid)} — please pay now`);
    expect(first).toContain('Disconnection notice');
    expect(first).toContain('Ways to pay Online: utility.example.org/portal');
    expect(first).toContain('Return this portion with your payment');
    expect(first).toMatch(/\b\d{12} \d{10} \d\b/);
    expect(rest[0]).toMatch(/^Meter reads/);
    expect(rest.join(' ')).not.toMatch(/Return this portion|Ways to pay|\b\d{12} \d{10} \d\b/);
    // the Spanish words are longer: the same page still holds them
    const [primera, ...resto] = await pdfPages(await render('es'));
    expect(primera).toContain('Aviso de desconexión');
    expect(primera).toContain('Formas de pago En línea: utility.example.org/portal');
    expect(primera).toContain('Devuelva esta parte con su pago');
    expect(resto[0]).toMatch(/^Lecturas del medidor/);
    expect(resto.join(' ')).not.toMatch(/Devuelva esta parte|Formas de pago|\b\d{12} \d{10} \d\b/);
    // a picture of page 1 for people to look at; never a reason to fail
    const shot = pdfPagePng(pdf, 'bill-pdf-page1');
    if ('skipped' in shot) console.log(`no bill screenshot: ${shot.skipped}`);
    else console.log(`bill screenshot: ${shot.file}`);
  });

  it('prints plain quantities on every demo bill, in English and Spanish: "7.14 ccf", "1 month", never the stored digits', async () => {
    const all = await sql<
      { id: string }[]
    >`select id from bill where period in ('2026-09', '2026-10') order by id`;
    expect(all.length).toBeGreaterThanOrEqual(4);
    let averaged = 0;
    for (const { id } of all) {
      const d = (await billDocumentData(sql, id))!;
      for (const language of ['en', 'es'] as const) {
        const text = await pdfText(await renderBillPdf({ ...d, language }));
        // money has its cents; any other figure ending in ".0…", or of five and more decimals, is a stored one
        expect(text.replace(/\$[\d,]+\.\d\d\b/g, '$')).not.toMatch(
          /\d\.\d{5,}|\d\.0+\b|\d (period|periods)\b/,
        );
        expect(text).toMatch(language === 'en' ? /1 month × \$/ : /1 mes × \$/);
        // sewer on the winter average is a computed share (3.116666667 ccf): rounded, and marked so
        if (language === 'en' && /Sewer ~\d+\.\d\d ccf × \$2\.95/.test(text)) averaged++;
      }
    }
    expect(averaged).toBeGreaterThan(0);
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
  const PORTAL = 'https://pay.utility.example.org/portal';

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
    const pdf = (await billPdf(sql, bills['2026-09']!, { message: { en: MESSAGE }, portalUrl: PORTAL }))!;
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
    // how to pay: online, by phone, by mail to the remit-to address, autopay
    expect(text).toContain('Ways to pay Online: pay.utility.example.org/portal By phone: (541) 555-0100');
    expect(text).toContain(
      'By mail: a check with the stub below, to cisflow demo utility, PO Box 4100, Springfield, OR 97477-0410',
    );
    expect(text).toContain('Autopay: each bill paid on time from a saved card or bank account');

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
    // the logo first, named by the utility; then the chart, with every month's figure
    expect(tags.figureAlts).toEqual([
      DEMO_UTILITY.name,
      `water use by month: Sep 25 40 ccf, ${between.map((m) => `${m} no bill`).join(', ')}, Sep 26 50 ccf`,
    ]);
  });

  it('prints every label in Spanish for a Spanish-speaking customer', async () => {
    const d = (await billDocumentData(sql, bills['2026-09']!))!;
    expect(d.language).toBe('en');
    const text = await pdfText(
      await renderBillPdf(
        { ...d, language: 'es' },
        { message: { en: MESSAGE, es: 'Las tarifas cambian el 1 de enero.' }, portalUrl: PORTAL },
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
    // the tariff's English line names, translated where the words are known; the stored lines are unchanged
    expect(text).toContain('Cargo fijo de agua 1 mes × $18.40 $18.40');
    expect(text).toContain('Consumo de agua 50 ccf × $3.62 $181.00');
    expect(d.segments[0]!.lines.map((l) => l.description).sort()).toEqual([
      'Water customer charge',
      'Water usage',
    ]);
    // ways to pay, in Spanish
    expect(text).toContain(
      'Formas de pago En línea: pay.utility.example.org/portal Por teléfono: (541) 555-0100',
    );
    expect(text).toContain(
      'Por correo: un cheque con la parte de abajo, a cisflow demo utility, PO Box 4100',
    );
    expect(text).toContain('Pago automático: cada factura pagada a tiempo');
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
      'Water customer charge',
      'Water usage',
      'Ways to pay',
      'By phone',
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

describe('past due and a scheduled disconnect, as of the bill date', () => {
  // Bills of fixed amounts on named dates: Sep 2026's (dated Sep 30) and Oct 2026's (dated Oct 31, due Nov 21).
  const OCT_1 = '2026-10-01';
  const OCT_6 = '2026-10-06';
  const OCT_10 = '2026-10-10';
  const OCT_20 = '2026-10-20';
  const OCT_21 = '2026-10-21';
  const OCT_25 = '2026-10-25';
  const OCT_31 = '2026-10-31';
  const NOV_5 = '2026-11-05';
  const NOV_21 = '2026-11-21';
  const pay = (accountId: string, amountCents: number, receivedOn: string) =>
    sql.begin((tx) =>
      recordCounterPayment(tx, {
        accountId,
        amountCents,
        method: 'cash',
        receivedOn,
        idempotencyKey: newId('pay'),
        reference: null,
      }),
    );
  const twoBills = async (
    sepCents: number,
    sepDue: string,
    between: (accountId: string, sepBillId: string) => Promise<void>,
  ) => {
    const a = await waterAccount(sql);
    const sep = await simpleBill(sql, {
      accountId: a.acct.id,
      agreementId: a.agreementId,
      period: '2026-09',
      totalCents: sepCents,
      dueDate: sepDue,
    });
    await between(a.acct.id, sep.billId);
    const oct = await simpleBill(sql, {
      accountId: a.acct.id,
      agreementId: a.agreementId,
      period: '2026-10',
      totalCents: 8_000,
      dueDate: NOV_21,
    });
    return { accountId: a.acct.id as string, billId: oct.billId };
  };
  const firstPage = async (billId: string, lang: 'en' | 'es' = 'en') =>
    (await pdfPages(await renderBillPdf({ ...(await billDocumentData(sql, billId))!, language: lang })))[0]!;
  const count = (text: string, part: string) => text.split(part).length - 1;

  it('a previous balance past due on the bill date: on page 1 and on the stub, and the same on a reprint', async () => {
    // $120.00 due Oct 20, $50.00 of it paid Oct 10: $70.00 unpaid when the Oct 31 bill is made
    const { accountId, billId } = await twoBills(12_000, OCT_20, (id) =>
      pay(id, 5_000, OCT_10).then(() => {}),
    );
    const d = (await billDocumentData(sql, billId))!;
    expect(d.billDate).toBe(OCT_31);
    expect(d.pastDue).toEqual({ cents: 7_000, oldestDueDate: OCT_20 });
    expect(d.disconnection).toBeNull();
    const first = await firstPage(billId);
    // once at the top, once on the stub
    expect(count(first, 'Past due: $70.00 — please pay now')).toBe(2);
    expect(first).toContain('Due Oct 20, 2026 and still unpaid; it is part of the amount due above.');
    expect(first).not.toContain('Disconnection notice');
    expect(first).toContain(`Amount due ${formatCents(15_000)}`);
    const spanish = await firstPage(billId, 'es');
    expect(count(spanish, 'Saldo vencido: $70.00 — por favor pague ahora')).toBe(2);

    // paid after the bill was made, one payment dated before it (a mailed check posted late): the ledger now
    // says nothing was past due on Oct 31, but the bill was made when $70.00 was, and a reprint says so
    await pay(accountId, 7_000, OCT_25);
    await pay(accountId, 8_000, NOV_21);
    const { charges } = await accountCharges(sql, accountId);
    expect(pastDueOn(charges, OCT_31).pastDueCents).toBe(0);
    expect((await billDocumentData(sql, billId))!.pastDue).toEqual({ cents: 7_000, oldestDueDate: OCT_20 });
    expect(await firstPage(billId)).toContain('Past due: $70.00 — please pay now');
    // nor does a final notice sent after it: no disconnect was scheduled when the bill was made
    const caseId = await openCase(sql, accountId, `dunning/test-${accountId}`);
    await performCollectionAction(sql, {
      accountId,
      caseId,
      today: NOV_21,
      action: { kind: 'final_notice', amountCents: 7_000, disconnectOn: '2026-12-01' },
    });
    expect((await billDocumentData(sql, billId))!.disconnection).toBeNull();
  });

  it("a collections case's scheduled disconnect: a boxed notice with the date, the amount to pay and whom to call", async () => {
    // $500.00 due Oct 1; a $7.50 late fee on Oct 6; the final notice of Oct 21 names Nov 5
    const { accountId, billId } = await twoBills(50_000, OCT_1, async (id, sepBill) => {
      const caseId = await openCase(sql, id, `dunning/test-${id}`);
      await performCollectionAction(sql, {
        accountId: id,
        caseId,
        today: OCT_6,
        action: { kind: 'late_fee', billId: sepBill, feeCents: 750 },
      });
      await performCollectionAction(sql, {
        accountId: id,
        caseId,
        today: OCT_21,
        action: { kind: 'final_notice', amountCents: 50_750, disconnectOn: NOV_5 },
      });
    });
    const d = (await billDocumentData(sql, billId))!;
    expect(d.pastDue).toEqual({ cents: 50_750, oldestDueDate: OCT_1 });
    expect(d.disconnection).toEqual({ on: NOV_5, amountCents: 50_750 });
    const first = await firstPage(billId);
    expect(first).toContain('Past due: $507.50 — please pay now');
    expect(first).toContain(
      'Disconnection notice Your service may be disconnected on or after Nov 5, 2026 unless $507.50 is paid before then. To pay, or to ask about a payment arrangement, call (541) 555-0100.',
    );
    expect(await firstPage(billId, 'es')).toContain(
      'Aviso de desconexión Su servicio puede ser desconectado a partir del 5 nov 2026 si no se pagan $507.50 antes de esa fecha. Para pagar o pedir un plan de pagos, llame al (541) 555-0100.',
    );

    // what happens after the bill (the disconnect itself, a payment in full) does not change its reprint
    const [open] = await sql<{ id: string }[]>`
      select id from collection_case where account_id = ${accountId} and status = 'open'`;
    await performCollectionAction(sql, {
      accountId,
      caseId: open!.id,
      today: NOV_5,
      action: { kind: 'disconnect', amountCents: 50_750 },
    });
    await pay(accountId, 58_750, NOV_5);
    expect((await billDocumentData(sql, billId))!.disconnection).toEqual({ on: NOV_5, amountCents: 50_750 });
  });

  it('a current account: neither, even when collections acts after the bill was made', async () => {
    // Sep's $120.00 paid in full on Oct 10, before its due date
    const { accountId, billId } = await twoBills(12_000, OCT_20, (id) =>
      pay(id, 12_000, OCT_10).then(() => {}),
    );
    const check = async () => {
      const d = (await billDocumentData(sql, billId))!;
      expect(d.pastDue).toBeNull();
      expect(d.disconnection).toBeNull();
      const first = await firstPage(billId);
      expect(first).not.toMatch(/Past due|Disconnection notice/);
      expect(first).toContain('Ways to pay');
    };
    await check();
    // a case opened and a final notice sent after the bill: not what was true when it was made
    const caseId = await openCase(sql, accountId, `dunning/test-${accountId}`);
    await performCollectionAction(sql, {
      accountId,
      caseId,
      today: '2026-12-12',
      action: { kind: 'final_notice', amountCents: 8_000, disconnectOn: '2026-12-22' },
    });
    await check();
  });
});
