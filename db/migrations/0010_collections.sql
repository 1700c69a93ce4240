-- Collections, payment arrangements, disputes, service requests and service orders. Each is driven by a
-- Temporal workflow; these tables are what staff and the customer see of it, and case_event is the trail.

-- Collection policy is data, per customer class; absent keys fall back to the defaults in domain/collections.ts.
create table collection_policy (
  customer_class  text primary key,
  policy          jsonb not null,
  updated_by      text references app_user(id),
  updated_at      timestamptz not null default now()
);

-- One open collection case per account at a time; it closes when nothing collectible is owed.
create table collection_case (
  id           text primary key,
  account_id   text not null references account(id),
  workflow_id  text not null,
  stage        text not null default 'watching',
  status       text not null default 'open' check (status in ('open', 'closed')),
  opened_at    timestamptz not null default now(),
  closed_at    timestamptz
);
create unique index collection_case_one_open on collection_case (account_id) where status = 'open';

-- The trail of every case-like thing (collections, disputes, service requests, arrangements): what
-- happened, why, and who did it. A step keyed once can never happen twice (a retried activity adds nothing).
create table case_event (
  id               bigint generated always as identity primary key,
  idempotency_key  text not null unique,
  subject_type     text not null check (subject_type in ('collection', 'dispute', 'service_request', 'arrangement', 'hold')),
  subject_id       text not null,
  account_id       text references account(id),
  event            text not null,
  bill_id          text references bill(id),
  detail           jsonb not null default '{}',
  actor            text,                    -- a user id, 'customer:<user id>' or 'system'
  created_at       timestamptz not null default now()
);
create index case_event_subject_idx on case_event (subject_type, subject_id, id);
create index case_event_account_idx on case_event (account_id, id);

-- Holds suspend disconnection: a medical certificate (renewable by policy) or a manual hold.
create table collection_hold (
  id           text primary key,
  account_id   text not null references account(id),
  kind         text not null check (kind in ('medical', 'manual')),
  starts_on    date not null,
  ends_on      date not null,
  renewals     int not null default 0,
  note         text,
  created_by   text references app_user(id),
  released_at  timestamptz,
  created_at   timestamptz not null default now(),
  check (ends_on >= starts_on)
);
create index collection_hold_account_idx on collection_hold (account_id);

alter table account add column service_state text not null default 'connected'
  check (service_state in ('connected', 'disconnected'));
alter table customer add column mailing_address jsonb;

-- Field work: disconnects, reconnects, re-reads, start/stop reads.
create table service_order (
  id            text primary key,
  account_id    text not null references account(id),
  kind          text not null check (kind in ('disconnect', 'reconnect', 'reread', 'final_read', 'start_read')),
  status        text not null default 'open' check (status in ('open', 'completed', 'cancelled')),
  reason        text not null,
  source_type   text,             -- what asked for it: collection, dispute, service_request
  source_id     text,
  result        jsonb,
  idempotency_key text not null unique,
  created_at    timestamptz not null default now(),
  completed_at  timestamptz
);
create index service_order_account_idx on service_order (account_id, created_at desc);

create table payment_arrangement (
  id            text primary key,
  account_id    text not null references account(id),
  total_cents   bigint not null check (total_cents > 0),
  installments  jsonb not null,    -- [{seq, dueDate, amountCents}]
  covers_due_on date not null,     -- bills due on or before this date are covered
  status        text not null default 'active' check (status in ('active', 'completed', 'broken', 'cancelled')),
  workflow_id   text not null,
  created_by    text,
  created_at    timestamptz not null default now(),
  closed_at     timestamptz
);
create unique index payment_arrangement_one_active on payment_arrangement (account_id) where status = 'active';

create table dispute (
  id             text primary key,
  account_id     text not null references account(id),
  bill_id        text not null references bill(id),
  reason         text not null check (length(reason) between 3 and 2000),
  disputed_cents bigint not null check (disputed_cents > 0),
  reread         boolean not null default false,
  status         text not null default 'open' check (status in ('open', 'investigating', 'escalated', 'resolved')),
  resolution     text check (resolution in ('upheld', 'adjusted', 'rebill')),
  resolution_detail jsonb,
  opened_by      text not null,
  sla_due_at     timestamptz not null,
  workflow_id    text not null,
  created_at     timestamptz not null default now(),
  resolved_at    timestamptz
);
create unique index dispute_one_open_per_bill on dispute (bill_id) where status <> 'resolved';
create index dispute_account_idx on dispute (account_id, created_at desc);
create index dispute_status_idx on dispute (status, created_at);

create table service_request (
  id                 text primary key,
  account_id         text references account(id),
  customer_id        text references customer(id),
  kind               text not null check (kind in ('start_service', 'stop_service', 'transfer', 'mailing_address',
                                                   'reread', 'seasonal_suspend', 'seasonal_resume')),
  status             text not null default 'submitted'
                     check (status in ('submitted', 'awaiting_approval', 'in_progress', 'completed', 'rejected', 'failed')),
  details            jsonb not null default '{}',
  requires_approval  boolean not null default false,
  decided_by         text references app_user(id),
  result             jsonb,
  requested_by       text not null,
  workflow_id        text not null,
  created_at         timestamptz not null default now(),
  completed_at       timestamptz
);
create index service_request_account_idx on service_request (account_id, created_at desc);
create index service_request_status_idx on service_request (status, created_at);

-- Cancel/rebill: a cancelled bill stays for the record (its entry reversed); its corrected bill replaces it.
alter table bill drop constraint bill_account_id_period_key;
create unique index bill_one_live_per_period on bill (account_id, period) where status <> 'cancelled';
alter table bill add column revision int not null default 0;
alter table bill add column replaces_bill_id text references bill(id);

-- On-demand reads: the simulator's registers (the demo and tests); a real head-end adapter ignores this.
create table meter_simulator (
  meter_id   text primary key references meter(id),
  value      numeric(16, 4) not null check (value >= 0)
);
