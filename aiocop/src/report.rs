//! Where aiocop reports its own trouble: a panicking callback or context provider, a repeated
//! set-up call, a full delivery queue. Always stderr, never a panic, never an error for the user's
//! task to handle.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// Writes one `aiocop: ...` line to stderr. A failed write is ignored: a diagnostic must not take
/// the process down.
pub(crate) fn warn(args: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "aiocop: {args}");
}

/// Like [`warn`], but only the first time `flag` is seen unset.
pub(crate) fn warn_once(flag: &AtomicBool, args: fmt::Arguments<'_>) {
    if !flag.swap(true, Ordering::Relaxed) {
        warn(args);
    }
}

/// The message of a caught panic payload, for reports.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "<non-string panic payload>"
    }
}
