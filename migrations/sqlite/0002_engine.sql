-- The domain engine: unpaid renewals, promotions, reminders sent, and the simulated payment
-- gateway's own ledger.

-- The instant an unpaid renewal became (or becomes) late: the renewal instant for a failed
-- online charge, the day after the due date for a Net 30 invoice (R-LIFE-5). NULL: nothing owed.
ALTER TABLE subscriptions ADD COLUMN unpaid_since INTEGER;
CREATE INDEX subscriptions_unpaid ON subscriptions(unpaid_since) WHERE unpaid_since IS NOT NULL;
CREATE INDEX subscriptions_due ON subscriptions(term_end_at) WHERE status <> 'canceled';

-- Percentage promotions applied automatically (R-QUOTE-5). Days are local ISO dates, inclusive.
CREATE TABLE promotions (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    product_id   INTEGER REFERENCES products(id),
    term         TEXT CHECK (term IN ('monthly', 'annual', 'three_year')),
    purchase     TEXT NOT NULL CHECK (purchase IN ('new', 'renewal', 'add_seats', 'extension')),
    percent_off  TEXT NOT NULL,
    first_day    TEXT NOT NULL,
    last_day     TEXT NOT NULL
);

-- One row per reminder written (R-EXT-8): a reminder is sent once per term and threshold.
CREATE TABLE reminders_sent (
    subscription_id  INTEGER NOT NULL REFERENCES subscriptions(id),
    term_end_at      INTEGER NOT NULL,
    days_before      INTEGER NOT NULL,
    sent_at          INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, term_end_at, days_before)
);

-- Payments owed on a later date: three-year instalments (R-PAY-8).
CREATE TABLE scheduled_charges (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES organisations(id),
    subscription_id  INTEGER NOT NULL REFERENCES subscriptions(id),
    order_id         INTEGER NOT NULL REFERENCES orders(id),
    due_on           TEXT NOT NULL,
    due_at           INTEGER NOT NULL,
    currency         TEXT NOT NULL,
    amount_minor     INTEGER NOT NULL,
    tax_minor        INTEGER NOT NULL,
    payment_id       INTEGER REFERENCES payments(id),
    -- For customers paying by invoice: when the instalment's invoice was issued.
    invoiced_at      INTEGER
);
CREATE INDEX scheduled_charges_due ON scheduled_charges(due_at) WHERE payment_id IS NULL AND invoiced_at IS NULL;

-- The simulated payment provider's memory. A real provider keeps this on its side; the
-- simulation keeps it in the portal's database so that every process sees the same charges.
CREATE TABLE gateway_charges (
    idempotency_key  TEXT PRIMARY KEY,
    token            TEXT NOT NULL,
    currency         TEXT NOT NULL,
    amount_minor     INTEGER NOT NULL,
    outcome          TEXT NOT NULL CHECK (outcome IN ('succeeded', 'pending', 'declined', 'insufficient_funds')),
    reference        TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    settles_at       INTEGER NOT NULL
);

ALTER TABLE payments ADD COLUMN failure TEXT;
ALTER TABLE payments ADD COLUMN subscription_id INTEGER REFERENCES subscriptions(id);
CREATE INDEX payments_open ON payments(status) WHERE status IN ('pending', 'unknown');
-- The instant the payment was owed: the renewal instant, or an instalment's due date.
ALTER TABLE payments ADD COLUMN due_at INTEGER;
