// Bulk inserts for bill runs and demo data.
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

/** One value in COPY's text format: \N for null, backslash escapes for the characters COPY gives meaning. */
function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s =
    typeof v === 'string'
      ? v
      : typeof v === 'object' && !(v instanceof Date)
        ? JSON.stringify(v)
        : v instanceof Date
          ? v.toISOString()
          : typeof v === 'boolean'
            ? v
              ? 't'
              : 'f'
            : String(v);
  return s.replace(/[\\\n\r\t]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t',
  );
}

/**
 * Writes rows with COPY, the fastest way PostgreSQL takes them: one statement however many rows, so
 * statement triggers (an entry's postings balance) see them all at once. `columns` are the rows' keys, named
 * as the table's columns. Everything else about an INSERT holds: constraints, foreign keys, triggers.
 */
export async function copyRows(tx: Tx, table: string, columns: string[], rows: Record<string, unknown>[]) {
  if (!rows.length) return;
  const stream = await tx`copy ${tx(table)} (${tx(columns)}) from stdin`.writable();
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  // a chunk of lines at a time: one write per row costs more than the row
  for (let i = 0; i < rows.length; i += 500) {
    let chunk = '';
    for (const r of rows.slice(i, i + 500)) chunk += `${columns.map((c) => copyField(r[c])).join('\t')}\n`;
    if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
  }
  stream.end();
  await done;
}
