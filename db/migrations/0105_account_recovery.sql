-- Customer account recovery: "forgot password" links and login email changes. Only a token's hash is kept;
-- each link expires (the injected clock decides, so the times are written by the application) and is used once.
create table password_reset (
  id           text primary key,
  user_id      text not null references app_user(id) on delete cascade,
  token_hash   text not null unique,
  expires_at   timestamptz not null,
  used_at      timestamptz,
  created_at   timestamptz not null
);
create index password_reset_user_idx on password_reset (user_id) where used_at is null;

-- A signed-in customer's request to sign in with another email: it takes effect once the link sent to the
-- new address is used.
create table login_email_change (
  id           text primary key,
  user_id      text not null references app_user(id) on delete cascade,
  new_email    text not null,
  token_hash   text not null unique,
  expires_at   timestamptz not null,
  used_at      timestamptz,
  created_at   timestamptz not null
);
create index login_email_change_user_idx on login_email_change (user_id) where used_at is null;
