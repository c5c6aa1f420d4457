//! Invoices and their payments through the services, as buyers and payers use them: the list
//! and its balances (R-INV-1), paying one or several together exactly once (R-INV-2, R-PAY-2,
//! R-PAY-7), a late invoice's payment reactivating its subscription (R-LIFE-3), payers seeing
//! only their invoices (R-ROLE-6), and the invoice PDF (R-INV-3). Each story once on SQLite and
//! once on PostgreSQL.

use app::contract::dto::{InvoicePaymentState, InvoiceQuery, InvoiceSummary};
use app::contract::error::AppError;
use app::contract::problem::Problem;
use app::domain::authz::Actor;
use app::domain::eligibility::PaymentRefusal;
use app::domain::ids::{CustomerAccountId, IdempotencyKey, OrderId, OrgId, SubscriptionId};
use app::domain::invoice::{InvoiceFilter, InvoicePaymentRefusal, InvoiceStatus};
use app::domain::money::{Currency, Money, UsdRates};
use app::domain::payment::PaymentKind;
use app::domain::status::Status;
use app::server::gateway::SimulatedGateway;
use app::server::services::invoices::{self, BANK_TRANSFER, PayForm};
use app::server::store::Store;
use app::server::store::records::{NewInvoice, NewInvoiceLine};
use app::server::testing::{demo_actor, engine, execute, scalar, table_counts};
use chrono::{DateTime, Duration, Utc};

mod common;
use common::{BASE_URL, now};

fn rates() -> UsdRates {
    UsdRates::default()
}

async fn list(store: &Store, who: &Actor, status: &str) -> Vec<InvoiceSummary> {
    let q = InvoiceQuery { status: Some(status.into()), ..InvoiceQuery::default() };
    let mut rows = Vec::new();
    for page in 1.. {
        let p = invoices::invoices(store, who, &InvoiceQuery { page: Some(page), ..q.clone() }, now()).await.unwrap();
        rows.extend(p.rows);
        if page >= p.pages {
            break;
        }
    }
    rows
}

async fn pay(
    store: &Store,
    who: &Actor,
    numbers: &[&str],
    method: &str,
    key: &IdempotencyKey,
) -> Result<i64, AppError> {
    let gateway = SimulatedGateway::new(store.clone());
    let form = PayForm { numbers: numbers.join(","), method: method.into(), key: key.clone(), ..PayForm::default() };
    invoices::pay(store, &gateway, who, &form, &rates(), now(), BASE_URL).await.map(|id| id.get())
}

/// The id (as the pay form's value) of the customer number's method of `kind`.
async fn method_of(store: &Store, csn: &str, kind: PaymentKind) -> String {
    scalar(
        store,
        &format!(
            "SELECT pm.id FROM payment_methods pm JOIN customer_accounts ca ON ca.id = pm.customer_account_id \
             WHERE ca.csn = '{csn}' AND pm.kind = '{}'",
            kind.code()
        ),
    )
    .await
    .to_string()
}

async fn invoice_status(store: &Store, number: &str) -> (String, i64, i64) {
    let status: String = match store {
        Store::Sqlite(p) => {
            sqlx::query_scalar("SELECT status FROM invoices WHERE number = $1").bind(number).fetch_one(p).await
        }
        Store::Postgres(p) => {
            sqlx::query_scalar("SELECT status FROM invoices WHERE number = $1").bind(number).fetch_one(p).await
        }
    }
    .unwrap();
    let paid = scalar(store, &format!("SELECT paid_minor FROM invoices WHERE number = '{number}'")).await;
    let total = scalar(store, &format!("SELECT total_minor FROM invoices WHERE number = '{number}'")).await;
    (status, paid, total)
}

/// Writes `n` open invoices of one subscription (as the engine issues them), each for
/// `subtotal` plus 24% tax, due on `due_at`; returns their numbers.
async fn issue(
    store: &Store,
    prefix: &str,
    sub: i64,
    n: usize,
    subtotal: i64,
    due_at: DateTime<Utc>,
    payers: &[String],
) -> Vec<String> {
    let (org, account, currency) = {
        let org = scalar(store, &format!("SELECT org_id FROM subscriptions WHERE id = {sub}")).await;
        let account = scalar(store, &format!("SELECT customer_account_id FROM subscriptions WHERE id = {sub}")).await;
        let code: String = match store {
            Store::Sqlite(p) => {
                sqlx::query_scalar("SELECT currency FROM subscriptions WHERE id = $1").bind(sub).fetch_one(p).await
            }
            Store::Postgres(p) => {
                sqlx::query_scalar("SELECT currency FROM subscriptions WHERE id = $1").bind(sub).fetch_one(p).await
            }
        }
        .unwrap();
        (org, account, Currency::parse(&code).unwrap())
    };
    let order = scalar(store, "SELECT MIN(id) FROM orders").await;
    let mut tx = store.begin_write().await.unwrap();
    let mut numbers = Vec::new();
    for i in 0..n {
        let number = format!("INV-{prefix}{sub}-{i:03}");
        let money = |m| Money::from_minor(m, currency);
        let tax = subtotal * 24 / 100;
        let invoice = NewInvoice {
            org_id: OrgId(org),
            number: &number,
            customer_account_id: CustomerAccountId(account),
            order_id: OrderId(order),
            subtotal: money(subtotal),
            tax: money(tax),
            total: money(subtotal + tax),
            po_number: "PO-TEST",
            notes: "",
            issued_at: due_at - Duration::days(30),
            issued_on: (due_at - Duration::days(30)).date_naive(),
            due_at,
            replaces: None,
        };
        let line = NewInvoiceLine {
            subscription_id: Some(SubscriptionId(sub)),
            product_name: "Vectora CAD".into(),
            seats: 1,
            term: app::domain::term::Term::Annual,
            period_start: due_at - Duration::days(30),
            period_end: due_at + Duration::days(335),
            amount: money(subtotal),
        };
        tx.insert_invoice(&invoice, &[line], payers).await.unwrap();
        numbers.push(number);
    }
    tx.commit().await.unwrap();
    numbers
}

/// An Aurora subscription paid by invoice, on customer number `csn` if given.
async fn invoiced_subscription(store: &Store, csn: &str) -> i64 {
    scalar(
        store,
        &format!(
            "SELECT MIN(s.id) FROM subscriptions s JOIN customer_accounts ca ON ca.id = s.customer_account_id \
             JOIN payment_methods pm ON pm.id = s.payment_method_id \
             WHERE ca.csn = '{csn}' AND pm.kind = 'invoice' AND s.status = 'active'"
        ),
    )
    .await
}

both!(the_list_shows_unpaid_invoices_soonest_due_with_balances_and_overdue_ones_marked, |store: Store| async move {
    // R-INV-1: unpaid and paid invoices and the balances; sorted by due date; overdue marked.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let unpaid = list(&store, &buyer, "").await;
    assert!(unpaid.len() >= 3, "the demo has open invoices: {unpaid:?}");
    assert!(unpaid.iter().all(|i| matches!(i.status, InvoiceStatus::Open | InvoiceStatus::Pending)));
    assert!(unpaid.windows(2).all(|w| w[0].due_on <= w[1].due_on), "soonest due first");
    let today = now().date_naive();
    for i in &unpaid {
        // Payable through its due date, overdue from the day after (the demo's zones are all
        // within a day of UTC, and "now" is 09:00 UTC).
        assert_eq!(i.overdue, i.due_on < today, "{i:?}");
    }
    assert!(unpaid.iter().any(|i| i.overdue) && unpaid.iter().any(|i| !i.overdue), "{unpaid:?}");
    let paid = list(&store, &buyer, "paid").await;
    assert!(!paid.is_empty() && paid.iter().all(|i| i.status == InvoiceStatus::Paid && i.open_amount.is_zero()));
    assert_eq!(list(&store, &buyer, "all").await.len(), unpaid.len() + paid.len());

    // The balances add up the unpaid invoices per customer number and currency.
    let page = invoices::invoices(&store, &buyer, &InvoiceQuery::default(), now()).await.unwrap();
    assert_eq!(page.filter, InvoiceFilter::Unpaid);
    for b in &page.balances {
        let mine: Vec<&InvoiceSummary> =
            unpaid.iter().filter(|i| i.csn == b.csn && i.open_amount.currency() == b.owed.currency()).collect();
        let owed = Money::sum(b.owed.currency(), mine.iter().map(|i| i.open_amount)).unwrap();
        let late = Money::sum(b.owed.currency(), mine.iter().filter(|i| i.overdue).map(|i| i.open_amount)).unwrap();
        assert_eq!((b.owed, b.overdue, b.invoices), (owed, late, mine.len() as i64), "{b:?}");
    }
    // Filters: one customer number; issued in a window.
    let csn = unpaid[0].csn.clone();
    let q = InvoiceQuery { csn: Some(csn.clone()), ..InvoiceQuery::default() };
    let one = invoices::invoices(&store, &buyer, &q, now()).await.unwrap();
    assert!(!one.rows.is_empty() && one.rows.iter().all(|i| i.csn == csn));
    let day = unpaid[0].issued_on.to_string();
    let q =
        InvoiceQuery { status: Some("all".into()), from: Some(day.clone()), to: Some(day), ..InvoiceQuery::default() };
    let that_day = invoices::invoices(&store, &buyer, &q, now()).await.unwrap();
    assert!(that_day.rows.iter().any(|i| i.number == unpaid[0].number));
    // A filter that is not one is refused with a clear problem, not ignored.
    let bad = InvoiceQuery { status: Some("overdue-ish".into()), ..InvoiceQuery::default() };
    assert!(matches!(
        invoices::invoices(&store, &buyer, &bad, now()).await,
        Err(AppError::Validation { problem: Problem::NotListed, .. })
    ));
    let bad = InvoiceQuery { from: Some("1 May".into()), ..InvoiceQuery::default() };
    assert!(matches!(invoices::invoices(&store, &buyer, &bad, now()).await, Err(AppError::Validation { .. })));

    // One invoice's page: its lines add up to its subtotal, with its payers and PO number.
    let d = invoices::invoice(&store, &buyer, &unpaid[0].number, now()).await.unwrap();
    let lines = Money::sum(d.subtotal.currency(), d.lines.iter().map(|l| l.amount)).unwrap();
    assert_eq!(lines, d.subtotal);
    assert_eq!(d.subtotal.checked_add(d.tax).unwrap(), d.summary.total);
    assert_eq!(d.payers, ["payer1@aurora.example", "payer2@aurora.example"]);
    assert!(d.summary.po_number.starts_with("PO-"));
    assert!(d.payable);
});

both!(payers_see_only_the_invoices_they_pay_and_admins_none, |store: Store| async move {
    // R-ROLE-6: payers see invoices (theirs); R-ROLE-5: admins who are not buyers never see
    // billing; another organisation's invoice is not found.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let payer = demo_actor(&store, "payer1@aurora.example").await;
    let every = list(&store, &buyer, "all").await;
    assert_eq!(list(&store, &payer, "all").await.len(), every.len(), "the demo names payer1 on every invoice");
    let number = every[0].number.clone();
    execute(
        &store,
        &format!(
            "DELETE FROM invoice_payers WHERE email = 'payer1@aurora.example' \
             AND invoice_id = (SELECT id FROM invoices WHERE number = '{number}')"
        ),
    )
    .await;
    let theirs = list(&store, &payer, "all").await;
    assert_eq!(theirs.len(), every.len() - 1);
    assert!(theirs.iter().all(|i| i.number != number));
    assert!(matches!(invoices::invoice(&store, &payer, &number, now()).await, Err(AppError::NotFound)));
    let page = invoices::invoices(&store, &payer, &InvoiceQuery::default(), now()).await.unwrap();
    assert!(page.payer_only);
    // Paying it is refused as not found too, and nothing is written.
    let before = table_counts(&store).await;
    let r = pay(&store, &payer, &[&number], BANK_TRANSFER, &IdempotencyKey::new()).await;
    assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
    assert_eq!(table_counts(&store).await, before);

    let admin = demo_actor(&store, "admin@aurora.example").await;
    assert!(matches!(
        invoices::invoices(&store, &admin, &InvoiceQuery::default(), now()).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(invoices::invoice(&store, &admin, &number, now()).await, Err(AppError::Forbidden)));
    let stranger = demo_actor(&store, "buyer@borealis.example").await;
    assert!(matches!(invoices::invoice(&store, &stranger, &number, now()).await, Err(AppError::NotFound)));
    let r = pay(&store, &stranger, &[&number], BANK_TRANSFER, &IdempotencyKey::new()).await;
    assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
    assert_eq!(table_counts(&store).await, before);
});

both!(paying_a_late_invoice_reactivates_its_subscription_and_it_stays_active, |store: Store| async move {
    // R-LIFE-1, R-LIFE-3: an unpaid invoice past its due date put the subscription on its
    // lifecycle; paying it (here two together, by card, R-INV-2) brings it back, and the
    // lifecycle does not take it away again once the due date is long past.
    let payer = demo_actor(&store, "payer1@aurora.example").await;
    let unpaid = list(&store, &payer, "").await;
    let late = unpaid.iter().find(|i| i.overdue).expect("an overdue demo invoice").clone();
    let sub = scalar(
        &store,
        &format!(
            "SELECT il.subscription_id FROM invoice_lines il JOIN invoices i ON i.id = il.invoice_id \
             WHERE i.number = '{}'",
            late.number
        ),
    )
    .await;
    let engine = engine(&store, BASE_URL);
    engine.run_pass(now()).await.unwrap();
    let status = |store: Store| async move {
        let s = store.begin_read().await.unwrap().subscription(SubscriptionId(sub)).await.unwrap().unwrap();
        (s.status, s.unpaid_since)
    };
    let late_status = status(store.clone()).await.0;
    assert!(matches!(late_status, Status::Expired | Status::Suspended), "late since its due date: {late_status:?}");
    // A second invoice of the same customer number and currency, paid together with it.
    let numbers =
        issue(&store, "T", sub, 1, 100_00, now() + Duration::days(20), &["payer1@aurora.example".into()]).await;
    // Direct debit: no online limit (R-PAY-2), charged at once.
    let card = method_of(&store, &late.csn, PaymentKind::DirectDebit).await;
    let key = IdempotencyKey::new();
    let id = pay(&store, &payer, &[&late.number, &numbers[0]], &card, &key).await.unwrap();
    let view = invoices::payment(&store, &payer, app::domain::ids::PaymentId(id)).await.unwrap();
    assert_eq!(view.state, InvoicePaymentState::Succeeded);
    let together = late.open_amount.checked_add(Money::from_minor(124_00, late.open_amount.currency())).unwrap();
    assert_eq!(view.amount, together);
    assert_eq!(view.invoices.len(), 2);
    for n in [&late.number, &numbers[0]] {
        let (s, paid, total) = invoice_status(&store, n).await;
        assert_eq!((s.as_str(), paid), ("paid", total), "{n}");
    }
    assert_eq!(status(store.clone()).await, (Status::Active, None), "reactivated, nothing owed");
    let audit = scalar(&store, &format!("SELECT COUNT(*) FROM audit_log WHERE object_type = 'subscription' AND object_id = {sub} AND action = 'status.reactivated'")).await;
    assert_eq!(audit, 1);
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM audit_log WHERE action = 'invoice.paid'").await, 2);
    // The defect this fixes: a renewal paid by invoice turned Expired after its due date
    // whatever was paid. Weeks later it is still Active.
    engine.run_pass(now() + Duration::days(20)).await.unwrap();
    assert_eq!(status(store.clone()).await.0, Status::Active);
    // Paying again (the same form replayed) pays nothing more.
    assert_eq!(pay(&store, &payer, &[&late.number, &numbers[0]], &card, &key).await.unwrap(), id);
    let r = pay(&store, &payer, &[&late.number], &card, &IdempotencyKey::new()).await;
    assert!(
        matches!(&r, Err(AppError::Validation { problem: Problem::InvoicePayment(InvoicePaymentRefusal::AlreadyPaid(n)), .. }) if *n == late.number),
        "{r:?}"
    );
});

both!(twenty_invoices_paid_at_once_under_twenty_concurrent_replays_are_each_paid_once, |store: Store| async move {
    // R-INV-2: several invoices paid together are one payment; a double click or a replay
    // (the same form, 20 times at once) pays each invoice once and charges once.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let sub = invoiced_subscription(&store, "5150001001").await;
    let numbers = issue(&store, "T", sub, 20, 50_00, now() + Duration::days(10), &[]).await;
    let refs: Vec<&str> = numbers.iter().map(String::as_str).collect();
    let card = method_of(&store, "5150001001", PaymentKind::Card).await;
    let key = IdempotencyKey::new();
    let mut replays = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (store, buyer, numbers, card, key) =
            (store.clone(), buyer.clone(), refs.join(","), card.clone(), key.clone());
        replays.spawn(async move {
            let gateway = SimulatedGateway::new(store.clone());
            let form = PayForm { numbers, method: card, key, ..PayForm::default() };
            invoices::pay(&store, &gateway, &buyer, &form, &rates(), now(), BASE_URL).await.map(|id| id.get())
        });
    }
    let answers = replays.join_all().await;
    let first = *answers[0].as_ref().unwrap();
    assert!(answers.iter().all(|a| a.as_ref() == Ok(&first)), "one payment answers every replay: {answers:?}");
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM payments WHERE idempotency_key LIKE 'invoices:%'").await, 1);
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM payment_allocations").await - demo_allocations(&store).await, 20);
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM gateway_charges WHERE idempotency_key LIKE 'invoices:%'").await, 1);
    for n in &numbers {
        let (s, paid, total) = invoice_status(&store, n).await;
        assert_eq!((s.as_str(), paid, total), ("paid", 62_00, 62_00), "{n}");
    }

    // Twenty payers at once with twenty different forms for the same invoices: one pays, the
    // others are told they are being paid or paid already, and nothing is paid twice.
    let more = issue(&store, "U", sub, 20, 10_00, now() + Duration::days(11), &[]).await;
    let mut racers = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (store, buyer, numbers, card) = (store.clone(), buyer.clone(), more.join(","), card.clone());
        racers.spawn(async move {
            let gateway = SimulatedGateway::new(store.clone());
            let form = PayForm { numbers, method: card, key: IdempotencyKey::new(), ..PayForm::default() };
            invoices::pay(&store, &gateway, &buyer, &form, &rates(), now(), BASE_URL).await
        });
    }
    let answers = racers.join_all().await;
    assert_eq!(answers.iter().filter(|a| a.is_ok()).count(), 1, "{answers:?}");
    for a in answers.iter().filter_map(|a| a.as_ref().err()) {
        assert!(
            matches!(
                a,
                AppError::Validation {
                    problem: Problem::InvoicePayment(
                        InvoicePaymentRefusal::AlreadyPaid(_) | InvoicePaymentRefusal::PaymentPending(_)
                    ),
                    ..
                } | AppError::Conflict(Problem::InvoicePayment(
                    InvoicePaymentRefusal::AlreadyPaid(_) | InvoicePaymentRefusal::PaymentPending(_)
                ))
            ),
            "{a:?}"
        );
    }
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM payments WHERE idempotency_key LIKE 'invoices:%'").await, 2);
    assert_eq!(
        scalar(&store, "SELECT CAST(SUM(paid_minor) AS BIGINT) FROM invoices WHERE number LIKE 'INV-U%'").await,
        20 * 12_40,
        "each paid exactly once"
    );
});

/// Payments the demo data made (paid demo invoices, one allocation each).
async fn demo_allocations(store: &Store) -> i64 {
    scalar(store, "SELECT COUNT(*) FROM payment_allocations pa JOIN payments p ON p.id = pa.payment_id WHERE p.idempotency_key LIKE 'demo:%'").await
}

both!(invoices_that_cannot_be_paid_together_so_are_refused_and_nothing_changes, |store: Store| async move {
    // R-INV-2, R-PAY-2: card and PayPal stop above 25,000 USD before tax (the chosen invoices
    // together); voided and paid invoices cannot be paid; one payment is one customer number;
    // a method that is not offered is refused. Each: a clear problem, nothing written.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let us = invoiced_subscription(&store, "5150001003").await;
    let fi = invoiced_subscription(&store, "5150001001").await;
    let big = issue(&store, "T", us, 2, 12_500_01, now() + Duration::days(10), &[]).await;
    let card = method_of(&store, "5150001003", PaymentKind::Card).await;
    let paypal = method_of(&store, "5150001003", PaymentKind::PayPal).await;
    let before = table_counts(&store).await;
    let refs: Vec<&str> = big.iter().map(String::as_str).collect();
    for method in [&card, &paypal] {
        let r = pay(&store, &buyer, &refs, method, &IdempotencyKey::new()).await;
        assert!(
            matches!(
                r,
                Err(AppError::Validation { problem: Problem::PaymentRefused(PaymentRefusal::OverOnlineLimit(_)), .. })
            ),
            "{r:?}"
        );
    }
    // The review says so beside card and PayPal, and offers a bank transfer.
    let review = invoices::review_payment(&store, &buyer, &refs.join(","), "", &rates(), now()).await.unwrap();
    assert_eq!(review.amount.minor(), 2 * (12_500_01 + 12_500_01 * 24 / 100));
    for c in &review.choices {
        let limited = matches!(c.method.kind, PaymentKind::Card | PaymentKind::PayPal);
        assert_eq!(c.refused.is_some(), limited, "{c:?}");
        assert_ne!(c.method.kind, PaymentKind::Invoice, "an invoice is not paid by another invoice");
    }
    // One of them alone is under the limit.
    assert!(
        invoices::review_payment(&store, &buyer, refs[0], "", &rates(), now())
            .await
            .unwrap()
            .choices
            .iter()
            .all(|c| c.refused.is_none())
    );
    let other_csn = issue(&store, "T", fi, 1, 10_00, now() + Duration::days(10), &[]).await;
    let r = pay(&store, &buyer, &[refs[0], &other_csn[0]], BANK_TRANSFER, &IdempotencyKey::new()).await;
    assert!(
        matches!(
            r,
            Err(AppError::Validation {
                problem: Problem::InvoicePayment(
                    InvoicePaymentRefusal::MixedCustomerNumbers | InvoicePaymentRefusal::MixedCurrencies
                ),
                ..
            })
        ),
        "{r:?}"
    );
    let r = pay(&store, &buyer, &[refs[0]], "999999", &IdempotencyKey::new()).await;
    assert!(matches!(r, Err(AppError::Validation { problem: Problem::NotListed, .. })), "{r:?}");
    let invoice_method = method_of(&store, "5150001003", PaymentKind::Invoice).await;
    let r = pay(&store, &buyer, &[refs[0]], &invoice_method, &IdempotencyKey::new()).await;
    assert!(matches!(r, Err(AppError::Validation { problem: Problem::NotListed, .. })), "{r:?}");
    let r = pay(&store, &buyer, &[], BANK_TRANSFER, &IdempotencyKey::new()).await;
    assert!(
        matches!(
            r,
            Err(AppError::Validation { problem: Problem::InvoicePayment(InvoicePaymentRefusal::NoneChosen), .. })
        ),
        "{r:?}"
    );
    let r = pay(&store, &buyer, &["INV-1'; DROP TABLE invoices; --"], BANK_TRANSFER, &IdempotencyKey::new()).await;
    assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
    let many: Vec<String> = (0..101).map(|i| format!("INV-{i}")).collect();
    let r = pay(
        &store,
        &buyer,
        &many.iter().map(String::as_str).collect::<Vec<_>>(),
        BANK_TRANSFER,
        &IdempotencyKey::new(),
    )
    .await;
    assert!(
        matches!(
            r,
            Err(AppError::Validation {
                problem: Problem::InvoicePayment(InvoicePaymentRefusal::TooMany { max: 100, asked: 101 }),
                ..
            })
        ),
        "{r:?}"
    );
    let mut counts = before.clone();
    counts.insert("invoices".into(), before["invoices"] + 1);
    counts.insert("invoice_lines".into(), before["invoice_lines"] + 1);
    assert_eq!(table_counts(&store).await, counts, "nothing but the invoice this story issued");

    // A voided invoice is not paid.
    execute(&store, &format!("UPDATE invoices SET status = 'void' WHERE number = '{}'", refs[1])).await;
    let r = pay(&store, &buyer, &[refs[0], refs[1]], BANK_TRANSFER, &IdempotencyKey::new()).await;
    assert!(
        matches!(&r, Err(AppError::Validation { problem: Problem::InvoicePayment(InvoicePaymentRefusal::Voided(n)), .. }) if n == refs[1]),
        "{r:?}"
    );
    assert_eq!(invoice_status(&store, refs[0]).await.0, "open", "nothing claimed");

    // A bank transfer is pending (R-PAY-7) until the engine finds it registered.
    let id = pay(&store, &buyer, &[refs[0]], BANK_TRANSFER, &IdempotencyKey::new()).await.unwrap();
    assert_eq!(invoice_status(&store, refs[0]).await.0, "pending");
    let view = invoices::payment(&store, &buyer, app::domain::ids::PaymentId(id)).await.unwrap();
    assert_eq!((view.state, view.method.kind), (InvoicePaymentState::Pending, PaymentKind::BankTransfer));
    let r = pay(&store, &buyer, &[refs[0]], BANK_TRANSFER, &IdempotencyKey::new()).await;
    assert!(
        matches!(
            r,
            Err(AppError::Validation {
                problem: Problem::InvoicePayment(InvoicePaymentRefusal::PaymentPending(_)),
                ..
            })
        ),
        "{r:?}"
    );
    engine(&store, BASE_URL).run_pass(now() + Duration::hours(49)).await.unwrap();
    let (s, paid, total) = invoice_status(&store, refs[0]).await;
    assert_eq!((s.as_str(), paid), ("paid", total));

    // A declined card: the invoice is open again, to be paid another way.
    let declined = issue(&store, "D", fi, 1, 20_00, now() + Duration::days(12), &[]).await;
    let fi_card = method_of(&store, "5150001001", PaymentKind::Card).await;
    execute(&store, &format!("UPDATE payment_methods SET gateway_token = 'sim_card_0002' WHERE id = {fi_card}")).await;
    let id = pay(&store, &buyer, &[&declined[0]], &fi_card, &IdempotencyKey::new()).await.unwrap();
    let view = invoices::payment(&store, &buyer, app::domain::ids::PaymentId(id)).await.unwrap();
    assert_eq!(view.state, InvoicePaymentState::Failed);
    assert_eq!(invoice_status(&store, &declined[0]).await.0, "open");
});

both!(an_invoice_pdf_is_readable_and_its_mail_carries_it_with_a_link_to_its_page, |store: Store| async move {
    // R-INV-3, R-MAIL-4: the invoice's PDF (text extractable), attached to the invoice mail the
    // engine sends its payers, with a link to the invoice under Invoices and credit memos.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let unpaid = list(&store, &buyer, "").await;
    let i = &unpaid[0];
    for lang in [app::domain::locale::Locale::En, app::domain::locale::Locale::De] {
        let file = invoices::pdf_of(&store, &buyer, &i.number, lang, BASE_URL).await.unwrap();
        assert_eq!(file.file_name, format!("{}.pdf", i.number));
        let pdf = lopdf::Document::load_mem(&file.bytes).expect("a readable PDF");
        let text = pdf.extract_text(&pdf.get_pages().keys().copied().collect::<Vec<_>>()).unwrap();
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&i.number), "{flat}");
        assert!(flat.contains(&lang.date_long(i.due_on)), "{flat}");
        assert!(flat.contains(&lang.money(i.total).replace('\u{a0}', " ")), "{flat}");
        assert!(flat.contains(&i.po_number), "{flat}");
    }
    let admin = demo_actor(&store, "admin@aurora.example").await;
    assert!(matches!(
        invoices::pdf_of(&store, &admin, &i.number, Default::default(), BASE_URL).await,
        Err(AppError::Forbidden)
    ));

    // The engine renews a subscription paid by invoice: its payers get the invoice with its PDF.
    let sub = invoiced_subscription(&store, "5150001002").await;
    let end: i64 = scalar(&store, &format!("SELECT term_end_at FROM subscriptions WHERE id = {sub}")).await;
    execute(&store, &format!("UPDATE subscriptions SET unpaid_since = NULL WHERE id = {sub}")).await;
    let at = DateTime::from_timestamp(end, 0).unwrap() + Duration::hours(1);
    engine(&store, BASE_URL).run_pass(at).await.unwrap();
    let number = match &store {
        Store::Sqlite(p) => sqlx::query_scalar::<_, String>(
            "SELECT i.number FROM invoices i JOIN invoice_lines il ON il.invoice_id = i.id WHERE il.subscription_id = $1 ORDER BY i.id DESC LIMIT 1",
        )
        .bind(sub)
        .fetch_one(p)
        .await,
        Store::Postgres(p) => sqlx::query_scalar::<_, String>(
            "SELECT i.number FROM invoices i JOIN invoice_lines il ON il.invoice_id = i.id WHERE il.subscription_id = $1 ORDER BY i.id DESC LIMIT 1",
        )
        .bind(sub)
        .fetch_one(p)
        .await,
    }
    .unwrap();
    for payer in ["payer1@aurora.example", "payer2@aurora.example"] {
        let mails = {
            let mut tx = store.begin_read().await.unwrap();
            tx.outbox_for(payer, app::domain::mail_routing::MailKind::InvoiceToPayers).await.unwrap()
        };
        let m = mails.iter().find(|m| m.subject.contains(&number)).expect("the invoice mail");
        assert!(m.body_text.contains(&format!("{BASE_URL}/billing/invoices/{number}")), "{}", m.body_text);
        let attached = scalar(
            &store,
            &format!(
                "SELECT COUNT(*) FROM mail_outbox WHERE to_address = '{payer}' AND subject LIKE '%{number}%' \
                 AND attachment_name = '{number}.pdf' AND attachment IS NOT NULL"
            ),
        )
        .await;
        assert_eq!(attached, 1, "{payer}");
    }
});

both!(an_invoice_has_at_most_ten_payers_and_its_subscriptions_follow, |store: Store| async move {
    // R-INV-4, R-ROLE-6, R-EXT-10: a buyer adds payers up to 10; the 11th is refused with a
    // clear message and nothing changes; the subscriptions it bills get the same payers for
    // their next invoices; only buyers manage payers.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let unpaid = list(&store, &buyer, "").await;
    let number = unpaid[0].number.clone();
    let sub = scalar(
        &store,
        &format!("SELECT il.subscription_id FROM invoice_lines il JOIN invoices i ON i.id = il.invoice_id WHERE i.number = '{number}'"),
    )
    .await;
    let sub_payers = |store: Store| async move {
        scalar(&store, &format!("SELECT COUNT(*) FROM subscription_payers WHERE subscription_id = {sub}")).await
    };
    let eight: Vec<String> = (3..=10).map(|i| format!("Payer{i}@Aurora.example")).collect();
    let ten = invoices::manage_payers(&store, &buyer, &number, &eight.join("\n"), "", now(), BASE_URL).await.unwrap();
    assert_eq!(ten.len(), 10);
    assert!(ten.contains(&"payer10@aurora.example".to_string()), "lower-cased: {ten:?}");
    assert_eq!(sub_payers(store.clone()).await, 10);
    let before = table_counts(&store).await;
    let r = invoices::manage_payers(&store, &buyer, &number, "payer11@aurora.example", "", now(), BASE_URL).await;
    assert!(
        matches!(
            r,
            Err(AppError::Validation {
                problem: Problem::Payers(app::domain::invoice::PayerProblem::TooMany { max: 10, asked: 11 }),
                ..
            })
        ),
        "{r:?}"
    );
    let r =
        invoices::manage_payers(&store, &buyer, &number, "not-an-address", "payer3@aurora.example", now(), BASE_URL)
            .await;
    assert!(
        matches!(&r, Err(AppError::Validation { problem: Problem::Payers(app::domain::invoice::PayerProblem::NotAnEmail(a)), .. }) if a == "not-an-address"),
        "{r:?}"
    );
    assert_eq!(table_counts(&store).await, before, "nothing changed");
    assert_eq!(invoices::invoice(&store, &buyer, &number, now()).await.unwrap().payers.len(), 10);
    // One out, the 11th in: 10 again.
    let swapped = invoices::manage_payers(
        &store,
        &buyer,
        &number,
        "payer11@aurora.example",
        "PAYER3@aurora.example",
        now(),
        BASE_URL,
    )
    .await
    .unwrap();
    assert_eq!(swapped.len(), 10);
    assert!(
        swapped.contains(&"payer11@aurora.example".to_string())
            && !swapped.contains(&"payer3@aurora.example".to_string())
    );
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM audit_log WHERE action = 'invoice.payers'").await, 2);

    // Only buyers manage payers; another organisation's invoice is not found.
    let payer = demo_actor(&store, "payer1@aurora.example").await;
    assert!(matches!(
        invoices::manage_payers(&store, &payer, &number, "x@y.example", "", now(), BASE_URL).await,
        Err(AppError::Forbidden)
    ));
    let admin = demo_actor(&store, "admin@aurora.example").await;
    assert!(matches!(
        invoices::manage_payers(&store, &admin, &number, "x@y.example", "", now(), BASE_URL).await,
        Err(AppError::Forbidden)
    ));
    let stranger = demo_actor(&store, "buyer@borealis.example").await;
    assert!(matches!(
        invoices::manage_payers(&store, &stranger, &number, "x@y.example", "", now(), BASE_URL).await,
        Err(AppError::NotFound)
    ));
    // A voided invoice keeps its payers.
    execute(&store, &format!("UPDATE invoices SET status = 'void' WHERE number = '{number}'")).await;
    let r = invoices::manage_payers(&store, &buyer, &number, "", "payer4@aurora.example", now(), BASE_URL).await;
    assert!(matches!(r, Err(AppError::Conflict(Problem::InvoiceVoided))), "{r:?}");
});

both!(an_overdue_invoice_is_noticed_to_its_payers_and_the_buyers_once_then_a_week_later, |store: Store| async move {
    // R-MAIL-1 (buyers get overdue notices), R-MAIL-4 (payers get invoice mail), R-MAIL-3 (not
    // admins): the day an invoice is late and a week later, each notice once, on any number of
    // engines; a paid invoice is not noticed.
    use app::domain::mail_routing::MailKind;
    use app::server::services::engine::overdue;
    let sub = invoiced_subscription(&store, "5150001002").await;
    let payers = vec!["payer1@aurora.example".to_string(), "payer2@aurora.example".to_string()];
    let late = issue(&store, "OD", sub, 2, 10_000, now() - Duration::hours(1), &payers).await;
    execute(
        &store,
        &format!("UPDATE invoices SET status = 'paid', paid_minor = total_minor WHERE number = '{}'", late[1]),
    )
    .await;
    let notices = |store: Store, to: &'static str, number: String| async move {
        let mut tx = store.begin_read().await.unwrap();
        let mails = tx.outbox_for(to, MailKind::OverdueInvoice).await.unwrap();
        mails.into_iter().filter(|m| m.subject.contains(&number)).collect::<Vec<_>>()
    };
    // Two engines at once: one notice.
    let (a, b) = tokio::join!(overdue::send_due(&store, now(), BASE_URL), overdue::send_due(&store, now(), BASE_URL));
    assert!(a.unwrap() + b.unwrap() >= 1);
    for to in ["payer1@aurora.example", "payer2@aurora.example", "buyer@aurora.example", "buyer2@aurora.example"] {
        let mails = notices(store.clone(), to, late[0].clone()).await;
        assert_eq!(mails.len(), 1, "{to}");
        assert!(mails[0].subject.starts_with(&format!("Invoice {} is overdue: ", late[0])), "{}", mails[0].subject);
        assert!(
            mails[0].body_text.contains(&format!("{BASE_URL}/billing/invoices/pay?numbers={}", late[0])),
            "{}",
            mails[0].body_text
        );
        assert!(notices(store.clone(), to, late[1].clone()).await.is_empty(), "a paid invoice is not noticed");
    }
    assert!(notices(store.clone(), "admin@aurora.example", late[0].clone()).await.is_empty(), "R-MAIL-3");
    // Nothing more the same day; the second notice a week later, and then no more.
    overdue::send_due(&store, now() + Duration::days(3), BASE_URL).await.unwrap();
    assert_eq!(notices(store.clone(), "payer1@aurora.example", late[0].clone()).await.len(), 1);
    engine(&store, BASE_URL).run_pass(now() + Duration::days(7)).await.unwrap();
    assert_eq!(notices(store.clone(), "payer1@aurora.example", late[0].clone()).await.len(), 2);
    overdue::send_due(&store, now() + Duration::days(30), BASE_URL).await.unwrap();
    assert_eq!(notices(store.clone(), "payer1@aurora.example", late[0].clone()).await.len(), 2);
});

both!(a_subscriptions_payers_are_managed_from_its_page_for_its_next_invoices, |store: Store| async move {
    // R-INV-4: "also from a subscription's page": the payers its next invoices go to, at most
    // 10 (the 11th refused, nothing changed); a new address without an account is invited
    // (R-ROLE-6); invoices already issued keep theirs; buyers only, own organisation only.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let sub = invoiced_subscription(&store, "5150001001").await;
    let id = SubscriptionId(sub);
    let open_before: Vec<(String, i64)> = {
        let numbers = list(&store, &buyer, "").await;
        let mut out = Vec::new();
        for i in numbers {
            let d = invoices::invoice(&store, &buyer, &i.number, now()).await.unwrap();
            if d.lines.iter().any(|l| l.subscription_id == Some(id)) {
                out.push((i.number.clone(), d.payers.len() as i64));
            }
        }
        out
    };
    let current = invoices::manage_subscription_payers(&store, &buyer, id, "", "", now(), BASE_URL).await.unwrap();
    let room = 10 - current.len();
    let new: Vec<String> = (0..room).map(|i| format!("Next{i}@Aurora.example")).collect();
    let ten =
        invoices::manage_subscription_payers(&store, &buyer, id, &new.join(", "), "", now(), BASE_URL).await.unwrap();
    assert_eq!(ten.len(), 10);
    assert!(ten.contains(&"next0@aurora.example".to_string()), "lower-cased: {ten:?}");
    let sent = scalar(&store, "SELECT COUNT(*) FROM invitations WHERE email LIKE 'next%'").await;
    assert_eq!(sent as usize, room, "each new address without an account is invited once");
    let before = table_counts(&store).await;
    let r =
        invoices::manage_subscription_payers(&store, &buyer, id, "one.more@aurora.example", "", now(), BASE_URL).await;
    assert!(
        matches!(
            r,
            Err(AppError::Validation {
                problem: Problem::Payers(app::domain::invoice::PayerProblem::TooMany { max: 10, asked: 11 }),
                ..
            })
        ),
        "{r:?}"
    );
    let r = invoices::manage_subscription_payers(&store, &buyer, id, "not an address", "", now(), BASE_URL).await;
    assert!(matches!(r, Err(AppError::Validation { problem: Problem::Payers(_), .. })), "{r:?}");
    for who in ["admin@aurora.example", "payer1@aurora.example"] {
        let someone = demo_actor(&store, who).await;
        let r =
            invoices::manage_subscription_payers(&store, &someone, id, "x@aurora.example", "", now(), BASE_URL).await;
        assert!(matches!(r, Err(AppError::Forbidden)), "{who}: {r:?}");
    }
    let other = demo_actor(&store, "buyer@borealis.example").await;
    let r = invoices::manage_subscription_payers(&store, &other, id, "x@borealis.example", "", now(), BASE_URL).await;
    assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
    assert_eq!(table_counts(&store).await, before, "nothing changed");
    // The invoices already issued keep their payers.
    for (number, payers) in &open_before {
        let d = invoices::invoice(&store, &buyer, number, now()).await.unwrap();
        assert_eq!(d.payers.len() as i64, *payers, "{number}");
    }
    let audit = "SELECT COUNT(*) FROM audit_log WHERE action = 'invoice.payers' AND object_type = 'subscription'";
    assert_eq!(scalar(&store, audit).await, 1);
});
