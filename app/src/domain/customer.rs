//! Customer details: the company name and address of a customer number (CSN), printed on its
//! invoices and quotes and the base of its tax (R-CUST-1..3, R-EXT-6). A change applies to the
//! CSN and every subscription under it, from the next document on.

use serde::{Deserialize, Serialize};

use super::tax::{TaxAddress, TaxError, TaxRate, countries, rate_for};

/// The longest value of each field, in characters.
pub const MAX_COMPANY_NAME: usize = 100;
pub const MAX_ADDRESS_LINE: usize = 100;
pub const MAX_POSTAL_CODE: usize = 20;
pub const MAX_CITY: usize = 60;
pub const MAX_REGION: usize = 60;

/// A customer number's company name and address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CustomerDetails {
    pub company_name: String,
    pub address_line1: String,
    pub address_line2: String,
    pub postal_code: String,
    pub city: String,
    /// The US state ("MA"); a region or province elsewhere, or empty.
    pub region: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerField {
    CompanyName,
    AddressLine1,
    AddressLine2,
    PostalCode,
    City,
    Region,
    Country,
}

impl CustomerField {
    /// The form field's name.
    pub fn name(self) -> &'static str {
        match self {
            CustomerField::CompanyName => "company_name",
            CustomerField::AddressLine1 => "address_line1",
            CustomerField::AddressLine2 => "address_line2",
            CustomerField::PostalCode => "postal_code",
            CustomerField::City => "city",
            CustomerField::Region => "region",
            CustomerField::Country => "country",
        }
    }
}

/// Why customer details are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DetailsProblem {
    /// A field that must not be empty is.
    Required {
        field: CustomerField,
    },
    TooLong {
        field: CustomerField,
        max: usize,
    },
    /// A line break, tab or other control character: it would break the printed documents.
    ControlCharacter {
        field: CustomerField,
    },
    /// No tax is known for the country: the portal cannot bill there (R-CUST-3).
    UnsupportedCountry {
        country: String,
    },
    /// A US address needs one of the states (or DC) as its region.
    UnknownState {
        state: String,
    },
}

impl DetailsProblem {
    pub fn field(&self) -> CustomerField {
        match self {
            DetailsProblem::Required { field }
            | DetailsProblem::TooLong { field, .. }
            | DetailsProblem::ControlCharacter { field } => *field,
            DetailsProblem::UnsupportedCountry { .. } => CustomerField::Country,
            DetailsProblem::UnknownState { .. } => CustomerField::Region,
        }
    }
}

fn text(value: &str, field: CustomerField, max: usize, required: bool) -> Result<String, DetailsProblem> {
    let value = value.trim();
    if value.chars().any(char::is_control) {
        return Err(DetailsProblem::ControlCharacter { field });
    }
    if value.chars().count() > max {
        return Err(DetailsProblem::TooLong { field, max });
    }
    if required && value.is_empty() {
        return Err(DetailsProblem::Required { field });
    }
    Ok(value.to_string())
}

/// The details as typed into the form, checked field by field in the form's order: trimmed,
/// within their lengths, without control characters, in a country tax is known for, and in the
/// US with a known state. The country and a US state are kept upper case.
pub fn parse_details(form: &CustomerDetails) -> Result<CustomerDetails, DetailsProblem> {
    use CustomerField::*;
    let company_name = text(&form.company_name, CompanyName, MAX_COMPANY_NAME, true)?;
    let address_line1 = text(&form.address_line1, AddressLine1, MAX_ADDRESS_LINE, true)?;
    let address_line2 = text(&form.address_line2, AddressLine2, MAX_ADDRESS_LINE, false)?;
    let postal_code = text(&form.postal_code, PostalCode, MAX_POSTAL_CODE, true)?;
    let city = text(&form.city, City, MAX_CITY, true)?;
    let mut region = text(&form.region, Region, MAX_REGION, false)?;
    let country = text(&form.country, Country, 2, true)?.to_ascii_uppercase();
    if country == "US" {
        region = region.to_ascii_uppercase();
    }
    let details = CustomerDetails { company_name, address_line1, address_line2, postal_code, city, region, country };
    tax_rate(&details, false)?;
    Ok(details)
}

/// The tax later orders of a customer with these details pay (R-CUST-3): what the form shows
/// before saving, and what checkout charges.
pub fn tax_rate(details: &CustomerDetails, tax_exempt: bool) -> Result<TaxRate, DetailsProblem> {
    let address = TaxAddress { country: details.country.clone(), region: details.region.clone(), tax_exempt };
    rate_for(&address).map_err(|e| match e {
        TaxError::UnknownState(state) => DetailsProblem::UnknownState { state },
        TaxError::UnknownCountry(country) => DetailsProblem::UnsupportedCountry { country },
        TaxError::Money(_) => DetailsProblem::UnsupportedCountry { country: details.country.clone() },
    })
}

/// The countries a customer address may be in, with their names in English (the form's list).
pub fn country_choices() -> Vec<(&'static str, &'static str)> {
    countries().into_iter().map(|c| (c, country_name(c))).collect()
}

/// A country's English name; the code itself for a country outside [`countries`].
pub fn country_name(code: &str) -> &'static str {
    const NAMES: [(&str, &str); 31] = [
        ("AT", "Austria"),
        ("BE", "Belgium"),
        ("BG", "Bulgaria"),
        ("CH", "Switzerland"),
        ("CY", "Cyprus"),
        ("CZ", "Czechia"),
        ("DE", "Germany"),
        ("DK", "Denmark"),
        ("EE", "Estonia"),
        ("ES", "Spain"),
        ("FI", "Finland"),
        ("FR", "France"),
        ("GB", "United Kingdom"),
        ("GR", "Greece"),
        ("HR", "Croatia"),
        ("HU", "Hungary"),
        ("IE", "Ireland"),
        ("IT", "Italy"),
        ("LT", "Lithuania"),
        ("LU", "Luxembourg"),
        ("LV", "Latvia"),
        ("MT", "Malta"),
        ("NL", "Netherlands"),
        ("NO", "Norway"),
        ("PL", "Poland"),
        ("PT", "Portugal"),
        ("RO", "Romania"),
        ("SE", "Sweden"),
        ("SI", "Slovenia"),
        ("SK", "Slovakia"),
        ("US", "United States"),
    ];
    NAMES.iter().find(|(c, _)| c.eq_ignore_ascii_case(code)).map_or("", |(_, n)| n)
}

/// The address on one line, as documents print it.
pub fn one_line(d: &CustomerDetails) -> String {
    let street = [d.address_line1.as_str(), d.address_line2.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let place = [d.postal_code.as_str(), d.city.as_str(), d.region.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    format!("{street}, {place}, {}", d.country)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tax::TaxKind;
    use rust_decimal_macros::dec;

    fn helsinki() -> CustomerDetails {
        CustomerDetails {
            company_name: "  Pohjola Design Oy ".into(),
            address_line1: "Mannerheimintie 1".into(),
            address_line2: String::new(),
            postal_code: "00100".into(),
            city: "Helsinki".into(),
            region: String::new(),
            country: "fi".into(),
        }
    }

    #[test]
    fn details_are_trimmed_and_the_country_kept_upper_case() {
        let d = parse_details(&helsinki()).unwrap();
        assert_eq!(d.company_name, "Pohjola Design Oy");
        assert_eq!(d.country, "FI");
        assert_eq!(one_line(&d), "Mannerheimintie 1, 00100 Helsinki, FI");
    }

    #[test]
    fn each_field_is_refused_with_its_reason() {
        let mut f = helsinki();
        f.company_name = "   ".into();
        assert_eq!(parse_details(&f), Err(DetailsProblem::Required { field: CustomerField::CompanyName }));
        let mut f = helsinki();
        f.city = "x".repeat(MAX_CITY + 1);
        assert_eq!(parse_details(&f), Err(DetailsProblem::TooLong { field: CustomerField::City, max: MAX_CITY }));
        let mut f = helsinki();
        f.address_line2 = "a\nb".into();
        assert_eq!(parse_details(&f), Err(DetailsProblem::ControlCharacter { field: CustomerField::AddressLine2 }));
        let mut f = helsinki();
        f.country = "JP".into();
        assert_eq!(parse_details(&f), Err(DetailsProblem::UnsupportedCountry { country: "JP".into() }));
        let mut f = helsinki();
        f.country = "US".into();
        f.region = "Atlantis".into();
        assert_eq!(parse_details(&f), Err(DetailsProblem::UnknownState { state: "ATLANTIS".into() }));
        assert_eq!(DetailsProblem::UnknownState { state: "X".into() }.field(), CustomerField::Region);
    }

    #[test]
    fn the_tax_of_later_orders_follows_the_new_address() {
        // R-CUST-3: moving from Finland to Massachusetts turns VAT into state sales tax, and a
        // tax-exempt customer pays none wherever it is.
        let fi = parse_details(&helsinki()).unwrap();
        assert_eq!(tax_rate(&fi, false).unwrap(), TaxRate { kind: TaxKind::Vat, percent: dec!(25.5) });
        let mut us = helsinki();
        us.country = "us".into();
        us.region = "ma".into();
        let us = parse_details(&us).unwrap();
        assert_eq!(us.region, "MA");
        assert_eq!(tax_rate(&us, false).unwrap(), TaxRate { kind: TaxKind::SalesTax, percent: dec!(6.25) });
        assert_eq!(tax_rate(&us, true).unwrap().kind, TaxKind::Exempt);
    }

    #[test]
    fn every_country_in_the_list_has_a_name() {
        let choices = country_choices();
        assert_eq!(choices.len(), countries().len());
        assert!(choices.iter().all(|(_, name)| !name.is_empty()), "{choices:?}");
    }
}
