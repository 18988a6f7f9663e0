//! A configured per-poll event cap: events beyond it are counted, not kept, and still score.
//!
//! Global settings: trace depth 0, inline delivery, a 60 s global threshold, a cap of 3 events.

mod core_support;

use aiocop::{ConfigError, FutureExt, SeverityLevel, WEIGHT_MODERATE};
use core_support::texts;

const CAP: usize = 3;

fn setup() {
    aiocop_tests::setup_with(|| aiocop::set_max_events_per_poll(CAP).expect("valid cap"));
}

#[tokio::test]
async fn the_cap_keeps_the_first_events_and_the_score_counts_all() {
    setup();
    assert_eq!(aiocop::max_events_per_poll(), CAP);
    let ((), events) = aiocop::collect_events(
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
    setup();
    let ((), events) = aiocop::collect_events(
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
    setup();
    assert_eq!(
        aiocop::set_max_events_per_poll(0),
        Err(ConfigError::InvalidEventCap {
            requested: 0,
            max: aiocop::MAX_EVENTS_PER_POLL_LIMIT
        })
    );
    let too_many = aiocop::MAX_EVENTS_PER_POLL_LIMIT + 1;
    let error = aiocop::set_max_events_per_poll(too_many).unwrap_err();
    assert!(
        matches!(error, ConfigError::InvalidEventCap { requested, .. } if requested == too_many)
    );
    let message = error.to_string();
    assert!(
        message.contains(&too_many.to_string())
            && message.contains(&aiocop::MAX_EVENTS_PER_POLL_LIMIT.to_string()),
        "{message}"
    );
    assert_eq!(aiocop::max_events_per_poll(), CAP);
}
