//! Strict mode: which polls panic, with what payload, and how far the switch reaches (a thread, a
//! task, one future).
//!
//! Global settings: trace depth 0, inline delivery, a 60 s global threshold (so every poll here is
//! "fast" unless it sets its own threshold), the default rule (`HighSeverity`), strictness off by
//! default. Tests that flip the thread switch do so on a thread of their own.

use crate::core_support;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::Poll;
use std::thread;
use std::time::Duration;

use aiocop::{
    FutureExt, HighSeverityBlockingIo, Monitored, SeverityLevel, WEIGHT_HEAVY, WEIGHT_LIGHT,
    WEIGHT_MODERATE,
};
use aiocop_tests::setup;
use core_support::{Recorder, block_on, current_thread, poll_once, strict_report, texts};

/// Runs `f` on a new thread (whose strict-mode switch starts untouched) and returns its result.
fn on_fresh_thread<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    thread::spawn(f)
        .join()
        .expect("the test thread itself did not panic")
}

fn heavy(tag: &str) {
    aiocop::audit("std::thread::sleep", WEIGHT_HEAVY, &[&tag]);
}

/// A monitored future named `name` whose one poll makes a heavy blocking call tagged `tag`.
fn heavy_poll(name: &'static str, tag: &'static str) -> Monitored<impl Future<Output = ()>> {
    async move { heavy(tag) }.monitored_as(name)
}

#[tokio::test]
#[should_panic(expected = "high-severity blocking")]
async fn a_test_that_blocks_fails_with_should_panic() {
    setup();
    aiocop::raise_on_violations(heavy_poll("strict_should_panic", "should_panic")).await;
}

#[test]
fn the_panic_payload_carries_the_report() {
    setup();
    let recorder = Recorder::new("strict_payload");
    let rt = current_thread();
    let payload = catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(aiocop::raise_on_violations(
            async {
                heavy("30ms");
                std::thread::sleep(Duration::from_millis(30));
                aiocop::audit("std::fs::read", WEIGHT_MODERATE, &[&"/etc/hosts"]);
            }
            .monitored_as("strict_payload")
            .with_threshold(Duration::from_millis(10)),
        ))
    }))
    .expect_err("strict mode panics");
    let message = payload
        .downcast_ref::<String>()
        .expect("the payload is the report as a String")
        .clone();
    let report = HighSeverityBlockingIo::from_panic(&*payload).expect("an aiocop report");
    assert_eq!(report.message(), message);
    assert_eq!(report.severity_score(), 60);
    assert_eq!(report.severity_level(), SeverityLevel::High);
    // Slept 30 ms; the margin covers the poll clock's calibration error.
    assert!(report.elapsed() >= Duration::from_millis(25));
    assert!(report.elapsed_ms() >= 25.0);
    assert_eq!(report.threshold(), Duration::from_millis(10));
    assert_eq!(report.function().name(), "strict_payload");
    let events: Vec<&str> = report.events().iter().map(|e| e.event()).collect();
    assert_eq!(
        events,
        ["std::thread::sleep(30ms)", "std::fs::read(/etc/hosts)"]
    );
    assert_eq!(report.event().blocking_events().len(), 2);
    for needle in [
        "high-severity blocking",
        "strict_payload",
        "std::thread::sleep(30ms)",
        "std::fs::read(/etc/hosts)",
        "score 60",
    ] {
        assert!(message.contains(needle), "{needle:?} not in {message}");
    }
    assert_eq!(report.to_string(), message);
    let as_error: &dyn std::error::Error = &*report;
    assert_eq!(as_error.to_string(), message);
    // Callbacks saw the event before the panic.
    assert_eq!(recorder.len(), 1);
    assert_eq!(recorder.events()[0].severity_score(), 60);
}

#[test]
fn from_panic_ignores_other_payloads() {
    let str_payload: Box<dyn std::any::Any + Send> = Box::new("plain panic");
    assert!(HighSeverityBlockingIo::from_panic(&*str_payload).is_none());
    let string_payload: Box<dyn std::any::Any + Send> =
        Box::new("aiocop: high-severity blocking I/O (aiocop violation #999999999)".to_owned());
    assert!(HighSeverityBlockingIo::from_panic(&*string_payload).is_none());
    let other: Box<dyn std::any::Any + Send> = Box::new(17u32);
    assert!(HighSeverityBlockingIo::from_panic(&*other).is_none());
}

#[test]
fn high_severity_panics_even_when_the_poll_was_fast() {
    setup();
    let rt = current_thread();
    let report = strict_report("strict mode panics", || {
        rt.block_on(aiocop::raise_on_violations(heavy_poll(
            "strict_fast",
            "fast",
        )))
    });
    assert!(!report.event().exceeded_threshold());
    assert!(report.elapsed() < report.threshold());
    assert_eq!(
        aiocop::strict::violation_rule(),
        aiocop::strict::ViolationRule::HighSeverity
    );
}

#[test]
fn medium_and_low_severity_never_panic() {
    setup();
    let rt = current_thread();
    let (score, events) = rt.block_on(aiocop::raise_on_violations(aiocop::events::collect_events(
        async {
            assert!(aiocop::is_raise_on_violations_enabled());
            for _ in 0..4 {
                aiocop::audit("std::fs::read", WEIGHT_MODERATE, &[]);
            }
            for _ in 0..9 {
                aiocop::audit("std::fs::metadata", WEIGHT_LIGHT, &[]);
            }
            tokio::task::yield_now().await;
            aiocop::audit("std::fs::metadata", WEIGHT_LIGHT, &[]);
            tokio::task::yield_now().await;
            // A slow poll without blocking calls scores 0.
            std::thread::sleep(Duration::from_millis(30));
            49
        }
        .monitored_as("strict_medium")
        .with_threshold(Duration::from_millis(10)),
    )));
    assert_eq!(score, 49);
    let levels: Vec<(u32, SeverityLevel)> = events
        .iter()
        .map(|e| (e.severity_score(), e.severity_level()))
        .collect();
    assert_eq!(
        levels,
        [
            (49, SeverityLevel::Medium),
            (1, SeverityLevel::Low),
            (0, SeverityLevel::Low)
        ]
    );
}

#[test]
fn a_strict_task_panics_and_its_siblings_do_not() {
    setup();
    let siblings = 16;
    let recorder = Recorder::new("strict_sibling");
    let rt = core_support::multi_thread(4);
    rt.block_on(async {
        let strict = tokio::spawn(aiocop::raise_on_violations(
            async {
                tokio::task::yield_now().await;
                heavy("strict task");
                tokio::task::yield_now().await;
                unreachable!("the poll above panics");
            }
            .monitored_as("strict_task"),
        ));
        let handles: Vec<_> = (0..siblings)
            .map(|i| {
                tokio::spawn(
                    async move {
                        heavy("sibling");
                        tokio::task::yield_now().await;
                        heavy("sibling again");
                        i
                    }
                    .monitored_as("strict_sibling"),
                )
            })
            .collect();
        let error = strict.await.expect_err("the strict task panicked");
        assert!(error.is_panic());
        let payload = error.into_panic();
        let report = HighSeverityBlockingIo::from_panic(&*payload).expect("an aiocop report");
        assert_eq!(report.function().name(), "strict_task");
        assert_eq!(report.severity_score(), WEIGHT_HEAVY);
        assert_eq!(
            report.events()[0].event(),
            "std::thread::sleep(strict task)"
        );
        for (i, handle) in handles.into_iter().enumerate() {
            assert_eq!(handle.await.expect("siblings are not strict"), i);
        }
    });
    let events = recorder.events();
    assert_eq!(events.len(), 2 * siblings);
    assert!(
        events
            .iter()
            .all(|e| e.severity_level() == SeverityLevel::High)
    );
}

#[test]
fn the_task_switch_does_not_leak_to_the_thread_or_to_other_tasks() {
    setup();
    let rt = current_thread();
    rt.block_on(async {
        assert!(!aiocop::is_raise_on_violations_enabled());
        // One thread runs both tasks, interleaved: the strict one and a plain one.
        let strict = tokio::spawn(aiocop::raise_on_violations(async {
            let mut seen = Vec::new();
            for _ in 0..5 {
                seen.push(aiocop::is_raise_on_violations_enabled());
                tokio::task::yield_now().await;
            }
            seen
        }));
        let plain = tokio::spawn(aiocop::events::collect_events(async {
            let mut seen = Vec::new();
            for _ in 0..5 {
                seen.push(aiocop::is_raise_on_violations_enabled());
                heavy_poll("strict_plain_task", "plain task").await;
                tokio::task::yield_now().await;
            }
            seen
        }));
        assert_eq!(strict.await.unwrap(), [true; 5]);
        let (seen, events) = plain.await.expect("the plain task is not strict");
        assert_eq!(seen, [false; 5]);
        assert_eq!(events.len(), 5);

        // After the strict future completed, the thread is as before.
        assert!(!aiocop::is_raise_on_violations_enabled());
        let ((), events) =
            aiocop::events::collect_events(heavy_poll("strict_after", "after the strict future"))
                .await;
        assert_eq!(events.len(), 1);
    });
}

#[test]
fn the_task_switch_does_not_leak_to_the_worker_thread() {
    setup();
    // One worker: every task below runs on the same thread, one after the other.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    rt.block_on(async {
        let completed = tokio::spawn(aiocop::raise_on_violations(async {
            tokio::task::yield_now().await;
            aiocop::is_raise_on_violations_enabled()
        }));
        assert!(completed.await.unwrap());
        let panicked = tokio::spawn(aiocop::raise_on_violations(heavy_poll(
            "strict_worker_task",
            "strict task on the worker",
        )));
        assert!(panicked.await.unwrap_err().is_panic());
        let next = tokio::spawn(aiocop::events::collect_events(
            async {
                heavy("next task on the worker");
                aiocop::is_raise_on_violations_enabled()
            }
            .monitored_as("strict_worker_next"),
        ));
        let (strict, events) = next.await.expect("the worker is not strict any more");
        assert!(!strict);
        assert_eq!(events.len(), 1);
    });
}

#[test]
fn enable_and_disable_inside_the_future_stay_with_the_task() {
    setup();
    let rt = current_thread();
    rt.block_on(async {
        let task = aiocop::raise_on_violations(async {
            aiocop::disable_raise_on_violations();
            tokio::task::yield_now().await;
            // The task's own choice survived the poll boundary.
            assert!(!aiocop::is_raise_on_violations_enabled());
            let ((), events) = aiocop::events::collect_events(heavy_poll(
                "strict_disabled_inside",
                "strictness disabled in the task",
            ))
            .await;
            assert_eq!(events.len(), 1);
            aiocop::enable_raise_on_violations();
            tokio::task::yield_now().await;
            aiocop::is_raise_on_violations_enabled()
        });
        assert!(task.await);
        assert!(!aiocop::is_raise_on_violations_enabled());
    });
}

#[test]
fn the_task_switch_travels_with_a_future_moved_between_threads() {
    setup();
    // Poll 1 on thread A chooses "off" inside the strict future; poll 2 on thread B blocks
    // heavily and must not panic. A third future, strict, panics on thread B.
    let mut relaxed: Pin<Box<dyn std::future::Future<Output = u32> + Send>> =
        Box::pin(aiocop::raise_on_violations(async {
            aiocop::disable_raise_on_violations();
            core_support::yield_now().await;
            heavy_poll("strict_moved_relaxed", "on thread B").await;
            1
        }));
    let mut strict: Pin<Box<dyn std::future::Future<Output = u32> + Send>> =
        Box::pin(aiocop::raise_on_violations(async {
            core_support::yield_now().await;
            heavy_poll("strict_moved_strict", "on thread B").await;
            2
        }));
    let (relaxed, strict) = on_fresh_thread(move || {
        assert!(poll_once(relaxed.as_mut()).is_pending());
        assert!(poll_once(strict.as_mut()).is_pending());
        assert!(!aiocop::is_raise_on_violations_enabled());
        (relaxed, strict)
    });
    let (relaxed, strict, after) = on_fresh_thread(move || {
        let (mut relaxed, mut strict) = (relaxed, strict);
        let relaxed = poll_once(relaxed.as_mut());
        let strict = catch_unwind(AssertUnwindSafe(|| poll_once(strict.as_mut())))
            .map_err(|payload| HighSeverityBlockingIo::from_panic(&*payload).is_some());
        (relaxed, strict, aiocop::is_raise_on_violations_enabled())
    });
    assert_eq!(relaxed, Poll::Ready(1));
    assert_eq!(strict, Err(true));
    assert!(!after, "the strict future's panic left thread B strict");
}

#[test]
fn the_thread_switch_is_per_thread() {
    setup();
    on_fresh_thread(|| {
        assert!(!aiocop::is_raise_on_violations_enabled());
        aiocop::enable_raise_on_violations();
        assert!(aiocop::is_raise_on_violations_enabled());
        // Another thread is not affected.
        assert!(!on_fresh_thread(aiocop::is_raise_on_violations_enabled));

        strict_report("strict on this thread", || {
            block_on(heavy_poll("strict_thread_on", "thread strict"))
        });
        // The panic did not change the switch.
        assert!(aiocop::is_raise_on_violations_enabled());

        aiocop::disable_raise_on_violations();
        assert!(!aiocop::is_raise_on_violations_enabled());
        let ((), events) = block_on(aiocop::events::collect_events(heavy_poll(
            "strict_thread_off",
            "thread relaxed",
        )));
        assert_eq!(events.len(), 1);
    });
}

#[test]
fn the_guard_restores_the_previous_setting() {
    setup();
    on_fresh_thread(|| {
        // Untouched → on → untouched.
        {
            let _guard = aiocop::strict::raise_on_violations_guard();
            assert!(aiocop::is_raise_on_violations_enabled());
            strict_report("strict under the guard", || {
                block_on(heavy_poll("strict_guard", "under the guard"))
            });
        }
        assert!(!aiocop::is_raise_on_violations_enabled());

        // Off → on → off; and nested guards unwind in order.
        aiocop::disable_raise_on_violations();
        {
            let _outer = aiocop::strict::raise_on_violations_guard();
            aiocop::disable_raise_on_violations();
            {
                let _inner = aiocop::strict::raise_on_violations_guard();
                assert!(aiocop::is_raise_on_violations_enabled());
            }
            assert!(!aiocop::is_raise_on_violations_enabled());
        }
        assert!(!aiocop::is_raise_on_violations_enabled());

        // On → on → on.
        aiocop::enable_raise_on_violations();
        drop(aiocop::strict::raise_on_violations_guard());
        assert!(aiocop::is_raise_on_violations_enabled());
        aiocop::disable_raise_on_violations();
    });
}

#[test]
fn a_strict_future_forces_strict_mode_for_its_own_polls() {
    setup();
    on_fresh_thread(|| {
        assert!(!aiocop::is_raise_on_violations_enabled());
        let report = strict_report("with_strict(true) panics", || {
            block_on(heavy_poll("strict_forced", "forced").with_strict(true))
        });
        assert_eq!(report.function().name(), "strict_forced");

        // Medium severity does not panic even when forced.
        let ((), events) = block_on(aiocop::events::collect_events(
            async {
                aiocop::audit("std::fs::read", WEIGHT_MODERATE, &[]);
            }
            .monitored_as("strict_forced_medium")
            .with_strict(true),
        ));
        assert_eq!(events.len(), 1);

        // `with_strict(false)` does not switch strict mode off.
        aiocop::enable_raise_on_violations();
        strict_report("with_strict(false) leaves the thread strict", || {
            block_on(
                heavy_poll("strict_not_forced", "not forced, thread strict").with_strict(false),
            )
        });
        aiocop::disable_raise_on_violations();
    });
}

#[test]
fn a_strict_inner_future_makes_the_outer_poll_panic() {
    setup();
    on_fresh_thread(|| {
        let report = strict_report("the strict inner future's blocking call panics", || {
            block_on(
                async {
                    heavy_poll("strict_inner_forced", "inside the strict inner future")
                        .with_strict(true)
                        .await;
                }
                .monitored_as("strict_outer_relaxed"),
            )
        });
        assert_eq!(report.function().name(), "strict_outer_relaxed");
        assert_eq!(report.events()[0].function().name(), "strict_inner_forced");
    });
}

#[test]
fn a_strict_outer_future_covers_the_futures_it_awaits() {
    setup();
    on_fresh_thread(|| {
        let report = strict_report("the strict outer future covers its inner futures", || {
            block_on(
                async {
                    heavy_poll("strict_inner_plain", "in a plain inner future").await;
                }
                .monitored_as("strict_outer_forced")
                .with_strict(true),
            )
        });
        assert_eq!(report.function().name(), "strict_outer_forced");
        assert_eq!(report.events()[0].function().name(), "strict_inner_plain");
    });
}

#[test]
fn raise_on_violations_inside_a_monitored_future_still_panics() {
    setup();
    on_fresh_thread(|| {
        // The strict section is inside the monitored future, so the poll is judged after the
        // section's own poll returned.
        strict_report("blocking inside raise_on_violations panics", || {
            block_on(
                aiocop::raise_on_violations(async {
                    heavy("inside a strict section");
                })
                .monitored_as("strict_section_inside"),
            )
        });
        assert!(!aiocop::is_raise_on_violations_enabled());
    });
}

#[test]
fn a_strict_panic_leaves_the_thread_clean() {
    setup();
    let rt = current_thread();
    rt.block_on(async {
        let task = tokio::spawn(aiocop::raise_on_violations(heavy_poll(
            "strict_clean",
            "panics",
        )));
        assert!(task.await.unwrap_err().is_panic());
        // Same thread: not strict, no scope open, the next poll is reported normally.
        assert!(!aiocop::is_raise_on_violations_enabled());
        assert!(!aiocop::operations::is_auditing());
        let ((), events) =
            aiocop::events::collect_events(heavy_poll("strict_clean_next", "next poll")).await;
        assert_eq!(events.len(), 1);
        assert_eq!(texts(&events[0]), ["std::thread::sleep(next poll)"]);
    });
}
