-- Saved payment methods: each account has (at most) one Stripe Customer, created the first time it pays
-- through Stripe; a payment may ask Stripe to keep its method for later off-session use.
alter table account add column stripe_customer_id text unique;
alter table payment add column save_method boolean not null default false;
