-- A read import inserts up to millions of reads in one statement. The import a read came from is recorded by
-- the importer itself in the same transaction as its meter_import row, so it needs no per-row foreign-key
-- check (which cost about a fifth of a million-row import).
alter table meter_read drop constraint meter_read_import_id_fkey;
alter table meter_interval drop constraint meter_interval_import_id_fkey;
create index meter_read_import_idx on meter_read (import_id) where import_id is not null;
