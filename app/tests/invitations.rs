//! Invitations through the services: a payer added to an invoice without an account gets a
//! single-use link valid 7 days, opens an account with it and sees the invoices naming them
//! (R-ROLE-6, R-INV-4). Each story once on SQLite and once on PostgreSQL.

use app::contract::dto::InvoiceQuery;
use app::contract::error::AppError;
use app::contract::problem::Problem;
use app::domain::authz::Role;
use app::domain::password::{NewPassword, WeakPassword};
use app::domain::person::NameProblem;
use app::server::services::{invitations, invoices};
use app::server::store::Store;
use app::server::testing::{demo_actor, scalar, text};
use chrono::Duration;

mod common;
use common::{BASE_URL, now, token_mailed_to};

fn password(p: &str) -> NewPassword {
    NewPassword::parse(p.to_string()).unwrap()
}

both!(a_new_payer_is_invited_once_opens_an_account_with_the_link_and_sees_the_invoice, |store: Store| async move {
    // R-ROLE-6, R-INV-4: payers receive invoices and pay them; one without an account is
    // invited by mail and sets a password (R-AUTH-1); the link works once.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let q = InvoiceQuery { status: Some("unpaid".into()), ..InvoiceQuery::default() };
    let number = invoices::invoices(&store, &buyer, &q, now()).await.unwrap().rows[0].number.clone();
    let invitations_sent = "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'invitation'";
    let before = scalar(&store, invitations_sent).await;

    // A new address and one with an account: only the new one is invited.
    invoices::manage_payers(
        &store,
        &buyer,
        &number,
        "Oona.Payer@Example.com\npayer1@aurora.example",
        "",
        now(),
        BASE_URL,
    )
    .await
    .unwrap();
    assert_eq!(scalar(&store, invitations_sent).await, before + 1);
    assert_eq!(
        scalar(&store, "SELECT COUNT(*) FROM invitations WHERE email = 'oona.payer@example.com' AND role = 'payer'")
            .await,
        1
    );
    let subject =
        text(&store, "SELECT subject FROM mail_outbox WHERE kind = 'invitation' ORDER BY id DESC LIMIT 1").await;
    assert_eq!(subject, "Aurora Design Group invited you to pay invoices in Billing and orders");
    // Removed and added again while the invitation waits: no second mail.
    invoices::manage_payers(&store, &buyer, &number, "", "oona.payer@example.com", now(), BASE_URL).await.unwrap();
    invoices::manage_payers(&store, &buyer, &number, "oona.payer@example.com", "", now(), BASE_URL).await.unwrap();
    assert_eq!(scalar(&store, invitations_sent).await, before + 1);

    let token = token_mailed_to(&store, "oona.payer@example.com").await;
    let opened = invitations::invitation(&store, &token, now()).await.unwrap();
    assert_eq!((opened.email.as_str(), opened.role), ("oona.payer@example.com", Role::Payer));
    assert_eq!(opened.expires_on, (now() + Duration::days(7)).date_naive());

    // Bad input changes nothing.
    let r = invitations::accept(&store, &token, " ", password("Payer-pass-42"), "http://portal.test", now()).await;
    assert!(
        matches!(&r, Err(AppError::Validation { field: Some(f), problem: Problem::Name(NameProblem::Missing) }) if f == "name"),
        "{r:?}"
    );
    assert_eq!(NewPassword::parse("abcdefgh".into()).err(), Some(WeakPassword::NoDigit), "R-AUTH-1 before the service");
    let r =
        invitations::accept(&store, "made-up", "Oona", password("Payer-pass-42"), "http://portal.test", now()).await;
    assert!(matches!(r, Err(AppError::Validation { problem: Problem::InvitationInvalid, .. })));
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM users WHERE email = 'oona.payer@example.com'").await, 0);

    let email =
        invitations::accept(&store, &token, "Oona Payer", password("Payer-pass-42"), "http://portal.test", now())
            .await
            .unwrap();
    assert_eq!(email.as_str(), "oona.payer@example.com");
    // Once only.
    let again =
        invitations::accept(&store, &token, "Someone Else", password("Other-pass-42"), "http://portal.test", now())
            .await;
    assert!(matches!(again, Err(AppError::Validation { problem: Problem::InvitationInvalid, .. })), "{again:?}");
    assert!(invitations::invitation(&store, &token, now()).await.is_err());

    let payer = demo_actor(&store, "oona.payer@example.com").await;
    assert_eq!((payer.org_id, payer.roles.clone()), (buyer.org_id, vec![Role::Payer]));
    let seen = invoices::invoices(&store, &payer, &InvoiceQuery::default(), now()).await.unwrap();
    assert_eq!(
        seen.rows.iter().map(|r| r.number.clone()).collect::<Vec<_>>(),
        vec![number.clone()],
        "only the invoice naming them"
    );
    // A payer joining is billing (who pays which invoices), recorded as such (R-ROLE-5).
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM audit_log WHERE action = 'invoice.payer_joined'").await, 1);
});

both!(an_invitation_expires_after_7_days, |store: Store| async move {
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let q = InvoiceQuery { status: Some("unpaid".into()), ..InvoiceQuery::default() };
    let number = invoices::invoices(&store, &buyer, &q, now()).await.unwrap().rows[0].number.clone();
    invoices::manage_payers(&store, &buyer, &number, "late.payer@example.com", "", now(), BASE_URL).await.unwrap();
    let token = token_mailed_to(&store, "late.payer@example.com").await;
    let still = now() + Duration::days(7) - Duration::seconds(1);
    assert!(invitations::invitation(&store, &token, still).await.is_ok());
    let late = now() + Duration::days(7);
    let r =
        invitations::accept(&store, &token, "Late Payer", password("Payer-pass-42"), "http://portal.test", late).await;
    assert!(matches!(r, Err(AppError::Validation { problem: Problem::InvitationInvalid, .. })), "{r:?}");
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM users WHERE email = 'late.payer@example.com'").await, 0);
    // Once it has expired, adding the address again sends a new one.
    invoices::manage_payers(&store, &buyer, &number, "", "late.payer@example.com", late, BASE_URL).await.unwrap();
    invoices::manage_payers(&store, &buyer, &number, "late.payer@example.com", "", late, BASE_URL).await.unwrap();
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM invitations WHERE email = 'late.payer@example.com'").await, 2);
    let fresh = token_mailed_to(&store, "late.payer@example.com").await;
    assert_ne!(fresh, token);
    invitations::accept(&store, &fresh, "Late Payer", password("Payer-pass-42"), "http://portal.test", late)
        .await
        .unwrap();
});
