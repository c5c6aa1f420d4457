-- The SQLite side of this migration gives five TEXT primary keys NOT NULL, which PostgreSQL
-- always had. Here: the one integer column that was 32-bit becomes BIGINT like every other.
ALTER TABLE reminders_sent ALTER COLUMN days_before TYPE BIGINT;
