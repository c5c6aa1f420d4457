//! Making renewal quotes: self-service from the cart or the bulk renew screen (R-QUOTE-2,
//! R-BULK-4), and by the engine 30 days before the renewal date (R-QUOTE-6). Both price the
//! next terms as the cart does (today's price list and renewal promotions, R-QUOTE-5; tax from
//! the customer's address, R-CUST-3), write the quote as sent, and mail it with its PDF to the
//! buyers and the chosen recipients (R-QUOTE-1, R-QUOTE-7). Accepting goes through the checkout
//! (`checkout::place_quote`), at the quote's prices.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::RngCore;

use crate::contract::dto::{CotermView, HumanCheckView, QuoteDraft, QuoteDraftLine};
use crate::contract::error::AppError;
use crate::contract::problem::{Problem, RenewRefused};
use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::checkout::{OrderGroup, RenewBlock, judge_cart_renewal};
use crate::domain::human_check::{self, Question};
use crate::domain::ids::{IdempotencyKey, QuoteId, SubscriptionId};
use crate::domain::locale::Locale as Lang;
use crate::domain::mail_routing::{MailKind, Recipient, recipients};
use crate::domain::money::{Money, UsdRates};
use crate::domain::payment::PaymentKind;
use crate::domain::pricing::{LinePrice, Totals};
use crate::domain::quote::{
    MAX_EXTRA_RECIPIENTS, MAX_SELF_SERVICE_PER_DAY, QuoteKind, QuoteLineFacts, QuoteOrigin, QuoteRecipients,
    SelfServiceRefusal, changes_subscription, generated_quote_due, judge_issue_day, judge_quote_lines,
    judge_quoted_seats, last_valid_day, read_recipients,
};
use crate::domain::renewal::renewal_window;
use crate::domain::selection::{BulkSelection, join_ids};
use crate::domain::term::Term;
use crate::domain::time::{expiry_instant, local_date, start_of_day};
use crate::server::documents::{PrintLine, QuotePrint, quote_pdf};
use crate::server::mail;
use crate::server::services::buyer_contacts;
use crate::server::services::checkout::{
    cart_facts, extension_fingerprint, fingerprint, last_day, load, load_pair, price_extension, price_lines, refused,
};
use crate::server::services::engine::pricing::{Book, renewal_line_as};
use crate::server::store::records::*;
use crate::server::store::{Store, StoreResult, Tx};

/// The longest customer name or address printed on a quote, in characters.
pub const MAX_CUSTOMER_TEXT: usize = 200;

/// What the buyer asks a quote for: the subscriptions, the term, and the seats of each
/// (`None`: as each renews now); or, with `align`, a co-term: one subscription extended to end
/// with the one `align` names (R-QUOTE-2, R-PRICE-2, R-PRICE-4).
#[derive(Debug, Clone)]
pub struct QuoteRequest {
    pub selection: BulkSelection,
    pub term: Option<Term>,
    pub seats: Vec<(SubscriptionId, i64)>,
    pub align: Option<SubscriptionId>,
}

impl QuoteRequest {
    /// Reads "id:seats,id:seats"; a malformed pair is a malformed form.
    pub fn parse_seats(text: &str) -> Result<Vec<(SubscriptionId, i64)>, AppError> {
        text.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (id, n) = pair.split_once(':').ok_or(Problem::MalformedForm)?;
                let id = id.trim().parse::<SubscriptionId>().map_err(|_| Problem::MalformedForm)?;
                let n = n.trim().parse::<i64>().map_err(|_| Problem::MalformedForm)?;
                Ok((id, n))
            })
            .collect::<Result<_, Problem>>()
            .map_err(|p| AppError::validation("seats", p))
    }
}

/// One line of a quote, checked and priced: `sub` from where its current term ends to `end`.
struct QuotedLine<'a> {
    sub: &'a Subscription,
    seats: u32,
    term: Term,
    /// The price of one seat for one term.
    unit: Money,
    price: LinePrice,
    promotion: Option<String>,
    /// The first local day bought (the renewal date) and the instant the period bought ends.
    first_day: NaiveDate,
    end: DateTime<Utc>,
}

/// A quote's lines, checked and priced: renewals (each a next term) or one co-term (an
/// extension to another subscription's end).
struct Quoted<'a> {
    kind: QuoteKind,
    term: Term,
    lines: Vec<QuotedLine<'a>>,
    totals: Totals,
    /// What the review showed (R-PRICE-5): sending checks it is still so.
    fingerprint: String,
    /// Subscriptions whose seats or term change while auto-renew is on (R-REN-4).
    auto_renew_off: Vec<SubscriptionId>,
    last_day: NaiveDate,
}

impl Quoted<'_> {
    fn first(&self) -> &Subscription {
        self.lines[0].sub
    }
}

/// What R-QUOTE-3 judges of a line of `kind` for `s`: renewals and co-terms are quoted in the
/// subscription's own currency, from its renewal date (never a future start).
fn line_facts(kind: QuoteKind, s: &Subscription) -> QuoteLineFacts<'_> {
    QuoteLineFacts {
        kind,
        csn: &s.csn,
        currency: s.currency,
        subscription_currency: Some(s.currency),
        partner_csn: s.partner_csn.as_deref(),
        licence_type: &s.licence_type,
        future_start: false,
    }
}

fn self_service(why: SelfServiceRefusal) -> AppError {
    AppError::validation("ids", Problem::QuoteNotSelfService(why))
}

/// Checks and prices the next terms of `subs` as one renewal quote made `now`: each renewable
/// now (R-REN-2) and inside the issue window (R-QUOTE-9); one customer number, currency,
/// partner and licence type (R-QUOTE-3, R-SUB-6); seats kept or reduced, never added
/// (R-QUOTE-4); one term that every product is sold with. Subscriptions that cannot be quoted
/// are refused together, with their reasons.
fn quote_lines<'a>(
    book: &Book,
    subs: &'a [Subscription],
    request: &QuoteRequest,
    now: DateTime<Utc>,
) -> Result<Quoted<'a>, AppError> {
    let mut blocked: Vec<RenewRefused> = Vec::new();
    for s in subs {
        if let Err(reason) = judge_cart_renewal(&cart_facts(s), now) {
            blocked.push(refused(s, reason));
            continue;
        }
        if let Err(why) = judge_issue_day(s.renewal_day(), local_date(now, s.time_zone)) {
            let reason = match why {
                SelfServiceRefusal::TooEarly(d) => RenewBlock::TooEarly(d),
                SelfServiceRefusal::TooLate(d) => RenewBlock::TooLate(d),
                _ => RenewBlock::NoPrice,
            };
            blocked.push(refused(s, reason));
        }
    }
    if !blocked.is_empty() {
        return Err(AppError::validation("ids", Problem::RenewRefused { refused: blocked }));
    }
    let facts: Vec<QuoteLineFacts<'_>> = subs.iter().map(|s| line_facts(QuoteKind::Renewal, s)).collect();
    judge_quote_lines(&facts).map_err(self_service)?;
    let first = &subs[0];
    let term = request.term.unwrap_or(first.term_at_renewal.unwrap_or(first.term));
    let mut lines = Vec::with_capacity(subs.len());
    let mut auto_renew_off = Vec::new();
    let mut closes = Vec::with_capacity(subs.len());
    for s in subs {
        let asked = request.seats.iter().find(|(id, _)| *id == s.id).map(|(_, n)| *n);
        let seats = judge_quoted_seats(s.seats, asked.unwrap_or(s.seats_at_renewal.unwrap_or(s.seats)))
            .map_err(|why| AppError::validation("seats", Problem::QuoteNotSelfService(why)))?;
        let line = renewal_line_as(book, s, local_date(now, s.time_zone), i64::from(seats), term).map_err(|_| {
            AppError::validation("term", Problem::RenewRefused { refused: vec![refused(s, RenewBlock::NoPrice)] })
        })?;
        if s.auto_renew && changes_subscription(s.seats, s.term, seats, term) {
            auto_renew_off.push(s.id);
        }
        // The last day it can still be renewed, as checkout will judge it when the quote is bought.
        closes.push(renewal_window(s.term_end, cart_facts(s).term, s.time_zone).closes);
        lines.push(line);
    }
    let group = OrderGroup {
        csn: first.csn.clone(),
        currency: first.currency,
        payment_method_id: first.payment_method_id.map_or(0, |m| m.get()),
        licence_type: first.licence_type.clone(),
        term,
    };
    let priced = price_lines(group, subs.iter().collect(), lines, now)
        .map_err(|bad| AppError::validation("ids", Problem::RenewRefused { refused: bad }))?;
    let today = local_date(now, first.time_zone);
    let fingerprint = fingerprint(&priced);
    Ok(Quoted {
        kind: QuoteKind::Renewal,
        term,
        lines: priced
            .subs
            .iter()
            .zip(priced.lines)
            .map(|(s, l)| QuotedLine {
                sub: s,
                seats: l.seats,
                term: l.term,
                unit: l.unit,
                price: l.line,
                promotion: l.promotion,
                first_day: l.renewal_day,
                end: l.new_end,
            })
            .collect(),
        totals: priced.price.totals,
        fingerprint,
        auto_renew_off,
        last_day: last_valid_day(today, &closes),
    })
}

/// Checks and prices a co-term quote made `now` (R-QUOTE-2, R-QUOTE-3): `s` extended from its
/// renewal date to end with `target`, as checkout would extend it today (R-PRICE-2, R-PRICE-4:
/// within its renewal period, no backdating, at most 39 or 36 months), all its seats on its own
/// term. It can be accepted until the day before `s` renews: from then on it would extend a
/// term that has ended.
fn coterm_lines<'a>(
    book: &Book,
    s: &'a Subscription,
    target: &Subscription,
    request: &QuoteRequest,
    now: DateTime<Utc>,
) -> Result<Quoted<'a>, AppError> {
    judge_quote_lines(&[line_facts(QuoteKind::Coterm, s)]).map_err(self_service)?;
    let asked = request.seats.iter().find(|(id, _)| *id == s.id).map(|(_, n)| *n);
    if asked.is_some_and(|n| n != s.seats) || request.term.is_some_and(|t| t != s.term) {
        return Err(AppError::validation(
            "seats",
            Problem::QuoteNotSelfService(SelfServiceRefusal::CotermAsItIs { seats: s.seats }),
        ));
    }
    let p = price_extension(book, s, target, now)?;
    let fingerprint = extension_fingerprint(s, target, &p);
    let today = local_date(now, s.time_zone);
    let renewal = s.renewal_day();
    let seats = u32::try_from(s.seats).map_err(|_| AppError::Internal)?;
    Ok(Quoted {
        kind: QuoteKind::Coterm,
        term: s.term,
        lines: vec![QuotedLine {
            sub: s,
            seats,
            term: s.term,
            unit: p.unit,
            price: p.line,
            promotion: p.promotion,
            first_day: renewal,
            end: target.term_end,
        }],
        totals: p.price.totals,
        fingerprint,
        auto_renew_off: Vec::new(),
        last_day: last_valid_day(today, &[renewal - Duration::days(1)]),
    })
}

/// The subscriptions a request quotes, of the actor's organisation (locked when sending), and
/// for a co-term the one it aligns with.
async fn load_request(
    tx: &mut Tx,
    actor: &Actor,
    request: &QuoteRequest,
    lock: bool,
) -> Result<(Vec<Subscription>, Option<Subscription>), AppError> {
    match request.align {
        None => Ok((load(tx, actor, request.selection.ids(), lock).await?, None)),
        Some(target) => {
            let &[id] = request.selection.ids() else {
                return Err(AppError::validation("ids", Problem::MalformedForm));
            };
            let (s, t) = load_pair(tx, actor, id, target, lock).await?;
            Ok((vec![s], Some(t)))
        }
    }
}

/// The terms every product of `subs` is sold with in their currency today.
fn common_terms(book: &Book, subs: &[Subscription], now: DateTime<Utc>) -> Vec<Term> {
    Term::ALL
        .into_iter()
        .filter(|t| {
            subs.iter().all(|s| book.prices.price(s.product_id, *t, s.currency, local_date(now, s.time_zone)).is_some())
        })
        .collect()
}

/// A new human check for `actor`, its answer kept in the store.
async fn ask_check(tx: &mut Tx, actor: &Actor, now: DateTime<Utc>) -> StoreResult<HumanCheckView> {
    let mut bytes = [0u8; 2];
    rand::thread_rng().fill_bytes(&mut bytes);
    let q = Question::from_bytes(bytes[0], bytes[1]);
    let nonce = IdempotencyKey::new().as_str().to_string();
    tx.insert_human_check(&nonce, actor.user_id, q.answer(), now + Duration::minutes(human_check::VALID_MINUTES))
        .await?;
    Ok(HumanCheckView { nonce, a: q.a, b: q.b })
}

/// The review of a renewal quote before it is sent: its lines priced, the customer, the
/// possible recipients and a human check. Buyers only (R-REN-1).
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id, count = request.selection.len()))]
pub async fn draft(
    store: &Store,
    actor: &Actor,
    request: &QuoteRequest,
    rates: &UsdRates,
    now: DateTime<Utc>,
) -> Result<QuoteDraft, AppError> {
    authorize(actor, Action::Renew, actor.org_id)?;
    let mut tx = store.begin_write().await?;
    let (subs, target) = load_request(&mut tx, actor, request, false).await?;
    let book = Book::load(&mut tx, rates).await?;
    // Renewals that cannot be quoted now are shown apart, with why; the rest is the draft.
    let mut quotable: Vec<Subscription> = Vec::with_capacity(subs.len());
    let mut left_out: Vec<RenewRefused> = Vec::new();
    for s in subs {
        match judge_cart_renewal(&cart_facts(&s), now) {
            Err(reason) if target.is_none() => left_out.push(refused(&s, reason)),
            _ => quotable.push(s),
        }
    }
    if quotable.is_empty() {
        return Err(AppError::validation("ids", Problem::RenewRefused { refused: left_out }));
    }
    let q = quote_for(&book, &quotable, target.as_ref(), request, now)?;
    let first = q.first();
    let (customer_name, customer_address) =
        tx.customer_on_quote(first.customer_account_id).await?.ok_or(AppError::NotFound)?;
    let members = tx.org_members(actor.org_id).await?.into_iter().map(|m| (m.name, m.email)).collect();
    let check = ask_check(&mut tx, actor, now).await?;
    tx.delete_human_checks_before(now - Duration::hours(1)).await?;
    tx.commit().await?;
    let t = &q.totals;
    Ok(QuoteDraft {
        csn: first.csn.clone(),
        company_name: first.company_name.clone(),
        currency: first.currency,
        term: q.term,
        terms: if target.is_some() { vec![q.term] } else { common_terms(&book, &quotable, now) },
        align: target.as_ref().map(|t| CotermView {
            target: t.id,
            target_product: t.product_name.clone(),
            new_renewal: local_date(t.term_end, first.time_zone),
        }),
        lines: q
            .lines
            .iter()
            .map(|l| QuoteDraftLine {
                id: l.sub.id,
                product_name: l.sub.product_name.clone(),
                seats_now: l.sub.seats,
                seats: i64::from(l.seats),
                term: l.term,
                status: l.sub.status,
                auto_renew: l.sub.auto_renew,
                period_start: l.first_day,
                period_last_day: last_day(l.end, l.sub),
                unit_price: l.unit,
                discount: l.price.discount,
                promotion: l.promotion.clone(),
                net: l.price.net,
            })
            .collect(),
        left_out,
        list: t.list,
        discount: t.discount,
        subtotal: t.subtotal,
        tax_percent: t.rate.percent.normalize().to_string(),
        tax_exempt: first.tax_address.tax_exempt,
        tax: t.tax,
        total: t.total,
        last_day: q.last_day,
        customer_name,
        customer_address,
        members,
        max_extra: MAX_EXTRA_RECIPIENTS,
        auto_renew_off: q.auto_renew_off.clone(),
        fingerprint: q.fingerprint.clone(),
        ids: join_ids(&q.lines.iter().map(|l| l.sub.id).collect::<Vec<_>>()),
        seats: q.lines.iter().map(|l| format!("{}:{}", l.sub.id, l.seats)).collect::<Vec<_>>().join(","),
        check,
    })
}

/// Checks and prices what `request` asks: a co-term of `subs[0]` when `target` is given,
/// else the renewal of `subs`.
fn quote_for<'a>(
    book: &Book,
    subs: &'a [Subscription],
    target: Option<&Subscription>,
    request: &QuoteRequest,
    now: DateTime<Utc>,
) -> Result<Quoted<'a>, AppError> {
    match (target, subs) {
        (Some(t), [s]) => coterm_lines(book, s, t, request, now),
        (Some(_), _) => Err(AppError::validation("ids", Problem::MalformedForm)),
        (None, _) => quote_lines(book, subs, request, now),
    }
}

/// The send form as it arrives.
pub struct SendForm {
    pub request: QuoteRequest,
    pub fingerprint: String,
    pub members: Vec<String>,
    pub extra: Vec<String>,
    pub customer_name: String,
    pub customer_address: String,
    pub consent: bool,
    pub check_nonce: String,
    pub check_answer: String,
}

/// Splits the "other recipients" text into addresses: one per line, or separated by commas
/// or semicolons.
pub fn split_addresses(text: &str) -> Vec<String> {
    text.split(['\n', '\r', ',', ';']).map(str::trim).filter(|a| !a.is_empty()).map(String::from).collect()
}

/// One customer text as printed on a quote: trimmed, no control characters, not empty, at most
/// [`MAX_CUSTOMER_TEXT`] characters.
fn customer_text(field: &'static str, text: &str) -> Result<String, AppError> {
    let t = text.trim();
    if t.is_empty() || t.chars().any(char::is_control) {
        return Err(AppError::validation(field, Problem::MalformedForm));
    }
    if t.chars().count() > MAX_CUSTOMER_TEXT {
        return Err(AppError::validation(field, Problem::TooLong { max: MAX_CUSTOMER_TEXT }));
    }
    Ok(t.to_string())
}

/// Sends a self-service renewal quote (R-QUOTE-2, R-BULK-4): checked and priced as reviewed
/// (R-PRICE-5), with the human check passed, to the buyers, the chosen members and at most 4
/// others (R-QUOTE-1), the customer printed as edited for this quote only (R-QUOTE-8). A quote
/// that changes a subscription turns its auto-renew off with the buyer's consent (R-REN-4).
/// Once per form: a double submit answers with the first quote's number.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn send(
    store: &Store,
    actor: &Actor,
    form: &SendForm,
    rates: &UsdRates,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<String, AppError> {
    authorize(actor, Action::Renew, actor.org_id)?;
    let customer_name = customer_text("customer_name", &form.customer_name)?;
    let customer_address = customer_text("customer_address", &form.customer_address)?;
    let key = form.check_nonce.trim();
    let mut tx = store.begin_write().await?;
    if let Some(q) = tx.quote_by_creation_key(actor.org_id, key).await? {
        return Ok(q.number);
    }
    let members = tx.org_members(actor.org_id).await?;
    let addresses: Vec<String> = members.iter().map(|m| m.email.clone()).collect();
    let chosen = read_recipients(&addresses, &form.members, &form.extra)
        .map_err(|p| AppError::validation("extra", Problem::Recipients(p)))?;
    if tx.self_service_quotes_since(actor.user_id, now - Duration::hours(24)).await? >= MAX_SELF_SERVICE_PER_DAY {
        return Err(AppError::validation("ids", Problem::QuoteDailyLimit { max: MAX_SELF_SERVICE_PER_DAY }));
    }
    let (subs, target) = load_request(&mut tx, actor, &form.request, true).await?;
    let book = Book::load(&mut tx, rates).await?;
    let q = quote_for(&book, &subs, target.as_ref(), &form.request, now)?;
    if q.fingerprint != form.fingerprint.trim() {
        return Err(AppError::Conflict(Problem::ReviewStale));
    }
    if !q.auto_renew_off.is_empty() && !form.consent {
        return Err(AppError::validation("consent", Problem::AutoRenewConsentNeeded));
    }
    let answer = human_check::read_answer(&form.check_answer);
    match tx.answer_human_check(key, actor.user_id, answer, human_check::MAX_ATTEMPTS, now).await? {
        CheckOutcome::Passed => {}
        CheckOutcome::Wrong => {
            // The attempt counts: commit it, then refuse.
            tx.commit().await?;
            return Err(AppError::validation("check_answer", Problem::HumanCheckWrong));
        }
        CheckOutcome::Void => {
            drop(tx);
            // A double submit of the same form that lost the race finds the first one's quote.
            let mut tx = store.begin_read().await?;
            if let Some(q) = tx.quote_by_creation_key(actor.org_id, key).await? {
                return Ok(q.number);
            }
            return Err(AppError::validation("check_answer", Problem::HumanCheckVoid));
        }
    }
    let print = CustomerPrint { name: &customer_name, address: &customer_address };
    let written = write_quote(
        &mut tx,
        actor.org_id,
        Some(actor),
        &q,
        QuoteOrigin::SelfService,
        &print,
        &chosen,
        Some(key),
        now,
        base_url,
    )
    .await;
    let number = match written {
        Ok((_, number)) => number,
        Err(e) if e.is_unique_violation() => {
            drop(tx);
            let mut tx = store.begin_read().await?;
            return tx.quote_by_creation_key(actor.org_id, key).await?.map(|q| q.number).ok_or(AppError::Internal);
        }
        Err(e) => return Err(e.into()),
    };
    if !q.auto_renew_off.is_empty() {
        // R-REN-4, with the buyer's consent given on the form: off until the quote is completed.
        tx.set_auto_renew(actor.org_id, &q.auto_renew_off, false, now).await?;
        let audit: Vec<AuditEntry> = q
            .auto_renew_off
            .iter()
            .map(|id| AuditEntry {
                org_id: actor.org_id,
                actor: Some(actor.user_id),
                action: AuditAction::AutoRenewOff,
                object: AuditObject::Subscription(*id),
                detail: format!("turned off for quote {number}, which changes seats or term (R-REN-4)"),
                at: now,
            })
            .collect();
        tx.insert_audit(&audit).await?;
    }
    tx.commit().await?;
    Ok(number)
}

/// The customer as a quote prints it (R-QUOTE-8).
struct CustomerPrint<'a> {
    name: &'a str,
    address: &'a str,
}

/// Writes a checked, priced quote as sent, its lines and recipients, an audit entry per
/// subscription, and its mail with the PDF to each recipient in their language (R-QUOTE-7).
#[allow(clippy::too_many_arguments)]
async fn write_quote(
    tx: &mut Tx,
    org: crate::domain::ids::OrgId,
    actor: Option<&Actor>,
    q: &Quoted<'_>,
    origin: QuoteOrigin,
    customer: &CustomerPrint<'_>,
    chosen: &QuoteRecipients,
    key: Option<&str>,
    now: DateTime<Utc>,
    base_url: &str,
) -> StoreResult<(QuoteId, String)> {
    let first = q.first();
    let t = &q.totals;
    let expires_at = start_of_day(q.last_day + Duration::days(1), first.time_zone);
    let (id, number) = tx
        .insert_quote(&NewQuote {
            org_id: org,
            customer_account_id: first.customer_account_id,
            kind: q.kind,
            origin,
            currency: first.currency,
            subtotal: t.subtotal,
            discount: t.discount,
            tax: t.tax,
            total: t.total,
            partner_csn: q.lines.iter().find_map(|l| l.sub.partner_csn.as_deref()),
            customer_name: customer.name,
            customer_address: customer.address,
            expires_at,
            created_by: actor.map(|a| a.user_id),
            creation_key: key,
            created_at: now,
        })
        .await?;
    let lines: Vec<NewQuoteLine> = q
        .lines
        .iter()
        .map(|l| NewQuoteLine {
            subscription_id: l.sub.id,
            product_id: l.sub.product_id,
            seats: i64::from(l.seats),
            term: l.term,
            unit_price: l.unit,
            discount: l.price.discount,
            amount: l.price.net,
            promotion: l.promotion.clone(),
            period_start: l.sub.term_end,
            period_end: l.end,
        })
        .collect();
    // Who gets it: the buyers always (R-QUOTE-7), the chosen members and the others (R-QUOTE-1).
    let mut contacts = buyer_contacts(tx, org).await?;
    contacts.quote_recipients = recipients_in_their_language(tx, org, chosen.all()).await?;
    let to = recipients(MailKind::Quote, &contacts);
    let addresses: Vec<String> = to.iter().map(|r| r.address.clone()).collect();
    tx.insert_quote_lines(id, &lines, &addresses).await?;
    let what = if q.kind == QuoteKind::Coterm { "extends it to end with another subscription" } else { "renews it" };
    let audit: Vec<AuditEntry> = q
        .lines
        .iter()
        .map(|l| AuditEntry {
            org_id: org,
            actor: actor.map(|a| a.user_id),
            action: AuditAction::QuoteSent,
            object: AuditObject::Subscription(l.sub.id),
            detail: format!("{number} ({}) {what}, {}", origin.code(), t.total),
            at: now,
        })
        .collect();
    tx.insert_audit(&audit).await?;
    let print = QuotePrint {
        number: &number,
        created_on: local_date(now, first.time_zone),
        last_day: q.last_day,
        customer_name: customer.name,
        customer_address: customer.address,
        csn: &first.csn,
        partner: None,
        lines: q
            .lines
            .iter()
            .map(|l| PrintLine {
                product_name: l.sub.product_name.clone(),
                subscription_id: Some(l.sub.id),
                seats: i64::from(l.seats),
                term: l.term,
                period: Some((l.first_day, last_day(l.end, l.sub))),
                net: l.price.net,
                promotion: l.promotion.clone(),
            })
            .collect(),
        list: t.list,
        discount: t.discount,
        subtotal: t.subtotal,
        tax: t.tax,
        total: t.total,
    };
    queue_quote_mails(tx, org, &print, &to, now, base_url).await?;
    Ok((id, number))
}

/// Addresses as mail recipients: a member's in their language, anyone else's in the
/// organisation's default language.
async fn recipients_in_their_language(
    tx: &mut Tx,
    org: crate::domain::ids::OrgId,
    addresses: Vec<String>,
) -> StoreResult<Vec<Recipient>> {
    let members = tx.org_members(org).await?;
    let default_lang = tx.org_language(org).await?;
    Ok(addresses
        .into_iter()
        .map(|address| {
            let lang = members.iter().find(|m| m.email == address).map_or(default_lang, |m| m.lang);
            Recipient { address, lang }
        })
        .collect())
}

/// The quote's mail with its PDF, to each recipient in their language (R-QUOTE-7).
async fn queue_quote_mails(
    tx: &mut Tx,
    org: crate::domain::ids::OrgId,
    print: &QuotePrint<'_>,
    to: &[Recipient],
    now: DateTime<Utc>,
    base_url: &str,
) -> StoreResult<()> {
    for r in to {
        let file = quote_pdf(r.lang, print, base_url);
        tx.queue_mail(&mail::quote(org, &r.address, r.lang, print, file, base_url), now).await?;
    }
    Ok(())
}

/// A quote of the organisation as PDF, in `lang` (the reader's). Buyers only, like the quote.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn pdf_of(
    store: &Store,
    actor: &Actor,
    number: &str,
    lang: Lang,
    base_url: &str,
) -> Result<Attachment, AppError> {
    authorize(actor, Action::ViewQuotes, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let q = tx.quote_by_number(actor.org_id, number.trim()).await?.ok_or(AppError::NotFound)?;
    let lines = tx.quote_lines(q.id).await?;
    let print = print_of(&q, lines).ok_or(AppError::Internal)?;
    Ok(quote_pdf(lang, &print, base_url))
}

/// A stored quote as its PDF and mail print it; `None` if its amounts do not add up.
fn print_of(q: &QuoteRecord, lines: Vec<QuoteLineRecord>) -> Option<QuotePrint<'_>> {
    let tz = q.time_zone;
    Some(QuotePrint {
        number: &q.number,
        created_on: local_date(q.created_at, tz),
        last_day: local_date(expiry_instant(q.expires_at), tz),
        customer_name: &q.customer_name,
        customer_address: &q.customer_address,
        csn: &q.csn,
        partner: q.partner_name.clone().map(|n| (n, q.partner_csn.clone())),
        lines: lines
            .into_iter()
            .map(|l| PrintLine {
                product_name: l.product_name,
                subscription_id: l.subscription_id,
                seats: l.seats,
                term: l.term,
                period: l
                    .period_start
                    .zip(l.period_end)
                    .map(|(s, e)| (local_date(s, tz), local_date(expiry_instant(e), tz))),
                net: l.amount,
                promotion: l.promotion,
            })
            .collect(),
        list: q.subtotal.checked_add(q.discount).ok()?,
        discount: q.discount,
        subtotal: q.subtotal,
        tax: q.tax,
        total: q.total,
    })
}

/// Mails the quotes that arrived without their mail (a partner's, from outside the portal):
/// each active one once, whichever engine gets there first, to its recipients in their
/// language with the PDF and the Buy link (R-QUOTE-7). Quotes the portal makes are mailed when
/// they are made.
#[tracing::instrument(skip_all)]
pub async fn mail_arrived(store: &Store, now: DateTime<Utc>, base_url: &str) -> StoreResult<usize> {
    let mut tx = store.begin_write().await?;
    let waiting = tx.quotes_to_mail(now, 50).await?;
    let mut mailed = 0;
    for q in &waiting {
        if !tx.mark_quote_mailed(q.id, now).await? {
            continue;
        }
        let lines = tx.quote_lines(q.id).await?;
        let Some(print) = print_of(q, lines) else {
            tracing::error!(quote = %q.number, "a quote whose amounts do not add up is not mailed");
            continue;
        };
        let addresses = tx.quote_recipients(q.id).await?;
        let to = recipients_in_their_language(&mut tx, q.org_id, addresses).await?;
        queue_quote_mails(&mut tx, q.org_id, &print, &to, now, base_url).await?;
        mailed += 1;
    }
    tx.commit().await?;
    Ok(mailed)
}

/// The engine's renewal quotes (R-QUOTE-6): for each subscription whose auto-renew is off or
/// that pays by invoice, 30 days before its renewal date (a missed day is caught up until the
/// day before), one quote per term, mailed with its PDF to the buyers. Skipped when an active
/// quote already renews that term (a partner's, or a buyer's own), or when it cannot be
/// quoted (no price, not renewable). Safe with several engines: the term is claimed first.
#[tracing::instrument(skip_all)]
pub async fn generate_due(store: &Store, rates: &UsdRates, now: DateTime<Utc>, base_url: &str) -> StoreResult<usize> {
    let mut tx = store.begin_write().await?;
    let book = Book::load(&mut tx, rates).await?;
    let subs = tx.ending_between(now, now + Duration::days(crate::domain::quote::GENERATED_DAYS_BEFORE + 2)).await?;
    let mut made = 0;
    for s in subs {
        let today = local_date(now, s.time_zone);
        let invoice = s.payment_kind == Some(PaymentKind::Invoice);
        if !generated_quote_due(s.auto_renew, invoice, s.renewal_day(), today) {
            continue;
        }
        if tx.active_quote_renews(s.id, s.term_end, now).await?
            || !tx.claim_generated_quote(s.id, s.term_end, now).await?
        {
            continue;
        }
        let one = std::slice::from_ref(&s);
        let Ok(selection) = BulkSelection::from_ids(vec![s.id]) else { continue };
        let request = QuoteRequest { selection, term: None, seats: Vec::new(), align: None };
        let q = match quote_lines(&book, one, &request, now) {
            Ok(q) => q,
            Err(e) => {
                tracing::info!(subscription = %s.id, error = ?e, "no renewal quote: it cannot be quoted now");
                continue;
            }
        };
        let Some((name, address)) = tx.customer_on_quote(s.customer_account_id).await? else { continue };
        let customer = CustomerPrint { name: &name, address: &address };
        let none = QuoteRecipients::default();
        let (id, _) =
            write_quote(&mut tx, s.org_id, None, &q, QuoteOrigin::Automatic, &customer, &none, None, now, base_url)
                .await?;
        tx.set_generated_quote(s.id, s.term_end, id).await?;
        made += 1;
    }
    tx.commit().await?;
    Ok(made)
}
