-- Domain core: contacts and preferences, rating facts on agreements, read validation results,
-- adjustments and deposits. Rate versions now hold native tariffs (schema "cisflow.tariff/1").

create table customer_contact (
  id           text primary key,
  customer_id  text not null references customer(id),
  kind         text not null check (kind in ('email', 'sms', 'voice', 'postal')),
  value        text not null,
  verified_at  timestamptz,
  status       text not null default 'active' check (status in ('active', 'invalid', 'suppressed')),
  created_at   timestamptz not null default now(),
  unique (customer_id, kind, value)
);

create table customer_preference (
  customer_id  text primary key references customer(id),
  paperless    boolean not null default false,
  language     text not null default 'en' check (language in ('en', 'es')),
  alerts       jsonb not null default '{}',   -- alert type -> channels
  updated_at   timestamptz not null default now()
);

-- Facts rating needs beyond the reads: tax exemptions, household size and irrigated area for water budgets.
alter table account add column flags text[] not null default '{}';
alter table service_agreement add column rating_params jsonb not null default '{}';

-- A read can replace an earlier one (a re-read or a corrected estimate); the earlier stays for the record.
create index meter_read_supersedes_idx on meter_read (supersedes_id) where supersedes_id is not null;
alter table meter_read add column flags jsonb not null default '[]';   -- validation findings, never silent fixes

create table adjustment (
  id                text primary key,
  account_id        text not null references account(id),
  kind              text not null check (kind in ('credit', 'debit', 'late_fee', 'returned_payment_fee', 'write_off', 'rebill')),
  amount_cents      bigint not null check (amount_cents <> 0),   -- positive raises what the customer owes
  reason            text not null,
  bill_id           text references bill(id),
  journal_entry_id  text not null references journal_entry(id),
  created_by        text references app_user(id),
  created_at        timestamptz not null default now()
);
create index adjustment_account_idx on adjustment (account_id, created_at);

create table deposit (
  id                text primary key,
  account_id        text not null references account(id),
  amount_cents      bigint not null check (amount_cents > 0),
  status            text not null check (status in ('billed', 'held', 'refunded', 'applied')),
  journal_entry_id  text references journal_entry(id),
  created_at        timestamptz not null default now()
);
create index deposit_account_idx on deposit (account_id);

alter table journal_entry drop constraint journal_entry_kind_check;
alter table journal_entry add constraint journal_entry_kind_check
  check (kind in ('bill', 'payment', 'adjustment', 'reversal', 'fee', 'opening_balance', 'deposit'));

-- Rating carries 9 fractional digits (prices such as $0.0947412/kWh, prorated tier quantities); store them whole.
alter table bill_line alter column quantity type numeric(24, 9);
alter table bill_line alter column unit_price type numeric(20, 9);
alter table bill_segment alter column consumption type numeric(24, 9);

-- Flat tariffs from 0001 become native tariffs: a fixed customer charge plus a single-tier usage price.
update rate_version rv set tariff = jsonb_build_object(
    'schema', 'cisflow.tariff/1',
    'name', rs.name,
    'service', rs.service_type,
    'unit', rv.tariff->>'unit',
    'components',
      jsonb_build_array(jsonb_build_object('type', 'fixed', 'name', initcap(rs.service_type) || ' customer charge', 'amount', rv.tariff->>'customerCharge'))
      || case when (rv.tariff->>'unitPrice')::numeric <> 0 then jsonb_build_array(jsonb_build_object(
           'type', 'volumetric', 'name', initcap(rs.service_type) || ' usage',
           'tiers', jsonb_build_array(jsonb_build_object('from', '0', 'price', rv.tariff->>'unitPrice'))))
         else '[]'::jsonb end)
  from rate_schedule rs
  where rs.id = rv.rate_schedule_id and rv.tariff->>'kind' = 'flat';
