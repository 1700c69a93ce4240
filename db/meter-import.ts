// Meter read imports: one meter_import per file or pushed batch, rows checked against the meters and the
// reads already stored, then written set-based (COPY into a staging table, one INSERT … SELECT) in one
// transaction. All or nothing per file unless `partial`; every row reported accepted, duplicate or rejected.
//
// The duplicate rule: a read for the same meter at the same instant (register reads: read_at; intervals:
// start) that is already stored, or earlier in the same file, is a *duplicate* when its value is equal
// (nothing is written) and a *conflict* when it differs: the row is rejected, never overwritten. Correcting
// a stored read is a re-read, not an import.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  convertUnit,
  type ParsedRead,
  type ParseResult,
  parsePushBatch,
  parseReadFile,
  ReadFileError,
  type ReadFormat,
  type ReadUnit,
  type RowError,
} from '../domain/import/meter-reads.js';
import { monthOf } from '../domain/intervals/partitions.js';
import { newId } from '../lib/ids.js';
import type { Sql, Tx } from './client.js';
import { ensureIntervalPartitions } from './interval-partitions.js';

export type ImportSource = 'upload' | 'cli' | 'drop_folder' | 'push';

export interface ImportInput {
  source: ImportSource;
  format: ReadFormat;
  /** the file's text, or a pushed batch's raw JSON body */
  text: string;
  fileName?: string | null;
  partial?: boolean;
  /** zone for timestamps without an offset */
  timeZone: string;
  /** Green Button: the meter serial the intervals belong to */
  meter?: string;
  createdBy?: string | null;
  /** push: the head-end's name; the batch id is read from the body */
  headEnd?: string;
  onProgress?: (p: ImportProgress) => void;
  /** called once the import is recorded (status running), before any row is checked */
  onStarted?: (importId: string) => void;
}

export interface ImportProgress {
  phase: 'parsing' | 'checking' | 'writing' | 'done';
  processed: number;
  total: number;
}

export type RowResult =
  | { row: number; status: 'accepted'; meter: string; readAt: string }
  | { row: number; status: 'duplicate'; meter: string; readAt: string }
  | { row: number; status: 'rejected'; reason: string; column?: string; meter?: string };

export interface ImportReport {
  id: string;
  object: 'meter_import';
  source: ImportSource;
  format: string;
  fileName: string | null;
  headEnd: string | null;
  batchId: string | null;
  status: 'running' | 'completed' | 'rejected' | 'failed';
  phase: string;
  partial: boolean;
  counts: { total: number; processed: number; accepted: number; duplicate: number; rejected: number };
  message: string | null;
  rows: RowResult[];
  /** false when the file had more than 10,000 rows: `rows` then holds only the rows not accepted */
  rowsComplete: boolean;
  createdAt: string;
  finishedAt: string | null;
  /** true when this file or batch was imported before and this is that import's result */
  replayed: boolean;
}

/** A pushed batch id re-used for different content. */
export class BatchConflictError extends Error {
  constructor(readonly importId: string) {
    super('this batchId was already imported with different content');
    this.name = 'BatchConflictError';
  }
}

export const ROW_RESULTS_LIMIT = 10_000;
const PROGRESS_EVERY = 50_000;

type ImportRow = {
  id: string;
  source: ImportSource;
  format: string;
  fileName: string | null;
  headEnd: string | null;
  batchId: string | null;
  status: ImportReport['status'];
  phase: string;
  partial: boolean;
  rowsTotal: number;
  rowsProcessed: number;
  accepted: number;
  duplicate: number;
  rejected: number;
  results: RowResult[];
  resultsComplete: boolean;
  message: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  fileSha256: string;
};

function toReport(r: ImportRow, replayed = false): ImportReport {
  return {
    id: r.id,
    object: 'meter_import',
    source: r.source,
    format: r.format,
    fileName: r.fileName,
    headEnd: r.headEnd,
    batchId: r.batchId,
    status: r.status,
    phase: r.phase,
    partial: r.partial,
    counts: {
      total: r.rowsTotal,
      processed: r.rowsProcessed,
      accepted: r.accepted,
      duplicate: r.duplicate,
      rejected: r.rejected,
    },
    message: r.message,
    rows: r.results,
    rowsComplete: r.resultsComplete,
    createdAt: new Date(r.createdAt).toISOString(),
    finishedAt: r.finishedAt ? new Date(r.finishedAt).toISOString() : null,
    replayed,
  };
}

export async function getImport(sql: Sql, id: string): Promise<ImportReport | null> {
  const [r] = await sql<ImportRow[]>`select * from meter_import where id = ${id}`;
  return r ? toReport(r) : null;
}

export async function listImports(sql: Sql, limit: number, startingAfter?: string) {
  const rows = await sql<ImportRow[]>`
    select id, source, format, file_name, head_end, batch_id, status, phase, partial, rows_total, rows_processed,
      accepted, duplicate, rejected, '[]'::jsonb as results, results_complete, message, created_at, finished_at, file_sha256
    from meter_import ${startingAfter ? sql`where id < ${startingAfter}` : sql``}
    order by id desc limit ${limit + 1}`;
  return { data: rows.slice(0, limit).map((r) => toReport(r)), hasMore: rows.length > limit };
}

class Rollback extends Error {}

type Meter = { id: string; unit: ReadUnit; dialCount: number };

/** Imports one file or pushed batch. File-level problems give a `rejected` report, never an exception. */
export async function importMeterReads(sql: Sql, input: ImportInput): Promise<ImportReport> {
  // a Green Button file put on a named meter is a different import from the same file on its own meter
  const sha = createHash('sha256')
    .update(input.text)
    .update(input.meter ? `\0meter=${input.meter}` : '')
    .digest('hex');
  let batchId: string | null = null;
  let pushed: ReturnType<typeof parsePushBatch> | null = null;
  let fileError: ReadFileError | null = null;
  if (input.source === 'push') {
    try {
      pushed = parsePushBatch(JSON.parse(input.text));
      batchId = pushed.batchId;
    } catch (e) {
      if (e instanceof SyntaxError) fileError = new ReadFileError(`the body is not JSON: ${e.message}`);
      else if (e instanceof ReadFileError) fileError = e;
      else throw e;
    }
    if (fileError) {
      // no batch id to record it under: answer without storing anything
      return rejectedUnstored(input, fileError);
    }
    const [seen] = await sql<ImportRow[]>`
      select * from meter_import where head_end = ${input.headEnd!} and batch_id = ${batchId!}`;
    if (seen) {
      if (seen.fileSha256 !== sha) throw new BatchConflictError(seen.id);
      return toReport(seen, true);
    }
  } else {
    // a file imported in full before is answered with that import; one imported partially runs again (its
    // earlier rows are now duplicates, and rows rejected then, say for a meter since added, may pass)
    const [seen] = await sql<ImportRow[]>`
      select * from meter_import where format = ${input.format} and file_sha256 = ${sha} and status = 'completed'
        and rejected = 0
      order by created_at limit 1`;
    if (seen) return toReport(seen, true);
  }

  // an import whose process stopped (a crash, a deploy) rolled back and never finished: say so
  await sql`update meter_import set status = 'failed', phase = 'done', finished_at = now(),
      message = 'interrupted: the importing process stopped before it finished; nothing was written'
    where status = 'running' and created_at < now() - interval '1 hour'`;
  const id = newId('imp');
  const inserted = await sql`
    insert into meter_import (id, source, format, file_name, file_sha256, head_end, batch_id, partial, status, created_by)
    values (${id}, ${input.source}, ${input.source === 'push' ? 'push' : input.format}, ${input.fileName ?? null}, ${sha}, ${batchId ? input.headEnd! : null},
            ${batchId}, ${input.partial ?? false}, 'running', ${input.createdBy ?? null})
    on conflict do nothing returning id`;
  if (!inserted.length) {
    // a concurrent push of the same batch won the race
    const [seen] = await sql<ImportRow[]>`
      select * from meter_import where head_end = ${input.headEnd!} and batch_id = ${batchId!}`;
    if (seen!.fileSha256 !== sha) throw new BatchConflictError(seen!.id);
    return toReport(seen!, true);
  }

  input.onStarted?.(id);
  let lastProgress = 0;
  const progress = async (
    phase: ImportProgress['phase'],
    processed: number,
    total: number,
    force = false,
  ) => {
    input.onProgress?.({ phase, processed, total });
    if (!force && processed - lastProgress < PROGRESS_EVERY) return;
    lastProgress = processed;
    await sql`update meter_import set phase = ${phase}, rows_processed = ${processed}, rows_total = ${total}
      where id = ${id} and status = 'running'`;
  };

  try {
    let parsed: ParseResult | { rows: ParsedRead[]; errors: RowError[]; total: number };
    if (pushed) parsed = pushed;
    else {
      try {
        parsed = parseReadFile(input.format, input.text, { timeZone: input.timeZone, meter: input.meter });
      } catch (e) {
        if (!(e instanceof ReadFileError)) throw e;
        return await finishRejectedFile(sql, id, e);
      }
    }
    await progress('checking', 0, parsed.total, true);
    return await writeRows(sql, id, input, parsed, progress);
  } catch (e) {
    await sql`update meter_import set status = 'failed', phase = 'done', message = ${(e as Error).message.slice(0, 500)},
      finished_at = now() where id = ${id} and status = 'running'`;
    throw e;
  }
}

function rejectedUnstored(input: ImportInput, e: ReadFileError): ImportReport {
  return {
    id: '',
    object: 'meter_import',
    source: input.source,
    format: input.format,
    fileName: input.fileName ?? null,
    headEnd: input.headEnd ?? null,
    batchId: null,
    status: 'rejected',
    phase: 'done',
    partial: input.partial ?? false,
    counts: { total: 0, processed: 0, accepted: 0, duplicate: 0, rejected: 0 },
    message: e.message,
    rows: [],
    rowsComplete: true,
    createdAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    replayed: false,
  };
}

async function finishRejectedFile(sql: Sql, id: string, e: ReadFileError): Promise<ImportReport> {
  const rows: RowResult[] = [
    { row: 1, status: 'rejected', reason: e.message, ...(e.column ? { column: e.column } : {}) },
  ];
  const [r] = await sql<ImportRow[]>`
    update meter_import set status = 'rejected', phase = 'done', message = ${e.message}, results = ${sql.json(rows as never)},
      finished_at = now() where id = ${id} returning *`;
  return toReport(r!);
}

/** Digits before the point (values are normalized: no leading zeros). */
const intDigits = (v: string) => {
  const dot = v.indexOf('.');
  return dot < 0 ? v.length : dot;
};
const fracDigits = (v: string) => {
  const dot = v.indexOf('.');
  return dot < 0 ? 0 : v.length - dot - 1;
};

async function writeRows(
  sql: Sql,
  id: string,
  input: ImportInput,
  parsed: { rows: ParsedRead[]; errors: RowError[]; total: number },
  progress: (
    phase: ImportProgress['phase'],
    processed: number,
    total: number,
    force?: boolean,
  ) => Promise<void>,
): Promise<ImportReport> {
  const total = parsed.total;
  const serials = [...new Set(parsed.rows.map((r) => r.meter))];
  const meters = new Map<string, Meter>();
  for (let i = 0; i < serials.length; i += 20_000) {
    const found = await sql<(Meter & { serialNumber: string })[]>`
      select id, serial_number, unit, dial_count from meter where serial_number = any(${serials.slice(i, i + 20_000)})`;
    for (const m of found) meters.set(m.serialNumber, m);
  }

  // status per row number; rows with no entry here are accepted
  const rejected = new Map<number, Extract<RowResult, { status: 'rejected' }>>();
  const duplicate = new Set<number>();
  for (const e of parsed.errors) rejected.set(e.row, { status: 'rejected', ...e });

  type Staged = StagedInterval;
  const staged: Staged[] = [];
  const seen = new Map<string, { row: number; value: string }>();
  let done = 0;
  for (const r of parsed.rows) {
    if (++done % PROGRESS_EVERY === 0) await progress('checking', done, total);
    const m = meters.get(r.meter);
    const reject = (reason: string, column?: string) =>
      rejected.set(r.row, {
        row: r.row,
        status: 'rejected',
        reason,
        meter: r.meter,
        ...(column ? { column } : {}),
      });
    if (!m) {
      reject(`no meter with serial number ${r.meter}`, 'meter');
      continue;
    }
    let value = r.value;
    if (r.unit && r.unit !== m.unit) {
      const v = convertUnit(r.value, r.unit, m.unit);
      if (v === null) {
        reject(`${r.value} ${r.unit} cannot be converted exactly to the meter's unit (${m.unit})`, 'unit');
        continue;
      }
      value = v;
    }
    if (r.kind === 'register') {
      if (r.dials !== undefined && r.dials !== m.dialCount) {
        reject(`the file says ${r.dials} dials; meter ${r.meter} has ${m.dialCount}`, 'Description');
        continue;
      }
      if (fracDigits(value) > 4) {
        reject(`${value} ${m.unit} has more than 4 decimal places (register reads keep 4)`, 'value');
        continue;
      }
      if (intDigits(value) > m.dialCount) {
        reject(`${value} does not fit the meter's ${m.dialCount} dials`, 'value');
        continue;
      }
    } else if (intDigits(value) > 11) {
      // numeric(20, 9): below 10^11 (values are normalized, so the digits before the point say it)
      reject(`${value} is too large for an interval`, 'value');
      continue;
    }
    // intervals: a repeat within the file is found by the database's key (see writeIntervals), which keeps a
    // map of millions of keys out of the common case
    if (r.kind === 'interval') {
      staged.push({ read: r, meterId: m.id, value });
      continue;
    }
    // readAt is always a normalized UTC ISO string, so equal instants have equal keys
    const key = `${r.meter}\u0000${r.readAt}`;
    const prev = seen.get(key);
    if (prev) {
      if (prev.value === value) duplicate.add(r.row);
      else
        reject(
          `conflicts with row ${prev.row}: same meter and time, value ${value} instead of ${prev.value}`,
          'value',
        );
      continue;
    }
    seen.set(key, { row: r.row, value });
    staged.push({ read: r, meterId: m.id, value });
  }
  seen.clear();
  await progress('writing', done, total, true);

  const importId = id;
  const idBase = `read_${id.slice(4)}`;
  const intervals = staged.filter((s) => s.read.kind === 'interval');
  const registers = intervals.length ? staged.filter((s) => s.read.kind === 'register') : staged;
  // every month the file's intervals fall in has its partition before the import's transaction begins (an
  // empty partition left by a rejected file is harmless; creating it inside would lock out readers)
  if (intervals.length)
    await ensureIntervalPartitions(sql, [...new Set(intervals.map((s) => monthOf(s.read.readAt)))]);
  let report: ImportReport | null = null;
  try {
    await sql.begin(async (tx) => {
      // imports write one at a time: two files carrying the same read cannot both find it new
      await tx`select pg_advisory_xact_lock(hashtext('cisflow.meter-import'))`;
      // sorting a million staged reads into index order is done in memory rather than in temporary files
      await tx`set local work_mem = '256MB'`;
      const clashAt = (rowNo: number, existing: string, what: string) => {
        const s = byRow().get(rowNo)!;
        rejected.set(rowNo, {
          row: rowNo,
          status: 'rejected',
          column: 'value',
          meter: s.read.meter,
          reason: `conflicts with the stored ${what} at ${s.read.readAt} (${existing}; the file says ${s.value})`,
        });
      };
      let byRowMap: Map<number, Staged> | null = null;
      const byRow = () => {
        byRowMap ??= new Map(staged.map((s) => [s.read.row, s]));
        return byRowMap;
      };
      if (registers.length) {
        await tx`create temp table imp_stage (row_no int, id text, meter_id text, at timestamptz, value numeric)
          on commit drop`;
        await copyRegisters(tx, registers, idBase);
        await tx`analyze imp_stage`;
        // against what is stored: equal value -> duplicate, different -> conflict
        const clashes = await tx<{ rowNo: number; same: boolean; existing: string }[]>`
          select s.row_no, bool_or(r.value = s.value) as same, min(r.value::text) as existing
          from imp_stage s join meter_read r on r.meter_id = s.meter_id and r.read_at = s.at
          group by s.row_no`;
        for (const c of clashes) {
          if (c.same) duplicate.add(c.rowNo);
          else clashAt(c.rowNo, c.existing, 'read');
        }
        if (rejected.size && !input.partial) throw new Rollback();
      }
      if (intervals.length) {
        await writeIntervals(tx, intervals, importId, {
          onClash: (rowNo, same, existing) => {
            if (same) duplicate.add(rowNo);
            else clashAt(rowNo, existing, 'interval');
          },
          onRepeat: (s, first) => {
            if (s.value === first.value) duplicate.add(s.read.row);
            else
              rejected.set(s.read.row, {
                row: s.read.row,
                status: 'rejected',
                column: 'value',
                meter: s.read.meter,
                reason: `conflicts with row ${first.read.row}: same meter, channel and time, value ${s.value} instead of ${first.value}`,
              });
          },
          // a file with rows already rejected writes nothing unless partial
          mayWrite: () => !rejected.size || !!input.partial,
          skip: () => [...duplicate, ...rejected.keys()],
        });
      }
      if (rejected.size && !input.partial) throw new Rollback();
      if (registers.length) {
        const skip = [...duplicate, ...rejected.keys()];
        if (skip.length)
          await tx`delete from imp_stage s using unnest(${skip}::int[]) k(r) where s.row_no = k.r`;
        await tx`insert into meter_read (id, meter_id, read_at, value, source, import_id)
          select id, meter_id, at, value, 'ami', ${importId} from imp_stage
          order by meter_id, at`; // in index order: the (meter_id, read_at) index fills page by page
      }
      const results = rowResults(parsed.rows, parsed.errors, total, rejected, duplicate);
      const accepted = total - rejected.size - duplicate.size;
      const [r] = await tx<ImportRow[]>`
        update meter_import set status = 'completed', phase = 'done', rows_processed = ${total}, rows_total = ${total},
          accepted = ${accepted}, duplicate = ${duplicate.size}, rejected = ${rejected.size},
          results = ${tx.json(results.rows as never)}, results_complete = ${results.complete},
          message = ${rejected.size ? `${rejected.size} rows rejected; the others were imported (partial)` : null},
          finished_at = now()
        where id = ${id} returning *`;
      report = toReport(r!);
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  if (!report) {
    const results = rowResults(parsed.rows, parsed.errors, total, rejected, duplicate, true);
    const [r] = await sql<ImportRow[]>`
      update meter_import set status = 'rejected', phase = 'done', rows_processed = ${total}, rows_total = ${total},
        accepted = 0, duplicate = ${duplicate.size}, rejected = ${rejected.size},
        results = ${sql.json(results.rows as never)}, results_complete = ${results.complete},
        message = ${`${rejected.size} of ${total} rows rejected; nothing was imported (all or nothing: fix the rows, or import with partial)`},
        finished_at = now()
      where id = ${id} returning *`;
    report = toReport(r!);
  }
  input.onProgress?.({ phase: 'done', processed: total, total });
  return report;
}

/**
 * Per-row results: every row when the file is small, otherwise only the rows not accepted. When nothing was
 * imported (`noneAccepted`), good rows are reported as accepted-in-principle: they are left out, and the
 * counts say none were written.
 */
function rowResults(
  rows: ParsedRead[],
  errors: RowError[],
  total: number,
  rejected: Map<number, Extract<RowResult, { status: 'rejected' }>>,
  duplicate: Set<number>,
  noneAccepted = false,
): { rows: RowResult[]; complete: boolean } {
  const complete = total <= ROW_RESULTS_LIMIT && !noneAccepted;
  const out: RowResult[] = [];
  if (complete) {
    const byRow = new Map(rows.map((r) => [r.row, r]));
    const numbers = [...new Set([...rows.map((r) => r.row), ...errors.map((e) => e.row)])].sort(
      (a, b) => a - b,
    );
    for (const n of numbers) {
      const rej = rejected.get(n);
      const r = byRow.get(n);
      if (rej) out.push(rej);
      else if (duplicate.has(n))
        out.push({ row: n, status: 'duplicate', meter: r!.meter, readAt: r!.readAt });
      else out.push({ row: n, status: 'accepted', meter: r!.meter, readAt: r!.readAt });
    }
    return { rows: out, complete };
  }
  const bad = [...rejected.keys(), ...duplicate].sort((a, b) => a - b).slice(0, ROW_RESULTS_LIMIT);
  if (!bad.length) return { rows: out, complete: false };
  const byRow = new Map(rows.map((r) => [r.row, r]));
  for (const n of bad) {
    const rej = rejected.get(n);
    const r = byRow.get(n);
    out.push(rej ?? { row: n, status: 'duplicate', meter: r!.meter, readAt: r!.readAt });
  }
  return { rows: out, complete: false };
}

const ROW_ID_CHARS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function rowIdSuffix(n: number): string {
  let s = '';
  for (let i = 0; i < 5; i++) {
    s = ROW_ID_CHARS[n % 32] + s;
    n = Math.floor(n / 32);
  }
  return s;
}

/** COPY text of rows, a megabyte at a time. */
async function copyLines<T>(
  tx: Tx,
  copy: Promise<import('node:stream').Writable>,
  rows: T[],
  line: (r: T) => string,
) {
  const writable = await copy;
  function* chunks() {
    let buf = '';
    for (const r of rows) {
      buf += line(r);
      if (buf.length > 1 << 20) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  }
  await pipeline(Readable.from(chunks()), writable);
}

async function copyRegisters(
  tx: Tx,
  staged: { read: ParsedRead; meterId: string; value: string }[],
  idBase: string,
) {
  await copyLines(
    tx,
    tx`copy imp_stage (row_no, id, meter_id, at, value) from stdin`.writable(),
    staged,
    (s) => `${s.read.row}\t${idBase}${rowIdSuffix(s.read.row)}\t${s.meterId}\t${s.read.readAt}\t${s.value}\n`,
  );
}

type StagedInterval = { read: ParsedRead; meterId: string; value: string };

/**
 * Intervals: COPY into a staging table, then one INSERT … SELECT into the partitions, in key order. Most
 * files bring only new intervals, so the insert is tried first (in a savepoint); when a stored interval has
 * the same key it fails as a whole, and only then are the clashes looked up (equal value: duplicate; other
 * value: conflict) and the insert repeated without them. Nothing stored is ever updated.
 */
async function writeIntervals(
  tx: Tx,
  intervals: StagedInterval[],
  importId: string,
  o: {
    onClash: (rowNo: number, same: boolean, existing: string) => void;
    /** a second row in the file for the same meter, channel and start */
    onRepeat: (s: StagedInterval, first: StagedInterval) => void;
    mayWrite: () => boolean;
    skip: () => number[];
  },
) {
  await tx`create temp table imp_interval_stage (row_no int, meter_id text, channel smallint, start_at timestamptz,
    seconds int, value numeric(20, 9), quality smallint) on commit drop`;
  await copyLines(
    tx,
    tx`copy imp_interval_stage (row_no, meter_id, channel, start_at, seconds, value, quality) from stdin`.writable(),
    intervals,
    (s) =>
      `${s.read.row}\t${s.meterId}\t${s.read.channel ?? 0}\t${s.read.readAt}\t${s.read.seconds}\t${s.value}\t${s.read.quality ?? 0}\n`,
  );
  const insert = (q: Tx) => q`
    insert into meter_interval (meter_id, channel, start_at, seconds, value, quality)
    select meter_id, channel, start_at, seconds, value, quality from imp_interval_stage
    order by meter_id, channel, start_at`;
  // a file already refused (rows rejected, not partial) is only checked, to report its duplicates and conflicts
  let written = false;
  if (o.mayWrite()) {
    try {
      await tx.savepoint((sp) => insert(sp));
      written = true;
    } catch (e) {
      if ((e as { code?: string }).code !== '23505') throw e;
    }
  }
  const skipped = new Set<number>();
  if (!written) {
    // repeats within the file first (readAt is a normalized UTC ISO string: equal instants, equal keys)
    const first = new Map<string, StagedInterval>();
    const repeats: number[] = [];
    for (const s of intervals) {
      const key = `${s.meterId}\u0000${s.read.channel ?? 0}\u0000${s.read.readAt}`;
      const f = first.get(key);
      if (!f) first.set(key, s);
      else {
        o.onRepeat(s, f);
        repeats.push(s.read.row);
      }
    }
    first.clear();
    if (repeats.length)
      await tx`delete from imp_interval_stage s using unnest(${repeats}::int[]) k(r) where s.row_no = k.r`;
    await tx`analyze imp_interval_stage`;
    // the stored intervals with a staged key; the start bounds limit the join to the file's partitions
    let lo = intervals[0]!.read.readAt;
    let hi = lo;
    for (const s of intervals) {
      if (s.read.readAt < lo) lo = s.read.readAt;
      if (s.read.readAt > hi) hi = s.read.readAt;
    }
    const clashes = await tx<{ rowNo: number; same: boolean; existing: string }[]>`
      select s.row_no, i.value = s.value as same, i.value::text as existing
      from imp_interval_stage s
      join meter_interval i on i.meter_id = s.meter_id and i.channel = s.channel and i.start_at = s.start_at
      where i.start_at >= ${lo} and i.start_at <= ${hi}`;
    for (const c of clashes) o.onClash(c.rowNo, c.same, c.existing);
    if (!o.mayWrite()) return;
    const skip = o.skip();
    for (const n of skip) skipped.add(n);
    await tx`delete from imp_interval_stage s using unnest(${skip}::int[]) k(r) where s.row_no = k.r`;
    await insert(tx);
  }
  // which months and channels this import wrote, in place of an import id on every row
  const spans = new Map<
    string,
    { month: string; channel: number; rows: number; first: string; last: string }
  >();
  for (const s of intervals) {
    if (skipped.has(s.read.row)) continue;
    const month = monthOf(s.read.readAt);
    const channel = s.read.channel ?? 0;
    const k = `${month}/${channel}`;
    const x = spans.get(k);
    if (!x) spans.set(k, { month, channel, rows: 1, first: s.read.readAt, last: s.read.readAt });
    else {
      x.rows++;
      if (s.read.readAt < x.first) x.first = s.read.readAt;
      if (s.read.readAt > x.last) x.last = s.read.readAt;
    }
  }
  const recs = [...spans.values()].map((x) => ({
    importId,
    month: `${x.month}-01`,
    channel: x.channel,
    rows: x.rows,
    firstStart: x.first,
    lastStart: x.last,
  }));
  if (recs.length) await tx`insert into meter_import_interval ${tx(recs)}`;
}
