-- Interval data at AMI scale (issue 19): meter_interval becomes a table partitioned by month of start_at
-- (UTC), one partition per calendar month named meter_interval_yYYYYmMM, with a compact row: the channel
-- (0 delivered, 1 received) and quality (0 actual, 1 estimated by cisflow's gap rule, 2 estimated by the
-- head-end or vendor) are new; import_id and created_at per row are gone (about 40 bytes of a ~130-byte row):
-- which import wrote which month is kept per import in meter_import_interval instead.
-- Partitions are made by db/interval-partitions.ts (ahead of time by the daily interval-partitions job, and
-- by an import for any month it touches); the same job detaches and drops months older than the retention.
alter table meter_interval rename to meter_interval_unpartitioned;
alter table meter_interval_unpartitioned rename constraint meter_interval_pkey to meter_interval_unpartitioned_pkey;

create table meter_interval (
  meter_id  text     not null,
  channel   smallint not null default 0 check (channel in (0, 1)),
  start_at  timestamptz not null,
  seconds   int      not null check (seconds > 0),
  value     numeric(20, 9) not null check (value >= 0),
  quality   smallint not null default 0 check (quality in (0, 1, 2)),
  primary key (meter_id, channel, start_at)
) partition by range (start_at);
-- "all meters for one day": a BRIN on start_at (each partition's rows arrive roughly in time order, a day's
-- import at a time, so block ranges are narrow). A few pages per partition instead of a btree's ~25 bytes a
-- row; bench/intervals.ts measures both.
create index meter_interval_start_brin on meter_interval using brin (start_at) with (pages_per_range = 16);

-- Which import brought intervals into which month and channel (the per-row import_id this replaces).
create table meter_import_interval (
  import_id   text not null references meter_import(id),
  month       date not null,           -- first day of the partition's month (UTC)
  channel     smallint not null,
  rows        int not null check (rows > 0),
  first_start timestamptz not null,
  last_start  timestamptz not null,
  primary key (import_id, month, channel)
);
create index meter_import_interval_month_idx on meter_import_interval (month);

-- the partitions the stored rows need, then the rows, in key order
do $$
declare m date;
begin
  for m in select distinct date_trunc('month', start_at at time zone 'UTC')::date from meter_interval_unpartitioned loop
    execute format(
      'create table %I partition of meter_interval for values from (%L) to (%L)',
      'meter_interval_y' || to_char(m, 'YYYY') || 'm' || to_char(m, 'MM'),
      (m::timestamp at time zone 'UTC'), ((m + interval '1 month')::timestamp at time zone 'UTC'));
  end loop;
end $$;

insert into meter_interval (meter_id, channel, start_at, seconds, value, quality)
select meter_id, 0, start_at, seconds, value, 0 from meter_interval_unpartitioned order by meter_id, start_at;

insert into meter_import_interval (import_id, month, channel, rows, first_start, last_start)
select import_id, date_trunc('month', start_at at time zone 'UTC')::date, 0, count(*), min(start_at), max(start_at)
from meter_interval_unpartitioned where import_id is not null
group by import_id, date_trunc('month', start_at at time zone 'UTC');

drop table meter_interval_unpartitioned;
