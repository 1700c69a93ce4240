-- A bill run reads each agreement's billing history (last bill's end read, same season last year,
-- recent average): look segments up by agreement, not by scanning them all.
create index bill_segment_agreement_idx on bill_segment (service_agreement_id, bill_id);
create index bill_period_idx on bill (period, account_id);
