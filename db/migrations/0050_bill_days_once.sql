-- No day is billed twice: an account's issued (or held) bills never cover the same day. A final bill runs
-- from the last bill to the stop date, whatever months that spans; a monthly bill for a month it already
-- covered must fail here even if the code that chose its days were wrong. A cancelled bill frees its days
-- for the corrected one.
create extension if not exists btree_gist;
alter table bill add constraint bill_days_once
  exclude using gist (account_id with =, daterange(period_start, period_end, '[]') with &&)
  where (status <> 'cancelled');
