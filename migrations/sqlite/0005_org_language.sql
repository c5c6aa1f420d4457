-- The organisation's default language: mail to someone who has not chosen a language (a payer
-- without an account, a user who never used the switcher) goes out in it.
ALTER TABLE organisations ADD COLUMN default_locale TEXT NOT NULL DEFAULT 'en'
    CHECK (default_locale IN ('en', 'fi', 'sv', 'fr', 'de'));
