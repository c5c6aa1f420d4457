//! Quotes (R-QUOTE-1..9): where a quote comes from, where it stands, and the order the Quotes
//! page lists them in (R-QUOTE-7: the active ones first).

use std::cmp::Ordering;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::term::Term;
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

/// A quote goes to anyone in the organisation and to at most this many other addresses
/// (R-QUOTE-1: 4 everywhere).
pub const MAX_EXTRA_RECIPIENTS: usize = 4;

/// A quote made in the portal can be accepted for this many days after the day it is made, and
/// never past the last day its subscriptions can still be renewed.
pub const VALID_DAYS: i64 = 30;

/// The engine makes a renewal quote this many days before the renewal date (R-QUOTE-6).
pub const GENERATED_DAYS_BEFORE: i64 = 30;

/// Renewal quotes are issued from this many days before the renewal date (R-QUOTE-9) ...
pub const ISSUE_DAYS_BEFORE: i64 = 90;
/// ... until this many days after it (R-QUOTE-9).
pub const ISSUE_DAYS_AFTER: i64 = 45;

/// A buyer makes at most this many self-service quotes in 24 hours: each one mails up to
/// [`MAX_EXTRA_RECIPIENTS`] addresses outside the organisation, so this, not the human check
/// alone, is what keeps the portal from being used to send mail.
pub const MAX_SELF_SERVICE_PER_DAY: i64 = 20;

/// What a quote line buys (R-QUOTE-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum QuoteKind {
    /// A new subscription.
    New,
    /// A co-term: a subscription aligned with an existing one's end date.
    Coterm,
    /// The next term of an existing subscription.
    Renewal,
}

impl QuoteKind {
    pub fn code(self) -> &'static str {
        match self {
            QuoteKind::New => "new",
            QuoteKind::Coterm => "coterm",
            QuoteKind::Renewal => "renewal",
        }
    }

    pub fn parse(code: &str) -> Option<QuoteKind> {
        [QuoteKind::New, QuoteKind::Coterm, QuoteKind::Renewal].into_iter().find(|k| k.code() == code)
    }
}

/// Why a self-service quote cannot be made as asked (R-QUOTE-3, R-QUOTE-4, R-QUOTE-9, R-SUB-6),
/// each worded with what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "why", content = "args", rename_all = "snake_case")]
pub enum SelfServiceRefusal {
    /// A renewal cannot share a quote with new or co-term lines (R-QUOTE-3).
    #[error("renewals and new or co-term lines in one quote")]
    RenewalWithOthers,
    /// All lines of a quote belong to one customer number (R-QUOTE-3).
    #[error("several customer numbers")]
    MixedCustomers,
    /// All lines of a quote are in one currency (R-QUOTE-3, R-QUOTE-4: no currency change).
    #[error("several currencies")]
    MixedCurrencies,
    /// A quote involves at most one partner (R-QUOTE-3: the partner CSN must be the same).
    #[error("several partners")]
    MixedPartners,
    /// A quote is bought as one order, and an order holds one licence type (R-SUB-6).
    #[error("several licence types")]
    MixedLicenceTypes,
    /// A subscription's currency cannot be changed through a quote (R-QUOTE-4).
    #[error("a currency change")]
    CurrencyChange,
    /// A self-service quote cannot start in the future (R-QUOTE-4).
    #[error("a future start date")]
    FutureStart,
    /// Seats cannot be added through a quote (R-QUOTE-4): they are added on the subscription's
    /// page. `seats` is what the subscription has.
    #[error("more seats than the subscription has")]
    MoreSeats { seats: i64 },
    /// A line needs at least one seat.
    #[error("no seats")]
    NoSeats,
    /// A co-term extends the whole subscription as it is: all its `seats` on its own term
    /// (seats are reduced and terms changed at renewal, seats added on its page).
    #[error("a co-term with other seats or another term")]
    CotermAsItIs { seats: i64 },
    /// Renewal quotes are issued from 90 days before the renewal date (R-QUOTE-9).
    #[error("too early: from {0}")]
    TooEarly(NaiveDate),
    /// ... until 45 days after it (R-QUOTE-9).
    #[error("too late: until {0}")]
    TooLate(NaiveDate),
}

/// What [`judge_quote_lines`] looks at, per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteLineFacts<'a> {
    pub kind: QuoteKind,
    pub csn: &'a str,
    /// The currency the line is quoted in.
    pub currency: super::money::Currency,
    /// The subscription's own currency (renewal and co-term lines).
    pub subscription_currency: Option<super::money::Currency>,
    pub partner_csn: Option<&'a str>,
    pub licence_type: &'a str,
    /// Whether the line would start after the day the quote is made.
    pub future_start: bool,
}

/// Whether these lines can be one self-service quote (R-QUOTE-3, R-QUOTE-4, R-SUB-6): a
/// renewal is never combined with new or co-term lines; one customer number, one currency and
/// one partner (lines with a partner and lines without are two partners' business); since a
/// quote is bought as one order, one licence type; no currency change and no future start.
/// Seats are judged per line ([`judge_quoted_seats`]).
pub fn judge_quote_lines(lines: &[QuoteLineFacts<'_>]) -> Result<(), SelfServiceRefusal> {
    let Some(first) = lines.first() else { return Ok(()) };
    let renewals = lines.iter().filter(|l| l.kind == QuoteKind::Renewal).count();
    if renewals > 0 && renewals < lines.len() {
        return Err(SelfServiceRefusal::RenewalWithOthers);
    }
    if lines.iter().any(|l| l.csn != first.csn) {
        return Err(SelfServiceRefusal::MixedCustomers);
    }
    if lines.iter().any(|l| l.currency != first.currency) {
        return Err(SelfServiceRefusal::MixedCurrencies);
    }
    if lines.iter().any(|l| l.partner_csn != first.partner_csn) {
        return Err(SelfServiceRefusal::MixedPartners);
    }
    if lines.iter().any(|l| l.licence_type != first.licence_type) {
        return Err(SelfServiceRefusal::MixedLicenceTypes);
    }
    if lines.iter().any(|l| l.subscription_currency.is_some_and(|c| c != l.currency)) {
        return Err(SelfServiceRefusal::CurrencyChange);
    }
    if lines.iter().any(|l| l.future_start) {
        return Err(SelfServiceRefusal::FutureStart);
    }
    Ok(())
}

/// The seats a renewal quote may quote for a subscription that has `seats_now`: one up to
/// what it has. Fewer is a change of the subscription (R-REN-4); more would be adding seats
/// through a quote, which is not self-service (R-QUOTE-4).
pub fn judge_quoted_seats(seats_now: i64, quoted: i64) -> Result<u32, SelfServiceRefusal> {
    if quoted < 1 {
        return Err(SelfServiceRefusal::NoSeats);
    }
    if quoted > seats_now {
        return Err(SelfServiceRefusal::MoreSeats { seats: seats_now });
    }
    u32::try_from(quoted).map_err(|_| SelfServiceRefusal::MoreSeats { seats: seats_now })
}

/// Whether a renewal quote may be issued on `today` for a subscription renewing on
/// `renewal_day`: from 90 days before to 45 days after, both included (R-QUOTE-9).
pub fn judge_issue_day(renewal_day: NaiveDate, today: NaiveDate) -> Result<(), SelfServiceRefusal> {
    let opens = renewal_day - Duration::days(ISSUE_DAYS_BEFORE);
    let closes = renewal_day + Duration::days(ISSUE_DAYS_AFTER);
    if today < opens {
        Err(SelfServiceRefusal::TooEarly(opens))
    } else if today > closes {
        Err(SelfServiceRefusal::TooLate(closes))
    } else {
        Ok(())
    }
}

/// The last day a quote made on `today` can be accepted: [`VALID_DAYS`] later, but never past
/// `last_renewal_days` (the last day each of its subscriptions can still be renewed): a quote
/// that could no longer be bought would still look active.
pub fn last_valid_day(today: NaiveDate, last_renewal_days: &[NaiveDate]) -> NaiveDate {
    let mut last = today + Duration::days(VALID_DAYS);
    for d in last_renewal_days {
        last = last.min(*d);
    }
    last
}

/// Whether a renewal quote that quotes `seats` and `term` for a subscription that has
/// `seats_now` and `term_now` changes it (R-REN-4): then auto-renew must be off until the quote
/// is completed, or the automatic renewal would renew it unchanged first.
pub fn changes_subscription(seats_now: i64, term_now: Term, seats: u32, term: Term) -> bool {
    i64::from(seats) != seats_now || term != term_now
}

/// Whether the engine makes a renewal quote for a subscription (R-QUOTE-6): those whose
/// auto-renew is off (the quote is how they renew) and those paying by invoice (a purchase
/// order is raised against a quote), from [`GENERATED_DAYS_BEFORE`] days before the renewal
/// date until the day before it. A day the engine did not run is caught up.
pub fn generated_quote_due(auto_renew: bool, pays_by_invoice: bool, renewal_day: NaiveDate, today: NaiveDate) -> bool {
    (!auto_renew || pays_by_invoice)
        && today >= renewal_day - Duration::days(GENERATED_DAYS_BEFORE)
        && today < renewal_day
}

/// Why the chosen recipients cannot be used (R-QUOTE-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "why", content = "args", rename_all = "snake_case")]
pub enum RecipientProblem {
    /// This typed address is not an e-mail address.
    #[error("not an e-mail address: {0}")]
    Invalid(String),
    /// More than `max` addresses outside the organisation; `given` were typed.
    #[error("{given} addresses outside the organisation; at most {max}")]
    TooMany { max: usize, given: usize },
}

/// Who a quote goes to: members of the organisation, and addresses outside it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QuoteRecipients {
    pub members: Vec<String>,
    pub extra: Vec<String>,
}

impl QuoteRecipients {
    /// Every address, members first, each once.
    pub fn all(&self) -> Vec<String> {
        self.members.iter().chain(&self.extra).cloned().collect()
    }
}

/// Reads the recipients of a quote (R-QUOTE-1): `chosen` members of the organisation (anything
/// not in `members` is ignored: the form only offers members) and the `typed` other addresses,
/// blank ones skipped. A typed address of a member counts as that member; duplicates count
/// once; more than [`MAX_EXTRA_RECIPIENTS`] others are refused, never cut short.
pub fn read_recipients(
    members: &[String],
    chosen: &[String],
    typed: &[String],
) -> Result<QuoteRecipients, RecipientProblem> {
    let is_member = |a: &str| members.iter().any(|m| m.eq_ignore_ascii_case(a));
    let mut out = QuoteRecipients::default();
    let push = |list: &mut Vec<String>, a: String| {
        if !list.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
            list.push(a);
        }
    };
    for a in chosen {
        let a = a.trim();
        if let Some(m) = members.iter().find(|m| m.eq_ignore_ascii_case(a)) {
            push(&mut out.members, m.clone());
        }
    }
    for t in typed {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        let email = super::email::EmailAddress::parse(t).map_err(|_| RecipientProblem::Invalid(t.to_string()))?;
        let a = email.as_str().to_string();
        if is_member(&a) {
            if let Some(m) = members.iter().find(|m| m.eq_ignore_ascii_case(&a)) {
                push(&mut out.members, m.clone());
            }
        } else {
            push(&mut out.extra, a);
        }
    }
    if out.extra.len() > MAX_EXTRA_RECIPIENTS {
        return Err(RecipientProblem::TooMany { max: MAX_EXTRA_RECIPIENTS, given: out.extra.len() });
    }
    Ok(out)
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

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn line<'a>(
        kind: QuoteKind,
        csn: &'a str,
        currency: &str,
        partner: Option<&'a str>,
        licence: &'a str,
    ) -> QuoteLineFacts<'a> {
        let currency = crate::domain::money::Currency::parse(currency).unwrap();
        QuoteLineFacts {
            kind,
            csn,
            currency,
            subscription_currency: (kind != QuoteKind::New).then_some(currency),
            partner_csn: partner,
            licence_type: licence,
            future_start: false,
        }
    }

    #[test]
    fn a_renewal_is_never_combined_with_new_or_coterm_lines() {
        // R-QUOTE-3: renewals on their own; new and co-term lines may share a quote.
        let r = line(QuoteKind::Renewal, "5100", "EUR", None, "single-user");
        let n = line(QuoteKind::New, "5100", "EUR", None, "single-user");
        let c = line(QuoteKind::Coterm, "5100", "EUR", None, "single-user");
        assert_eq!(judge_quote_lines(&[r.clone(), r.clone()]), Ok(()));
        assert_eq!(judge_quote_lines(&[n.clone(), c.clone()]), Ok(()));
        assert_eq!(judge_quote_lines(&[r.clone(), n]), Err(SelfServiceRefusal::RenewalWithOthers));
        assert_eq!(judge_quote_lines(&[c, r]), Err(SelfServiceRefusal::RenewalWithOthers));
    }

    #[test]
    fn one_customer_number_one_currency_and_one_partner_per_quote() {
        // R-QUOTE-3: the customer CSN and currency are the same for every line, and so is the
        // partner CSN when a partner is involved. R-QUOTE-4: no currency change.
        let a = line(QuoteKind::Renewal, "5100", "EUR", Some("P1"), "single-user");
        assert_eq!(
            judge_quote_lines(&[a.clone(), line(QuoteKind::Renewal, "5200", "EUR", Some("P1"), "single-user")]),
            Err(SelfServiceRefusal::MixedCustomers)
        );
        assert_eq!(
            judge_quote_lines(&[a.clone(), line(QuoteKind::Renewal, "5100", "SEK", Some("P1"), "single-user")]),
            Err(SelfServiceRefusal::MixedCurrencies)
        );
        assert_eq!(
            judge_quote_lines(&[a.clone(), line(QuoteKind::Renewal, "5100", "EUR", Some("P2"), "single-user")]),
            Err(SelfServiceRefusal::MixedPartners)
        );
        // A line the partner manages beside one it does not: not one partner's quote.
        assert_eq!(
            judge_quote_lines(&[a.clone(), line(QuoteKind::Renewal, "5100", "EUR", None, "single-user")]),
            Err(SelfServiceRefusal::MixedPartners)
        );
        assert_eq!(judge_quote_lines(&[a.clone(), a.clone()]), Ok(()));
        // R-SUB-6: a quote is bought as one order, which holds one licence type.
        assert_eq!(
            judge_quote_lines(&[a, line(QuoteKind::Renewal, "5100", "EUR", Some("P1"), "multi-user")]),
            Err(SelfServiceRefusal::MixedLicenceTypes)
        );
    }

    #[test]
    fn no_currency_change_and_no_future_start_self_service() {
        // R-QUOTE-4: currency changes and future start dates are not self-service.
        let eur = line(QuoteKind::Renewal, "5100", "EUR", None, "single-user");
        let in_usd = QuoteLineFacts { currency: crate::domain::money::Currency::Usd, ..eur.clone() };
        assert_eq!(judge_quote_lines(&[in_usd]), Err(SelfServiceRefusal::CurrencyChange));
        let later = QuoteLineFacts { future_start: true, ..line(QuoteKind::New, "5100", "EUR", None, "single-user") };
        assert_eq!(judge_quote_lines(&[later]), Err(SelfServiceRefusal::FutureStart));
        assert_eq!(judge_quote_lines(&[eur]), Ok(()));
    }

    #[test]
    fn seats_cannot_be_added_through_a_quote_only_kept_or_reduced() {
        // R-QUOTE-4: adding seats through a quote is not self-service.
        assert_eq!(judge_quoted_seats(10, 10), Ok(10));
        assert_eq!(judge_quoted_seats(10, 1), Ok(1));
        assert_eq!(judge_quoted_seats(10, 11), Err(SelfServiceRefusal::MoreSeats { seats: 10 }));
        assert_eq!(judge_quoted_seats(10, 0), Err(SelfServiceRefusal::NoSeats));
        assert_eq!(judge_quoted_seats(10, -3), Err(SelfServiceRefusal::NoSeats));
    }

    #[test]
    fn renewal_quotes_are_issued_from_90_days_before_to_45_days_after_the_renewal_date() {
        // R-QUOTE-9. Renewal date 1 March 2028. 90 days before: 2 December 2027 (from 2 December
        // to 1 January is 30 days, to 1 February 61, to 1 March 61 + 29 = 90: 2028 is a leap
        // year). 45 days after: 15 April 2028 (31 March is 30 days after, then 15 more).
        let renewal = day(2028, 3, 1);
        assert_eq!(judge_issue_day(renewal, day(2027, 12, 1)), Err(SelfServiceRefusal::TooEarly(day(2027, 12, 2))));
        assert_eq!(judge_issue_day(renewal, day(2027, 12, 2)), Ok(()));
        assert_eq!(judge_issue_day(renewal, renewal), Ok(()));
        assert_eq!(judge_issue_day(renewal, day(2028, 4, 15)), Ok(()));
        assert_eq!(judge_issue_day(renewal, day(2028, 4, 16)), Err(SelfServiceRefusal::TooLate(day(2028, 4, 15))));
    }

    #[test]
    fn a_quote_is_valid_30_days_but_never_past_the_last_day_it_can_be_bought() {
        let today = day(2026, 12, 1);
        assert_eq!(last_valid_day(today, &[]), day(2026, 12, 31));
        assert_eq!(last_valid_day(today, &[day(2027, 3, 1)]), day(2026, 12, 31));
        // A subscription whose late renewal closes on 10 December caps the quote there.
        assert_eq!(last_valid_day(today, &[day(2027, 3, 1), day(2026, 12, 10)]), day(2026, 12, 10));
    }

    #[test]
    fn a_quote_that_changes_seats_or_term_changes_the_subscription() {
        // R-REN-4: such a quote needs auto-renew off until it is completed.
        assert!(!changes_subscription(5, Term::Annual, 5, Term::Annual));
        assert!(changes_subscription(5, Term::Annual, 4, Term::Annual));
        assert!(changes_subscription(5, Term::Annual, 5, Term::ThreeYear));
    }

    #[test]
    fn the_engine_quotes_30_days_before_for_auto_renew_off_or_pay_by_invoice() {
        // R-QUOTE-6: renewal 31 January 2027; due from 1 January (31 - 30) until 30 January.
        let renewal = day(2027, 1, 31);
        assert!(!generated_quote_due(false, false, renewal, day(2026, 12, 31)));
        assert!(generated_quote_due(false, false, renewal, day(2027, 1, 1)));
        assert!(generated_quote_due(true, true, renewal, day(2027, 1, 30)));
        assert!(!generated_quote_due(false, false, renewal, renewal));
        // An auto-renewing subscription paid online renews by itself: no quote.
        assert!(!generated_quote_due(true, false, renewal, day(2027, 1, 10)));
    }

    #[test]
    fn anyone_in_the_organisation_plus_at_most_4_other_addresses() {
        // R-QUOTE-1: members are not counted; a 5th other address is refused, not cut short.
        let members = vec!["buyer@aurora.example".to_string(), "admin@aurora.example".to_string()];
        let chosen = vec!["admin@aurora.example".to_string(), "stranger@evil.example".to_string()];
        let four: Vec<String> = (1..=4).map(|n| format!(" Contact{n}@Partner.example ")).collect();
        let r = read_recipients(&members, &chosen, &four).unwrap();
        assert_eq!(r.members, ["admin@aurora.example"], "a chosen address that is no member is ignored");
        assert_eq!(r.extra.len(), 4);
        assert_eq!(r.extra[0], "contact1@partner.example");
        let mut five = four.clone();
        five.push("contact5@partner.example".into());
        assert_eq!(read_recipients(&members, &[], &five), Err(RecipientProblem::TooMany { max: 4, given: 5 }));
        // A member typed in, duplicates and blanks do not count against the 4.
        let mut typed = four.clone();
        typed.extend(["BUYER@aurora.example".into(), "contact1@partner.example".into(), "  ".into()]);
        let r = read_recipients(&members, &[], &typed).unwrap();
        assert_eq!((r.members.len(), r.extra.len()), (1, 4));
        assert_eq!(
            read_recipients(&members, &[], &["not an address".into()]),
            Err(RecipientProblem::Invalid("not an address".into()))
        );
    }
}
