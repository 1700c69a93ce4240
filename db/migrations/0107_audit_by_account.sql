-- An account's own audit trail (GET /audit-events?account=): requests on its paths (/accounts/:id/…) name it
-- only in their params.
create index audit_log_params_id_idx on audit_log ((detail->'params'->>'id'));
