-- An Idempotency-Key belongs to its caller and its route (method + route pattern), as Stripe scopes keys:
-- the same key sent by another user or to another route is a different request.
alter table idempotent_request drop constraint idempotent_request_pkey;
alter table idempotent_request add primary key (user_id, method, path, key);
