-- General ledger export: cisflow's ledger accounts mapped to the utility's chart of accounts, and a record of
-- every export so a day is never handed to the GL twice without saying so.

-- A source key is a cisflow ledger account as the GL sees it: 'ar' (every customer's receivable),
-- 'revenue:water', 'cash_clearing', 'tax_payable', ... A key may carry one more part to map a rate class
-- ('revenue:water:commercial') or a payment channel ('cash_clearing:card') to its own GL account.
create table gl_account_map (
  source_key  text primary key check (source_key ~ '^[a-z_]+(:[a-z_]+){0,2}$'),
  gl_account  text not null check (length(gl_account) between 1 and 60 and gl_account !~ '[\t\r\n",]'),
  gl_name     text check (gl_name is null or gl_name !~ '[\t\r\n]'),
  updated_by  text references app_user(id),
  updated_at  timestamptz not null
);

create table gl_export_batch (
  id           text primary key,
  from_date    date not null,
  to_date      date not null check (to_date >= from_date),
  format       text not null check (format in ('csv', 'iif')),
  reexport     boolean not null,
  checksum     text not null,            -- sha256 of the file, hex
  line_count   int not null,
  debit_cents  bigint not null,          -- = credits: each day balances
  content      text not null,            -- the file as handed over, for download again
  exported_by  text references app_user(id),
  exported_at  timestamptz not null
);

-- The days a batch covered. A day goes out once as a first export; later batches that cover it are marked
-- re-exports. The partial unique index holds the line even when two exports race.
create table gl_export_day (
  day       date not null,
  batch_id  text not null references gl_export_batch(id),
  reexport  boolean not null,
  primary key (day, batch_id)
);
create unique index gl_export_day_first on gl_export_day (day) where not reexport;
