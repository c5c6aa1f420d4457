-- The cart and orders placed from it (issue 11).

-- What each buyer put in their cart, kept on the server: it survives reloads and works without
-- JavaScript. A line is a renewal of one subscription; its price is worked out at review.
CREATE TABLE cart_lines (
    user_id          BIGINT NOT NULL REFERENCES users(id),
    org_id           BIGINT NOT NULL REFERENCES organisations(id),
    subscription_id  BIGINT NOT NULL REFERENCES subscriptions(id),
    added_at         BIGINT NOT NULL,
    PRIMARY KEY (user_id, org_id, subscription_id)
);

-- An order placed at checkout is 'charging' while the gateway is asked, and 'placed' once
-- paid or accepted. A declined charge deletes it again: a decline leaves no order.
ALTER TABLE orders ADD COLUMN status TEXT NOT NULL DEFAULT 'placed' CHECK (status IN ('charging', 'placed'));
-- The checkout form's one-time key: one order per key, whatever the double clicks and replays.
ALTER TABLE orders ADD COLUMN checkout_key TEXT;
CREATE UNIQUE INDEX orders_checkout_key ON orders(checkout_key) WHERE checkout_key IS NOT NULL;
ALTER TABLE orders ADD COLUMN po_number TEXT NOT NULL DEFAULT '';

-- Per line: list price, discount and the line's share of the order's tax, so the order page
-- and instalments show exactly what was charged.
ALTER TABLE order_lines ADD COLUMN list_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN discount_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN tax_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN product_name TEXT NOT NULL DEFAULT '';

-- The order that is renewing a subscription while its charge is under way: nothing else
-- (the renewal job, another checkout) renews it meanwhile.
ALTER TABLE subscriptions ADD COLUMN pending_order_id BIGINT REFERENCES orders(id);
