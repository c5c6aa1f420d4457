//! VAT and sales tax from the customer-details address (R-CUST-3).
//!
//! The table holds the standard rate of every EU member state, the UK, Norway, Switzerland and
//! the base state sales tax of every US state (local and county taxes are not modelled; see
//! docs/decisions.md, "Tax"). A tax-exempt customer (a certificate on file) pays no tax. A
//! country that is not in the table is refused with a clear message rather than taxed at zero
//! by accident.

use rust_decimal::Decimal;
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
const VAT: [(&str, &str); 30] = [
    ("AT", "20"),
    ("BE", "21"),
    ("BG", "20"),
    ("HR", "25"),
    ("CY", "19"),
    ("CZ", "21"),
    ("DK", "25"),
    ("EE", "24"),
    ("FI", "25.5"),
    ("FR", "20"),
    ("DE", "19"),
    ("GR", "24"),
    ("HU", "27"),
    ("IE", "23"),
    ("IT", "22"),
    ("LV", "21"),
    ("LT", "21"),
    ("LU", "17"),
    ("MT", "18"),
    ("NL", "21"),
    ("PL", "23"),
    ("PT", "23"),
    ("RO", "21"),
    ("SK", "23"),
    ("SI", "22"),
    ("ES", "21"),
    ("SE", "25"),
    ("GB", "20"),
    ("NO", "25"),
    ("CH", "8.1"),
];

/// Base state sales tax in percent, every state and DC.
const US_STATES: [(&str, &str); 51] = [
    ("AL", "4"),
    ("AK", "0"),
    ("AZ", "5.6"),
    ("AR", "6.5"),
    ("CA", "7.25"),
    ("CO", "2.9"),
    ("CT", "6.35"),
    ("DE", "0"),
    ("DC", "6"),
    ("FL", "6"),
    ("GA", "4"),
    ("HI", "4"),
    ("ID", "6"),
    ("IL", "6.25"),
    ("IN", "7"),
    ("IA", "6"),
    ("KS", "6.5"),
    ("KY", "6"),
    ("LA", "5"),
    ("ME", "5.5"),
    ("MD", "6"),
    ("MA", "6.25"),
    ("MI", "6"),
    ("MN", "6.875"),
    ("MS", "7"),
    ("MO", "4.225"),
    ("MT", "0"),
    ("NE", "5.5"),
    ("NV", "6.85"),
    ("NH", "0"),
    ("NJ", "6.625"),
    ("NM", "4.875"),
    ("NY", "4"),
    ("NC", "4.75"),
    ("ND", "5"),
    ("OH", "5.75"),
    ("OK", "4.5"),
    ("OR", "0"),
    ("PA", "6"),
    ("RI", "7"),
    ("SC", "6"),
    ("SD", "4.2"),
    ("TN", "7"),
    ("TX", "6.25"),
    ("UT", "6.1"),
    ("VT", "6"),
    ("VA", "5.3"),
    ("WA", "6.5"),
    ("WV", "6"),
    ("WI", "5"),
    ("WY", "4"),
];

fn lookup(table: &[(&str, &str)], code: &str) -> Option<Decimal> {
    table.iter().find(|(c, _)| c.eq_ignore_ascii_case(code)).map(|(_, r)| r.parse().expect("rate table holds decimals"))
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
        let cases =
            [("FI", "25.5"), ("SE", "25"), ("FR", "20"), ("DE", "19"), ("GB", "20"), ("CH", "8.1"), ("fi", "25.5")];
        for (country, percent) in cases {
            let rate = rate_for(&at(country, "", false)).unwrap();
            assert_eq!(rate, TaxRate { kind: TaxKind::Vat, percent: percent.parse().unwrap() }, "{country}");
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
