-- Languages: the language a user chose with the switcher (NULL: none chosen; the browser's
-- language is used).
ALTER TABLE users ADD COLUMN locale TEXT CHECK (locale IN ('en', 'fi', 'sv', 'fr', 'de'));
