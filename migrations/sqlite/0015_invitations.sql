-- Invitations to an organisation with a role (issue 13: a payer without an account, invited
-- when a buyer adds their address to an invoice, R-ROLE-6, R-INV-4; issue 14 invites users the
-- same way). The link's token is stored hashed; it works once, until `expires_at` (7 days).

CREATE TABLE invitations (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    email        TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('buyer', 'primary_admin', 'secondary_admin', 'payer')),
    token_hash   TEXT NOT NULL UNIQUE,
    invited_by   INTEGER REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    accepted_at  INTEGER
);
CREATE INDEX invitations_org_email ON invitations(org_id, email);
