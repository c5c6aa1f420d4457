-- The whole product's schema. Instants are INTEGER seconds since the Unix epoch (UTC); the time
-- zone a subscription was bought in is kept beside them. Money is INTEGER minor units with its
-- currency code. Booleans are INTEGER 0/1.

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE customer_accounts (
    id                       INTEGER PRIMARY KEY,
    org_id                   INTEGER NOT NULL REFERENCES organisations(id),
    csn                      TEXT NOT NULL UNIQUE,
    company_name             TEXT NOT NULL,
    address_line1            TEXT NOT NULL,
    address_line2            TEXT NOT NULL DEFAULT '',
    postal_code              TEXT NOT NULL,
    city                     TEXT NOT NULL,
    region                   TEXT NOT NULL DEFAULT '',
    country                  TEXT NOT NULL,
    tax_exempt               INTEGER NOT NULL DEFAULT 0,
    tax_exemption_certificate TEXT,
    updated_at               INTEGER NOT NULL
);
CREATE INDEX customer_accounts_org ON customer_accounts(org_id);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    email                TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    password_changed_at  INTEGER NOT NULL
);

CREATE TABLE memberships (
    user_id  INTEGER NOT NULL REFERENCES users(id),
    org_id   INTEGER NOT NULL REFERENCES organisations(id),
    role     TEXT NOT NULL CHECK (role IN ('buyer', 'primary_admin', 'secondary_admin', 'payer')),
    PRIMARY KEY (user_id, org_id, role)
);
CREATE INDEX memberships_org ON memberships(org_id, role);

CREATE TABLE products (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    licence_type  TEXT NOT NULL
);

CREATE TABLE prices (
    id            INTEGER PRIMARY KEY,
    product_id    INTEGER NOT NULL REFERENCES products(id),
    term          TEXT NOT NULL CHECK (term IN ('monthly', 'annual', 'three_year')),
    currency      TEXT NOT NULL,
    amount_minor  INTEGER NOT NULL CHECK (amount_minor >= 0),
    valid_from    INTEGER NOT NULL,
    UNIQUE (product_id, term, currency, valid_from)
);

CREATE TABLE payment_methods (
    id                   INTEGER PRIMARY KEY,
    org_id               INTEGER NOT NULL REFERENCES organisations(id),
    customer_account_id  INTEGER NOT NULL REFERENCES customer_accounts(id),
    kind                 TEXT NOT NULL CHECK (kind IN ('card', 'paypal', 'direct_debit', 'invoice', 'bank_transfer')),
    label                TEXT NOT NULL,
    gateway_token        TEXT,
    card_brand           TEXT,
    card_last4           TEXT,
    card_exp_month       INTEGER,
    card_exp_year        INTEGER,
    billing_name         TEXT NOT NULL DEFAULT '',
    billing_address      TEXT NOT NULL DEFAULT '',
    created_at           INTEGER NOT NULL,
    removed_at           INTEGER
);
CREATE INDEX payment_methods_org ON payment_methods(org_id);

CREATE TABLE subscriptions (
    id                   INTEGER PRIMARY KEY,
    org_id               INTEGER NOT NULL REFERENCES organisations(id),
    customer_account_id  INTEGER NOT NULL REFERENCES customer_accounts(id),
    product_id           INTEGER NOT NULL REFERENCES products(id),
    contract_number      TEXT NOT NULL,
    seats                INTEGER NOT NULL CHECK (seats > 0),
    seats_at_renewal     INTEGER CHECK (seats_at_renewal > 0),
    term                 TEXT NOT NULL CHECK (term IN ('monthly', 'annual', 'three_year')),
    term_at_renewal      TEXT CHECK (term_at_renewal IN ('monthly', 'annual', 'three_year')),
    currency             TEXT NOT NULL,
    started_at           INTEGER NOT NULL,
    term_start_at        INTEGER NOT NULL,
    term_end_at          INTEGER NOT NULL,
    time_zone            TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('active', 'expired', 'suspended', 'canceled')),
    auto_renew           INTEGER NOT NULL,
    payment_method_id    INTEGER REFERENCES payment_methods(id),
    partner_csn          TEXT,
    reseller_name        TEXT,
    reseller_email       TEXT,
    updated_at           INTEGER NOT NULL
);
CREATE INDEX subscriptions_org_end ON subscriptions(org_id, term_end_at, id);
CREATE INDEX subscriptions_org_status ON subscriptions(org_id, status);
CREATE INDEX subscriptions_org_account ON subscriptions(org_id, customer_account_id);
CREATE INDEX subscriptions_payment_method ON subscriptions(payment_method_id);

CREATE TABLE invoice_details (
    subscription_id  INTEGER PRIMARY KEY REFERENCES subscriptions(id),
    po_number        TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT '',
    updated_at       INTEGER NOT NULL
);

CREATE TABLE po_documents (
    id               INTEGER PRIMARY KEY,
    subscription_id  INTEGER NOT NULL REFERENCES subscriptions(id),
    file_name        TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    content          BLOB NOT NULL,
    uploaded_by      INTEGER NOT NULL REFERENCES users(id),
    uploaded_at      INTEGER NOT NULL
);
CREATE INDEX po_documents_subscription ON po_documents(subscription_id);

CREATE TABLE subscription_payers (
    subscription_id  INTEGER NOT NULL REFERENCES subscriptions(id),
    email            TEXT NOT NULL,
    PRIMARY KEY (subscription_id, email)
);

CREATE TABLE quotes (
    id                   INTEGER PRIMARY KEY,
    org_id               INTEGER NOT NULL REFERENCES organisations(id),
    number               TEXT NOT NULL UNIQUE,
    customer_account_id  INTEGER NOT NULL REFERENCES customer_accounts(id),
    kind                 TEXT NOT NULL CHECK (kind IN ('new', 'coterm', 'renewal')),
    origin               TEXT NOT NULL CHECK (origin IN ('partner', 'self_service', 'automatic')),
    status               TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'accepted', 'expired', 'superseded')),
    currency             TEXT NOT NULL,
    subtotal_minor       INTEGER NOT NULL,
    discount_minor       INTEGER NOT NULL DEFAULT 0,
    tax_minor            INTEGER NOT NULL DEFAULT 0,
    total_minor          INTEGER NOT NULL,
    partner_csn          TEXT,
    expires_at           INTEGER NOT NULL,
    created_by           INTEGER REFERENCES users(id),
    created_at           INTEGER NOT NULL,
    sent_at              INTEGER,
    accepted_at          INTEGER,
    order_id             INTEGER
);
CREATE INDEX quotes_org ON quotes(org_id, status);

CREATE TABLE quote_lines (
    id                INTEGER PRIMARY KEY,
    quote_id          INTEGER NOT NULL REFERENCES quotes(id),
    subscription_id   INTEGER REFERENCES subscriptions(id),
    product_id        INTEGER NOT NULL REFERENCES products(id),
    seats             INTEGER NOT NULL CHECK (seats > 0),
    term              TEXT NOT NULL,
    unit_price_minor  INTEGER NOT NULL,
    discount_minor    INTEGER NOT NULL DEFAULT 0,
    amount_minor      INTEGER NOT NULL
);
CREATE INDEX quote_lines_quote ON quote_lines(quote_id);

CREATE TABLE quote_recipients (
    quote_id  INTEGER NOT NULL REFERENCES quotes(id),
    email     TEXT NOT NULL,
    PRIMARY KEY (quote_id, email)
);

CREATE TABLE orders (
    id                   INTEGER PRIMARY KEY,
    org_id               INTEGER NOT NULL REFERENCES organisations(id),
    number               TEXT NOT NULL UNIQUE,
    customer_account_id  INTEGER NOT NULL REFERENCES customer_accounts(id),
    kind                 TEXT NOT NULL CHECK (kind IN ('new', 'renewal', 'add_seats', 'coterm')),
    currency             TEXT NOT NULL,
    subtotal_minor       INTEGER NOT NULL,
    tax_minor            INTEGER NOT NULL,
    total_minor          INTEGER NOT NULL,
    payment_method_id    INTEGER REFERENCES payment_methods(id),
    quote_id             INTEGER REFERENCES quotes(id),
    created_by           INTEGER REFERENCES users(id),
    created_at           INTEGER NOT NULL
);
CREATE INDEX orders_org ON orders(org_id, created_at);

CREATE TABLE order_lines (
    id               INTEGER PRIMARY KEY,
    order_id         INTEGER NOT NULL REFERENCES orders(id),
    subscription_id  INTEGER REFERENCES subscriptions(id),
    product_id       INTEGER NOT NULL REFERENCES products(id),
    seats            INTEGER NOT NULL,
    term             TEXT NOT NULL,
    period_start_at  INTEGER NOT NULL,
    period_end_at    INTEGER NOT NULL,
    amount_minor     INTEGER NOT NULL
);
CREATE INDEX order_lines_order ON order_lines(order_id);

CREATE TABLE invoices (
    id                   INTEGER PRIMARY KEY,
    org_id               INTEGER NOT NULL REFERENCES organisations(id),
    number               TEXT NOT NULL UNIQUE,
    customer_account_id  INTEGER NOT NULL REFERENCES customer_accounts(id),
    order_id             INTEGER REFERENCES orders(id),
    currency             TEXT NOT NULL,
    subtotal_minor       INTEGER NOT NULL,
    tax_minor            INTEGER NOT NULL,
    total_minor          INTEGER NOT NULL,
    paid_minor           INTEGER NOT NULL DEFAULT 0,
    status               TEXT NOT NULL CHECK (status IN ('open', 'pending', 'paid', 'void')),
    po_number            TEXT NOT NULL DEFAULT '',
    notes                TEXT NOT NULL DEFAULT '',
    issued_at            INTEGER NOT NULL,
    due_at               INTEGER NOT NULL,
    voided_at            INTEGER,
    replaces_invoice_id  INTEGER REFERENCES invoices(id)
);
CREATE INDEX invoices_org ON invoices(org_id, status, due_at);

CREATE TABLE invoice_payers (
    invoice_id  INTEGER NOT NULL REFERENCES invoices(id),
    email       TEXT NOT NULL,
    PRIMARY KEY (invoice_id, email)
);

CREATE TABLE credit_memos (
    id                   INTEGER PRIMARY KEY,
    org_id               INTEGER NOT NULL REFERENCES organisations(id),
    number               TEXT NOT NULL UNIQUE,
    customer_account_id  INTEGER NOT NULL REFERENCES customer_accounts(id),
    invoice_id           INTEGER REFERENCES invoices(id),
    currency             TEXT NOT NULL,
    amount_minor         INTEGER NOT NULL,
    remaining_minor      INTEGER NOT NULL,
    issued_at            INTEGER NOT NULL
);

CREATE TABLE payments (
    id                 INTEGER PRIMARY KEY,
    org_id             INTEGER NOT NULL REFERENCES organisations(id),
    invoice_id         INTEGER REFERENCES invoices(id),
    order_id           INTEGER REFERENCES orders(id),
    payment_method_id  INTEGER REFERENCES payment_methods(id),
    currency           TEXT NOT NULL,
    amount_minor       INTEGER NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'unknown')),
    gateway_reference  TEXT,
    idempotency_key    TEXT NOT NULL UNIQUE,
    created_at         INTEGER NOT NULL,
    settled_at         INTEGER
);
CREATE INDEX payments_org ON payments(org_id, created_at);

CREATE TABLE mail_outbox (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER REFERENCES organisations(id),
    kind             TEXT NOT NULL,
    to_address       TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body_text        TEXT NOT NULL,
    body_html        TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    claimed_until    INTEGER,
    last_error       TEXT,
    sent_at          INTEGER,
    failed_at        INTEGER
);
CREATE INDEX mail_outbox_due ON mail_outbox(sent_at, failed_at, next_attempt_at);

CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES organisations(id),
    actor_user_id  INTEGER REFERENCES users(id),
    action         TEXT NOT NULL,
    object_type    TEXT NOT NULL,
    object_id      INTEGER NOT NULL,
    detail         TEXT NOT NULL,
    at             INTEGER NOT NULL
);
CREATE INDEX audit_log_object ON audit_log(object_type, object_id, at);

CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_failures (
    id           INTEGER PRIMARY KEY,
    account_key  TEXT NOT NULL,
    address      TEXT NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX login_failures_account ON login_failures(account_key, at);
CREATE INDEX login_failures_address ON login_failures(address, at);

CREATE TABLE password_reset_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

CREATE TABLE idempotency_keys (
    user_id     INTEGER NOT NULL REFERENCES users(id),
    key         TEXT NOT NULL,
    action      TEXT NOT NULL,
    response    TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
