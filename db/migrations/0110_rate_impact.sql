-- Rate-change impact reports: a proposed tariff (a not-yet-effective version, or a document) against the
-- version in effect, over every active account's last 12 billed months. One row per report (its figures
-- once complete) and one per account rated, so a page retried by Temporal rewrites its own rows only.
create table rate_impact_report (
  id                   text primary key,
  rate_schedule_id     text not null references rate_schedule(id),
  service_type         text not null,
  current_version_id   text not null references rate_version(id),
  proposed_version_id  text references rate_version(id),
  proposed_tariff      jsonb not null,         -- the parsed tariff rated as proposed (a version's, or the document)
  months_from          text not null check (months_from ~ '^\d{4}-\d{2}$'),  -- first billed period rated
  months_to            text not null check (months_to ~ '^\d{4}-\d{2}$'),    -- last billed period rated
  status               text not null default 'pending' check (status in ('pending', 'running', 'completed', 'failed')),
  accounts             int,                    -- accounts planned
  figures              jsonb,                  -- the report (db/rate-impact.ts impactFigures), once completed
  requested_by         text references app_user(id),
  created_at           timestamptz not null default now(),
  completed_at         timestamptz
);
create index rate_impact_report_schedule_idx on rate_impact_report (rate_schedule_id, created_at desc);

create table rate_impact_account (
  report_id       text not null references rate_impact_report(id) on delete cascade,
  account_id      text not null references account(id),
  account_number  text not null,
  customer_class  text not null,
  months          int not null,                -- billed months rated (12 unless the account is newer)
  current_cents   bigint not null,
  proposed_cents  bigint not null,
  primary key (report_id, account_id)
);
