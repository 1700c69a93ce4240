// The general ledger export's rules, pure: how a day's postings become a journal in the utility's chart of
// accounts, the two file layouts (CSV, QuickBooks IIF), and the AR roll-forward's arithmetic.
// Amounts are integer cents, debits positive and credits negative, as in the ledger.
import { centsToDecimal } from './decimal.js';

/** What moved the money, per journal entry (a reversal counts with what it reverses). */
export const GL_CATEGORIES = [
  'billing',
  'payment',
  'adjustment',
  'write_off',
  'deposit',
  'refund',
  'conversion',
] as const;
export type GlCategory = (typeof GL_CATEGORIES)[number];

/** One day's net movement on one source key for one category (from db/gl-export.ts). */
export interface SummaryRow {
  day: string;
  category: GlCategory;
  sourceKey: string;
  amountCents: number;
}

export interface GlTarget {
  glAccount: string;
  glName: string | null;
}

export interface JournalLine extends SummaryRow, GlTarget {
  debitCents: number;
  creditCents: number;
}

export interface DayJournal {
  day: string;
  lines: JournalLine[];
  debitCents: number;
  creditCents: number;
}

export class UnmappedAccountError extends Error {
  constructor(readonly sourceKey: string) {
    super(`ledger account '${sourceKey}' has postings but no GL account mapped`);
  }
}

export class UnbalancedDayError extends Error {}

/**
 * The ledger account a source key belongs to: 'revenue:water:commercial' (a rate class) is revenue:water,
 * 'cash_clearing:card' (a channel) is cash_clearing. The base key must be mapped; the finer key may be.
 */
export function baseKey(sourceKey: string): string {
  const parts = sourceKey.split(':');
  if (parts[0] === 'revenue' && parts.length === 3) return `${parts[0]}:${parts[1]}`;
  if (parts[0] === 'cash_clearing' && parts.length === 2) return parts[0];
  return sourceKey;
}

/** The GL account for a source key: its own mapping, else its ledger account's; null when neither. */
export function resolveGl(map: ReadonlyMap<string, GlTarget>, sourceKey: string): GlTarget | null {
  return map.get(sourceKey) ?? map.get(baseKey(sourceKey)) ?? null;
}

/** Days in order, each line mapped; refuses an unmapped key or a day whose debits and credits differ. */
export function dailyJournals(rows: SummaryRow[], map: ReadonlyMap<string, GlTarget>): DayJournal[] {
  const days = new Map<string, DayJournal>();
  for (const r of rows) {
    if (!Number.isSafeInteger(r.amountCents)) throw new RangeError(`${r.sourceKey}: not whole cents`);
    if (r.amountCents === 0) continue;
    const gl = resolveGl(map, r.sourceKey);
    if (!gl) throw new UnmappedAccountError(baseKey(r.sourceKey));
    let d = days.get(r.day);
    if (!d) {
      d = { day: r.day, lines: [], debitCents: 0, creditCents: 0 };
      days.set(r.day, d);
    }
    const debit = Math.max(r.amountCents, 0);
    const credit = Math.max(-r.amountCents, 0);
    d.lines.push({ ...r, ...gl, debitCents: debit, creditCents: credit });
    d.debitCents += debit;
    d.creditCents += credit;
  }
  const out = [...days.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
  for (const d of out) {
    if (d.debitCents !== d.creditCents)
      throw new UnbalancedDayError(`${d.day}: debits ${d.debitCents} ≠ credits ${d.creditCents}`);
    d.lines.sort(
      (a, b) =>
        GL_CATEGORIES.indexOf(a.category) - GL_CATEGORIES.indexOf(b.category) ||
        (a.sourceKey < b.sourceKey ? -1 : a.sourceKey > b.sourceKey ? 1 : 0),
    );
  }
  return out;
}

const memo = (l: JournalLine) => `cisflow ${l.category.replace('_', ' ')} ${l.day}`;

/** The documented CSV layout (docs/gl-export.md): one row per day, category and source key. */
export function journalCsv(days: DayJournal[]): string {
  const rows = ['date,gl_account,gl_name,category,source_key,debit,credit,memo'];
  for (const d of days)
    for (const l of d.lines)
      rows.push(
        [
          l.day,
          l.glAccount,
          csvField(l.glName ?? ''),
          l.category,
          l.sourceKey,
          l.debitCents ? centsToDecimal(l.debitCents) : '',
          l.creditCents ? centsToDecimal(l.creditCents) : '',
          memo(l),
        ].join(','),
      );
  return `${rows.join('\r\n')}\r\n`;
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * QuickBooks IIF: one GENERAL JOURNAL transaction per day (TRNS then SPL lines, debits positive, credits
 * negative), ACCNT the GL account's name in QuickBooks (gl_name, else gl_account).
 */
export function journalIif(days: DayJournal[]): string {
  const out = [
    '!TRNS\tTRNSTYPE\tDATE\tACCNT\tAMOUNT\tDOCNUM\tMEMO',
    '!SPL\tTRNSTYPE\tDATE\tACCNT\tAMOUNT\tDOCNUM\tMEMO',
    '!ENDTRNS',
  ];
  for (const d of days) {
    const [y, m, dd] = d.day.split('-');
    const date = `${m}/${dd}/${y}`;
    d.lines.forEach((l, i) => {
      const amount = centsToDecimal(l.debitCents - l.creditCents);
      const acct = (l.glName ?? l.glAccount).replace(/[\t\r\n]/g, ' ');
      out.push(
        [i === 0 ? 'TRNS' : 'SPL', 'GENERAL JOURNAL', date, acct, amount, `GL${d.day}`, memo(l)].join('\t'),
      );
    });
    out.push('ENDTRNS');
  }
  return `${out.join('\r\n')}\r\n`;
}

export interface ArRollForward {
  openingCents: number;
  billedCents: number;
  paidCents: number;
  adjustmentsCents: number;
  writeOffsCents: number;
  depositsCents: number;
  refundsCents: number;
  conversionsCents: number;
  closingCents: number;
  ledgerClosingCents: number;
  reconciles: boolean;
}

/**
 * Opening AR + billed − paid ± adjustments − write-offs (± deposits billed or applied, + refunds paid out,
 * ± converted opening balances) = closing AR; it reconciles when that equals the ledger's own AR balance.
 */
export function arRollForward(
  openingCents: number,
  arByCategory: Partial<Record<GlCategory, number>>,
  ledgerClosingCents: number,
): ArRollForward {
  const c = (k: GlCategory) => arByCategory[k] ?? 0;
  const r = {
    openingCents,
    billedCents: c('billing'),
    paidCents: -c('payment'),
    adjustmentsCents: c('adjustment'),
    writeOffsCents: -c('write_off'),
    depositsCents: c('deposit'),
    refundsCents: c('refund'),
    conversionsCents: c('conversion'),
  };
  const closingCents =
    r.openingCents +
    r.billedCents -
    r.paidCents +
    r.adjustmentsCents -
    r.writeOffsCents +
    r.depositsCents +
    r.refundsCents +
    r.conversionsCents;
  return { ...r, closingCents, ledgerClosingCents, reconciles: closingCents === ledgerClosingCents };
}
