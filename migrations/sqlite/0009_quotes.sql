-- Quotes as their pages show them (issue 12, R-QUOTE-1, R-QUOTE-5, R-QUOTE-7, R-QUOTE-8): the
-- customer details as printed on the quote (a later change of the account's address does not
-- change a quote that was sent), the partner who made it, and for each line the promotion
-- applied and the period it covers.
ALTER TABLE quotes ADD COLUMN customer_name TEXT NOT NULL DEFAULT '';
ALTER TABLE quotes ADD COLUMN customer_address TEXT NOT NULL DEFAULT '';
ALTER TABLE quotes ADD COLUMN partner_name TEXT;
ALTER TABLE quote_lines ADD COLUMN promotion TEXT;
ALTER TABLE quote_lines ADD COLUMN period_start INTEGER;
ALTER TABLE quote_lines ADD COLUMN period_end INTEGER;
