//! Typed ids: an organisation's id cannot be passed where a user's is expected. Each is the
//! database's integer, transparent for serde (the browser sees a number) and for sqlx (the
//! store binds and decodes it as `BIGINT`/`INTEGER`).

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    )*};
}

ids! {
    /// An organisation (an Autodesk Account team): the boundary no user crosses.
    OrgId,
    UserId,
    SubscriptionId,
    /// A customer account: one customer number (CSN).
    CustomerAccountId,
    ProductId,
    PaymentMethodId,
    OrderId,
    PaymentId,
    InvoiceId,
    /// An instalment waiting to be charged or invoiced.
    ScheduledChargeId,
    /// A mail in the outbox.
    MailId,
    QuoteId,
    /// An order held for another buyer's approval.
    ApprovalId,
    /// A credit memo (R-INV-1): credit of a customer number, from a refund.
    CreditMemoId,
}

/// The key a form carries so that submitting it twice has the effect of once: a UUID, made
/// when the form is shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdempotencyKey(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an idempotency key")]
pub struct InvalidIdempotencyKey;

impl IdempotencyKey {
    pub fn new() -> IdempotencyKey {
        IdempotencyKey(uuid::Uuid::new_v4().to_string())
    }

    pub fn parse(text: &str) -> Result<IdempotencyKey, InvalidIdempotencyKey> {
        uuid::Uuid::parse_str(text.trim()).map(|u| IdempotencyKey(u.to_string())).map_err(|_| InvalidIdempotencyKey)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for IdempotencyKey {
    fn default() -> Self {
        IdempotencyKey::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_are_uuids_in_one_spelling() {
        let k = IdempotencyKey::parse(" 6F9619FF-8B86-D011-B42D-00C04FC964FF ").unwrap();
        assert_eq!(k.as_str(), "6f9619ff-8b86-d011-b42d-00c04fc964ff");
        assert_eq!(IdempotencyKey::parse("not-a-key"), Err(InvalidIdempotencyKey));
        assert_ne!(IdempotencyKey::new(), IdempotencyKey::new());
    }

    #[test]
    fn ids_print_and_parse_as_their_numbers() {
        assert_eq!(SubscriptionId(42).to_string(), "42");
        assert_eq!("42".parse::<SubscriptionId>(), Ok(SubscriptionId(42)));
    }
}
