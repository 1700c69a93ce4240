// Bulk inserts for bill runs and demo data.
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Tx } from './client.js';

/**
 * Inserts rows in chunks under PostgreSQL's 65,535 bind-parameter limit. `keepTogether` names a column
 * whose equal, adjacent values must share a statement: an entry's postings are balance-checked per statement.
 */
export async function insertMany(
  tx: Tx,
  table: string,
  rows: Record<string, unknown>[],
  keepTogether?: string,
) {
  if (!rows.length) return;
  const chunk = Math.floor(60_000 / Object.keys(rows[0]!).length);
  for (let i = 0; i < rows.length; ) {
    let end = Math.min(i + chunk, rows.length);
    if (keepTogether) {
      while (end < rows.length && end > i + 1 && rows[end]![keepTogether] === rows[end - 1]![keepTogether])
        end--;
    }
    await tx`insert into ${tx(table)} ${tx(rows.slice(i, end) as never)}`;
    i = end;
  }
}

/** A column written by insertColumns, with the PostgreSQL type its values are sent as. */
export type Column = [name: string, type: 'text' | 'int' | 'bigint' | 'numeric' | 'jsonb'];

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One field in COPY's text format: \N for null; backslash, tab, newline and return escaped. */
function copyField(v: unknown, type: Column[1]): string {
  if (v === null || v === undefined) return '\\N';
  const s = type === 'jsonb' ? JSON.stringify(v) : String(v);
  return COPY_SPECIAL.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : s;
}

/**
 * Inserts rows with one `COPY … FROM STDIN`, the fastest way PostgreSQL takes rows from a client. COPY keeps
 * every guarantee an insert has: constraints, foreign keys and triggers apply, and a refused row fails the
 * whole statement (and the caller's transaction). Being one statement, statement triggers (an entry's
 * postings balance) see every row together. Must run inside a transaction (`tx`).
 */
export async function insertColumns(
  tx: Tx,
  table: string,
  columns: Column[],
  rows: Record<string, unknown>[],
) {
  if (!rows.length) return;
  const names = columns.map(([name]) => `"${name}"`).join(', ');
  const copy = tx.unsafe(`copy "${table}" (${names}) from stdin`);
  // postgres.js (3.4) resolves a COPY's query with its stream, and when PostgreSQL refuses the rows only
  // after all are sent (a foreign key, a statement trigger) it tells just that already-resolved query: the
  // stream never finishes. Hearing the query's reject turns that into this statement's error.
  const refused = new Promise<never>((_, reject) => {
    const q = copy as unknown as { reject: (e: unknown) => void };
    const own = q.reject;
    q.reject = (e) => {
      reject(e);
      own(e);
    };
  });
  refused.catch(() => {}); // awaited below; this only keeps an early throw from leaving it unhandled
  const out = await copy.writable();
  const done = Promise.race([finished(out), refused]);
  // a few hundred kilobytes per write: few calls, and no one string the size of the whole page
  let chunk = '';
  for (const r of rows) {
    let line = '';
    for (let i = 0; i < columns.length; i++) {
      const [name, type] = columns[i]!;
      line += (i ? '\t' : '') + copyField(r[name], type);
    }
    chunk += `${line}\n`;
    if (chunk.length > 256_000) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await done;
}
