//! The business clock. Production reads the system clock; tests and the demo use a manual clock
//! they can set (like Stripe's test clocks). Security timing (sessions, rate limits) always uses
//! the system clock, so moving the demo's time does not sign anyone out.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

#[derive(Clone)]
pub struct Clock(Arc<Inner>);

enum Inner {
    System,
    Manual(Mutex<DateTime<Utc>>),
}

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(Inner::System))
    }

    pub fn manual(at: DateTime<Utc>) -> Clock {
        Clock(Arc::new(Inner::Manual(Mutex::new(at))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &*self.0 {
            Inner::System => Utc::now(),
            Inner::Manual(at) => *at.lock().expect("clock lock"),
        }
    }

    /// Moves a manual clock; a system clock cannot be moved and answers `false`.
    pub fn set(&self, to: DateTime<Utc>) -> bool {
        match &*self.0 {
            Inner::System => false,
            Inner::Manual(at) => {
                *at.lock().expect("clock lock") = to;
                true
            }
        }
    }
}
