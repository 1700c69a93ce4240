-- Interval billing reads a meter's delivered and received channels and each interval's quality. The columns
-- are those of the partitioned meter_interval (issue 19 item 1), added here only where they are missing, so
-- this migration is a no-op after the partitioning migration and does the same on the plain table before it.
--   channel: 0 delivered (import), 1 received (export)
--   quality: 0 actual, 1 estimated by cisflow's gap rule, 2 estimated by the vendor
alter table meter_interval add column if not exists channel smallint not null default 0;
alter table meter_interval add column if not exists quality smallint not null default 0;

-- one interval per meter, channel and start: re-made only when the key is not already these columns
do $$
declare
  pk_name text;
  pk_cols text[];
begin
  select c.conname, array_agg(a.attname::text order by k.ord)
    into pk_name, pk_cols
  from pg_constraint c
  cross join lateral unnest(c.conkey) with ordinality as k(attnum, ord)
  join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
  where c.conrelid = 'meter_interval'::regclass and c.contype = 'p'
  group by c.conname;
  if pk_cols is distinct from array['meter_id', 'channel', 'start_at'] then
    if pk_name is not null then
      execute format('alter table meter_interval drop constraint %I', pk_name);
    end if;
    alter table meter_interval add primary key (meter_id, channel, start_at);
  end if;
end
$$;
