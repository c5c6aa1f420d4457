//! Exact money (R-PRICE-6): integer minor units per currency, never floating point.
//!
//! Rounding is explicit and happens in one place, [`Money::from_decimal`]: half away from zero
//! ("commercial" rounding) to the currency's minor unit. Callers compute with [`Decimal`] and
//! round once per line; see docs/decisions.md ("Money and rounding").

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Currency {
    Eur,
    Usd,
    Sek,
    Gbp,
    Jpy,
}

impl Currency {
    pub const ALL: [Currency; 5] = [Currency::Eur, Currency::Usd, Currency::Sek, Currency::Gbp, Currency::Jpy];

    pub fn code(self) -> &'static str {
        match self {
            Currency::Eur => "EUR",
            Currency::Usd => "USD",
            Currency::Sek => "SEK",
            Currency::Gbp => "GBP",
            Currency::Jpy => "JPY",
        }
    }

    pub fn parse(code: &str) -> Option<Currency> {
        Currency::ALL.into_iter().find(|c| c.code().eq_ignore_ascii_case(code))
    }

    /// Digits after the decimal point (ISO 4217).
    pub fn minor_digits(self) -> u32 {
        match self {
            Currency::Jpy => 0,
            _ => 2,
        }
    }
}

/// Why an amount cannot be formed or combined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum MoneyError {
    #[error("amounts in {0} and {1} cannot be combined")]
    CurrencyMismatch(String, String),
    #[error("the amount is too large")]
    Overflow,
    #[error("{0} has at most {1} decimals")]
    TooPrecise(String, u32),
    #[error("{0:?} is not an amount")]
    NotANumber(String),
}

/// An amount in one currency, held as integer minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    pub fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    pub fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    pub fn minor(self) -> i64 {
        self.minor
    }

    pub fn currency(self) -> Currency {
        self.currency
    }

    pub fn is_zero(self) -> bool {
        self.minor == 0
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.minor, self.currency.minor_digits())
    }

    /// Rounds an exact decimal amount to the currency's minor unit, half away from zero. This is
    /// the only rounding in the domain (R-PRICE-6).
    pub fn from_decimal(amount: Decimal, currency: Currency) -> Result<Money, MoneyError> {
        let rounded = amount.round_dp_with_strategy(currency.minor_digits(), RoundingStrategy::MidpointAwayFromZero);
        let scaled =
            rounded.checked_mul(Decimal::from(10i64.pow(currency.minor_digits()))).ok_or(MoneyError::Overflow)?;
        let minor: i64 = scaled.trunc().try_into().map_err(|_| MoneyError::Overflow)?;
        Ok(Money { minor, currency })
    }

    /// Parses "1234.50" or "1,234.50" exactly; more decimals than the currency has is an error,
    /// not a rounding.
    pub fn parse(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let clean: String = text.trim().chars().filter(|c| *c != ',').collect();
        let value: Decimal = clean.parse().map_err(|_| MoneyError::NotANumber(text.trim().to_string()))?;
        if value.normalize().scale() > currency.minor_digits() {
            return Err(MoneyError::TooPrecise(currency.code().into(), currency.minor_digits()));
        }
        Money::from_decimal(value, currency)
    }

    /// An amount as people type it in any of the portal's languages: "1240.50", "1,240.50",
    /// "1 240,50", "1.240,50". The last `.` or `,` is the decimal separator when one to
    /// `minor_digits` digits follow it; any other is a thousands separator and must have three
    /// digits after it. Anything else is [`MoneyError::NotANumber`] (never guessed: "1,5" is
    /// one and a half, never fifteen).
    pub fn parse_typed(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let not_a_number = || MoneyError::NotANumber(text.trim().to_string());
        let t: String = text.chars().filter(|c| !c.is_whitespace() && *c != '\'').collect();
        let (sign, digits) = match t.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", t.as_str()),
        };
        let (whole, fraction) = match digits.rfind(['.', ',']) {
            Some(at) if (1..=currency.minor_digits() as usize).contains(&(digits.len() - at - 1)) => {
                (&digits[..at], Some(&digits[at + 1..]))
            }
            _ => (digits, None),
        };
        let mut groups = whole.split(['.', ',']);
        let mut clean = groups.next().unwrap_or_default().to_string();
        for g in groups {
            if g.len() != 3 {
                return Err(not_a_number());
            }
            clean.push_str(g);
        }
        if clean.is_empty() || !clean.chars().all(|c| c.is_ascii_digit()) {
            return Err(not_a_number());
        }
        if let Some(f) = fraction {
            if !f.chars().all(|c| c.is_ascii_digit()) {
                return Err(not_a_number());
            }
            clean = format!("{clean}.{f}");
        }
        Money::parse(&format!("{sign}{clean}"), currency)
    }

    fn same(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency.code().into(), other.currency.code().into()))
        }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same(other)?;
        Ok(Money { minor: self.minor.checked_add(other.minor).ok_or(MoneyError::Overflow)?, currency: self.currency })
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same(other)?;
        Ok(Money { minor: self.minor.checked_sub(other.minor).ok_or(MoneyError::Overflow)?, currency: self.currency })
    }

    /// The amount times a whole number (seats).
    pub fn times(self, n: i64) -> Result<Money, MoneyError> {
        Ok(Money { minor: self.minor.checked_mul(n).ok_or(MoneyError::Overflow)?, currency: self.currency })
    }

    /// Sums amounts of one currency; `currency` is the answer for an empty list.
    pub fn sum(currency: Currency, amounts: impl IntoIterator<Item = Money>) -> Result<Money, MoneyError> {
        amounts.into_iter().try_fold(Money::zero(currency), Money::checked_add)
    }

    /// Splits the amount into `parts` amounts that differ by at most one minor unit and sum to
    /// it exactly; the earlier parts carry the remainder (R-PAY-8 instalments).
    pub fn split(self, parts: u32) -> Vec<Money> {
        assert!(parts > 0, "split into at least one part");
        let n = i64::from(parts);
        let base = self.minor.div_euclid(n);
        let extra = self.minor.rem_euclid(n);
        (0..n).map(|i| Money { minor: base + i64::from(i < extra), currency: self.currency }).collect()
    }

    /// Shares the amount out in proportion to `weights` (largest remainder): the shares sum to
    /// it exactly, each is within one minor unit of its exact proportion, and ties go to the
    /// earlier weight. All-zero weights share it equally ([`Money::split`]). Used to give each
    /// line of an order its part of the tax computed once on the subtotal.
    pub fn allocate(self, weights: &[Money]) -> Vec<Money> {
        let total_weight: i128 = weights.iter().map(|w| i128::from(w.minor.max(0))).sum();
        if weights.is_empty() {
            return Vec::new();
        }
        if total_weight == 0 {
            return self.split(weights.len() as u32);
        }
        let amount = i128::from(self.minor);
        let mut shares: Vec<i128> = Vec::with_capacity(weights.len());
        let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
        for (i, w) in weights.iter().enumerate() {
            let exact = amount * i128::from(w.minor.max(0));
            shares.push(exact.div_euclid(total_weight));
            remainders.push((exact.rem_euclid(total_weight), i));
        }
        let left = amount - shares.iter().sum::<i128>();
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in remainders.into_iter().take(left as usize) {
            shares[i] += 1;
        }
        // Each share lies between zero and the amount, so it fits in i64.
        shares.into_iter().map(|m| Money { minor: m as i64, currency: self.currency }).collect()
    }
}

impl std::fmt::Display for Money {
    /// "1,234.50 EUR": grouping with commas, the currency's own number of decimals.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.minor < 0 { "-" } else { "" };
        write!(f, "{sign}{} {}", self.unsigned_number(',', '.'), self.currency.code())
    }
}

impl Money {
    /// The amount without sign or currency, with these separators: "1,234.50", "1 234,50".
    /// Exact: from the minor units, with the currency's own number of decimals.
    pub fn unsigned_number(self, group: char, decimal: char) -> String {
        let digits = self.currency.minor_digits() as usize;
        let minor = self.minor.unsigned_abs().to_string();
        let padded = format!("{minor:0>width$}", width = digits + 1);
        let (int, frac) = padded.split_at(padded.len() - digits);
        let mut number = group_thousands(int, group);
        if digits > 0 {
            number.push(decimal);
            number.push_str(frac);
        }
        number
    }
}

/// Groups the digits of a non-negative whole number by thousands.
pub fn group_thousands(digits: &str, group: char) -> String {
    let mut out = String::with_capacity(digits.len() * 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(c);
    }
    out
}

/// What one unit of each currency is worth in US dollars, for limits stated in USD (R-PAY-2).
/// The portal's operator configures it (`PORTAL_USD_RATES`); [`UsdRates::default`] holds the
/// rates the demo uses. Conversions are exact decimal products, never rounded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsdRates(BTreeMap<Currency, Decimal>);

impl Default for UsdRates {
    fn default() -> UsdRates {
        UsdRates(BTreeMap::from([
            (Currency::Usd, Decimal::ONE),
            (Currency::Eur, Decimal::new(108, 2)),
            (Currency::Gbp, Decimal::new(127, 2)),
            (Currency::Sek, Decimal::new(95, 3)),
            (Currency::Jpy, Decimal::new(67, 4)),
        ]))
    }
}

impl UsdRates {
    /// Parses "EUR=1.08,SEK=0.095": each listed currency's value in USD, over the defaults.
    pub fn parse(text: &str) -> Result<UsdRates, String> {
        let mut rates = UsdRates::default();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (code, value) = item.split_once('=').ok_or_else(|| format!("{item:?}: expected CODE=rate"))?;
            let currency =
                Currency::parse(code.trim()).ok_or_else(|| format!("{code:?} is not a supported currency"))?;
            let rate: Decimal = value.trim().parse().map_err(|_| format!("{value:?} is not a decimal rate"))?;
            if rate <= Decimal::ZERO {
                return Err(format!("the rate of {} must be positive", currency.code()));
            }
            if currency == Currency::Usd && rate != Decimal::ONE {
                return Err("the rate of USD is 1".into());
            }
            rates.0.insert(currency, rate);
        }
        Ok(rates)
    }

    /// The exact value of `amount` in USD.
    pub fn to_usd(&self, amount: Money) -> Decimal {
        amount.to_decimal() * self.0.get(&amount.currency()).copied().unwrap_or(Decimal::ONE)
    }
}

/// Amounts above this, before tax, cannot be paid by card or PayPal (R-PAY-2).
pub const ONLINE_PAYMENT_LIMIT_USD: Decimal = Decimal::from_parts(25_000, 0, 0, false, 0);

/// Whether an order, quote or invoice of `amount_before_tax` is over the online payment limit
/// (R-PAY-2): strictly more than 25,000 USD or its local-currency equivalent.
pub fn over_online_limit(amount_before_tax: Money, rates: &UsdRates) -> bool {
    rates.to_usd(amount_before_tax) > ONLINE_PAYMENT_LIMIT_USD
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Eur)
    }

    #[test]
    fn rounding_is_half_away_from_zero_at_the_minor_unit() {
        // R-PRICE-6
        let cases = [("1.005", 101), ("1.004999", 100), ("-1.005", -101), ("2.675", 268), ("0.0049", 0)];
        for (text, minor) in cases {
            assert_eq!(Money::from_decimal(text.parse().unwrap(), Currency::Eur).unwrap(), eur(minor), "{text}");
        }
        assert_eq!(Money::from_decimal("1234.5".parse().unwrap(), Currency::Jpy).unwrap().minor(), 1235);
    }

    #[test]
    fn parsing_is_exact_and_refuses_extra_decimals() {
        // R-PRICE-6
        assert_eq!(Money::parse("1,234.50", Currency::Eur).unwrap(), eur(123_450));
        assert_eq!(Money::parse("7", Currency::Jpy).unwrap().minor(), 7);
        assert_eq!(Money::parse("1.005", Currency::Eur), Err(MoneyError::TooPrecise("EUR".into(), 2)));
        assert_eq!(Money::parse("1.5", Currency::Jpy), Err(MoneyError::TooPrecise("JPY".into(), 0)));
        assert!(matches!(Money::parse("abc", Currency::Eur), Err(MoneyError::NotANumber(_))));
    }

    #[test]
    fn currencies_never_mix() {
        let usd = Money::from_minor(1, Currency::Usd);
        assert_eq!(eur(1).checked_add(usd), Err(MoneyError::CurrencyMismatch("EUR".into(), "USD".into())));
        assert_eq!(eur(i64::MAX).checked_add(eur(1)), Err(MoneyError::Overflow));
    }

    #[test]
    fn splitting_sums_exactly() {
        // R-PAY-8
        assert_eq!(eur(100).split(3), vec![eur(34), eur(33), eur(33)]);
        assert_eq!(eur(99).split(3), vec![eur(33), eur(33), eur(33)]);
    }

    #[test]
    fn the_online_payment_limit_is_25000_usd_before_tax() {
        // R-PAY-2: strictly over 25,000 USD, or the local equivalent through the rate table.
        let rates = UsdRates::default();
        assert!(!over_online_limit(Money::from_minor(25_000_00, Currency::Usd), &rates));
        assert!(over_online_limit(Money::from_minor(25_000_01, Currency::Usd), &rates));
        // 23,148.15 EUR x 1.08 = 25,000.002 USD: over; 23,148.14 EUR = 24,999.9912 USD: not.
        assert!(over_online_limit(eur(23_148_15), &rates));
        assert!(!over_online_limit(eur(23_148_14), &rates));
        // 263,157.90 SEK x 0.095 = 25,000.0005 USD.
        assert!(over_online_limit(Money::from_minor(263_157_90, Currency::Sek), &rates));
        assert!(!over_online_limit(Money::from_minor(263_157_89, Currency::Sek), &rates));
    }

    #[test]
    fn the_rate_table_is_configurable() {
        let rates = UsdRates::parse("EUR=1.20, SEK=0.1").unwrap();
        assert_eq!(rates.to_usd(eur(100_00)), "120.0000".parse::<Decimal>().unwrap());
        assert!(UsdRates::parse("XYZ=1").is_err());
        assert!(UsdRates::parse("EUR=-1").is_err());
        assert!(UsdRates::parse("EUR").is_err());
        assert!(UsdRates::parse("USD=2").is_err());
    }

    proptest::proptest! {
        #[test]
        fn split_parts_always_sum_to_the_whole(minor in -10_000_000_000i64..10_000_000_000, parts in 1u32..12) {
            // R-PAY-8
            let whole = eur(minor);
            let pieces = whole.split(parts);
            proptest::prop_assert_eq!(Money::sum(Currency::Eur, pieces.iter().copied()).unwrap(), whole);
            let max = pieces.iter().map(|m| m.minor()).max().unwrap();
            let min = pieces.iter().map(|m| m.minor()).min().unwrap();
            proptest::prop_assert!(max - min <= 1);
        }
    }

    #[test]
    fn money_prints_exactly_with_the_currencys_decimals() {
        // R-PRICE-6
        assert_eq!(Money::from_minor(123_450, Currency::Eur).to_string(), "1,234.50 EUR");
        assert_eq!(Money::from_minor(5, Currency::Usd).to_string(), "0.05 USD");
        assert_eq!(Money::from_minor(-250_000, Currency::Sek).to_string(), "-2,500.00 SEK");
        assert_eq!(Money::from_minor(1_000_000, Currency::Jpy).to_string(), "1,000,000 JPY");
    }
}
