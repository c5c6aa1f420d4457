//! VAT and sales tax from the customer-details address (R-CUST-3).
//!
//! The table holds the standard rate of every EU member state, the UK, Norway, Switzerland and
//! the base state sales tax of every US state (local and county taxes are not modelled; see
//! docs/decisions.md, "Tax"). A tax-exempt customer (a certificate on file) pays no tax. A
//! country that is not in the table is refused with a clear message rather than taxed at zero
//! by accident.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};

use super::money::{Money, MoneyError};

/// The address facts tax depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxAddress {
    /// ISO 3166-1 alpha-2 ("FI").
    pub country: String,
    /// For the US, the two-letter state ("MA"); empty elsewhere.
    pub region: String,
    pub tax_exempt: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum TaxError {
    #[error("No tax rate is known for the country {0:?}; contact support to complete this order.")]
    UnknownCountry(String),
    #[error("No sales tax rate is known for the US state {0:?}; correct the state in the customer details.")]
    UnknownState(String),
    #[error("{0}")]
    Money(#[from] MoneyError),
}

/// The tax that applies: its name on the order review and its rate in percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRate {
    pub kind: TaxKind,
    pub percent: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaxKind {
    Vat,
    SalesTax,
    Exempt,
}

impl TaxKind {
    pub fn label(self) -> &'static str {
        match self {
            TaxKind::Vat => "VAT",
            TaxKind::SalesTax => "Sales tax",
            TaxKind::Exempt => "Tax exempt",
        }
    }
}

/// Standard VAT rates in percent: EU member states, UK, Norway, Switzerland (2026).
const VAT: [(&str, Decimal); 30] = [
    ("AT", dec!(20)),
    ("BE", dec!(21)),
    ("BG", dec!(20)),
    ("HR", dec!(25)),
    ("CY", dec!(19)),
    ("CZ", dec!(21)),
    ("DK", dec!(25)),
    ("EE", dec!(24)),
    ("FI", dec!(25.5)),
    ("FR", dec!(20)),
    ("DE", dec!(19)),
    ("GR", dec!(24)),
    ("HU", dec!(27)),
    ("IE", dec!(23)),
    ("IT", dec!(22)),
    ("LV", dec!(21)),
    ("LT", dec!(21)),
    ("LU", dec!(17)),
    ("MT", dec!(18)),
    ("NL", dec!(21)),
    ("PL", dec!(23)),
    ("PT", dec!(23)),
    ("RO", dec!(21)),
    ("SK", dec!(23)),
    ("SI", dec!(22)),
    ("ES", dec!(21)),
    ("SE", dec!(25)),
    ("GB", dec!(20)),
    ("NO", dec!(25)),
    ("CH", dec!(8.1)),
];

/// Base state sales tax in percent, every state and DC.
const US_STATES: [(&str, Decimal); 51] = [
    ("AL", dec!(4)),
    ("AK", dec!(0)),
    ("AZ", dec!(5.6)),
    ("AR", dec!(6.5)),
    ("CA", dec!(7.25)),
    ("CO", dec!(2.9)),
    ("CT", dec!(6.35)),
    ("DE", dec!(0)),
    ("DC", dec!(6)),
    ("FL", dec!(6)),
    ("GA", dec!(4)),
    ("HI", dec!(4)),
    ("ID", dec!(6)),
    ("IL", dec!(6.25)),
    ("IN", dec!(7)),
    ("IA", dec!(6)),
    ("KS", dec!(6.5)),
    ("KY", dec!(6)),
    ("LA", dec!(5)),
    ("ME", dec!(5.5)),
    ("MD", dec!(6)),
    ("MA", dec!(6.25)),
    ("MI", dec!(6)),
    ("MN", dec!(6.875)),
    ("MS", dec!(7)),
    ("MO", dec!(4.225)),
    ("MT", dec!(0)),
    ("NE", dec!(5.5)),
    ("NV", dec!(6.85)),
    ("NH", dec!(0)),
    ("NJ", dec!(6.625)),
    ("NM", dec!(4.875)),
    ("NY", dec!(4)),
    ("NC", dec!(4.75)),
    ("ND", dec!(5)),
    ("OH", dec!(5.75)),
    ("OK", dec!(4.5)),
    ("OR", dec!(0)),
    ("PA", dec!(6)),
    ("RI", dec!(7)),
    ("SC", dec!(6)),
    ("SD", dec!(4.2)),
    ("TN", dec!(7)),
    ("TX", dec!(6.25)),
    ("UT", dec!(6.1)),
    ("VT", dec!(6)),
    ("VA", dec!(5.3)),
    ("WA", dec!(6.5)),
    ("WV", dec!(6)),
    ("WI", dec!(5)),
    ("WY", dec!(4)),
];

/// The countries tax is known for (R-CUST-3), as ISO codes, in alphabetical order; a customer
/// address must be in one of them.
pub fn countries() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = VAT.iter().map(|(c, _)| *c).chain(["US"]).collect();
    all.sort_unstable();
    all
}

/// The US states (and DC) with a known sales tax, in alphabetical order.
pub fn us_states() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = US_STATES.iter().map(|(c, _)| *c).collect();
    all.sort_unstable();
    all
}

fn lookup(table: &[(&str, Decimal)], code: &str) -> Option<Decimal> {
    table.iter().find(|(c, _)| c.eq_ignore_ascii_case(code)).map(|(_, r)| *r)
}

/// The tax rate for a customer address (R-CUST-3).
pub fn rate_for(address: &TaxAddress) -> Result<TaxRate, TaxError> {
    let country = address.country.trim();
    let known = country.eq_ignore_ascii_case("US") || lookup(&VAT, country).is_some();
    if !known {
        return Err(TaxError::UnknownCountry(country.to_string()));
    }
    if address.tax_exempt {
        return Ok(TaxRate { kind: TaxKind::Exempt, percent: Decimal::ZERO });
    }
    if country.eq_ignore_ascii_case("US") {
        let state = address.region.trim();
        let percent = lookup(&US_STATES, state).ok_or_else(|| TaxError::UnknownState(state.to_string()))?;
        return Ok(TaxRate { kind: TaxKind::SalesTax, percent });
    }
    Ok(TaxRate { kind: TaxKind::Vat, percent: lookup(&VAT, country).expect("checked above") })
}

/// The tax on a net amount, rounded once, half away from zero (R-PRICE-6).
pub fn tax_on(net: Money, rate: TaxRate) -> Result<Money, MoneyError> {
    Money::from_decimal(net.to_decimal() * rate.percent / Decimal::ONE_HUNDRED, net.currency())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    fn at(country: &str, region: &str, exempt: bool) -> TaxAddress {
        TaxAddress { country: country.into(), region: region.into(), tax_exempt: exempt }
    }

    #[test]
    fn vat_comes_from_the_customer_country() {
        // R-CUST-3: the seeds' countries and the UK.
        let cases = [
            ("FI", dec!(25.5)),
            ("SE", dec!(25)),
            ("FR", dec!(20)),
            ("DE", dec!(19)),
            ("GB", dec!(20)),
            ("CH", dec!(8.1)),
            ("fi", dec!(25.5)),
        ];
        for (country, percent) in cases {
            let rate = rate_for(&at(country, "", false)).unwrap();
            assert_eq!(rate, TaxRate { kind: TaxKind::Vat, percent }, "{country}");
        }
    }

    #[test]
    fn every_eu_member_state_has_a_rate() {
        // R-CUST-3
        let eu = [
            "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
            "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
        ];
        assert_eq!(eu.len(), 27);
        for c in eu {
            let rate = rate_for(&at(c, "", false)).unwrap();
            assert!(rate.percent >= Decimal::from(17) && rate.percent <= Decimal::from(27), "{c}");
        }
    }

    #[test]
    fn us_sales_tax_comes_from_the_state() {
        // R-CUST-3
        assert_eq!(rate_for(&at("US", "MA", false)).unwrap().percent, "6.25".parse().unwrap());
        assert_eq!(rate_for(&at("US", "OR", false)).unwrap().percent, Decimal::ZERO);
        assert_eq!(rate_for(&at("US", "", false)), Err(TaxError::UnknownState("".into())));
        assert_eq!(rate_for(&at("US", "ZZ", false)), Err(TaxError::UnknownState("ZZ".into())));
    }

    #[test]
    fn tax_exempt_customers_pay_no_tax() {
        // R-CUST-3
        let rate = rate_for(&at("FR", "", true)).unwrap();
        assert_eq!(rate.kind, TaxKind::Exempt);
        assert!(tax_on(Money::from_minor(1_000_00, Currency::Eur), rate).unwrap().is_zero());
    }

    #[test]
    fn an_unknown_country_is_refused_not_taxed_at_zero() {
        assert_eq!(rate_for(&at("XX", "", false)), Err(TaxError::UnknownCountry("XX".into())));
        assert_eq!(rate_for(&at("XX", "", true)), Err(TaxError::UnknownCountry("XX".into())));
    }

    #[test]
    fn tax_is_rounded_once_half_away_from_zero() {
        // R-CUST-3, R-PRICE-6: 25.5 % of 0.02 EUR = 0.0051 -> 0.01; of 1,867.60 EUR = 476.238 -> 476.24.
        let fi = rate_for(&at("FI", "", false)).unwrap();
        assert_eq!(tax_on(Money::from_minor(2, Currency::Eur), fi).unwrap().minor(), 1);
        assert_eq!(tax_on(Money::from_minor(1_867_60, Currency::Eur), fi).unwrap().minor(), 476_24);
        let mn = rate_for(&at("US", "MN", false)).unwrap();
        assert_eq!(tax_on(Money::from_minor(100_00, Currency::Usd), mn).unwrap().minor(), 6_88);
    }
}
