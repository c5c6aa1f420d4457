-- The Subscriptions list sorted by product at scale (issue 15): on PostgreSQL the page's ids are
-- read product by product in name order, each product's subscriptions by id from this index,
-- at most as many as the page reaches (store/subscriptions.rs, `list_subscriptions`). SQLite
-- has the same index so both schemas stay alike; its query for this order does not need it.
CREATE INDEX subscriptions_org_product ON subscriptions (org_id, product_id, id);
