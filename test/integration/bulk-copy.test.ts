// copyRows (db/bulk.ts): what COPY's text format gives meaning to (tabs, newlines, backslashes, \N) comes
// back exactly as written, and nulls stay null.
import { beforeAll, expect, it } from 'vitest';
import { copyRows } from '../../db/bulk.js';
import type { Sql } from '../../db/client.js';
import { freshDatabase } from '../support/db.js';

let sql: Sql;
beforeAll(async () => {
  ({ sql } = await freshDatabase());
});

it('writes awkward text, JSON, numbers and nulls exactly', async () => {
  await sql`create table copy_probe (id int, note text, doc jsonb, amount bigint, flag boolean, q numeric)`;
  const rows = [
    {
      id: 1,
      note: 'tab\there\nnew line\\back slash \\N not null',
      doc: { a: 'x\\y', b: ['\t'] },
      amount: -12,
      flag: true,
      q: '0.000000001',
    },
    { id: 2, note: null, doc: null, amount: 9007199254740991, flag: false, q: null },
    { id: 3, note: 'Señor Ñandú — 水道', doc: { s: '\r\n' }, amount: 0, flag: null, q: '123456789012.5' },
  ];
  await sql.begin((tx) => copyRows(tx, 'copy_probe', ['id', 'note', 'doc', 'amount', 'flag', 'q'], rows));
  const back = await sql`select id, note, doc, amount::text, flag, q::text from copy_probe order by id`;
  expect(back.map((r) => ({ ...r }))).toEqual([
    { ...rows[0], amount: '-12' },
    { ...rows[1], amount: '9007199254740991' },
    { ...rows[2], amount: '0' },
  ]);
});
