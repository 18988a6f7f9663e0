//! Before `patch_audit_functions()` the shims only forward to std: nothing is recorded, even
//! inside a monitored poll with detection started, and no function counts as patched. Each test
//! runs in a process of its own (`own_process!`) that never patches.

use crate::shim_cases;

use std::collections::BTreeSet;
use std::sync::Once;

use aiocop::FutureExt;
use aiocop_tests::current_thread;
use shim_cases::run_monitored;

fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        aiocop::start_blocking_io_detection(0).unwrap();
        aiocop::activate();
    });
}

#[test]
fn unpatched_shims_forward_without_recording() {
    aiocop_tests::own_process!("unpatched_shims_forward_without_recording");
    setup();
    assert!(!aiocop::setup::are_audit_functions_patched());
    let checked = current_thread().block_on(async {
        let mut checked = BTreeSet::new();
        for (op, run) in shim_cases::here() {
            let (_, events) = run_monitored(run).await;
            // A poll slowed down by the machine's load may still be reported as CPU-bound;
            // what must not happen is a recorded blocking call.
            let recorded: Vec<_> = events.iter().flat_map(|e| e.blocking_events()).collect();
            assert!(recorded.is_empty(), "{}: {recorded:#?}", op.event);
            checked.insert(op.shim.expect("a shim's catalog entry"));
        }
        checked
    });
    shim_cases::assert_every_case_here_ran(&checked);
}

#[test]
fn nothing_is_patched_before_patch_audit_functions() {
    aiocop_tests::own_process!("nothing_is_patched_before_patch_audit_functions");
    setup();
    assert_eq!(aiocop::get_patched_functions(), Vec::<&str>::new());
    // The catalog is still known.
    assert_eq!(aiocop::get_blocking_events_dict()["std::fs::read"], 10);
}

#[test]
fn direct_audit_calls_still_record() {
    aiocop_tests::own_process!("direct_audit_calls_still_record");
    setup();
    let ((), events) = current_thread().block_on(aiocop::events::collect_events(
        async {
            aiocop::audit("mylib::query", aiocop::WEIGHT_MODERATE, &[&"SELECT 1"]);
            aiocop::shim::thread::sleep(std::time::Duration::ZERO);
        }
        .monitored_as("direct"),
    ));
    let texts: Vec<&str> = events[0]
        .blocking_events()
        .iter()
        .map(|e| e.event())
        .collect();
    assert_eq!(texts, ["mylib::query(SELECT 1)"]);
}
