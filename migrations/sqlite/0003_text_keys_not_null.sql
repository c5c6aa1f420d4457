-- SQLite lets a TEXT PRIMARY KEY column hold NULL unless it says NOT NULL (PostgreSQL never
-- does). The schema-parity test found five such keys; each table is rebuilt with NOT NULL.
-- No other table references these five, and their rows are copied unchanged.

CREATE TABLE sessions_new (
    token_hash    TEXT NOT NULL PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
INSERT INTO sessions_new SELECT token_hash, user_id, org_id, created_at, expires_at FROM sessions WHERE token_hash IS NOT NULL;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE password_reset_tokens_new (
    token_hash  TEXT NOT NULL PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
INSERT INTO password_reset_tokens_new SELECT token_hash, user_id, expires_at, used_at FROM password_reset_tokens WHERE token_hash IS NOT NULL;
DROP TABLE password_reset_tokens;
ALTER TABLE password_reset_tokens_new RENAME TO password_reset_tokens;

CREATE TABLE settings_new (
    key    TEXT NOT NULL PRIMARY KEY,
    value  TEXT NOT NULL
);
INSERT INTO settings_new SELECT key, value FROM settings WHERE key IS NOT NULL;
DROP TABLE settings;
ALTER TABLE settings_new RENAME TO settings;

CREATE TABLE promotions_new (
    code         TEXT NOT NULL PRIMARY KEY,
    name         TEXT NOT NULL,
    product_id   INTEGER REFERENCES products(id),
    term         TEXT CHECK (term IN ('monthly', 'annual', 'three_year')),
    purchase     TEXT NOT NULL CHECK (purchase IN ('new', 'renewal', 'add_seats', 'extension')),
    percent_off  TEXT NOT NULL,
    first_day    TEXT NOT NULL,
    last_day     TEXT NOT NULL
);
INSERT INTO promotions_new SELECT code, name, product_id, term, purchase, percent_off, first_day, last_day FROM promotions WHERE code IS NOT NULL;
DROP TABLE promotions;
ALTER TABLE promotions_new RENAME TO promotions;

CREATE TABLE gateway_charges_new (
    idempotency_key  TEXT NOT NULL PRIMARY KEY,
    token            TEXT NOT NULL,
    currency         TEXT NOT NULL,
    amount_minor     INTEGER NOT NULL,
    outcome          TEXT NOT NULL CHECK (outcome IN ('succeeded', 'pending', 'declined', 'insufficient_funds')),
    reference        TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    settles_at       INTEGER NOT NULL
);
INSERT INTO gateway_charges_new SELECT idempotency_key, token, currency, amount_minor, outcome, reference, created_at, settles_at FROM gateway_charges WHERE idempotency_key IS NOT NULL;
DROP TABLE gateway_charges;
ALTER TABLE gateway_charges_new RENAME TO gateway_charges;
