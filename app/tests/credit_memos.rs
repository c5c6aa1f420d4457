//! Refunds and credit memos through the services, as buyers and payers use them: a refund
//! within its window credits what was paid as a credit memo and cancels the renewal (R-PAY-9),
//! once whatever the clicks; after the window, unpaid or for someone else it is refused and
//! nothing changes; the memo's credit shows in the balances (R-INV-1) and pays invoices, the
//! oldest due first, exactly once and never beyond what is left (R-INV-2); "pay all" with a
//! part pays the oldest invoices first. Each story once on SQLite and once on PostgreSQL.

use app::contract::dto::{InvoicePaymentState, InvoiceQuery, InvoiceSummary, RefundOutcome};
use app::contract::error::AppError;
use app::contract::problem::Problem;
use app::domain::authz::Actor;
use app::domain::ids::{IdempotencyKey, SubscriptionId};
use app::domain::invoice::{InvoicePaymentRefusal, InvoiceStatus, spread_payment};
use app::domain::money::{Money, UsdRates};
use app::domain::payment::PaymentKind;
use app::domain::pricing::RefundRefusal;
use app::domain::status::Status;
use app::server::gateway::SimulatedGateway;
use app::server::services::invoices::{self, BANK_TRANSFER, CREDIT, PayForm};
use app::server::services::{checkout, refunds};
use app::server::store::Store;
use app::server::testing::{demo_actor, scalar, table_counts, text};
use chrono::Duration;

mod common;
use common::{BASE_URL, now};

fn rates() -> UsdRates {
    UsdRates::default()
}

async fn unpaid(store: &Store, who: &Actor) -> Vec<InvoiceSummary> {
    let mut rows = Vec::new();
    for page in 1.. {
        let q = InvoiceQuery { page: Some(page), ..InvoiceQuery::default() };
        let p = invoices::invoices(store, who, &q, now()).await.unwrap();
        rows.extend(p.rows);
        if page >= p.pages {
            break;
        }
    }
    rows
}

async fn pay_form(store: &Store, who: &Actor, form: &PayForm) -> Result<i64, AppError> {
    let gateway = SimulatedGateway::new(store.clone());
    invoices::pay(store, &gateway, who, form, &rates(), now(), BASE_URL).await.map(|id| id.get())
}

/// The id (as the pay form's value) of the customer number's method of `kind` (a code). Direct
/// debit has no online limit (R-PAY-2), so it pays the demo's larger invoices too.
async fn method_of(store: &Store, csn: &str, kind: &str) -> String {
    scalar(
        store,
        &format!(
            "SELECT pm.id FROM payment_methods pm JOIN customer_accounts ca ON ca.id = pm.customer_account_id \
             WHERE ca.csn = '{csn}' AND pm.kind = '{kind}'"
        ),
    )
    .await
    .to_string()
}

async fn paid_minor(store: &Store, number: &str) -> i64 {
    scalar(store, &format!("SELECT paid_minor FROM invoices WHERE number = '{number}'")).await
}

/// The renewal invoiced last, open: within its refund window whatever its term (R-PAY-9: 15
/// days for monthly terms), once paid.
async fn newest_open(store: &Store, buyer: &Actor) -> InvoiceSummary {
    let newest = unpaid(store, buyer)
        .await
        .into_iter()
        .filter(|i| i.status == InvoiceStatus::Open)
        .max_by_key(|i| (i.issued_on, i.number.clone()))
        .expect("the demo has open invoices");
    assert!(newest.issued_on >= now().date_naive() - Duration::days(14), "{newest:?}");
    newest
}

/// The renewal invoiced last, paid now by direct debit: its order can be refunded. Returns the
/// invoice, its order's number and the subscription it renewed.
async fn paid_recent_renewal(store: &Store, buyer: &Actor) -> (InvoiceSummary, String, SubscriptionId) {
    let recent = newest_open(store, buyer).await;
    let card = method_of(store, &recent.csn, "direct_debit").await;
    let form =
        PayForm { numbers: recent.number.clone(), method: card, key: IdempotencyKey::new(), ..PayForm::default() };
    pay_form(store, buyer, &form).await.unwrap();
    let detail = invoices::invoice(store, buyer, &recent.number, now()).await.unwrap();
    assert_eq!(detail.summary.status, InvoiceStatus::Paid);
    let sub = detail.lines[0].subscription_id.unwrap();
    (recent, detail.summary.order_number.unwrap(), sub)
}

both!(a_refund_within_its_window_credits_what_was_paid_and_cancels_the_renewal_once, |store: Store| async move {
    // R-PAY-9: within 30 days of an annual renewal, the buyer asks for a refund: what was paid
    // comes back as a credit memo of the customer number, the renewal is undone (the
    // subscription is canceled, its term ending where the renewal began), and ten clicks at
    // once make one memo.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let (invoice, order, sub) = paid_recent_renewal(&store, &buyer).await;
    let detail = checkout::order(&store, &buyer, &order, now()).await.unwrap();
    let line = detail.lines.iter().find(|l| l.subscription_id == Some(sub)).unwrap();
    let offer = line.refund.clone().expect("refundable now");
    assert_eq!(offer.amount, invoice.total, "what was paid for it");
    assert!(offer.last_day >= now().date_naive());
    let review = refunds::review(&store, &buyer, &order, sub, now()).await.unwrap();
    let renewal_began = scalar(&store, &format!("SELECT term_start_at FROM subscriptions WHERE id = {sub}")).await;
    match review.outcome {
        RefundOutcome::Canceled { last_day } => assert!(last_day < now().date_naive(), "{last_day}"),
        other => panic!("a renewal is canceled, not {other:?}"),
    }

    let mut clicks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (store, buyer, order) = (store.clone(), buyer.clone(), order.clone());
        clicks.spawn(async move { refunds::refund(&store, &buyer, &order, sub, now()).await });
    }
    let answers = clicks.join_all().await;
    let memo = answers[0].clone().unwrap();
    assert!(answers.iter().all(|a| a.as_ref() == Ok(&memo)), "one memo answers every click: {answers:?}");
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM credit_memos").await, 1);
    let amount = scalar(&store, &format!("SELECT amount_minor FROM credit_memos WHERE number = '{memo}'")).await;
    let left = scalar(&store, &format!("SELECT remaining_minor FROM credit_memos WHERE number = '{memo}'")).await;
    assert_eq!((amount, left), (invoice.total.minor(), invoice.total.minor()));
    assert_eq!(text(&store, &format!("SELECT status FROM subscriptions WHERE id = {sub}")).await, "canceled");
    assert_eq!(scalar(&store, &format!("SELECT term_end_at FROM subscriptions WHERE id = {sub}")).await, renewal_began);
    let audit = scalar(&store, "SELECT COUNT(*) FROM audit_log WHERE action = 'refund.credited'").await;
    assert_eq!(audit, 1);

    // The order shows the line refunded; asking again is told so and changes nothing.
    let detail = checkout::order(&store, &buyer, &order, now()).await.unwrap();
    let line = detail.lines.iter().find(|l| l.subscription_id == Some(sub)).unwrap();
    assert_eq!((line.refunded.as_deref(), line.refund.is_none()), (Some(memo.as_str()), true));
    assert_eq!(line.status_now, Some(Status::Canceled));
    assert_eq!(refunds::refund(&store, &buyer, &order, sub, now()).await.unwrap(), memo);
    let r = refunds::review(&store, &buyer, &order, sub, now()).await;
    assert!(matches!(&r, Err(AppError::Conflict(Problem::Refund(RefundRefusal::Refunded(m)))) if *m == memo), "{r:?}");

    // R-INV-1: the memo is listed with its credit, and the balance of its customer number
    // shows the credit left.
    let page = invoices::invoices(&store, &buyer, &InvoiceQuery::default(), now()).await.unwrap();
    let listed = page.credit_memos.iter().find(|m| m.number == memo).expect("listed");
    assert_eq!(
        (listed.amount, listed.remaining, listed.order_number.as_deref()),
        (invoice.total, invoice.total, Some(order.as_str()))
    );
    let balance = page.balances.iter().find(|b| b.csn == invoice.csn && b.owed.currency() == invoice.total.currency());
    assert_eq!(balance.map(|b| b.credit), Some(invoice.total));
});

both!(refunds_after_the_window_unpaid_or_not_the_users_are_refused_and_change_nothing, |store: Store| async move {
    // R-PAY-9: after the window the buyer is told the day it closed; an order whose invoice is
    // unpaid has nothing to give back; admins and payers may not ask (R-ROLE-5, R-ROLE-6);
    // another organisation's order is not found. Nothing is written by any of them.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let today = now().date_naive();
    let rows = {
        let q = InvoiceQuery { status: Some("all".into()), ..InvoiceQuery::default() };
        invoices::invoices(&store, &buyer, &q, now()).await.unwrap().rows
    };
    let old_paid = rows
        .iter()
        .find(|i| i.status == InvoiceStatus::Paid && i.issued_on < today - Duration::days(31))
        .expect("a renewal paid long ago");
    let open_recent = newest_open(&store, &buyer).await;
    let before = table_counts(&store).await;
    let line_of = |number: &str| {
        let (store, buyer, number) = (store.clone(), buyer.clone(), number.to_string());
        async move {
            let d = invoices::invoice(&store, &buyer, &number, now()).await.unwrap();
            (d.summary.order_number.unwrap(), d.lines[0].subscription_id.unwrap(), d.summary.issued_on)
        }
    };

    let (order, sub, issued) = line_of(&old_paid.number).await;
    let r = refunds::refund(&store, &buyer, &order, sub, now()).await;
    let closed = issued + Duration::days(30);
    assert!(matches!(&r, Err(AppError::Conflict(Problem::Refund(RefundRefusal::Late(d)))) if *d == closed), "{r:?}");
    let detail = checkout::order(&store, &buyer, &order, now()).await.unwrap();
    assert!(detail.lines.iter().all(|l| l.refund.is_none()), "no refund offered after the window");

    let (order, sub, _) = line_of(&open_recent.number).await;
    let r = refunds::refund(&store, &buyer, &order, sub, now()).await;
    assert!(
        matches!(&r, Err(AppError::Conflict(Problem::Refund(RefundRefusal::Unpaid(n)))) if *n == open_recent.number),
        "{r:?}"
    );
    for who in ["admin@aurora.example", "payer1@aurora.example"] {
        let someone = demo_actor(&store, who).await;
        let r = refunds::refund(&store, &someone, &order, sub, now()).await;
        assert!(matches!(r, Err(AppError::Forbidden)), "{who}: {r:?}");
    }
    let other = demo_actor(&store, "buyer@borealis.example").await;
    assert!(matches!(refunds::refund(&store, &other, &order, sub, now()).await, Err(AppError::NotFound)));
    assert!(matches!(refunds::review(&store, &other, &order, sub, now()).await, Err(AppError::NotFound)));
    // A subscription that is not on the order is not found either.
    let elsewhere = SubscriptionId(sub.get() + 1);
    assert!(matches!(refunds::refund(&store, &buyer, &order, elsewhere, now()).await, Err(AppError::NotFound)));
    assert_eq!(table_counts(&store).await, before, "nothing was written");
});

both!(credit_pays_the_oldest_invoices_first_exactly_once_and_never_beyond_what_is_left, |store: Store| async move {
    // R-INV-2: the credit of a credit memo pays invoices of its customer number and currency.
    // It is offered on the pay page beside the methods; twenty replays of one form pay once;
    // it pays the invoices due soonest first, the last one in part if the credit runs out,
    // and what is left on the memo goes down by exactly what was paid.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let (invoice, order, sub) = paid_recent_renewal(&store, &buyer).await;
    let memo = refunds::refund(&store, &buyer, &order, sub, now()).await.unwrap();
    let credit = invoice.total;
    let mut open: Vec<InvoiceSummary> = unpaid(&store, &buyer)
        .await
        .into_iter()
        .filter(|i| i.csn == invoice.csn && i.status == InvoiceStatus::Open && i.total.currency() == credit.currency())
        .collect();
    assert!(open.len() >= 2, "the customer number has open invoices: {open:?}");
    open.truncate(4);
    let numbers: Vec<String> = open.iter().map(|i| i.number.clone()).collect();
    let review = invoices::review_payment(&store, &buyer, &numbers.join(","), "", &rates(), now()).await.unwrap();
    assert_eq!(review.credit, Some(credit));
    let choice = review.choices.iter().find(|c| c.value == CREDIT).expect("credit is offered");
    assert_eq!((choice.method.kind, choice.method.detail.as_str()), (PaymentKind::CreditMemo, memo.as_str()));
    // The review lists them soonest due first: the order credit pays them in.
    let oldest: Vec<String> = review.invoices.iter().map(|i| i.number.clone()).collect();
    let owed: Vec<Money> = review.invoices.iter().map(|i| i.open_amount).collect();
    let total_owed = Money::sum(credit.currency(), owed.iter().copied()).unwrap();
    let applied = if credit.minor() < total_owed.minor() { credit } else { total_owed };
    let parts = spread_payment(applied, &owed).unwrap();

    let key = IdempotencyKey::new();
    let mut replays = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (store, buyer) = (store.clone(), buyer.clone());
        let form =
            PayForm { numbers: numbers.join(","), method: CREDIT.into(), key: key.clone(), ..PayForm::default() };
        replays.spawn(async move { pay_form(&store, &buyer, &form).await });
    }
    let answers = replays.join_all().await;
    let id = *answers[0].as_ref().unwrap();
    assert!(answers.iter().all(|a| a.as_ref() == Ok(&id)), "{answers:?}");
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM payments WHERE kind = 'credit_memo'").await, 1);
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM credit_memo_uses").await, 1);
    let left = scalar(&store, &format!("SELECT remaining_minor FROM credit_memos WHERE number = '{memo}'")).await;
    assert_eq!(left, credit.minor() - applied.minor(), "the memo has left what was not used");
    assert_eq!(
        scalar(&store, "SELECT COUNT(*) FROM gateway_charges WHERE idempotency_key LIKE 'invoices:%'").await,
        1,
        "only the direct debit of the setup reached the provider"
    );
    for (i, number) in oldest.iter().enumerate() {
        let before = open.iter().find(|o| o.number == *number).unwrap();
        let got = paid_minor(&store, number).await - (before.total.minor() - before.open_amount.minor());
        let want = parts.get(i).map_or(0, |m| m.minor());
        assert_eq!(got, want, "{number}: oldest first");
        let status = text(&store, &format!("SELECT status FROM invoices WHERE number = '{number}'")).await;
        let full = want == before.open_amount.minor();
        assert_eq!(status, if full { "paid" } else { "open" }, "{number}");
    }
    let payment = invoices::payment(&store, &buyer, app::domain::ids::PaymentId(id)).await.unwrap();
    assert_eq!(
        (payment.state, payment.method.kind, payment.amount),
        (InvoicePaymentState::Succeeded, PaymentKind::CreditMemo, applied)
    );
    assert_eq!(payment.method.detail, memo, "the payment names the memo it drew on");

    // With credit left, two forms at once for other invoices never draw more than is left.
    let left_now = scalar(&store, &format!("SELECT remaining_minor FROM credit_memos WHERE number = '{memo}'")).await;
    let rest: Vec<String> = unpaid(&store, &buyer)
        .await
        .into_iter()
        .filter(|i| i.csn == invoice.csn && i.status == InvoiceStatus::Open && i.total.currency() == credit.currency())
        .map(|i| i.number)
        .collect();
    if left_now > 0 && rest.len() >= 2 {
        let mut racers = tokio::task::JoinSet::new();
        for n in rest.iter().take(2) {
            let (store, buyer) = (store.clone(), buyer.clone());
            let form =
                PayForm { numbers: n.clone(), method: CREDIT.into(), key: IdempotencyKey::new(), ..PayForm::default() };
            racers.spawn(async move { pay_form(&store, &buyer, &form).await });
        }
        for a in racers.join_all().await {
            assert!(a.is_ok() || matches!(a, Err(AppError::Conflict(_)) | Err(AppError::Validation { .. })), "{a:?}");
        }
        let drawn = scalar(&store, "SELECT CAST(SUM(amount_minor) AS BIGINT) FROM credit_memo_uses").await;
        let left = scalar(&store, &format!("SELECT remaining_minor FROM credit_memos WHERE number = '{memo}'")).await;
        assert!(left >= 0 && drawn + left == credit.minor(), "drawn {drawn}, left {left}, credit {credit}");
    }
});

both!(
    paying_all_with_a_part_pays_the_oldest_invoices_first_and_bad_amounts_change_nothing,
    |store: Store| async move {
        // Beyond the product we mirror: "pay all" opens every open invoice of a customer number in
        // a currency, oldest due first; a smaller amount pays the oldest in full and the next in
        // part, and leaves the others open. Amounts that are not ones are refused, nothing paid.
        let buyer = demo_actor(&store, "buyer@aurora.example").await;
        let open: Vec<InvoiceSummary> =
            unpaid(&store, &buyer).await.into_iter().filter(|i| i.status == InvoiceStatus::Open).collect();
        let csn = open[0].csn.clone();
        let currency = open[0].total.currency();
        let all = format!("{csn}:{}", currency.code());
        let review = invoices::review_payment(&store, &buyer, "", &all, &rates(), now()).await.unwrap();
        let mine: Vec<&InvoiceSummary> =
            open.iter().filter(|i| i.csn == csn && i.total.currency() == currency).collect();
        assert_eq!(review.invoices.len(), mine.len().min(100), "every open invoice of {all}");
        assert!(review.invoices.windows(2).all(|w| w[0].due_on <= w[1].due_on), "oldest due first");
        assert!(review.invoices.len() >= 3, "{all} has several open invoices");
        let (first, second) = (&review.invoices[0], &review.invoices[1]);
        let card = method_of(&store, &csn, "direct_debit").await;

        let before = table_counts(&store).await;
        let owed = review.amount;
        let over = Money::from_minor(owed.minor() + 1, currency).to_decimal().to_string();
        for (typed, want) in [
            ("0", InvoicePaymentRefusal::AmountNotPositive),
            ("ten euros", InvoicePaymentRefusal::AmountNotUnderstood("ten euros".into())),
            ("1,2,3", InvoicePaymentRefusal::AmountNotUnderstood("1,2,3".into())),
            (over.as_str(), InvoicePaymentRefusal::AmountOverOwed { owed }),
        ] {
            let form = PayForm {
                numbers: review.numbers.clone(),
                method: card.clone(),
                amount: typed.to_string(),
                key: IdempotencyKey::new(),
            };
            let r = pay_form(&store, &buyer, &form).await;
            let ok = matches!(&r, Err(AppError::Validation { field, problem: Problem::InvoicePayment(p) }) if *p == want && field.as_deref() == Some("amount"));
            assert!(ok, "{typed}: {r:?}");
        }
        let r = invoices::review_payment(&store, &buyer, "", &format!("{csn}:XYZ"), &rates(), now()).await;
        assert!(matches!(r, Err(AppError::Validation { .. })), "{r:?}");
        assert_eq!(table_counts(&store).await, before, "nothing was written");

        // The first in full and 1.00 of the second, typed the way a Finnish or German buyer types.
        let part = first.open_amount.minor() + 100;
        let typed = Money::from_minor(part, currency).to_decimal().to_string().replace('.', ",");
        let form = PayForm {
            numbers: review.numbers.clone(),
            method: card.clone(),
            amount: typed,
            key: IdempotencyKey::new(),
        };
        pay_form(&store, &buyer, &form).await.unwrap();
        assert_eq!(
            text(&store, &format!("SELECT status FROM invoices WHERE number = '{}'", first.number)).await,
            "paid"
        );
        let second_paid = paid_minor(&store, &second.number).await;
        assert_eq!(second_paid - (second.total.minor() - second.open_amount.minor()), 100);
        assert_eq!(
            text(&store, &format!("SELECT status FROM invoices WHERE number = '{}'", second.number)).await,
            "open"
        );
        for rest in &review.invoices[2..] {
            assert_eq!(
                paid_minor(&store, &rest.number).await,
                rest.total.minor() - rest.open_amount.minor(),
                "{}",
                rest.number
            );
        }
        // A bank transfer of all that is left: every one pending, none paid twice.
        let review = invoices::review_payment(&store, &buyer, "", &all, &rates(), now()).await.unwrap();
        assert_eq!(review.invoices[0].number, second.number, "the part-paid one is the oldest open now");
        assert_eq!(review.invoices[0].open_amount.minor(), second.open_amount.minor() - 100);
        let form = PayForm {
            numbers: review.numbers.clone(),
            method: BANK_TRANSFER.into(),
            key: IdempotencyKey::new(),
            ..PayForm::default()
        };
        pay_form(&store, &buyer, &form).await.unwrap();
        let pending = scalar(
            &store,
            &format!(
                "SELECT COUNT(*) FROM invoices WHERE status = 'pending' AND number IN ('{}')",
                review.numbers.replace(',', "','")
            ),
        )
        .await;
        assert_eq!(pending as usize, review.invoices.len());
    }
);
