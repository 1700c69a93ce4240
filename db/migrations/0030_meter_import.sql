-- Meter data imports: every file, upload, drop-folder file and head-end push batch is one meter_import.
-- A re-imported file (same format and SHA-256) or a re-pushed batch id (same head-end) is recognised and
-- answered with the first import's result; nothing is inserted twice.
create table meter_import (
  id              text primary key,
  source          text not null check (source in ('upload', 'cli', 'drop_folder', 'push')),
  format          text not null,
  file_name       text,
  file_sha256     text not null,
  head_end        text,
  batch_id        text,
  partial         boolean not null default false,
  status          text not null check (status in ('running', 'completed', 'rejected', 'failed')),
  phase           text not null default 'parsing',   -- parsing, checking, writing, done
  rows_total      int not null default 0,
  rows_processed  int not null default 0,
  accepted        int not null default 0,
  duplicate       int not null default 0,
  rejected        int not null default 0,
  -- per-row results: every row for files up to 10,000 rows, otherwise the rows that were not accepted
  results         jsonb not null default '[]',
  results_complete boolean not null default true,
  message         text,
  created_by      text references app_user(id),
  created_at      timestamptz not null default now(),
  finished_at     timestamptz,
  check ((head_end is null) = (batch_id is null))
);
create unique index meter_import_batch_once on meter_import (head_end, batch_id) where batch_id is not null;
create index meter_import_file_idx on meter_import (format, file_sha256, status);
create index meter_import_created_idx on meter_import (created_at desc);

-- Which import brought a read in (null: hand entry, the demo, or a legacy migration).
alter table meter_read add column import_id text references meter_import(id);

-- Interval data (Green Button, AMI interval channels): usage per interval, in the meter's unit.
create table meter_interval (
  meter_id    text not null references meter(id),
  start_at    timestamptz not null,
  seconds     int not null check (seconds > 0),
  value       numeric(20, 9) not null check (value >= 0),
  import_id   text references meter_import(id),
  created_at  timestamptz not null default now(),
  primary key (meter_id, start_at)
);

-- Legacy CIS migration: each run, and the legacy key behind every record it created, so a re-run
-- creates nothing twice.
create table legacy_migration (
  id           text primary key,
  dry_run      boolean not null,
  status       text not null check (status in ('running', 'validated', 'invalid', 'imported', 'failed')),
  cutover_on   date,
  files        jsonb not null default '{}',    -- file name -> sha256
  report       jsonb,
  created_at   timestamptz not null default now(),
  finished_at  timestamptz
);

create table legacy_record (
  entity        text not null,   -- customer, premise, service_point, account, meter, service_agreement
  legacy_key    text not null,
  cisflow_id    text not null,
  migration_id  text not null references legacy_migration(id),
  primary key (entity, legacy_key)
);

-- The legacy system's aged opening balance per account, as given; posted to the ledger as one
-- opening_balance entry per non-zero bucket (see docs/legacy-migration.md).
create table legacy_opening_balance (
  account_id         text primary key references account(id),
  as_of              date not null,
  current_cents      bigint not null,
  days_31_60_cents   bigint not null,
  days_61_90_cents   bigint not null,
  days_over_90_cents bigint not null,
  migration_id       text not null references legacy_migration(id)
);

-- Bill and payment history from the legacy system: records for the customer's and staff's view only.
-- They happened before cutover, so their effect is already inside the opening balance; they post nothing.
create table legacy_bill (
  legacy_id     text primary key,
  account_id    text not null references account(id),
  period        text not null,
  bill_date     date not null,
  due_date      date,
  amount_cents  bigint not null,
  migration_id  text not null references legacy_migration(id)
);
create index legacy_bill_account_idx on legacy_bill (account_id, bill_date);

create table legacy_payment (
  legacy_id     text primary key,
  account_id    text not null references account(id),
  received_on   date not null,
  amount_cents  bigint not null,
  method        text not null,
  migration_id  text not null references legacy_migration(id)
);
create index legacy_payment_account_idx on legacy_payment (account_id, received_on);
