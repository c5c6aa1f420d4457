//! Exact money (R-PRICE-6): integer minor units per currency, never floating point.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

    pub fn minor(self) -> i64 {
        self.minor
    }

    pub fn currency(self) -> Currency {
        self.currency
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.minor, self.currency.minor_digits())
    }
}

impl std::fmt::Display for Money {
    /// "1,234.50 EUR": grouping with commas, the currency's own number of decimals.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits = self.currency.minor_digits();
        let text = self.to_decimal().abs().round_dp(digits).to_string();
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.minor < 0 { "-" } else { "" };
        if digits == 0 {
            write!(f, "{sign}{grouped} {}", self.currency.code())
        } else {
            write!(f, "{sign}{grouped}.{frac:0<width$} {}", self.currency.code(), width = digits as usize)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_prints_exactly_with_the_currencys_decimals() {
        // R-PRICE-6
        assert_eq!(Money::from_minor(123_450, Currency::Eur).to_string(), "1,234.50 EUR");
        assert_eq!(Money::from_minor(5, Currency::Usd).to_string(), "0.05 USD");
        assert_eq!(Money::from_minor(-250_000, Currency::Sek).to_string(), "-2,500.00 SEK");
        assert_eq!(Money::from_minor(1_000_000, Currency::Jpy).to_string(), "1,000,000 JPY");
    }
}
