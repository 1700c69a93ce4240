-- The exceptions queue is worked by people: each held bill may be assigned to a staff user and given a date by
-- which it should be decided (its SLA). Both are set by billing staff (POST /exceptions/:id/assignment), audited.
alter table bill_exception add column assignee_id text references app_user(id);
alter table bill_exception add column sla_due_on date;
alter table bill_exception add column assigned_at timestamptz;
create index bill_exception_assignee_idx on bill_exception (assignee_id) where status in ('open', 'escalated');
