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
