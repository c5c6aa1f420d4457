-- Seats added to a running subscription and extensions (co-term alignment) are bought at
-- checkout too (issue 11): an order line renews its subscription, adds seats to its current
-- term (co-termed, R-PRICE-3), or extends its current term to another's end (R-PRICE-2, R-PRICE-4).
ALTER TABLE order_lines ADD COLUMN kind TEXT NOT NULL DEFAULT 'renewal' CHECK (kind IN ('renewal', 'add_seats', 'extension'));
