//! Payment gateway: one trait the portal charges through, and a simulated provider behind it
//! for the demo and tests. A real provider replaces [`SimulatedGateway`] by implementing
//! [`PaymentGateway`]; nothing else changes.
//!
//! The portal stores only a token, brand, last four digits and expiry of a card (R-PAY-5); the
//! gateway holds the rest. Every charge carries an idempotency key: the same key never charges
//! twice, and [`PaymentGateway::lookup`] answers what happened to a charge whose answer was lost
//! (a timeout leaves the portal's payment "unknown" until a job looks it up).
//!
//! Simulated behaviour:
//! - a card is tokenised as `sim_card_<random>_<last four>`;
//! - cards: the token's last four digits pick the outcome, like the test numbers of real
//!   providers: 4242 4242 4242 4242 (and any other) succeeds, 4000 0000 0000 0002 is declined,
//!   4000 0000 0000 9995 has insufficient funds, 4000 0000 0000 0119 succeeds but the answer
//!   times out;
//! - PayPal and direct debit succeed;
//! - bank transfers are pending and settle 24 to 48 hours of clock time later (R-PAY-7).

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Duration, Utc};

use crate::domain::card::{CardNumber, Expiry};
use crate::domain::money::Money;
use crate::domain::payment::{DeclineReason, PaymentKind};
use crate::server::auth::hash_token;
use crate::server::store::records::{GatewayCharge, SimulatedOutcome};
use crate::server::store::{Store, StoreResult};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One charge to make.
#[derive(Debug, Clone)]
pub struct ChargeRequest {
    pub idempotency_key: String,
    pub kind: PaymentKind,
    pub token: String,
    pub amount: Money,
    pub at: DateTime<Utc>,
}

/// What the gateway answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    Succeeded {
        reference: String,
    },
    /// Accepted, not settled yet (bank transfers).
    Pending {
        reference: String,
    },
    Declined {
        reason: String,
    },
    /// No answer (timeout, connection lost): the charge may or may not have happened.
    Unknown,
}

/// A card to hand to the provider once: the number goes there and nowhere else.
#[derive(Debug, Clone)]
pub struct CardToTokenise {
    pub number: CardNumber,
    pub expiry: Expiry,
    pub holder: String,
}

/// Why the provider did not take a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokeniseError {
    /// The provider refused the card (reported stolen, not supported).
    Refused,
    /// The provider could not be reached; nothing was stored.
    Unavailable,
}

pub trait PaymentGateway: Send + Sync {
    /// Stores a card with the provider and answers the token that charges it; the portal keeps
    /// the token, never the number (R-PAY-5).
    fn tokenise_card(&self, card: CardToTokenise) -> BoxFuture<'_, Result<String, TokeniseError>>;

    /// Charges `req.amount` once per idempotency key. A repeated key answers about the first
    /// charge and charges nothing.
    fn charge(&self, req: ChargeRequest) -> BoxFuture<'_, ChargeOutcome>;

    /// What became of the charge with this key at `at`; `None` if the gateway never received it.
    /// `Unknown` means the gateway could not be asked.
    fn lookup(&self, idempotency_key: String, at: DateTime<Utc>) -> BoxFuture<'_, Option<ChargeOutcome>>;
}

/// The card test numbers' last four digits.
pub const CARD_DECLINED: &str = "0002";
pub const CARD_INSUFFICIENT_FUNDS: &str = "9995";
pub const CARD_TIMEOUT: &str = "0119";

/// A simulated provider. Its ledger lives in the portal's database (table `gateway_charges`) so
/// every process sees the same charges.
#[derive(Clone)]
pub struct SimulatedGateway {
    store: Store,
}

impl SimulatedGateway {
    pub fn new(store: Store) -> SimulatedGateway {
        SimulatedGateway { store }
    }

    async fn record(&self, req: &ChargeRequest) -> StoreResult<(ChargeOutcome, bool)> {
        let last4: String = req.token.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        let (outcome, timeout) = match req.kind {
            PaymentKind::Card if last4 == CARD_DECLINED => (SimulatedOutcome::Declined, false),
            PaymentKind::Card if last4 == CARD_INSUFFICIENT_FUNDS => (SimulatedOutcome::InsufficientFunds, false),
            PaymentKind::Card if last4 == CARD_TIMEOUT => (SimulatedOutcome::Succeeded, true),
            PaymentKind::BankTransfer => (SimulatedOutcome::Pending, false),
            // Neither is a charge a provider makes: an invoice is paid later, credit by the portal.
            PaymentKind::Invoice | PaymentKind::CreditMemo => (SimulatedOutcome::Declined, false),
            _ => (SimulatedOutcome::Succeeded, false),
        };
        let settles_at =
            if req.kind == PaymentKind::BankTransfer { req.at + transfer_delay(&req.idempotency_key) } else { req.at };
        let reference = format!("sim_{}", &hash_token(&req.idempotency_key)[..16]);
        let mut tx = self.store.begin_write().await?;
        let charge = GatewayCharge {
            idempotency_key: req.idempotency_key.clone(),
            token: req.token.clone(),
            amount: req.amount,
            outcome,
            reference,
            created_at: req.at,
            settles_at,
        };
        let inserted = tx.insert_gateway_charge(&charge).await?;
        // A repeat answers from the ledger: the first charge with this key.
        let recorded = tx.gateway_charge(&req.idempotency_key).await?.unwrap_or(charge);
        tx.commit().await?;
        // Only the first call can time out.
        Ok((outcome_of(&recorded, req.at), inserted && timeout))
    }
}

/// 24 to 48 hours, fixed per charge (R-PAY-7).
fn transfer_delay(key: &str) -> Duration {
    let h = u64::from_str_radix(&hash_token(key)[..8], 16).unwrap_or(0);
    Duration::hours(24) + Duration::minutes((h % (24 * 60 + 1)) as i64)
}

fn outcome_of(charge: &GatewayCharge, at: DateTime<Utc>) -> ChargeOutcome {
    let reference = charge.reference.clone();
    match charge.outcome {
        SimulatedOutcome::Succeeded => ChargeOutcome::Succeeded { reference },
        SimulatedOutcome::Pending if at >= charge.settles_at => ChargeOutcome::Succeeded { reference },
        SimulatedOutcome::Pending => ChargeOutcome::Pending { reference },
        SimulatedOutcome::InsufficientFunds => {
            ChargeOutcome::Declined { reason: DeclineReason::InsufficientFunds.text().into() }
        }
        SimulatedOutcome::Declined => ChargeOutcome::Declined { reason: DeclineReason::Declined.text().into() },
    }
}

impl PaymentGateway for SimulatedGateway {
    /// A token that names nothing but the card's last four digits, which pick the outcome of
    /// its charges (the test numbers above).
    fn tokenise_card(&self, card: CardToTokenise) -> BoxFuture<'_, Result<String, TokeniseError>> {
        Box::pin(async move {
            let (_, random) = crate::server::auth::new_token();
            Ok(format!("sim_card_{}_{}", &random[..16], card.number.last4()))
        })
    }

    fn charge(&self, req: ChargeRequest) -> BoxFuture<'_, ChargeOutcome> {
        Box::pin(async move {
            match self.record(&req).await {
                Ok((_, true)) => ChargeOutcome::Unknown,
                Ok((outcome, false)) => outcome,
                Err(e) => {
                    tracing::warn!(error = %e, "simulated gateway unavailable");
                    ChargeOutcome::Unknown
                }
            }
        })
    }

    fn lookup(&self, idempotency_key: String, at: DateTime<Utc>) -> BoxFuture<'_, Option<ChargeOutcome>> {
        Box::pin(async move {
            let row = async {
                let mut tx = self.store.begin_read().await?;
                tx.gateway_charge(&idempotency_key).await
            };
            match row.await {
                Ok(Some(charge)) => Some(outcome_of(&charge, at)),
                Ok(None) => None,
                Err(_) => Some(ChargeOutcome::Unknown),
            }
        })
    }
}
