-- Approval on the customer side (issue 12, beyond the product we mirror): an organisation sets
-- one approval threshold; an order or quote acceptance whose total is above it waits for
-- another buyer's approval instead of being placed (docs/decisions.md, "Approvals").

-- The organisation's threshold, in one currency; orders in other currencies are compared in
-- USD at the portal's rates, as the card limit is (R-PAY-2).
CREATE TABLE approval_thresholds (
    org_id        INTEGER NOT NULL PRIMARY KEY REFERENCES organisations(id),
    currency      TEXT NOT NULL,
    amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
    set_by        INTEGER NOT NULL REFERENCES users(id),
    set_at        INTEGER NOT NULL
);

-- A checkout form held for approval: what the requester submitted (`form`, replayed when it is
-- approved, with the same checkout key, so it places one order whatever the double clicks),
-- and the order as it was priced then.
CREATE TABLE approval_requests (
    id                   INTEGER PRIMARY KEY,
    org_id               INTEGER NOT NULL REFERENCES organisations(id),
    number               TEXT NOT NULL UNIQUE,
    kind                 TEXT NOT NULL CHECK (kind IN ('renewal', 'add_seats', 'extension', 'quote')),
    checkout_key         TEXT NOT NULL,
    form                 TEXT NOT NULL,
    customer_account_id  INTEGER NOT NULL REFERENCES customer_accounts(id),
    currency             TEXT NOT NULL,
    subtotal_minor       INTEGER NOT NULL,
    tax_minor            INTEGER NOT NULL,
    total_minor          INTEGER NOT NULL,
    threshold_currency   TEXT NOT NULL,
    threshold_minor      INTEGER NOT NULL,
    payment_method_id    INTEGER NOT NULL REFERENCES payment_methods(id),
    po_number            TEXT NOT NULL,
    quote_id             INTEGER REFERENCES quotes(id),
    requested_by         INTEGER NOT NULL REFERENCES users(id),
    requested_at         INTEGER NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn', 'outdated')),
    decided_by           INTEGER REFERENCES users(id),
    decided_at           INTEGER,
    note                 TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, checkout_key)
);
CREATE INDEX approval_requests_org ON approval_requests(org_id, status, requested_at);

CREATE TABLE approval_lines (
    request_id       INTEGER NOT NULL REFERENCES approval_requests(id),
    position         INTEGER NOT NULL,
    subscription_id  INTEGER NOT NULL REFERENCES subscriptions(id),
    product_name     TEXT NOT NULL,
    seats            INTEGER NOT NULL,
    term             TEXT NOT NULL,
    period_start     INTEGER NOT NULL,
    period_end       INTEGER NOT NULL,
    amount_minor     INTEGER NOT NULL,
    PRIMARY KEY (request_id, position)
);
