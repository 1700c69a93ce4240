-- How a payment was applied to bills: oldest open bill first (the utility's default policy); whatever is
-- left over is a credit on the account. The ledger stays balance-forward; this explains where money went.
create table payment_allocation (
  payment_id    text not null references payment(id),
  bill_id       text not null references bill(id),
  amount_cents  bigint not null check (amount_cents > 0),
  primary key (payment_id, bill_id)
);
create index payment_allocation_bill_idx on payment_allocation (bill_id);
