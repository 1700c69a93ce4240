-- Staff accounts (issue 20 item 1): invitations, roles, deactivation, TOTP and single sign-on.

-- An invited login has no password until the invitee sets one through the emailed link.
alter table app_user alter column password_hash drop not null;
-- invited: link sent, not yet accepted; deactivated: refused at sign-in and on every request.
alter table app_user add column status text not null default 'active'
  check (status in ('invited', 'active', 'deactivated'));
alter table app_user add column deactivated_at timestamptz;
alter table app_user add column last_sign_in_at timestamptz;
-- The TOTP secret, encrypted (AES-256-GCM, key from TOTP_ENCRYPTION_KEY); active once confirmed with a code.
alter table app_user add column totp_secret text;
alter table app_user add column totp_confirmed_at timestamptz;
-- the last time step a code was accepted for: a code is never accepted twice
alter table app_user add column totp_last_step bigint;
create index app_user_staff_idx on app_user (role, status) where kind = 'staff';

-- The emailed single-use link an invitee sets their password with: only its hash is kept.
create table staff_invitation (
  id          text primary key,
  user_id     text not null references app_user(id),
  token_hash  text not null unique,
  invited_by  text references app_user(id),
  expires_at  timestamptz not null,
  used_at     timestamptz,
  created_at  timestamptz not null default now()
);
create index staff_invitation_user_idx on staff_invitation (user_id);

-- Sign-in's second step: after the right password, a short-lived challenge that a TOTP code redeems.
create table staff_sign_in_challenge (
  token_hash  text primary key,
  user_id     text not null references app_user(id),
  expires_at  timestamptz not null,
  used_at     timestamptz
);

-- An OpenID Connect sign-in under way: its state (also in the browser's cookie), PKCE verifier and nonce.
create table oidc_sign_in (
  state          text primary key,
  code_verifier  text not null,
  nonce          text not null,
  expires_at     timestamptz not null
);

-- Staff sign-in settings (one row): whether every staff member must use TOTP.
create table staff_auth_setting (
  id            boolean primary key default true check (id),
  require_totp  boolean not null default false,
  updated_at    timestamptz not null default now()
);
insert into staff_auth_setting default values;

-- A staff member's own notices (an invitation) belong to no utility account.
alter table notification alter column account_id drop not null;
