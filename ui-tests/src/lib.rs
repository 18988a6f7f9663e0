//! trybuild suite of aiocop; the cases live in `tests/pass` (must compile, and their `main` must
//! run to completion) and `tests/fail` (must fail with the diagnostics in their `.stderr`).
//!
//! This library holds what the pass cases share: turning aiocop on the way a service does, and
//! running a future to see which blocking operations its monitored polls recorded.

use std::future::Future;

/// Turns recording on for the whole process: shims patched, blocking detection started without
/// stack traces, monitoring active. Idempotent.
pub fn setup() {
    aiocop::patch_audit_functions();
    // A repeated start is a no-op by design; the first one cannot fail with depth 0.
    let _ = aiocop::start_blocking_io_detection(0);
    aiocop::activate();
}

/// Runs `future` to completion on a fresh current-thread runtime (timers and I/O enabled).
pub fn run<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime builds")
        .block_on(future)
}

/// Runs `future` (after [`setup`]) and returns its output with the blocking operations its
/// monitored polls recorded, in order, as `function: operation` (`read_config: std::fs::read`).
pub fn recorded<F: Future>(future: F) -> (F::Output, Vec<String>) {
    setup();
    let (output, events) = run(aiocop::events::collect_events(future));
    let ops = events
        .iter()
        .flat_map(|event| event.blocking_events())
        .map(|e| format!("{}: {}", e.function().name(), e.operation()))
        .collect();
    (output, ops)
}

/// Like [`recorded`], with the full text of each event (`std::fs::read(/etc/hosts)`).
pub fn recorded_text<F: Future>(future: F) -> (F::Output, Vec<String>) {
    setup();
    let (output, events) = run(aiocop::events::collect_events(future));
    let texts = events
        .iter()
        .flat_map(|event| event.blocking_events())
        .map(|e| e.event().to_owned())
        .collect();
    (output, texts)
}
