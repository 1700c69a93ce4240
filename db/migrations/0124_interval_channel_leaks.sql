-- Interval channel and quality (0 delivered / 1 received; 0 = measured). The partitioned meter_interval
-- migration has both columns; here they are added only if missing, so this is a no-op after it.
alter table meter_interval
  add column if not exists channel smallint not null default 0,
  add column if not exists quality smallint not null default 0;

-- Suspected leaks on water meters, found by the daily leak check (domain/leak.ts has the rule). One open
-- episode per meter and account at a time: a check that still sees the signal updates it (no new alert);
-- a check whose data shows it gone closes it; a later signal opens a new episode, which alerts again.
create table leak_episode (
  id               text primary key,
  meter_id         text not null references meter(id),
  service_point_id text not null references service_point(id),
  -- the account whose tenure the flow happened in: only it (and staff) ever sees the episode
  account_id       text not null references account(id),
  kind             text not null check (kind in ('continuous', 'night_flow')),
  status           text not null check (status in ('open', 'closed')),
  started_at       timestamptz not null,
  last_seen_at     timestamptz not null,
  closed_at        timestamptz,
  -- the latest check's figures: continuous hours, lowest hourly flow, night average and its normal, unit
  evidence         jsonb not null,
  notification_id  text,
  created_at       timestamptz not null default now(),
  check ((status = 'closed') = (closed_at is not null))
);
create unique index leak_episode_one_open on leak_episode (meter_id, account_id) where status = 'open';
create index leak_episode_account_idx on leak_episode (account_id, started_at desc);
