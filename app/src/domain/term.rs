//! Subscription terms (R-SUB-1) and their standard lengths (R-PRICE-1).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Term {
    Monthly,
    Annual,
    ThreeYear,
}

impl Term {
    pub const ALL: [Term; 3] = [Term::Monthly, Term::Annual, Term::ThreeYear];

    /// The value stored in the database and used in URLs.
    pub fn code(self) -> &'static str {
        match self {
            Term::Monthly => "monthly",
            Term::Annual => "annual",
            Term::ThreeYear => "three_year",
        }
    }

    pub fn parse(code: &str) -> Option<Term> {
        Term::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Term::Monthly => "Monthly",
            Term::Annual => "1 year",
            Term::ThreeYear => "3 years",
        }
    }

    /// Calendar months one term covers.
    pub fn months(self) -> u32 {
        match self {
            Term::Monthly => 1,
            Term::Annual => 12,
            Term::ThreeYear => 36,
        }
    }

    /// Standard period length for proration: leap years are ignored (R-PRICE-1).
    pub fn standard_days(self) -> u32 {
        match self {
            Term::Monthly => 30,
            Term::Annual => 365,
            Term::ThreeYear => 1095,
        }
    }

    /// Days a subscription stays suspended before it is canceled (R-LIFE-3).
    pub fn suspension_days(self) -> i64 {
        match self {
            Term::Monthly => 15,
            Term::Annual | Term::ThreeYear => 30,
        }
    }

    /// Days after the end date during which auto-renew may still be changed (R-EXT-1).
    pub fn auto_renew_grace_days(self) -> i64 {
        match self {
            Term::Monthly => 30,
            Term::Annual | Term::ThreeYear => 45,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_round_trip_through_their_codes() {
        for t in Term::ALL {
            assert_eq!(Term::parse(t.code()), Some(t));
        }
        assert_eq!(Term::parse("weekly"), None);
    }

    #[test]
    fn standard_lengths_ignore_leap_years() {
        // R-PRICE-1
        assert_eq!(Term::Monthly.standard_days(), 30);
        assert_eq!(Term::Annual.standard_days(), 365);
        assert_eq!(Term::ThreeYear.standard_days(), 1095);
    }

    #[test]
    fn suspension_lasts_thirty_days_for_annual_and_fifteen_for_monthly() {
        // R-LIFE-3
        assert_eq!(Term::Annual.suspension_days(), 30);
        assert_eq!(Term::ThreeYear.suspension_days(), 30);
        assert_eq!(Term::Monthly.suspension_days(), 15);
    }
}
