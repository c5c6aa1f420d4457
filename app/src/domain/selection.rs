//! A bulk selection of subscriptions: at least one, at most 100, no duplicates (R-BULK-1).

use serde::{Deserialize, Serialize};

use super::ids::SubscriptionId;

/// Up to 100 subscriptions at a time (R-BULK-1, R-BULK-2).
pub const MAX_BULK: usize = 100;

/// Rows per page of a list, and the default.
pub const PER_PAGE_CHOICES: [i64; 4] = [25, 50, 100, 200];
pub const DEFAULT_PER_PAGE: i64 = 25;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkSelection(Vec<SubscriptionId>);

/// Why a selection was refused. A code: pages word it in the reader's language
/// (`contract::problem::Problem`); the texts here are for logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum SelectionError {
    #[error("empty selection")]
    Empty,
    /// How many were selected (more than [`MAX_BULK`]).
    #[error("{0} selected, more than {MAX_BULK}")]
    TooMany(usize),
    /// The text that is not an id (at most 20 characters of it).
    #[error("{0:?} is not a subscription id")]
    Malformed(String),
}

impl BulkSelection {
    /// Parses a comma-separated list of ids ("12,13,14"), as sent by forms and links.
    pub fn parse(ids: &str) -> Result<BulkSelection, SelectionError> {
        let parsed = ids
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .map(SubscriptionId)
                    .ok_or_else(|| SelectionError::Malformed(s.chars().take(20).collect()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        BulkSelection::from_ids(parsed)
    }

    pub fn from_ids(mut ids: Vec<SubscriptionId>) -> Result<BulkSelection, SelectionError> {
        let mut seen = std::collections::HashSet::with_capacity(ids.len());
        ids.retain(|id| seen.insert(*id));
        match ids.len() {
            0 => Err(SelectionError::Empty),
            n if n > MAX_BULK => Err(SelectionError::TooMany(n)),
            _ => Ok(BulkSelection(ids)),
        }
    }

    pub fn ids(&self) -> &[SubscriptionId] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The form/URL encoding that [`BulkSelection::parse`] reads back.
    pub fn to_param(&self) -> String {
        join_ids(&self.0)
    }
}

pub fn join_ids(ids: &[SubscriptionId]) -> String {
    ids.iter().map(SubscriptionId::to_string).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(range: impl Iterator<Item = i64>) -> Vec<SubscriptionId> {
        range.map(SubscriptionId).collect()
    }

    #[test]
    fn a_selection_of_100_is_accepted() {
        // R-BULK-1
        assert_eq!(BulkSelection::from_ids(ids(1..=100)).unwrap().len(), 100);
    }

    #[test]
    fn the_101st_subscription_is_refused_with_the_count() {
        // R-BULK-1 (its wording, in each language: `words::selection`)
        let err = BulkSelection::from_ids(ids(1..=101)).unwrap_err();
        assert_eq!(err, SelectionError::TooMany(101));
    }

    #[test]
    fn duplicates_count_once() {
        assert_eq!(BulkSelection::from_ids(ids((1..=100).chain(1..=50))).unwrap().len(), 100);
    }

    #[test]
    fn parsing_rejects_empty_and_malformed_lists() {
        assert_eq!(BulkSelection::parse(" , "), Err(SelectionError::Empty));
        assert!(matches!(BulkSelection::parse("1,x"), Err(SelectionError::Malformed(_))));
        assert!(matches!(BulkSelection::parse("-4"), Err(SelectionError::Malformed(_))));
        assert_eq!(BulkSelection::parse("3, 4,5").unwrap().ids(), &ids(3..=5)[..]);
    }
}
