//! What a renewal will charge: the price book and the pricing of one subscription's next term.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::eligibility::{PaymentRefusal, method_allowed};
use crate::domain::ids::ProductId;
use crate::domain::money::{Currency, Money, MoneyError, UsdRates};
use crate::domain::pricing::{
    Instalment, LinePrice, PriceList, Promotion, Purchase, Span, Totals, best_promotion, instalments, price_line,
    totals,
};
use crate::domain::tax::{TaxError, rate_for};
use crate::domain::term::Term;
use crate::domain::time::term_end;
use crate::server::store::records::Subscription;
use crate::server::store::{StoreResult, Tx};

/// Price lists, promotions and conversion rates: everything pricing reads besides the
/// subscription itself.
#[derive(Debug, Clone)]
pub struct Book {
    pub prices: PriceList,
    pub promotions: Vec<Promotion>,
    pub rates: UsdRates,
}

impl Book {
    pub async fn load(tx: &mut Tx, rates: &UsdRates) -> StoreResult<Book> {
        Ok(Book { prices: tx.price_list().await?, promotions: tx.promotions().await?, rates: rates.clone() })
    }
}

/// The price of a subscription's next term, as the renewal will charge it.
#[derive(Debug, Clone)]
pub struct PricedRenewal {
    pub term: Term,
    pub seats: u32,
    pub line: LinePrice,
    pub totals: Totals,
    pub promotion: Option<String>,
    pub renewal_day: NaiveDate,
    pub new_end: DateTime<Utc>,
    /// When the total falls due, with each part's tax (R-PAY-8): net and tax are split
    /// separately, so the parts add up exactly to both.
    pub schedule: Vec<Instalment>,
}

/// Why a renewal cannot be priced or paid the way it is set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenewalProblem {
    #[error("the seat count {0} is invalid")]
    InvalidSeats(i64),
    #[error("product {product} has no {} price in {} on {day}", .term.label(), .currency.code())]
    NoPrice { product: ProductId, term: Term, currency: Currency, day: NaiveDate },
    #[error(transparent)]
    Tax(#[from] TaxError),
    #[error(transparent)]
    Payment(#[from] PaymentRefusal),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// One seat count and term of a subscription's next term, priced on a given day.
#[derive(Debug, Clone)]
pub struct RenewalLine {
    pub term: Term,
    pub seats: u32,
    /// The price of one seat for one term that day.
    pub unit: Money,
    pub line: LinePrice,
    pub promotion: Option<String>,
    /// The first local day of the new term: the renewal date, which does not move (R-REN-2).
    pub renewal_day: NaiveDate,
    pub new_end: DateTime<Utc>,
}

/// Prices the next term of `sub` with the price list and renewal promotion of `day`: the seats
/// and term chosen for the renewal (R-SUB-3), one whole term from the renewal date.
pub fn renewal_line(book: &Book, sub: &Subscription, day: NaiveDate) -> Result<RenewalLine, RenewalProblem> {
    let term = sub.term_at_renewal.unwrap_or(sub.term);
    let wanted = sub.seats_at_renewal.unwrap_or(sub.seats);
    renewal_line_as(book, sub, day, wanted, term)
}

/// Prices the next term of `sub` as `seats` seats on `term` (a renewal quote's choice, R-SUB-3)
/// with the price list and renewal promotion of `day`, one whole term from the renewal date.
pub fn renewal_line_as(
    book: &Book,
    sub: &Subscription,
    day: NaiveDate,
    wanted: i64,
    term: Term,
) -> Result<RenewalLine, RenewalProblem> {
    let seats = u32::try_from(wanted).ok().filter(|s| *s > 0).ok_or(RenewalProblem::InvalidSeats(wanted))?;
    let unit = book.prices.price(sub.product_id, term, sub.currency, day).ok_or(RenewalProblem::NoPrice {
        product: sub.product_id,
        term,
        currency: sub.currency,
        day,
    })?;
    let promo = best_promotion(&book.promotions, sub.product_id, term, Purchase::Renewal, day);
    let line = price_line(unit, term, seats, Span { whole_terms: 1, days: 0 }, promo)?;
    let renewal_day = sub.renewal_day();
    Ok(RenewalLine {
        term,
        seats,
        unit,
        line,
        promotion: promo.map(|p| p.name.clone()),
        renewal_day,
        new_end: term_end(renewal_day, term, sub.time_zone),
    })
}

/// The next term of `sub` priced on its renewal date with its tax, whatever pays it.
pub fn renewal_totals(book: &Book, sub: &Subscription) -> Result<(RenewalLine, Totals), RenewalProblem> {
    let r = renewal_line(book, sub, sub.renewal_day())?;
    let totals = totals(sub.currency, &[r.line], rate_for(&sub.tax_address)?)?;
    Ok((r, totals))
}

/// Prices the next term of `sub` on its renewal date: the seats and term chosen for the
/// renewal, the price list of that day, the best renewal promotion (R-QUOTE-5), tax from the
/// customer's address (R-CUST-3), the payment method's limit (R-PAY-2) and instalments (R-PAY-8).
pub fn price_renewal(book: &Book, sub: &Subscription) -> Result<PricedRenewal, RenewalProblem> {
    let (r, totals) = renewal_totals(book, sub)?;
    if let Some(kind) = sub.payment_kind {
        method_allowed(kind, totals.subtotal, &book.rates)?;
    }
    Ok(PricedRenewal {
        term: r.term,
        seats: r.seats,
        line: r.line,
        totals,
        promotion: r.promotion,
        renewal_day: r.renewal_day,
        new_end: r.new_end,
        schedule: instalments(&totals, r.term, r.renewal_day)?,
    })
}
