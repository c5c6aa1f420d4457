-- Quotes made in the portal (issue 12): self-service renewal quotes from the cart and the bulk
-- renew screen (R-QUOTE-2, R-BULK-4), and renewal quotes the engine makes 30 days before expiry
-- (R-QUOTE-6); the quote mail carries the quote's PDF (R-QUOTE-7).

-- The send form's one-time key: one quote per key, whatever the double clicks and replays.
ALTER TABLE quotes ADD COLUMN creation_key TEXT;
CREATE UNIQUE INDEX quotes_creation_key ON quotes(creation_key) WHERE creation_key IS NOT NULL;
-- When its mail was queued: with the quote for those the portal makes; by the engine, once, for
-- those that arrive from a partner.
ALTER TABLE quotes ADD COLUMN mailed_at BIGINT;

-- The engine's renewal quote is made once per subscription and term (R-QUOTE-6), whichever
-- process gets there first: the row is written before the quote, in the same transaction.
CREATE TABLE generated_quotes (
    subscription_id  BIGINT NOT NULL REFERENCES subscriptions(id),
    term_end         BIGINT NOT NULL,
    quote_id         BIGINT REFERENCES quotes(id),
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, term_end)
);

-- The human check of a self-service quote: a question whose answer the server keeps, usable
-- once, for a while, by the user it was asked of.
CREATE TABLE human_checks (
    nonce       TEXT NOT NULL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id),
    answer      BIGINT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);

-- A mail may carry one attachment (a quote's PDF), written with it into the outbox.
ALTER TABLE mail_outbox ADD COLUMN attachment_name TEXT;
ALTER TABLE mail_outbox ADD COLUMN attachment_type TEXT;
ALTER TABLE mail_outbox ADD COLUMN attachment BYTEA;
