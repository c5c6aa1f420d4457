//! E-mail addresses, normalised to lower case (R-AUTH-3: correspondence goes to the account's address).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmailAddress(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an e-mail address")]
pub struct InvalidEmail;

impl EmailAddress {
    pub fn parse(input: &str) -> Result<EmailAddress, InvalidEmail> {
        let s = input.trim().to_lowercase();
        let (local, domain) = s.split_once('@').ok_or(InvalidEmail)?;
        let ok = !local.is_empty()
            && local.len() <= 64
            && s.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !s.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'))
            && !domain.contains('@');
        if ok { Ok(EmailAddress(s)) } else { Err(InvalidEmail) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        assert_eq!(EmailAddress::parse("  Anna.Berg@Example.COM ").unwrap().as_str(), "anna.berg@example.com");
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "anna",
            "anna@",
            "@example.com",
            "anna@example",
            "a b@example.com",
            "a@b..com",
            "a@@b.com",
            "a@b.com,c@d.com",
        ] {
            assert_eq!(EmailAddress::parse(bad), Err(InvalidEmail), "{bad:?}");
        }
    }
}
