-- The utility's settings as its admins saved them (one row; absent until the first save, when the
-- environment's UTILITY_* still decide). Each save bumps the version; the audit log keeps before and after.
create table utility_settings (
  id               boolean primary key default true check (id),
  version          integer not null check (version > 0),
  name             text not null,
  address          text[] not null default '{}',
  remit_to         text[] not null,
  phone            text,
  website          text,
  emergency_phone  text,
  office_hours     text,
  time_zone        text not null,
  late_fee_text    text,
  brand_color      text not null check (brand_color ~ '^#[0-9a-f]{6}$'),
  logo             bytea,
  logo_type        text check (logo_type in ('image/png', 'image/jpeg')),
  check ((logo is null) = (logo_type is null)),
  updated_by       text references app_user(id),
  updated_at       timestamptz not null
);
