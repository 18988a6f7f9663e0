//! With argument capture off (paths and addresses may be personal data), every shim's event names
//! the operation only, and keeps its weight and call site. The test runs in a process of its own
//! (`own_process!`), where capture is off.

use crate::shim_cases;

use std::collections::BTreeSet;

use shim_cases::{assert_recorded, run_monitored};

fn setup() {
    aiocop_tests::setup_with(|| aiocop::setup::set_capture_arguments(false));
}

#[test]
fn shims_name_the_operation_only() {
    aiocop_tests::own_process!("shims_name_the_operation_only");
    setup();
    let checked = aiocop_tests::current_thread().block_on(async {
        let mut checked = BTreeSet::new();
        for (op, run) in shim_cases::here() {
            let (expect, events) = run_monitored(run).await;
            assert_recorded(op, &expect, &events, false);
            assert!(!events[0].blocking_events()[0].event().contains('('));
            checked.insert(op.shim.expect("a shim's catalog entry"));
        }
        checked
    });
    shim_cases::assert_every_case_here_ran(&checked);
}
