//! The allocator's settings for a long-running server.
//!
//! mimalloc (the global allocator of every process this crate links into, see `main.rs`) by
//! default commits its arenas eagerly on Linux and returns freed memory to the system only after
//! a delay. For a server that sits idle most of the day that was most of its memory. Measured on
//! the release binary with the demo data, idle a few seconds after start
//! (`/proc/<pid>/smaps_rollup`, several starts each):
//!
//! | settings | resident | of it anonymous |
//! |---|---|---|
//! | mimalloc's defaults | 50 to 74 MB | 28 to 52 MB |
//! | purge at once (`MIMALLOC_PURGE_DELAY=0`) | 46 to 50 MB | 25 to 28 MB |
//! | arenas committed on demand (`MIMALLOC_ARENA_EAGER_COMMIT=0`) alone | 67 MB | 45 MB |
//! | both | **30 to 32 MB** | 9 to 10 MB |
//!
//! The load benchmark's throughput did not change beyond its run-to-run noise (list page 171
//! and 144 requests/s, list server function 445 and 474, in one A/B).
//!
//! mimalloc reads these settings from the environment when the process starts, and reserves
//! its first arena before `main` runs: setting them from `main` (`mi_option_set`) came too late
//! for the arena (measured: 46 to 54 MB). So the server starts itself once more with them set.
//! An operator's own `MIMALLOC_*` values win.

/// The variables and the values the server runs with.
pub const SETTINGS: [(&str, &str); 2] = [
    // Commit arena memory as it is used, not the whole arena when it is reserved.
    ("MIMALLOC_ARENA_EAGER_COMMIT", "0"),
    // Give freed memory back to the system at once, not 10 ms (pages) to 100 ms (arenas) later.
    ("MIMALLOC_PURGE_DELAY", "0"),
];

/// Replaces the process (`exec`: the same process id, arguments and environment) with the same
/// binary and [`SETTINGS`] added, unless the environment already names all of them; the second
/// start finds them and goes on. Call it first thing in `main`, before any thread starts. If the
/// binary cannot be started again (it was replaced on disk, say), the server carries on with
/// mimalloc's defaults and says so.
pub fn exec_with_settings() {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let missing: Vec<_> = SETTINGS.iter().filter(|(name, _)| std::env::var_os(name).is_none()).collect();
        if missing.is_empty() {
            return;
        }
        let Ok(exe) = std::env::current_exe() else { return };
        let mut args = std::env::args_os();
        let mut command = std::process::Command::new(exe);
        if let Some(name) = args.next() {
            command.arg0(name);
        }
        command.args(args);
        for (name, value) in missing {
            command.env(name, value);
        }
        let error = command.exec();
        eprintln!(
            "note: the server runs with the allocator's default settings (restarting with its own failed: {error})"
        );
    }
}
