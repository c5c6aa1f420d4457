//! Reminders 45, 30 and 4 days before the renewal or expiry date (R-EXT-8, R-MAIL-6): with
//! auto-renew on, a renewal reminder with the date and the price that will be charged; with it
//! off, an expiry notice with the last day to renew. Each is written once per term and
//! threshold (table `reminders_sent`), whichever process gets there first.

use chrono::{DateTime, Duration, Utc};

use super::billing::{Book, Sub, price_renewal};
use super::buyer_contacts;
use crate::domain::auto_renew::shown_date;
use crate::domain::mail_routing::{MailKind, recipients};
use crate::domain::money::UsdRates;
use crate::domain::renewal::{REMINDER_DAYS, due_reminder, renewal_window};
use crate::domain::time::local_date;
use crate::server::mail;
use crate::server::store::{Store, StoreResult};

/// Writes the reminders due at `now` to the outbox. Returns how many subscriptions got one.
pub async fn send_due(store: &Store, rates: &UsdRates, now: DateTime<Utc>, base_url: &str) -> StoreResult<usize> {
    let at = now.timestamp();
    let mut tx = store.begin_write().await?;
    let book = Book::load(&mut tx, rates).await?;
    // Days are local: look a day beyond the largest threshold on both sides.
    let horizon = Duration::days(REMINDER_DAYS[0] + 2);
    let rows = tx.ending_between((now - Duration::days(2)).timestamp(), (now + horizon).timestamp()).await?;
    let mut sent = 0;
    for row in &rows {
        let sub = Sub::new(row)?;
        let start = DateTime::from_timestamp(row.term_start_at, 0).unwrap_or(sub.term_end);
        let Some(days) = due_reminder(start, sub.term_end, sub.tz, row.auto_renew, local_date(now, sub.tz)) else {
            continue;
        };
        if !tx.mark_reminder(row.id, row.term_end_at, days, at).await? {
            continue;
        }
        let contacts = buyer_contacts(&mut tx, row.org_id).await?;
        let date = shown_date(sub.term_end, sub.tz, row.auto_renew);
        // With auto-renew on: the price the renewal will charge, tax included. A renewal that
        // cannot be priced or paid will fail and the subscription expire, so those buyers get
        // the expiry notice instead, like everyone with auto-renew off.
        let price = match row.auto_renew.then(|| price_renewal(&book, &sub)) {
            Some(Ok(p)) => Some(p.totals.total),
            Some(Err(problem)) => {
                tracing::warn!(subscription = row.id, %problem, "the renewal will fail: expiry notice instead of a renewal reminder");
                None
            }
            None => None,
        };
        let closes = renewal_window(sub.term_end, sub.tz).closes;
        for to in
            recipients(if price.is_some() { MailKind::RenewalReminder } else { MailKind::ExpiryNotice }, &contacts)
        {
            let mail = match price {
                Some(total) => {
                    mail::renewal_reminder(row.org_id, &to, &row.product_name, row.id, date, total, base_url)
                }
                None => mail::expiry_notice(row.org_id, &to, &row.product_name, row.id, date, closes, base_url),
            };
            tx.queue_mail(&mail, at).await?;
        }
        sent += 1;
    }
    tx.commit().await?;
    Ok(sent)
}
