-- Issue 14: customer details kept as they were (an invoice prints the details of the day it
-- was issued, R-EXT-4), product assignments (R-ROLE-4, R-LIFE-6), and the plain "user" role:
-- a member of the organisation who uses products and holds no admin, billing or payer role.

-- The details a customer number had until `valid_until`, written when a buyer changes them
-- (R-CUST-1, R-EXT-6). The current details stay in customer_accounts.
CREATE TABLE customer_details_history (
    id                   INTEGER PRIMARY KEY,
    customer_account_id  INTEGER NOT NULL REFERENCES customer_accounts(id),
    company_name         TEXT NOT NULL,
    address_line1        TEXT NOT NULL,
    address_line2        TEXT NOT NULL,
    postal_code          TEXT NOT NULL,
    city                 TEXT NOT NULL,
    region               TEXT NOT NULL,
    country              TEXT NOT NULL,
    valid_until          INTEGER NOT NULL,
    changed_by           INTEGER REFERENCES users(id)
);
CREATE INDEX customer_details_history_account ON customer_details_history(customer_account_id, valid_until);

-- A seat of a subscription assigned to a user of its organisation (never more than its seats).
CREATE TABLE seat_assignments (
    subscription_id  INTEGER NOT NULL REFERENCES subscriptions(id),
    user_id          INTEGER NOT NULL REFERENCES users(id),
    assigned_at      INTEGER NOT NULL,
    assigned_by      INTEGER REFERENCES users(id),
    PRIMARY KEY (subscription_id, user_id)
);
CREATE INDEX seat_assignments_user ON seat_assignments(user_id);

-- SQLite cannot change a CHECK constraint: both tables are rebuilt with 'user' allowed.
CREATE TABLE memberships_new (
    user_id  INTEGER NOT NULL REFERENCES users(id),
    org_id   INTEGER NOT NULL REFERENCES organisations(id),
    role     TEXT NOT NULL CHECK (role IN ('buyer', 'primary_admin', 'secondary_admin', 'payer', 'user')),
    PRIMARY KEY (user_id, org_id, role)
);
INSERT INTO memberships_new SELECT user_id, org_id, role FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_new RENAME TO memberships;
CREATE INDEX memberships_org ON memberships(org_id, role);

CREATE TABLE invitations_new (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    email        TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('buyer', 'primary_admin', 'secondary_admin', 'payer', 'user')),
    token_hash   TEXT NOT NULL UNIQUE,
    invited_by   INTEGER REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    accepted_at  INTEGER
);
INSERT INTO invitations_new SELECT id, org_id, email, role, token_hash, invited_by, created_at, expires_at, accepted_at
    FROM invitations;
DROP TABLE invitations;
ALTER TABLE invitations_new RENAME TO invitations;
CREATE INDEX invitations_org_email ON invitations(org_id, email);

-- The audit trail page lists an organisation's entries newest first (issue 14).
CREATE INDEX audit_log_org ON audit_log(org_id, at);
