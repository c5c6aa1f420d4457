//! How the codes and values of the portal read in each language (`locales/*.json`): used by
//! the pages and by the mail templates, so both say the same. Dates and amounts are formatted by
//! `domain::locale`. Uses only `contract`, `domain` and the catalogues.

use crate::domain::approval::{ApprovalKind, ApprovalStatus, DecisionRefusal, ThresholdProblem};
use crate::domain::audit::AuditKind;
use crate::domain::customer::{CustomerField, DetailsProblem};
use chrono::NaiveDate;

use crate::contract::dto::{
    ClockMove, InvoicePaymentState, LocalInstant, PaymentDue, PaymentMethodView, PaymentState, RenewalPrice, ShownDate,
};
use crate::contract::error::AppError;
use crate::contract::problem::{InUse, MethodRefused, Problem, Refused, RenewRefused};
use crate::domain::authz::Role;
use crate::domain::auto_renew::Ineligible;
use crate::domain::card::CardProblem;
use crate::domain::checkout::RenewBlock;
use crate::domain::eligibility::PaymentRefusal;
use crate::domain::invoice::{
    DocumentProblem, InvoiceFilter, InvoicePaymentRefusal, InvoiceStatus, NotesProblem, PayerProblem, PoNumberProblem,
};
use crate::domain::locale::{Locale as Lang, Plural};
use crate::domain::money::Money;
use crate::domain::next_term::{AddSeatsRefusal, NextTermRefusal};
use crate::domain::password::WeakPassword;
use crate::domain::payment::{DeclineReason, MethodChangeRefusal, PaymentKind};
use crate::domain::person::NameProblem;
use crate::domain::pricing::{ExtensionRefusal, RefundRefusal};
use crate::domain::quote::{AcceptRefusal, QuoteKind, QuoteOrigin, QuoteStatus, RecipientProblem, SelfServiceRefusal};
use crate::domain::renewal::{RenewalRefusal, RenewalWindow};
use crate::domain::selection::{MAX_BULK, SelectionError};
use crate::domain::status::{Level, Status};
use crate::domain::term::Term;
use crate::domain::time::StepError;
use crate::i18n::{Locale, td_string};

/// The domain's language (which formats dates and amounts) for the catalogues'.
pub fn lang(locale: Locale) -> Lang {
    locale.into()
}

/// A date as lists show it ("9 Jun 2025", "9.6.2025", "09/06/2025").
pub fn date(l: Locale, date: NaiveDate) -> String {
    lang(l).date_short(date)
}

pub fn status(l: Locale, s: Status) -> String {
    match s {
        Status::Active => td_string!(l, status.active),
        Status::Expired => td_string!(l, status.expired),
        Status::Suspended => td_string!(l, status.suspended),
        Status::Canceled => td_string!(l, status.canceled),
    }
    .to_string()
}

pub fn quote_status(l: Locale, s: QuoteStatus) -> String {
    match s {
        QuoteStatus::Active => td_string!(l, quotes.active),
        QuoteStatus::Accepted => td_string!(l, quotes.accepted),
        QuoteStatus::Expired => td_string!(l, quotes.expired),
        QuoteStatus::Replaced => td_string!(l, quotes.replaced),
    }
    .to_string()
}

/// Where an order held for approval stands.
pub fn approval_status(l: Locale, s: ApprovalStatus) -> String {
    match s {
        ApprovalStatus::Pending => td_string!(l, approvals.pending),
        ApprovalStatus::Approved => td_string!(l, approvals.approved),
        ApprovalStatus::Rejected => td_string!(l, approvals.rejected),
        ApprovalStatus::Withdrawn => td_string!(l, approvals.withdrawn),
        ApprovalStatus::Outdated => td_string!(l, approvals.outdated),
    }
    .to_string()
}

/// What an order held for approval buys: a renewal, seats, an extension, or a quote.
pub fn approval_kind(l: Locale, k: ApprovalKind, quote: Option<&str>) -> String {
    match (k, quote) {
        (ApprovalKind::Renewal, _) => td_string!(l, approvals.kind_renewal).to_string(),
        (ApprovalKind::AddSeats, _) => td_string!(l, approvals.kind_add_seats).to_string(),
        (ApprovalKind::Extension, _) => td_string!(l, approvals.kind_extension).to_string(),
        (ApprovalKind::Quote, Some(number)) => td_string!(l, approvals.kind_quote, number = number),
        (ApprovalKind::Quote, None) => td_string!(l, approvals.kind_quote_unnamed).to_string(),
    }
}

/// Why a quote cannot be accepted, and what to do instead.
pub fn quote_refusal(l: Locale, r: AcceptRefusal) -> String {
    match r {
        AcceptRefusal::Expired => td_string!(l, quotes.refused_expired),
        AcceptRefusal::AlreadyAccepted => td_string!(l, quotes.refused_accepted),
        AcceptRefusal::Replaced => td_string!(l, quotes.refused_replaced),
        AcceptRefusal::Outdated => td_string!(l, quotes.refused_outdated),
    }
    .to_string()
}

/// Why lines cannot be one self-service quote (R-QUOTE-3, R-QUOTE-4, R-QUOTE-9, R-SUB-6),
/// with what to do instead.
pub fn self_service_refusal(l: Locale, r: &SelfServiceRefusal) -> String {
    match r {
        SelfServiceRefusal::RenewalWithOthers => td_string!(l, new_quote.renewal_with_others).to_string(),
        SelfServiceRefusal::MixedCustomers => td_string!(l, new_quote.mixed_customers).to_string(),
        SelfServiceRefusal::MixedCurrencies => td_string!(l, new_quote.mixed_currencies).to_string(),
        SelfServiceRefusal::MixedPartners => td_string!(l, new_quote.mixed_partners).to_string(),
        SelfServiceRefusal::MixedLicenceTypes => td_string!(l, new_quote.mixed_licence_types).to_string(),
        SelfServiceRefusal::CurrencyChange => td_string!(l, new_quote.currency_change).to_string(),
        SelfServiceRefusal::FutureStart => td_string!(l, new_quote.future_start).to_string(),
        SelfServiceRefusal::MoreSeats { seats } => td_string!(l, new_quote.more_seats, seats = seats),
        SelfServiceRefusal::NoSeats => td_string!(l, new_quote.no_seats).to_string(),
        SelfServiceRefusal::CotermAsItIs { seats } => td_string!(l, new_quote.coterm_as_it_is, seats = seats),
        SelfServiceRefusal::TooEarly(d) => td_string!(l, new_quote.too_early, date = date(l, *d)),
        SelfServiceRefusal::TooLate(d) => td_string!(l, new_quote.too_late, date = date(l, *d)),
    }
}

/// Where a quote comes from: the partner by name when it has one.
pub fn quote_kind(l: Locale, kind: QuoteKind) -> String {
    match kind {
        QuoteKind::New => td_string!(l, quotes.kind_new).to_string(),
        QuoteKind::Coterm => td_string!(l, quotes.kind_coterm).to_string(),
        QuoteKind::Renewal => td_string!(l, quotes.kind_renewal).to_string(),
    }
}

pub fn quote_origin(l: Locale, origin: QuoteOrigin, partner: Option<&str>) -> String {
    match (origin, partner) {
        (QuoteOrigin::Partner, Some(name)) => td_string!(l, quotes.from_partner, name = name).to_string(),
        (QuoteOrigin::Partner, None) => td_string!(l, quotes.from_partner_unnamed).to_string(),
        (QuoteOrigin::SelfService, _) => td_string!(l, quotes.from_self_service).to_string(),
        (QuoteOrigin::Automatic, _) => td_string!(l, quotes.from_automatic).to_string(),
    }
}

pub fn term(l: Locale, t: Term) -> String {
    match t {
        Term::Monthly => td_string!(l, term.monthly),
        Term::Annual => td_string!(l, term.annual),
        Term::ThreeYear => td_string!(l, term.three_year),
    }
    .to_string()
}

pub fn role(l: Locale, r: Role) -> String {
    match r {
        Role::Buyer => td_string!(l, role.buyer),
        Role::PrimaryAdmin => td_string!(l, role.primary_admin),
        Role::SecondaryAdmin => td_string!(l, role.secondary_admin),
        Role::Payer => td_string!(l, role.payer),
        Role::User => td_string!(l, role.user),
    }
    .to_string()
}

/// What a role means here (R-ROLE-2, R-ROLE-5, R-ROLE-7).
pub fn role_meaning(l: Locale, r: Role) -> String {
    match r {
        Role::Buyer => td_string!(l, account.role_buyer),
        Role::PrimaryAdmin => td_string!(l, account.role_primary_admin),
        Role::SecondaryAdmin => td_string!(l, account.role_secondary_admin),
        Role::Payer => td_string!(l, account.role_payer),
        Role::User => td_string!(l, account.role_user),
    }
    .to_string()
}

pub fn level(l: Locale, level: Level) -> String {
    match level {
        Level::All => td_string!(l, level.all),
        Level::NoUpgrades => td_string!(l, level.no_upgrades),
        Level::AssignmentsKept => td_string!(l, level.assignments_kept),
        Level::AssignmentsRemoved => td_string!(l, level.assignments_removed),
        Level::SelfHelp => td_string!(l, level.self_help),
        Level::None => td_string!(l, level.none),
    }
    .to_string()
}

/// The rows of the R-LIFE-6 table for a state: what, and how much.
pub fn allowances(l: Locale, s: Status) -> [(String, String); 5] {
    let a = s.allows();
    [
        (td_string!(l, allowance.product_access).to_string(), level(l, a.product_access)),
        (td_string!(l, allowance.user_management).to_string(), level(l, a.user_management)),
        (td_string!(l, allowance.downloads).to_string(), level(l, a.downloads)),
        (td_string!(l, allowance.reporting).to_string(), level(l, a.reporting)),
        (td_string!(l, allowance.support).to_string(), level(l, a.support)),
    ]
}

pub fn on_off(l: Locale, on: bool) -> String {
    if on { td_string!(l, on) } else { td_string!(l, off) }.to_string()
}

/// "Renews on" / "Expires on" (R-SUB-2).
pub fn shown_label(l: Locale, auto_renew: bool) -> String {
    if auto_renew { td_string!(l, shown.renews_on_label) } else { td_string!(l, shown.expires_on_label) }.to_string()
}

/// "Renews on 10 Jun 2025" / "Expires on 9 Jun 2025" (R-SUB-2), as lists write dates.
pub fn shown_date(l: Locale, shown: ShownDate) -> String {
    shown_with(l, shown.auto_renew, date(l, shown.date))
}

/// "Renews on 10 June 2025" / "Expires on 9 June 2025" (R-SUB-2), as sentences and mails write dates.
pub fn shown_date_long(l: Locale, shown: ShownDate) -> String {
    shown_with(l, shown.auto_renew, lang(l).date_long(shown.date))
}

/// What a subscription turned on after its term ended shows (R-SUB-4): "Renews now (late
/// renewal): new term from 10 June 2025". The review page and the confirmation mail say the same.
pub fn renews_now(l: Locale, renewal: NaiveDate, long: bool) -> String {
    let d = if long { lang(l).date_long(renewal) } else { date(l, renewal) };
    td_string!(l, shown.renews_now, date = d)
}

fn shown_with(l: Locale, auto_renew: bool, d: String) -> String {
    if auto_renew { td_string!(l, shown.renews_on, date = d) } else { td_string!(l, shown.expires_on, date = d) }
}

/// A file's size in whole kilobytes, rounded up: "2,048 KB".
pub fn file_size(l: Locale, bytes: i64) -> String {
    td_string!(l, invoice_details.kilobytes, size = lang(l).integer((bytes.max(0) + 1023) / 1024))
}

/// An amount with its currency, as the reader writes it: "€1,234.56", "1 234,56 €".
pub fn amount(l: Locale, money: Money) -> String {
    lang(l).money(money)
}

/// What a renewal price is made of: "3 seats, 1 year: €5,602.80 plus tax €1,344.67".
pub fn renewal_price(l: Locale, p: &RenewalPrice) -> String {
    let seats = lang(l).integer(i64::from(p.seats));
    let (subtotal, tax, term) = (amount(l, p.subtotal), amount(l, p.tax), term(l, p.term));
    if is_one(l, p.seats as usize) {
        td_string!(l, detail.renewal_price_parts_single, term = term, subtotal = subtotal, tax = tax)
    } else {
        td_string!(l, detail.renewal_price_parts_multi, seats = seats, term = term, subtotal = subtotal, tax = tax)
    }
}

/// A payment method: "Card: Visa •••• 4242", "Pay by invoice (Net 30)".
pub fn payment_method(l: Locale, pm: &PaymentMethodView) -> String {
    let kind = payment_kind(l, pm.kind);
    if pm.detail.is_empty() {
        kind.to_string()
    } else {
        td_string!(l, payment.with_detail, kind = kind, detail = &pm.detail)
    }
}

/// A payment method's kind: "Card", "Pay by invoice (Net 30)".
pub fn payment_kind(l: Locale, kind: PaymentKind) -> String {
    match kind {
        PaymentKind::Card => td_string!(l, payment.card),
        PaymentKind::PayPal => td_string!(l, payment.paypal),
        PaymentKind::DirectDebit => td_string!(l, payment.direct_debit),
        PaymentKind::Invoice => td_string!(l, payment.invoice),
        PaymentKind::BankTransfer => td_string!(l, payment.bank_transfer),
        PaymentKind::CreditMemo => td_string!(l, payment.credit_memo),
    }
    .to_string()
}

/// Why auto-renew cannot change.
pub fn ineligible(l: Locale, why: &Ineligible) -> String {
    match why {
        Ineligible::Canceled => td_string!(l, ineligible.canceled).to_string(),
        Ineligible::WindowClosed { last_day } => td_string!(l, ineligible.window_closed, date = date(l, *last_day)),
        Ineligible::ManualPaymentMethod => td_string!(l, ineligible.manual_payment_method).to_string(),
        Ineligible::NoPaymentMethod => td_string!(l, ineligible.no_payment_method).to_string(),
    }
}

/// An instant as read in the subscription's purchase time zone: "10 June 2025 00:00:00 EEST",
/// "10. Juni 2025 00:00:00 EEST".
pub fn instant(l: Locale, at: &LocalInstant) -> String {
    format!("{} {} {}", lang(l).date_long(at.date), at.time, at.zone)
}

/// What was wrong with a request, as the reader should read it.
pub fn problem(l: Locale, p: &Problem) -> String {
    match p {
        Problem::MalformedForm => td_string!(l, problem.malformed_form).to_string(),
        Problem::NotListed => td_string!(l, problem.not_listed).to_string(),
        Problem::PerPage => td_string!(l, problem.per_page).to_string(),
        Problem::PageFromOne => td_string!(l, problem.page_from_one).to_string(),
        Problem::SearchTooLong { max } => td_string!(l, problem.search_too_long, max = max),
        Problem::Selection(e) => selection(l, e),
        Problem::AutoRenewRefused { on, refused } => {
            let n = refused.len();
            match (on, is_one(l, n)) {
                (true, true) => td_string!(l, problem.auto_renew_refused_on_single).to_string(),
                (true, false) => td_string!(l, problem.auto_renew_refused_on_multi, count = n),
                (false, true) => td_string!(l, problem.auto_renew_refused_off_single).to_string(),
                (false, false) => td_string!(l, problem.auto_renew_refused_off_multi, count = n),
            }
        }
        Problem::FormExpired => td_string!(l, problem.form_expired).to_string(),
        Problem::FormReused => td_string!(l, problem.form_reused).to_string(),
        Problem::InvalidEmail => td_string!(l, problem.invalid_email).to_string(),
        Problem::EnterPassword => td_string!(l, problem.enter_password).to_string(),
        Problem::BadCredentials => td_string!(l, problem.bad_credentials).to_string(),
        // Never "1 second" or "1 minutes": short waits in seconds (at least 2), longer ones in
        // whole minutes rounded up (at least 2).
        Problem::TooManyFailures { seconds } if *seconds <= 60 => {
            td_string!(l, problem.too_many_failures_seconds, seconds = (*seconds).max(2))
        }
        Problem::TooManyFailures { seconds } => {
            td_string!(l, problem.too_many_failures, minutes = (seconds + 59) / 60)
        }
        Problem::WeakPassword(w) => match w {
            WeakPassword::TooShort => td_string!(l, problem.password_too_short),
            WeakPassword::NoLetter => td_string!(l, problem.password_no_letter),
            WeakPassword::NoDigit => td_string!(l, problem.password_no_digit),
            WeakPassword::TooFewDistinct => td_string!(l, problem.password_too_few_distinct),
            WeakPassword::TooLong => td_string!(l, problem.password_too_long),
        }
        .to_string(),
        Problem::PasswordsDiffer => td_string!(l, problem.passwords_differ).to_string(),
        Problem::ResetLinkInvalid => td_string!(l, problem.reset_link_invalid).to_string(),
        Problem::Busy => td_string!(l, problem.busy).to_string(),
        Problem::RenewRefused { refused } => {
            let n = refused.len();
            if is_one(l, n) {
                td_string!(l, problem.renew_refused_single).to_string()
            } else {
                td_string!(l, problem.renew_refused_multi, count = n)
            }
        }
        Problem::MixedGroups => td_string!(l, problem.mixed_groups).to_string(),
        Problem::CartFull { max, in_cart } => td_string!(l, problem.cart_full, max = max, in_cart = in_cart),
        Problem::ReviewStale => td_string!(l, problem.review_stale).to_string(),
        Problem::PaymentRefused(r) => payment_refusal(l, r),
        Problem::PaymentDeclined(DeclineReason::Declined) => td_string!(l, problem.declined).to_string(),
        Problem::PaymentDeclined(DeclineReason::InsufficientFunds) => {
            td_string!(l, problem.insufficient_funds).to_string()
        }
        Problem::TooLong { max } => td_string!(l, problem.too_long, max = max),
        Problem::PoNumber(PoNumberProblem::TooLong { max }) => td_string!(l, problem.too_long, max = max),
        Problem::PoNumber(PoNumberProblem::ControlCharacter) => td_string!(l, problem.po_control).to_string(),
        Problem::NextTermRefused(r) => next_term_refusal(l, r),
        Problem::AddSeatsRefused(r) => add_seats_refusal(l, r),
        Problem::ExtensionRefused(r) => extension_refusal(l, r),
        Problem::QuoteNotSelfService(r) => self_service_refusal(l, r),
        Problem::Recipients(RecipientProblem::Invalid(address)) => {
            td_string!(l, new_quote.recipient_invalid, address = address)
        }
        Problem::Recipients(RecipientProblem::TooMany { max, given }) => {
            td_string!(l, new_quote.recipients_too_many, max = max, given = given)
        }
        Problem::HumanCheckWrong => td_string!(l, new_quote.check_wrong).to_string(),
        Problem::HumanCheckVoid => td_string!(l, new_quote.check_void).to_string(),
        Problem::AutoRenewConsentNeeded => td_string!(l, new_quote.consent_needed).to_string(),
        Problem::QuoteDailyLimit { max } => td_string!(l, new_quote.daily_limit, max = max),
        Problem::QuoteRefused(r) => quote_refusal(l, *r),
        Problem::Threshold(t) => match t {
            ThresholdProblem::NotAnAmount => td_string!(l, approvals.threshold_not_amount),
            ThresholdProblem::NotPositive => td_string!(l, approvals.threshold_not_positive),
            ThresholdProblem::TooLarge => td_string!(l, approvals.threshold_too_large),
            ThresholdProblem::NoOtherBuyer => td_string!(l, approvals.threshold_one_buyer),
        }
        .to_string(),
        Problem::ApprovalRefused(r) => match r {
            DecisionRefusal::NotPending(status) => {
                td_string!(l, approvals.refused_not_pending, status = approval_status(l, *status))
            }
            DecisionRefusal::OwnRequest => td_string!(l, approvals.refused_own).to_string(),
            DecisionRefusal::NotYours => td_string!(l, approvals.refused_not_yours).to_string(),
        },
        Problem::ApprovalOutdated => td_string!(l, approvals.refused_outdated).to_string(),
        Problem::InvoicePayment(r) => invoice_payment_refusal(l, r),
        Problem::Payers(PayerProblem::NotAnEmail(address)) => {
            td_string!(l, invoices.payer_not_email, address = address)
        }
        Problem::Payers(PayerProblem::TooMany { max, asked }) => {
            td_string!(l, invoices.payers_too_many, max = max, asked = asked)
        }
        Problem::InvoiceVoided => td_string!(l, invoices.voided_unchanged).to_string(),
        Problem::Refund(r) => refund_refusal(l, r),
        Problem::CustomerDetails(d) => customer_details_problem(l, d),
        Problem::OwnershipNotConfirmed => td_string!(l, problem.ownership_not_confirmed).to_string(),
        Problem::TaxExemptContactSupport => td_string!(l, problem.tax_exempt_contact_support).to_string(),
        Problem::WrongPassword => td_string!(l, problem.wrong_password).to_string(),
        Problem::AlreadyMember => td_string!(l, problem.already_member).to_string(),
        Problem::TooManyInvitations { max } => td_string!(l, problem.too_many_invitations, max = max),
        Problem::SeatsFull { seats } => td_string!(l, problem.seats_full, seats = seats),
        Problem::NoProductAccess { status: st } => td_string!(l, problem.no_product_access, status = status(l, *st)),
        Problem::PrimaryAdminNeeded => td_string!(l, problem.primary_admin_needed).to_string(),
        Problem::BuyerChangeContactSupport => td_string!(l, account.buyer_change).to_string(),
        Problem::CannotRemoveYourself => td_string!(l, problem.cannot_remove_yourself).to_string(),
        Problem::PayersOnInvoices => td_string!(l, problem.payers_on_invoices).to_string(),
        Problem::AccountElsewhere => td_string!(l, problem.account_elsewhere).to_string(),
        Problem::Notes(NotesProblem::TooLong { max }) => td_string!(l, problem.too_long, max = max),
        Problem::Notes(NotesProblem::ControlCharacter) => td_string!(l, problem.notes_control).to_string(),
        Problem::Document(d) => match d {
            DocumentProblem::Empty => td_string!(l, problem.document_empty).to_string(),
            DocumentProblem::TooLarge { max_bytes } => {
                td_string!(l, problem.document_too_large, mb = max_bytes / (1024 * 1024))
            }
            DocumentProblem::NotAllowed => td_string!(l, problem.document_not_allowed).to_string(),
            DocumentProblem::TooMany { max } => td_string!(l, problem.document_too_many, max = max),
        },
        Problem::NotReissuable { partly_paid: true, .. } => {
            td_string!(l, problem.not_reissuable_partly_paid).to_string()
        }
        Problem::NotReissuable { status, partly_paid: false } => {
            td_string!(l, problem.not_reissuable, status = invoice_status(l, *status).to_lowercase())
        }
        Problem::Card(p) => card_problem(l, p),
        Problem::CardOnFile { label } => td_string!(l, problem.card_on_file, label = label),
        Problem::CardRefused => td_string!(l, problem.card_refused).to_string(),
        Problem::ProviderUnavailable => td_string!(l, problem.provider_unavailable).to_string(),
        Problem::MethodInUse { subscriptions } => td_string!(l, problem.method_in_use, count = subscriptions.len()),
        Problem::MethodChangeRefused { refused } => {
            let n = refused.len();
            if is_one(l, n) {
                td_string!(l, problem.method_change_refused_single).to_string()
            } else {
                td_string!(l, problem.method_change_refused_multi, count = n)
            }
        }
        Problem::MixedCustomers => td_string!(l, problem.mixed_customers).to_string(),
        Problem::InvitationInvalid => td_string!(l, problem.invitation_invalid).to_string(),
        Problem::Name(NameProblem::Missing) => td_string!(l, problem.name_missing).to_string(),
        Problem::Name(NameProblem::Invalid { max }) => td_string!(l, problem.card_text_invalid, max = max),
        Problem::ClockStep(e) => match e {
            StepError::Format => td_string!(l, problem.clock_format),
            StepError::NotForward => td_string!(l, problem.clock_not_forward),
            StepError::TooFar => td_string!(l, problem.clock_too_far),
            StepError::TooFarAhead => td_string!(l, problem.clock_too_far_ahead),
        }
        .to_string(),
    }
}

/// What is wrong with a card as typed (R-PAY-5).
pub fn card_problem(l: Locale, p: &CardProblem) -> String {
    match p {
        CardProblem::NumberMissing => td_string!(l, problem.card_number_missing).to_string(),
        CardProblem::NumberLength => td_string!(l, problem.card_number_length).to_string(),
        CardProblem::NumberCheck => td_string!(l, problem.card_number_check).to_string(),
        CardProblem::ExpiryInvalid => td_string!(l, problem.card_expiry_invalid).to_string(),
        CardProblem::Expired => td_string!(l, problem.card_expired).to_string(),
        CardProblem::ExpiryTooFar => td_string!(l, problem.card_expiry_too_far).to_string(),
        CardProblem::HolderMissing => td_string!(l, problem.card_holder_missing).to_string(),
        CardProblem::TextInvalid { max } => td_string!(l, problem.card_text_invalid, max = max),
    }
}

/// Why a subscription cannot switch to a payment method (R-PAY-4, R-EXT-3).
pub fn method_change_refusal(l: Locale, r: &MethodChangeRefusal) -> String {
    match r {
        MethodChangeRefusal::Canceled => td_string!(l, method_refusal.canceled).to_string(),
        MethodChangeRefusal::OtherCustomer => td_string!(l, method_refusal.other_customer).to_string(),
        MethodChangeRefusal::ManualWithAutoRenew => td_string!(l, method_refusal.manual_with_auto_renew).to_string(),
        MethodChangeRefusal::InvoiceNotAvailable => td_string!(l, problem.invoice_not_available).to_string(),
        MethodChangeRefusal::InvoiceAtCheckout { opens } => {
            td_string!(l, method_refusal.invoice_at_checkout, date = date(l, *opens))
        }
        MethodChangeRefusal::CardExpired => td_string!(l, method_refusal.card_expired).to_string(),
        MethodChangeRefusal::OverOnlineLimit => td_string!(l, method_refusal.over_online_limit).to_string(),
    }
}

/// "Vectora CAD (1234): why it cannot switch."
pub fn method_refused(l: Locale, r: &MethodRefused) -> String {
    td_string!(
        l,
        problem.refused_line,
        product = &r.product_name,
        id = r.id,
        reason = method_change_refusal(l, &r.reason)
    )
}

/// "Vectora CAD (1234)": a subscription keeping a method from being removed.
pub fn in_use(l: Locale, u: &InUse) -> String {
    td_string!(l, problem.in_use_line, product = &u.product_name, id = u.id)
}

/// Why a payment method cannot pay an order (R-PAY-2, R-PAY-3).
pub fn payment_refusal(l: Locale, r: &PaymentRefusal) -> String {
    match r {
        PaymentRefusal::InvoiceNotAvailable => td_string!(l, problem.invoice_not_available).to_string(),
        PaymentRefusal::OverOnlineLimit(kind) => {
            td_string!(l, problem.over_online_limit, method = payment_kind(l, *kind))
        }
    }
}

/// Why a subscription cannot be renewed in the cart now.
pub fn renew_block(l: Locale, b: &RenewBlock) -> String {
    match b {
        RenewBlock::Canceled => td_string!(l, renew_block.canceled).to_string(),
        RenewBlock::TooEarly(d) => td_string!(l, renew_block.too_early, date = date(l, *d)),
        RenewBlock::TooLate(d) => td_string!(l, renew_block.too_late, date = date(l, *d)),
        RenewBlock::Unpaid => td_string!(l, renew_block.unpaid).to_string(),
        RenewBlock::NoPaymentMethod => td_string!(l, renew_block.no_payment_method).to_string(),
        RenewBlock::InOrder => td_string!(l, renew_block.in_order).to_string(),
        RenewBlock::NoPrice => td_string!(l, renew_block.no_price).to_string(),
    }
}

/// Why the next renewal cannot be changed so (R-SUB-3).
pub fn next_term_refusal(l: Locale, r: &NextTermRefusal) -> String {
    match r {
        NextTermRefusal::Canceled => renew_block(l, &RenewBlock::Canceled),
        NextTermRefusal::TooLate(d) => renew_block(l, &RenewBlock::TooLate(*d)),
        NextTermRefusal::InOrder => renew_block(l, &RenewBlock::InOrder),
        NextTermRefusal::Unpaid => renew_block(l, &RenewBlock::Unpaid),
        NextTermRefusal::NoSeats => td_string!(l, next_term.no_seats).to_string(),
        NextTermRefusal::MoreSeats { current } => td_string!(l, next_term.more_seats, current = current),
        NextTermRefusal::TermNotSold(t) => td_string!(l, next_term.term_not_sold, term = term(l, *t)),
        NextTermRefusal::NothingPending => td_string!(l, next_term.nothing_pending).to_string(),
    }
}

/// Why seats cannot be added now (R-SUB-3, R-PRICE-3).
pub fn add_seats_refusal(l: Locale, r: &AddSeatsRefusal) -> String {
    match r {
        AddSeatsRefusal::NotActive(_) => td_string!(l, add_seats.not_active).to_string(),
        AddSeatsRefusal::InOrder => renew_block(l, &RenewBlock::InOrder),
        AddSeatsRefusal::Unpaid => renew_block(l, &RenewBlock::Unpaid),
        AddSeatsRefusal::NoSeats => td_string!(l, next_term.no_seats).to_string(),
        AddSeatsRefusal::TooMany { max } => td_string!(l, add_seats.too_many, max = max),
        AddSeatsRefusal::TermEnding => td_string!(l, add_seats.term_ending).to_string(),
        AddSeatsRefusal::NoPrice => renew_block(l, &RenewBlock::NoPrice),
    }
}

/// Why a subscription cannot be extended so (R-PRICE-2, R-PRICE-4).
pub fn extension_refusal(l: Locale, r: &ExtensionRefusal) -> String {
    match r {
        ExtensionRefusal::Canceled => td_string!(l, extend.canceled).to_string(),
        ExtensionRefusal::NotRenewable => td_string!(l, extend.not_renewable).to_string(),
        ExtensionRefusal::TargetNotInFuture => td_string!(l, extend.not_in_future).to_string(),
        ExtensionRefusal::Backdating => td_string!(l, extend.backdating).to_string(),
        ExtensionRefusal::OutsideRenewalPeriod(d) => td_string!(l, extend.outside, date = date(l, *d)),
        ExtensionRefusal::TooLong { limit } => td_string!(l, extend.too_long, date = date(l, *limit)),
    }
}

/// One subscription that cannot be renewed: "Vectora CAD (1042): Renewal opens on ...".
pub fn renew_refused(l: Locale, r: &RenewRefused) -> String {
    td_string!(l, problem.refused_line, product = &r.product_name, id = r.id, reason = renew_block(l, &r.reason))
}

/// Where an order's payment stands.
pub fn payment_state(l: Locale, p: &PaymentState) -> String {
    match p {
        PaymentState::Paid => td_string!(l, orders.paid).to_string(),
        PaymentState::Pending => td_string!(l, orders.pending).to_string(),
        PaymentState::Confirming => td_string!(l, orders.confirming).to_string(),
        PaymentState::Invoiced(number) => td_string!(l, orders.invoiced, number = number),
        PaymentState::Failed => td_string!(l, orders.failed).to_string(),
    }
}

/// Where an invoice stands (R-INV-1).
pub fn invoice_status(l: Locale, s: InvoiceStatus) -> String {
    match s {
        InvoiceStatus::Open => td_string!(l, invoices.open),
        InvoiceStatus::Pending => td_string!(l, invoices.pending),
        InvoiceStatus::Paid => td_string!(l, invoices.paid),
        InvoiceStatus::Voided => td_string!(l, invoices.voided),
    }
    .to_string()
}

/// The invoice list's status filter.
pub fn invoice_filter(l: Locale, f: InvoiceFilter) -> String {
    match f {
        InvoiceFilter::Unpaid => td_string!(l, invoices.filter_unpaid),
        InvoiceFilter::Paid => td_string!(l, invoices.filter_paid),
        InvoiceFilter::Voided => td_string!(l, invoices.filter_voided),
        InvoiceFilter::All => td_string!(l, invoices.filter_all),
    }
    .to_string()
}

/// Where a payment of invoices stands (R-PAY-7).
pub fn invoice_payment_state(l: Locale, s: InvoicePaymentState) -> String {
    match s {
        InvoicePaymentState::Pending => td_string!(l, invoices.payment_pending),
        InvoicePaymentState::Succeeded => td_string!(l, invoices.payment_succeeded),
        InvoicePaymentState::Failed => td_string!(l, invoices.payment_failed),
    }
    .to_string()
}

/// Why invoices cannot be paid together so (R-INV-2, R-PAY-2).
pub fn invoice_payment_refusal(l: Locale, r: &InvoicePaymentRefusal) -> String {
    match r {
        InvoicePaymentRefusal::NoneChosen => td_string!(l, invoices.refused_none).to_string(),
        InvoicePaymentRefusal::MixedCurrencies => td_string!(l, invoices.refused_currencies).to_string(),
        InvoicePaymentRefusal::MixedCustomerNumbers => td_string!(l, invoices.refused_csns).to_string(),
        InvoicePaymentRefusal::TooMany { max, asked } => {
            td_string!(l, invoices.refused_too_many, max = max, asked = asked)
        }
        InvoicePaymentRefusal::AlreadyPaid(n) => td_string!(l, invoices.refused_paid, number = n),
        InvoicePaymentRefusal::PaymentPending(n) => td_string!(l, invoices.refused_pending, number = n),
        InvoicePaymentRefusal::Voided(n) => td_string!(l, invoices.refused_voided, number = n),
        InvoicePaymentRefusal::Method(m) => payment_refusal(l, m),
        InvoicePaymentRefusal::AmountNotUnderstood(text) => td_string!(l, invoices.amount_not_understood, text = text),
        InvoicePaymentRefusal::AmountNotPositive => td_string!(l, invoices.amount_not_positive).to_string(),
        InvoicePaymentRefusal::CreditChanged => td_string!(l, invoices.credit_changed).to_string(),
        InvoicePaymentRefusal::AmountOverOwed { owed } => {
            td_string!(l, invoices.amount_over_owed, owed = amount(l, *owed))
        }
    }
}

/// Why a purchase or renewal cannot be refunded now (R-PAY-9).
pub fn refund_refusal(l: Locale, r: &RefundRefusal) -> String {
    match r {
        RefundRefusal::Late(day) => td_string!(l, refund.refused_late, date = date(l, *day)),
        RefundRefusal::UniqueAgreement => td_string!(l, refund.refused_agreement).to_string(),
        RefundRefusal::Canceled => td_string!(l, refund.refused_canceled).to_string(),
        RefundRefusal::LaterOrder(number) => td_string!(l, refund.refused_later_order, number = number),
        RefundRefusal::PaymentPending => td_string!(l, refund.refused_pending).to_string(),
        RefundRefusal::Unpaid(number) => td_string!(l, refund.refused_unpaid, number = number),
        RefundRefusal::NothingPaid => td_string!(l, refund.refused_nothing_paid).to_string(),
        RefundRefusal::SeatsGone => td_string!(l, refund.refused_seats_gone).to_string(),
        RefundRefusal::Refunded(memo) => td_string!(l, refund.refused_refunded, memo = memo),
    }
}

/// Why a selection of subscriptions was refused (R-BULK-1).
/// A kind of audit entry, as the audit trail names it.
pub fn audit_kind(l: Locale, k: AuditKind) -> String {
    match k {
        AuditKind::AutoRenew => td_string!(l, audit.kind_auto_renew),
        AuditKind::Renewal => td_string!(l, audit.kind_renewal),
        AuditKind::Checkout => td_string!(l, audit.kind_checkout),
        AuditKind::NextTerm => td_string!(l, audit.kind_next_term),
        AuditKind::Payment => td_string!(l, audit.kind_payment),
        AuditKind::Status => td_string!(l, audit.kind_status),
        AuditKind::Quote => td_string!(l, audit.kind_quote),
        AuditKind::Approval => td_string!(l, audit.kind_approval),
        AuditKind::Invoice => td_string!(l, audit.kind_invoice),
        AuditKind::InvoiceDetails => td_string!(l, audit.kind_invoice_details),
        AuditKind::PoDocument => td_string!(l, audit.kind_po_document),
        AuditKind::PaymentMethod => td_string!(l, audit.kind_payment_method),
        AuditKind::Refund => td_string!(l, audit.kind_refund),
        AuditKind::CustomerDetails => td_string!(l, audit.kind_customer_details),
        AuditKind::Invitation => td_string!(l, audit.kind_invitation),
        AuditKind::User => td_string!(l, audit.kind_user),
        AuditKind::Seat => td_string!(l, audit.kind_seat),
        AuditKind::Profile => td_string!(l, audit.kind_profile),
    }
    .to_string()
}

/// What an audit entry is about: "Subscription 1042", "Invoice INV-2026-000123", "User x@y".
pub fn audit_object(l: Locale, object_type: &str, id: i64, label: Option<&str>) -> String {
    let name = label.map(str::to_string).unwrap_or_else(|| id.to_string());
    match object_type {
        "subscription" => td_string!(l, audit.object_subscription, name = name),
        "invoice" => td_string!(l, audit.object_invoice, name = name),
        "customer_account" => td_string!(l, audit.object_customer_account, name = name),
        "payment_method" => td_string!(l, audit.object_payment_method, name = name),
        "user" => td_string!(l, audit.object_user, name = name),
        _ => td_string!(l, audit.object_organisation).to_string(),
    }
}

/// A field of the customer details form, as its label reads.
pub fn customer_field(l: Locale, f: CustomerField) -> String {
    match f {
        CustomerField::CompanyName => td_string!(l, customer.company_name),
        CustomerField::AddressLine1 => td_string!(l, customer.address_line1),
        CustomerField::AddressLine2 => td_string!(l, customer.address_line2),
        CustomerField::PostalCode => td_string!(l, customer.postal_code),
        CustomerField::City => td_string!(l, customer.city),
        CustomerField::Region => td_string!(l, customer.region),
        CustomerField::Country => td_string!(l, customer.country),
    }
    .to_string()
}

pub fn customer_details_problem(l: Locale, p: &DetailsProblem) -> String {
    match p {
        DetailsProblem::Required { field } => td_string!(l, problem.field_required, field = customer_field(l, *field)),
        DetailsProblem::TooLong { field, max } => {
            td_string!(l, problem.field_too_long, field = customer_field(l, *field), max = max)
        }
        DetailsProblem::ControlCharacter { field } => {
            td_string!(l, problem.field_control, field = customer_field(l, *field))
        }
        DetailsProblem::UnsupportedCountry { country } => {
            td_string!(l, problem.unsupported_country, country = country.clone())
        }
        DetailsProblem::UnknownState { state } => td_string!(l, problem.unknown_state, state = state.clone()),
    }
}

pub fn selection(l: Locale, e: &SelectionError) -> String {
    match e {
        SelectionError::Empty => td_string!(l, problem.selection_empty).to_string(),
        SelectionError::TooMany(n) => td_string!(l, list.too_many, count = n, more = n.saturating_sub(MAX_BULK)),
        SelectionError::Malformed(text) => td_string!(l, problem.selection_malformed, text = text),
    }
}

/// One subscription left out of a change: "Vectora CAD (1042): its term ended on ...".
pub fn refused(l: Locale, r: &Refused) -> String {
    td_string!(l, problem.refused_line, product = &r.product_name, id = r.id, reason = ineligible(l, &r.reason))
}

/// The heading and the sentence of an error.
pub fn error(l: Locale, e: &AppError) -> (String, String) {
    let (title, text) = match e {
        AppError::Validation { problem: p, .. } | AppError::Conflict(p) => {
            (td_string!(l, errors.please_check), problem(l, p))
        }
        AppError::TooManyRequests(p) => (td_string!(l, errors.please_wait), problem(l, p)),
        AppError::Unauthorized => (td_string!(l, errors.signed_out), td_string!(l, errors.unauthorized).to_string()),
        AppError::Forbidden => (td_string!(l, errors.not_allowed), td_string!(l, errors.forbidden).to_string()),
        AppError::NotFound => (td_string!(l, errors.not_found), td_string!(l, errors.not_found_text).to_string()),
        AppError::Internal => (td_string!(l, errors.went_wrong), td_string!(l, errors.internal).to_string()),
        AppError::Transport(_) => (td_string!(l, errors.went_wrong), td_string!(l, errors.transport).to_string()),
    };
    (title.to_string(), text)
}

/// When renewal is possible, or why not (R-REN-2).
pub fn renewal_window(l: Locale, window: &Result<RenewalWindow, RenewalRefusal>) -> String {
    match window {
        Ok(w) => td_string!(l, renewal.window, opens = date(l, w.opens), closes = date(l, w.closes)),
        Err(RenewalRefusal::Canceled) => td_string!(l, renewal.canceled).to_string(),
        Err(RenewalRefusal::TooEarly(d)) => td_string!(l, renewal.too_early, date = date(l, *d)),
        Err(RenewalRefusal::TooLate(d)) => td_string!(l, renewal.too_late, date = date(l, *d)),
    }
}

/// An open renewal payment (R-LIFE-5).
pub fn payment_due(l: Locale, due: PaymentDue) -> String {
    let d = date(l, due.from);
    if due.late { td_string!(l, renewal.payment_late, date = d) } else { td_string!(l, renewal.payment_open, date = d) }
}

/// What a move of the demo clock by `step` did.
pub fn clock_move(l: Locale, step: &str, m: ClockMove) -> String {
    td_string!(
        l,
        clock.moved,
        step = step,
        renewed = m.renewed,
        invoiced = m.invoiced,
        failed = m.failed,
        instalments = m.instalments,
        settled = m.settled,
        transitions = m.transitions,
        reminders = m.reminders
    )
}

/// Whether `count` takes the singular form in this language.
pub fn is_one(l: Locale, count: usize) -> bool {
    lang(l).plural(i64::try_from(count).unwrap_or(i64::MAX)) == Plural::One
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_the_subscription_shows_them_in_each_language() {
        let date = NaiveDate::from_ymd_opt(2025, 6, 10).unwrap();
        assert_eq!(shown_date(Locale::en, ShownDate { auto_renew: true, date }), "Renews on 10 Jun 2025");
        assert_eq!(shown_date(Locale::en, ShownDate { auto_renew: false, date }), "Expires on 10 Jun 2025");
        assert!(shown_date(Locale::fr, ShownDate { auto_renew: true, date }).contains("10/06/2025"));
        let at = LocalInstant { date, time: "00:00:00".into(), zone: "EEST".into() };
        assert_eq!(instant(Locale::en, &at), "10 June 2025 00:00:00 EEST");
        assert_eq!(instant(Locale::de, &at), "10. Juni 2025 00:00:00 EEST");
    }

    #[test]
    fn the_101st_subscription_is_refused_with_a_clear_message_in_each_language() {
        // R-BULK-1
        let e = SelectionError::TooMany(101);
        assert_eq!(
            selection(Locale::en, &e),
            "You selected 101 subscriptions; you can manage up to 100 at a time. Deselect 1 or do the rest in another round."
        );
        assert!(selection(Locale::fi, &e).starts_with("Valitsit 101 tilausta"));
        assert!(selection(Locale::de, &e).contains("Auswahl von 1 Abonnements"));
    }

    #[test]
    fn every_problem_reads_as_a_sentence_of_its_language() {
        let refused = Refused {
            id: crate::domain::ids::SubscriptionId(7),
            product_name: "Vectora CAD".into(),
            reason: Ineligible::Canceled,
        };
        let problems = [
            Problem::MalformedForm,
            Problem::SearchTooLong { max: 100 },
            Problem::PoNumber(PoNumberProblem::ControlCharacter),
            Problem::Selection(SelectionError::Malformed("x1".into())),
            Problem::AutoRenewRefused { on: true, refused: vec![refused.clone()] },
            Problem::AutoRenewRefused { on: false, refused: vec![refused.clone(), refused] },
            Problem::TooManyFailures { seconds: 1 },
            Problem::TooManyFailures { seconds: 61 },
            Problem::WeakPassword(WeakPassword::NoDigit),
            Problem::ClockStep(StepError::TooFar),
            Problem::NextTermRefused(NextTermRefusal::NoSeats),
            Problem::NextTermRefused(NextTermRefusal::MoreSeats { current: 10 }),
            Problem::NextTermRefused(NextTermRefusal::TermNotSold(Term::Monthly)),
            Problem::AddSeatsRefused(AddSeatsRefusal::TooMany { max: 1_000 }),
            Problem::AddSeatsRefused(AddSeatsRefusal::NotActive(Status::Expired)),
            Problem::ExtensionRefused(ExtensionRefusal::Backdating),
            Problem::QuoteRefused(AcceptRefusal::Expired),
            Problem::QuoteRefused(AcceptRefusal::Outdated),
            Problem::ExtensionRefused(ExtensionRefusal::TooLong {
                limit: NaiveDate::from_ymd_opt(2030, 1, 15).unwrap(),
            }),
            Problem::Notes(NotesProblem::ControlCharacter),
            Problem::Document(DocumentProblem::Empty),
            Problem::Document(DocumentProblem::TooLarge { max_bytes: 10 * 1024 * 1024 }),
            Problem::Document(DocumentProblem::NotAllowed),
            Problem::Document(DocumentProblem::TooMany { max: 5 }),
            Problem::NotReissuable { status: InvoiceStatus::Paid, partly_paid: false },
            Problem::NotReissuable { status: InvoiceStatus::Open, partly_paid: true },
            Problem::Card(CardProblem::NumberCheck),
            Problem::Card(CardProblem::TextInvalid { max: 100 }),
            Problem::CardOnFile { label: "Visa •••• 4242".into() },
            Problem::CardRefused,
            Problem::ProviderUnavailable,
            Problem::MethodInUse {
                subscriptions: vec![InUse {
                    id: crate::domain::ids::SubscriptionId(7),
                    product_name: "Vectora CAD".into(),
                }],
            },
            Problem::MethodChangeRefused { refused: vec![] },
            Problem::MixedCustomers,
            Problem::InvitationInvalid,
            Problem::Name(NameProblem::Missing),
        ];
        for l in [Locale::en, Locale::fi, Locale::sv, Locale::fr, Locale::de] {
            for p in &problems {
                let text = problem(l, p);
                assert!(text.len() > 10 && !text.contains("{{"), "{l:?} {p:?}: {text}");
            }
        }
        assert_eq!(
            problem(Locale::en, &Problem::AutoRenewRefused { on: false, refused: vec![] }),
            "Nothing was changed: 0 of the selected subscriptions cannot have auto-renew turned off. Remove them and try again."
        );
        assert_eq!(
            problem(Locale::en, &Problem::Document(DocumentProblem::TooLarge { max_bytes: 10 * 1024 * 1024 })),
            "The file is larger than 10 MB. Attach a smaller one."
        );
        assert_eq!(problem(Locale::sv, &Problem::TooManyFailures { seconds: 890 }).split(' ').nth(5), Some("15"));
        assert_eq!(problem(Locale::en, &Problem::TooManyFailures { seconds: 61 }).split(' ').nth(5), Some("2"));
        assert_eq!(
            problem(Locale::en, &Problem::TooManyFailures { seconds: 1 }),
            "Too many failed sign-ins. Wait 2 seconds and try again, or reset your password."
        );
    }

    #[test]
    fn the_two_language_types_map_onto_each_other() {
        for l in Lang::ALL {
            assert_eq!(lang(Locale::from(l)), l);
        }
    }
}
