//! Password policy (R-AUTH-1): at least 8 characters, a letter, a digit, 3 distinct characters.

/// Which part of R-AUTH-1 a password misses. A code: pages word it in the reader's language
/// (`contract::problem::Problem`); the texts here are for logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum WeakPassword {
    #[error("fewer than 8 characters")]
    TooShort,
    #[error("no letter")]
    NoLetter,
    #[error("no digit")]
    NoDigit,
    #[error("fewer than 3 different characters")]
    TooFewDistinct,
    #[error("more than 128 characters")]
    TooLong,
}

/// A password that follows R-AUTH-1, parsed where it enters (the server function) and the only
/// kind a service will store. Never printed.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(password: String) -> Result<NewPassword, WeakPassword> {
        check_new_password(&password)?;
        Ok(NewPassword(password))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

/// Checks a new password against R-AUTH-1. Used wherever a password is set.
pub fn check_new_password(password: &str) -> Result<(), WeakPassword> {
    let n = password.chars().count();
    if n < 8 {
        return Err(WeakPassword::TooShort);
    }
    if n > 128 {
        return Err(WeakPassword::TooLong);
    }
    if !password.chars().any(char::is_alphabetic) {
        return Err(WeakPassword::NoLetter);
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        return Err(WeakPassword::NoDigit);
    }
    let distinct: std::collections::BTreeSet<char> = password.chars().collect();
    if distinct.len() < 3 {
        return Err(WeakPassword::TooFewDistinct);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_follow_r_auth_1() {
        // R-AUTH-1
        assert_eq!(check_new_password("abc1234"), Err(WeakPassword::TooShort));
        assert_eq!(check_new_password("12345678"), Err(WeakPassword::NoLetter));
        assert_eq!(check_new_password("abcdefgh"), Err(WeakPassword::NoDigit));
        assert_eq!(check_new_password("a1a1a1a1"), Err(WeakPassword::TooFewDistinct));
        assert_eq!(check_new_password("a1a1a1b1"), Ok(()));
        assert_eq!(check_new_password("Demo-portal-2026"), Ok(()));
    }
}
