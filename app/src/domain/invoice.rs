//! Invoices and what a buyer may put on them (R-INV-1..5, R-ROLE-6, R-EXT-4, R-EXT-10): where an
//! invoice stands, which invoices can be paid together and by what (R-INV-2, R-PAY-2), its
//! payers (at most 10), the PO number, and the PO documents a buyer attaches (checked by their
//! content, never by their name).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::eligibility::{PaymentRefusal, method_allowed};
use super::email::EmailAddress;
use super::money::{Money, MoneyError, UsdRates};
use super::payment::PaymentKind;

/// The longest PO number an order or an invoice carries, in characters.
pub const MAX_PO_NUMBER: usize = 35;

/// Payer addresses per invoice (R-INV-4; R-EXT-10: 10, not the English pages' five).
pub const MAX_PAYERS: usize = 10;

/// Invoices one payment pays at most (as many as bulk actions take, R-BULK-1).
pub const MAX_INVOICES_PAID: usize = 100;

/// PO documents a subscription's invoice details hold at once (R-INV-5).
pub const MAX_DOCUMENTS: usize = 5;

/// The largest PO document accepted, in bytes (10 MB).
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// Why a PO number is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PoNumberProblem {
    /// Longer than [`MAX_PO_NUMBER`] characters.
    #[error("longer than {max} characters")]
    TooLong { max: usize },
    /// A line break, tab or other control character: it would break the printed invoice and
    /// the partner's systems that read it.
    #[error("a control character")]
    ControlCharacter,
}

/// A PO number as typed: trimmed; empty means none. At most [`MAX_PO_NUMBER`] characters and no
/// control characters (R-INV-5).
pub fn parse_po_number(text: &str) -> Result<String, PoNumberProblem> {
    let po = text.trim();
    if po.chars().any(char::is_control) {
        return Err(PoNumberProblem::ControlCharacter);
    }
    if po.chars().count() > MAX_PO_NUMBER {
        return Err(PoNumberProblem::TooLong { max: MAX_PO_NUMBER });
    }
    Ok(po.to_string())
}

/// The longest note printed on a subscription's invoices, in characters.
pub const MAX_NOTES: usize = 500;

/// Why invoice notes are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum NotesProblem {
    #[error("longer than {max} characters")]
    TooLong { max: usize },
    /// A control character other than a line break or a tab.
    #[error("a control character")]
    ControlCharacter,
}

/// Notes as typed: trimmed, line breaks kept (as `\n`); at most [`MAX_NOTES`] characters and no
/// control characters but line breaks and tabs (R-INV-5).
pub fn parse_notes(text: &str) -> Result<String, NotesProblem> {
    let notes = text.trim().replace("\r\n", "\n").replace('\r', "\n");
    if notes.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(NotesProblem::ControlCharacter);
    }
    if notes.chars().count() > MAX_NOTES {
        return Err(NotesProblem::TooLong { max: MAX_NOTES });
    }
    Ok(notes)
}

/// The day the automatic renewal invoice of a subscription paid by invoice is issued, when
/// that day is near enough (from the first renewal reminder on) that a change of its invoice
/// details may come too late for it (R-REN-5): an invoice already issued is not changed and has
/// to be reissued (R-EXT-4). `None` when no such invoice is coming.
pub fn renewal_invoice_day(
    paid_by_invoice: bool,
    renews_automatically: bool,
    renewal_day: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> Option<chrono::NaiveDate> {
    let window_opens = renewal_day - chrono::Duration::days(super::renewal::REMINDER_DAYS[0]);
    (paid_by_invoice && renews_automatically && today >= window_opens && today <= renewal_day).then_some(renewal_day)
}

/// The number an invoice gets when it is reissued (R-EXT-4): `INV-7-20261201` becomes
/// `INV-7-20261201-R1`, and that one `INV-7-20261201-R2`.
pub fn reissued_number(number: &str) -> String {
    if let Some((base, n)) = number.rsplit_once("-R")
        && let Ok(n) = n.parse::<u32>()
    {
        return format!("{base}-R{}", n + 1);
    }
    format!("{number}-R1")
}

/// Where an invoice stands (R-INV-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InvoiceStatus {
    /// Issued and not paid (in full).
    Open,
    /// A payment was accepted and has not settled yet (R-PAY-7: a bank transfer, 24-48 h).
    Pending,
    Paid,
    /// Replaced by a reissued invoice (R-EXT-4), or cancelled with its order.
    Voided,
}

impl InvoiceStatus {
    /// The stored code (`invoices.status`).
    pub fn code(self) -> &'static str {
        match self {
            InvoiceStatus::Open => "open",
            InvoiceStatus::Pending => "pending",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Voided => "void",
        }
    }

    pub fn parse(code: &str) -> Option<InvoiceStatus> {
        [InvoiceStatus::Open, InvoiceStatus::Pending, InvoiceStatus::Paid, InvoiceStatus::Voided]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// Whether an invoice is overdue at `now`: still open once its due instant (the start of the
/// day after its due date, in the customer's time zone) has come. A pending payment is not
/// overdue: it is on its way (R-PAY-7).
pub fn is_overdue(status: InvoiceStatus, overdue_from: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    status == InvoiceStatus::Open && now >= overdue_from
}

/// What [`judge_invoice_payment`] looks at, per invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceFacts<'a> {
    pub number: &'a str,
    /// The customer number billed: one payment pays one customer number's invoices.
    pub csn: &'a str,
    pub status: InvoiceStatus,
    /// Before tax: what R-PAY-2's limit is read on.
    pub subtotal: Money,
    /// What is still owed (the total less what was paid).
    pub open_amount: Money,
}

/// Why invoices cannot be paid together as asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum InvoicePaymentRefusal {
    #[error("no invoice chosen")]
    NoneChosen,
    /// One payment is in one currency.
    #[error("several currencies")]
    MixedCurrencies,
    /// One payment is made for one customer number (its payment methods, its statement).
    #[error("several customer numbers")]
    MixedCustomerNumbers,
    /// More than [`MAX_INVOICES_PAID`] at once.
    #[error("{asked} invoices, at most {max}")]
    TooMany { max: usize, asked: usize },
    #[error("{0} is paid already")]
    AlreadyPaid(String),
    /// Its payment is on its way; paying again would pay it twice.
    #[error("{0} has a payment pending")]
    PaymentPending(String),
    #[error("{0} was voided")]
    Voided(String),
    /// R-PAY-2, on the chosen invoices together.
    #[error(transparent)]
    Method(PaymentRefusal),
    /// The amount typed is not an amount of the invoices' currency.
    #[error("{0:?} is not an amount")]
    AmountNotUnderstood(String),
    /// The amount typed is zero or less.
    #[error("the amount must be more than zero")]
    AmountNotPositive,
    /// The amount typed is more than the invoices owe.
    #[error("more than the {owed} owed")]
    AmountOverOwed { owed: Money },
    /// Another payment used the credit meanwhile: what is left is not what was read.
    #[error("the credit left changed meanwhile")]
    CreditChanged,
}

/// The amount one payment pays on invoices owing `owed` together: all of it when nothing is
/// typed, else the amount typed, more than zero and at most what is owed ("pay all" with a
/// part, beyond the product we mirror).
pub fn payment_amount(typed: &str, owed: Money) -> Result<Money, InvoicePaymentRefusal> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(owed);
    }
    let amount = Money::parse_typed(typed, owed.currency())
        .map_err(|_| InvoicePaymentRefusal::AmountNotUnderstood(typed.to_string()))?;
    if amount.minor() <= 0 {
        return Err(InvoicePaymentRefusal::AmountNotPositive);
    }
    if amount.minor() > owed.minor() {
        return Err(InvoicePaymentRefusal::AmountOverOwed { owed });
    }
    Ok(amount)
}

/// Whether `invoices` can be paid together by `kind` (R-INV-2): at least one, every one open,
/// one currency, and R-PAY-2's 25,000 USD limit for card and PayPal read on their subtotals
/// together (paying several at once is one payment). Returns what the payment is.
pub fn judge_invoice_payment(
    invoices: &[InvoiceFacts<'_>],
    kind: PaymentKind,
    rates: &UsdRates,
) -> Result<Money, InvoicePaymentRefusal> {
    let first = invoices.first().ok_or(InvoicePaymentRefusal::NoneChosen)?;
    if invoices.len() > MAX_INVOICES_PAID {
        return Err(InvoicePaymentRefusal::TooMany { max: MAX_INVOICES_PAID, asked: invoices.len() });
    }
    let currency = first.open_amount.currency();
    for i in invoices {
        match i.status {
            InvoiceStatus::Open => {}
            InvoiceStatus::Paid => return Err(InvoicePaymentRefusal::AlreadyPaid(i.number.to_string())),
            InvoiceStatus::Pending => return Err(InvoicePaymentRefusal::PaymentPending(i.number.to_string())),
            InvoiceStatus::Voided => return Err(InvoicePaymentRefusal::Voided(i.number.to_string())),
        }
        if i.open_amount.currency() != currency || i.subtotal.currency() != currency {
            return Err(InvoicePaymentRefusal::MixedCurrencies);
        }
        if i.csn != first.csn {
            return Err(InvoicePaymentRefusal::MixedCustomerNumbers);
        }
    }
    let sum = |f: fn(&InvoiceFacts<'_>) -> Money| -> Result<Money, MoneyError> {
        Money::sum(currency, invoices.iter().map(f))
    };
    let too_much = |_| InvoicePaymentRefusal::Method(PaymentRefusal::OverOnlineLimit(kind));
    let before_tax = sum(|i| i.subtotal).map_err(too_much)?;
    method_allowed(kind, before_tax, rates).map_err(InvoicePaymentRefusal::Method)?;
    sum(|i| i.open_amount).map_err(too_much)
}

/// "Pay all" (beyond the product we mirror): `amount` spread over open invoices given oldest
/// due first, each paid in full while the amount lasts and the last one in part. Returns what
/// each invoice receives, in the order given, leaving out those that receive nothing.
pub fn spread_payment(amount: Money, oldest_first: &[Money]) -> Result<Vec<Money>, MoneyError> {
    let mut left = amount;
    let mut out = Vec::new();
    for owed in oldest_first {
        if left.is_zero() || left.minor() < 0 {
            break;
        }
        let part = if left.minor() >= owed.minor() { *owed } else { left };
        left = left.checked_sub(part)?;
        out.push(part);
    }
    Ok(out)
}

/// `total` split over lines in proportion to `weights` (what each line bills in full), to the
/// cent and adding up exactly: each line gets its share rounded down, and the cents left go to
/// the lines with the largest remainders, the first of equals first. An invoice that bills one
/// instalment of an order lists the order's lines this way. Weights that add up to nothing put
/// everything on the first line.
pub fn allocate(total: Money, weights: &[Money]) -> Result<Vec<Money>, MoneyError> {
    let currency = total.currency();
    if weights.is_empty() {
        return Ok(Vec::new());
    }
    let whole: i128 = weights.iter().map(|w| i128::from(w.minor())).sum();
    if whole <= 0 || weights.iter().any(|w| w.minor() < 0 || w.currency() != currency) {
        let mut out = vec![Money::zero(currency); weights.len()];
        out[0] = total;
        return Ok(out);
    }
    let t = i128::from(total.minor());
    let mut shares: Vec<(i128, i128)> = weights
        .iter()
        .map(|w| (t * i128::from(w.minor())).div_euclid(whole))
        .zip(weights.iter().map(|w| (t * i128::from(w.minor())).rem_euclid(whole)))
        .collect();
    let given: i128 = shares.iter().map(|(q, _)| q).sum();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| shares[*b].1.cmp(&shares[*a].1).then(a.cmp(b)));
    for i in order.into_iter().take(usize::try_from(t - given).map_err(|_| MoneyError::Overflow)?) {
        shares[i].0 += 1;
    }
    shares
        .into_iter()
        .map(|(q, _)| i64::try_from(q).map(|m| Money::from_minor(m, currency)).map_err(|_| MoneyError::Overflow))
        .collect()
}

/// Which invoices the list shows (R-INV-1); unpaid (open or pending) unless asked otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum InvoiceFilter {
    #[default]
    Unpaid,
    Paid,
    Voided,
    All,
}

impl InvoiceFilter {
    pub const ALL: [InvoiceFilter; 4] =
        [InvoiceFilter::Unpaid, InvoiceFilter::Paid, InvoiceFilter::Voided, InvoiceFilter::All];

    pub fn code(self) -> &'static str {
        match self {
            InvoiceFilter::Unpaid => "unpaid",
            InvoiceFilter::Paid => "paid",
            InvoiceFilter::Voided => "voided",
            InvoiceFilter::All => "all",
        }
    }

    /// The filter named in a URL; empty is the default, anything else unknown is `None`.
    pub fn parse(code: &str) -> Option<InvoiceFilter> {
        let code = code.trim();
        if code.is_empty() {
            return Some(InvoiceFilter::default());
        }
        InvoiceFilter::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The statuses it shows.
    pub fn statuses(self) -> &'static [InvoiceStatus] {
        match self {
            InvoiceFilter::Unpaid => &[InvoiceStatus::Open, InvoiceStatus::Pending],
            InvoiceFilter::Paid => &[InvoiceStatus::Paid],
            InvoiceFilter::Voided => &[InvoiceStatus::Voided],
            InvoiceFilter::All => {
                &[InvoiceStatus::Open, InvoiceStatus::Pending, InvoiceStatus::Paid, InvoiceStatus::Voided]
            }
        }
    }
}

/// Why payer addresses are refused (R-INV-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PayerProblem {
    #[error("{0:?} is not an e-mail address")]
    NotAnEmail(String),
    /// At most [`MAX_PAYERS`]; `asked` is how many there would be.
    #[error("{asked} payers, at most {max}")]
    TooMany { max: usize, asked: usize },
}

/// The payers an invoice has once `added` join `current` (R-INV-4, R-ROLE-6): each address
/// checked, lower-cased and counted once, at most [`MAX_PAYERS`] in all; all or nothing.
pub fn add_payers(current: &[String], added: &[String]) -> Result<Vec<String>, PayerProblem> {
    let mut payers: Vec<String> = current.iter().map(|a| a.to_lowercase()).collect();
    for text in added {
        let address = EmailAddress::parse(text).map_err(|_| PayerProblem::NotAnEmail(text.trim().to_string()))?;
        let address = address.as_str().to_lowercase();
        if !payers.contains(&address) {
            payers.push(address);
        }
    }
    if payers.len() > MAX_PAYERS {
        return Err(PayerProblem::TooMany { max: MAX_PAYERS, asked: payers.len() });
    }
    Ok(payers)
}

/// The payers left once `removed` are taken off `current` (any case); removing one that is not
/// there changes nothing.
pub fn remove_payers(current: &[String], removed: &[String]) -> Vec<String> {
    let gone: Vec<String> = removed.iter().map(|r| r.trim().to_lowercase()).collect();
    current.iter().map(|a| a.to_lowercase()).filter(|a| !gone.contains(a)).collect()
}

/// Payer addresses as typed into one field: separated by line breaks, commas, semicolons or
/// spaces; empty pieces left out.
pub fn split_addresses(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

/// What a PO document is, read from its first bytes (R-INV-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocumentKind {
    Pdf,
    Png,
    Jpeg,
}

impl DocumentKind {
    /// The content type it is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "application/pdf",
            DocumentKind::Png => "image/png",
            DocumentKind::Jpeg => "image/jpeg",
        }
    }

    /// Reads the kind from the file's signature; `None` for anything else, whatever its name.
    pub fn sniff(head: &[u8]) -> Option<DocumentKind> {
        if head.starts_with(b"%PDF-") {
            Some(DocumentKind::Pdf)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(DocumentKind::Png)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(DocumentKind::Jpeg)
        } else {
            None
        }
    }
}

/// Why a PO document is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DocumentProblem {
    #[error("empty")]
    Empty,
    #[error("over {max_bytes} bytes")]
    TooLarge { max_bytes: usize },
    /// Not a PDF, PNG or JPEG by its content (a renamed program is refused here).
    #[error("not a PDF, PNG or JPEG")]
    NotAllowed,
    #[error("already {max} documents")]
    TooMany { max: usize },
}

/// Whether `bytes` can be attached as a PO document beside `already` others (R-INV-5): a PDF,
/// PNG or JPEG by content, at most 10 MB, at most [`MAX_DOCUMENTS`] in all.
pub fn judge_document(bytes: &[u8], already: usize) -> Result<DocumentKind, DocumentProblem> {
    if already >= MAX_DOCUMENTS {
        return Err(DocumentProblem::TooMany { max: MAX_DOCUMENTS });
    }
    if bytes.is_empty() {
        return Err(DocumentProblem::Empty);
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(DocumentProblem::TooLarge { max_bytes: MAX_DOCUMENT_BYTES });
    }
    DocumentKind::sniff(bytes).ok_or(DocumentProblem::NotAllowed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;
    use chrono::TimeZone;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Usd)
    }

    fn open<'a>(number: &'a str, subtotal: i64, open_amount: i64) -> InvoiceFacts<'a> {
        InvoiceFacts {
            number,
            csn: "5100000001",
            status: InvoiceStatus::Open,
            subtotal: usd(subtotal),
            open_amount: usd(open_amount),
        }
    }

    #[test]
    fn a_po_number_is_at_most_35_characters_without_control_characters() {
        // R-INV-5
        assert_eq!(parse_po_number("  PO-2026-001 "), Ok("PO-2026-001".to_string()));
        assert_eq!(parse_po_number(""), Ok(String::new()));
        assert_eq!(parse_po_number(&"Ä".repeat(35)), Ok("Ä".repeat(35)), "characters, not bytes");
        assert_eq!(parse_po_number(&"7".repeat(36)), Err(PoNumberProblem::TooLong { max: 35 }));
        assert_eq!(parse_po_number("PO\n42"), Err(PoNumberProblem::ControlCharacter));
        assert_eq!(parse_po_number("PO\u{7}42"), Err(PoNumberProblem::ControlCharacter));
    }

    #[test]
    fn statuses_round_trip_their_stored_codes() {
        for s in [InvoiceStatus::Open, InvoiceStatus::Pending, InvoiceStatus::Paid, InvoiceStatus::Voided] {
            assert_eq!(InvoiceStatus::parse(s.code()), Some(s));
        }
        assert_eq!(InvoiceStatus::parse("voided"), None);
    }

    #[test]
    fn an_open_invoice_is_overdue_from_its_due_instant_and_a_pending_one_never() {
        // R-INV-1: overdue ones are marked; R-PAY-7: a pending payment is on its way.
        let due = Utc.with_ymd_and_hms(2026, 12, 31, 23, 0, 0).unwrap();
        let before = due - chrono::Duration::seconds(1);
        assert!(!is_overdue(InvoiceStatus::Open, due, before));
        assert!(is_overdue(InvoiceStatus::Open, due, due));
        assert!(!is_overdue(InvoiceStatus::Pending, due, due));
        assert!(!is_overdue(InvoiceStatus::Paid, due, due));
    }

    #[test]
    fn invoices_paid_together_are_open_in_one_currency_and_card_stops_at_25000_usd_before_tax() {
        // R-INV-2, R-PAY-2: the limit reads the chosen invoices' subtotals together.
        let rates = UsdRates::default();
        let two = [open("INV-1", 12_000_00, 14_280_00), open("INV-2", 13_000_01, 15_470_01)];
        assert_eq!(
            judge_invoice_payment(&two, PaymentKind::Card, &rates),
            Err(InvoicePaymentRefusal::Method(PaymentRefusal::OverOnlineLimit(PaymentKind::Card)))
        );
        assert_eq!(judge_invoice_payment(&two, PaymentKind::BankTransfer, &rates), Ok(usd(29_750_01)));
        assert_eq!(judge_invoice_payment(&two[..1], PaymentKind::PayPal, &rates), Ok(usd(14_280_00)));
        let exactly = [open("INV-3", 25_000_00, 29_750_00)];
        assert_eq!(judge_invoice_payment(&exactly, PaymentKind::Card, &rates), Ok(usd(29_750_00)), "over, not at");

        assert_eq!(judge_invoice_payment(&[], PaymentKind::Card, &rates), Err(InvoicePaymentRefusal::NoneChosen));
        let paid = InvoiceFacts { status: InvoiceStatus::Paid, ..open("INV-4", 100, 0) };
        assert_eq!(
            judge_invoice_payment(&[open("INV-1", 100, 119), paid], PaymentKind::Card, &rates),
            Err(InvoicePaymentRefusal::AlreadyPaid("INV-4".into()))
        );
        let voided = InvoiceFacts { status: InvoiceStatus::Voided, ..open("INV-5", 100, 119) };
        assert_eq!(
            judge_invoice_payment(&[voided], PaymentKind::Card, &rates),
            Err(InvoicePaymentRefusal::Voided("INV-5".into()))
        );
        let pending = InvoiceFacts { status: InvoiceStatus::Pending, ..open("INV-6", 100, 119) };
        assert_eq!(
            judge_invoice_payment(&[pending], PaymentKind::DirectDebit, &rates),
            Err(InvoicePaymentRefusal::PaymentPending("INV-6".into()))
        );
        let eur = InvoiceFacts {
            subtotal: Money::from_minor(100, Currency::Eur),
            open_amount: Money::from_minor(119, Currency::Eur),
            ..open("INV-7", 0, 0)
        };
        assert_eq!(
            judge_invoice_payment(&[open("INV-1", 100, 119), eur], PaymentKind::Card, &rates),
            Err(InvoicePaymentRefusal::MixedCurrencies)
        );
    }

    #[test]
    fn one_payment_pays_one_customer_numbers_invoices_at_most_100() {
        // R-INV-2: several invoices paid together are one payment, for one customer number.
        let rates = UsdRates::default();
        let other = InvoiceFacts { csn: "5100000002", ..open("INV-2", 100, 119) };
        assert_eq!(
            judge_invoice_payment(&[open("INV-1", 100, 119), other], PaymentKind::Card, &rates),
            Err(InvoicePaymentRefusal::MixedCustomerNumbers)
        );
        let numbers: Vec<String> = (0..=MAX_INVOICES_PAID).map(|i| format!("INV-{i}")).collect();
        let many: Vec<InvoiceFacts<'_>> = numbers.iter().map(|n| open(n, 100, 119)).collect();
        assert_eq!(judge_invoice_payment(&many[..100], PaymentKind::BankTransfer, &rates), Ok(usd(119 * 100)));
        assert_eq!(
            judge_invoice_payment(&many, PaymentKind::BankTransfer, &rates),
            Err(InvoicePaymentRefusal::TooMany { max: 100, asked: 101 })
        );
    }

    #[test]
    fn an_instalment_is_spread_over_the_orders_lines_to_the_cent() {
        let parts = allocate(usd(100_00), &[usd(1_00), usd(1_00), usd(1_00)]).unwrap();
        assert_eq!(parts, vec![usd(33_34), usd(33_33), usd(33_33)]);
        let parts = allocate(usd(50_00), &[usd(300_00), usd(100_00)]).unwrap();
        assert_eq!(parts, vec![usd(37_50), usd(12_50)]);
        assert_eq!(allocate(usd(7_00), &[usd(7_00)]).unwrap(), vec![usd(7_00)], "one line bills it all");
        assert_eq!(allocate(usd(5), &[usd(0), usd(0)]).unwrap(), vec![usd(5), usd(0)]);
        let odd = allocate(usd(1_000_01), &[usd(3), usd(7), usd(11), usd(13)]).unwrap();
        assert_eq!(Money::sum(Currency::Usd, odd.iter().copied()).unwrap(), usd(1_000_01));
    }

    #[test]
    fn the_invoice_list_shows_unpaid_ones_unless_asked() {
        // R-INV-1: unpaid and paid invoices; unpaid (open and pending) first of all.
        assert_eq!(InvoiceFilter::parse(""), Some(InvoiceFilter::Unpaid));
        for f in InvoiceFilter::ALL {
            assert_eq!(InvoiceFilter::parse(f.code()), Some(f));
        }
        assert_eq!(InvoiceFilter::parse("overdue"), None);
        assert_eq!(InvoiceFilter::Unpaid.statuses(), [InvoiceStatus::Open, InvoiceStatus::Pending]);
    }

    #[test]
    fn a_typed_amount_is_more_than_zero_and_at_most_what_is_owed() {
        let owed = usd(220_00);
        assert_eq!(payment_amount("", owed), Ok(owed));
        assert_eq!(payment_amount(" 120.50 ", owed), Ok(usd(120_50)));
        assert_eq!(payment_amount("220", owed), Ok(owed));
        assert_eq!(payment_amount("220.01", owed), Err(InvoicePaymentRefusal::AmountOverOwed { owed }));
        assert_eq!(payment_amount("0", owed), Err(InvoicePaymentRefusal::AmountNotPositive));
        assert_eq!(payment_amount("-5", owed), Err(InvoicePaymentRefusal::AmountNotPositive));
        // A separator before three digits groups thousands ("1.005" is 1,005 in German).
        assert_eq!(payment_amount("1.005", owed), Err(InvoicePaymentRefusal::AmountOverOwed { owed }));
        assert_eq!(payment_amount("1.0051", owed), Err(InvoicePaymentRefusal::AmountNotUnderstood("1.0051".into())));
        assert_eq!(payment_amount("ten", owed), Err(InvoicePaymentRefusal::AmountNotUnderstood("ten".into())));
        // As typed in each language: the last separator with one or two digits after it is
        // the decimal one; a comma is never dropped silently.
        let big = usd(5_000_000_00);
        for (text, minor) in [
            ("1240.50", 1_240_50),
            ("1,240.50", 1_240_50),
            ("1 240,50", 1_240_50),
            ("1.240,50", 1_240_50),
            ("1240,5", 1_240_50),
            ("1,240", 1_240_00),
            ("1\u{a0}240,00", 1_240_00),
        ] {
            assert_eq!(payment_amount(text, big), Ok(usd(minor)), "{text}");
        }
        for text in ["12,40,50", "1,2,3", "1.2.3,4", "12a", ",50", "1..5"] {
            assert!(payment_amount(text, big).is_err(), "{text}");
        }
    }

    #[test]
    fn pay_all_spreads_one_payment_over_the_oldest_invoices_first() {
        // Beyond the product we mirror: "pay all" pays the oldest in full, the next in part.
        let owed = [usd(100_00), usd(50_00), usd(70_00)];
        assert_eq!(spread_payment(usd(120_00), &owed), Ok(vec![usd(100_00), usd(20_00)]));
        assert_eq!(spread_payment(usd(220_00), &owed), Ok(owed.to_vec()));
        assert_eq!(spread_payment(usd(500_00), &owed), Ok(owed.to_vec()), "never more than owed");
        assert_eq!(spread_payment(usd(0), &owed), Ok(vec![]));
    }

    #[test]
    fn an_invoice_has_at_most_10_payers_each_counted_once() {
        // R-INV-4, R-ROLE-6, R-EXT-10: 10 payers, the 11th refused; all or nothing.
        let nine: Vec<String> = (1..=9).map(|i| format!("payer{i}@example.com")).collect();
        let ten = add_payers(&nine, &["Payer10@Example.com".into()]).unwrap();
        assert_eq!(ten.len(), 10);
        assert_eq!(ten[9], "payer10@example.com");
        assert_eq!(add_payers(&ten, &["PAYER1@example.com".into()]).unwrap().len(), 10, "the same payer again");
        assert_eq!(
            add_payers(&ten, &["payer11@example.com".into()]),
            Err(PayerProblem::TooMany { max: 10, asked: 11 })
        );
        assert_eq!(
            add_payers(&nine, &["ok@example.com".into(), "not an address".into()]),
            Err(PayerProblem::NotAnEmail("not an address".into()))
        );
    }

    #[test]
    fn payers_are_typed_in_one_field_and_removed_in_any_case() {
        // R-INV-4: the addresses of one field, then one taken off.
        let typed = split_addresses("a@x.example, b@x.example;\nC@x.example  ");
        assert_eq!(typed, ["a@x.example", "b@x.example", "C@x.example"]);
        let current = add_payers(&[], &typed).unwrap();
        assert_eq!(remove_payers(&current, &["c@X.example".into()]), ["a@x.example", "b@x.example"]);
        assert_eq!(remove_payers(&current, &["nobody@x.example".into()]).len(), 3);
    }

    #[test]
    fn notes_keep_line_breaks_refuse_other_controls_and_stop_at_500() {
        // R-INV-5: notes are printed on the invoices issued from then on.
        assert_eq!(parse_notes("  Deliver to AP.\r\nAttn: Maria  "), Ok("Deliver to AP.\nAttn: Maria".into()));
        assert_eq!(parse_notes("a\u{7}b"), Err(NotesProblem::ControlCharacter));
        assert_eq!(parse_notes(&"é".repeat(500)).map(|n| n.chars().count()), Ok(500));
        assert_eq!(parse_notes(&"é".repeat(501)), Err(NotesProblem::TooLong { max: 500 }));
    }

    #[test]
    fn the_renewal_invoice_warning_opens_45_days_before_for_automatic_renewals_by_invoice() {
        // R-REN-5: details must be changed before the renewal date, when the invoice is issued.
        let renewal = chrono::NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
        let day = |d: i64| renewal - chrono::Duration::days(d);
        assert_eq!(renewal_invoice_day(true, true, renewal, day(45)), Some(renewal));
        assert_eq!(renewal_invoice_day(true, true, renewal, day(0)), Some(renewal));
        assert_eq!(renewal_invoice_day(true, true, renewal, day(46)), None, "before the window");
        assert_eq!(renewal_invoice_day(true, true, renewal, day(-1)), None, "issued already");
        assert_eq!(renewal_invoice_day(false, true, renewal, day(3)), None, "paid by card: no invoice to fix");
        assert_eq!(renewal_invoice_day(true, false, renewal, day(3)), None, "no automatic renewal");
    }

    #[test]
    fn a_reissued_invoice_counts_its_reissues_in_its_number() {
        // R-EXT-4: the new invoice is linked to the voided one and told apart by its number.
        assert_eq!(reissued_number("INV-7-20261201"), "INV-7-20261201-R1");
        assert_eq!(reissued_number("INV-7-20261201-R1"), "INV-7-20261201-R2");
        assert_eq!(reissued_number("INV-ORD-R"), "INV-ORD-R-R1");
    }

    #[test]
    fn po_documents_are_pdf_png_or_jpeg_by_content_at_most_10_mb_and_5() {
        // R-INV-5
        assert_eq!(judge_document(b"%PDF-1.7\n...", 0), Ok(DocumentKind::Pdf));
        assert_eq!(judge_document(b"\x89PNG\r\n\x1a\n....", 4), Ok(DocumentKind::Png));
        assert_eq!(judge_document(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], 0), Ok(DocumentKind::Jpeg));
        // A program named invoice.pdf is still a program.
        assert_eq!(judge_document(b"MZ\x90\x00\x03\x00", 0), Err(DocumentProblem::NotAllowed));
        assert_eq!(judge_document(b"\x7fELF\x02\x01", 0), Err(DocumentProblem::NotAllowed));
        assert_eq!(judge_document(b"", 0), Err(DocumentProblem::Empty));
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_DOCUMENT_BYTES, b' ');
        assert_eq!(judge_document(&big, 0), Ok(DocumentKind::Pdf), "10 MB exactly");
        big.push(b' ');
        assert_eq!(judge_document(&big, 0), Err(DocumentProblem::TooLarge { max_bytes: MAX_DOCUMENT_BYTES }));
        assert_eq!(judge_document(b"%PDF-1.7", 5), Err(DocumentProblem::TooMany { max: 5 }));
    }
}
