//! Reminders 45, 30 and 4 days before the renewal or expiry date (R-EXT-8, R-MAIL-6): with
//! auto-renew on, a renewal reminder with the date and the price that will be charged; with it
//! off, an expiry notice with the last day to renew. Each is written once per term and
//! threshold (table `reminders_sent`), whichever process gets there first.

use chrono::{DateTime, Duration, Utc};

use super::pricing::{Book, RenewalProblem, price_renewal};
use crate::domain::auto_renew::shown_date;
use crate::domain::eligibility::PaymentRefusal;
use crate::domain::mail_routing::{MailKind, recipients};
use crate::domain::money::UsdRates;
use crate::domain::renewal::{REMINDER_DAYS, due_reminder, renewal_window};
use crate::domain::time::local_date;
use crate::server::mail::{self, ExpiryReason};
use crate::server::services::buyer_contacts;
use crate::server::store::{Store, StoreResult};

/// Writes the reminders due at `now` to the outbox. Returns how many subscriptions got one.
#[tracing::instrument(skip_all)]
pub async fn send_due(store: &Store, rates: &UsdRates, now: DateTime<Utc>, base_url: &str) -> StoreResult<usize> {
    let mut tx = store.begin_write().await?;
    let book = Book::load(&mut tx, rates).await?;
    // Days are local: look a day beyond the largest threshold on both sides.
    let horizon = Duration::days(REMINDER_DAYS[0] + 2);
    let subs = tx.ending_between(now - Duration::days(2), now + horizon).await?;
    let mut sent = 0;
    for sub in &subs {
        let (tz, on) = (sub.time_zone, sub.auto_renew);
        let Some(days) = due_reminder(sub.term_start, sub.term_end, tz, on, local_date(now, tz)) else {
            continue;
        };
        if !tx.mark_reminder(sub.id, sub.term_end, days, now).await? {
            continue;
        }
        let contacts = buyer_contacts(&mut tx, sub.org_id).await?;
        let date = shown_date(sub.term_end, tz, on);
        // With auto-renew on: the price the renewal will charge, tax included. A renewal that
        // cannot be priced or paid will fail and the subscription expire, so those buyers get
        // the expiry notice instead, like everyone with auto-renew off.
        let (price, why) = match on.then(|| price_renewal(&book, sub)) {
            Some(Ok(p)) => (Some(p.totals.total), ExpiryReason::AutoRenewOff),
            Some(Err(problem)) => {
                tracing::warn!(subscription = %sub.id, %problem, "the renewal will fail: expiry notice instead of a renewal reminder");
                let why = match problem {
                    RenewalProblem::Payment(PaymentRefusal::OverOnlineLimit(_)) => ExpiryReason::OverOnlineLimit,
                    _ => ExpiryReason::CannotRenew,
                };
                (None, why)
            }
            None => (None, ExpiryReason::AutoRenewOff),
        };
        let closes = renewal_window(sub.term_end, sub.term, tz).closes;
        for to in
            recipients(if price.is_some() { MailKind::RenewalReminder } else { MailKind::ExpiryNotice }, &contacts)
        {
            let mail = match price {
                Some(total) => mail::renewal_reminder(
                    sub.org_id,
                    &to.address,
                    to.lang,
                    &sub.product_name,
                    sub.id,
                    date,
                    total,
                    base_url,
                ),
                // It expires at the end of its term whatever auto-renew says.
                None => mail::expiry_notice(
                    sub.org_id,
                    &to.address,
                    to.lang,
                    &sub.product_name,
                    sub.id,
                    why,
                    shown_date(sub.term_end, tz, false),
                    closes,
                    base_url,
                ),
            };
            tx.queue_mail(&mail, now).await?;
        }
        sent += 1;
    }
    tx.commit().await?;
    Ok(sent)
}
