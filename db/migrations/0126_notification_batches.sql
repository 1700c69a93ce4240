-- Bill-day messaging in batches: the dispatcher claims a page of pending notifications in one statement
-- (marking them with the page's batch id) and starts one notification-batch/{batch} workflow for the page.
-- The batch id is how a sweep finds whether a stale page's workflow still runs before claiming it again.
alter table notification add column dispatch_batch text;
create index notification_dispatch_batch_idx on notification (dispatch_batch) where dispatch_batch is not null;
-- the dispatcher's claim: pending and never dispatched, oldest first
create index notification_undispatched_idx on notification (created_at)
  where status = 'pending' and dispatched_at is null;
