//! Cards as the payment methods page takes them (R-PAY-5): the number is checked here and
//! handed to the gateway once; the portal keeps only the brand, the last four digits and the
//! expiry, and never shows or edits the number again.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// At most this many characters of a cardholder's name.
pub const MAX_HOLDER: usize = 100;
/// At most this many characters of a card's billing address.
pub const MAX_BILLING_ADDRESS: usize = 300;
/// A card's expiry may lie at most this many years ahead.
pub const MAX_YEARS_AHEAD: i32 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Other,
}

impl CardBrand {
    pub const ALL: [CardBrand; 5] =
        [CardBrand::Visa, CardBrand::Mastercard, CardBrand::Amex, CardBrand::Discover, CardBrand::Other];

    /// The brand's name, the same in every language (what the card says).
    pub fn name(self) -> &'static str {
        match self {
            CardBrand::Visa => "Visa",
            CardBrand::Mastercard => "Mastercard",
            CardBrand::Amex => "American Express",
            CardBrand::Discover => "Discover",
            CardBrand::Other => "Card",
        }
    }

    pub fn parse(name: &str) -> CardBrand {
        CardBrand::ALL.into_iter().find(|b| b.name() == name).unwrap_or(CardBrand::Other)
    }

    /// The brand the number's first digits (its issuer identification) give.
    pub fn of(digits: &str) -> CardBrand {
        let prefix = |n: usize| digits.get(..n).and_then(|p| p.parse::<u32>().ok()).unwrap_or(0);
        match (prefix(1), prefix(2), prefix(4)) {
            (4, _, _) => CardBrand::Visa,
            (_, 51..=55, _) | (_, _, 2221..=2720) => CardBrand::Mastercard,
            (_, 34 | 37, _) => CardBrand::Amex,
            (_, 65, _) | (_, _, 6011) => CardBrand::Discover,
            _ => CardBrand::Other,
        }
    }
}

/// A card number that passed the checks: digits only, 12 to 19 of them, Luhn check digit right.
/// It is never stored; [`CardNumber::last4`] and [`CardNumber::brand`] are.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber(String);

impl std::fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never a whole number in a log.
        write!(f, "CardNumber(•••• {})", self.last4())
    }
}

impl CardNumber {
    pub fn digits(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> String {
        self.0[self.0.len() - 4..].to_string()
    }

    pub fn brand(&self) -> CardBrand {
        CardBrand::of(&self.0)
    }
}

/// What is wrong with a card as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum CardProblem {
    #[error("enter the card number")]
    NumberMissing,
    /// Something other than digits, spaces and dashes, or not 12 to 19 digits.
    #[error("a card number has 12 to 19 digits")]
    NumberLength,
    /// The check digit is wrong: a typing mistake.
    #[error("the card number is not valid")]
    NumberCheck,
    /// Month 1 to 12, a four-digit year.
    #[error("the expiry date is not a month and year")]
    ExpiryInvalid,
    #[error("the card has expired")]
    Expired,
    #[error("the expiry date is too far ahead")]
    ExpiryTooFar,
    #[error("enter the cardholder's name")]
    HolderMissing,
    /// Longer than `max` characters, or control characters.
    #[error("the name or address is too long or has control characters")]
    TextInvalid { max: usize },
}

/// Reads a card number as people type it: spaces and dashes between groups are allowed.
pub fn parse_number(text: &str) -> Result<CardNumber, CardProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CardProblem::NumberMissing);
    }
    if !text.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '-') {
        return Err(CardProblem::NumberLength);
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if !(12..=19).contains(&digits.len()) {
        return Err(CardProblem::NumberLength);
    }
    if !luhn(&digits) {
        return Err(CardProblem::NumberCheck);
    }
    Ok(CardNumber(digits))
}

/// The Luhn (mod 10) check every card number carries in its last digit.
fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A card's expiry: valid through the last day of `month` of `year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiry {
    pub month: u32,
    pub year: i32,
}

impl Expiry {
    /// Whether the card can still be charged on local day `today`.
    pub fn valid_on(self, today: NaiveDate) -> bool {
        (self.year, self.month) >= (today.year(), today.month())
    }
}

/// Reads an expiry month and year (`MM` and `YYYY`, or a two-digit year); refuses one that has
/// passed on `today` or lies more than 20 years ahead.
pub fn parse_expiry(month: &str, year: &str, today: NaiveDate) -> Result<Expiry, CardProblem> {
    let month: u32 = month.trim().parse().map_err(|_| CardProblem::ExpiryInvalid)?;
    let year_text = year.trim();
    let mut year: i32 = year_text.parse().map_err(|_| CardProblem::ExpiryInvalid)?;
    if year_text.len() == 2 {
        year += 2000;
    } else if year_text.len() != 4 {
        return Err(CardProblem::ExpiryInvalid);
    }
    if !(1..=12).contains(&month) {
        return Err(CardProblem::ExpiryInvalid);
    }
    let expiry = Expiry { month, year };
    if !expiry.valid_on(today) {
        return Err(CardProblem::Expired);
    }
    if year > today.year() + MAX_YEARS_AHEAD {
        return Err(CardProblem::ExpiryTooFar);
    }
    Ok(expiry)
}

/// A cardholder's name: required, one line, at most [`MAX_HOLDER`] characters.
pub fn parse_holder(text: &str) -> Result<String, CardProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CardProblem::HolderMissing);
    }
    if text.chars().count() > MAX_HOLDER || text.chars().any(char::is_control) {
        return Err(CardProblem::TextInvalid { max: MAX_HOLDER });
    }
    Ok(text.to_string())
}

/// A card's billing address: may be empty; lines kept (trimmed), at most
/// [`MAX_BILLING_ADDRESS`] characters, no other control characters.
pub fn parse_billing_address(text: &str) -> Result<String, CardProblem> {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let address = lines.join("\n");
    if address.chars().count() > MAX_BILLING_ADDRESS || address.chars().any(|c| c.is_control() && c != '\n') {
        return Err(CardProblem::TextInvalid { max: MAX_BILLING_ADDRESS });
    }
    Ok(address)
}

/// How a card is named on pages and in mail: "Visa •••• 4242".
pub fn label(brand: CardBrand, last4: &str) -> String {
    format!("{} •••• {last4}", brand.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn card_numbers_are_checked_by_length_and_luhn_and_kept_only_as_brand_and_last_four() {
        // R-PAY-5: only brand, last four and expiry are kept.
        let n = parse_number("4242 4242 4242 4242").unwrap();
        assert_eq!((n.brand(), n.last4().as_str()), (CardBrand::Visa, "4242"));
        assert_eq!(format!("{n:?}"), "CardNumber(•••• 4242)", "a log never shows the number");
        assert_eq!(parse_number("5555-5555-5555-4444").unwrap().brand(), CardBrand::Mastercard);
        assert_eq!(parse_number("2223003122003222").unwrap().brand(), CardBrand::Mastercard);
        assert_eq!(parse_number("378282246310005").unwrap().brand(), CardBrand::Amex);
        assert_eq!(parse_number("6011111111111117").unwrap().brand(), CardBrand::Discover);
        assert_eq!(parse_number("4000 0000 0000 0002").unwrap().last4(), "0002");
        assert_eq!(parse_number("4242 4242 4242 4241"), Err(CardProblem::NumberCheck));
        assert_eq!(parse_number("4242"), Err(CardProblem::NumberLength));
        assert_eq!(parse_number("4242 4242 4242 424x"), Err(CardProblem::NumberLength));
        assert_eq!(parse_number("42424242424242424242"), Err(CardProblem::NumberLength));
        assert_eq!(parse_number("  "), Err(CardProblem::NumberMissing));
    }

    #[test]
    fn an_expiry_is_valid_through_its_month_and_not_too_far_ahead() {
        let today = day(2026, 11, 30);
        assert_eq!(parse_expiry("11", "2026", today), Ok(Expiry { month: 11, year: 2026 }));
        assert_eq!(parse_expiry("3", "28", today), Ok(Expiry { month: 3, year: 2028 }));
        assert_eq!(parse_expiry("10", "2026", today), Err(CardProblem::Expired));
        assert_eq!(parse_expiry("13", "2027", today), Err(CardProblem::ExpiryInvalid));
        assert_eq!(parse_expiry("0", "2027", today), Err(CardProblem::ExpiryInvalid));
        assert_eq!(parse_expiry("1", "202", today), Err(CardProblem::ExpiryInvalid));
        assert_eq!(parse_expiry("1", "2047", today), Err(CardProblem::ExpiryTooFar));
        assert!(Expiry { month: 11, year: 2026 }.valid_on(day(2026, 11, 30)));
        assert!(!Expiry { month: 11, year: 2026 }.valid_on(day(2026, 12, 1)));
    }

    #[test]
    fn holder_and_billing_address_are_bounded_text() {
        assert_eq!(parse_holder("  Ada Lovelace "), Ok("Ada Lovelace".into()));
        assert_eq!(parse_holder(""), Err(CardProblem::HolderMissing));
        assert_eq!(parse_holder("a\u{7}b"), Err(CardProblem::TextInvalid { max: MAX_HOLDER }));
        assert_eq!(parse_billing_address(" 1 Main St \r\n\n Paris "), Ok("1 Main St\nParis".into()));
        assert_eq!(parse_billing_address(""), Ok(String::new()));
        let long = "x".repeat(MAX_BILLING_ADDRESS + 1);
        assert_eq!(parse_billing_address(&long), Err(CardProblem::TextInvalid { max: MAX_BILLING_ADDRESS }));
        assert_eq!(label(CardBrand::Amex, "0005"), "American Express •••• 0005");
    }
}
