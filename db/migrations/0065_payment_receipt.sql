-- A receipt names the method a payment used ("Visa ending 4242", "STRIPE TEST BANK ending 6789"): the brand
-- (a card network, or the bank's name for ACH) and the last 4 digits, copied from the gateway's charge when the
-- payment posts. Counter, lockbox and dev-outbox payments have none.
alter table payment add column method_brand text;
alter table payment add column method_last4 text check (method_last4 ~ '^[0-9]{4}$');
