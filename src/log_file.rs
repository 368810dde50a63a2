//! `UZGATE_LOG_FILE=/path`: every uzgate log line of the process (all clients, debug level
//! included, already masked) is also appended to that file — for support tickets, and for the
//! test that scans a whole run for leaked secrets.

use std::fs::OpenOptions;
use std::sync::Mutex;

#[napi_derive::module_init]
fn init_log_file() {
    let Ok(path) = std::env::var("UZGATE_LOG_FILE") else {
        return;
    };
    if path.is_empty() {
        return;
    }
    let Ok(file) = OpenOptions::new().create(true).append(true).open(&path) else {
        return;
    };
    // A second copy of the addon in the process (Jest loads it per test file) finds the
    // subscriber already set; that is fine.
    let _ = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .with_target(false)
        .try_init();
}
