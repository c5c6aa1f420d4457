//! How the pages word the codes and values server functions answer with. One place, so the
//! languages issue translates here and nowhere else.

use chrono::{DateTime, Utc};

use crate::contract::dto::{ClockMove, PaymentDue, ShownDate};
use crate::domain::auto_renew::shown_date_label;
use crate::domain::renewal::{RenewalRefusal, RenewalWindow};
use crate::domain::time::{format_date, format_instant, parse_tz};

/// "Renews on 10 Jun 2025" / "Expires on 9 Jun 2025" (R-SUB-2).
pub fn shown_date(shown: ShownDate) -> String {
    format!("{} {}", shown_date_label(shown.auto_renew), format_date(shown.date))
}

/// An instant in the subscription's purchase time zone, "10 June 2025 00:00:00 EEST".
pub fn instant(at: DateTime<Utc>, time_zone: &str) -> String {
    match parse_tz(time_zone) {
        Some(tz) => format_instant(at, tz),
        None => format!("{} UTC", at.format("%-d %B %Y %H:%M:%S")),
    }
}

/// When renewal is possible, or why not (R-REN-2).
pub fn renewal_window(window: &Result<RenewalWindow, RenewalRefusal>) -> String {
    match window {
        Ok(w) => format!("Renewal is possible from {} to {}.", format_date(w.opens), format_date(w.closes)),
        Err(why) => why.to_string(),
    }
}

/// An open renewal payment (R-LIFE-5).
pub fn payment_due(due: PaymentDue) -> String {
    let day = format_date(due.from);
    if due.late {
        format!("A renewal payment is late since {day}; pay it to reactivate the subscription.")
    } else {
        format!("A renewal invoice is open; pay it by the day before {day} to keep the subscription active.")
    }
}

/// What a move of the demo clock by `step` did.
pub fn clock_move(step: &str, m: ClockMove) -> String {
    format!(
        "Moved {step}. Renewed {}, invoiced {}, renewals that could not be charged {}; instalments {}; \
         payments settled {}; state changes {}; reminders {}.",
        m.renewed, m.invoiced, m.failed, m.instalments, m.settled, m.transitions, m.reminders
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn dates_read_as_the_subscription_shows_them() {
        let date = NaiveDate::from_ymd_opt(2025, 6, 10).unwrap();
        assert_eq!(shown_date(ShownDate { auto_renew: true, date }), "Renews on 10 Jun 2025");
        assert_eq!(shown_date(ShownDate { auto_renew: false, date }), "Expires on 10 Jun 2025");
        let at = DateTime::parse_from_rfc3339("2025-06-09T21:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(instant(at, "Europe/Helsinki"), "10 June 2025 00:00:00 EEST");
    }
}
