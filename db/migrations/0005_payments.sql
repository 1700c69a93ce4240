-- Payments through a gateway: the idempotency key is stored before the gateway is called, the gateway's
-- reference is unique, and every webhook event is recorded once (replays are recognised and ignored).
alter table payment add column idempotency_key text unique;
alter table payment add column provider text not null default 'counter' check (provider in ('stripe', 'outbox', 'counter'));
alter table payment add column provider_ref text unique;
alter table payment add column failure_code text;
alter table payment add column workflow_id text;
alter table payment add column return_entry_id text references journal_entry(id);
alter table payment drop constraint payment_status_check;
alter table payment add constraint payment_status_check
  check (status in ('pending', 'processing', 'succeeded', 'failed', 'returned', 'refunded'));

create table webhook_event (
  id           text primary key,      -- the provider's event id
  provider     text not null,
  type         text not null,
  payment_id   text references payment(id),
  received_at  timestamptz not null default now()
);
