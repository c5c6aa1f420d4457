//! Approval on the customer side (issue 12, beyond the product we mirror): an organisation may
//! set one approval threshold; an order or quote acceptance whose total, tax included, is above
//! it is not placed but waits until another buyer of the organisation approves it. The rules
//! here are pure: which orders need approval, who may decide a request, and what a threshold
//! may be. docs/decisions.md ("Approvals") says why they are so.

use serde::{Deserialize, Serialize};

use super::ids::UserId;
use super::money::{Money, MoneyError, UsdRates};

/// The largest threshold that can be set, in the threshold's currency's major units: above it
/// the setting would never apply (a typing slip, such as a missing decimal point).
pub const MAX_THRESHOLD_MAJOR: i64 = 100_000_000;

/// The longest note a buyer gives when rejecting a request.
pub const MAX_NOTE: usize = 500;

/// Where an approval request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ApprovalStatus {
    /// Waiting for another buyer.
    Pending,
    /// Approved: the order was placed with the request's checkout key (a declined charge still
    /// leaves no order, as at any checkout).
    Approved,
    Rejected,
    /// Taken back by the buyer who asked.
    Withdrawn,
    /// The order could no longer be placed as it was asked (prices, the subscriptions, the cart
    /// or the quote changed): closed when someone tried to approve it.
    Outdated,
}

impl ApprovalStatus {
    pub const ALL: [ApprovalStatus; 5] = [
        ApprovalStatus::Pending,
        ApprovalStatus::Approved,
        ApprovalStatus::Rejected,
        ApprovalStatus::Withdrawn,
        ApprovalStatus::Outdated,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ApprovalStatus::Pending => "pending",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Rejected => "rejected",
            ApprovalStatus::Withdrawn => "withdrawn",
            ApprovalStatus::Outdated => "outdated",
        }
    }

    pub fn parse(code: &str) -> Option<ApprovalStatus> {
        ApprovalStatus::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// What a request holds: which checkout it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ApprovalKind {
    /// A renewal order of the cart (one group, R-BULK-3).
    Renewal,
    AddSeats,
    /// A co-term extension (R-PRICE-2).
    Extension,
    /// A quote's acceptance (R-QUOTE-7).
    Quote,
}

impl ApprovalKind {
    pub const ALL: [ApprovalKind; 4] =
        [ApprovalKind::Renewal, ApprovalKind::AddSeats, ApprovalKind::Extension, ApprovalKind::Quote];

    pub fn code(self) -> &'static str {
        match self {
            ApprovalKind::Renewal => "renewal",
            ApprovalKind::AddSeats => "add_seats",
            ApprovalKind::Extension => "extension",
            ApprovalKind::Quote => "quote",
        }
    }

    pub fn parse(code: &str) -> Option<ApprovalKind> {
        ApprovalKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Whether an order of `total` (tax included) needs another buyer's approval under `threshold`:
/// only when it is strictly above it. In the threshold's currency the amounts are compared
/// exactly; an order in another currency is compared by its value in USD at the portal's rates,
/// as the card limit is (R-PAY-2), so one threshold covers every currency. No threshold, no
/// approval.
pub fn needs_approval(threshold: Option<Money>, total: Money, rates: &UsdRates) -> bool {
    match threshold {
        None => false,
        Some(t) if t.currency() == total.currency() => total.minor() > t.minor(),
        Some(t) => rates.to_usd(total) > rates.to_usd(t),
    }
}

/// Why a threshold cannot be set so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThresholdProblem {
    /// Not an amount, or more decimals than the currency has.
    NotAnAmount,
    /// Zero or less: every order would wait; to stop approvals, remove the threshold.
    NotPositive,
    /// Above [`MAX_THRESHOLD_MAJOR`].
    TooLarge,
    /// The organisation has fewer than two buyers: nobody could approve.
    NoOtherBuyer,
}

/// Reads a threshold as typed in any of the portal's languages ("10000", "10,000.00",
/// "10 000,00", [`Money::parse_typed`]) in `currency`, for an organisation with `buyers` buyers.
pub fn parse_threshold(text: &str, currency: super::money::Currency, buyers: usize) -> Result<Money, ThresholdProblem> {
    let amount = Money::parse_typed(text, currency).map_err(|e| match e {
        MoneyError::Overflow => ThresholdProblem::TooLarge,
        _ => ThresholdProblem::NotAnAmount,
    })?;
    if amount.minor() <= 0 {
        return Err(ThresholdProblem::NotPositive);
    }
    if amount.to_decimal() > rust_decimal::Decimal::from(MAX_THRESHOLD_MAJOR) {
        return Err(ThresholdProblem::TooLarge);
    }
    if buyers < 2 {
        return Err(ThresholdProblem::NoOtherBuyer);
    }
    Ok(amount)
}

/// What a buyer does with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Approve,
    Reject,
    /// The buyer who asked takes it back.
    Withdraw,
}

/// Why a decision is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecisionRefusal {
    /// It was decided already (or withdrawn, or closed as outdated).
    NotPending(ApprovalStatus),
    /// The buyer who asked cannot approve or reject their own request: another buyer must.
    OwnRequest,
    /// Only the buyer who asked can withdraw it.
    NotYours,
}

/// May `decider` make `decision` on a request of `requester` that is `status`?
pub fn judge_decision(
    status: ApprovalStatus,
    requester: UserId,
    decider: UserId,
    decision: Decision,
) -> Result<(), DecisionRefusal> {
    if status != ApprovalStatus::Pending {
        return Err(DecisionRefusal::NotPending(status));
    }
    match decision {
        Decision::Approve | Decision::Reject if decider == requester => Err(DecisionRefusal::OwnRequest),
        Decision::Withdraw if decider != requester => Err(DecisionRefusal::NotYours),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Eur)
    }

    #[test]
    fn an_order_needs_approval_only_strictly_above_the_threshold() {
        let rates = UsdRates::default();
        let t = Some(eur(1_000_000));
        assert!(!needs_approval(t, eur(999_999), &rates));
        assert!(!needs_approval(t, eur(1_000_000), &rates), "at the threshold: placed at once");
        assert!(needs_approval(t, eur(1_000_001), &rates), "one cent above: waits for approval");
        assert!(!needs_approval(None, eur(i64::MAX), &rates), "no threshold, no approval");
    }

    #[test]
    fn an_order_in_another_currency_is_compared_in_usd() {
        // The default rates: 1 EUR = 1.08 USD, 1 SEK = 0.095 USD. 10,000 EUR = 10,800 USD.
        let rates = UsdRates::default();
        let t = Some(eur(1_000_000));
        let sek = |major: i64| Money::from_minor(major * 100, Currency::Sek);
        // 113,684 SEK = 10,799.98 USD; 113,685 SEK = 10,800.075 USD.
        assert!(!needs_approval(t, sek(113_684), &rates));
        assert!(needs_approval(t, sek(113_685), &rates));
    }

    #[test]
    fn a_threshold_is_a_positive_amount_of_its_currency() {
        assert_eq!(parse_threshold("10,000.50", Currency::Eur, 2), Ok(eur(1_000_050)));
        // As a Finnish, French or German buyer types it: the comma is decimal, never dropped.
        assert_eq!(parse_threshold("10 000,50", Currency::Eur, 2), Ok(eur(1_000_050)));
        assert_eq!(parse_threshold("10.000,50", Currency::Eur, 2), Ok(eur(1_000_050)));
        assert_eq!(parse_threshold("1000,5", Currency::Eur, 2), Ok(eur(100_050)));
        assert_eq!(parse_threshold("0", Currency::Eur, 2), Err(ThresholdProblem::NotPositive));
        assert_eq!(parse_threshold("-5", Currency::Eur, 2), Err(ThresholdProblem::NotPositive));
        assert_eq!(parse_threshold("ten", Currency::Eur, 2), Err(ThresholdProblem::NotAnAmount));
        assert_eq!(parse_threshold("10.5", Currency::Jpy, 2), Err(ThresholdProblem::NotAnAmount), "JPY has no cents");
        assert_eq!(parse_threshold("100000001", Currency::Eur, 2), Err(ThresholdProblem::TooLarge));
        assert_eq!(parse_threshold("99999999999999999999", Currency::Eur, 2), Err(ThresholdProblem::TooLarge));
        assert_eq!(parse_threshold("100000000", Currency::Eur, 2), Ok(eur(10_000_000_000)));
    }

    #[test]
    fn a_threshold_needs_a_second_buyer_to_approve() {
        assert_eq!(parse_threshold("5000", Currency::Usd, 1), Err(ThresholdProblem::NoOtherBuyer));
        assert!(parse_threshold("5000", Currency::Usd, 2).is_ok());
    }

    #[test]
    fn another_buyer_approves_or_rejects_and_only_the_requester_withdraws() {
        let (asker, other) = (UserId(1), UserId(2));
        use ApprovalStatus::Pending;
        assert_eq!(judge_decision(Pending, asker, other, Decision::Approve), Ok(()));
        assert_eq!(judge_decision(Pending, asker, other, Decision::Reject), Ok(()));
        assert_eq!(judge_decision(Pending, asker, asker, Decision::Approve), Err(DecisionRefusal::OwnRequest));
        assert_eq!(judge_decision(Pending, asker, asker, Decision::Reject), Err(DecisionRefusal::OwnRequest));
        assert_eq!(judge_decision(Pending, asker, asker, Decision::Withdraw), Ok(()));
        assert_eq!(judge_decision(Pending, asker, other, Decision::Withdraw), Err(DecisionRefusal::NotYours));
    }

    #[test]
    fn a_decided_request_cannot_be_decided_again() {
        for status in ApprovalStatus::ALL.into_iter().filter(|s| *s != ApprovalStatus::Pending) {
            for d in [Decision::Approve, Decision::Reject, Decision::Withdraw] {
                assert_eq!(judge_decision(status, UserId(1), UserId(2), d), Err(DecisionRefusal::NotPending(status)));
                assert_eq!(judge_decision(status, UserId(1), UserId(1), d), Err(DecisionRefusal::NotPending(status)));
            }
        }
    }

    #[test]
    fn codes_read_back() {
        for s in ApprovalStatus::ALL {
            assert_eq!(ApprovalStatus::parse(s.code()), Some(s));
        }
        for k in ApprovalKind::ALL {
            assert_eq!(ApprovalKind::parse(k.code()), Some(k));
        }
    }
}
