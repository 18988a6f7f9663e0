//! The set-up the integration and service test binaries share (each includes this module with
//! `mod shared_setup;`). aiocop's settings are process-wide, so every test of a binary calls it
//! and only the first call does anything.

use std::sync::Once;

/// Sets aiocop up once per process: audit functions patched, blocking calls recorded without
/// stack traces, the slow-task threshold at `threshold_ms`, then `register` (the binary's context
/// providers, callbacks and delivery), then monitoring on.
pub(crate) fn setup_once(threshold_ms: u64, register: impl FnOnce()) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        aiocop::patch_audit_functions();
        aiocop::start_blocking_io_detection(0).expect("trace depth 0 is valid");
        aiocop::detect_slow_tasks(threshold_ms, ()).expect("a valid threshold");
        register();
        aiocop::activate();
    });
}
