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

/** A column written by insertColumns, with the PostgreSQL type its values are sent as. */
export type Column = [name: string, type: 'text' | 'int' | 'bigint' | 'numeric' | 'jsonb'];

/**
 * Inserts rows as one statement whatever their number: each column goes as one array parameter and
 * unnest() turns them back into rows. Far cheaper to send and plan than a VALUES list of one parameter per
 * field, and, unlike a COPY, a constraint or trigger refusing the rows fails the statement like any other.
 * One statement means statement triggers (an entry's postings balance) see every row together.
 */
export async function insertColumns(
  tx: Tx,
  table: string,
  columns: Column[],
  rows: Record<string, unknown>[],
) {
  if (!rows.length) return;
  const arrays = columns.map(([name, type]) =>
    rows.map((r) => {
      const v = r[name];
      if (v === null || v === undefined) return null;
      return type === 'jsonb' ? JSON.stringify(v) : String(v);
    }),
  );
  const selects = columns.map(([, type], i) => (type === 'jsonb' ? `c${i}::jsonb` : `c${i}`)).join(', ');
  const unnests = columns.map(([, type], i) => `$${i + 1}::${type === 'jsonb' ? 'text' : type}[]`).join(', ');
  const names = columns.map(([name]) => `"${name}"`).join(', ');
  const aliases = columns.map((_, i) => `c${i}`).join(', ');
  await tx.unsafe(
    `insert into "${table}" (${names}) select ${selects} from unnest(${unnests}) as t(${aliases})`,
    arrays as never,
  );
}
