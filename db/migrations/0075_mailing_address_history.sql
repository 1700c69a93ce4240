-- Each change of a customer's mailing address, with the address it replaced (null: none on file, bills
-- went to the service premise). A bill prints the address in effect when it was issued, so a bill issued
-- before a change and rendered after it still carries its own address (db/mailing-address.ts).
create table mailing_address_change (
  id           bigserial primary key,
  customer_id  text not null references customer(id),
  previous     jsonb,
  address      jsonb not null,
  changed_at   timestamptz not null default clock_timestamp(),
  request_id   text unique
);
create index mailing_address_change_customer_idx on mailing_address_change (customer_id, changed_at);
