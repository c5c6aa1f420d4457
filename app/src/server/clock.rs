//! The business clock. Production reads the system clock; tests use a manual clock they set
//! (like Stripe's test clocks); the demo uses the system clock plus an offset that can only move
//! forward, kept in the database so that a restart or a second process sees the same time.
//! Security timing (sessions, rate limits) always uses the system clock, so moving the demo's
//! time does not sign anyone out.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

use super::store::{Store, StoreResult};

/// The settings key holding the demo clock's offset in seconds.
pub const OFFSET_SETTING: &str = "demo_clock_offset_seconds";

#[derive(Clone)]
pub struct Clock(Arc<Inner>);

enum Inner {
    System,
    Manual(Mutex<DateTime<Utc>>),
    /// System time plus this many seconds.
    Offset(AtomicI64),
}

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(Inner::System))
    }

    pub fn manual(at: DateTime<Utc>) -> Clock {
        Clock(Arc::new(Inner::Manual(Mutex::new(at))))
    }

    /// The demo clock, `offset_seconds` ahead of the system clock.
    pub fn offset(offset_seconds: i64) -> Clock {
        Clock(Arc::new(Inner::Offset(AtomicI64::new(offset_seconds))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &*self.0 {
            Inner::System => Utc::now(),
            Inner::Manual(at) => *at.lock().expect("clock lock"),
            Inner::Offset(s) => Utc::now() + Duration::seconds(s.load(Ordering::Relaxed)),
        }
    }

    /// Whether this clock can be moved (a manual or demo clock).
    pub fn is_movable(&self) -> bool {
        !matches!(&*self.0, Inner::System)
    }

    /// Moves a manual clock; a system or demo clock cannot be set and answers `false`.
    pub fn set(&self, to: DateTime<Utc>) -> bool {
        match &*self.0 {
            Inner::Manual(at) => {
                *at.lock().expect("clock lock") = to;
                true
            }
            _ => false,
        }
    }

    /// Moves a manual or demo clock forward; the system clock answers `false`.
    pub fn advance(&self, by: Duration) -> bool {
        match &*self.0 {
            Inner::System => false,
            Inner::Manual(at) => {
                let mut at = at.lock().expect("clock lock");
                *at += by;
                true
            }
            Inner::Offset(s) => {
                s.fetch_add(by.num_seconds(), Ordering::Relaxed);
                true
            }
        }
    }

    /// The demo clock's offset, `None` for other clocks.
    pub fn offset_seconds(&self) -> Option<i64> {
        match &*self.0 {
            Inner::Offset(s) => Some(s.load(Ordering::Relaxed)),
            _ => None,
        }
    }

    /// Takes a larger offset written by another process or the `advance-clock` command. The
    /// offset never moves back.
    pub fn observe_offset(&self, offset_seconds: i64) {
        if let Inner::Offset(s) = &*self.0 {
            s.fetch_max(offset_seconds, Ordering::Relaxed);
        }
    }
}

/// Reads the demo clock's stored offset (0 when none is stored).
pub async fn stored_offset(store: &Store) -> StoreResult<i64> {
    let mut tx = store.begin_read().await?;
    Ok(tx.setting(OFFSET_SETTING).await?.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Moves the demo clock's stored offset forward by `by` and returns the new offset, or
/// `TooFarAhead` (and moves nothing) when the total would pass [`MAX_AHEAD_DAYS`]. Checked
/// against the stored offset under the write lock, so two processes (or the command line) moving
/// it at once add up and still stop at the cap.
pub async fn advance_stored_offset(store: &Store, by: Duration) -> StoreResult<Result<i64, StepError>> {
    let mut tx = store.begin_write().await?;
    tx.serialize_on(OFFSET_SETTING).await?;
    let current: i64 = tx.setting(OFFSET_SETTING).await?.and_then(|v| v.parse().ok()).unwrap_or(0);
    let next = current.saturating_add(by.num_seconds());
    if next > Duration::days(MAX_AHEAD_DAYS).num_seconds() {
        return Ok(Err(StepError::TooFarAhead));
    }
    tx.set_setting(OFFSET_SETTING, &next.to_string()).await?;
    tx.commit().await?;
    Ok(Ok(next))
}

pub use crate::domain::time::parse_step;
use crate::domain::time::{MAX_AHEAD_DAYS, StepError};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_clock_never_moves_back() {
        let c = Clock::offset(100);
        c.observe_offset(50);
        assert_eq!(c.offset_seconds(), Some(100));
        c.observe_offset(200);
        assert_eq!(c.offset_seconds(), Some(200));
        assert!(c.advance(Duration::seconds(10)));
        assert_eq!(c.offset_seconds(), Some(210));
        assert!(!Clock::system().advance(Duration::days(1)));
    }
}
