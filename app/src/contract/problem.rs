//! What was wrong with a request, as a code with its values and never as a sentence: the page
//! words it in the reader's language (`ui::words::problem`), and tests assert the code.
//!
//! Domain refusals (a weak password, a selection of 101, an ineligible subscription) are carried
//! as they are, so one type decides and one function words it.

use serde::{Deserialize, Serialize};

use crate::domain::auto_renew::Ineligible;
use crate::domain::checkout::RenewBlock;
use crate::domain::eligibility::PaymentRefusal;
use crate::domain::ids::SubscriptionId;
use crate::domain::invoice::PoNumberProblem;
use crate::domain::next_term::{AddSeatsRefusal, NextTermRefusal};
use crate::domain::password::WeakPassword;
use crate::domain::payment::DeclineReason;
use crate::domain::pricing::ExtensionRefusal;
use crate::domain::quote::{AcceptRefusal, RecipientProblem, SelfServiceRefusal};
use crate::domain::selection::SelectionError;
use crate::domain::time::StepError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", content = "args", rename_all = "snake_case")]
pub enum Problem {
    /// A form arrived with a field missing or unreadable (a hand-made request, or a stale page).
    /// What exactly was wrong is logged, not echoed.
    MalformedForm,
    /// A value that must be one of a closed list (status, term, currency, sort order, language).
    NotListed,
    /// Rows per page must be one of `crate::domain::selection::PER_PAGE_CHOICES`.
    PerPage,
    /// Page numbers start at 1.
    PageFromOne,
    /// The search text is longer than `max` characters.
    SearchTooLong {
        max: usize,
    },
    /// The selection of subscriptions (R-BULK-1).
    Selection(SelectionError),
    /// Nothing changed because these subscriptions cannot have auto-renew turned `on`/off.
    AutoRenewRefused {
        on: bool,
        refused: Vec<Refused>,
    },
    /// A form's one-time key is missing or malformed: the page is older than the portal.
    FormExpired,
    /// A form's one-time key was already used for another change.
    FormReused,
    InvalidEmail,
    EnterPassword,
    /// Wrong e-mail address or password; the same answer for both.
    BadCredentials,
    /// Too many failed sign-ins; wait `seconds` before the next attempt.
    TooManyFailures {
        seconds: i64,
    },
    /// A new password misses a part of R-AUTH-1.
    WeakPassword(WeakPassword),
    PasswordsDiffer,
    /// The reset link expired or was used.
    ResetLinkInvalid,
    /// A move of the demo clock.
    ClockStep(StepError),
    /// Too many requests of an expensive kind at once (password checks); try again shortly.
    Busy,
    /// Nothing was added or ordered because these subscriptions cannot be renewed now.
    RenewRefused {
        refused: Vec<RenewRefused>,
    },
    /// The selection spans several renewal groups; one order is one customer number, currency
    /// and payment method (R-BULK-3).
    MixedGroups,
    /// The cart holds at most `max` renewals; it has `in_cart`.
    CartFull {
        max: usize,
        in_cart: usize,
    },
    /// Prices, promotions, dates or the cart changed since the review (R-PRICE-5): review again.
    ReviewStale,
    /// The chosen payment method cannot pay this order (R-PAY-2, R-PAY-3).
    PaymentRefused(PaymentRefusal),
    /// The payment provider refused the charge; nothing was ordered.
    PaymentDeclined(DeclineReason),
    /// A text field is longer than `max` characters.
    TooLong {
        max: usize,
    },
    /// A PO number R-INV-5 does not allow.
    PoNumber(PoNumberProblem),
    /// The seats or term of the next renewal cannot be changed so (R-SUB-3, R-PRICE-3).
    NextTermRefused(NextTermRefusal),
    /// Seats cannot be added now (R-SUB-3, R-PRICE-3).
    AddSeatsRefused(AddSeatsRefusal),
    /// The subscription cannot be extended to end with the chosen one (R-PRICE-2, R-PRICE-4).
    ExtensionRefused(ExtensionRefusal),
    /// The quote cannot be accepted and bought (R-QUOTE-7).
    QuoteRefused(AcceptRefusal),
    /// These lines cannot be one self-service quote (R-QUOTE-3, R-QUOTE-4, R-QUOTE-9).
    QuoteNotSelfService(SelfServiceRefusal),
    /// The quote's recipients (R-QUOTE-1).
    Recipients(RecipientProblem),
    /// The answer to the human check is wrong; try again.
    HumanCheckWrong,
    /// The human check is no longer valid (expired, used, or answered wrongly too often): a
    /// new one is asked.
    HumanCheckVoid,
    /// The quote changes these subscriptions' seats or term while their auto-renew is on: it is
    /// sent only with the buyer's consent to turn auto-renew off until it is completed (R-REN-4).
    AutoRenewConsentNeeded,
    /// A buyer makes at most `max` self-service quotes a day.
    QuoteDailyLimit {
        max: i64,
    },
    /// The approval threshold cannot be set so.
    Threshold(crate::domain::approval::ThresholdProblem),
    /// The approval request cannot be decided so.
    ApprovalRefused(crate::domain::approval::DecisionRefusal),
    /// The order held for approval can no longer be placed as it was asked (its prices, the
    /// subscriptions, the cart or the quote changed, or the buyer who asked is no longer a
    /// buyer): the request was closed; they can check out again.
    ApprovalOutdated,
    /// These invoices cannot be paid together so (R-INV-2, R-PAY-2).
    InvoicePayment(crate::domain::invoice::InvoicePaymentRefusal),
    /// The payer addresses cannot be so (R-INV-4: e-mail addresses, at most 10).
    Payers(crate::domain::invoice::PayerProblem),
    /// A voided invoice is not changed: its replacement is.
    InvoiceVoided,
    /// Invoice notes cannot be so (R-INV-5).
    Notes(crate::domain::invoice::NotesProblem),
    /// A PO document cannot be attached (R-INV-5: PDF, PNG or JPEG by content, 10 MB, 5).
    Document(crate::domain::invoice::DocumentProblem),
    /// Only an open invoice with nothing paid on it is reissued (R-EXT-4); this one is not.
    NotReissuable {
        status: crate::domain::invoice::InvoiceStatus,
        partly_paid: bool,
    },
    /// A card as typed cannot be put on file (R-PAY-5).
    Card(crate::domain::card::CardProblem),
    /// This card is already on file for the customer number.
    CardOnFile {
        label: String,
    },
    /// The payment provider refused to store the card.
    CardRefused,
    /// The payment provider could not be reached; nothing was saved.
    ProviderUnavailable,
    /// The method still backs these subscriptions' automatic renewals: turn their auto-renew
    /// off or give them another method first (R-PAY-6).
    MethodInUse {
        subscriptions: Vec<InUse>,
    },
    /// Nothing switched: these subscriptions cannot pay with the chosen method.
    MethodChangeRefused {
        refused: Vec<MethodRefused>,
    },
    /// The selection spans several customer numbers; payment methods are on file per customer
    /// number, so one change is for one.
    MixedCustomers,
    /// The invitation link expired, was used, or never existed.
    InvitationInvalid,
    /// The name given cannot be so.
    Name(crate::domain::person::NameProblem),
    /// The purchase or renewal cannot be refunded now (R-PAY-9).
    Refund(crate::domain::pricing::RefundRefusal),
    /// Customer details cannot be so (R-CUST-1, R-CUST-3).
    CustomerDetails(crate::domain::customer::DetailsProblem),
    /// Saving customer details needs the confirmation that ownership of the account was not
    /// transferred to another entity (R-CUST-1).
    OwnershipNotConfirmed,
    /// A tax-exemption certificate is on file: support changes these details (R-CUST-2).
    TaxExemptContactSupport,
    /// The current password, typed to change it, is wrong.
    WrongPassword,
    /// The address belongs to a member of the organisation already.
    AlreadyMember,
    /// The organisation has `max` invitations waiting: no more until some are accepted or expire.
    TooManyInvitations {
        max: usize,
    },
    /// Every one of the subscription's `seats` is assigned.
    SeatsFull {
        seats: i64,
    },
    /// A suspended or canceled subscription gives no product access; its seats are not
    /// assigned (R-LIFE-6).
    NoProductAccess {
        status: crate::domain::status::Status,
    },
    /// The organisation always has a primary admin: hand the role on instead (R-ROLE-3, R-ROLE-4).
    PrimaryAdminNeeded,
    /// Who is the buyer is not changed self-service: contact support (R-ROLE-7).
    BuyerChangeContactSupport,
    /// Users do not remove themselves from the organisation.
    CannotRemoveYourself,
    /// Payers are given and taken away on the invoices they pay (R-INV-4), not here.
    PayersOnInvoices,
    /// The address has an account in another organisation: it is not moved into this one.
    AccountElsewhere,
}

/// A subscription that keeps a payment method from being removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InUse {
    pub id: SubscriptionId,
    pub product_name: String,
}

/// A subscription that cannot switch to a payment method, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodRefused {
    pub id: SubscriptionId,
    pub product_name: String,
    pub reason: crate::domain::payment::MethodChangeRefusal,
}

/// A subscription that cannot be renewed now, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewRefused {
    pub id: SubscriptionId,
    pub product_name: String,
    pub reason: RenewBlock,
}

/// A subscription left out of a change, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    pub id: SubscriptionId,
    pub product_name: String,
    pub reason: Ineligible,
}

impl From<SelectionError> for Problem {
    fn from(e: SelectionError) -> Self {
        Problem::Selection(e)
    }
}

impl From<WeakPassword> for Problem {
    fn from(e: WeakPassword) -> Self {
        Problem::WeakPassword(e)
    }
}

impl From<StepError> for Problem {
    fn from(e: StepError) -> Self {
        Problem::ClockStep(e)
    }
}

impl From<crate::domain::email::InvalidEmail> for Problem {
    fn from(_: crate::domain::email::InvalidEmail) -> Self {
        Problem::InvalidEmail
    }
}

impl From<crate::domain::ids::InvalidIdempotencyKey> for Problem {
    fn from(_: crate::domain::ids::InvalidIdempotencyKey) -> Self {
        Problem::FormExpired
    }
}
