//! Customer details and the profile through the services (issue 14): buyers change a customer
//! number's company name and address with the ownership confirmation (R-CUST-1), tax-exempt
//! customers are sent to support (R-CUST-2), the tax of later orders follows (R-CUST-3), the
//! change reaches the CSN and its subscriptions (R-EXT-6) and every buyer is mailed (R-MAIL-5);
//! documents issued before keep the details of their day. Then a user's name and password.
//! Each story once on SQLite and once on PostgreSQL.

use app::contract::error::AppError;
use app::contract::problem::Problem;
use app::domain::customer::{CustomerDetails, CustomerField, DetailsProblem};
use app::domain::email::EmailAddress;
use app::domain::ids::CustomerAccountId;
use app::domain::password::NewPassword;
use app::domain::tax::{TaxKind, TaxRate};
use app::server::auth;
use app::server::seed::DEMO_PASSWORD;
use app::server::services::{account, customer_details};
use app::server::store::Store;
use app::server::testing::{demo_actor, scalar, text};
use chrono::Duration;
use rust_decimal_macros::dec;

mod common;
use common::{BASE_URL, now};

fn espoo() -> CustomerDetails {
    CustomerDetails {
        company_name: "Aurora Design Oyj".into(),
        address_line1: "Keilaranta 5".into(),
        address_line2: String::new(),
        postal_code: "02150".into(),
        city: "Espoo".into(),
        region: String::new(),
        country: "FI".into(),
    }
}

both!(a_buyer_changes_customer_details_and_every_buyer_is_told, |store: Store| async move {
    // R-CUST-1, R-EXT-6, R-MAIL-5.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let account_id =
        CustomerAccountId(scalar(&store, "SELECT id FROM customer_accounts WHERE csn = '5150001001'").await);
    let page = customer_details::page(&store, &buyer).await.unwrap();
    let fi = page.accounts.iter().find(|a| a.csn == "5150001001").unwrap();
    assert_eq!(fi.details.city, "Helsinki");
    assert_eq!(fi.buyers, 2);
    let mails = "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'customer_details_changed'";
    let before = scalar(&store, mails).await;

    let changed = customer_details::save(&store, &buyer, "5150001001", &espoo(), true, BASE_URL, now()).await;
    assert!(changed.unwrap());
    let page = customer_details::page(&store, &buyer).await.unwrap();
    let fi = page.accounts.iter().find(|a| a.csn == "5150001001").unwrap();
    assert_eq!((fi.details.company_name.as_str(), fi.details.city.as_str()), ("Aurora Design Oyj", "Espoo"));
    // Every subscription of the CSN shows the new company name (R-EXT-6).
    let stale = "SELECT COUNT(*) FROM subscriptions s JOIN customer_accounts ca ON ca.id = s.customer_account_id \
                 WHERE ca.csn = '5150001001' AND ca.company_name <> 'Aurora Design Oyj'";
    assert_eq!(scalar(&store, stale).await, 0);
    // Every buyer, and only the buyers, get the confirmation (R-MAIL-5, R-MAIL-3).
    assert_eq!(scalar(&store, mails).await, before + 2);
    let to = |who: &str| {
        format!("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'customer_details_changed' AND to_address = '{who}'")
    };
    assert_eq!(scalar(&store, &to("buyer@aurora.example")).await, 1);
    assert_eq!(scalar(&store, &to("buyer2@aurora.example")).await, 1);
    assert_eq!(scalar(&store, &to("admin@aurora.example")).await, 0);
    let body = text(
        &store,
        "SELECT body_text FROM mail_outbox WHERE kind = 'customer_details_changed' ORDER BY id DESC LIMIT 1",
    )
    .await;
    assert!(body.contains("Keilaranta 5, 02150 Espoo, FI"), "{body}");
    assert!(body.contains("Aino Virtanen"), "{body}");
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM audit_log WHERE action = 'customer_details.changed'").await, 1);

    // A document of yesterday prints yesterday's details; one of tomorrow the new ones.
    let mut tx = store.begin_read().await.unwrap();
    let then = tx.customer_details_at(account_id, now() - Duration::days(1)).await.unwrap().unwrap();
    let later = tx.customer_details_at(account_id, now() + Duration::days(1)).await.unwrap().unwrap();
    drop(tx);
    assert_eq!((then.company_name.as_str(), then.city.as_str()), ("Aurora Design Oy", "Helsinki"));
    assert_eq!(later, espoo());

    // The same details again (a second click): nothing changes, nobody is mailed.
    let again = customer_details::save(&store, &buyer, "5150001001", &espoo(), true, BASE_URL, now()).await;
    assert!(!again.unwrap());
    assert_eq!(scalar(&store, mails).await, before + 2);
});

both!(the_tax_of_later_orders_follows_the_new_address, |store: Store| async move {
    // R-CUST-3: moving the Finnish customer number to Stockholm turns 25.5 % VAT into 25 %.
    let buyer = demo_actor(&store, "buyer2@aurora.example").await;
    let tax =
        |p: &app::contract::dto::CustomerDetailsPage| p.accounts.iter().find(|a| a.csn == "5150001001").unwrap().tax;
    let page = customer_details::page(&store, &buyer).await.unwrap();
    assert_eq!(tax(&page), Some(TaxRate { kind: TaxKind::Vat, percent: dec!(25.5) }));
    let stockholm =
        CustomerDetails { city: "Stockholm".into(), postal_code: "111 21".into(), country: "se".into(), ..espoo() };
    customer_details::save(&store, &buyer, "5150001001", &stockholm, true, BASE_URL, now()).await.unwrap();
    let page = customer_details::page(&store, &buyer).await.unwrap();
    assert_eq!(tax(&page), Some(TaxRate { kind: TaxKind::Vat, percent: dec!(25) }));
    assert_eq!(page.accounts.iter().find(|a| a.csn == "5150001001").unwrap().details.country, "SE");
});

both!(customer_details_are_refused_with_their_reason_and_change_nothing, |store: Store| async move {
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let counts = || async {
        (
            scalar(&store, "SELECT COUNT(*) FROM customer_details_history").await,
            scalar(&store, "SELECT COUNT(*) FROM mail_outbox").await,
            text(&store, "SELECT company_name FROM customer_accounts WHERE csn = '5150001001'").await,
        )
    };
    let start = counts().await;
    // R-CUST-1: without the ownership confirmation.
    let r = customer_details::save(&store, &buyer, "5150001001", &espoo(), false, BASE_URL, now()).await;
    assert_eq!(r.unwrap_err(), AppError::validation("ownership", Problem::OwnershipNotConfirmed));
    // R-CUST-2: a tax-exemption certificate is on file.
    let r = customer_details::save(&store, &buyer, "5150001004", &espoo(), true, BASE_URL, now()).await;
    assert_eq!(r.unwrap_err(), AppError::form(Problem::TaxExemptContactSupport));
    // An address in a country the portal cannot tax (R-CUST-3), a missing city, a line break.
    let japan = CustomerDetails { country: "JP".into(), ..espoo() };
    let r = customer_details::save(&store, &buyer, "5150001001", &japan, true, BASE_URL, now()).await;
    let problem = DetailsProblem::UnsupportedCountry { country: "JP".into() };
    assert_eq!(r.unwrap_err(), AppError::validation("country", Problem::CustomerDetails(problem)));
    let no_city = CustomerDetails { city: " ".into(), ..espoo() };
    let r = customer_details::save(&store, &buyer, "5150001001", &no_city, true, BASE_URL, now()).await;
    let problem = DetailsProblem::Required { field: CustomerField::City };
    assert_eq!(r.unwrap_err(), AppError::validation("city", Problem::CustomerDetails(problem)));
    // Admins and payers do not act on billing (R-ROLE-5); another organisation's CSN is not found.
    for who in ["admin@aurora.example", "payer1@aurora.example"] {
        let actor = demo_actor(&store, who).await;
        let r = customer_details::save(&store, &actor, "5150001001", &espoo(), true, BASE_URL, now()).await;
        assert_eq!(r.unwrap_err(), AppError::Forbidden, "{who}");
        assert_eq!(customer_details::page(&store, &actor).await.unwrap_err(), AppError::Forbidden, "{who}");
    }
    let r = customer_details::save(&store, &buyer, "5150002001", &espoo(), true, BASE_URL, now()).await;
    assert_eq!(r.unwrap_err(), AppError::NotFound);
    assert_eq!(counts().await, start);
    let exempt = customer_details::page(&store, &buyer).await.unwrap();
    assert!(exempt.accounts.iter().find(|a| a.csn == "5150001004").unwrap().tax_exempt);
});

both!(a_user_renames_themselves_and_changes_the_password_ending_other_sessions, |store: Store| async move {
    // R-AUTH-1: the new password obeys the rules; the current one is checked first.
    let lina = demo_actor(&store, "buyer2@aurora.example").await;
    let address = EmailAddress::parse("buyer2@aurora.example").unwrap();
    let sign_in = |password: &'static str| {
        let store = store.clone();
        let address = address.clone();
        async move { auth::sign_in(&store, &address, password.into(), "10.0.0.1", None, now()).await }
    };
    let here = sign_in(DEMO_PASSWORD).await.unwrap();
    sign_in(DEMO_PASSWORD).await.unwrap();
    sign_in(DEMO_PASSWORD).await.unwrap();
    let sessions = format!("SELECT COUNT(*) FROM sessions WHERE user_id = {}", lina.user_id.0);
    assert_eq!(scalar(&store, &sessions).await, 3);

    account::rename(&store, &lina, "  Lina Berg-Holm ", now()).await.unwrap();
    assert_eq!(account::me(&store, &lina).await.unwrap().display_name, "Lina Berg-Holm");
    let r = account::rename(&store, &lina, "   ", now()).await;
    assert!(matches!(r, Err(AppError::Validation { problem: Problem::Name(_), .. })), "{r:?}");

    let new = || NewPassword::parse("Fresh-start-2027".to_string()).unwrap();
    let r = auth::change_password(&store, &lina, &here.token, "wrong-one-1".into(), new(), "10.0.0.1", now()).await;
    assert_eq!(r.unwrap_err(), AppError::validation("current", Problem::WrongPassword));
    assert_eq!(scalar(&store, &sessions).await, 3, "a wrong current password changes nothing");
    auth::change_password(&store, &lina, &here.token, DEMO_PASSWORD.into(), new(), "10.0.0.1", now()).await.unwrap();
    assert_eq!(scalar(&store, &sessions).await, 1, "only this session stays");
    let kept = auth::hash_token(&here.token);
    assert_eq!(scalar(&store, &format!("SELECT COUNT(*) FROM sessions WHERE token_hash = '{kept}'")).await, 1);
    assert_eq!(sign_in(DEMO_PASSWORD).await.unwrap_err(), AppError::form(Problem::BadCredentials));
    sign_in("Fresh-start-2027").await.unwrap();
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM audit_log WHERE action = 'profile.password'").await, 1);
});
