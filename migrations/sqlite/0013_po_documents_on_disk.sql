-- PO documents (issue 13, R-INV-5): their bytes live in files under the data directory
-- (`<data dir>/documents/<storage_key>`); the database keeps what they are, who attached
-- them and to which subscription. The first schema kept the bytes in the row and nothing ever
-- wrote one, so the old table is replaced as it is (empty).

DROP TABLE po_documents;

CREATE TABLE po_documents (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES organisations(id),
    subscription_id  INTEGER NOT NULL REFERENCES subscriptions(id),
    file_name        TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    size_bytes       INTEGER NOT NULL,
    sha256           TEXT NOT NULL,
    storage_key      TEXT NOT NULL UNIQUE,
    uploaded_by      INTEGER NOT NULL REFERENCES users(id),
    uploaded_at      INTEGER NOT NULL
);
CREATE INDEX po_documents_subscription ON po_documents(subscription_id, id);
