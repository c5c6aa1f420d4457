//! The security suite: who may call what (the authorization matrix), cross-site requests
//! (CSRF), and malformed input. Each prints its size; the test command shows the figures.

mod common;

use std::collections::BTreeSet;

use app::server::clock::Clock;
use app::server::seed::DEMO_PASSWORD;
use app::server::testing::TestDb;
use common::*;
use reqwest::StatusCode;

/// The callers of the matrix: anonymous, then one demo user per role, then a buyer of the
/// other organisation. Aurora's users are "own", Borealis' buyer is the stranger.
const CALLERS: [(&str, Option<&str>); 6] = [
    ("anonymous", None),
    ("buyer", Some("buyer2@aurora.example")),
    ("primary admin", Some("admin@aurora.example")),
    ("secondary admin", Some("admin2@aurora.example")),
    ("payer", Some("payer1@aurora.example")),
    ("other organisation's buyer", Some("buyer@borealis.example")),
];

/// The object a call names: a subscription of Aurora ("own" for Aurora's callers) or of
/// Borealis ("foreign" for them, own for Borealis' buyer). Functions that name no object are
/// called once and expect the same in both columns.
#[derive(Clone, Copy, Debug)]
enum Object {
    Aurora,
    Borealis,
}

/// A form's fields, as a browser sends them.
type Form = Vec<(&'static str, String)>;

/// A small PDF, as a PO document upload carries one.
const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";

struct Row {
    endpoint: &'static str,
    /// The form for a call naming subscription `id` (ignored by functions without an object).
    form: fn(i64) -> Form,
    names_object: bool,
    /// Expected status per caller (in [`CALLERS`] order) on an Aurora subscription...
    aurora: [u16; 6],
    /// ...and on a Borealis subscription.
    borealis: [u16; 6],
}

const OK: u16 = 200;
const UNAUTHORIZED: u16 = 401;
const FORBIDDEN: u16 = 403;
const NOT_FOUND: u16 = 404;
const UNPROCESSABLE: u16 = 422;
const CONFLICT: u16 = 409;

fn none(_: i64) -> Form {
    Vec::new()
}

/// One row per server function. `sign_out` comes last: it ends the callers' sessions.
fn matrix() -> Vec<Row> {
    // anonymous, buyer, primary admin, secondary admin, payer, other organisation's buyer
    let same = |all: [u16; 6]| (all, all);
    type Expected = ([u16; 6], [u16; 6]);
    type Entry = (&'static str, fn(i64) -> Form, bool, Expected);
    let rows: Vec<Entry> = vec![
        ("current_user", none, false, same([OK; 6])),
        ("site_features", none, false, same([OK; 6])),
        // The Mailbox page is off in this deployment: not found for everyone.
        ("mailbox", none, false, same([NOT_FOUND; 6])),
        // Payers see no subscriptions (R-ROLE-2); admins see them without billing (R-ROLE-5).
        ("list_subscriptions", none, false, same([UNAUTHORIZED, OK, OK, OK, FORBIDDEN, OK])),
        (
            "subscription",
            |id| vec![("id", id.to_string())],
            true,
            (
                [UNAUTHORIZED, OK, OK, OK, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK],
            ),
        ),
        (
            "preview_auto_renew",
            |id| vec![("ids", id.to_string()), ("on", "false".into())],
            true,
            // A role that may never change auto-renew is told so whatever the id (403 for every
            // id leaks nothing); a buyer asking about another organisation's id finds nothing.
            (
                [UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
            ),
        ),
        (
            "change_auto_renew",
            |id| vec![("ids", id.to_string()), ("on", "false".into()), ("idempotency_key", key())],
            true,
            // A role that may never change auto-renew is told so whatever the id (403 for every
            // id leaks nothing); a buyer asking about another organisation's id finds nothing.
            (
                [UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
            ),
        ),
        // Changing the next renewal is for buyers only (R-SUB-3, R-REN-1). Nothing is pending
        // yet, so the buyer's withdrawal is refused as such (422: past the authorization).
        (
            "withdraw_next_term",
            |id| vec![("id", id.to_string())],
            true,
            (
                [UNAUTHORIZED, UNPROCESSABLE, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNPROCESSABLE],
            ),
        ),
        (
            "change_next_term",
            |id| vec![("id", id.to_string()), ("seats", "1".into()), ("term", "annual".into())],
            true,
            (
                [UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
            ),
        ),
        (
            "review_add_seats",
            |id| vec![("id", id.to_string()), ("seats", "1".into())],
            true,
            (
                [UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
            ),
        ),
        // The form claims a review that was never shown: refused as stale, nothing charged.
        (
            "place_add_seats",
            |id| {
                let mut form = vec![("id", id.to_string()), ("seats", "1".into()), ("fingerprint", "0".repeat(32))];
                form.extend([("payment_method", "1".into()), ("checkout_key", key())]);
                form
            },
            true,
            (
                [UNAUTHORIZED, CONFLICT, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, CONFLICT],
            ),
        ),
        // The target is the same subscription, which is no target: 422 once past authorization.
        (
            "review_extension",
            |id| vec![("id", id.to_string()), ("target", id.to_string())],
            true,
            (
                [UNAUTHORIZED, UNPROCESSABLE, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNPROCESSABLE],
            ),
        ),
        (
            "place_extension",
            |id| {
                let mut form =
                    vec![("id", id.to_string()), ("target", id.to_string()), ("fingerprint", "0".repeat(32))];
                form.extend([("payment_method", "1".into()), ("checkout_key", key())]);
                form
            },
            true,
            (
                [UNAUTHORIZED, UNPROCESSABLE, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNPROCESSABLE],
            ),
        ),
        // Renewing and orders are for buyers only (R-REN-1, R-ROLE-5): 403 for other roles
        // whatever the id; another organisation's id is not found.
        (
            "renew_groups",
            |id| vec![("ids", id.to_string())],
            true,
            (
                [UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
            ),
        ),
        (
            "add_to_cart",
            |id| vec![("ids[]", id.to_string())],
            true,
            (
                [UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
            ),
        ),
        ("cart", none, false, same([UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK])),
        (
            "place_order",
            |id| {
                let fields = [("fingerprint", "0".repeat(32)), ("payment_method", "1".into()), ("checkout_key", key())];
                let mut form = vec![("ids", id.to_string())];
                form.extend(fields);
                form
            },
            true,
            // The buyer's own renewal is in their cart (added above) but the review is not the
            // one the form claims: refused as stale, nothing charged.
            (
                [UNAUTHORIZED, CONFLICT, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, CONFLICT],
            ),
        ),
        // Taking something out of one's own cart names nothing of anyone else's.
        (
            "remove_from_cart",
            |id| vec![("ids", id.to_string())],
            true,
            same([UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK]),
        ),
        ("orders", none, false, same([UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK])),
        (
            "order",
            |_| vec![("number", "ORD-999999".into())],
            false,
            same([UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND]),
        ),
        // Quotes are prices and billing: buyers only (R-REN-1, R-ROLE-5); another
        // organisation's quote is not found, like one that does not exist.
        ("quotes", none, false, same([UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK])),
        (
            "quote",
            |_| vec![("number", "Q-1999-0001".into())],
            false,
            same([UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND]),
        ),
        // Accepting is buying: buyers only (R-REN-1); a quote that does not exist is not found.
        (
            "accept_quote",
            |_| vec![("number", "Q-1999-0001".into()), ("payment_method", "1".into()), ("checkout_key", key())],
            false,
            same([UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND]),
        ),
        // Making a renewal quote is renewing: buyers only (R-REN-1); another organisation's
        // subscription is not found. The send form claims a review never shown: refused as
        // stale (409) before anything is sent.
        (
            "review_quote",
            |id| vec![("ids", id.to_string())],
            true,
            (
                [UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
            ),
        ),
        (
            "send_quote",
            |id| {
                let mut form = vec![("ids", id.to_string()), ("fingerprint", "0".repeat(32))];
                form.extend([("customer_name", "Aurora".into()), ("customer_address", "Helsinki".into())]);
                form.extend([("check_nonce", key()), ("check_answer", "7".into())]);
                form
            },
            true,
            (
                [UNAUTHORIZED, CONFLICT, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, CONFLICT],
            ),
        ),
        // Approvals are billing: buyers only (R-ROLE-5). A threshold of 0 is refused (422) and
        // changes nothing; removing none is done already; a request that does not exist is not
        // found, like another organisation's.
        ("approvals", none, false, same([UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK])),
        (
            "approval",
            |_| vec![("number", "APR-999999".into())],
            false,
            same([UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND]),
        ),
        (
            "set_approval_threshold",
            |_| vec![("currency", "EUR".into()), ("amount", "0".into())],
            false,
            same([UNAUTHORIZED, UNPROCESSABLE, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNPROCESSABLE]),
        ),
        ("remove_approval_threshold", none, false, same([UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK])),
        (
            "approve_order",
            |_| vec![("number", "APR-999999".into())],
            false,
            same([UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND]),
        ),
        (
            "reject_order",
            |_| vec![("number", "APR-999999".into()), ("note", "No".into())],
            false,
            same([UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND]),
        ),
        (
            "withdraw_order_request",
            |_| vec![("number", "APR-999999".into())],
            false,
            same([UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND]),
        ),
        // Invoices are for buyers and payers (R-INV-2, R-ROLE-6), never for admins who are not
        // buyers (R-ROLE-5); an invoice or payment that does not exist is not found, like
        // another organisation's (the stories check real ones of both organisations).
        ("invoices", none, false, same([UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, OK, OK])),
        (
            "invoice",
            |_| vec![("number", "INV-999999".into())],
            false,
            same([UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND]),
        ),
        (
            "review_invoice_payment",
            |_| vec![("numbers", "INV-999999".into())],
            false,
            same([UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND]),
        ),
        (
            "pay_invoices",
            |_| vec![("numbers", "INV-999999".into()), ("payment_method", "bank_transfer".into()), ("pay_key", key())],
            false,
            same([UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND]),
        ),
        // Managing payers is for buyers (R-ROLE-6: buyers add payers).
        (
            "manage_payers",
            |_| vec![("number", "INV-999999".into()), ("add", "x@y.example".into())],
            false,
            same([UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND]),
        ),
        // Invoice details and reissuing are for buyers (R-INV-5, R-EXT-4); another
        // organisation's subscription or invoice is not found.
        (
            "invoice_details",
            |id| vec![("id", id.to_string())],
            true,
            (
                [UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
            ),
        ),
        (
            "save_invoice_details",
            |id| vec![("id", id.to_string()), ("po_number", "PO-MATRIX".into()), ("notes", String::new())],
            true,
            (
                [UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
            ),
        ),
        // Sent as multipart with a small PDF (see `call_row`).
        (
            "upload_po_document",
            |id| vec![("id", id.to_string())],
            true,
            (
                [UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
            ),
        ),
        (
            "remove_po_document",
            |id| vec![("id", id.to_string()), ("document", "999999".into())],
            true,
            (
                [UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
            ),
        ),
        (
            "reissue_invoice",
            |_| vec![("number", "INV-999999".into()), ("po_number", "PO".into())],
            false,
            same([UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND]),
        ),
        (
            "invoice_payment",
            |_| vec![("id", "999999".into())],
            false,
            same([UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND]),
        ),
        // Refunds are for buyers (R-PAY-9; R-ROLE-5, R-ROLE-6: admins and payers never act on
        // orders); an order that does not exist is not found, like another organisation's.
        (
            "review_refund",
            |_| vec![("order", "ORD-999999".into()), ("subscription", "1".into())],
            false,
            same([UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND]),
        ),
        (
            "request_refund",
            |_| vec![("order", "ORD-999999".into()), ("subscription", "1".into())],
            false,
            same([UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND]),
        ),
        // Payment methods are for buyers (R-PAY-5, R-PAY-6, R-BULK-5); another organisation's
        // customer number, method or subscription is not found.
        ("payment_methods", none, false, same([UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK])),
        (
            "add_card",
            |_| {
                vec![
                    ("csn", "5150001001".into()),
                    ("holder", "Matrix Tester".into()),
                    ("number", "4242 4242 4242 4242".into()),
                    ("exp_month", "12".into()),
                    ("exp_year", "2030".into()),
                ]
            },
            false,
            same([UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND]),
        ),
        (
            "edit_card",
            |_| {
                vec![
                    ("id", "999999".into()),
                    ("holder", "X".into()),
                    ("exp_month", "1".into()),
                    ("exp_year", "2030".into()),
                ]
            },
            false,
            same([UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND]),
        ),
        (
            "remove_payment_method",
            |_| vec![("id", "999999".into())],
            false,
            same([UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND]),
        ),
        (
            "preview_method_change",
            |id| vec![("ids", id.to_string())],
            true,
            (
                [UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
            ),
        ),
        (
            "change_payment_method",
            |id| vec![("ids", id.to_string()), ("method", "999999".into())],
            true,
            (
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND],
            ),
        ),
        // Customer details are for buyers (R-CUST-1; R-ROLE-5, R-ROLE-6: admins and payers never
        // act on billing). The buyer's save lacks the ownership tick: refused past the
        // authorization; another organisation's customer number is not found.
        // The audit trail: buyers all of it, admins its user management, payers nothing. A
        // billing kind asked by an admin who is not a buyer is refused with the reason.
        ("audit_trail", none, false, same([UNAUTHORIZED, OK, OK, OK, FORBIDDEN, OK])),
        (
            "audit_trail",
            |_| vec![("query[kind]", "auto_renew".into())],
            false,
            same([UNAUTHORIZED, OK, UNPROCESSABLE, UNPROCESSABLE, FORBIDDEN, OK]),
        ),
        // The overview is billing: buyers (R-EXT-7, R-ROLE-5).
        ("overview", none, false, same([UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK])),
        ("customer_details", none, false, same([UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK])),
        (
            "save_customer_details",
            |_| {
                vec![
                    ("csn", "5150001001".into()),
                    ("company_name", "Aurora Design Oy".into()),
                    ("address_line1", "Mannerheimintie 12".into()),
                    ("postal_code", "00100".into()),
                    ("city", "Helsinki".into()),
                    ("country", "FI".into()),
                ]
            },
            false,
            same([UNAUTHORIZED, UNPROCESSABLE, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND]),
        ),
        // The profile is everyone's own: an empty name and a wrong current password are refused
        // past the authorization for every signed-in caller.
        (
            "update_profile",
            |_| vec![("name", " ".into())],
            false,
            same([UNAUTHORIZED, UNPROCESSABLE, UNPROCESSABLE, UNPROCESSABLE, UNPROCESSABLE, UNPROCESSABLE]),
        ),
        (
            "change_password",
            |_| {
                let p = "Fresh-start-2027".to_string();
                vec![("current", "Wrong-guess-1".into()), ("password", p.clone()), ("confirm", p)]
            },
            false,
            same([UNAUTHORIZED, UNPROCESSABLE, UNPROCESSABLE, UNPROCESSABLE, UNPROCESSABLE, UNPROCESSABLE]),
        ),
        // User management (R-ROLE-3, R-ROLE-4): admins and buyers see it, payers do not; admins
        // invite, remove and assign seats; the primary admin makes admins; the primary admin or
        // a buyer hands the primary admin role on. A user that does not exist is not found,
        // like another organisation's (the stories check real ones of both organisations).
        ("users", none, false, same([UNAUTHORIZED, OK, OK, OK, FORBIDDEN, OK])),
        (
            "invite_user",
            |_| vec![("email", format!("matrix-{}@example.com", key())), ("role", "user".into())],
            false,
            same([UNAUTHORIZED, FORBIDDEN, OK, OK, FORBIDDEN, OK]),
        ),
        (
            "remove_user",
            |_| vec![("user", "999999".into())],
            false,
            same([UNAUTHORIZED, FORBIDDEN, NOT_FOUND, NOT_FOUND, FORBIDDEN, NOT_FOUND]),
        ),
        (
            "set_secondary_admin",
            |_| vec![("user", "999999".into()), ("admin", "yes".into())],
            false,
            same([UNAUTHORIZED, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND]),
        ),
        (
            "reassign_primary_admin",
            |_| vec![("user", "999999".into())],
            false,
            same([UNAUTHORIZED, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND]),
        ),
        ("product_assignments", none, false, same([UNAUTHORIZED, OK, OK, OK, FORBIDDEN, OK])),
        (
            "product_assignment",
            |id| vec![("id", id.to_string())],
            true,
            (
                [UNAUTHORIZED, OK, OK, OK, FORBIDDEN, NOT_FOUND],
                [UNAUTHORIZED, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK],
            ),
        ),
        (
            "assign_seat",
            |id| vec![("id", id.to_string()), ("user", "999999".into())],
            true,
            same([UNAUTHORIZED, FORBIDDEN, NOT_FOUND, NOT_FOUND, FORBIDDEN, NOT_FOUND]),
        ),
        (
            "free_seat",
            |id| vec![("id", id.to_string()), ("user", "999999".into())],
            true,
            same([UNAUTHORIZED, FORBIDDEN, NOT_FOUND, NOT_FOUND, FORBIDDEN, NOT_FOUND]),
        ),
        ("demo_clock", none, false, same([UNAUTHORIZED, OK, OK, OK, OK, OK])),
        // Only the demo's operators move the clock, whatever their role; none of these is one.
        (
            "advance_demo_clock",
            |_| vec![("step", "1h".into())],
            false,
            same([UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
        ),
        // Public: the same answer for everyone.
        (
            "sign_in",
            // A different unknown account each time: five failures on one would make the sixth wait.
            |_| vec![("email", format!("nobody-{}@nowhere.example", key())), ("password", "Wrong-guess-1".into())],
            false,
            same([UNPROCESSABLE; 6]),
        ),
        ("request_password_reset", |_| vec![("email", "nobody@nowhere.example".into())], false, same([OK; 6])),
        (
            "reset_password",
            |_| {
                let p = "Made-up-token-9".to_string();
                vec![("token", "made-up".into()), ("password", p.clone()), ("confirm", p)]
            },
            false,
            same([UNPROCESSABLE; 6]),
        ),
        ("set_language", |_| vec![("locale", "en".into()), ("back", "/".into())], false, same([OK; 6])),
        // Public: the link's token is the credential; a made-up one is refused alike for all.
        ("invitation", |_| vec![("token", "made-up".into())], false, same([UNPROCESSABLE; 6])),
        (
            "accept_invitation",
            |_| {
                let p = "Made-up-token-9".to_string();
                vec![("token", "made-up".into()), ("name", "X".into()), ("password", p.clone()), ("confirm", p)]
            },
            false,
            same([UNPROCESSABLE; 6]),
        ),
        ("sign_out", none, false, same([OK; 6])),
    ];
    rows.into_iter()
        .map(|(endpoint, form, names_object, (aurora, borealis))| Row {
            endpoint,
            form,
            names_object,
            aurora,
            borealis,
        })
        .collect()
}

/// Every server function the binary registers, as `/api/<name>`.
fn registered_functions() -> BTreeSet<String> {
    leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_string()).collect()
}

#[test]
fn the_server_knows_the_upload_path_by_the_contract_constant() {
    // The server binary does not see the api module (layers), so it names the multipart server
    // function by a constant; a renamed endpoint must rename the constant too.
    use leptos::server_fn::ServerFn;
    assert_eq!(<app::api::UploadPoDocument as ServerFn>::PATH, app::contract::links::UPLOAD_PO_DOCUMENT);
}

#[tokio::test]
async fn authorization_matrix_every_function_every_role_own_and_foreign_objects() {
    // R-ROLE-2, R-ROLE-5, R-REN-1: buyers act on billing, admins only look, payers see nothing
    // here, and another organisation's objects are not found.
    let rows = matrix();
    let listed: BTreeSet<String> = rows.iter().map(|r| format!("/api/{}", r.endpoint)).collect();
    assert_eq!(registered_functions(), listed, "every server function needs a row in the matrix");

    let app = spawn_fresh(
        TestDb::sqlite().await,
        Options { clock: Clock::offset(0), demo_clock: true, ..Options::default() },
    )
    .await;
    let mut cookies = Vec::new();
    for (_, email) in CALLERS {
        cookies.push(match email {
            Some(email) => Some(app.sign_in(email).await),
            None => None,
        });
    }
    let aurora_buyer = cookies[1].clone().unwrap();
    let borealis_buyer = cookies[5].clone().unwrap();
    let aurora = app.subscription_ids(&aurora_buyer, &[("auto_renew", "on")]).await[0];
    let borealis = app.subscription_ids(&borealis_buyer, &[("auto_renew", "on")]).await[0];

    let mut calls = 0;
    let mut wrong = Vec::new();
    for row in &rows {
        let objects: &[(Object, i64, [u16; 6])] = if row.names_object {
            &[(Object::Aurora, aurora, row.aurora), (Object::Borealis, borealis, row.borealis)]
        } else {
            assert_eq!(row.aurora, row.borealis, "{}: names no object", row.endpoint);
            &[(Object::Aurora, aurora, row.aurora)]
        };
        for (object, id, expected) in objects {
            for (i, (who, _)) in CALLERS.iter().enumerate() {
                let form = (row.form)(*id);
                let (status, body) = if row.endpoint == "upload_po_document" {
                    app.call_multipart(row.endpoint, cookies[i].as_deref(), &form, ("document", "po.pdf", PDF)).await
                } else {
                    app.call(row.endpoint, cookies[i].as_deref(), &form).await
                };
                calls += 1;
                // A server function that redirects a form answers the browser's fetch with 200
                // too; a redirect status here would be a page answer.
                if status.as_u16() != expected[i] {
                    wrong.push(format!(
                        "{} by {who} on {object:?}: {status} (expected {}) {body}",
                        row.endpoint, expected[i]
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{} of {calls} calls answered otherwise:\n{}", wrong.len(), wrong.join("\n"));
    // The matrix changed what it allowed and nothing else: the Aurora buyer's change and the
    // Borealis buyer's own are the two subscriptions now off.
    let off_aurora = app.subscription_ids(&app.sign_in("buyer@aurora.example").await, &[("auto_renew", "off")]).await;
    assert!(off_aurora.contains(&aurora));
    eprintln!(
        "authorization matrix: {} server functions x {} callers x own/foreign objects = {calls} calls, all as expected",
        rows.len(),
        CALLERS.len()
    );
    app.stop().await;
}

/// Every row of every table of a SQLite database, as text: equal before and after means the
/// requests in between changed nothing.
async fn snapshot(url: &str) -> String {
    use sqlx::Row;
    let pool = sqlx::SqlitePool::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut out = String::new();
    for table in tables {
        let columns: Vec<String> = sqlx::query(&format!("PRAGMA table_info({table})"))
            .fetch_all(&pool)
            .await
            .unwrap()
            .iter()
            .map(|r| format!("quote({})", r.get::<String, _>("name")))
            .collect();
        let rows: Vec<String> =
            sqlx::query_scalar(&format!("SELECT {} FROM {table} ORDER BY rowid", columns.join(" || '|' || ")))
                .fetch_all(&pool)
                .await
                .unwrap();
        out.push_str(&format!("## {table}\n{}\n", rows.join("\n")));
    }
    pool.close().await;
    out
}

/// The ways a request can come from someone else's page, and the headers that say so.
/// How a forgery is sent: its name, its headers, its content type.
type Forgery = (&'static str, Form, &'static str);

fn forgeries(own: &str) -> Vec<Forgery> {
    let form = "application/x-www-form-urlencoded";
    vec![
        ("cross-site Sec-Fetch-Site", vec![("sec-fetch-site", "cross-site".into()), ("origin", own.into())], form),
        ("foreign Origin", vec![("origin", "https://evil.example".into())], form),
        ("null Origin", vec![("origin", "null".into())], form),
        ("no Origin and no Sec-Fetch-Site", vec![], form),
        ("text/plain body", vec![("sec-fetch-site", "same-origin".into()), ("origin", own.into())], "text/plain"),
    ]
}

#[tokio::test]
async fn forged_cross_site_requests_are_refused_and_change_nothing() {
    let app = spawn_fresh(
        TestDb::sqlite().await,
        Options { clock: Clock::offset(0), demo_clock: true, ..Options::default() },
    )
    .await;
    let url = app.db.as_ref().unwrap().url.clone();
    // The victim: signed in, a buyer and the demo clock's operator, so each forged call would
    // succeed if it got through.
    let victim = app.sign_in("buyer@aurora.example").await;
    let id = app.subscription_ids(&victim, &[("auto_renew", "on")]).await[0];
    let (_, _) = app.call("request_password_reset", None, &[("email", "buyer2@aurora.example".into())]).await;
    // This portal runs no outbox worker: do its turn, which makes the link and its mail.
    app::server::auth::issue_reset_links(&app.db.as_ref().unwrap().store, &app.url).await.unwrap();
    let token = {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let body: String =
            sqlx::query_scalar("SELECT body_text FROM mail_outbox WHERE to_address = ? ORDER BY id DESC")
                .bind("buyer2@aurora.example")
                .fetch_one(&pool)
                .await
                .unwrap();
        pool.close().await;
        body.split("token=").nth(1).unwrap().split_whitespace().next().unwrap().to_string()
    };
    let password = "Another-pass-77".to_string();
    let forms: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("sign_in", vec![("email", "buyer2@aurora.example".into()), ("password", DEMO_PASSWORD.into())]),
        ("change_auto_renew", vec![("ids", id.to_string()), ("on", "false".into()), ("idempotency_key", key())]),
        ("request_password_reset", vec![("email", "admin@aurora.example".into())]),
        ("reset_password", vec![("token", token), ("password", password.clone()), ("confirm", password)]),
        ("set_language", vec![("locale", "fi".into()), ("back", "/".into())]),
        ("advance_demo_clock", vec![("step", "30d".into())]),
        ("sign_out", vec![]),
    ];
    let mut all = registered_functions();
    let before = snapshot(&url).await;
    let mut refused = 0;
    for (endpoint, form) in &forms {
        all.remove(&format!("/api/{endpoint}"));
        for (how, headers, content_type) in forgeries(&app.url) {
            let body = serde_urlencoded::to_string(form).unwrap();
            let mut req = app
                .client
                .post(format!("{}/api/{endpoint}", app.url))
                .header("cookie", &victim)
                .header("content-type", content_type)
                .body(body);
            for (k, v) in headers {
                req = req.header(k, v);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{endpoint} with {how}");
            assert!(res.headers().get("set-cookie").is_none(), "{endpoint} with {how}: a cookie was set");
            refused += 1;
        }
    }
    // The read-only functions are refused the same way (all server functions are POST).
    for endpoint in &all {
        for (how, headers, content_type) in forgeries(&app.url) {
            let mut req = app.client.post(format!("{}{endpoint}", app.url)).header("content-type", content_type);
            for (k, v) in headers {
                req = req.header(k, v);
            }
            assert_eq!(req.send().await.unwrap().status(), StatusCode::FORBIDDEN, "{endpoint} with {how}");
            refused += 1;
        }
    }
    assert_eq!(snapshot(&url).await, before, "a refused request changed the database");

    // The same calls from the portal's own pages go through and do change it: the check above
    // could have failed.
    for (endpoint, form) in &forms {
        let before = snapshot(&url).await;
        // Signing in ends the session the browser sends: keep the victim's for the calls after.
        let cookie = if *endpoint == "sign_in" { None } else { Some(victim.as_str()) };
        let (status, body) = app.call(endpoint, cookie, form).await;
        assert_eq!(status, StatusCode::OK, "{endpoint}: {body}");
        assert_ne!(snapshot(&url).await, before, "{endpoint} from our own page changed nothing");
    }
    eprintln!(
        "CSRF: {refused} forged requests ({} server functions x {} forgeries) refused with 403; the database unchanged",
        registered_functions().len(),
        forgeries(&app.url).len()
    );
    app.stop().await;
}

/// The fields each server function reads, for generating forms around them.
fn fields(endpoint: &str) -> &'static [&'static str] {
    match endpoint {
        "/api/sign_in" => &["email", "password", "next"],
        "/api/list_subscriptions" => &[
            "query[status]",
            "query[csn]",
            "query[currency]",
            "query[term]",
            "query[auto_renew]",
            "query[q]",
            "query[sort]",
            "query[dir]",
            "query[page]",
            "query[per_page]",
        ],
        "/api/subscription" => &["id"],
        "/api/preview_auto_renew" => &["ids", "on"],
        "/api/change_auto_renew" => &["ids", "on", "idempotency_key", "return_to"],
        "/api/request_password_reset" => &["email"],
        "/api/reset_password" => &["token", "password", "confirm"],
        "/api/set_language" => &["locale", "back"],
        "/api/advance_demo_clock" => &["step"],
        _ => &[],
    }
}

mod malformed {
    use proptest::prelude::*;

    /// Values a careless or hostile client sends: empty, huge, control characters, numbers
    /// out of range, lists that go wrong, other scripts.
    pub fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            "\\PC{0,40}",
            "[0-9,\\- ]{0,60}",
            "-?[0-9]{1,30}",
            Just("99999999999999999999".to_string()),
            Just("true".to_string()),
            Just("NaN".to_string()),
            "[\\x00-\\x1f%&=\\[\\]]{0,20}",
            (1usize..12_000).prop_map(|n| "9,".repeat(n / 2)),
            (1usize..70_000).prop_map(|n| "a".repeat(n)),
            "[a-z]{1,8}@[a-z]{1,8}\\.example",
            "//[a-z.]{1,20}/x",
        ]
    }

    /// A body: a form around the function's fields (some missing, some twice, some unknown),
    /// raw bytes, or JSON, each with a content type.
    pub fn body(fields: &'static [&'static str]) -> impl Strategy<Value = (Vec<u8>, &'static str)> {
        let field = if fields.is_empty() {
            "[a-z\\[\\]]{1,12}".boxed()
        } else {
            prop_oneof![4 => proptest::sample::select(fields).prop_map(str::to_string), 1 => "[a-z\\[\\]]{1,12}"]
                .boxed()
        };
        let form = proptest::collection::vec((field, value()), 0..6).prop_map(|pairs| {
            (serde_urlencoded::to_string(&pairs).unwrap().into_bytes(), "application/x-www-form-urlencoded")
        });
        let bytes =
            proptest::collection::vec(any::<u8>(), 0..400).prop_map(|b| (b, "application/x-www-form-urlencoded"));
        let json = "\\PC{0,80}".prop_map(|s| (format!("{{\"x\":{s}").into_bytes(), "application/json"));
        let multipart = "\\PC{0,80}".prop_map(|s| (s.into_bytes(), "multipart/form-data; boundary=x"));
        prop_oneof![6 => form, 2 => bytes, 1 => json, 1 => multipart]
    }
}

#[test]
fn malformed_input_never_gets_a_server_error_or_a_dropped_connection() {
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    const CASES: u32 = 500;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // Requests come "through a proxy" from ever-new addresses, so the per-address limiter lets
    // them reach the functions instead of answering 429 at the door.
    let app = rt.block_on(spawn_fresh(
        rt.block_on(TestDb::sqlite()),
        Options {
            clock: Clock::offset(0),
            demo_clock: true,
            trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
            ..Options::default()
        },
    ));
    let cookie = rt.block_on(app.sign_in("buyer@aurora.example"));
    let mut total = 0;
    let statuses = std::cell::RefCell::new(std::collections::BTreeMap::<u16, u32>::new());
    // Signing out ends the session the other functions are called with: it goes last.
    let mut endpoints: Vec<String> = registered_functions().into_iter().collect();
    endpoints.sort_by_key(|e| e == "/api/sign_out");
    for endpoint in endpoints {
        let mut runner = TestRunner::new(Config { cases: CASES, failure_persistence: None, ..Config::default() });
        let n = std::cell::Cell::new(0u32);
        let result = runner.run(&malformed::body(fields(&endpoint)), |(body, content_type)| {
            n.set(n.get() + 1);
            let n = n.get() + 100_000 * total;
            let request = app
                .client
                .post(format!("{}{endpoint}", app.url))
                .header("sec-fetch-site", "same-origin")
                .header("x-forwarded-for", format!("10.{}.{}.{}", n / 65536 % 256, n / 256 % 256, n % 256))
                .header("content-type", content_type)
                .header("cookie", &cookie)
                .body(body);
            let res = rt.block_on(request.send()).map_err(|e| TestCaseError::fail(format!("no answer: {e}")))?;
            let status = res.status();
            let text = rt.block_on(res.text()).map_err(|e| TestCaseError::fail(format!("answer cut: {e}")))?;
            *statuses.borrow_mut().entry(status.as_u16()).or_default() += 1;
            if status.is_server_error() {
                return Err(TestCaseError::fail(format!("{status}: {text}")));
            }
            // A refusal is one of our codes, never a decoder's own words (serde, server_fn).
            if status.is_client_error() && status != StatusCode::NOT_FOUND {
                let ours = serde_json::from_str::<app::contract::error::AppError>(&text).is_ok_and(
                    |e| !matches!(e, app::contract::error::AppError::Transport(ref m) if m != "request not accepted"),
                );
                if !ours {
                    return Err(TestCaseError::fail(format!("{status} not in our words: {text}")));
                }
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{endpoint}: {e}");
        }
        total += n.get();
    }
    // Still alive and well after all of it.
    let (status, _) = rt.block_on(app.call("current_user", Some(&cookie), &[]));
    assert_eq!(status, StatusCode::OK);
    eprintln!(
        "malformed input: {total} generated bodies ({CASES} per server function, {} functions); answers by status: {:?}; no 5xx, no dropped connection",
        registered_functions().len(),
        statuses.borrow()
    );
    rt.block_on(app.stop());
}
