-- Notifications: what the utility wants to tell a customer, recorded in the same transaction as the event
-- that causes it (a transactional outbox). The messaging capability renders each one for the customer's
-- chosen channels and language and sends it; outbound_message keeps what was actually sent.
create table notification (
  id               text primary key,
  idempotency_key  text not null unique,
  account_id       text not null references account(id),
  alert            text not null,
  data             jsonb not null default '{}',
  urgent           boolean not null default false,
  status           text not null default 'pending' check (status in ('pending', 'processed', 'skipped')),
  created_at       timestamptz not null default now(),
  processed_at     timestamptz
);
create index notification_pending_idx on notification (created_at) where status = 'pending';
create index notification_account_idx on notification (account_id, created_at desc);
