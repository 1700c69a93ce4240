// insertColumns (db/bulk.ts): text that other bulk formats give meaning to (tabs, newlines, backslashes,
// \N), JSON, large integers and exact decimals come back exactly as written, and nulls stay null.
import { beforeAll, expect, it } from 'vitest';
import { insertColumns } from '../../db/bulk.js';
import type { Sql } from '../../db/client.js';
import { freshDatabase } from '../support/db.js';

let sql: Sql;
beforeAll(async () => {
  ({ sql } = await freshDatabase());
});

it('writes awkward text, JSON, numbers and nulls exactly', async () => {
  await sql`create table bulk_probe (id int, note text, doc jsonb, amount bigint, q numeric)`;
  const rows = [
    {
      id: 1,
      note: 'tab\there\nnew line\\back slash \\N not null',
      doc: { a: 'x\\y', b: ['\t'] },
      amount: -12,

      q: '0.000000001',
    },
    { id: 2, note: null, doc: null, amount: 9007199254740991, q: null },
    { id: 3, note: 'Señor Ñandú — 水道', doc: { s: '\r\n' }, amount: 0, q: '123456789012.5' },
  ];
  await sql.begin((tx) =>
    insertColumns(
      tx,
      'bulk_probe',
      [
        ['id', 'int'],
        ['note', 'text'],
        ['doc', 'jsonb'],
        ['amount', 'bigint'],
        ['q', 'numeric'],
      ],
      rows,
    ),
  );
  const back = await sql`select id, note, doc, amount::text, q::text from bulk_probe order by id`;
  expect(back.map((r) => ({ ...r }))).toEqual([
    { ...rows[0], amount: '-12' },
    { ...rows[1], amount: '9007199254740991' },
    { ...rows[2], amount: '0' },
  ]);
});

it('fails the statement, and only it, when PostgreSQL refuses the rows after all are sent', async () => {
  await sql`create table bulk_parent (id text primary key)`;
  await sql`create table bulk_child (id int, parent_id text references bulk_parent)`;
  await sql`insert into bulk_parent values ('p1')`;
  const write = (parents: string[]) =>
    sql.begin((tx) =>
      insertColumns(
        tx,
        'bulk_child',
        [
          ['id', 'int'],
          ['parent_id', 'text'],
        ],
        parents.map((parent_id, id) => ({ id, parent_id })),
      ),
    );
  // a foreign key is checked when the statement ends: the COPY must reject, not hang
  await expect(write(['p1', 'p1', 'nobody'])).rejects.toThrow(/bulk_child_parent_id_fkey/);
  await write(['p1', 'p1']);
  expect((await sql`select count(*)::int as n from bulk_child`)[0]!.n).toBe(2);
});
