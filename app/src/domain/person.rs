//! A person's name as they give it when they open an account (an invitation, issue 13/14).

use serde::{Deserialize, Serialize};

/// At most this many characters of a name.
pub const MAX_NAME: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum NameProblem {
    #[error("enter your name")]
    Missing,
    /// Longer than `max` characters, or control characters.
    #[error("at most {max} characters, without control characters")]
    Invalid { max: usize },
}

/// A name: required, one line, at most [`MAX_NAME`] characters, trimmed.
pub fn parse_name(text: &str) -> Result<String, NameProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(NameProblem::Missing);
    }
    if text.chars().count() > MAX_NAME || text.chars().any(char::is_control) {
        return Err(NameProblem::Invalid { max: MAX_NAME });
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_one_bounded_line() {
        assert_eq!(parse_name("  Oona Payer "), Ok("Oona Payer".into()));
        assert_eq!(parse_name(" "), Err(NameProblem::Missing));
        assert_eq!(parse_name("a\nb"), Err(NameProblem::Invalid { max: MAX_NAME }));
        assert_eq!(parse_name(&"x".repeat(MAX_NAME + 1)), Err(NameProblem::Invalid { max: MAX_NAME }));
    }
}
