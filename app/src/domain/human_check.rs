//! The human check before a self-service quote is sent (R-QUOTE-2: "pass a CAPTCHA"): a small
//! sum written out in the page's language, whose answer the server keeps. It needs no outside
//! service, no script and no picture, so it works without JavaScript and with a screen reader.
//! It is a speed bump, not a wall: what keeps the portal from being used to send mail is that
//! only signed-in buyers make quotes, at most `quote::MAX_SELF_SERVICE_PER_DAY` a day, each to
//! at most 4 addresses outside the organisation (docs/decisions.md, "The human check").

use serde::{Deserialize, Serialize};

/// A check can be answered for this many minutes after it was asked.
pub const VALID_MINUTES: i64 = 30;
/// Wrong answers allowed before the check is void and a new one must be asked.
pub const MAX_ATTEMPTS: i64 = 5;

/// The question: what is `a` plus `b`?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub a: u8,
    pub b: u8,
}

impl Question {
    /// A question from two random bytes: each term from 2 to 9, so the sum is 4 to 18.
    pub fn from_bytes(x: u8, y: u8) -> Question {
        Question { a: 2 + x % 8, b: 2 + y % 8 }
    }

    pub fn answer(self) -> i64 {
        i64::from(self.a) + i64::from(self.b)
    }
}

/// Reads what was typed as an answer: digits, with spaces around; anything else is no answer.
pub fn read_answer(typed: &str) -> Option<i64> {
    let t = typed.trim();
    if t.is_empty() || t.len() > 4 || !t.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_are_small_sums() {
        for x in 0..=255u8 {
            for y in [0u8, 7, 255] {
                let q = Question::from_bytes(x, y);
                assert!((2..=9).contains(&q.a) && (2..=9).contains(&q.b));
                assert_eq!(q.answer(), i64::from(q.a) + i64::from(q.b));
            }
        }
    }

    #[test]
    fn only_digits_are_an_answer() {
        assert_eq!(read_answer(" 12 "), Some(12));
        assert_eq!(read_answer("twelve"), None);
        assert_eq!(read_answer("-3"), None);
        assert_eq!(read_answer(""), None);
        assert_eq!(read_answer("123456"), None);
    }
}
