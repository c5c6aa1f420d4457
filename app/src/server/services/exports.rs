//! CSV export of the Subscriptions and contracts list (R-EXT-9): what the list's filters
//! select, in the list's order, with the columns headed in the reader's language, dates in ISO
//! 8601, UTF-8 with a byte-order mark (so spreadsheets read it as UTF-8), quoted by the `csv`
//! crate, and cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a
//! carriage return) neutralised with a leading apostrophe.
//!
//! Streamed: the database streams the rows into a small channel, a writer turns them into CSV
//! chunks of [`CHUNK_ROWS`] rows, and at most [`CHUNKS_AHEAD`] chunks wait for the browser. So
//! 100,000 rows never sit in memory at once, and a browser that goes away stops the query.

use std::borrow::Cow;

use tokio::sync::mpsc;
use tracing::Instrument;

use crate::contract::dto::SubscriptionQuery;
use crate::contract::error::AppError;
use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::locale::Locale;
use crate::domain::time::{expiry_instant, local_date};
use crate::i18n::td_string;
use crate::server::store::records::Subscription;
use crate::server::store::{Store, StoreResult};

/// Rows per chunk sent to the browser.
pub const CHUNK_ROWS: usize = 500;
/// Chunks that wait for the browser at most: with [`CHUNK_ROWS`], what bounds the memory.
pub const CHUNKS_AHEAD: usize = 4;
/// Subscriptions read from the database ahead of the writer at most.
pub(crate) const ROWS_AHEAD: usize = 256;

/// A piece of the file, or the error that cut it short (the download then fails, visibly).
pub type Chunk = Result<Vec<u8>, std::io::Error>;

/// The file's name as the browser saves it.
pub const FILE_NAME: &str = "subscriptions.csv";

/// A cell as written: text a spreadsheet would run as a formula gets a leading apostrophe
/// (CSV injection), anything else stays as it is.
pub fn neutralised(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

fn header(l: crate::i18n::Locale) -> Vec<String> {
    [
        td_string!(l, export.col_id),
        td_string!(l, export.col_product),
        td_string!(l, export.col_status),
        td_string!(l, export.col_term),
        td_string!(l, export.col_seats),
        td_string!(l, export.col_csn),
        td_string!(l, export.col_currency),
        td_string!(l, export.col_start),
        td_string!(l, export.col_end),
        td_string!(l, export.col_auto_renew),
        td_string!(l, export.col_renewal_date),
        td_string!(l, export.col_contract),
        td_string!(l, export.col_reseller),
        td_string!(l, export.col_reseller_email),
    ]
    .into_iter()
    .map(str::to_string)
    .collect()
}

fn record(l: crate::i18n::Locale, s: &Subscription) -> [String; 14] {
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let text = |t: &str| neutralised(t).into_owned();
    [
        s.id.to_string(),
        text(&s.product_name),
        crate::words::status(l, s.status),
        crate::words::term(l, s.term),
        s.seats.to_string(),
        text(&s.csn),
        s.currency.code().to_string(),
        day(local_date(s.term_start, s.time_zone)),
        day(local_date(expiry_instant(s.term_end), s.time_zone)),
        if s.auto_renew { td_string!(l, on) } else { td_string!(l, off) }.to_string(),
        if s.auto_renew { day(s.renewal_day()) } else { String::new() },
        text(&s.contract_number),
        text(s.reseller_name.as_deref().unwrap_or_default()),
        text(s.reseller_email.as_deref().unwrap_or_default()),
    ]
}

/// The subscriptions the list's filters select (`q`, its page left aside) as CSV in `lang`,
/// for those who see the list (buyers and admins, R-ROLE-5). A filter that is not one is
/// refused before anything is sent; then the chunks come from the receiver.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn subscriptions_csv(
    store: &Store,
    actor: &Actor,
    q: &SubscriptionQuery,
    lang: Locale,
) -> Result<mpsc::Receiver<Chunk>, AppError> {
    authorize(actor, Action::ViewSubscriptions, actor.org_id)?;
    let filter = super::subscriptions::parse_query(actor.org_id, q)?;
    let (rows_in, rows) = mpsc::channel::<StoreResult<Subscription>>(ROWS_AHEAD);
    let store = store.clone();
    let read = async move {
        let result = async {
            let mut tx = store.begin_read().await?;
            tx.send_subscriptions(&filter, &rows_in).await
        }
        .await;
        if let Err(e) = result {
            let _ = rows_in.send(Err(e)).await;
        }
    };
    let l = crate::i18n::Locale::from(lang);
    Ok(spawn_csv(read, rows, header(l), move |s| record(l, s).to_vec()))
}

/// Runs `read`, which sends rows into `rows`' sender, beside a writer that turns them into CSV
/// chunks of [`CHUNK_ROWS`] rows (`header` first, after a byte-order mark), at most
/// [`CHUNKS_AHEAD`] of which wait for the browser. A browser that goes away closes the chunks'
/// channel: the writer stops, dropping `rows` stops `read`. An error cuts the file short.
pub(crate) fn spawn_csv<T: Send + 'static>(
    read: impl std::future::Future<Output = ()> + Send + 'static,
    mut rows: mpsc::Receiver<StoreResult<T>>,
    header: Vec<String>,
    record: impl Fn(&T) -> Vec<String> + Send + 'static,
) -> mpsc::Receiver<Chunk> {
    let (out, chunks) = mpsc::channel::<Chunk>(CHUNKS_AHEAD);
    let write = async move {
        // Each chunk is written by a writer of its own, into a buffer handed to the browser whole.
        let fresh = |start: &[u8]| {
            let mut buffer = Vec::with_capacity(64 * 1024);
            buffer.extend_from_slice(start);
            csv::Writer::from_writer(buffer)
        };
        let take = |w: csv::Writer<Vec<u8>>| -> Chunk { w.into_inner().map_err(|e| e.into_error()) };
        let cut = |why: String| {
            tracing::error!(error = %why, "a CSV export was cut short");
            Err(std::io::Error::other("the export was cut short"))
        };
        let mut w = fresh("\u{feff}".as_bytes());
        if let Err(e) = w.write_record(header) {
            let _ = out.send(cut(e.to_string())).await;
            return;
        }
        let mut in_chunk = 0;
        while let Some(row) = rows.recv().await {
            let written =
                row.map_err(|e| e.to_string()).and_then(|r| w.write_record(record(&r)).map_err(|e| e.to_string()));
            if let Err(why) = written {
                let _ = out.send(cut(why)).await;
                return;
            }
            in_chunk += 1;
            if in_chunk == CHUNK_ROWS {
                in_chunk = 0;
                let chunk = take(std::mem::replace(&mut w, fresh(b"")));
                let failed = chunk.is_err();
                // A browser that went away closes `out`: dropping `rows` then stops the query.
                if out.send(chunk).await.is_err() || failed {
                    return;
                }
            }
        }
        let _ = out.send(take(w)).await;
    };
    tokio::spawn(
        async move {
            tokio::join!(read, write);
        }
        .instrument(tracing::Span::current()),
    );
    chunks
}
