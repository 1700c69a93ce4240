// Bill documents: a one-page PDF (pdfkit) with the reads, a 13-month usage chart, the charges and how they
// were calculated, the account summary and a remittance stub. Stored once, so the copy never changes.
import { createHash } from 'node:crypto';
import PDFDocument from 'pdfkit';
import { type BillDocumentData, billDocumentData, trimZeros as trim } from '../db/bill-document.js';
import type { Sql } from '../db/client.js';
import { formatCents } from '../domain/decimal.js';

const INK = '#1b2430';
const MUTED = '#5b6572';
const ACCENT = '#0b5fff';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const monthLabel = (period: string) => `${MONTHS[Number(period.slice(5, 7)) - 1]} ${period.slice(2, 4)}`;

export function renderBillPdf(d: BillDocumentData, utilityName = 'cisflow demo utility'): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'LETTER',
    margin: 40,
    info: { Title: `Bill ${d.period.key} for account ${d.accountNumber}`, Author: utilityName },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const W = doc.page.width - 80;

  // header
  doc.fillColor(INK).font('Helvetica-Bold').fontSize(16).text(utilityName, 40, 40);
  doc
    .font('Helvetica')
    .fontSize(9)
    .fillColor(MUTED)
    .text(`Bill for ${monthLabel(d.period.key)}: ${d.period.start} to ${d.period.end}`);
  doc
    .fillColor(INK)
    .fontSize(10)
    .text(`Account ${d.accountNumber}`, 360, 40, { width: W - 320, align: 'right' });
  doc.text(`Bill date ${d.billDate}`, { width: W - 320, align: 'right' });
  doc.font('Helvetica-Bold').text(`Due ${d.dueDate}`, { width: W - 320, align: 'right' });
  doc.font('Helvetica').fontSize(10).text(d.customerName, 40, 90);
  for (const l of d.serviceAddress) doc.text(l);

  // account summary
  let y = 140;
  doc.roundedRect(40, y, W, 62, 4).strokeColor('#d0d6de').stroke();
  const cols: [string, number][] = [
    ['Previous balance', d.previousBalanceCents],
    ['Payments', -d.paymentsCents],
    ['Adjustments', d.adjustmentsCents],
    ['Current charges', d.currentChargesCents],
    ['Amount due', d.amountDueCents],
  ];
  cols.forEach(([label, cents], i) => {
    const x = 50 + i * (W / 5);
    doc
      .fontSize(8)
      .fillColor(MUTED)
      .font('Helvetica')
      .text(label, x, y + 12, { width: W / 5 - 10 });
    doc
      .fontSize(i === 4 ? 14 : 11)
      .fillColor(i === 4 ? ACCENT : INK)
      .font(i === 4 ? 'Helvetica-Bold' : 'Helvetica')
      .text(formatCents(cents), x, y + 28, { width: W / 5 - 10 });
  });

  // meter reads
  y += 78;
  doc.fillColor(INK).font('Helvetica-Bold').fontSize(11).text('Meter reads', 40, y);
  y += 16;
  doc.font('Helvetica').fontSize(9);
  for (const r of d.reads) {
    const fmt = (x: { value: string; date: string; estimated: boolean } | null) =>
      x ? `${x.value} on ${x.date}${x.estimated ? ' (estimated)' : ' (actual)'}` : 'none';
    doc.text(
      `${r.service} meter ${r.meter}: ${fmt(r.start)} to ${fmt(r.end)} = ${trim(r.usage ?? '0')} ${r.unit}`,
      40,
      y,
      { width: W },
    );
    y += 13;
  }

  // 13-month usage chart
  if (d.usageHistory?.months.length) {
    y += 8;
    doc
      .font('Helvetica-Bold')
      .fontSize(11)
      .text(
        `Your ${d.usageHistory.service} use, last ${d.usageHistory.months.length} months (${d.usageHistory.unit})`,
        40,
        y,
      );
    y += 18;
    const h = 80;
    const months = d.usageHistory.months;
    const max = Math.max(...months.map((m) => Number(m.usage)), 1); // bar heights only: no money here
    const bw = Math.min(32, W / months.length - 6);
    months.forEach((m, i) => {
      const x = 44 + i * (bw + 6);
      const bh = (Number(m.usage) / max) * h;
      doc.rect(x, y + h - bh, bw, bh).fill(i === months.length - 1 ? ACCENT : '#9fb3cc');
      doc
        .fillColor(MUTED)
        .font('Helvetica')
        .fontSize(6.5)
        .text(monthLabel(m.period), x - 3, y + h + 3, { width: bw + 6, align: 'center' });
      doc.text(trim(m.usage), x - 3, y + h - bh - 9, { width: bw + 6, align: 'center' });
    });
    y += h + 18;
  }

  // charges, with how each was calculated
  doc.fillColor(INK).font('Helvetica-Bold').fontSize(11).text('Charges', 40, y);
  y += 16;
  for (const s of d.segments) {
    doc
      .font('Helvetica-Bold')
      .fontSize(9)
      .text(s.service[0]!.toUpperCase() + s.service.slice(1), 40, y);
    doc.text(formatCents(s.totalCents), 40, y, { width: W, align: 'right' });
    y += 12;
    doc.font('Helvetica').fontSize(8.5);
    for (const l of s.lines) {
      const calc =
        l.quantity && l.unitPrice
          ? `${l.quantity} ${l.unit ?? ''} x ${l.unitPrice.endsWith('%') ? l.unitPrice : `$${l.unitPrice}`}`
          : '';
      doc.fillColor(INK).text(l.description, 52, y, { width: 220 });
      doc.fillColor(MUTED).text(calc, 280, y, { width: 180 });
      doc.fillColor(INK).text(formatCents(l.amountCents), 40, y, { width: W, align: 'right' });
      y += 11;
    }
    y += 4;
  }
  doc
    .font('Helvetica-Bold')
    .fontSize(10)
    .text('Total current charges', 40, y)
    .text(formatCents(d.currentChargesCents), 40, y, { width: W, align: 'right' });

  // remittance stub
  const stub = doc.page.height - 130;
  doc
    .moveTo(40, stub)
    .lineTo(40 + W, stub)
    .dash(3, { space: 3 })
    .strokeColor(MUTED)
    .stroke()
    .undash();
  doc
    .fillColor(MUTED)
    .font('Helvetica')
    .fontSize(7)
    .text('Return this portion with your payment', 40, stub + 4);
  doc
    .fillColor(INK)
    .fontSize(10)
    .text(`Account ${d.accountNumber}`, 40, stub + 22)
    .text(d.customerName)
    .text(d.serviceAddress[0] ?? '');
  doc.text(`Amount due ${formatCents(d.amountDueCents)}`, 330, stub + 22, { width: W - 290, align: 'right' });
  doc.text(`Due ${d.dueDate}`, 330, stub + 36, { width: W - 290, align: 'right' });
  doc.text('Amount enclosed $__________', 330, stub + 56, { width: W - 290, align: 'right' });
  doc.end();
  return done;
}

/** The stored PDF of a bill, rendering and storing it the first time it is asked for. */
export async function billPdf(sql: Sql, billId: string): Promise<Buffer | undefined> {
  const [stored] = await sql<{ pdf: Buffer }[]>`select pdf from bill_document where bill_id = ${billId}`;
  if (stored) return stored.pdf;
  const data = await billDocumentData(sql, billId);
  if (!data) return undefined;
  const pdf = await renderBillPdf(data);
  const sha = createHash('sha256').update(pdf).digest('hex');
  await sql`insert into bill_document (bill_id, pdf, sha256) values (${billId}, ${pdf}, ${sha}) on conflict (bill_id) do nothing`;
  // a concurrent request may have stored first: always serve the stored copy
  const [row] = await sql<{ pdf: Buffer }[]>`select pdf from bill_document where bill_id = ${billId}`;
  return row!.pdf;
}
