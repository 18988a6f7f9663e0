//! Strict mode under `ViolationRule::HighSeverityAndSlow` (the Python library's rule): a
//! high-severity poll panics only if it also took at least the threshold.
//!
//! Each test runs in a process of its own (`own_process!`). Global settings: trace depth 0, inline delivery, a 60 s global threshold, rule
//! `HighSeverityAndSlow`.

use crate::core_support;

use std::time::Duration;

use aiocop::{FutureExt, SeverityLevel, WEIGHT_HEAVY, strict::ViolationRule};
use core_support::{current_thread, strict_report};

fn setup() {
    aiocop_tests::setup_with(|| {
        aiocop::strict::set_violation_rule(ViolationRule::HighSeverityAndSlow)
    });
}

#[test]
fn the_rule_is_readable() {
    aiocop_tests::own_process!("the_rule_is_readable");
    setup();
    assert_eq!(
        aiocop::strict::violation_rule(),
        ViolationRule::HighSeverityAndSlow
    );
    assert_eq!(ViolationRule::default(), ViolationRule::HighSeverity);
}

#[test]
fn a_fast_high_severity_poll_does_not_panic() {
    aiocop_tests::own_process!("a_fast_high_severity_poll_does_not_panic");
    setup();
    let rt = current_thread();
    let ((), events) = rt.block_on(aiocop::raise_on_violations(aiocop::events::collect_events(
        async {
            aiocop::audit("std::thread::sleep", WEIGHT_HEAVY, &[&"fast"]);
        }
        .monitored_as("rule_fast"),
    )));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].severity_level(), SeverityLevel::High);
    assert!(!events[0].exceeded_threshold());
}

#[test]
fn a_slow_high_severity_poll_panics() {
    aiocop_tests::own_process!("a_slow_high_severity_poll_panics");
    setup();
    let rt = current_thread();
    let report = strict_report("slow and high: panics", || {
        rt.block_on(aiocop::raise_on_violations(
            async {
                aiocop::audit("std::thread::sleep", WEIGHT_HEAVY, &[&"30ms"]);
                std::thread::sleep(Duration::from_millis(30));
            }
            .monitored_as("rule_slow")
            .with_threshold(Duration::from_millis(10)),
        ))
    });
    assert!(report.event().exceeded_threshold());
    assert!(report.elapsed() >= Duration::from_millis(25), "slept 30 ms");
    assert_eq!(report.threshold(), Duration::from_millis(10));
}

#[test]
fn a_slow_poll_of_medium_severity_does_not_panic() {
    aiocop_tests::own_process!("a_slow_poll_of_medium_severity_does_not_panic");
    setup();
    let rt = current_thread();
    let ((), events) = rt.block_on(aiocop::raise_on_violations(aiocop::events::collect_events(
        async {
            aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[]);
            std::thread::sleep(Duration::from_millis(30));
        }
        .monitored_as("rule_slow_medium")
        .with_threshold(Duration::from_millis(10)),
    )));
    assert_eq!(events.len(), 1);
    assert!(events[0].exceeded_threshold());
    assert_eq!(events[0].severity_level(), SeverityLevel::Medium);
}
