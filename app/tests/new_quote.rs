//! Making renewal quotes through the services, on the demo data: a buyer's bulk renewal quote
//! (Cirrus Studios' direct-debit group), its recipients, the human check, R-REN-4's consent,
//! its PDF read back, accepting it at its prices, and the engine's quotes 30 days before the
//! renewal date. Each story once on SQLite and once on PostgreSQL.

use app::contract::dto::QuoteDraft;
use app::contract::error::AppError;
use app::contract::problem::Problem;
use app::domain::authz::Actor;
use app::domain::ids::{IdempotencyKey, SubscriptionId};
use app::domain::money::UsdRates;
use app::domain::quote::{QuoteOrigin, QuoteStatus, RecipientProblem, SelfServiceRefusal};
use app::domain::selection::BulkSelection;
use app::domain::term::Term;
use app::server::gateway::SimulatedGateway;
use app::server::services::checkout::{self, QuoteForm};
use app::server::services::new_quote::{self, QuoteRequest, SendForm};
use app::server::services::quotes;
use app::server::store::Store;
use app::server::testing::{demo_actor, execute, scalar, table_counts};
use chrono::Duration;

mod common;
use common::{BASE_URL, now};

const CIRRUS: &str = "(SELECT id FROM organisations WHERE name = 'Cirrus Studios')";

fn rates() -> UsdRates {
    UsdRates::default()
}

async fn ids(store: &Store, sql: &str) -> Vec<SubscriptionId> {
    let sql = sql.replace("{CIRRUS}", CIRRUS);
    let ids = match store {
        Store::Sqlite(p) => sqlx::query_scalar::<_, i64>(&sql).fetch_all(p).await.unwrap(),
        Store::Postgres(p) => sqlx::query_scalar::<_, i64>(&sql).fetch_all(p).await.unwrap(),
    };
    ids.into_iter().map(SubscriptionId).collect()
}

/// Cirrus' direct-debit renewals, soonest first.
async fn debit_group(store: &Store) -> Vec<SubscriptionId> {
    ids(
        store,
        "SELECT s.id FROM subscriptions s JOIN payment_methods pm ON pm.id = s.payment_method_id \
         WHERE s.org_id = {CIRRUS} AND pm.label = '•••• 3000' ORDER BY s.term_end_at, s.id",
    )
    .await
}

/// Cirrus' two 10-seat renewals on the card.
async fn card_pair(store: &Store) -> Vec<SubscriptionId> {
    ids(
        store,
        "SELECT s.id FROM subscriptions s JOIN payment_methods pm ON pm.id = s.payment_method_id \
         WHERE s.org_id = {CIRRUS} AND pm.label = 'Visa •••• 4242' AND s.status = 'active' ORDER BY s.term_end_at, s.id",
    )
    .await
}

fn request(ids: &[SubscriptionId], term: Option<Term>, seats: Vec<(SubscriptionId, i64)>) -> QuoteRequest {
    QuoteRequest { selection: BulkSelection::from_ids(ids.to_vec()).unwrap(), term, seats, align: None }
}

async fn draft(store: &Store, buyer: &Actor, r: &QuoteRequest) -> QuoteDraft {
    new_quote::draft(store, buyer, r, &rates(), now()).await.unwrap()
}

/// The send form as the draft's page fills it in, with the right answer.
fn form(d: &QuoteDraft, r: &QuoteRequest, extra: &[&str]) -> SendForm {
    SendForm {
        request: r.clone(),
        fingerprint: d.fingerprint.clone(),
        members: Vec::new(),
        extra: extra.iter().map(|s| s.to_string()).collect(),
        customer_name: d.customer_name.clone(),
        customer_address: d.customer_address.clone(),
        consent: false,
        check_nonce: d.check.nonce.clone(),
        check_answer: (i64::from(d.check.a) + i64::from(d.check.b)).to_string(),
    }
}

async fn send(store: &Store, buyer: &Actor, f: &SendForm) -> Result<String, AppError> {
    new_quote::send(store, buyer, f, &rates(), now(), BASE_URL).await
}

async fn count(store: &Store, sql: &str) -> i64 {
    scalar(store, &sql.replace("{CIRRUS}", CIRRUS)).await
}

/// Those of `all` renewing in 5 to 80 days and not held by an order: renewable now.
async fn renewable(store: &Store, all: Vec<SubscriptionId>) -> Vec<SubscriptionId> {
    let mut out = Vec::new();
    for id in all {
        let mut tx = store.begin_read().await.unwrap();
        let s = tx.subscription(id).await.unwrap().unwrap();
        let days = (s.term_end - now()).num_days();
        if (5..80).contains(&days) && s.pending_order_id.is_none() && s.payment_method_id.is_some() {
            out.push(id);
        }
    }
    out
}

const FOUR: [&str; 4] =
    ["procurement@cirrus-partner.example", "cfo@cirrus.example", "it@cirrus.example", "Assistant@Cirrus.example"];

both!(
    a_bulk_renewal_quote_goes_to_the_buyers_and_4_others_with_its_pdf_and_is_bought_at_its_prices,
    |store: Store| async move {
        // R-BULK-4: from the bulk renew screen, a renewal quote for the group: terms and quantities
        // reviewed, up to 4 recipients, sent. R-QUOTE-1: anyone in the company plus 4 others.
        // R-QUOTE-7: the mail carries the number, the expiry date and the total including
        // discounts, with the PDF; accepting it places one order at the quote's prices.
        let buyer = demo_actor(&store, "buyer@cirrus.example").await;
        let group = debit_group(&store).await;
        let r = request(&group[..5], None, Vec::new());
        let d = draft(&store, &buyer, &r).await;
        assert_eq!(d.lines.len(), 5);
        assert_eq!(d.term, Term::Annual);
        assert_eq!(d.max_extra, 4);
        // Valid for 30 days (none of these can stop being renewable sooner).
        let today = now().with_timezone(&chrono_tz::Europe::Berlin).date_naive();
        assert_eq!(d.last_day, today + Duration::days(30));
        let number = send(&store, &buyer, &form(&d, &r, &FOUR)).await.unwrap();
        assert!(number.starts_with("Q-"), "{number}");

        let q = quotes::quote(&store, &buyer, &number, &rates(), now()).await.unwrap();
        assert_eq!(q.summary.status, QuoteStatus::Active);
        assert_eq!(q.summary.origin, QuoteOrigin::SelfService);
        assert_eq!(q.summary.kind, app::domain::quote::QuoteKind::Renewal);
        assert_eq!(q.summary.expires_on, d.last_day);
        assert_eq!(q.summary.total, d.total);
        assert_eq!(q.lines.len(), 5);
        // The buyers and the four others, each once (the typed address lower-cased).
        let mut want: Vec<String> = FOUR.iter().map(|a| a.to_lowercase()).collect();
        want.push("buyer@cirrus.example".into());
        want.sort();
        assert_eq!(q.recipients, want);

        // One quote mail per recipient, each with the PDF; its text carries the number, the expiry
        // date and the total (read back with a PDF reader).
        let mails = count(
            &store,
            &format!("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'quote' AND subject LIKE '%{number}%'"),
        )
        .await;
        assert_eq!(mails, 5);
        let with_pdf = count(
        &store,
        &format!("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'quote' AND attachment_name = '{number}.pdf' AND attachment IS NOT NULL"),
    )
    .await;
        assert_eq!(with_pdf, 5);
        let mut tx = store.begin_read().await.unwrap();
        let mail = tx.outbox_for("buyer@cirrus.example", app::domain::mail_routing::MailKind::Quote).await.unwrap();
        drop(tx);
        let body = &mail.last().unwrap().body_text;
        assert!(body.contains(&number), "{body}");
        assert!(body.contains(&format!("/billing/quotes/{number}")), "the Buy link: {body}");
        let lang = app::domain::locale::Locale::En;
        assert!(body.contains(&lang.date_long(d.last_day)) && body.contains(&lang.money(d.total)), "{body}");
        let file = new_quote::pdf_of(&store, &buyer, &number, lang, BASE_URL).await.unwrap();
        let pdf = lopdf::Document::load_mem(&file.bytes).expect("a readable PDF");
        let text = pdf.extract_text(&pdf.get_pages().keys().copied().collect::<Vec<_>>()).unwrap();
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&number), "{flat}");
        assert!(flat.contains(&lang.date_long(d.last_day)), "{flat}");
        assert!(flat.contains(&lang.money(d.total).replace('\u{a0}', " ")), "{flat}");

        // Accepting it buys exactly what it quotes: one order linked to it, at its total.
        let checkout = match quotes::quote(&store, &buyer, &number, &rates(), now()).await.unwrap().acceptance {
            app::contract::dto::QuoteAcceptance::Open(c) => c,
            other => panic!("not open: {other:?}"),
        };
        let gateway = SimulatedGateway::new(store.clone());
        let accept = QuoteForm {
            number: number.clone(),
            payment_method: checkout.methods.iter().find(|m| m.refused.is_none()).unwrap().id,
            po_number: String::new(),
            key: IdempotencyKey::parse(&checkout.checkout_key).unwrap(),
        };
        let order = checkout::place_quote(&store, &gateway, &buyer, &accept, &rates(), now(), BASE_URL)
            .await
            .map(common::order)
            .unwrap();
        let total = count(&store, &format!("SELECT total_minor FROM orders WHERE number = '{order}'")).await;
        assert_eq!(total, d.total.minor());
        let q = quotes::quote(&store, &buyer, &number, &rates(), now()).await.unwrap();
        assert_eq!(q.summary.status, QuoteStatus::Accepted);
    }
);

both!(a_fifth_other_recipient_is_refused_and_nothing_is_sent, |store: Store| async move {
    // R-QUOTE-1: at most 4 additional contacts; the 5th is refused, never cut off silently.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let group = debit_group(&store).await;
    let r = request(&group[..2], None, Vec::new());
    let d = draft(&store, &buyer, &r).await;
    let before = table_counts(&store).await;
    let mut five = FOUR.to_vec();
    five.push("fifth@elsewhere.example");
    let err = send(&store, &buyer, &form(&d, &r, &five)).await.unwrap_err();
    assert_eq!(err, AppError::validation("extra", Problem::Recipients(RecipientProblem::TooMany { max: 4, given: 5 })));
    let err = send(&store, &buyer, &form(&d, &r, &["not-an-address"])).await.unwrap_err();
    assert_eq!(
        err,
        AppError::validation("extra", Problem::Recipients(RecipientProblem::Invalid("not-an-address".into())))
    );
    assert_eq!(table_counts(&store).await, before, "nothing changed");
    // The same form with 4 goes.
    assert!(send(&store, &buyer, &form(&d, &r, &FOUR)).await.is_ok());
});

both!(the_human_check_is_answered_once_and_a_double_submit_sends_one_quote, |store: Store| async move {
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let group = debit_group(&store).await;
    let r = request(&group[..2], None, Vec::new());
    let d = draft(&store, &buyer, &r).await;
    let mut wrong = form(&d, &r, &[]);
    wrong.check_answer = "99".into();
    let err = send(&store, &buyer, &wrong).await.unwrap_err();
    assert_eq!(err, AppError::validation("check_answer", Problem::HumanCheckWrong));
    assert_eq!(count(&store, "SELECT COUNT(*) FROM quotes WHERE origin = 'self_service'").await, 0);
    // The right answer sends it; the same form again (a double click, a replay) answers with
    // the same quote and sends nothing more.
    let right = form(&d, &r, &[]);
    let (a, b) = tokio::join!(send(&store, &buyer, &right), send(&store, &buyer, &right));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b);
    assert_eq!(send(&store, &buyer, &right).await.unwrap(), a);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM quotes WHERE origin = 'self_service'").await, 1);
    assert_eq!(
        count(&store, &format!("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'quote' AND subject LIKE '%{a}%'")).await,
        1
    );
    // Another buyer cannot use this check, and five wrong answers void a check.
    let d2 = draft(&store, &buyer, &r).await;
    let other = demo_actor(&store, "buyer@borealis.example").await;
    let err = send(&store, &other, &form(&d2, &r, &[])).await.unwrap_err();
    assert_eq!(err, AppError::NotFound, "another organisation's subscriptions are not found");
    let mut wrong = form(&d2, &r, &[]);
    wrong.check_answer = "x".into();
    for _ in 0..5 {
        assert_eq!(
            send(&store, &buyer, &wrong).await.unwrap_err(),
            AppError::validation("check_answer", Problem::HumanCheckWrong)
        );
    }
    let err = send(&store, &buyer, &form(&d2, &r, &[])).await.unwrap_err();
    assert_eq!(err, AppError::validation("check_answer", Problem::HumanCheckVoid));
});

both!(a_quote_that_changes_seats_or_term_turns_auto_renew_off_only_with_consent, |store: Store| async move {
    // R-REN-4: a renewal quote that changes the subscription needs auto-renew off until the
    // quote is completed; the portal turns it off with the buyer's explicit consent, never
    // silently. R-QUOTE-4: seats cannot be added through a quote.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let pair = card_pair(&store).await;
    assert_eq!(pair.len(), 2);
    execute(&store, &format!("UPDATE subscriptions SET auto_renew = TRUE WHERE id IN ({}, {})", pair[0], pair[1]))
        .await;
    let more = request(&pair, None, vec![(pair[0], 11)]);
    let err = new_quote::draft(&store, &buyer, &more, &rates(), now()).await.unwrap_err();
    assert_eq!(
        err,
        AppError::validation("seats", Problem::QuoteNotSelfService(SelfServiceRefusal::MoreSeats { seats: 10 }))
    );

    let fewer = request(&pair, None, vec![(pair[0], 6)]);
    let d = draft(&store, &buyer, &fewer).await;
    assert_eq!(d.auto_renew_off, vec![pair[0]], "only the changed one");
    assert_eq!(d.lines[0].seats, 6);
    let before = table_counts(&store).await;
    let err = send(&store, &buyer, &form(&d, &fewer, &[])).await.unwrap_err();
    assert_eq!(err, AppError::validation("consent", Problem::AutoRenewConsentNeeded));
    assert_eq!(table_counts(&store).await, before, "nothing changed without consent");
    let mut consented = form(&d, &fewer, &[]);
    consented.consent = true;
    let number = send(&store, &buyer, &consented).await.unwrap();
    let auto = |id: SubscriptionId| {
        format!("SELECT CAST(CASE WHEN auto_renew THEN 1 ELSE 0 END AS BIGINT) FROM subscriptions WHERE id = {id}")
    };
    assert_eq!(count(&store, &auto(pair[0])).await, 0, "turned off for the quote");
    assert_eq!(count(&store, &auto(pair[1])).await, 1, "unchanged one keeps auto-renew");
    let audit = format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'auto_renew.off' AND object_id = {} AND detail LIKE '%{number}%'",
        pair[0]
    );
    assert_eq!(count(&store, &audit).await, 1);
    let seats = format!(
        "SELECT seats FROM quote_lines WHERE subscription_id = {} AND quote_id = (SELECT id FROM quotes WHERE number = '{number}')",
        pair[0]
    );
    assert_eq!(count(&store, &seats).await, 6);
});

both!(quotes_mix_neither_customers_nor_currencies_and_are_refused_outside_the_window, |store: Store| async move {
    // R-QUOTE-3: one customer number and currency per quote. R-QUOTE-9: renewal quotes from
    // 90 days before the renewal date; the invoice-paid pair renews in 200 days.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let fi = ids(
        &store,
        "SELECT s.id FROM subscriptions s JOIN customer_accounts ca ON ca.id = s.customer_account_id \
        WHERE ca.csn = '5150001001' AND s.status = 'active' AND s.term_end_at > 0 ORDER BY s.term_end_at LIMIT 40",
    )
    .await;
    let se = ids(
        &store,
        "SELECT s.id FROM subscriptions s JOIN customer_accounts ca ON ca.id = s.customer_account_id \
        WHERE ca.country = 'SE' AND s.status = 'active' ORDER BY s.term_end_at LIMIT 40",
    )
    .await;
    let (fi, se) = (renewable(&store, fi).await, renewable(&store, se).await);
    let mixed = request(&[fi[0], se[0]], None, Vec::new());
    let err = new_quote::draft(&store, &buyer, &mixed, &rates(), now()).await.unwrap_err();
    assert!(
        matches!(
            err,
            AppError::Validation {
                problem: Problem::QuoteNotSelfService(
                    SelfServiceRefusal::MixedCustomers | SelfServiceRefusal::MixedCurrencies
                ),
                ..
            }
        ),
        "{err:?}"
    );
    let cirrus = demo_actor(&store, "buyer@cirrus.example").await;
    let far = ids(
        &store,
        "SELECT s.id FROM subscriptions s JOIN payment_methods pm ON pm.id = s.payment_method_id \
        WHERE s.org_id = {CIRRUS} AND pm.kind = 'invoice' ORDER BY s.id",
    )
    .await;
    let err = new_quote::draft(&store, &cirrus, &request(&far, None, Vec::new()), &rates(), now()).await.unwrap_err();
    assert!(matches!(err, AppError::Validation { problem: Problem::RenewRefused { .. }, .. }), "{err:?}");
});

both!(the_engine_makes_one_renewal_quote_per_term_also_on_two_engines, |store: Store| async move {
    // R-QUOTE-6: subscriptions with auto-renew off (all of Cirrus') get a renewal quote 30 days
    // before the renewal date, mailed to the buyers; once per term, however many engines run.
    let due = count(
        &store,
        "SELECT COUNT(*) FROM subscriptions WHERE org_id = {CIRRUS} AND status = 'active' AND auto_renew = FALSE",
    )
    .await;
    assert!(due > 20, "{due}");
    let r = rates();
    let (a, b) = tokio::join!(
        new_quote::generate_due(&store, &r, now(), BASE_URL),
        new_quote::generate_due(&store, &r, now(), BASE_URL)
    );
    let made = a.unwrap() + b.unwrap();
    assert!(made > 0);
    let (quotes_made, claims) = store.begin_read().await.unwrap().generated_quote_count().await.unwrap();
    assert_eq!(quotes_made as usize, made);
    assert!(claims >= quotes_made);
    // No subscription got two quotes for its term, and another pass makes none.
    let twice = "SELECT COUNT(*) FROM (SELECT ql.subscription_id FROM quote_lines ql JOIN quotes q ON q.id = ql.quote_id \
                 WHERE q.origin = 'automatic' GROUP BY ql.subscription_id, ql.period_start HAVING COUNT(*) > 1) t";
    assert_eq!(count(&store, twice).await, 0);
    assert_eq!(new_quote::generate_due(&store, &rates(), now(), BASE_URL).await.unwrap(), 0);
    // They were mailed when made: what is left to mail is the partner's active quote only.
    assert_eq!(new_quote::mail_arrived(&store, now(), BASE_URL).await.unwrap(), 1);
    // Each went to the buyers: Cirrus has one.
    let cirrus_quotes =
        count(&store, "SELECT COUNT(*) FROM quotes WHERE origin = 'automatic' AND org_id = {CIRRUS}").await;
    let cirrus_mail =
        count(&store, "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'quote' AND to_address = 'buyer@cirrus.example'")
            .await;
    assert!(cirrus_quotes > 0);
    assert_eq!(cirrus_mail, cirrus_quotes);
    // Only those renewing within 30 days: the soonest Cirrus renewal is in 5 days, the debit
    // group's last in 69; a quote is for a term ending within 31 days (local days).
    let late = "SELECT COUNT(*) FROM quote_lines ql JOIN quotes q ON q.id = ql.quote_id \
                WHERE q.origin = 'automatic' AND ql.period_start > $LIMIT";
    let limit = (now() + Duration::days(31)).timestamp();
    assert_eq!(count(&store, &late.replace("$LIMIT", &limit.to_string())).await, 0);
});

both!(a_partners_quote_is_mailed_once_to_its_recipients_with_its_pdf_also_on_two_engines, |store: Store| async move {
    // R-QUOTE-7: a quote that arrived from the partner reaches its recipients by mail, with its
    // number, expiry date, total and PDF; the replaced and the expired one are not mailed.
    let number = format!("Q-{}-0002", now().format("%Y"));
    let (a, b) = tokio::join!(
        new_quote::mail_arrived(&store, now(), BASE_URL),
        new_quote::mail_arrived(&store, now(), BASE_URL)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(new_quote::mail_arrived(&store, now(), BASE_URL).await.unwrap(), 0);
    let sent = |to: &str| {
        format!(
            "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'quote' AND to_address = '{to}' AND subject LIKE '%{number}%' AND attachment_name = '{number}.pdf'"
        )
    };
    for to in ["buyer@aurora.example", "buyer2@aurora.example", "procurement@aurora-design.example"] {
        assert_eq!(count(&store, &sent(to)).await, 1, "{to}");
    }
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'quote'").await,
        3,
        "only the active quote"
    );
});

/// A Cirrus Studios subscription of a product: the one renewing first, or last.
async fn cirrus(store: &Store, product: &str, last: bool) -> SubscriptionId {
    let order = if last { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT s.id FROM subscriptions s JOIN products p ON p.id = s.product_id \
         WHERE s.org_id = {CIRRUS} AND p.code = '{product}' ORDER BY s.term_end_at {order}, s.id LIMIT 1"
    );
    SubscriptionId(scalar(store, &sql).await)
}

fn coterm(id: SubscriptionId, target: SubscriptionId) -> QuoteRequest {
    QuoteRequest {
        selection: BulkSelection::from_ids(vec![id]).unwrap(),
        term: None,
        seats: Vec::new(),
        align: Some(target),
    }
}

async fn subscription(store: &Store, id: SubscriptionId) -> app::server::store::records::Subscription {
    let mut tx = store.begin_read().await.unwrap();
    tx.subscription(id).await.unwrap().unwrap()
}

/// Accepts quote `number` with the first method that can pay it.
async fn buy(store: &Store, buyer: &Actor, number: &str) -> Result<String, AppError> {
    let checkout = match quotes::quote(store, buyer, number, &rates(), now()).await.unwrap().acceptance {
        app::contract::dto::QuoteAcceptance::Open(c) => c,
        other => panic!("not open: {other:?}"),
    };
    let form = QuoteForm {
        number: number.to_string(),
        payment_method: checkout.methods.iter().find(|m| m.refused.is_none()).unwrap().id,
        po_number: String::new(),
        key: IdempotencyKey::parse(&checkout.checkout_key).unwrap(),
    };
    let gateway = SimulatedGateway::new(store.clone());
    checkout::place_quote(store, &gateway, buyer, &form, &rates(), now(), BASE_URL).await.map(common::order)
}

both!(a_coterm_quote_is_priced_as_the_extension_and_buying_it_aligns_the_renewal_date, |store: Store| async move {
    // R-QUOTE-2, R-QUOTE-3: a self-service co-term quote. R-PRICE-2, R-PRICE-4: the Meshworks
    // renewing in 10 days aligned with the one renewing in 69: the 59 days between at today's
    // price, exactly what the checkout's extension would charge (81.05 + 19 % VAT 15.40 = 96.45
    // EUR). It can be accepted until the day before the subscription renews; buying it places
    // one extension order at the quote's price, and the subscription then renews on the other's
    // date.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let id = cirrus(&store, "MESHWORKS", false).await;
    let target = cirrus(&store, "MESHWORKS", true).await;
    let (s, t) = (subscription(&store, id).await, subscription(&store, target).await);
    let extension = checkout::extension_review(&store, &buyer, id, target, &rates(), now()).await.unwrap();
    let r = coterm(id, target);
    let d = draft(&store, &buyer, &r).await;
    assert_eq!(d.lines.len(), 1);
    let line = &d.lines[0];
    assert_eq!((line.id, line.seats, line.term), (id, s.seats, s.term));
    assert_eq!(line.period_start, s.renewal_day());
    assert_eq!(line.period_last_day, extension.new_renewal - Duration::days(1));
    assert_eq!((d.subtotal, d.tax, d.total), (extension.subtotal, extension.tax, extension.total));
    assert_eq!(d.total.minor(), 96_45);
    assert_eq!(d.terms, vec![s.term], "a co-term keeps its term");
    let align = d.align.clone().expect("a co-term draft");
    assert_eq!((align.target, align.new_renewal), (target, extension.new_renewal));
    assert_eq!(d.last_day, s.renewal_day() - Duration::days(1), "until the day before it renews");
    assert!(d.auto_renew_off.is_empty(), "a co-term changes neither seats nor term (R-REN-4)");

    let number = send(&store, &buyer, &form(&d, &r, &["cfo@cirrus.example"])).await.unwrap();
    let kind =
        count(&store, &format!("SELECT COUNT(*) FROM quotes WHERE number = '{number}' AND kind = 'coterm'")).await;
    assert_eq!(kind, 1);
    let q = quotes::quote(&store, &buyer, &number, &rates(), now()).await.unwrap();
    assert_eq!((q.summary.status, q.summary.total, q.summary.expires_on), (QuoteStatus::Active, d.total, d.last_day));
    assert_eq!(q.summary.kind, app::domain::quote::QuoteKind::Coterm);
    let mails =
        count(&store, &format!("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'quote' AND subject LIKE '%{number}%'"))
            .await;
    assert_eq!(mails, 2, "the buyer and the one other recipient");

    let order = buy(&store, &buyer, &number).await.unwrap();
    let total = count(&store, &format!("SELECT total_minor FROM orders WHERE number = '{order}'")).await;
    assert_eq!(total, 96_45);
    let extensions = count(
        &store,
        &format!(
            "SELECT COUNT(*) FROM order_lines l JOIN orders o ON o.id = l.order_id \
             WHERE o.number = '{order}' AND l.kind = 'extension' AND l.subscription_id = {id}"
        ),
    )
    .await;
    assert_eq!(extensions, 1);
    let after = subscription(&store, id).await;
    assert_eq!((after.term_end, after.term_start, after.seats), (t.term_end, s.term_start, s.seats));
    let q = quotes::quote(&store, &buyer, &number, &rates(), now()).await.unwrap();
    assert_eq!(q.summary.status, QuoteStatus::Accepted);
    assert_eq!(q.order_number.as_deref(), Some(order.as_str()));
});

both!(
    a_coterm_quote_extends_the_subscription_as_it_is_and_refuses_what_the_extension_refuses,
    |store: Store| async move {
        // R-QUOTE-4: no seats added through a quote; a co-term extends every seat on its own term.
        // R-PRICE-4: no backdating. Each refusal says why and changes nothing.
        let buyer = demo_actor(&store, "buyer@cirrus.example").await;
        let id = cirrus(&store, "MESHWORKS", false).await;
        let target = cirrus(&store, "MESHWORKS", true).await;
        let s = subscription(&store, id).await;
        let before = table_counts(&store).await;
        let refuse = |r: QuoteRequest| {
            let store = store.clone();
            let buyer = buyer.clone();
            async move { new_quote::draft(&store, &buyer, &r, &rates(), now()).await.unwrap_err() }
        };
        let as_it_is = AppError::validation(
            "seats",
            Problem::QuoteNotSelfService(SelfServiceRefusal::CotermAsItIs { seats: s.seats }),
        );
        let mut more = coterm(id, target);
        more.seats = vec![(id, s.seats + 1)];
        assert_eq!(refuse(more).await, as_it_is);
        let other_term = if s.term == Term::Annual { Term::Monthly } else { Term::Annual };
        let mut term = coterm(id, target);
        term.term = Some(other_term);
        assert_eq!(refuse(term).await, as_it_is);
        // Aligning the later one with the earlier one would move its end date back.
        assert_eq!(
            refuse(coterm(target, id)).await,
            AppError::validation(
                "target",
                Problem::ExtensionRefused(app::domain::pricing::ExtensionRefusal::Backdating)
            )
        );
        // A co-term quote is one subscription; with itself there is nothing to align.
        let mut two = coterm(id, target);
        two.selection = BulkSelection::from_ids(vec![id, target]).unwrap();
        assert_eq!(refuse(two).await, AppError::validation("ids", Problem::MalformedForm));
        assert_eq!(refuse(coterm(id, id)).await, AppError::validation("target", Problem::NotListed));
        // An admin who is not a buyer cannot make one (R-ROLE-5).
        let admin = demo_actor(&store, "admin@cirrus.example").await;
        let err = new_quote::draft(&store, &admin, &coterm(id, target), &rates(), now()).await.unwrap_err();
        assert_eq!(err, AppError::Forbidden);
        assert_eq!(table_counts(&store).await, before, "nothing changed");
    }
);

both!(a_coterm_quote_is_outdated_once_the_subscription_was_extended_another_way, |store: Store| async move {
    // R-QUOTE-7: a quote is bought at its prices for what it describes; once the subscription
    // was extended at checkout its period starts elsewhere, so the quote is refused as outdated
    // (a new one is needed) and the list says so.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let id = cirrus(&store, "MESHWORKS", false).await;
    let target = cirrus(&store, "MESHWORKS", true).await;
    let r = coterm(id, target);
    let d = draft(&store, &buyer, &r).await;
    let number = send(&store, &buyer, &form(&d, &r, &[])).await.unwrap();
    let e = checkout::extension_review(&store, &buyer, id, target, &rates(), now()).await.unwrap();
    let gateway = SimulatedGateway::new(store.clone());
    let ext = checkout::ExtensionForm {
        id,
        target,
        fingerprint: e.fingerprint.clone(),
        payment_method: e.default_method,
        po_number: String::new(),
        key: IdempotencyKey::parse(&e.checkout_key).unwrap(),
    };
    checkout::place_extension(&store, &gateway, &buyer, &ext, &rates(), now(), BASE_URL).await.unwrap();
    let q = quotes::quote(&store, &buyer, &number, &rates(), now()).await.unwrap();
    assert_eq!(q.acceptance, app::contract::dto::QuoteAcceptance::Refused(app::domain::quote::AcceptRefusal::Outdated));
    let page = quotes::quotes(&store, &buyer, now()).await.unwrap();
    assert!(page.rows.iter().any(|row| row.number == number && row.outdated));
    let orders = count(
        &store,
        &format!("SELECT COUNT(*) FROM orders WHERE quote_id = (SELECT id FROM quotes WHERE number = '{number}')"),
    )
    .await;
    assert_eq!(orders, 0);
});

both!(a_coterm_quote_does_not_stand_in_for_the_engines_renewal_quote, |store: Store| async move {
    // R-QUOTE-6: the renewal quote 30 days before expiry is made even while a co-term quote of
    // the same subscription is active: a co-term aligns the end date, it does not renew it.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let id = cirrus(&store, "MESHWORKS", false).await;
    let target = cirrus(&store, "MESHWORKS", true).await;
    let r = coterm(id, target);
    let d = draft(&store, &buyer, &r).await;
    send(&store, &buyer, &form(&d, &r, &[])).await.unwrap();
    new_quote::generate_due(&store, &rates(), now(), BASE_URL).await.unwrap();
    let renewal_quotes = count(
        &store,
        &format!(
            "SELECT COUNT(*) FROM quote_lines ql JOIN quotes q ON q.id = ql.quote_id \
             WHERE ql.subscription_id = {id} AND q.origin = 'automatic' AND q.kind = 'renewal'"
        ),
    )
    .await;
    assert_eq!(renewal_quotes, 1);
});
