-- SMS consent as the customer gave it: which wording (its version and language) they agreed to and when,
-- for the number they added. Kept when the contact is removed: it is the record of what was agreed.
create table sms_consent (
  id            text primary key,
  customer_id   text not null references customer(id),
  contact_id    text,
  phone         text not null,
  text_version  text not null,
  language      text not null check (language in ('en', 'es')),
  consented_at  timestamptz not null default now()
);
create index sms_consent_contact_idx on sms_consent (contact_id, consented_at desc);
