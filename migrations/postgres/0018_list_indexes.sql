-- The Subscriptions list at scale (issue 15): its default order (lifecycle rank, then end date,
-- then id; `STATUS_RANK` in store/subscriptions.rs, written exactly the same) walks this index
-- and stops after the page instead of sorting every subscription of the organisation, and the
-- currency filter's choices are read from the second index without visiting the rows.
CREATE INDEX subscriptions_org_relevance ON subscriptions (org_id, (CASE status WHEN 'active' THEN 0 WHEN 'expired' THEN 1 WHEN 'suspended' THEN 2 ELSE 3 END), term_end_at, id);
CREATE INDEX subscriptions_org_currency ON subscriptions (org_id, currency);
