//! Failed sign-ins slow further attempts down instead of locking the account: after a few free
//! failures each further attempt must wait, twice as long each time, up to a cap. A person who
//! mistyped waits seconds, never a quarter of an hour; a guesser gets a handful of tries a
//! minute at most; nobody can lock somebody else out for long. A password reset clears the
//! account's failures.

/// Failures in the counting window before any wait, per account (from anywhere).
pub const FREE_PER_ACCOUNT: i64 = 5;
/// The longest wait an account's failures impose: short, because anyone can cause them.
pub const CAP_PER_ACCOUNT_SECONDS: i64 = 60;
/// Failures in the window before any wait, per client address (across accounts).
pub const FREE_PER_ADDRESS: i64 = 30;
/// The longest wait for one address: long, because only that address suffers it.
pub const CAP_PER_ADDRESS_SECONDS: i64 = 15 * 60;

/// Failures counted in the window and when the last one happened (unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    pub count: i64,
    pub last_at: Option<i64>,
}

/// The wait after `failures` failures: none for the first `free`, then 2 s, 4 s, 8 s, ...
/// at most `cap` seconds.
pub fn wait_after(failures: i64, free: i64, cap: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let doublings = (failures - free).min(30) as u32;
    (2i64 << doublings).min(cap)
}

/// Seconds still to wait at `now` (unix seconds) before another attempt is checked, 0 if none:
/// the longer of the account's and the address's waits, each counted from its last failure.
pub fn seconds_to_wait(account: Failures, address: Failures, now: i64) -> i64 {
    let remaining = |f: Failures, free: i64, cap: i64| match f.last_at {
        Some(last) => (last + wait_after(f.count, free, cap) - now).max(0),
        None => 0,
    };
    remaining(account, FREE_PER_ACCOUNT, CAP_PER_ACCOUNT_SECONDS).max(remaining(
        address,
        FREE_PER_ADDRESS,
        CAP_PER_ADDRESS_SECONDS,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failures(count: i64, last_at: i64) -> Failures {
        Failures { count, last_at: Some(last_at) }
    }

    #[test]
    fn the_first_failures_cost_nothing_then_each_doubles_the_wait_up_to_the_cap() {
        let waits: Vec<i64> = (0..12).map(|n| wait_after(n, FREE_PER_ACCOUNT, CAP_PER_ACCOUNT_SECONDS)).collect();
        assert_eq!(waits, [0, 0, 0, 0, 0, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(wait_after(1_000_000, FREE_PER_ADDRESS, CAP_PER_ADDRESS_SECONDS), 900, "no overflow");
    }

    #[test]
    fn the_wait_runs_from_the_last_failure_and_the_longer_of_the_two_counts_wins() {
        let none = Failures::default();
        assert_eq!(seconds_to_wait(none, none, 100), 0);
        assert_eq!(seconds_to_wait(failures(4, 100), none, 100), 0);
        assert_eq!(seconds_to_wait(failures(5, 100), none, 101), 1);
        assert_eq!(seconds_to_wait(failures(5, 100), none, 102), 0);
        assert_eq!(seconds_to_wait(failures(7, 100), failures(31, 100), 100), 8);
        assert_eq!(seconds_to_wait(failures(7, 100), failures(40, 90), 100), 890);
    }
}
