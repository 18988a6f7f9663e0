//! A configured per-poll event cap: events beyond it are counted, not kept, and still score; a
//! probed call past it costs what counting it costs (no argument formatted, nothing allocated).
//!
//! Global settings: trace depth 0, inline delivery, a 60 s global threshold, a cap of 3 events.
//! Each test runs in a process of its own (`own_process!`). The binary's allocator counts each
//! thread's allocations.

use crate::core_support;

use std::path::Path;
use std::time::Duration;

use aiocop::{ConfigError, FutureExt, SeverityLevel, WEIGHT_MODERATE};
use aiocop_lints::catalog::{STD_FS_METADATA, STD_PATH_PATH_EXISTS, STD_THREAD_SLEEP};
use core_support::texts;

const CAP: usize = 3;

#[global_allocator]
static ALLOCATOR: aiocop_tests::CountingAllocator = aiocop_tests::CountingAllocator;

use aiocop_tests::allocations;

fn setup() {
    aiocop_tests::setup_with(|| aiocop::setup::set_max_events_per_poll(CAP).expect("valid cap"));
}

#[tokio::test]
async fn the_cap_keeps_the_first_events_and_the_score_counts_all() {
    aiocop_tests::own_process!("the_cap_keeps_the_first_events_and_the_score_counts_all");
    setup();
    assert_eq!(aiocop::setup::max_events_per_poll(), CAP);
    let ((), events) = aiocop::events::collect_events(
        async {
            for i in 0..5 {
                aiocop::audit("std::fs::read", WEIGHT_MODERATE, &[&i]);
            }
        }
        .monitored_as("cap_configured"),
    )
    .await;
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(
        texts(event),
        ["std::fs::read(0)", "std::fs::read(1)", "std::fs::read(2)"]
    );
    assert_eq!(event.dropped_events(), 2);
    // 3 kept × 10 would be medium; the 2 dropped make it 50, high.
    assert_eq!(event.severity_score(), 50);
    assert_eq!(event.severity_level(), SeverityLevel::High);
    assert_eq!(
        aiocop::calculate_io_severity_score(event.blocking_events()),
        30
    );
}

#[tokio::test]
async fn each_poll_has_its_own_cap() {
    aiocop_tests::own_process!("each_poll_has_its_own_cap");
    setup();
    let ((), events) = aiocop::events::collect_events(
        async {
            for i in 0..4 {
                aiocop::audit("std::fs::read", WEIGHT_MODERATE, &[&i]);
            }
            tokio::task::yield_now().await;
            aiocop::audit("std::fs::read", WEIGHT_MODERATE, &[&"next poll"]);
        }
        .monitored_as("cap_per_poll"),
    )
    .await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].blocking_events().len(), CAP);
    assert_eq!(events[0].dropped_events(), 1);
    assert_eq!(texts(&events[1]), ["std::fs::read(next poll)"]);
    assert_eq!(events[1].dropped_events(), 0);
}

#[test]
fn invalid_caps_are_rejected_and_change_nothing() {
    aiocop_tests::own_process!("invalid_caps_are_rejected_and_change_nothing");
    setup();
    assert_eq!(
        aiocop::setup::set_max_events_per_poll(0),
        Err(ConfigError::InvalidEventCap {
            requested: 0,
            max: aiocop::setup::MAX_EVENTS_PER_POLL_LIMIT
        })
    );
    let too_many = aiocop::setup::MAX_EVENTS_PER_POLL_LIMIT + 1;
    let error = aiocop::setup::set_max_events_per_poll(too_many).unwrap_err();
    assert!(
        matches!(error, ConfigError::InvalidEventCap { requested, .. } if requested == too_many)
    );
    let message = error.to_string();
    assert!(
        message.contains(&too_many.to_string())
            && message.contains(&aiocop::setup::MAX_EVENTS_PER_POLL_LIMIT.to_string()),
        "{message}"
    );
    assert_eq!(aiocop::setup::max_events_per_poll(), CAP);
}

/// Fills the poll's cap with probed calls, then makes `calls` rounds of probed calls past it;
/// returns how many allocations those rounds made.
#[aiocop::monitor(name = "capped_probes")]
async fn capped_probes(path: &Path, pause: Duration, calls: usize) -> u64 {
    for _ in 0..CAP {
        std::thread::sleep(pause);
    }
    let before = allocations();
    for _ in 0..calls {
        // An argument shown by value, a receiver shown by value, a path call.
        std::thread::sleep(pause);
        let _ = path.exists();
        let _ = std::fs::metadata(path);
    }
    allocations() - before
}

#[tokio::test]
async fn probed_calls_past_the_cap_are_counted_and_format_nothing() {
    aiocop_tests::own_process!("probed_calls_past_the_cap_are_counted_and_format_nothing");
    setup();
    let missing = Path::new("/nonexistent/aiocop-capped-probes");
    let (allocated, events) =
        aiocop::events::collect_events(capped_probes(missing, Duration::ZERO, 1000)).await;
    assert_eq!(allocated, 0, "allocations past the cap");
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(texts(event), ["std::thread::sleep(0ns)"; CAP]);
    assert_eq!(event.dropped_events(), 3000);
    // Every call scores, the counted ones too.
    assert_eq!(
        event.severity_score(),
        1003 * STD_THREAD_SLEEP.weight
            + 1000 * (STD_PATH_PATH_EXISTS.weight + STD_FS_METADATA.weight)
    );
}
