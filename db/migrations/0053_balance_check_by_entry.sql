-- The balance check looked up the touched entries' postings with an IN over the transition table, which the
-- planner (knowing nothing of that table's size) answered with a scan of all postings: a bill run's page
-- cost grew with the whole ledger (94 s of a 100,000-account run). Each touched entry is now summed
-- through the posting_entry_idx index, so the check costs what the statement wrote.
create or replace function check_entries_balanced() returns trigger language plpgsql as $$
declare
  bad record;
begin
  select e.journal_entry_id, s.total, s.n into bad
  from (select distinct journal_entry_id from new_rows) e
  cross join lateral (
    select sum(p.amount_cents) as total, count(*) as n from posting p where p.journal_entry_id = e.journal_entry_id
  ) s
  where s.total <> 0 or s.n < 2
  limit 1;
  if found then
    raise exception 'journal entry % is unbalanced (sum % over % postings)', bad.journal_entry_id, bad.total, bad.n
      using errcode = 'check_violation';
  end if;
  return null;
end $$;
