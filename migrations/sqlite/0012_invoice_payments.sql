-- Invoices paid from the portal (issue 13, R-INV-1, R-INV-2): what each invoice bills, line by
-- line and subscription by subscription (so paying it reactivates exactly those, R-LIFE-3), and
-- which invoices one payment pays, for how much. A payment of invoices may have no payment
-- method on file (a bank transfer, R-PAY-7): its kind is then kept on the payment itself.

CREATE TABLE invoice_lines (
    id               INTEGER PRIMARY KEY,
    invoice_id       INTEGER NOT NULL REFERENCES invoices(id),
    subscription_id  INTEGER REFERENCES subscriptions(id),
    product_name     TEXT NOT NULL,
    seats            INTEGER NOT NULL,
    term             TEXT NOT NULL,
    period_start_at  INTEGER NOT NULL,
    period_end_at    INTEGER NOT NULL,
    amount_minor     INTEGER NOT NULL
);
CREATE INDEX invoice_lines_invoice ON invoice_lines(invoice_id);
CREATE INDEX invoice_lines_subscription ON invoice_lines(subscription_id);

CREATE TABLE payment_allocations (
    payment_id    INTEGER NOT NULL REFERENCES payments(id),
    invoice_id    INTEGER NOT NULL REFERENCES invoices(id),
    amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (payment_id, invoice_id)
);
CREATE INDEX payment_allocations_invoice ON payment_allocations(invoice_id);

ALTER TABLE payments ADD COLUMN kind TEXT;
ALTER TABLE payments ADD COLUMN created_by INTEGER REFERENCES users(id);
CREATE INDEX invoice_payers_email ON invoice_payers(email);

-- The local day an invoice was issued on, in its customer's time zone: what the list filters
-- by (invoices written before this column get their UTC day).
ALTER TABLE invoices ADD COLUMN issued_on TEXT NOT NULL DEFAULT '';
UPDATE invoices SET issued_on = date(issued_at, 'unixepoch');
CREATE INDEX invoices_issued_on ON invoices(org_id, issued_on);

-- Invoices issued before this migration bill their order's lines when they bill the whole
-- order; instalment invoices of that time keep no lines (paying them marks them paid but
-- cannot tell which subscription to reactivate).
INSERT INTO invoice_lines (invoice_id, subscription_id, product_name, seats, term, period_start_at, period_end_at,
                           amount_minor)
SELECT i.id, ol.subscription_id, ol.product_name, ol.seats, ol.term, ol.period_start_at, ol.period_end_at,
       ol.amount_minor
FROM invoices i JOIN orders o ON o.id = i.order_id JOIN order_lines ol ON ol.order_id = o.id
WHERE i.subtotal_minor = o.subtotal_minor
ORDER BY i.id, ol.id;
