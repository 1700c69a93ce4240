-- Bill runs: the exceptions queue, bill documents, the print batch, and the dev outbox for messages.

-- A held bill waits here for staff: why it was held, and how it was resolved.
create table bill_exception (
  id            text primary key,
  account_id    text not null references account(id),
  period        text not null,
  workflow_id   text not null unique,
  reasons       jsonb not null,
  status        text not null default 'open' check (status in ('open', 'escalated', 'resolved', 'cancelled')),
  resolution    jsonb,
  resolved_by   text references app_user(id),
  created_at    timestamptz not null default now(),
  resolved_at   timestamptz
);
create index bill_exception_open_idx on bill_exception (status, created_at) where status in ('open', 'escalated');

-- Rendered bills, kept so the customer's copy never changes after it was sent.
create table bill_document (
  bill_id     text primary key references bill(id),
  pdf         bytea not null,
  sha256      text not null,
  created_at  timestamptz not null default now()
);

-- Bills for customers not on paperless, grouped into a batch per cycle and period for the print vendor.
create table print_batch_item (
  bill_id     text primary key references bill(id),
  batch       text not null,
  created_at  timestamptz not null default now()
);
create index print_batch_item_batch_idx on print_batch_item (batch);

-- Every message cisflow sends; with no provider keys (dev outbox mode) this is where they stop.
create table outbound_message (
  id               text primary key,
  idempotency_key  text not null unique,
  account_id       text references account(id),
  channel          text not null check (channel in ('email', 'sms')),
  to_address       text not null,
  template         text not null,
  subject          text,
  body             text not null,
  provider         text not null,
  provider_id      text,
  status           text not null default 'queued' check (status in ('queued', 'sent', 'delivered', 'failed', 'outbox')),
  created_at       timestamptz not null default now()
);
create index outbound_message_account_idx on outbound_message (account_id, created_at desc);
