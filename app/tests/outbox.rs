//! The mail outbox delivered over real SMTP to a sink on loopback, on SQLite and PostgreSQL.

use std::collections::HashSet;
use std::future::Future;

use app::contract::dto::SubscriptionQuery;
use app::domain::ids::IdempotencyKey;
use app::domain::selection::BulkSelection;
use app::server::outbox::{self, MAX_ATTEMPTS, Mailer, Transport};
use app::server::seed;
use app::server::services::{auto_renew, subscriptions};
use app::server::smtp_sink::SmtpSink;
use app::server::store::Store;
use app::server::store::records::OutgoingMail;
use app::server::testing::{TestDb, demo_actor, queue_mails};
use chrono::{DateTime, Duration, TimeZone, Utc};

/// 2026-11-23 09:00 UTC
fn now() -> DateTime<Utc> {
    Utc.timestamp_opt(1_795_424_400, 0).unwrap()
}

macro_rules! both {
    ($name:ident, $story:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(TestDb::sqlite().await, $story).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(TestDb::postgres().await, $story).await;
            }
        }
    };
}

async fn run<F, Fut>(db: TestDb, story: F)
where
    F: FnOnce(Store, String) -> Fut,
    Fut: Future<Output = ()>,
{
    story(db.store.clone(), db.url.clone()).await;
    db.cleanup().await;
}

fn mailer(smtp_url: &str) -> Mailer {
    Mailer::new(Transport::smtp(smtp_url).unwrap(), "Billing and orders <billing@portal.test>", "http://portal.test")
        .unwrap()
}

/// Runs passes at `now` until a pass finds nothing due.
async fn drain(store: &Store, mailer: &Mailer, now: DateTime<Utc>) -> outbox::Pass {
    let mut total = outbox::Pass::default();
    loop {
        let p = outbox::deliver_due(store, mailer, now).await.unwrap();
        if p == outbox::Pass::default() {
            return total;
        }
        total.sent += p.sent;
        total.retried += p.retried;
        total.failed += p.failed;
    }
}

/// A loopback address with nothing listening on it (yet).
async fn free_addr() -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap().to_string()
}

both!(
    the_auto_renew_confirmation_reaches_every_buyer_with_both_parts_and_a_link,
    |store: Store, _url: String| async move {
        // R-EXT-1, R-MAIL-1, R-MAIL-3
        let now = now();
        seed::load_if_empty(&store, now).await.unwrap();
        let buyer = demo_actor(&store, "buyer@aurora.example").await;
        let q = SubscriptionQuery { auto_renew: Some("on".into()), ..Default::default() };
        let id = subscriptions::list(&store, &buyer, &q).await.unwrap().rows[0].id;
        let key = IdempotencyKey::new();
        auto_renew::change(
            &store,
            &buyer,
            &BulkSelection::from_ids(vec![id]).unwrap(),
            false,
            &key,
            now,
            "http://portal.test",
        )
        .await
        .unwrap();

        let sink = SmtpSink::start("127.0.0.1:0").await.unwrap();
        let pass = drain(&store, &mailer(&sink.url()), now).await;
        assert_eq!(pass.sent, 2, "one mail per buyer");
        let mut got = sink.messages();
        got.sort_by(|a, b| a.rcpt_to.cmp(&b.rcpt_to));
        assert_eq!(got[0].rcpt_to, vec!["buyer2@aurora.example"]);
        assert_eq!(got[1].rcpt_to, vec!["buyer@aurora.example"]);
        for m in &got {
            assert_eq!(m.header("Subject").unwrap(), format!("Auto-renew turned off for subscription {id}"));
            assert!(m.header("From").unwrap().contains("billing@portal.test"));
            assert!(m.header("Message-ID").unwrap().starts_with("<outbox-"));
            assert!(m.data.contains("Content-Type: text/plain") && m.data.contains("Content-Type: text/html"));
            assert!(m.data.contains("http://portal.test/billing/subscriptions"));
        }
        let mut tx = store.begin_read().await.unwrap();
        assert_eq!(tx.mail_counts().await.unwrap(), (0, 0));
        sink.stop();
    }
);

both!(mail_queued_while_smtp_is_down_is_delivered_once_when_it_is_back, |store: Store, _url: String| async move {
    queue_mails(&store, 200, now()).await;
    let addr = free_addr().await;
    let mailer = mailer(&format!("smtp://{addr}"));
    let down = drain(&store, &mailer, now()).await;
    assert_eq!(down, outbox::Pass { sent: 0, retried: 200, failed: 0 });
    // Not due again before its backoff.
    assert_eq!(drain(&store, &mailer, now() + Duration::seconds(5)).await, outbox::Pass::default());

    let sink = SmtpSink::start(&addr).await.unwrap();
    let up = drain(&store, &mailer, now() + Duration::hours(1)).await;
    assert_eq!(up.sent, 200);
    let ids: HashSet<String> = sink.messages().iter().map(|m| m.header("Message-ID").unwrap()).collect();
    assert_eq!(ids.len(), 200, "every mail once, none lost");
    assert_eq!(sink.messages().len(), 200);
    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(tx.mail_counts().await.unwrap(), (0, 0));
    sink.stop();
});

both!(a_mail_that_keeps_failing_is_marked_failed_for_an_operator, |store: Store, _url: String| async move {
    queue_mails(&store, 3, now()).await;
    let mailer = mailer(&format!("smtp://{}", free_addr().await));
    let mut now = now();
    for attempt in 1..=MAX_ATTEMPTS {
        let p = drain(&store, &mailer, now).await;
        if attempt < MAX_ATTEMPTS {
            assert_eq!(p.retried, 3, "attempt {attempt}");
        } else {
            assert_eq!(p.failed, 3);
        }
        now += Duration::hours(1);
    }
    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(tx.mail_counts().await.unwrap(), (0, 3));
    drop(tx);
    assert_eq!(
        drain(&store, &mailer, now + Duration::days(1)).await,
        outbox::Pass::default(),
        "failed mails are not retried"
    );
});

both!(a_rolled_back_change_sends_nothing, |store: Store, _url: String| async move {
    let mut tx = store.begin_write().await.unwrap();
    let mail = OutgoingMail {
        org_id: None,
        kind: app::domain::mail_routing::MailKind::OrderConfirmation,
        to_address: "someone@aurora.example".into(),
        subject: "Never".into(),
        body_text: "Never".into(),
        body_html: "<p>Never</p>".into(),
        attachment: None,
    };
    tx.queue_mail(&mail, now()).await.unwrap();
    drop(tx);
    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(tx.mail_counts().await.unwrap(), (0, 0));
});

both!(two_workers_never_deliver_the_same_mail_twice, |store: Store, url: String| async move {
    queue_mails(&store, 200, now()).await;
    // A second process: its own connection pool on the same database.
    let other = Store::connect(&url).await.unwrap();
    let sink = SmtpSink::start("127.0.0.1:0").await.unwrap();
    let (m1, m2) = (mailer(&sink.url()), mailer(&sink.url()));
    let (a, b) = tokio::join!(drain(&store, &m1, now()), drain(&other, &m2, now()));
    assert_eq!(a.sent + b.sent, 200);
    let got = sink.messages();
    let ids: HashSet<String> = got.iter().map(|m| m.header("Message-ID").unwrap()).collect();
    assert_eq!((got.len(), ids.len()), (200, 200), "each mail exactly once");
    other.close().await;
    sink.stop();
});

both!(a_delivered_reset_link_is_not_kept_and_old_mail_is_forgotten, |store: Store, _url: String| async move {
    // The reset mail's link reaches the person; our copy of its body is blanked on delivery.
    // Other mail is kept for the retention period, then deleted.
    seed::load_if_empty(&store, now()).await.unwrap();
    let who = app::domain::email::EmailAddress::parse("admin@aurora.example").unwrap();
    app::server::auth::request_password_reset(&store, &who, app::domain::locale::Locale::En, now()).await.unwrap();
    app::server::auth::issue_reset_links(&store, "http://portal.test").await.unwrap();
    queue_mails(&store, 1, now()).await;
    let sink = SmtpSink::start("127.0.0.1:0").await.unwrap();
    assert_eq!(drain(&store, &mailer(&sink.url()), now()).await.sent, 2);
    let delivered = sink.messages();
    let reset = delivered.iter().find(|m| m.rcpt_to == vec!["admin@aurora.example"]).unwrap();
    assert!(reset.data.contains("/reset-password?token="), "the person gets the link");
    let mut tx = store.begin_read().await.unwrap();
    let kept = tx.outbox_for("admin@aurora.example", app::domain::mail_routing::MailKind::PasswordReset).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert!(kept[0].body_text.is_empty(), "no link kept: {}", kept[0].body_text);
    assert!(!kept[0].subject.is_empty(), "what was sent, to whom and when stays");
    let order = tx.outbox_for("person0@aurora.example", app::domain::mail_routing::MailKind::OrderConfirmation).await;
    assert_eq!(order.unwrap()[0].body_text, "Plain part of mail 0.\n", "other mail keeps its body");
    drop(tx);

    assert_eq!(outbox::forget_old_mail(&store, now() + Duration::days(outbox::RETENTION_DAYS)).await.unwrap(), 0);
    let later = now() + Duration::days(outbox::RETENTION_DAYS) + Duration::seconds(1);
    assert_eq!(outbox::forget_old_mail(&store, later).await.unwrap(), 2);
    sink.stop();
});

both!(
    a_mail_with_a_pdf_attached_goes_out_over_smtp_with_it_and_the_copy_is_dropped,
    |store: Store, _url: String| async move {
        // R-QUOTE-7: the quote mail carries its PDF. The outbox keeps the file until delivery only.
        let mut tx = store.begin_write().await.unwrap();
        let pdf = b"%PDF-1.7 quote Q-000042".to_vec();
        let mail = OutgoingMail {
            org_id: None,
            kind: app::domain::mail_routing::MailKind::Quote,
            to_address: "procurement@partner.example".into(),
            subject: "Quote Q-000042".into(),
            body_text: "Here is quote Q-000042.".into(),
            body_html: "<p>Here is quote Q-000042.</p>".into(),
            attachment: Some(app::server::store::records::Attachment {
                file_name: "Q-000042.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: pdf.clone(),
            }),
        };
        tx.queue_mail(&mail, now()).await.unwrap();
        tx.commit().await.unwrap();
        let sink = SmtpSink::start("127.0.0.1:0").await.unwrap();
        assert_eq!(drain(&store, &mailer(&sink.url()), now()).await.sent, 1);
        let got = sink.messages();
        assert_eq!(got.len(), 1);
        let data = &got[0].data;
        assert!(data.contains("multipart/mixed"), "{data}");
        assert!(data.contains("Content-Type: text/plain") && data.contains("Content-Type: text/html"));
        assert!(data.contains("Content-Type: application/pdf") && data.contains("filename=\"Q-000042.pdf\""), "{data}");
        // Read back as a mail client would: the attachment's bytes are the PDF's.
        let parsed = mail_parser::MessageParser::default().parse(data.as_bytes()).unwrap();
        let file = parsed.attachment(0).expect("one attachment");
        assert_eq!(file.contents(), pdf.as_slice());
        let kept =
            app::server::testing::scalar(&store, "SELECT COUNT(*) FROM mail_outbox WHERE attachment IS NOT NULL").await;
        assert_eq!(kept, 0, "delivered: the copy is dropped");
        sink.stop();
    }
);
