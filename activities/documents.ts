// Bill documents: a mail-ready PDF (pdfkit), tagged for screen readers, in the customer's language. Page 1
// is what a window envelope and a quick reader need: the mailing address, the account summary, the
// utility's message, this period's usage against last year, the charges by service and the remittance
// stub. Page 2 has the reads, a 13-month chart per metered service and every charge with its calculation.
// Stored once, so the copy never changes.
import { createHash } from 'node:crypto';
import PDFDocument from 'pdfkit';
import { type BillDocumentData, billDocumentData } from '../db/bill-document.js';
import type { Sql } from '../db/client.js';
import { currentUtility } from '../db/utility-settings.js';
import { chargeDescription } from '../domain/charge-words.js';
import { formatDay, formatMonthShort, formatPeriod } from '../domain/date-format.js';
import { dec, toCents } from '../domain/decimal.js';
import { formatCents } from '../domain/money-format.js';
import {
  changePercent,
  formatLineQuantity,
  formatPrice,
  formatQuantity,
  perDay,
} from '../domain/quantity-format.js';
import { scanLine } from '../domain/scan-line.js';
import { DEMO_UTILITY, type UtilityProfile } from '../lib/config.js';
import { billLabels } from './bill-pdf-labels.js';

const INK = '#1b2430';
const MUTED = '#5b6572';
/** past due and disconnection: a red that keeps 4.5:1 on white and on its own light tint */
const WARN = '#b3261e';
const WARN_BG = '#fdecea';
const RULE = '#d0d6de';
const LEFT = 40;
/** the address block sits where a #10 double-window envelope shows it when the page is folded in thirds */
const WINDOW = { x: 58, y: 122 };

/** What the utility prints on every bill: who it is (UTILITY_*) and its message (BILL_MESSAGE / _ES). */
export interface BillPrintSettings {
  utility?: UtilityProfile;
  /** the Spanish message falls back to the English one: a notice in English beats no notice */
  message?: { en?: string | null; es?: string | null };
  /** where the customer pays online: PUBLIC_URL + /portal; no online line when absent */
  portalUrl?: string | null;
}

type Labels = ReturnType<typeof billLabels>;
type Line = BillDocumentData['segments'][number]['lines'][number];

/** "7.14 ccf × $3.25", "1 month × $12.50", "16 of 31 days × $12.50", "3% of $45.20" */
export function lineCalculation(l: Line, locale: string, { t }: Labels): string {
  if (!l.quantity || !l.unitPrice) return '';
  if (l.unitPrice.endsWith('%') && l.unit === 'USD')
    return `${l.unitPrice} ${t('of')} ${formatCents(toCents(dec(l.quantity)), locale)}`;
  const price = l.unitPrice.endsWith('%') ? l.unitPrice : `$${formatPrice(l.unitPrice, locale)}`;
  const part = /^(\d+)\/(\d+)$/.exec(l.quantity);
  let qty: string;
  if (part && l.unit === 'period') qty = t('ofDays', { n: part[1]!, d: part[2]! });
  else {
    const q = formatLineQuantity(l.quantity, locale);
    const one = q === '1';
    const unit =
      l.unit === 'period'
        ? t(one ? 'month' : 'months')
        : l.unit === 'year'
          ? t(one ? 'year' : 'years')
          : (l.unit ?? '');
    qty = `${q} ${unit}`.trim();
  }
  return `${qty} × ${price}`;
}

/** The change against last year, in words: "5% more", "12% less", "the same", "no bill last year". */
function changeText(usage: string, lastYear: string | null, { t }: Labels): string {
  if (lastYear === null) return t('noBillLastYear');
  const pct = changePercent(usage, lastYear);
  if (pct === null) return dec(usage) === 0n ? t('changeSame') : t('changeFromZero');
  return pct > 0 ? t('changeUp', { pct }) : pct < 0 ? t('changeDown', { pct: -pct }) : t('changeSame');
}

export function renderBillPdf(d: BillDocumentData, settings: BillPrintSettings = {}): Promise<Buffer> {
  const profile = settings.utility ?? DEMO_UTILITY;
  const utility = profile.name;
  // the utility's own colour for the amount due and this period's bar (config keeps it AA on white)
  const ACCENT = profile.brandColor;
  const lang = d.language;
  const locale = lang === 'es' ? 'es-US' : 'en-US';
  const L = billLabels(lang);
  const { t } = L;
  const money = (c: number) => formatCents(c, locale);
  const qty = (q: string, unit: string) => `${formatQuantity(q, locale)} ${unit}`;
  const period = formatPeriod(d.period.start, d.period.end, lang);
  const message = (lang === 'es' ? settings.message?.es : null) || settings.message?.en || null;

  const doc = new PDFDocument({
    size: 'LETTER',
    margin: LEFT,
    pdfVersion: '1.7',
    tagged: true,
    lang: locale,
    displayTitle: true,
    info: { Title: t('title', { account: d.accountNumber, period }), Author: utility },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const W = doc.page.width - 2 * LEFT;
  const root = doc.struct('Document');
  doc.addStructure(root);
  /** a structure element drawn by `draw`, added to `parent` (which runs `draw` at once) */
  const tag = (parent: PDFKit.PDFStructureElement, type: string, draw: () => void, alt?: string) => {
    const el = doc.struct(type, alt ? { alt } : {}, draw);
    parent.add(el);
    return el;
  };
  /** boxes, rules and bars: decoration a screen reader skips */
  const artifact = (draw: () => void) => {
    doc.markContent('Artifact', { type: 'Layout' });
    draw();
    doc.endMarkedContent();
  };
  const right = { width: W - 320, align: 'right' as const };

  // header: who sends it (its logo, then its name beside it), which account, when it is due
  const LOGO = 44;
  const head = profile.logo ? LEFT + LOGO + 10 : LEFT;
  if (profile.logo) {
    const logo = profile.logo;
    const image = 'data' in logo ? Buffer.from(logo.data) : logo.path;
    tag(root, 'Figure', () => doc.image(image, LEFT, LEFT, { fit: [LOGO, LOGO] }), utility);
  }
  tag(root, 'H1', () => doc.fillColor(INK).font('Helvetica-Bold').fontSize(16).text(utility, head, LEFT));
  tag(root, 'P', () =>
    doc
      .font('Helvetica')
      .fontSize(9)
      .fillColor(MUTED)
      .text(`${t('billingPeriod')} ${period} (${t('days', { n: d.period.days })})`, head, 62),
  );
  // how to reach the utility, under its name: the number a customer calls, and the one for emergencies
  const contact = [
    [profile.phone && t('questions', { phone: profile.phone }), profile.website?.replace(/^https?:\/\//, '')]
      .filter(Boolean)
      .join(' · '),
    profile.emergencyPhone && t('emergency', { phone: profile.emergencyPhone }),
    profile.officeHours && t('hours', { hours: profile.officeHours }),
  ].filter((l): l is string => !!l);
  if (contact.length)
    tag(root, 'P', () => {
      const width = 360 - head - 10;
      doc.font('Helvetica').fontSize(8).fillColor(MUTED).text(contact[0]!, head, 76, { width });
      for (const l of contact.slice(1)) doc.text(l, { width });
    });
  tag(root, 'P', () => {
    doc
      .fillColor(INK)
      .fontSize(10)
      .text(`${t('account')} ${d.accountNumber}`, 360, LEFT, right);
    doc.text(`${t('billDate')} ${formatDay(d.billDate, lang)}`, right);
    doc.font('Helvetica-Bold').text(`${t('due')} ${formatDay(d.dueDate, lang)}`, right);
  });

  // mailing address, in the envelope window; the premise served beside it
  tag(root, 'P', () => {
    doc.font('Helvetica').fontSize(10).fillColor(INK).text(d.customerName.toUpperCase(), WINDOW.x, WINDOW.y);
    for (const l of d.mailingAddress) doc.text(l.toUpperCase());
  });
  tag(root, 'P', () => {
    doc.fontSize(8).fillColor(MUTED).text(t('serviceAddress'), 360, WINDOW.y, right);
    doc.fontSize(9).fillColor(INK);
    for (const l of d.serviceAddress) doc.text(l, right);
  });

  // account summary
  let y = 196;
  artifact(() => doc.roundedRect(LEFT, y, W, 62, 4).strokeColor(RULE).stroke());
  const cols: [string, number][] = [
    [t('previousBalance'), d.previousBalanceCents],
    [t('payments'), -d.paymentsCents],
    [t('adjustments'), d.adjustmentsCents],
    [t('currentCharges'), d.currentChargesCents],
    [t('amountDue'), d.amountDueCents],
  ];
  const summary = doc.struct('Table');
  root.add(summary);
  const labelsRow = doc.struct('TR');
  const amountsRow = doc.struct('TR');
  summary.add(labelsRow);
  summary.add(amountsRow);
  cols.forEach(([label, cents], i) => {
    const x = 50 + i * (W / 5);
    tag(labelsRow, 'TH', () =>
      doc
        .fontSize(8)
        .fillColor(MUTED)
        .font('Helvetica')
        .text(label, x, y + 12, { width: W / 5 - 10 }),
    );
    tag(amountsRow, 'TD', () =>
      doc
        .fontSize(i === 4 ? 14 : 11)
        .fillColor(i === 4 ? ACCENT : INK)
        .font(i === 4 ? 'Helvetica-Bold' : 'Helvetica')
        .text(money(cents), x, y + 28, { width: W / 5 - 10 }),
    );
  });
  labelsRow.end();
  amountsRow.end();
  summary.end();
  y += 76;

  // past due on the bill date, and the disconnect a final notice scheduled: before anything else
  if (d.pastDue) {
    const h = 36;
    artifact(() => doc.roundedRect(LEFT, y, W, h, 4).fillColor(WARN_BG).fill());
    const box = doc.struct('Sect');
    root.add(box);
    tag(box, 'H2', () =>
      doc
        .fillColor(WARN)
        .font('Helvetica-Bold')
        .fontSize(12)
        .text(t('pastDue', { amount: money(d.pastDue!.cents) }), LEFT + 10, y + 6, { width: W - 20 }),
    );
    tag(box, 'P', () =>
      doc
        .fillColor(INK)
        .font('Helvetica')
        .fontSize(8)
        .text(t('pastDueSince', { date: formatDay(d.pastDue!.oldestDueDate, lang) }), LEFT + 10, y + 22, {
          width: W - 20,
        }),
    );
    box.end();
    y += h + 10;
  }
  if (d.disconnection) {
    const body = `${t('disconnectBody', {
      date: formatDay(d.disconnection.on, lang),
      amount: money(d.disconnection.amountCents),
    })} ${profile.phone ? t('disconnectCall', { phone: profile.phone }) : t('disconnectContact', { utility })}`;
    const h =
      doc
        .font('Helvetica-Bold')
        .fontSize(9)
        .heightOfString(body, { width: W - 24 }) + 32;
    artifact(() =>
      doc
        .lineWidth(2)
        .rect(LEFT + 1, y, W - 2, h)
        .strokeColor(WARN)
        .stroke()
        .lineWidth(1),
    );
    const box = doc.struct('Sect');
    root.add(box);
    tag(box, 'H2', () =>
      doc
        .fillColor(WARN)
        .font('Helvetica-Bold')
        .fontSize(11)
        .text(t('disconnectTitle'), LEFT + 12, y + 9, { width: W - 24 }),
    );
    tag(box, 'P', () =>
      doc
        .fillColor(INK)
        .font('Helvetica-Bold')
        .fontSize(9)
        .text(body, LEFT + 12, y + 24, { width: W - 24 }),
    );
    box.end();
    y += h + 10;
  }

  // the utility's message
  if (message) {
    const h =
      doc
        .font('Helvetica')
        .fontSize(9)
        .heightOfString(message, { width: W - 20 }) + 26;
    artifact(() => doc.rect(LEFT, y, W, h).fillColor('#eef3fb').fill());
    const box = doc.struct('Sect');
    root.add(box);
    tag(box, 'H2', () =>
      doc
        .fillColor(INK)
        .font('Helvetica-Bold')
        .fontSize(9)
        .text(t('message', { utility }), LEFT + 10, y + 8),
    );
    tag(box, 'P', () =>
      doc
        .font('Helvetica')
        .fontSize(9)
        .text(message, LEFT + 10, y + 20, { width: W - 20 }),
    );
    box.end();
    y += h + 12;
  }

  // this period's usage: days, per day, against the same period last year
  if (d.usage.length) {
    tag(root, 'H2', () =>
      doc.fillColor(INK).font('Helvetica-Bold').fontSize(11).text(t('yourUsage'), LEFT, y),
    );
    y += 16;
    const xs = [LEFT, 130, 220, 330, 460];
    const head = [t('service'), t('used'), t('perDay'), t('lastYear'), ''];
    const table = doc.struct('Table');
    root.add(table);
    const row = (cells: string[], cell: 'TH' | 'TD', bold: boolean) => {
      const tr = doc.struct('TR');
      table.add(tr);
      cells.forEach((c, i) => {
        if (!c) return;
        tag(tr, i === 0 && !bold ? 'TH' : cell, () =>
          doc
            .font(bold ? 'Helvetica-Bold' : 'Helvetica')
            .fontSize(bold ? 8 : 9)
            .fillColor(bold ? MUTED : INK)
            .text(c, xs[i]!, y, { width: (xs[i + 1] ?? LEFT + W) - xs[i]! - 6 }),
        );
      });
      tr.end();
      y += bold ? 12 : 13;
    };
    row(head, 'TH', true);
    for (const u of d.usage)
      row(
        [
          L.service(u.service),
          qty(u.usage, u.unit),
          qty(perDay(u.usage, d.period.days), u.unit),
          u.lastYear === null ? t('noBillLastYear') : qty(u.lastYear, u.unit),
          u.lastYear === null ? '' : changeText(u.usage, u.lastYear, L),
        ],
        'TD',
        false,
      );
    table.end();
    y += 10;
  }

  // charges by service
  tag(root, 'H2', () =>
    doc.fillColor(INK).font('Helvetica-Bold').fontSize(11).text(t('chargesByService'), LEFT, y),
  );
  y += 16;
  for (const s of d.segments) {
    tag(root, 'P', () => {
      doc.font('Helvetica').fontSize(9).fillColor(INK).text(L.service(s.service), LEFT, y);
      doc.text(money(s.totalCents), LEFT, y, { width: W, align: 'right' });
    });
    y += 12;
  }
  tag(root, 'P', () =>
    doc
      .font('Helvetica-Bold')
      .fontSize(10)
      .text(t('totalCurrent'), LEFT, y + 2)
      .text(money(d.currentChargesCents), LEFT, y + 2, { width: W, align: 'right' }),
  );
  y += 20;
  tag(root, 'P', () => doc.font('Helvetica').fontSize(8).fillColor(MUTED).text(t('continued'), LEFT, y));
  y += 16;

  // ways to pay: online, by phone, by mail, autopay, two to a row, just above the stub (or on the last page
  // when page 1 has no room left for them)
  const portal = settings.portalUrl?.replace(/^https?:\/\//, '') ?? null;
  const ways = [
    portal && t('payOnline', { url: portal }),
    profile.phone && t('payPhone', { phone: profile.phone }),
    t('payMail', { address: profile.remitTo.join(', ') }),
    portal || profile.phone ? t(portal ? 'payAutopay' : 'payAutopayNoOnline') : null,
    // the utility's own words about paying late, as its admins saved them
    profile.lateFeeText || null,
  ].filter((w): w is string => !!w);
  const colW = W / 2 - 8;
  const waysHeight = () => {
    doc.font('Helvetica').fontSize(8);
    let h = 14;
    for (let i = 0; i < ways.length; i += 2)
      h += Math.max(...ways.slice(i, i + 2).map((w) => doc.heightOfString(w, { width: colW }))) + 3;
    return h;
  };
  const drawWays = (top: number) => {
    const sect = doc.struct('Sect');
    root.add(sect);
    tag(sect, 'H2', () =>
      doc.fillColor(INK).font('Helvetica-Bold').fontSize(9).text(t('waysToPay'), LEFT, top),
    );
    const list = doc.struct('L');
    sect.add(list);
    let at = top + 14;
    for (let i = 0; i < ways.length; i += 2) {
      const row = ways.slice(i, i + 2);
      row.forEach((w, j) => {
        const li = doc.struct('LI');
        list.add(li);
        tag(li, 'LBody', () =>
          doc
            .fillColor(INK)
            .font('Helvetica')
            .fontSize(8)
            .text(w, LEFT + j * (colW + 16), at, { width: colW }),
        );
        li.end();
      });
      doc.font('Helvetica').fontSize(8);
      at += Math.max(...row.map((w) => doc.heightOfString(w, { width: colW }))) + 3;
    }
    list.end();
    sect.end();
  };
  const stubTop = doc.page.height - 130;
  const waysOnFirst = y + waysHeight() <= stubTop - 8;
  if (waysOnFirst) drawWays(Math.max(y, stubTop - 8 - waysHeight()));

  // remittance stub, in the page's bottom margin (so pdfkit does not break its last lines onto a new page)
  doc.page.margins.bottom = 0;
  const stub = doc.page.height - 130;
  artifact(() =>
    doc
      .moveTo(LEFT, stub)
      .lineTo(LEFT + W, stub)
      .dash(3, { space: 3 })
      .strokeColor(MUTED)
      .stroke()
      .undash(),
  );
  const remit = doc.struct('Sect');
  root.add(remit);
  tag(remit, 'P', () =>
    doc
      .fillColor(MUTED)
      .font('Helvetica')
      .fontSize(7)
      .text(t('stub'), LEFT, stub + 4),
  );
  tag(remit, 'P', () => {
    doc
      .fillColor(INK)
      .fontSize(10)
      .text(`${t('account')} ${d.accountNumber}`, LEFT, stub + 22)
      .text(d.customerName);
    for (const l of d.mailingAddress) doc.text(l);
  });
  tag(remit, 'P', () => {
    doc.text(`${t('amountDue')} ${money(d.amountDueCents)}`, 330, stub + 22, {
      width: W - 290,
      align: 'right',
    });
    // past due on the stub too, so whoever opens the envelope sees it
    const shift = d.pastDue ? 12 : 0;
    if (d.pastDue)
      doc
        .font('Helvetica-Bold')
        .fontSize(8)
        .fillColor(WARN)
        .text(t('pastDue', { amount: money(d.pastDue.cents) }), 330, stub + 34, {
          width: W - 290,
          align: 'right',
        })
        .font('Helvetica')
        .fontSize(10)
        .fillColor(INK);
    doc.text(`${t('due')} ${formatDay(d.dueDate, lang)}`, 330, stub + 36 + shift, {
      width: W - 290,
      align: 'right',
    });
    doc.text(t('enclosed'), 330, stub + 50 + shift, { width: W - 290, align: 'right' });
    // where mailed payments go: the remit-to address, which need not be the office's
    doc
      .fontSize(7)
      .fillColor(MUTED)
      .text(t('payTo', { utility }), 330, stub + 66 + shift, { width: W - 290, align: 'right' });
    doc.fontSize(8).fillColor(INK);
    for (const l of profile.remitTo) doc.text(l, { width: W - 290, align: 'right' });
  });
  // the scan line a lockbox reads: account, amount due and a check digit (domain/scan-line.ts)
  const scan = scanLine(d.accountNumber, d.amountDueCents);
  if (scan)
    tag(remit, 'P', () =>
      doc
        .font('Courier')
        .fontSize(10)
        .fillColor(INK)
        .text(scan, LEFT, stub + 112),
    );
  remit.end();

  // page 2: the details
  doc.addPage();
  y = LEFT;
  /** starts a new page when `h` more points would not fit */
  const room = (h: number) => {
    if (y + h > doc.page.height - LEFT) {
      doc.addPage();
      y = LEFT;
    }
  };
  if (d.reads.length || d.intervals.length) {
    tag(root, 'H2', () =>
      doc.fillColor(INK).font('Helvetica-Bold').fontSize(11).text(t('meterReads'), LEFT, y),
    );
    y += 16;
  }
  if (d.reads.length) {
    const fmt = (x: { value: string; date: string; estimated: boolean } | null) =>
      x ? `${x.value} ${t('on')} ${x.date} ${x.estimated ? t('estimated') : t('actual')}` : t('none');
    for (const r of d.reads) {
      room(13);
      tag(root, 'P', () =>
        doc
          .font('Helvetica')
          .fontSize(9)
          .fillColor(INK)
          .text(
            `${L.service(r.service)} ${t('meter')} ${r.meter}: ${fmt(r.start)} ${t('to')} ${fmt(r.end)} = ${qty(r.usage ?? '0', r.unit)}`,
            LEFT,
            y,
            { width: W },
          ),
      );
      y += 13;
    }
  }

  for (const iv of d.intervals) {
    room(13);
    // "Electric: 721 meter intervals (3 estimated); Off-peak 616 kWh, Peak 105 kWh; peak 4.5 kW on 2026-11-17 18:00"
    const parts = [
      `${L.service(iv.service)}: ${t('intervals', { n: iv.count })}${iv.estimated ? ` ${t('intervalsEstimated', { n: iv.estimated })}` : ''}`,
      ...(iv.byPeriod.length
        ? [iv.byPeriod.map((p) => `${p.period} ${qty(p.quantity, iv.unit)}`).join(', ')]
        : []),
      ...(iv.peak ? [t('peakAt', { kw: iv.peak.kw, at: iv.peak.at.slice(0, 16).replace('T', ' ') })] : []),
    ];
    tag(root, 'P', () =>
      doc.font('Helvetica').fontSize(9).fillColor(INK).text(parts.join('; '), LEFT, y, { width: W }),
    );
    y += 13;
  }

  // a 13-month chart per metered service, a slot per month (a month with no bill stays empty); the
  // figure's alt text carries every month's figure
  for (const u of d.usage) {
    const h = 70;
    room(h + 44);
    y += 8;
    const name = L.service(u.service).toLowerCase();
    tag(root, 'H3', () =>
      doc
        .fillColor(INK)
        .font('Helvetica-Bold')
        .fontSize(10)
        .text(t('chart', { service: name, n: u.months.length, unit: u.unit }), LEFT, y),
    );
    y += 16;
    const top = y;
    const max = Math.max(...u.months.map((m) => Number(m.usage ?? 0)), 1); // bar heights only: no money here
    const bw = Math.min(32, W / u.months.length - 6);
    const alt = t('chartAlt', {
      service: name,
      months: u.months
        .map(
          (m) =>
            `${formatMonthShort(m.period, lang)} ${m.usage === null ? t('noBill') : qty(m.usage, u.unit)}`,
        )
        .join(', '),
    });
    tag(
      root,
      'Figure',
      () =>
        u.months.forEach((m, i) => {
          const x = LEFT + 4 + i * (bw + 6);
          const bh = (Number(m.usage ?? 0) / max) * h;
          if (m.usage !== null)
            doc.rect(x, top + h - bh, bw, bh).fill(i === u.months.length - 1 ? ACCENT : '#9fb3cc');
          doc
            .fillColor(MUTED)
            .font('Helvetica')
            .fontSize(6.5)
            .text(formatMonthShort(m.period, lang), x - 3, top + h + 3, { width: bw + 6, align: 'center' });
          if (m.usage !== null)
            doc.text(formatQuantity(m.usage, locale), x - 3, top + h - bh - 9, {
              width: bw + 6,
              align: 'center',
            });
        }),
      alt,
    );
    y += h + 16;
  }

  // charges, with how each was calculated
  room(40);
  y += 8;
  tag(root, 'H2', () => doc.fillColor(INK).font('Helvetica-Bold').fontSize(11).text(t('charges'), LEFT, y));
  y += 16;
  for (const s of d.segments) {
    room(12 + 11 * s.lines.length);
    tag(root, 'H3', () => {
      doc.font('Helvetica-Bold').fontSize(9).fillColor(INK).text(L.service(s.service), LEFT, y);
      doc.text(money(s.totalCents), LEFT, y, { width: W, align: 'right' });
    });
    y += 12;
    for (const l of s.lines) {
      tag(root, 'P', () => {
        doc
          .font('Helvetica')
          .fontSize(8.5)
          .fillColor(INK)
          .text(chargeDescription(l.description, lang), LEFT + 12, y, { width: 220 });
        doc.fillColor(MUTED).text(lineCalculation(l, locale, L), 280, y, { width: 180 });
        doc.fillColor(INK).text(money(l.amountCents), LEFT, y, { width: W, align: 'right' });
      });
      y += 11;
    }
    y += 4;
  }
  room(14);
  tag(root, 'P', () =>
    doc
      .font('Helvetica-Bold')
      .fontSize(10)
      .text(t('totalCurrent'), LEFT, y)
      .text(money(d.currentChargesCents), LEFT, y, { width: W, align: 'right' }),
  );
  if (!waysOnFirst) {
    y += 24;
    room(waysHeight());
    drawWays(y);
  }
  root.end();
  doc.end();
  return done;
}

/** The stored PDF of a bill, rendering and storing it the first time it is asked for. */
export async function billPdf(
  sql: Sql,
  billId: string,
  settings: BillPrintSettings = {},
): Promise<Buffer | undefined> {
  const [stored] = await sql<{ pdf: Buffer }[]>`select pdf from bill_document where bill_id = ${billId}`;
  if (stored) return stored.pdf;
  const data = await billDocumentData(sql, billId);
  if (!data) return undefined;
  // who it is from: the utility's settings as saved now, the environment's (settings.utility) until then
  const utility = await currentUtility(sql, { utility: settings.utility ?? DEMO_UTILITY });
  const pdf = await renderBillPdf(data, { ...settings, utility });
  const sha = createHash('sha256').update(pdf).digest('hex');
  await sql`insert into bill_document (bill_id, pdf, sha256) values (${billId}, ${pdf}, ${sha}) on conflict (bill_id) do nothing`;
  // a concurrent request may have stored first: always serve the stored copy
  const [row] = await sql<{ pdf: Buffer }[]>`select pdf from bill_document where bill_id = ${billId}`;
  return row!.pdf;
}
