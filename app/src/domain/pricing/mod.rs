//! Prices, promotions, proration, co-termed seats, extensions, instalments and refunds
//! (R-PRICE-1..4, R-QUOTE-5, R-PAY-8, R-PAY-9).
//!
//! Every amount is computed exactly with [`Decimal`] and rounded once per line by
//! [`Money::from_decimal`] (half away from zero).

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ids::ProductId;
use super::money::{Currency, Money, MoneyError};
use super::tax::{TaxRate, tax_on};
use super::term::Term;
#[cfg(doc)]
use super::time::add_terms;

mod catalog;
mod changes;
mod lines;
mod schedule;

pub use catalog::*;
pub use changes::*;
pub use lines::*;
pub use schedule::*;

#[cfg(test)]
mod testing {
    use super::*;
    use proptest::prelude::*;

    pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    pub fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Eur)
    }

    pub fn any_term() -> impl Strategy<Value = Term> {
        prop_oneof![Just(Term::Monthly), Just(Term::Annual), Just(Term::ThreeYear)]
    }
}
