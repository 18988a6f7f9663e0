//! With stack traces on, a shim's event trace starts at the caller's line: the shim's own frames
//! are aiocop's and left out, as the reference leaves out its wrappers. The test runs in a process
//! of its own (`own_process!`), with trace depth 8.

use std::sync::Once;

use aiocop::FutureExt;

fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        aiocop::patch_audit_functions();
        aiocop::start_blocking_io_detection(8).unwrap();
        aiocop::activate();
    });
}

#[test]
fn the_trace_of_a_shim_event_starts_at_its_caller() {
    aiocop_tests::own_process!("the_trace_of_a_shim_event_starts_at_its_caller");
    setup();
    let ((exists, line), events) =
        aiocop_tests::current_thread().block_on(aiocop::events::collect_events(
            async { (aiocop::shim::fs::exists("/"), line!()) }.monitored_as("traced"),
        ));
    assert!(exists.unwrap());
    let call = &events[0].blocking_events()[0];
    let frames = call.trace().frames();
    assert!(!frames.is_empty());
    assert!(
        // Paths are shown relative to the working directory (the package's, under cargo test).
        frames[0].starts_with(&format!("tests/shims/trace.rs:{line}:")),
        "{frames:#?}"
    );
    assert!(
        frames.iter().all(|f| !f.contains("aiocop::shim")),
        "{frames:#?}"
    );
}
