-- Refunds are rows, reserved under a lock on their payment before the gateway is called, so two refunds sent
-- at once cannot both take the same cents. The database holds the line even if code forgets the lock:
-- a trigger locks the payment and refuses a refund that would take more than the payment, and the
-- payment's refunded total may never pass its amount. Allocations likewise never pass their bill's total.
create table refund (
  id                text primary key,
  payment_id        text not null references payment(id),
  seq               int not null check (seq >= 0),       -- 1, 2, 3 … per payment; names the workflow and ledger key
  amount_cents      bigint not null check (amount_cents > 0),
  reason            text not null,
  status            text not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
  gateway_ref       text,
  journal_entry_id  text references journal_entry(id),
  requested_by      text,
  created_at        timestamptz not null default now(),
  unique (payment_id, seq)
);

-- refunds posted before this table existed: one settled row each, so the limit counts them
insert into refund (id, payment_id, seq, amount_cents, reason, status)
select 'ref_before_' || id, id, 0, refunded_cents, 'refunded before refund records', 'succeeded'
from payment where refunded_cents > 0;

alter table payment add constraint payment_refunded_within_amount check (refunded_cents <= amount_cents);

create function check_refund_within_payment() returns trigger language plpgsql as $$
declare
  paid bigint;
  taken bigint;
begin
  if new.status = 'failed' then return new; end if;
  -- the lock makes a concurrent refund of the same payment wait, then count this one
  select amount_cents into paid from payment where id = new.payment_id for no key update;
  select coalesce(sum(amount_cents), 0) into taken from refund
   where payment_id = new.payment_id and status <> 'failed' and id <> new.id;
  if taken + new.amount_cents > paid then
    raise exception 'refunds of payment % would total % cents, more than its % cents',
      new.payment_id, taken + new.amount_cents, paid
      using errcode = '23514', constraint = 'refund_within_payment', column = 'amount_cents';
  end if;
  return new;
end $$;

create trigger refund_within_payment before insert or update of amount_cents, status on refund
  for each row execute function check_refund_within_payment();

create function check_allocation_within_bill() returns trigger language plpgsql as $$
declare
  total bigint;
  taken bigint;
begin
  select total_cents into total from bill where id = new.bill_id for no key update;
  select coalesce(sum(amount_cents), 0) into taken from payment_allocation
   where bill_id = new.bill_id and payment_id <> new.payment_id;
  if taken + new.amount_cents > total then
    raise exception 'allocations to bill % would total % cents, more than its % cents',
      new.bill_id, taken + new.amount_cents, total
      using errcode = '23514', constraint = 'allocation_within_bill', column = 'amount_cents';
  end if;
  return new;
end $$;

create trigger allocation_within_bill before insert or update of amount_cents on payment_allocation
  for each row execute function check_allocation_within_bill();
