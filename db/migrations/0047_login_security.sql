-- Login and account-proof throttling, verified login emails, and who linked which login to an account when.

-- One row per thing being guessed at (an email's logins, a target account's proofs, a login's proofs, an IP):
-- failures count up, and past a few free ones each try is refused until blocked_until, which doubles each
-- time and is capped, so a real user is never locked out for good. A row is forgotten after quiet time.
create table auth_throttle (
  key              text primary key,
  failures         int not null default 0,
  last_failure_at  timestamptz not null,
  blocked_until    timestamptz
);
create index auth_throttle_last_failure_idx on auth_throttle (last_failure_at);

-- A portal login works once its email is verified. Logins made by staff, setup or the demo seed are trusted
-- (the default); portal sign-up inserts null and the emailed link sets it.
alter table app_user add column email_verified_at timestamptz default now();

-- The link that verifies a login's email: only its hash is kept; it expires and is used once.
create table login_email_verification (
  id           text primary key,
  user_id      text not null references app_user(id) on delete cascade,
  token_hash   text not null unique,
  expires_at   timestamptz not null,
  used_at      timestamptz,
  created_at   timestamptz not null default now()
);

-- When a login was linked to an account, so customers and staff can see (and remove) who has access.
alter table portal_account_access add column linked_at timestamptz not null default now();
