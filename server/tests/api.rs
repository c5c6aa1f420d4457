//! Server-level tests: the real router on a real port, called over HTTP like a browser would.

use std::time::{Duration, Instant};

mod common;

use app::server::seed::DEMO_PASSWORD;
use app::server::testing::TestDb;
use common::*;
use reqwest::{Client, StatusCode};
use serde_json::Value;

#[tokio::test]
async fn every_server_function_refuses_anonymous_callers() {
    let app = spawn_app().await;
    let calls: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("list_subscriptions", vec![]),
        ("subscription", vec![("id", "1".into())]),
        ("preview_auto_renew", vec![("ids", "1".into()), ("on", "false".into())]),
        ("change_auto_renew", vec![("ids", "1".into()), ("on", "false".into()), ("idempotency_key", key())]),
        ("demo_clock", vec![]),
        ("advance_demo_clock", vec![("step", "30d".into())]),
        ("renew_groups", vec![("ids", "1".into())]),
        ("change_next_term", vec![("id", "1".into()), ("seats", "1".into()), ("term", "annual".into())]),
        ("withdraw_next_term", vec![("id", "1".into())]),
        ("review_add_seats", vec![("id", "1".into()), ("seats", "1".into())]),
        ("review_extension", vec![("id", "1".into()), ("target", "2".into())]),
        (
            "place_extension",
            vec![
                ("id", "1".into()),
                ("target", "2".into()),
                ("fingerprint", "x".into()),
                ("payment_method", "1".into()),
                ("checkout_key", key()),
            ],
        ),
        (
            "place_add_seats",
            vec![
                ("id", "1".into()),
                ("seats", "1".into()),
                ("fingerprint", "x".into()),
                ("payment_method", "1".into()),
                ("checkout_key", key()),
            ],
        ),
        ("add_to_cart", vec![("ids[]", "1".into())]),
        ("remove_from_cart", vec![("ids", "1".into())]),
        ("cart", vec![]),
        (
            "place_order",
            vec![
                ("ids", "1".into()),
                ("fingerprint", "x".into()),
                ("payment_method", "1".into()),
                ("checkout_key", key()),
            ],
        ),
        ("orders", vec![]),
        ("order", vec![("number", "ORD-000001".into())]),
        ("quotes", vec![]),
        ("quote", vec![("number", "Q-2026-0001".into())]),
        (
            "accept_quote",
            vec![("number", "Q-2026-0002".into()), ("payment_method", "1".into()), ("checkout_key", key())],
        ),
        ("review_quote", vec![("ids", "1".into())]),
        (
            "send_quote",
            vec![
                ("ids", "1".into()),
                ("fingerprint", "0".repeat(32)),
                ("customer_name", "A".into()),
                ("customer_address", "B".into()),
                ("check_nonce", key()),
                ("check_answer", "4".into()),
            ],
        ),
        ("approvals", vec![]),
        ("approval", vec![("number", "APR-000001".into())]),
        ("set_approval_threshold", vec![("currency", "EUR".into()), ("amount", "1000".into())]),
        ("remove_approval_threshold", vec![]),
        ("approve_order", vec![("number", "APR-000001".into())]),
        ("reject_order", vec![("number", "APR-000001".into())]),
        ("withdraw_order_request", vec![("number", "APR-000001".into())]),
        ("invoices", vec![]),
        ("invoice", vec![("number", "INV-000001".into())]),
        ("review_invoice_payment", vec![("numbers", "INV-000001".into())]),
        (
            "pay_invoices",
            vec![("numbers", "INV-000001".into()), ("payment_method", "bank_transfer".into()), ("pay_key", key())],
        ),
        ("invoice_payment", vec![("id", "1".into())]),
        ("review_refund", vec![("order", "ORD-000001".into()), ("subscription", "1".into())]),
        ("request_refund", vec![("order", "ORD-000001".into()), ("subscription", "1".into())]),
        ("manage_payers", vec![("number", "INV-000001".into()), ("add", "x@y.example".into())]),
        ("invoice_details", vec![("id", "1".into())]),
        ("save_invoice_details", vec![("id", "1".into()), ("po_number", "PO-1".into())]),
        ("upload_po_document", vec![("id", "1".into())]),
        ("remove_po_document", vec![("id", "1".into()), ("document", "1".into())]),
        ("reissue_invoice", vec![("number", "INV-000001".into())]),
        ("payment_methods", vec![]),
        ("add_card", vec![("csn", "5150001001".into()), ("number", "4242424242424242".into())]),
        ("edit_card", vec![("id", "1".into())]),
        ("remove_payment_method", vec![("id", "1".into())]),
        ("preview_method_change", vec![("ids", "1".into())]),
        ("change_payment_method", vec![("ids", "1".into()), ("method", "1".into())]),
        ("customer_details", vec![]),
        ("overview", vec![]),
        ("audit_trail", vec![]),
        ("save_customer_details", vec![("csn", "5150001001".into()), ("ownership", "yes".into())]),
        ("update_profile", vec![("name", "Anonymous".into())]),
        ("change_password", vec![("current", "x".into()), ("password", "Fresh-start-2027".into())]),
        ("users", vec![]),
        ("invite_user", vec![("email", "x@y.example".into()), ("role", "user".into())]),
        ("remove_user", vec![("user", "1".into())]),
        ("set_secondary_admin", vec![("user", "1".into()), ("admin", "yes".into())]),
        ("reassign_primary_admin", vec![("user", "1".into())]),
        ("product_assignments", vec![]),
        ("product_assignment", vec![("id", "1".into())]),
        ("assign_seat", vec![("id", "1".into()), ("user", "1".into())]),
        ("free_seat", vec![("id", "1".into()), ("user", "1".into())]),
    ];
    for (endpoint, form) in &calls {
        let (status, body) = if *endpoint == "upload_po_document" {
            app.call_multipart(endpoint, None, form, ("document", "po.pdf", b"%PDF-1.4\n")).await
        } else {
            app.call(endpoint, None, form).await
        };
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{endpoint}: {body}");
        assert_eq!(body, Value::String("Unauthorized".into()), "{endpoint}: {body}");
    }
    // Every server function is either public or checked above: a new one cannot be forgotten.
    const PUBLIC: [&str; 10] = [
        "sign_in",
        "sign_out",
        "current_user",
        "request_password_reset",
        "reset_password",
        "site_features",
        "mailbox",
        "set_language",
        "invitation",
        "accept_invitation",
    ];
    let source = include_str!("../../app/src/api/mod.rs");
    for endpoint in source.split("endpoint = \"").skip(1).filter_map(|s| s.split('"').next()) {
        assert!(
            PUBLIC.contains(&endpoint) || calls.iter().any(|(c, _)| *c == endpoint),
            "{endpoint}: not checked for anonymous callers"
        );
    }
    let (status, body) = app.call("current_user", None, &[]).await;
    assert_eq!((status, body), (StatusCode::OK, Value::Null));
    // The demo Mailbox does not exist unless configured.
    let (status, _) = app.call("mailbox", None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A forged or ended session is anonymous too.
    let (status, _) = app.call("list_subscriptions", Some("portal_session=forged"), &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn objects_of_another_organisation_are_not_found() {
    let app = spawn_app().await;
    let aurora = app.sign_in("buyer@aurora.example").await;
    let borealis = app.sign_in("buyer@borealis.example").await;
    let theirs = app.subscription_ids(&aurora, &[]).await[0];
    let (status, _) = app.call("subscription", Some(&borealis), &[("id", theirs.to_string())]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) =
        app.call("preview_auto_renew", Some(&borealis), &[("ids", theirs.to_string()), ("on", "false".into())]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let form = change_form(&[theirs], false);
    let (status, _) = app.call("change_auto_renew", Some(&borealis), &form).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Borealis' own list holds none of Aurora's subscriptions.
    assert!(!app.subscription_ids(&borealis, &[]).await.contains(&theirs));
    app.stop().await;
}

#[tokio::test]
async fn only_buyers_change_auto_renew_and_payers_cannot_list_subscriptions() {
    // R-REN-1, R-ROLE-5
    let app = spawn_app().await;
    let buyer = app.sign_in("buyer@aurora.example").await;
    let id = app.subscription_ids(&buyer, &[("auto_renew", "on")]).await[0];
    for admin in ["admin@aurora.example", "admin2@aurora.example"] {
        let cookie = app.sign_in(admin).await;
        let form = change_form(&[id], false);
        let (status, body) = app.call("change_auto_renew", Some(&cookie), &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{admin}: {body}");
        let (status, _) =
            app.call("preview_auto_renew", Some(&cookie), &[("ids", id.to_string()), ("on", "false".into())]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, detail) = app.call("subscription", Some(&cookie), &[("id", id.to_string())]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(detail.get("billing").is_some_and(Value::is_null), "admins see no billing details: {detail}");
    }
    let payer = app.sign_in("payer1@aurora.example").await;
    let (status, _) = app.call("list_subscriptions", Some(&payer), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let form = change_form(&[id], false);
    let (status, _) = app.call("change_auto_renew", Some(&payer), &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let detail = app.call("subscription", Some(&buyer), &[("id", id.to_string())]).await.1;
    assert_eq!(detail["summary"]["shown"]["auto_renew"], Value::Bool(true), "nothing changed: {detail}");
    assert!(detail["billing"].is_object(), "buyers see billing details: {detail}");
    app.stop().await;
}

#[tokio::test]
async fn a_buyer_turns_auto_renew_off_for_100_and_the_101st_is_refused() {
    // R-BULK-1
    let app = spawn_app().await;
    let buyer = app.sign_in("buyer@aurora.example").await;
    let on = app.subscription_ids(&buyer, &[("auto_renew", "on")]).await;
    assert!(on.len() > 101);
    let form = change_form(&on[..101], false);
    let (status, body) = app.call("change_auto_renew", Some(&buyer), &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let refused = serde_json::json!({"field": "ids", "problem": {"code": "selection", "args": {"too_many": 101}}});
    assert_eq!(body["Validation"], refused, "{body}");
    assert_eq!(app.subscription_ids(&buyer, &[("auto_renew", "on")]).await.len(), on.len(), "nothing changed");

    let form = change_form(&on[..100], false);
    let (status, body) = app.call("change_auto_renew", Some(&buyer), &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["changed"].as_array().unwrap().len(), 100);
    assert_eq!(app.subscription_ids(&buyer, &[("auto_renew", "on")]).await.len(), on.len() - 100);
    app.stop().await;
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_same_origin_ones_accepted() {
    let app = spawn_app().await;
    let post = |headers: Vec<(&'static str, String)>| {
        let mut req = app.client.post(format!("{}/api/current_user", app.url));
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.send()
    };
    assert_eq!(post(vec![("sec-fetch-site", "cross-site".into())]).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(post(vec![("origin", "https://evil.example".into())]).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(post(vec![("sec-fetch-site", "same-origin".into())]).await.unwrap().status(), StatusCode::OK);
    assert_eq!(post(vec![("origin", app.url.clone())]).await.unwrap().status(), StatusCode::OK);
    assert_eq!(post(vec![]).await.unwrap().status(), StatusCode::FORBIDDEN, "neither header: refused");
    // A cross-site sign-in with valid credentials sets no cookie.
    let res = app
        .client
        .post(format!("{}/api/sign_in", app.url))
        .header("sec-fetch-site", "cross-site")
        .form(&[("email", "buyer@aurora.example"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers().get("set-cookie").is_none());
    app.stop().await;
}

/// Sign-in answer and its duration.
async fn timed_sign_in(app: &TestApp, email: &str, password: &str) -> (StatusCode, String, Duration) {
    let start = Instant::now();
    let (status, body) = app.call("sign_in", None, &[("email", email.into()), ("password", password.into())]).await;
    (status, body.to_string(), start.elapsed())
}

#[tokio::test]
async fn unknown_users_and_wrong_passwords_get_the_same_answer_in_the_same_time() {
    let app = spawn_app().await;
    let mut wrong = Vec::new();
    let mut unknown = Vec::new();
    // Different accounts each time, to stay below the per-account lock.
    for i in 0..3 {
        let w = timed_sign_in(
            &app,
            ["admin@aurora.example", "admin2@aurora.example", "payer2@aurora.example"][i],
            "Wrong-password-1",
        )
        .await;
        let u = timed_sign_in(&app, &format!("nobody{i}@aurora.example"), "Wrong-password-1").await;
        assert_eq!((w.0, &w.1), (u.0, &u.1));
        assert_eq!(w.0, StatusCode::UNPROCESSABLE_ENTITY);
        wrong.push(w.2);
        unknown.push(u.2);
    }
    wrong.sort();
    unknown.sort();
    let (w, u) = (wrong[1].as_secs_f64(), unknown[1].as_secs_f64());
    eprintln!("median sign-in time: wrong password {:.1} ms, unknown user {:.1} ms", w * 1e3, u * 1e3);
    assert!(u > w / 3.0 && u < w * 3.0, "unknown {u:.4}s vs wrong {w:.4}s");
    app.stop().await;
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_lax_and_sign_out_ends_the_session() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(format!("{}/api/sign_in", app.url))
        .header("sec-fetch-site", "same-origin")
        .header("accept", "text/html")
        .form(&[("email", "buyer@aurora.example"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    // Without JavaScript the form post is answered with a redirect to the buyer's start page,
    // the overview (R-EXT-7).
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()["location"], "/billing");
    let set_cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax") && set_cookie.contains("Path=/"),
        "{set_cookie}"
    );
    assert!(!set_cookie.contains("Secure"), "plain-http localhost cannot keep Secure cookies");
    // The page's script gets the target as its answer and loads it itself: no redirect header
    // that would also make its router change route (two navigations racing each other).
    let (status, body) = app
        .call("sign_in", None, &[("email", "buyer2@aurora.example".into()), ("password", DEMO_PASSWORD.into())])
        .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, Some("/billing")));
    let scripted = app
        .client
        .post(format!("{}/api/sign_in", app.url))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "buyer2@aurora.example"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(scripted.status(), StatusCode::OK);
    assert!(scripted.headers().get("serverfnredirect").is_none() && scripted.headers().get("location").is_none());
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    assert_eq!(app.call("list_subscriptions", Some(&cookie), &[]).await.0, StatusCode::OK);
    let (status, _) = app.call("sign_out", Some(&cookie), &[]).await;
    assert!(status.is_success() || status.is_redirection());
    assert_eq!(
        app.call("list_subscriptions", Some(&cookie), &[]).await.0,
        StatusCode::UNAUTHORIZED,
        "the old cookie no longer works"
    );
    app.stop().await;
}

#[tokio::test]
async fn pages_render_on_the_server_and_send_strangers_to_sign_in() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(format!("{}/billing/subscriptions", app.url))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/sign-in"));
    let buyer = app.sign_in("buyer@aurora.example").await;
    let res = app
        .client
        .get(format!("{}/billing/subscriptions?status=active", app.url))
        .header("accept", "text/html")
        .header("cookie", &buyer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Subscriptions and contracts") && html.contains("Turn auto-renew off"),
        "server-rendered list"
    );
    let res = app.client.get(format!("{}/no-such-page", app.url)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Every address the portal builds (pages, redirects, mail) leads to a page.
    let id = app.subscription_ids(&buyer, &[]).await[0];
    let pages = app::contract::links::PAGES.map(String::from);
    let sub = app::domain::ids::SubscriptionId(id);
    let (status, quotes) = app.call("quotes", Some(&buyer), &[]).await;
    assert_eq!(status, StatusCode::OK, "{quotes}");
    let quote = quotes["rows"][0]["number"].as_str().expect("a demo quote").to_string();
    let with_id = [
        app::contract::links::subscription(sub),
        app::contract::links::add_seats(sub, ""),
        app::contract::links::extend(sub, ""),
        app::contract::links::quote(&quote),
        app::contract::links::change_payment_method(&id.to_string()),
    ];
    for path in pages.iter().chain(&with_id) {
        let res = app
            .client
            .get(format!("{}{path}", app.url))
            .header("accept", "text/html")
            .header("cookie", &buyer)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_weak_new_password_is_refused_with_its_reason_on_its_field() {
    // R-AUTH-1, at the server function: nothing reaches the service.
    let app = spawn_app().await;
    let form = [("token", "made-up".to_string()), ("password", "abcdefgh".into()), ("confirm", "abcdefgh".into())];
    let (status, body) = app.call("reset_password", None, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["Validation"]["field"], "password", "{body}");
    assert_eq!(
        body["Validation"]["problem"],
        serde_json::json!({"code": "weak_password", "args": "no_digit"}),
        "{body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn two_server_processes_share_sessions_and_changes_on_one_postgresql_database() {
    let db = TestDb::postgres().await;
    let a = spawn_on(&db.url).await;
    let b = spawn_on(&db.url).await;
    let cookie = a.sign_in("buyer@aurora.example").await;
    // The session made by A is good on B: sessions live in the database.
    let on = b.subscription_ids(&cookie, &[("auto_renew", "on")]).await;
    let form = change_form(&on[..10], false);
    // The same submit reaching both processes has the effect of one.
    let ((status_a, body_a), (status_b, body_b)) = tokio::join!(
        a.call("change_auto_renew", Some(&cookie), &form),
        b.call("change_auto_renew", Some(&cookie), &form)
    );
    assert_eq!((status_a, status_b), (StatusCode::OK, StatusCode::OK), "{body_a} {body_b}");
    assert_eq!(body_a, body_b);
    assert_eq!(a.subscription_ids(&cookie, &[("auto_renew", "on")]).await.len(), on.len() - 10);
    db.cleanup().await;
}

#[tokio::test]
async fn health_reports_the_database_and_the_mail_queue() {
    let app = spawn_app().await;
    let buyer = app.sign_in("buyer@aurora.example").await;
    let id = app.subscription_ids(&buyer, &[("auto_renew", "on")]).await[0];
    let form = change_form(&[id], false);
    assert_eq!(app.call("change_auto_renew", Some(&buyer), &form).await.0, StatusCode::OK);
    let res = app.client.get(format!("{}/health", app.url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "sqlite");
    // This test starts no outbox worker: the two buyers' confirmations wait.
    assert_eq!(body["mail_waiting"], 2);
    assert_eq!(body["mail_failed"], 0);
    app.stop().await;
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_personal_ones_are_never_stored() {
    let app = spawn_app().await;
    let buyer = app.sign_in("buyer@aurora.example").await;
    let page = app.client.get(format!("{}/billing/subscriptions", app.url)).header("cookie", &buyer);
    let api = app.client.post(format!("{}/api/current_user", app.url)).header("cookie", &buyer);
    let css = app.client.get(format!("{}/pkg/portal.css", app.url));
    for (what, request, personal) in [("page", page, true), ("server function", api, true), ("stylesheet", css, false)]
    {
        let res = request.send().await.unwrap();
        let h = res.headers().clone();
        assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
        assert_eq!(h["x-frame-options"], "DENY", "{what}");
        assert!(server::headers::CSP.contains("frame-ancestors 'none'"));
        assert_eq!(h["referrer-policy"], "same-origin", "{what}");
        assert_eq!(h.get("cache-control").is_some_and(|v| v == "no-store"), personal, "{what}");
        // Served over http here: no HSTS (it would pin browsers to https on a plain address).
        assert!(h.get("strict-transport-security").is_none(), "{what}");
        let policy = h["content-security-policy"].to_str().unwrap().to_string();
        if what == "page" {
            // Scripts run only with this answer's nonce, which the page's own scripts carry.
            let nonce = policy.split("'nonce-").nth(1).and_then(|n| n.split('\'').next()).unwrap().to_string();
            assert_eq!(policy, app::contract::policy::page(&nonce));
            assert!(nonce.len() >= 16, "{nonce}");
            let html = res.text().await.unwrap();
            let scripts = html.matches("<script").count();
            assert!(scripts >= 1 && html.matches(&format!("nonce=\"{nonce}\"")).count() >= scripts, "{html}");
        } else if what == "server function" {
            assert_eq!(policy, server::headers::CSP, "{what}");
        }
    }
    // A new nonce for every answer.
    let nonce = |res: reqwest::Response| res.headers()["content-security-policy"].to_str().unwrap().to_string();
    let first = nonce(app.client.get(format!("{}/sign-in", app.url)).send().await.unwrap());
    let second = nonce(app.client.get(format!("{}/sign-in", app.url)).send().await.unwrap());
    assert_ne!(first, second);
    app.stop().await;
}

#[tokio::test]
async fn pages_being_served_never_stall_while_another_portal_of_the_process_builds_its_router() {
    // Building a router generates the route list, rendering the app with resources suppressed
    // through a process-wide switch; a page's resource first polled meanwhile waited for ever
    // (leptos-rs/leptos#4773), and a request of this suite hung for good once. Routers are built
    // over and over on a thread of their own while the list page is fetched: every fetch must
    // end, and in time.
    let app = spawn_app().await;
    let buyer = app.sign_in("buyer@aurora.example").await;
    let db = TestDb::sqlite().await;
    let addr: std::net::SocketAddr = "127.0.0.1:9".parse().unwrap();
    let (state, _store) = common::state_with(&db.url, addr, &common::Options::default()).await;
    let building = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let builder = {
        let building = building.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let _inside = rt.enter();
            let mut built = 0;
            while building.load(std::sync::atomic::Ordering::Relaxed) {
                drop(server::router(state.clone()));
                built += 1;
            }
            built
        })
    };
    for round in 0..40 {
        let page = app.client.get(format!("{}/billing/subscriptions", app.url)).header("cookie", &buyer).send();
        let res = tokio::time::timeout(Duration::from_secs(20), async { page.await.unwrap().text().await.unwrap() })
            .await
            .unwrap_or_else(|_| panic!("page {round} still unanswered after 20 s"));
        assert!(res.contains("</html>"), "page {round} ended early");
    }
    building.store(false, std::sync::atomic::Ordering::Relaxed);
    let built = builder.join().unwrap();
    println!("40 list pages served while {built} routers were built beside them");
    db.cleanup().await;
    app.stop().await;
}

#[tokio::test]
async fn a_panic_answers_500_with_a_reference_instead_of_dropping_the_connection() {
    async fn boom() -> &'static str {
        panic!("a bug")
    }
    let router = axum::Router::new().route("/boom", axum::routing::get(boom)).layer(server::panics::layer());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/boom", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let res = Client::new().get(&url).send().await.expect("an answer, not a dropped connection");
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = res.text().await.unwrap();
    let reference = body.split("<strong>").nth(1).and_then(|r| r.split("</strong>").next()).unwrap();
    assert_eq!(reference.len(), 12, "{body}");
}

#[tokio::test]
async fn only_the_demo_operators_move_the_clock_and_never_past_twenty_years() {
    // Moving the demo clock runs every organisation's renewals: a payer, an admin or another
    // organisation's buyer may not; bad steps are 422, not a panic; the total is capped.
    let app = spawn_demo().await;
    for who in ["payer1@aurora.example", "admin@aurora.example", "buyer@borealis.example", "buyer2@aurora.example"] {
        let cookie = app.sign_in(who).await;
        let (status, body) = app.call("advance_demo_clock", Some(&cookie), &[("step", "30d".into())]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
        let (_, view) = app.call("demo_clock", Some(&cookie), &[]).await;
        assert_eq!((view["days_ahead"].as_i64(), view["can_move"].as_bool()), (Some(0), Some(false)), "{who}: {view}");
    }
    let operator = app.sign_in("buyer@aurora.example").await;
    for bad in ["1é", "200000000000000d", "0d", "-1d", "3w"] {
        let (status, body) = app.call("advance_demo_clock", Some(&operator), &[("step", bad.into())]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(body["Validation"]["field"], "step", "{bad}: {body}");
    }
    let (status, body) = app.call("advance_demo_clock", Some(&operator), &[("step", "30d".into())]).await;
    assert!(status.is_success() || status.is_redirection(), "{status}: {body}");
    let (_, view) = app.call("demo_clock", Some(&operator), &[]).await;
    assert_eq!((view["days_ahead"].as_i64(), view["can_move"].as_bool()), (Some(30), Some(true)), "{view}");
    // Twenty years in all: 7,320 days (30 + 3,650 + 3,640).
    for step in ["3650d", "3640d"] {
        let (status, body) = app.call("advance_demo_clock", Some(&operator), &[("step", step.into())]).await;
        assert!(status.is_success() || status.is_redirection(), "{step}: {status}: {body}");
    }
    let (status, body) = app.call("advance_demo_clock", Some(&operator), &[("step", "10d".into())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let refused = serde_json::json!({"field": "step", "problem": {"code": "clock_step", "args": "too_far_ahead"}});
    assert_eq!(body["Validation"], refused);
    app.stop().await;
}

#[tokio::test]
async fn a_flood_of_bogus_resets_from_one_address_is_cut_off_and_health_keeps_answering() {
    // 64 made-up reset tokens at once, then a burst beyond the per-address limit: none is
    // hashed, the excess is answered 429 at the door, and /health stays quick throughout.
    let app = spawn_app().await;
    let reset = |i: usize| {
        let (client, url) = (app.client.clone(), format!("{}/api/reset_password", app.url));
        let origin = app.url.clone();
        async move {
            let form = [
                ("token", format!("made-up-{i}")),
                ("password", "Guess-work-55".into()),
                ("confirm", "Guess-work-55".into()),
            ];
            let res = client
                .post(url)
                .header("origin", origin)
                .header("accept", "application/json")
                .form(&form)
                .send()
                .await
                .unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let health = async {
        let started = std::time::Instant::now();
        let res = app.client.get(format!("{}/health", app.url)).send().await.unwrap();
        (res.status(), started.elapsed())
    };
    let (answers, (health_status, health_time)) = tokio::join!(futures_join((0..64).map(reset).collect()), health);
    assert_eq!(health_status, StatusCode::OK);
    eprintln!("/health answered in {} ms during 64 parallel bogus resets", health_time.as_millis());
    assert!(health_time < Duration::from_millis(1000), "{health_time:?}");
    let invalid = answers.iter().filter(|(s, _)| *s == StatusCode::UNPROCESSABLE_ENTITY).count();
    let limited = answers.iter().filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(invalid + limited, 64, "{answers:?}");
    assert!(invalid >= server::limits::BURST as usize - 2, "{invalid} looked up");

    let more = futures_join((64..64 + 2 * server::limits::BURST as usize).map(reset).collect()).await;
    let refused: Vec<_> = more.iter().filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS).collect();
    assert!(refused.len() >= server::limits::BURST as usize / 2, "{} refused", refused.len());
    let busy: Value = serde_json::from_str(&refused[0].1).unwrap();
    assert_eq!(busy["TooManyRequests"]["code"], "busy", "{busy}");
    // A plain form (no JavaScript) past the limit goes back to its page, which says why.
    let form_page = format!("{}/reset-password?token=made-up", app.url);
    let res = app
        .client
        .post(format!("{}/api/reset_password", app.url))
        .header("origin", app.url.clone())
        .header("accept", "text/html,application/xhtml+xml")
        .header("referer", &form_page)
        .form(&[("token", "made-up"), ("password", "Guess-work-55"), ("confirm", "Guess-work-55")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = res.headers()["location"].to_str().unwrap().to_string();
    assert!(back.starts_with(&form_page) && back.contains("__err="), "{back}");
    let page = app.client.get(&back).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Too many requests at once."), "the form page shows the error");
    // Other functions are not limited.
    let (status, _) = app.call("current_user", None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn static_files_travel_precompressed_and_pages_gzipped() {
    // A site root with a file and the brotli and gzip copies a release build writes beside it.
    let site = std::env::temp_dir().join(format!("portal-site-{}", key()));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg/portal.css"), "body { color: black; }\n".repeat(100)).unwrap();
    std::fs::write(site.join("pkg/portal.css.br"), b"brotli bytes").unwrap();
    std::fs::write(site.join("pkg/portal.css.gz"), b"gzip bytes").unwrap();
    let app =
        spawn_fresh(TestDb::sqlite().await, Options { site_root: Some(site.clone()), ..Options::default() }).await;
    let get = |accept: &'static str| {
        app.client.get(format!("{}/pkg/portal.css", app.url)).header("accept-encoding", accept).send()
    };
    let res = get("gzip, deflate, br").await.unwrap();
    assert_eq!(res.headers()["content-encoding"], "br");
    assert_eq!(res.headers()["cache-control"], "no-cache", "kept, asked again each time");
    assert!(res.headers().get("last-modified").is_some());
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"brotli bytes");
    let res = get("gzip").await.unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"gzip bytes");
    let res = get("identity").await.unwrap();
    assert!(res.headers().get("content-encoding").is_none());
    assert_eq!(res.text().await.unwrap().len(), 2300);
    // Pages are gzipped on the fly, and stay personal (never stored).
    let res = app.client.get(format!("{}/sign-in", app.url)).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert_eq!(res.headers()["cache-control"], "no-store");
    app.stop().await;
    std::fs::remove_dir_all(site).unwrap();
}

#[tokio::test]
async fn hashed_files_are_linked_from_pages_and_cached_for_good() {
    // A site as `scripts/site` (or `cargo leptos build` with `hash-files`) leaves it: names carry
    // the content's hash, and the hash file at the site root lists them.
    let site = std::env::temp_dir().join(format!("portal-site-{}", key()));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("hash.txt"), "js: J1x\nwasm: W2y\ncss: C3z\n").unwrap();
    std::fs::write(site.join("pkg/portal.C3z.css"), "body { color: black; }\n").unwrap();
    std::fs::write(site.join("pkg/portal.C3z.css.br"), b"brotli bytes").unwrap();
    std::fs::write(site.join("pkg/notes.txt"), "not hashed").unwrap();
    let app =
        spawn_fresh(TestDb::sqlite().await, Options { site_root: Some(site.clone()), ..Options::default() }).await;
    for path in ["/sign-in", "/no-such-page"] {
        let page = app.client.get(format!("{}{path}", app.url)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(r#"<link rel="stylesheet" href="/pkg/portal.C3z.css">"#), "{path}: {page}");
        assert!(page.contains("/pkg/portal.J1x.js") && page.contains("/pkg/portal.W2y.wasm"), "{path}: {page}");
        assert!(!page.contains("/pkg/portal.css") && !page.contains("/pkg/portal.js"), "{path}");
    }
    let get = |path: &str, accept: &'static str| {
        app.client.get(format!("{}/pkg/{path}", app.url)).header("accept-encoding", accept).send()
    };
    let res = get("portal.C3z.css", "gzip, deflate, br, zstd").await.unwrap();
    assert_eq!(res.headers()["content-encoding"], "br");
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(res.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(res.headers()["vary"], "accept-encoding");
    let etag = res.headers()["etag"].clone();
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"brotli bytes");
    let res = get("portal.C3z.css", "identity").await.unwrap();
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(res.headers().get("content-encoding").is_none());
    assert_ne!(res.headers()["etag"], etag, "each copy has its own tag");
    assert_eq!(res.text().await.unwrap(), "body { color: black; }\n");
    // A browser that revalidates anyway (a forced reload) gets a 304 for the copy it holds.
    let res = app
        .client
        .get(format!("{}/pkg/portal.C3z.css", app.url))
        .header("accept-encoding", "br")
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    // The hashed files are read once, at start: a deploy that replaces the site under a running
    // server does not take away the files the pages it still serves name.
    std::fs::remove_file(site.join("pkg/portal.C3z.css")).unwrap();
    std::fs::remove_file(site.join("pkg/portal.C3z.css.br")).unwrap();
    let res = get("portal.C3z.css", "br").await.unwrap();
    assert_eq!((res.status(), res.bytes().await.unwrap().as_ref()), (StatusCode::OK, &b"brotli bytes"[..]));
    let res = get("notes.txt", "identity").await.unwrap();
    assert_eq!(res.headers()["cache-control"], "no-cache", "a name without a hash is revalidated");
    // A hashed name that is not there is not cached at all (a 404 must not stick for a year).
    let res = get("portal.J1x.js", "identity").await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_ne!(
        res.headers().get("cache-control").map(|v| v.to_str().unwrap()),
        Some("public, max-age=31536000, immutable")
    );
    app.stop().await;
    std::fs::remove_dir_all(site).unwrap();
}

/// A renewal of Aurora's held for approval (its threshold set to 1 EUR): the approval mails'
/// object, made as a buyer makes one.
async fn held_for_approval(store: &app::server::store::Store, now: chrono::DateTime<chrono::Utc>) -> String {
    use app::domain::ids::IdempotencyKey;
    use app::domain::selection::BulkSelection;
    use app::server::services::{approvals, checkout};
    let buyer = app::server::testing::demo_actor(store, "buyer@aurora.example").await;
    approvals::set_threshold(store, &buyer, "EUR", "1", now).await.unwrap();
    let sql = "SELECT s.id FROM subscriptions s JOIN payment_methods pm ON pm.id = s.payment_method_id \
               JOIN organisations o ON o.id = s.org_id WHERE o.name = 'Aurora Design Group' AND s.status = 'active' \
               AND pm.kind = 'direct_debit' AND s.unpaid_since IS NULL AND s.pending_order_id IS NULL \
               ORDER BY s.term_end_at, s.id LIMIT 1";
    let id = app::server::testing::scalar(store, sql).await;
    let selection = BulkSelection::from_ids(vec![app::domain::ids::SubscriptionId(id)]).unwrap();
    checkout::add_to_cart(store, &buyer, &selection, now).await.unwrap();
    let rates = app::domain::money::UsdRates::default();
    let view = checkout::cart(store, &buyer, &rates, now).await.unwrap();
    let o = &view.orders[0];
    let form = checkout::OrderForm {
        selection: BulkSelection::parse(&o.ids).unwrap(),
        fingerprint: o.fingerprint.clone(),
        payment_method: o.default_method,
        po_number: String::new(),
        key: IdempotencyKey::parse(&o.checkout_key).unwrap(),
    };
    let gateway = app::server::gateway::SimulatedGateway::new(store.clone());
    match checkout::place_order(store, &gateway, &buyer, &form, &rates, now, "http://portal.test").await.unwrap() {
        checkout::Placed::HeldForApproval(number) => number,
        other => panic!("not held: {other:?}"),
    }
}

#[tokio::test]
async fn every_link_of_every_mail_opens_its_page_for_its_recipient() {
    // Every kind of mail the portal sends, about real objects of the demo, its links followed as
    // its recipient would: signed out, sign-in first and back; signed in, the page itself,
    // answering 200 with its object, never "not found" (issue 13's defect: mail linked to pages
    // that did not exist).
    use app::domain::mail_routing::MailKind;
    use app::server::mail::{SENT_TODAY, SampleRefs, samples};
    let app = spawn_app().await;
    let store = app.db.as_ref().unwrap().store.clone();
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 23, 9, 0, 0).unwrap();
    let buyer = app.sign_in("buyer@aurora.example").await;
    let payer = app.sign_in("payer1@aurora.example").await;
    let first = |v: &Value, field: &str| v["rows"][0][field].clone();
    let (_, subs) = app.call("list_subscriptions", Some(&buyer), &[]).await;
    let (_, orders) = app.call("orders", Some(&buyer), &[]).await;
    let (_, quotes) = app.call("quotes", Some(&buyer), &[]).await;
    let (_, invoices) = app.call("invoices", Some(&payer), &[]).await;
    let refs = SampleRefs {
        org: app::domain::ids::OrgId(
            app::server::testing::scalar(&store, "SELECT id FROM organisations WHERE name = 'Aurora Design Group'")
                .await,
        ),
        subscription: app::domain::ids::SubscriptionId(first(&subs, "id").as_i64().expect("a subscription")),
        order: first(&orders, "number").as_str().expect("an order").to_string(),
        quote: first(&quotes, "number").as_str().expect("a quote").to_string(),
        invoice: first(&invoices, "number").as_str().expect("an invoice").to_string(),
        approval: held_for_approval(&store, now).await,
    };
    let mails = samples(&app.url, &refs);
    assert_eq!(mails.len(), SENT_TODAY.len());
    let mut followed = 0;
    for (kind, mail) in &mails {
        let recipient = match kind {
            MailKind::InvoiceToPayers | MailKind::OverdueInvoice => Some(&payer),
            MailKind::PasswordReset | MailKind::Invitation => None,
            _ => Some(&buyer),
        };
        let links: Vec<&str> = mail.body_text.split_whitespace().filter(|w| w.starts_with(&app.url)).collect();
        assert!(!links.is_empty(), "{kind:?} has a link");
        for link in links {
            let get = |cookie: Option<&String>| {
                let mut req = app.client.get(link).header("accept", "text/html");
                if let Some(c) = cookie {
                    req = req.header("cookie", c);
                }
                req.send()
            };
            if recipient.is_some() {
                let res = get(None).await.unwrap();
                let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_string());
                assert!(res.status().is_redirection(), "{kind:?} {link} signed out: {}", res.status());
                let path = link.strip_prefix(&app.url).unwrap();
                assert_eq!(location.as_deref(), Some(app::contract::links::sign_in_then(path).as_str()), "{kind:?}");
            }
            let res = get(recipient).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{kind:?} {link}");
            let html = res.text().await.unwrap();
            for wrong in ["Page not found", "We could not find that", "Your role does not allow this"] {
                assert!(!html.contains(wrong), "{kind:?} {link}: {wrong}");
            }
            followed += 1;
        }
    }
    println!("mail links followed as their recipients: {followed} links in {} kinds of mail", mails.len());
}

#[tokio::test]
async fn the_csv_export_is_a_streamed_download_for_those_who_see_the_list() {
    // R-EXT-9 over HTTP: signed out, sign-in first and back to the export; a buyer gets the
    // file (UTF-8 with its byte-order mark, named, never cached, compressed when asked); a
    // filter that is not one is a 422 with the reason, not a 500; a payer gets 403 (R-ROLE-6).
    let app = spawn_app().await;
    let url = format!("{}{}?status=active", app.url, app::contract::links::SUBSCRIPTIONS_EXPORT);
    let res = app.client.get(&url).send().await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let back = res.headers()["location"].to_str().unwrap().to_string();
    assert!(back.starts_with("/sign-in") && back.contains("subscriptions.csv"), "{back}");

    let buyer = app.sign_in("buyer@aurora.example").await;
    let res = app.client.get(&url).header("cookie", &buyer).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "text/csv; charset=utf-8");
    assert_eq!(h["content-disposition"], "attachment; filename=\"subscriptions.csv\"");
    assert!(h["cache-control"].to_str().unwrap().contains("no-store"), "{:?}", h["cache-control"]);
    assert!(h.get("content-length").is_none(), "streamed, not built whole first");
    let text = res.text().await.unwrap();
    let text = text.strip_prefix('\u{feff}').expect("byte-order mark");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Subscription ID,Product,Status,"), "{}", lines[0]);
    let active = app.subscription_ids(&buyer, &[("status", "active")]).await.len();
    assert!(lines.len() > active.min(200), "{} rows", lines.len() - 1);
    assert!(lines[1..].iter().all(|l| l.contains(",Active,")), "{:?}", lines.get(1));

    let res = app.client.get(&url).header("cookie", &buyer).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(res.headers().get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"));

    let bad = format!("{}{}?status=sleeping", app.url, app::contract::links::SUBSCRIPTIONS_EXPORT);
    let res = app.client.get(&bad).header("cookie", &buyer).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.text().await.unwrap(), "Choose one of the listed values.");

    let payer = app.sign_in("payer1@aurora.example").await;
    let res = app.client.get(&url).header("cookie", &payer).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn the_audit_trail_exports_what_its_filters_select_for_buyers_and_admins() {
    // Over HTTP, like the subscriptions export: signed out, sign-in and back; a buyer gets every
    // kind; an admin who is not a buyer gets user management only, and a billing kind is a 422
    // (R-ROLE-5); a payer gets 403.
    let app = spawn_app().await;
    let url = format!("{}{}", app.url, app::contract::links::AUDIT_EXPORT);
    let res = app.client.get(&url).send().await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(res.headers()["location"].to_str().unwrap().contains("audit.csv"));

    let buyer = app.sign_in("buyer@aurora.example").await;
    let res = app.client.get(&url).header("cookie", &buyer).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-disposition"], "attachment; filename=\"audit-trail.csv\"");
    let text = res.text().await.unwrap();
    let text = text.strip_prefix('\u{feff}').expect("byte-order mark");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("When,Who,Kind,Action,About,Change (before and after)"));
    let (_, page) = app.call("audit_trail", Some(&buyer), &[]).await;
    let total = page["total"].as_i64().unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.records().count() as i64, total);

    let admin = app.sign_in("admin2@aurora.example").await;
    let res = app.client.get(format!("{url}?kind=auto_renew")).header("cookie", &admin).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app.client.get(format!("{url}?kind=invitation")).header("cookie", &admin).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let payer = app.sign_in("payer1@aurora.example").await;
    let res = app.client.get(&url).header("cookie", &payer).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}
