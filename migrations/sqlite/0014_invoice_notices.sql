-- Overdue-invoice notices (issue 13, R-MAIL-1, R-MAIL-4): which notice of which invoice went
-- out, so each goes once whatever the number of engines (the row is written in the transaction
-- that queues the mail). Stage 0 is the day it is late, stage 1 a week later.

CREATE TABLE invoice_notices (
    invoice_id  INTEGER NOT NULL REFERENCES invoices(id),
    stage       INTEGER NOT NULL,
    sent_at     INTEGER NOT NULL,
    PRIMARY KEY (invoice_id, stage)
);
