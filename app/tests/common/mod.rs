//! What the store and engine stories share: the test clock's "today", and running one story on
//! both backends with fresh, seeded databases.

use std::future::Future;

use app::server::seed;
use app::server::store::Store;
use app::server::testing::TestDb;
use chrono::{DateTime, TimeZone, Utc};

/// The demo's "today" in these tests.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

/// The portal's address in links of mail the stories send (not every story file sends any).
#[allow(dead_code)]
pub const BASE_URL: &str = "http://portal.test";

/// The order a checkout placed (the stories that expect one; an order held for approval is
/// not one).
#[allow(dead_code)]
pub fn order(placed: app::server::services::checkout::Placed) -> String {
    match placed {
        app::server::services::checkout::Placed::Order(number) => number,
        other => panic!("expected an order, got {other:?}"),
    }
}

/// Runs one story on both backends with fresh, seeded databases.
#[macro_export]
macro_rules! both {
    ($name:ident, $story:expr) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                $crate::common::run(app::server::testing::TestDb::sqlite().await, $story).await;
            }

            #[tokio::test]
            async fn postgres() {
                $crate::common::run(app::server::testing::TestDb::postgres().await, $story).await;
            }
        }
    };
}

pub async fn run<F, Fut>(db: TestDb, story: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    assert!(seed::load_if_empty(&db.store, now()).await.expect("seed"));
    story(db.store.clone()).await;
    db.cleanup().await;
}

/// The token of the last invitation mailed to `to`, read from its link.
#[allow(dead_code)]
pub async fn token_mailed_to(store: &Store, to: &str) -> String {
    let body = app::server::testing::text(
        store,
        &format!("SELECT body_text FROM mail_outbox WHERE kind = 'invitation' AND to_address = '{to}' ORDER BY id DESC LIMIT 1"),
    )
    .await;
    let link = body.split_whitespace().find(|w| w.contains("/accept-invitation?token=")).expect("a link").to_string();
    assert!(link.starts_with(&format!("{BASE_URL}/accept-invitation?token=")), "{link}");
    link.rsplit("token=").next().unwrap().trim_end_matches(')').to_string()
}
