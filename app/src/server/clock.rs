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

/// Moves the demo clock's stored offset forward by `by` and returns the new offset. Under the
/// write lock, so two processes moving it at once add up.
pub async fn advance_stored_offset(store: &Store, by: Duration) -> StoreResult<i64> {
    let mut tx = store.begin_write().await?;
    tx.serialize_on(OFFSET_SETTING).await?;
    let current: i64 = tx.setting(OFFSET_SETTING).await?.and_then(|v| v.parse().ok()).unwrap_or(0);
    let next = current + by.num_seconds();
    tx.set_setting(OFFSET_SETTING, &next.to_string()).await?;
    tx.commit().await?;
    Ok(next)
}

/// Parses "30d", "12h" or "90m" (a positive whole number of days, hours or minutes), at most
/// ten years.
pub fn parse_step(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 = number.parse().map_err(|_| format!("{text:?}: use a number followed by d, h or m, such as 30d"))?;
    if n <= 0 {
        return Err("The clock only moves forward: use a positive number.".into());
    }
    let by = match unit {
        "d" => Duration::days(n),
        "h" => Duration::hours(n),
        "m" => Duration::minutes(n),
        _ => return Err(format!("{text:?}: use a number followed by d, h or m, such as 30d")),
    };
    if by > Duration::days(3660) {
        return Err("Move the clock at most ten years at a time.".into());
    }
    Ok(by)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_parse_and_only_move_forward() {
        assert_eq!(parse_step("30d"), Ok(Duration::days(30)));
        assert_eq!(parse_step(" 12h "), Ok(Duration::hours(12)));
        assert_eq!(parse_step("90m"), Ok(Duration::minutes(90)));
        assert!(parse_step("-1d").is_err());
        assert!(parse_step("0d").is_err());
        assert!(parse_step("3w").is_err());
        assert!(parse_step("d").is_err());
        assert!(parse_step("").is_err());
        assert!(parse_step("4000d").is_err());
    }

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
