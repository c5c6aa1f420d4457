//! How the pages word the codes and values server functions answer with, in the reader's
//! language (`locales/*.json`). Dates and amounts are formatted by `domain::locale`.

use chrono::{DateTime, NaiveDate, Utc};

use crate::contract::dto::{ClockMove, PaymentDue, ShownDate};
use crate::domain::authz::Role;
use crate::domain::auto_renew::Ineligible;
use crate::domain::locale::{Locale as Lang, Plural};
use crate::domain::renewal::{RenewalRefusal, RenewalWindow};
use crate::domain::status::{Level, Status};
use crate::domain::term::Term;
use crate::domain::time::{format_instant, parse_tz};
use crate::i18n::{Locale, td_string};

/// The domain's language for the generated catalogue's.
pub fn lang(locale: Locale) -> Lang {
    match locale {
        Locale::en => Lang::En,
        Locale::fi => Lang::Fi,
        Locale::sv => Lang::Sv,
        Locale::fr => Lang::Fr,
        Locale::de => Lang::De,
    }
}

/// The catalogue's language for the domain's.
pub fn locale(lang: Lang) -> Locale {
    match lang {
        Lang::En => Locale::en,
        Lang::Fi => Locale::fi,
        Lang::Sv => Locale::sv,
        Lang::Fr => Locale::fr,
        Lang::De => Locale::de,
    }
}

/// A date as lists show it ("9 Jun 2025", "9.6.2025", "09/06/2025").
pub fn date(l: Locale, date: NaiveDate) -> String {
    lang(l).date_short(date)
}

pub fn status(l: Locale, s: Status) -> String {
    match s {
        Status::Active => td_string!(l, status.active),
        Status::Expired => td_string!(l, status.expired),
        Status::Suspended => td_string!(l, status.suspended),
        Status::Canceled => td_string!(l, status.canceled),
    }
    .to_string()
}

pub fn term(l: Locale, t: Term) -> String {
    match t {
        Term::Monthly => td_string!(l, term.monthly),
        Term::Annual => td_string!(l, term.annual),
        Term::ThreeYear => td_string!(l, term.three_year),
    }
    .to_string()
}

pub fn role(l: Locale, r: Role) -> String {
    match r {
        Role::Buyer => td_string!(l, role.buyer),
        Role::PrimaryAdmin => td_string!(l, role.primary_admin),
        Role::SecondaryAdmin => td_string!(l, role.secondary_admin),
        Role::Payer => td_string!(l, role.payer),
    }
    .to_string()
}

/// What a role means here (R-ROLE-2, R-ROLE-5, R-ROLE-7).
pub fn role_meaning(l: Locale, r: Role) -> String {
    match r {
        Role::Buyer => td_string!(l, account.role_buyer),
        Role::PrimaryAdmin => td_string!(l, account.role_primary_admin),
        Role::SecondaryAdmin => td_string!(l, account.role_secondary_admin),
        Role::Payer => td_string!(l, account.role_payer),
    }
    .to_string()
}

pub fn level(l: Locale, level: Level) -> String {
    match level {
        Level::All => td_string!(l, level.all),
        Level::NoUpgrades => td_string!(l, level.no_upgrades),
        Level::AssignmentsKept => td_string!(l, level.assignments_kept),
        Level::AssignmentsRemoved => td_string!(l, level.assignments_removed),
        Level::SelfHelp => td_string!(l, level.self_help),
        Level::None => td_string!(l, level.none),
    }
    .to_string()
}

/// The rows of the R-LIFE-6 table for a state: what, and how much.
pub fn allowances(l: Locale, s: Status) -> [(String, String); 5] {
    let a = s.allows();
    [
        (td_string!(l, allowance.product_access).to_string(), level(l, a.product_access)),
        (td_string!(l, allowance.user_management).to_string(), level(l, a.user_management)),
        (td_string!(l, allowance.downloads).to_string(), level(l, a.downloads)),
        (td_string!(l, allowance.reporting).to_string(), level(l, a.reporting)),
        (td_string!(l, allowance.support).to_string(), level(l, a.support)),
    ]
}

pub fn on_off(l: Locale, on: bool) -> String {
    if on { td_string!(l, on) } else { td_string!(l, off) }.to_string()
}

/// "Renews on" / "Expires on" (R-SUB-2).
pub fn shown_label(l: Locale, auto_renew: bool) -> String {
    if auto_renew { td_string!(l, shown.renews_on_label) } else { td_string!(l, shown.expires_on_label) }.to_string()
}

/// "Renews on 10 Jun 2025" / "Expires on 9 Jun 2025" (R-SUB-2).
pub fn shown_date(l: Locale, shown: ShownDate) -> String {
    let d = date(l, shown.date);
    if shown.auto_renew { td_string!(l, shown.renews_on, date = d) } else { td_string!(l, shown.expires_on, date = d) }
}

/// Why auto-renew cannot change.
pub fn ineligible(l: Locale, why: &Ineligible) -> String {
    match why {
        Ineligible::Canceled => td_string!(l, ineligible.canceled).to_string(),
        Ineligible::WindowClosed { last_day } => td_string!(l, ineligible.window_closed, date = date(l, *last_day)),
        Ineligible::ManualPaymentMethod => td_string!(l, ineligible.manual_payment_method).to_string(),
        Ineligible::NoPaymentMethod => td_string!(l, ineligible.no_payment_method).to_string(),
        Ineligible::TermEnded { last_day } => td_string!(l, ineligible.term_ended, date = date(l, *last_day)),
    }
}

/// An instant in the subscription's purchase time zone, "10 June 2025 00:00:00 EEST".
pub fn instant(at: DateTime<Utc>, time_zone: &str) -> String {
    match parse_tz(time_zone) {
        Some(tz) => format_instant(at, tz),
        None => format!("{} UTC", at.format("%-d %B %Y %H:%M:%S")),
    }
}

/// When renewal is possible, or why not (R-REN-2).
pub fn renewal_window(l: Locale, window: &Result<RenewalWindow, RenewalRefusal>) -> String {
    match window {
        Ok(w) => td_string!(l, renewal.window, opens = date(l, w.opens), closes = date(l, w.closes)),
        Err(RenewalRefusal::Canceled) => td_string!(l, renewal.canceled).to_string(),
        Err(RenewalRefusal::TooEarly(d)) => td_string!(l, renewal.too_early, date = date(l, *d)),
        Err(RenewalRefusal::TooLate(d)) => td_string!(l, renewal.too_late, date = date(l, *d)),
    }
}

/// An open renewal payment (R-LIFE-5).
pub fn payment_due(l: Locale, due: PaymentDue) -> String {
    let d = date(l, due.from);
    if due.late { td_string!(l, renewal.payment_late, date = d) } else { td_string!(l, renewal.payment_open, date = d) }
}

/// What a move of the demo clock by `step` did.
pub fn clock_move(l: Locale, step: &str, m: ClockMove) -> String {
    td_string!(
        l,
        clock.moved,
        step = step,
        renewed = m.renewed,
        invoiced = m.invoiced,
        failed = m.failed,
        instalments = m.instalments,
        settled = m.settled,
        transitions = m.transitions,
        reminders = m.reminders
    )
}

/// Whether `count` takes the singular form in this language.
pub fn is_one(l: Locale, count: usize) -> bool {
    lang(l).plural(i64::try_from(count).unwrap_or(i64::MAX)) == Plural::One
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_the_subscription_shows_them_in_each_language() {
        let date = NaiveDate::from_ymd_opt(2025, 6, 10).unwrap();
        assert_eq!(shown_date(Locale::en, ShownDate { auto_renew: true, date }), "Renews on 10 Jun 2025");
        assert_eq!(shown_date(Locale::en, ShownDate { auto_renew: false, date }), "Expires on 10 Jun 2025");
        assert!(shown_date(Locale::fr, ShownDate { auto_renew: true, date }).contains("10/06/2025"));
        let at = DateTime::parse_from_rfc3339("2025-06-09T21:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(instant(at, "Europe/Helsinki"), "10 June 2025 00:00:00 EEST");
    }

    #[test]
    fn the_two_language_types_map_onto_each_other() {
        for l in Lang::ALL {
            assert_eq!(lang(locale(l)), l);
        }
    }
}
