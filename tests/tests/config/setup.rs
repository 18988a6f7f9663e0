//! Set-up and control, in the order a program goes through them: defaults, invalid settings,
//! activation, detection, idempotent repeats, getters and setters, deactivation.
//!
//! One test, run in a process of its own (`own_process!`): every step changes process-wide
//! settings the next step relies on.

use crate::core_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aiocop::{ConfigError, FutureExt, Reason, SlowTaskEvent, WEIGHT_HEAVY, delivery::Delivery};
use core_support::{QUIET_THRESHOLD_MS, Recorder, texts};

/// Counts every event it is given.
fn counting() -> (
    Arc<AtomicUsize>,
    impl Fn(&SlowTaskEvent) + Clone + Send + Sync + 'static,
) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    (count, move |_: &SlowTaskEvent| {
        seen.fetch_add(1, Ordering::SeqCst);
    })
}

/// The poll could not record (`is_auditing` was false inside it) and produced no event.
#[track_caller]
fn assert_nothing_recorded((auditing, events): (bool, Vec<SlowTaskEvent>)) {
    assert!(!auditing);
    assert!(events.is_empty(), "{events:#?}");
}

#[test]
fn set_up_is_validated_ordered_and_idempotent() {
    aiocop_tests::own_process!("set_up_is_validated_ordered_and_idempotent");
    let rt = core_support::current_thread();
    // One fast monitored poll with one heavy blocking call; says whether `audit` would record.
    let blocking_poll = || {
        rt.block_on(aiocop::events::collect_events(
            async {
                let auditing = aiocop::operations::is_auditing();
                aiocop::audit("std::thread::sleep", WEIGHT_HEAVY, &[&"1s"]);
                auditing
            }
            .monitored_as("setup_poll"),
        ))
    };

    // --- Defaults: nothing on. ---
    assert!(!aiocop::is_monitoring_active());
    assert!(!aiocop::setup::is_blocking_io_detection_started());
    assert!(!aiocop::setup::are_audit_functions_patched());
    assert_eq!(
        aiocop::setup::slow_task_threshold().as_millis() as u64,
        aiocop::setup::DEFAULT_THRESHOLD_MS
    );
    assert_eq!(aiocop::setup::DEFAULT_THRESHOLD_MS, 30);
    assert_eq!(
        aiocop::setup::slow_task_threshold(),
        Duration::from_millis(30)
    );
    assert_eq!(aiocop::setup::trace_depth(), 0);
    assert_eq!(
        aiocop::setup::max_events_per_poll(),
        aiocop::setup::DEFAULT_MAX_EVENTS_PER_POLL
    );
    assert_eq!(aiocop::delivery::mode(), Delivery::Auto);
    assert!(aiocop::setup::capture_arguments());
    assert!(!aiocop::is_raise_on_violations_enabled());
    assert!(
        aiocop::delivery::flush_timeout(Duration::from_secs(1)),
        "nothing queued"
    );
    assert_nothing_recorded(blocking_poll());

    // --- Invalid settings are rejected and change nothing. ---
    let (rejected_calls, rejected) = counting();
    assert_eq!(
        aiocop::start_blocking_io_detection(aiocop::setup::MAX_TRACE_DEPTH + 1),
        Err(ConfigError::TraceDepthTooLarge {
            requested: aiocop::setup::MAX_TRACE_DEPTH + 1,
            max: aiocop::setup::MAX_TRACE_DEPTH
        })
    );
    assert!(!aiocop::setup::is_blocking_io_detection_started());
    assert_eq!(aiocop::setup::trace_depth(), 0);
    assert!(aiocop::setup::set_trace_depth(aiocop::setup::MAX_TRACE_DEPTH + 1).is_err());
    assert_eq!(aiocop::setup::trace_depth(), 0);
    assert_eq!(
        aiocop::detect_slow_tasks(0, rejected.clone()).unwrap_err(),
        ConfigError::ZeroThreshold
    );
    assert_eq!(
        aiocop::detect_slow_tasks(u64::MAX, rejected.clone()).unwrap_err(),
        ConfigError::ThresholdTooLarge {
            threshold_ms: u64::MAX
        }
    );
    assert_eq!(
        aiocop::setup::set_slow_task_threshold_ms(0),
        Err(ConfigError::ZeroThreshold)
    );
    assert_eq!(aiocop::setup::slow_task_threshold().as_millis() as u64, 30);
    assert!(aiocop::setup::set_max_events_per_poll(0).is_err());
    assert_eq!(aiocop::setup::max_events_per_poll(), 50);
    for error in [
        ConfigError::ZeroThreshold,
        ConfigError::ThresholdTooLarge { threshold_ms: 1 },
        ConfigError::TraceDepthTooLarge {
            requested: 1,
            max: 0,
        },
        ConfigError::InvalidEventCap {
            requested: 0,
            max: 1,
        },
    ] {
        assert!(!error.to_string().is_empty());
    }
    // Each message names the setting and the offending values.
    for (error, parts) in [
        (ConfigError::ZeroThreshold, &["threshold", "0"][..]),
        (
            ConfigError::ThresholdTooLarge {
                threshold_ms: 987_654,
            },
            &["threshold", "987654"],
        ),
        (
            ConfigError::TraceDepthTooLarge {
                requested: 321,
                max: 64,
            },
            &["trace depth", "321", "64"],
        ),
        (
            ConfigError::InvalidEventCap {
                requested: 5_000,
                max: 4_096,
            },
            &["events", "5000", "4096"],
        ),
    ] {
        let message = error.to_string();
        for part in parts {
            assert!(message.contains(part), "{part:?} not in {message:?}");
        }
    }

    // --- The first valid detect_slow_tasks sets the threshold and registers the callback; a
    // rejected call did not use up the "first call". ---
    let (calls, callback) = counting();
    let handle = aiocop::detect_slow_tasks(QUIET_THRESHOLD_MS, callback)
        .expect("valid threshold")
        .expect("a callback was given");
    assert_eq!(
        aiocop::setup::slow_task_threshold().as_millis() as u64,
        QUIET_THRESHOLD_MS
    );
    let (repeat_calls, repeat) = counting();
    assert_eq!(aiocop::detect_slow_tasks(20, repeat), Ok(None));
    assert_eq!(aiocop::detect_slow_tasks(20, aiocop::no_callback), Ok(None));
    assert_eq!(
        aiocop::setup::slow_task_threshold().as_millis() as u64,
        QUIET_THRESHOLD_MS
    );

    aiocop::patch_audit_functions();
    aiocop::patch_audit_functions();
    assert!(aiocop::setup::are_audit_functions_patched());

    // --- Active, but detection not started: monitored polls record no blocking calls. ---
    aiocop::activate();
    assert!(aiocop::is_monitoring_active());
    assert_nothing_recorded(blocking_poll());

    // --- Detection started: recorded. A repeat changes nothing. ---
    aiocop::start_blocking_io_detection(0).expect("valid trace depth");
    assert!(aiocop::setup::is_blocking_io_detection_started());
    aiocop::start_blocking_io_detection(5).expect("a repeat is not an error");
    assert_eq!(aiocop::setup::trace_depth(), 0);
    let (auditing, events) = blocking_poll();
    assert!(auditing);
    assert_eq!(events.len(), 1);
    assert_eq!(texts(&events[0]), ["std::thread::sleep(1s)"]);
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // --- Trace depth getter and setter. ---
    aiocop::setup::set_trace_depth(aiocop::setup::MAX_TRACE_DEPTH)
        .expect("the maximum is accepted");
    assert_eq!(aiocop::setup::trace_depth(), aiocop::setup::MAX_TRACE_DEPTH);
    aiocop::setup::set_trace_depth(0).unwrap();
    assert_eq!(aiocop::setup::trace_depth(), 0);

    // --- The global threshold decides cpu events; a per-future threshold overrides it. ---
    aiocop::setup::set_slow_task_threshold_ms(10).unwrap();
    assert_eq!(aiocop::setup::slow_task_threshold().as_millis() as u64, 10);
    assert_eq!(
        aiocop::setup::slow_task_threshold(),
        Duration::from_millis(10)
    );
    let ((), events) = rt.block_on(aiocop::events::collect_events(
        async {
            std::thread::sleep(Duration::from_millis(30));
        }
        .monitored_as("setup_cpu"),
    ));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].reason(), Reason::CpuBlocking);
    assert_eq!(events[0].threshold(), Duration::from_millis(10));
    assert!(events[0].exceeded_threshold());
    let ((), events) = rt.block_on(aiocop::events::collect_events(
        async {
            std::thread::sleep(Duration::from_millis(30));
        }
        .monitored_as("setup_cpu_override")
        .with_threshold(Duration::from_secs(QUIET_THRESHOLD_MS / 1000)),
    ));
    assert!(events.is_empty(), "{events:#?}");
    aiocop::setup::set_slow_task_threshold_ms(QUIET_THRESHOLD_MS).unwrap();

    // --- Argument capture can be switched off. ---
    aiocop::setup::set_capture_arguments(false);
    assert!(!aiocop::setup::capture_arguments());
    let (_, events) = blocking_poll();
    assert_eq!(texts(&events[0]), ["std::thread::sleep"]);
    aiocop::setup::set_capture_arguments(true);
    let (_, events) = blocking_poll();
    assert_eq!(texts(&events[0]), ["std::thread::sleep(1s)"]);

    // --- Deactivated: nothing recorded, nothing reported; reactivated: back. ---
    aiocop::deactivate();
    assert!(!aiocop::is_monitoring_active());
    let before = calls.load(Ordering::SeqCst);
    assert_nothing_recorded(blocking_poll());
    let ((), events) = rt.block_on(aiocop::events::collect_events(
        async {
            std::thread::sleep(Duration::from_millis(30));
        }
        .monitored_as("setup_cpu_inactive")
        .with_threshold(Duration::from_millis(1)),
    ));
    assert!(events.is_empty(), "a slow poll is not reported either");
    assert_eq!(calls.load(Ordering::SeqCst), before);
    aiocop::activate();
    assert_eq!(blocking_poll().1.len(), 1);

    // --- Delivery can be moved to aiocop's thread and back. ---
    let recorder = Recorder::new("setup_poll");
    aiocop::delivery::set_mode(Delivery::Background);
    assert_eq!(aiocop::delivery::mode(), Delivery::Background);
    blocking_poll();
    aiocop::delivery::flush();
    aiocop::delivery::set_mode(Delivery::Inline);
    assert_eq!(aiocop::delivery::mode(), Delivery::Inline);
    blocking_poll();
    aiocop::delivery::set_mode(Delivery::Auto);
    let threads: Vec<Option<String>> = recorder.delivered().into_iter().map(|d| d.thread).collect();
    assert_eq!(
        threads,
        [
            Some("aiocop-delivery".to_owned()),
            std::thread::current().name().map(str::to_owned)
        ]
    );
    assert!(aiocop::delivery::flush_timeout(Duration::from_secs(10)));
    assert_eq!(aiocop::delivery::dropped_deliveries(), 0);

    // --- Rejected and repeated registrations never ran. ---
    assert_eq!(rejected_calls.load(Ordering::SeqCst), 0);
    assert_eq!(repeat_calls.load(Ordering::SeqCst), 0);
    assert!(aiocop::unregister_slow_task_callback(handle));
}
