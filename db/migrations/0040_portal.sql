-- Portal and staff console: live "bill issued" events, and portal sign-up attempts (for lockout).

-- An issued bill changes the balance an open page shows: tell the API's SSE listeners, as payments do.
-- NOTIFY is delivered at commit, so a listener that reads the balance then sees the bill's ledger entry too.
create function notify_bill_issued() returns trigger language plpgsql as $$
begin
  if new.status = 'issued' and (tg_op = 'INSERT' or old.status is distinct from 'issued') then
    perform pg_notify('account_events',
      json_build_object('accountId', new.account_id, 'type', 'bill.issued', 'billId', new.id, 'period', new.period)::text);
  end if;
  return null;
end $$;
create trigger bill_issued_notify after insert or update of status on bill
  for each row execute function notify_bill_issued();

-- Every sign-up try, so guessing an account's verification factor is cut off after a few misses.
create table portal_signup_attempt (
  id              bigint generated always as identity primary key,
  account_number  text not null,
  ip              text not null,
  succeeded       boolean not null,
  at              timestamptz not null default now()
);
create index portal_signup_attempt_account_idx on portal_signup_attempt (account_number, at);
create index portal_signup_attempt_ip_idx on portal_signup_attempt (ip, at);
