//! Overdue-invoice notices (R-MAIL-1, R-MAIL-4): when an open invoice becomes late, and again a
//! week later, its payers and the organisation's buyers are mailed what is owed and a link to
//! pay it. Each notice goes once, whatever the number of engines: it is recorded in the
//! transaction that queues its mail. A pass that missed days sends only the latest notice due.

use chrono::{DateTime, Duration, Utc};

use crate::domain::mail_routing::{Contacts, MailKind, recipients};
use crate::domain::time::{expiry_instant, local_date};
use crate::server::mail;
use crate::server::services::buyer_contacts;
use crate::server::store::{Store, StoreResult};

/// Days after an invoice is late that its second notice goes out.
pub const SECOND_NOTICE_DAYS: i64 = 7;

/// Notices handled per transaction.
const BATCH: i64 = 100;

/// Mails the overdue notices due at `now`; returns how many invoices were noticed.
pub async fn send_due(store: &Store, now: DateTime<Utc>, base_url: &str) -> StoreResult<usize> {
    let week_late = now - Duration::days(SECOND_NOTICE_DAYS);
    let mut sent = 0;
    loop {
        let mut tx = store.begin_write().await?;
        let due = tx.invoices_owing_notice(now, week_late, BATCH).await?;
        if due.is_empty() {
            return Ok(sent);
        }
        let mut progressed = false;
        for (id, org, number, due_at) in &due {
            let stage = i64::from(*due_at <= week_late);
            if !tx.record_invoice_notice(*id, stage, now).await? {
                continue;
            }
            progressed = true;
            let Some(invoice) = tx.invoice_by_number(*org, number, None).await? else { continue };
            let due_day = local_date(expiry_instant(invoice.due_at), invoice.time_zone);
            let contacts =
                Contacts { payers: tx.invoice_payer_recipients(*id).await?, ..buyer_contacts(&mut tx, *org).await? };
            for to in recipients(MailKind::OverdueInvoice, &contacts) {
                let m =
                    mail::overdue_invoice(*org, &to.address, to.lang, number, invoice.open_amount(), due_day, base_url);
                tx.queue_mail(&m, now).await?;
            }
            sent += 1;
        }
        tx.commit().await?;
        if !progressed {
            return Ok(sent);
        }
    }
}
