-- Autopay: a saved payment method debited for each new bill, on the due date or some days before.
create table autopay_enrollment (
  account_id          text primary key references account(id),
  method              text not null check (method in ('card', 'ach')),
  payment_method_ref  text not null,        -- the gateway's saved method (pm_…)
  days_before_due     int not null default 0 check (days_before_due between 0 and 20),
  status              text not null default 'active' check (status in ('active', 'cancelled')),
  enrolled_at         timestamptz not null default now()
);
alter table payment add column payment_method_ref text;
alter table payment add column bill_id text references bill(id);
create unique index payment_autopay_once on payment (bill_id) where bill_id is not null and provider <> 'counter';
