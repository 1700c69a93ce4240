-- Net metering. A bidirectional meter's read carries its received (export) register beside the delivered
-- one, read at the same instant; import-only meters leave it null.
alter table meter_read add column received_value numeric(16, 4) check (received_value >= 0);

-- What each net-metered bill segment rated and carries to the next bill of its agreement: the kWh bank per
-- TOU period and the $ credit (which is also the balance of the account's nem_credit ledger account).
create table bill_segment_nem (
  bill_segment_id      text primary key references bill_segment(id),
  service_agreement_id text not null references service_agreement(id),
  exported             numeric(20, 9) not null check (exported >= 0),
  kwh_bank             jsonb not null default '{}',
  credit_cents         bigint not null check (credit_cents >= 0),
  carry_cents          bigint not null,
  expired_cents        bigint not null check (expired_cents >= 0)
);
create index bill_segment_nem_agreement_idx on bill_segment_nem (service_agreement_id);
