-- Counter and lockbox payments, refunds, and the review flag on likely duplicates.
alter table payment add column reference text;            -- check number, lockbox item, receipt number
alter table payment add column review_flag text;          -- e.g. possible_duplicate: same account and amount within days
alter table payment add column refunded_cents bigint not null default 0 check (refunded_cents >= 0);
create index payment_review_idx on payment (review_flag) where review_flag is not null;
