-- "Forgot password" requests wait here until the outbox worker turns each into a reset link and
-- its mail (or into nothing, for an address without an account). The request itself does the
-- same work either way, so its timing tells nothing about which addresses have accounts.
CREATE TABLE password_reset_requests (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL,
    locale        TEXT NOT NULL CHECK (locale IN ('en', 'fi', 'sv', 'fr', 'de')),
    requested_at  INTEGER NOT NULL
);
