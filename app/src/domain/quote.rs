//! Quotes (R-QUOTE-1..9): where a quote comes from, where it stands, and the order the Quotes
//! page lists them in (R-QUOTE-7: the active ones first).

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a quote stands, as the buyer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum QuoteStatus {
    /// Sent and not expired: it can be accepted and bought (R-QUOTE-7).
    Active,
    /// Bought: its order was placed.
    Accepted,
    /// Its expiry date has passed without it being accepted.
    Expired,
    /// A newer quote took its place (R-QUOTE-8: a quote is changed by issuing a new one).
    Replaced,
}

impl QuoteStatus {
    /// The stored code (`quotes.status`). An active quote is stored as `sent`; whether it has
    /// expired is read from its expiry instant ([`status_at`]), so no job has to mark it.
    pub fn code(self) -> &'static str {
        match self {
            QuoteStatus::Active => "sent",
            QuoteStatus::Accepted => "accepted",
            QuoteStatus::Expired => "expired",
            QuoteStatus::Replaced => "superseded",
        }
    }

    pub fn parse(code: &str) -> Option<QuoteStatus> {
        [QuoteStatus::Active, QuoteStatus::Accepted, QuoteStatus::Expired, QuoteStatus::Replaced]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// Where a quote comes from (R-QUOTE-1, R-QUOTE-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum QuoteOrigin {
    /// Made by the customer's partner (reseller) or Autodesk sales.
    Partner,
    /// Made by a buyer in the portal, from the cart or the bulk renew screen.
    SelfService,
    /// Made by the portal for a renewal 30 days before expiry (R-QUOTE-6).
    Automatic,
}

impl QuoteOrigin {
    pub fn code(self) -> &'static str {
        match self {
            QuoteOrigin::Partner => "partner",
            QuoteOrigin::SelfService => "self_service",
            QuoteOrigin::Automatic => "automatic",
        }
    }

    pub fn parse(code: &str) -> Option<QuoteOrigin> {
        [QuoteOrigin::Partner, QuoteOrigin::SelfService, QuoteOrigin::Automatic].into_iter().find(|o| o.code() == code)
    }
}

/// What a quote is at `now`: a sent quote whose expiry instant has come is Expired; every
/// other stored status stands as it is.
pub fn status_at(stored: QuoteStatus, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> QuoteStatus {
    match stored {
        QuoteStatus::Active if now >= expires_at => QuoteStatus::Expired,
        other => other,
    }
}

/// Why a quote cannot be accepted and bought now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AcceptRefusal {
    /// Its expiry date has passed: a new quote is needed.
    Expired,
    /// It was accepted already: its order was placed.
    AlreadyAccepted,
    /// A newer quote replaced it (R-QUOTE-8).
    Replaced,
    /// Its subscriptions renewed or changed since it was made, or the customer's tax did: its
    /// prices no longer describe what would be bought, so a new quote is needed.
    Outdated,
}

/// Whether a quote that is `status` now can be accepted and bought (R-QUOTE-7: the active
/// quotes are the ones accepted).
pub fn judge_acceptance(status: QuoteStatus) -> Result<(), AcceptRefusal> {
    match status {
        QuoteStatus::Active => Ok(()),
        QuoteStatus::Expired => Err(AcceptRefusal::Expired),
        QuoteStatus::Accepted => Err(AcceptRefusal::AlreadyAccepted),
        QuoteStatus::Replaced => Err(AcceptRefusal::Replaced),
    }
}

/// The Quotes page's order (R-QUOTE-7): active quotes first, the one expiring soonest on top;
/// then the others, newest first.
pub fn list_order(
    a: (QuoteStatus, DateTime<Utc>, DateTime<Utc>),
    b: (QuoteStatus, DateTime<Utc>, DateTime<Utc>),
) -> Ordering {
    let (a_status, a_expires, a_created) = a;
    let (b_status, b_expires, b_created) = b;
    match (a_status == QuoteStatus::Active, b_status == QuoteStatus::Active) {
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (true, true) => a_expires.cmp(&b_expires),
        (false, false) => b_created.cmp(&a_created),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn a_sent_quote_expires_at_its_expiry_instant_and_not_before() {
        let expires = at(20, 23);
        assert_eq!(status_at(QuoteStatus::Active, expires, at(20, 22)), QuoteStatus::Active);
        assert_eq!(status_at(QuoteStatus::Active, expires, expires), QuoteStatus::Expired);
        // Accepted and replaced quotes stay so after their expiry date.
        assert_eq!(status_at(QuoteStatus::Accepted, expires, at(25, 0)), QuoteStatus::Accepted);
        assert_eq!(status_at(QuoteStatus::Replaced, expires, at(25, 0)), QuoteStatus::Replaced);
    }

    #[test]
    fn active_quotes_come_first_soonest_expiry_on_top_then_the_rest_newest_first() {
        // R-QUOTE-7: the Quotes page lists the active quotes (first).
        let mut quotes = [
            ("old expired", (QuoteStatus::Expired, at(5, 0), at(1, 0))),
            ("active later", (QuoteStatus::Active, at(28, 0), at(2, 0))),
            ("new replaced", (QuoteStatus::Replaced, at(30, 0), at(10, 0))),
            ("active soon", (QuoteStatus::Active, at(24, 0), at(3, 0))),
        ];
        quotes.sort_by(|a, b| list_order(a.1, b.1));
        let names: Vec<&str> = quotes.iter().map(|q| q.0).collect();
        assert_eq!(names, ["active soon", "active later", "new replaced", "old expired"]);
    }

    #[test]
    fn only_an_active_quote_can_be_accepted() {
        // R-QUOTE-7: accepting is for the active quotes; an expired, accepted or replaced one
        // is refused with its own reason.
        let expires = at(20, 23);
        let judge = |stored, now| judge_acceptance(status_at(stored, expires, now));
        assert_eq!(judge(QuoteStatus::Active, at(20, 22)), Ok(()));
        assert_eq!(judge(QuoteStatus::Active, expires), Err(AcceptRefusal::Expired));
        assert_eq!(judge(QuoteStatus::Accepted, at(1, 0)), Err(AcceptRefusal::AlreadyAccepted));
        assert_eq!(judge(QuoteStatus::Replaced, at(1, 0)), Err(AcceptRefusal::Replaced));
    }

    #[test]
    fn codes_read_back() {
        for s in [QuoteStatus::Active, QuoteStatus::Accepted, QuoteStatus::Expired, QuoteStatus::Replaced] {
            assert_eq!(QuoteStatus::parse(s.code()), Some(s));
        }
        for o in [QuoteOrigin::Partner, QuoteOrigin::SelfService, QuoteOrigin::Automatic] {
            assert_eq!(QuoteOrigin::parse(o.code()), Some(o));
        }
        assert_eq!(QuoteStatus::parse("draft"), None);
    }
}
