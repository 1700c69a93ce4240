-- Core meter-to-cash model, shaped like an enterprise CIS:
-- customer -> account -> service agreement -> service point (at a premise) -> meter -> reads;
-- bill -> bill segment (one per service agreement) -> bill lines; every money movement is a journal entry.

create table customer (
  id            text primary key,
  kind          text not null default 'person' check (kind in ('person', 'business')),
  name          text not null check (length(name) between 1 and 200),
  email         text,
  phone         text,
  language      text not null default 'en' check (language in ('en', 'es')),
  created_at    timestamptz not null default now()
);
create index customer_name_idx on customer (lower(name));

create table premise (
  id            text primary key,
  address_line1 text not null,
  address_line2 text,
  city          text not null,
  state         text not null,
  postal_code   text not null,
  route         text,               -- read route; billing cycles are keyed to routes
  created_at    timestamptz not null default now()
);

create table account (
  id              text primary key,
  account_number  text not null unique,
  customer_id     text not null references customer(id),
  customer_class  text not null default 'residential',
  billing_cycle   text not null default '01',
  paperless       boolean not null default false,
  status          text not null default 'active' check (status in ('pending', 'active', 'closed')),
  opened_on       date not null default current_date,
  created_at      timestamptz not null default now()
);
create index account_customer_idx on account (customer_id);
create index account_cycle_idx on account (billing_cycle, id);

create table service_point (
  id            text primary key,
  premise_id    text not null references premise(id),
  service_type  text not null check (service_type in ('water', 'sewer', 'electric', 'gas', 'trash')),
  created_at    timestamptz not null default now()
);
create index service_point_premise_idx on service_point (premise_id);

create table meter (
  id             text primary key,
  serial_number  text not null unique,
  kind           text not null check (kind in ('water', 'electric', 'gas')),
  unit           text not null check (unit in ('gal', 'kgal', 'ccf', 'cf', 'kWh', 'therm')),
  dial_count     int not null default 6 check (dial_count between 1 and 12),
  multiplier     numeric(12, 6) not null default 1 check (multiplier > 0),
  size           text,               -- e.g. 5/8", 1", 2": drives fixed charges by meter size
  created_at     timestamptz not null default now()
);

-- Install/remove history: which meter served which service point when.
create table meter_installation (
  id                text primary key,
  meter_id          text not null references meter(id),
  service_point_id  text not null references service_point(id),
  installed_at      timestamptz not null,
  removed_at        timestamptz,
  check (removed_at is null or removed_at > installed_at)
);
create index meter_installation_sp_idx on meter_installation (service_point_id, installed_at);
create unique index meter_installation_one_active on meter_installation (meter_id) where removed_at is null;

create table rate_schedule (
  id            text primary key,
  code          text not null unique,
  name          text not null,
  service_type  text not null check (service_type in ('water', 'sewer', 'electric', 'gas', 'trash')),
  created_at    timestamptz not null default now()
);

-- Effective-dated tariff versions; a bill line names the version that priced it.
create table rate_version (
  id                text primary key,
  rate_schedule_id  text not null references rate_schedule(id),
  effective_from    date not null,
  tariff            jsonb not null,
  created_at        timestamptz not null default now(),
  unique (rate_schedule_id, effective_from)
);

create table service_agreement (
  id                text primary key,
  account_id        text not null references account(id),
  service_point_id  text not null references service_point(id),
  service_type      text not null check (service_type in ('water', 'sewer', 'electric', 'gas', 'trash')),
  rate_schedule_id  text not null references rate_schedule(id),
  status            text not null default 'active'
                    check (status in ('pending', 'active', 'suspended_seasonal', 'pending_stop', 'closed')),
  start_date        date not null,
  end_date          date,
  created_at        timestamptz not null default now(),
  check (end_date is null or end_date >= start_date)
);
create index service_agreement_account_idx on service_agreement (account_id);

create table meter_read (
  id              text primary key,
  meter_id        text not null references meter(id),
  read_at         timestamptz not null,
  value           numeric(16, 4) not null check (value >= 0),
  source          text not null check (source in ('ami', 'amr', 'manual', 'customer', 'estimated')),
  quality         text not null default 'valid' check (quality in ('valid', 'suspect', 'rejected')),
  supersedes_id   text references meter_read(id),
  created_at      timestamptz not null default now()
);
create index meter_read_meter_time_idx on meter_read (meter_id, read_at);

create table bill (
  id              text primary key,
  account_id      text not null references account(id),
  period          text not null check (period ~ '^\d{4}-\d{2}$'),
  period_start    date not null,
  period_end      date not null,
  status          text not null default 'issued' check (status in ('held', 'issued', 'cancelled')),
  bill_date       date not null,
  due_date        date not null,
  total_cents     bigint not null,
  workflow_id     text,
  created_at      timestamptz not null default now(),
  -- At most one bill per account and period: a re-run bill run cannot double-bill.
  unique (account_id, period)
);
create index bill_account_idx on bill (account_id, period_end desc);

create table bill_segment (
  id                    text primary key,
  bill_id               text not null references bill(id),
  service_agreement_id  text not null references service_agreement(id),
  service_type          text not null,
  start_read_id         text references meter_read(id),
  end_read_id           text references meter_read(id),
  consumption           numeric(16, 4),
  unit                  text,
  total_cents           bigint not null
);
create index bill_segment_bill_idx on bill_segment (bill_id);

create table bill_line (
  id                text primary key,
  bill_segment_id   text not null references bill_segment(id),
  seq               int not null,
  description       text not null,
  quantity          numeric(18, 6),
  unit              text,
  unit_price        numeric(18, 8),
  amount_cents      bigint not null,
  rate_version_id   text references rate_version(id),
  trace             jsonb not null,   -- what produced the line: reads, rate version, tier, proration
  unique (bill_segment_id, seq)
);

-- ---------------------------------------------------------------- ledger
create table ledger_account (
  id            text primary key,      -- readable codes: 'ar:acct_…', 'revenue:water', 'cash_clearing'
  kind          text not null check (kind in ('asset', 'liability', 'revenue', 'expense', 'equity')),
  name          text not null,
  account_id    text references account(id),  -- set on a customer's receivable
  created_at    timestamptz not null default now()
);

create table journal_entry (
  id               text primary key,
  idempotency_key  text not null unique,   -- a retried activity or replayed webhook posts once
  kind             text not null check (kind in ('bill', 'payment', 'adjustment', 'reversal', 'fee', 'opening_balance')),
  account_id       text references account(id),
  effective_on     date not null,
  description      text not null,
  reverses_id      text references journal_entry(id),
  bill_id          text references bill(id),
  created_at       timestamptz not null default now()
);
create index journal_entry_account_idx on journal_entry (account_id, effective_on);

-- Debits are positive, credits negative; each entry sums to zero.
create table posting (
  id                 bigint generated always as identity primary key,
  journal_entry_id   text not null references journal_entry(id),
  ledger_account_id  text not null references ledger_account(id),
  amount_cents       bigint not null check (amount_cents <> 0)
);
create index posting_ledger_account_idx on posting (ledger_account_id) include (amount_cents);
create index posting_entry_idx on posting (journal_entry_id);

-- The ledger is append-only: corrections are reversing entries, never edits.
create function forbid_ledger_change() returns trigger language plpgsql as $$
begin
  raise exception 'ledger is append-only: % on % is not allowed; post a reversing entry', tg_op, tg_table_name
    using errcode = 'raise_exception';
end $$;
create trigger journal_entry_append_only before update or delete on journal_entry
  for each row execute function forbid_ledger_change();
create trigger journal_entry_no_truncate before truncate on journal_entry
  for each statement execute function forbid_ledger_change();
create trigger posting_append_only before update or delete on posting
  for each row execute function forbid_ledger_change();
create trigger posting_no_truncate before truncate on posting
  for each statement execute function forbid_ledger_change();

-- Every entry balances. Checked per statement over the entries it touched, so an entry's postings
-- go in with one INSERT (fast for bulk loads) and a later stray posting cannot unbalance it.
create function check_entries_balanced() returns trigger language plpgsql as $$
declare
  bad record;
begin
  select p.journal_entry_id, sum(p.amount_cents) as total, count(*) as n into bad
  from posting p
  where p.journal_entry_id in (select distinct journal_entry_id from new_rows)
  group by p.journal_entry_id
  having sum(p.amount_cents) <> 0 or count(*) < 2
  limit 1;
  if found then
    raise exception 'journal entry % is unbalanced (sum % over % postings)', bad.journal_entry_id, bad.total, bad.n
      using errcode = 'check_violation';
  end if;
  return null;
end $$;
create trigger posting_balanced after insert on posting
  referencing new table as new_rows for each statement execute function check_entries_balanced();

create table payment (
  id                text primary key,
  account_id        text not null references account(id),
  amount_cents      bigint not null check (amount_cents > 0),
  method            text not null check (method in ('card', 'ach', 'cash', 'check', 'lockbox')),
  status            text not null check (status in ('pending', 'processing', 'succeeded', 'failed', 'returned', 'refunded')),
  received_at       timestamptz not null,
  journal_entry_id  text references journal_entry(id),
  external_ref      text,
  created_at        timestamptz not null default now()
);
create index payment_account_idx on payment (account_id, received_at desc);

-- ---------------------------------------------------------------- people, sessions, audit
create table app_user (
  id              text primary key,
  email           text not null unique,
  display_name    text not null,
  password_hash   text not null,
  kind            text not null check (kind in ('staff', 'customer')),
  role            text check (role in ('csr', 'billing_admin', 'supervisor', 'admin')),
  customer_id     text references customer(id),
  created_at      timestamptz not null default now(),
  check ((kind = 'staff') = (role is not null))
);

-- A portal login may see several utility accounts (a landlord, a business with many sites).
create table portal_account_access (
  user_id     text not null references app_user(id),
  account_id  text not null references account(id),
  primary key (user_id, account_id)
);
create index portal_account_access_account_idx on portal_account_access (account_id);

create table user_session (
  token_hash   text primary key,          -- sha256 of the bearer/cookie token; the token itself is never stored
  user_id      text not null references app_user(id),
  csrf_token   text not null,
  created_at   timestamptz not null default now(),
  expires_at   timestamptz not null
);
create index user_session_user_idx on user_session (user_id);

create table audit_log (
  id             bigint generated always as identity primary key,
  at             timestamptz not null default now(),
  actor_user_id  text references app_user(id),
  actor_role     text,
  action         text not null,
  resource_type  text not null,
  resource_id    text,
  request_id     text,
  detail         jsonb not null default '{}'
);
create index audit_log_resource_idx on audit_log (resource_type, resource_id);
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function forbid_ledger_change();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function forbid_ledger_change();

-- Stripe-style Idempotency-Key on POSTs: the first response is kept and replayed.
create table idempotent_request (
  user_id        text not null,
  key            text not null,
  method         text not null,
  path           text not null,
  request_hash   text not null,
  status_code    int,
  response       jsonb,
  created_at     timestamptz not null default now(),
  primary key (user_id, key)
);
