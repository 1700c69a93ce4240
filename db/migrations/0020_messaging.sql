-- Messaging: what each customer subscribed to, verified contacts and SMS consent, and a full record of every
-- message (who, what, when, channel, provider id, delivery state) with its delivery history.

-- Per customer, per alert type: which channels. No row means the default (see db/subscriptions.ts).
create table alert_subscription (
  customer_id  text not null references customer(id),
  alert        text not null,
  email        boolean not null,
  sms          boolean not null,
  updated_at   timestamptz not null default now(),
  primary key (customer_id, alert)
);

-- A contact is verified (email link, SMS code) before anything but its verification message is sent to it.
-- A bounce or spam report suppresses it and flags it for staff; a number Twilio calls invalid is marked so.
alter table customer_contact add column flag text;
alter table customer_contact add column flagged_at timestamptz;
create index customer_contact_value_idx on customer_contact (kind, lower(value));

create table contact_verification (
  id           text primary key,
  contact_id   text not null references customer_contact(id),
  secret_hash  text not null unique,
  expires_at   timestamptz not null,
  attempts     int not null default 0,
  used_at      timestamptz,
  created_at   timestamptz not null default now()
);
create index contact_verification_contact_idx on contact_verification (contact_id, created_at desc);

-- STOP / START from a phone number (carrier rules): consent belongs to the number, whoever's contact it is.
create table sms_opt_out (
  phone        text primary key,
  opted_out_at timestamptz not null default now()
);

-- The dispatcher marks when it started a notification's workflow, so the periodic sweep skips it for a while.
alter table notification add column dispatched_at timestamptz;

-- Every message, and where it is now.
alter table outbound_message drop constraint outbound_message_status_check;
alter table outbound_message add constraint outbound_message_status_check check (status in
  ('queued', 'sending', 'sent', 'delivered', 'failed', 'undelivered', 'bounced', 'dropped', 'spam_report', 'outbox'));
alter table outbound_message add column notification_id text references notification(id);
alter table outbound_message add column contact_id text references customer_contact(id);
alter table outbound_message add column customer_id text references customer(id);
alter table outbound_message add column language text;
alter table outbound_message add column html text;
alter table outbound_message add column urgent boolean not null default false;
alter table outbound_message add column encoding text;
alter table outbound_message add column segments int;
alter table outbound_message add column attempts int not null default 0;
alter table outbound_message add column error_code text;
alter table outbound_message add column error_message text;
alter table outbound_message add column send_after timestamptz;
alter table outbound_message add column sent_at timestamptz;
alter table outbound_message add column status_at timestamptz;
create index outbound_message_provider_idx on outbound_message (provider, provider_id) where provider_id is not null;
create index outbound_message_notification_idx on outbound_message (notification_id);

-- Delivery history: each attempt, the provider's answer, and each webhook event (de-duplicated by its id).
create table message_event (
  id                 bigserial primary key,
  message_id         text not null references outbound_message(id),
  kind               text not null,
  detail             jsonb not null default '{}',
  provider_event_id  text unique,
  created_at         timestamptz not null default now()
);
create index message_event_message_idx on message_event (message_id, id);

-- Staff broadcasts (outages, service alerts): who sent what to which area, and how many accounts it reached.
create table outage_broadcast (
  id            text primary key,
  message       text not null,
  area          jsonb not null,
  urgent        boolean not null default true,
  created_by    text references app_user(id),
  account_count int not null,
  created_at    timestamptz not null default now()
);
