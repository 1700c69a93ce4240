// General ledger export: the mapping to the utility's chart of accounts, daily journal summaries from the
// postings, export batches (a day goes out once unless re-exported on purpose), and the AR roll-forward.
// Days are journal entries' effective dates, which are already the utility's calendar dates (lib/clock).
import { createHash } from 'node:crypto';
import {
  arRollForward,
  dailyJournals,
  type GlCategory,
  type GlTarget,
  journalCsv,
  journalIif,
  type SummaryRow,
  UnmappedAccountError,
} from '../domain/gl-export.js';
import { addDays, monthlyPeriod } from '../domain/period.js';
import { newId } from '../lib/ids.js';
import type { Sql, Tx } from './client.js';
import { Refused } from './refused.js';

/**
 * Each posting's category and source key, for entries dated from..to. The category is the entry's (a
 * reversal takes the category of what it reverses; a refund is a reversal of nothing); the source key
 * collapses every customer's receivable into 'ar' and every carried net-metering credit into 'nem_credit',
 * and names revenue's rate class (the account's customer class) and cash's payment channel.
 */
function classifiedPostings(sql: Sql | Tx, from: string, to: string) {
  return sql`
    select je.effective_on, p.amount_cents,
      case
        when src.kind = 'bill' then 'billing'
        when src.kind = 'payment' then 'payment'
        when src.kind = 'deposit' then 'deposit'
        when src.kind = 'opening_balance' then 'conversion'
        when src.kind = 'fee' then 'adjustment'
        when src.kind = 'adjustment' then
          case when adj.kind = 'write_off' then 'write_off' else 'adjustment' end
        when rf.payment_id is not null then 'refund'
        else 'adjustment'
      end as category,
      case
        when la.account_id is not null then 'ar'
        when starts_with(la.id, 'nem_credit:') then 'nem_credit'
        when starts_with(la.id, 'revenue:') and la.id not in ('revenue:adjustments', 'revenue:bad_debt')
          then la.id || coalesce(':' || regexp_replace(lower(a.customer_class), '[^a-z_]', '_', 'g'), '')
        when la.id = 'cash_clearing' then la.id || coalesce(':' || coalesce(pay.method, rp.method), '')
        else la.id
      end as source_key
    from journal_entry je
    join posting p on p.journal_entry_id = je.id
    join ledger_account la on la.id = p.ledger_account_id
    join journal_entry src on src.id = coalesce(je.reverses_id, je.id)
    left join account a on a.id = je.account_id
    left join adjustment adj on adj.journal_entry_id = src.id
    left join refund rf on rf.journal_entry_id = src.id
    left join payment rp on rp.id = rf.payment_id
    left join lateral (select method from payment where journal_entry_id = src.id limit 1) pay on true
    where je.effective_on between ${from}::date and ${to}::date`;
}

/** Net movement per day, category and source key, dated from..to. */
export async function summaryRows(sql: Sql | Tx, from: string, to: string): Promise<SummaryRow[]> {
  return sql<SummaryRow[]>`
    select effective_on::text as day, category, source_key, sum(amount_cents)::bigint as amount_cents
    from (${classifiedPostings(sql, from, to)}) c
    group by 1, 2, 3 having sum(amount_cents) <> 0
    order by 1, 2, 3`;
}

// ---------------------------------------------------------------- mapping

export interface GlMapping {
  sourceKey: string;
  glAccount: string;
  glName: string | null;
}

export async function getGlMapping(sql: Sql | Tx): Promise<GlMapping[]> {
  return sql<GlMapping[]>`select source_key, gl_account, gl_name from gl_account_map order by source_key`;
}

const asMap = (rows: GlMapping[]) =>
  new Map<string, GlTarget>(rows.map((r) => [r.sourceKey, { glAccount: r.glAccount, glName: r.glName }]));

/** The ledger accounts (as source keys) that have postings: each must map before the mapping is saved. */
export async function postedLedgerAccounts(sql: Sql | Tx): Promise<string[]> {
  const rows = await sql<{ key: string }[]>`
    select la.id as key from ledger_account la
    where la.account_id is null and not starts_with(la.id, 'nem_credit:')
      and exists (select 1 from posting p where p.ledger_account_id = la.id)
    union all
    select 'ar' where exists (select 1 from posting p join ledger_account la on la.id = p.ledger_account_id
                              where la.account_id is not null)
    union all
    select 'nem_credit' where exists (select 1 from posting p where starts_with(p.ledger_account_id, 'nem_credit:'))
    order by 1`;
  return rows.map((r) => r.key);
}

/**
 * Replaces the whole mapping. Every ledger account with postings must map (400 naming the first that does
 * not); a rate-class or channel key ('revenue:water:commercial', 'cash_clearing:card') is an optional override.
 */
export async function putGlMapping(sql: Sql, rows: GlMapping[], by: { userId: string; now: Date }) {
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    if (!/^[a-z_]+(:[a-z_]+){0,2}$/.test(r.sourceKey))
      throw new Refused(
        `mappings[${i}].sourceKey '${r.sourceKey}' is not a ledger account key`,
        'parameter_invalid',
        `mappings[${i}].sourceKey`,
      );
    if (!r.glAccount.trim() || /[\t\r\n",]/.test(r.glAccount))
      throw new Refused(
        `mappings[${i}].glAccount must be non-blank, without tabs, quotes, commas or line breaks`,
        'parameter_invalid',
        `mappings[${i}].glAccount`,
      );
    if (r.glName !== null && /[\t\r\n]/.test(r.glName))
      throw new Refused(
        `mappings[${i}].glName may not hold tabs or line breaks`,
        'parameter_invalid',
        `mappings[${i}].glName`,
      );
    if (seen.has(r.sourceKey))
      throw new Refused(
        `mappings[${i}].sourceKey '${r.sourceKey}' appears twice`,
        'parameter_invalid',
        `mappings[${i}].sourceKey`,
      );
    seen.add(r.sourceKey);
  });
  return sql.begin(async (tx) => {
    // one mapping change at a time, so the check below sees the table it replaces
    await tx`lock table gl_account_map in share row exclusive mode`;
    const missing = (await postedLedgerAccounts(tx)).filter((k) => !seen.has(k));
    if (missing.length)
      throw new Refused(
        `ledger account '${missing[0]}' has postings but no GL account mapped${missing.length > 1 ? ` (also: ${missing.slice(1).join(', ')})` : ''}`,
        'gl_account_unmapped',
        'mappings',
      );
    await tx`delete from gl_account_map`;
    if (rows.length)
      await tx`insert into gl_account_map ${tx(
        rows.map((r) => ({ ...r, updatedBy: by.userId, updatedAt: by.now })),
        'sourceKey',
        'glAccount',
        'glName',
        'updatedBy',
        'updatedAt',
      )}`;
    return getGlMapping(tx);
  });
}

// ---------------------------------------------------------------- journals and exports

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 92;

function checkRange(from: string, to: string, today: string) {
  for (const [k, v] of [
    ['from', from],
    ['to', to],
  ] as const)
    if (!DAY.test(v) || Number.isNaN(Date.parse(v)) || new Date(v).toISOString().slice(0, 10) !== v)
      throw new Refused(`${k} '${v}' must be a date like 2026-11-30`, 'parameter_invalid', k);
  if (to < from) throw new Refused(`to (${to}) is before from (${from})`, 'parameter_invalid', 'to');
  if (addDays(from, MAX_DAYS - 1) < to)
    throw new Refused(`at most ${MAX_DAYS} days at a time`, 'parameter_invalid', 'to');
  // a day still open in the utility's time zone can gain postings: only closed days go to the GL
  if (to >= today)
    throw new Refused(
      `to (${to}) must be a day already over in the utility's time zone (today is ${today})`,
      'gl_day_open',
      'to',
    );
}

/** The daily journals, mapped and balanced, for from..to (closed days only). */
export async function glJournals(sql: Sql | Tx, a: { from: string; to: string; today: string }) {
  checkRange(a.from, a.to, a.today);
  const [rows, mapping] = await Promise.all([summaryRows(sql, a.from, a.to), getGlMapping(sql)]);
  try {
    return dailyJournals(rows, asMap(mapping));
  } catch (e) {
    if (e instanceof UnmappedAccountError)
      throw new Refused(`${e.message}; map it with PUT /gl/mapping first`, 'gl_account_unmapped', 'mapping');
    throw e;
  }
}

const daysNamed = (days: string[]) =>
  days.length === 1
    ? `${days[0]} was`
    : days.length <= 3
      ? `${days.join(', ')} were`
      : `${days.length} days (${days[0]} … ${days.at(-1)}) were`;

export interface ExportBatch {
  id: string;
  fromDate: string;
  toDate: string;
  format: 'csv' | 'iif';
  reexport: boolean;
  checksum: string;
  lineCount: number;
  debitCents: number;
  exportedBy: string | null;
  exportedAt: Date;
}

const BATCH_COLUMNS = (sql: Sql | Tx) =>
  sql`id, from_date::text, to_date::text, format, reexport, checksum, line_count, debit_cents, exported_by, exported_at`;

/**
 * Exports from..to as one file and records the batch. A day already exported is refused (409 naming it)
 * unless `reexport` says so; then the batch and its days are recorded as a re-export.
 */
export async function exportGl(
  sql: Sql,
  a: {
    from: string;
    to: string;
    format: 'csv' | 'iif';
    reexport: boolean;
    userId: string;
    now: Date;
    today: string;
  },
): Promise<{ batch: ExportBatch; content: string }> {
  return sql.begin(async (tx) => {
    // exports take turns, so the "already exported" check and the insert see the same days
    await tx`select pg_advisory_xact_lock(hashtext('gl_export'))`;
    const days = await glJournals(tx, a);
    const done = await tx<{ day: string }[]>`
      select day::text from gl_export_day where day between ${a.from}::date and ${a.to}::date and not reexport
      order by day`;
    if (done.length && !a.reexport)
      throw new Refused(
        `${daysNamed(done.map((d) => d.day))} exported already; send reexport: true to export again`,
        'gl_day_exported',
        'from',
      );
    const content = a.format === 'csv' ? journalCsv(days) : journalIif(days);
    const id = newId('glx');
    const lineCount = days.reduce((n, d) => n + d.lines.length, 0);
    const debitCents = days.reduce((n, d) => n + d.debitCents, 0);
    const exported = new Set(done.map((d) => d.day));
    await tx`insert into gl_export_batch (id, from_date, to_date, format, reexport, checksum, line_count, debit_cents,
        content, exported_by, exported_at)
      values (${id}, ${a.from}, ${a.to}, ${a.format}, ${a.reexport}, ${createHash('sha256').update(content).digest('hex')},
        ${lineCount}, ${debitCents}, ${content}, ${a.userId}, ${a.now})`;
    const dayRows = [];
    for (let d = a.from; d <= a.to; d = addDays(d, 1))
      dayRows.push({ day: d, batchId: id, reexport: exported.has(d) });
    await tx`insert into gl_export_day ${tx(dayRows, 'day', 'batchId', 'reexport')}`;
    const [batch] = await tx<
      ExportBatch[]
    >`select ${BATCH_COLUMNS(tx)} from gl_export_batch where id = ${id}`;
    return { batch: batch!, content };
  });
}

export async function listExportBatches(sql: Sql, limit: number): Promise<ExportBatch[]> {
  return sql<ExportBatch[]>`
    select ${BATCH_COLUMNS(sql)} from gl_export_batch order by exported_at desc, id desc limit ${limit}`;
}

export async function exportBatchFile(sql: Sql, id: string) {
  const [b] = await sql<{ format: 'csv' | 'iif'; content: string; fromDate: string; toDate: string }[]>`
    select format, content, from_date::text, to_date::text from gl_export_batch where id = ${id}`;
  if (!b) throw new Refused(`No such export batch: '${id}'`, 'resource_missing', 'id');
  return b;
}

// ---------------------------------------------------------------- AR roll-forward

/**
 * The month's AR roll-forward from the summaries' own categories, and the ledger's AR balance at month end
 * summed straight from the postings, so a posting the categories missed shows as not reconciling.
 */
export async function arRollForwardReport(sql: Sql, month: string) {
  let p: ReturnType<typeof monthlyPeriod>;
  try {
    p = monthlyPeriod(month);
  } catch (e) {
    throw new Refused((e as Error).message, 'parameter_invalid', 'month');
  }
  const [moves, [bal]] = await Promise.all([
    sql<{ category: GlCategory; amountCents: number }[]>`
      select category, sum(amount_cents)::bigint as amount_cents
      from (${classifiedPostings(sql, p.start, p.end)}) c where source_key = 'ar' group by 1`,
    sql<{ opening: number; closing: number }[]>`
      select coalesce(sum(p.amount_cents) filter (where je.effective_on < ${p.start}::date), 0)::bigint as opening,
             coalesce(sum(p.amount_cents), 0)::bigint as closing
      from posting p join ledger_account la on la.id = p.ledger_account_id
      join journal_entry je on je.id = p.journal_entry_id
      where la.account_id is not null and je.effective_on <= ${p.end}::date`,
  ]);
  const by: Partial<Record<GlCategory, number>> = {};
  for (const m of moves) by[m.category] = m.amountCents;
  return { month, from: p.start, to: p.end, ...arRollForward(bal!.opening, by, bal!.closing) };
}
