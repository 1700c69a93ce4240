-- A bill run's collections hand-off and the bill pipeline look bills up by the run (or workflow) that
-- issued them: without this, each lookup reads every bill ever issued.
create index bill_workflow_idx on bill (workflow_id);
