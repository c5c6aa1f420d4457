-- Credit memos from refunds, and credit applied to invoices (issue 13, R-INV-1, R-INV-2, R-PAY-9).
-- A refund of one subscription's line of an order makes one credit memo for what was paid for
-- it (what it has left never below zero: every draw is a conditional update); the unique (order, subscription) pair makes a double click refund once. What a memo has
-- left pays invoices of its customer number and currency: a payment of kind 'credit_memo',
-- whose allocations say what it paid on each invoice and whose uses say which memos it drew on.

ALTER TABLE credit_memos ADD COLUMN order_id INTEGER REFERENCES orders(id);
ALTER TABLE credit_memos ADD COLUMN subscription_id INTEGER REFERENCES subscriptions(id);
ALTER TABLE credit_memos ADD COLUMN issued_on TEXT NOT NULL DEFAULT '';
ALTER TABLE credit_memos ADD COLUMN reason TEXT NOT NULL DEFAULT 'refund' CHECK (reason IN ('refund'));
ALTER TABLE credit_memos ADD COLUMN created_by INTEGER REFERENCES users(id);
CREATE UNIQUE INDEX credit_memos_refund ON credit_memos(order_id, subscription_id);
CREATE INDEX credit_memos_account ON credit_memos(customer_account_id, currency, issued_at);

CREATE TABLE credit_memo_uses (
    payment_id      INTEGER NOT NULL REFERENCES payments(id),
    credit_memo_id  INTEGER NOT NULL REFERENCES credit_memos(id),
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (payment_id, credit_memo_id)
);
CREATE INDEX credit_memo_uses_memo ON credit_memo_uses(credit_memo_id);
