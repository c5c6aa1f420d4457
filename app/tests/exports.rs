//! The CSV export of the Subscriptions and contracts list (R-EXT-9), through the service as the
//! download route calls it: what the list's filters select, in its order, headed in the reader's
//! language, dates in ISO 8601, read back by a real CSV reader (quoting of commas and quotes),
//! and cells a spreadsheet would run as formulas neutralised. Each story on SQLite and
//! PostgreSQL.

use app::contract::dto::SubscriptionQuery;
use app::contract::error::AppError;
use app::domain::authz::Actor;
use app::domain::locale::Locale;
use app::server::services::{exports, subscriptions};
use app::server::store::Store;
use app::server::testing::{demo_actor, execute};

mod common;

/// The whole file the export streams.
async fn export(store: &Store, who: &Actor, q: &SubscriptionQuery, lang: Locale) -> Result<String, AppError> {
    let mut chunks = exports::subscriptions_csv(store, who, q, lang).await?;
    let mut bytes = Vec::new();
    while let Some(chunk) = chunks.recv().await {
        bytes.extend(chunk.expect("no error part way"));
    }
    Ok(String::from_utf8(bytes).expect("UTF-8"))
}

/// The header and the rows, read by the `csv` crate as a spreadsheet would read them.
fn read(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark first, so spreadsheets read UTF-8");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    (header, rows)
}

async fn total(store: &Store, who: &Actor, q: &SubscriptionQuery) -> i64 {
    subscriptions::list(store, who, q).await.unwrap().total
}

fn iso_day(text: &str) -> bool {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

both!(the_export_holds_what_the_filters_select_in_the_lists_order, |store: Store| async move {
    // R-EXT-9: every subscription the filters select (not only the page shown), in the list's
    // order, with the columns the rule names, dates in ISO 8601.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let all = SubscriptionQuery::default();
    let (header, rows) = read(&export(&store, &buyer, &all, Locale::En).await.unwrap());
    assert_eq!(
        header,
        [
            "Subscription ID",
            "Product",
            "Status",
            "Term",
            "Seats",
            "Customer number (CSN)",
            "Currency",
            "Start date",
            "End date",
            "Auto-renew",
            "Auto-renew date",
            "Contract number",
            "Reseller",
            "Reseller e-mail"
        ]
    );
    assert_eq!(rows.len() as i64, total(&store, &buyer, &all).await);
    assert_eq!(rows.len(), 300, "the demo organisation's 300 subscriptions, past the list's first page");
    let first_page = subscriptions::list(&store, &buyer, &all).await.unwrap().rows;
    let ids: Vec<String> = first_page.iter().map(|r| r.id.to_string()).collect();
    let exported: Vec<String> = rows.iter().take(ids.len()).map(|r| r[0].clone()).collect();
    assert_eq!(exported, ids, "the list's order");
    for r in &rows {
        assert!(iso_day(&r[7]) && iso_day(&r[8]), "{r:?}");
        assert!(r[7] <= r[8], "a term starts before it ends: {r:?}");
        match r[9].as_str() {
            "On" => assert!(iso_day(&r[10]) && r[10] > r[8], "renews the day after its end: {r:?}"),
            "Off" => assert_eq!(r[10], "", "{r:?}"),
            other => panic!("auto-renew {other:?}"),
        }
    }
    assert!(rows.iter().any(|r| !r[12].is_empty() && r[13].contains('@')), "partner subscriptions name their reseller");

    // Filtered and sorted as the list is: active EUR subscriptions, by seats, most first.
    let q = SubscriptionQuery {
        status: Some("active".into()),
        currency: Some("EUR".into()),
        sort: Some("seats".into()),
        dir: Some("desc".into()),
        ..SubscriptionQuery::default()
    };
    let (_, some) = read(&export(&store, &buyer, &q, Locale::En).await.unwrap());
    assert_eq!(some.len() as i64, total(&store, &buyer, &q).await);
    assert!(!some.is_empty() && some.len() < rows.len());
    assert!(some.iter().all(|r| r[2] == "Active" && r[6] == "EUR"), "{some:?}");
    let seats: Vec<i64> = some.iter().map(|r| r[4].parse().unwrap()).collect();
    assert!(seats.windows(2).all(|w| w[0] >= w[1]), "most seats first: {seats:?}");

    // Headed, and worded, in the reader's language.
    let (header, fi) = read(&export(&store, &buyer, &q, Locale::Fi).await.unwrap());
    assert_eq!(header[0], "Tilauksen tunnus");
    assert_eq!(header[8], "Päättymispäivä");
    assert!(fi.iter().all(|r| r[2] == "Aktiivinen"), "{:?}", fi.first());
});

both!(cells_a_spreadsheet_would_run_are_neutralised_and_quoting_holds, |store: Store| async move {
    // R-EXT-9: a reseller's name or address that starts like a formula (= + - @) is written
    // with a leading apostrophe, so a spreadsheet shows it and never runs it; commas, quotes
    // and line breaks inside a cell survive the round trip.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let org = buyer.org_id;
    let first = format!("(SELECT MIN(id) FROM subscriptions WHERE org_id = {org})");
    let second = format!("(SELECT MAX(id) FROM subscriptions WHERE org_id = {org})");
    execute(
        &store,
        &format!(
            "UPDATE subscriptions SET reseller_name = '=HYPERLINK(\"http://evil.example\",\"Click\")', \
             reseller_email = '@evil.example', contract_number = '+1-555' WHERE id = {first}"
        ),
    )
    .await;
    execute(
        &store,
        &format!("UPDATE subscriptions SET reseller_name = 'Smith, \"Junior\" & Co\nHelsinki' WHERE id = {second}"),
    )
    .await;
    let (_, rows) = read(&export(&store, &buyer, &SubscriptionQuery::default(), Locale::En).await.unwrap());
    let min = rows.iter().map(|r| r[0].parse::<i64>().unwrap()).min().unwrap();
    let max = rows.iter().map(|r| r[0].parse::<i64>().unwrap()).max().unwrap();
    let row = |id: i64| rows.iter().find(|r| r[0] == id.to_string()).unwrap().clone();
    let evil = row(min);
    assert_eq!(evil[12], "'=HYPERLINK(\"http://evil.example\",\"Click\")");
    assert_eq!(evil[13], "'@evil.example");
    assert_eq!(evil[11], "'+1-555");
    assert_eq!(row(max)[12], "Smith, \"Junior\" & Co\nHelsinki", "quoted, read back as it was");
    assert_eq!(exports::neutralised("-2+3"), "'-2+3");
    assert_eq!(exports::neutralised("Vectora CAD"), "Vectora CAD");
});

both!(admins_export_what_they_see_payers_cannot_and_a_bad_filter_is_refused, |store: Store| async move {
    // R-ROLE-5: admins see the list (and may export it); payers see no subscriptions
    // (R-ROLE-6); each organisation exports only its own; a filter that is not one is refused
    // before anything is sent.
    let admin = demo_actor(&store, "admin@aurora.example").await;
    let (_, rows) = read(&export(&store, &admin, &SubscriptionQuery::default(), Locale::En).await.unwrap());
    assert_eq!(rows.len(), 300);
    let payer = demo_actor(&store, "payer1@aurora.example").await;
    let r = export(&store, &payer, &SubscriptionQuery::default(), Locale::En).await;
    assert!(matches!(r, Err(AppError::Forbidden)), "{r:?}");
    let other = demo_actor(&store, "buyer@borealis.example").await;
    let (_, theirs) = read(&export(&store, &other, &SubscriptionQuery::default(), Locale::En).await.unwrap());
    assert_eq!(theirs.len() as i64, total(&store, &other, &SubscriptionQuery::default()).await);
    assert!(theirs.iter().all(|r| !rows.iter().any(|a| a[0] == r[0])), "no row of another organisation");
    let bad = SubscriptionQuery { status: Some("sleeping".into()), ..SubscriptionQuery::default() };
    let r = export(&store, &admin, &bad, Locale::En).await;
    assert!(matches!(r, Err(AppError::Validation { .. })), "{r:?}");
});
