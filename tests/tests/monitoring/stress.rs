//! Many tasks on a multi-thread runtime: exactly one event per poll that blocked, never a poll's
//! calls in another task's event, and strict tasks failing alone.
//!
//! Global settings: trace depth 0, inline delivery, a 60 s global threshold (so polls that did
//! not block never produce an event, however loaded the machine).

use crate::core_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aiocop::{FutureExt, WEIGHT_HEAVY, WEIGHT_LIGHT, WEIGHT_MODERATE};
use aiocop_tests::setup;
use core_support::TempFile;

const WORKERS: usize = 4;

/// Counts events and blocking calls of function `name`.
struct Tally {
    events: Arc<AtomicUsize>,
    calls: Arc<AtomicUsize>,
    handle: aiocop::CallbackHandle,
}

impl Tally {
    fn new(name: &'static str) -> Self {
        let events = Arc::new(AtomicUsize::new(0));
        let calls = Arc::new(AtomicUsize::new(0));
        let (e, c) = (events.clone(), calls.clone());
        let handle = aiocop::register_slow_task_callback(move |event| {
            if event.function().name() == name {
                e.fetch_add(1, Ordering::SeqCst);
                c.fetch_add(event.blocking_events().len(), Ordering::SeqCst);
            }
        });
        Tally {
            events,
            calls,
            handle,
        }
    }
}

impl Drop for Tally {
    fn drop(&mut self) {
        aiocop::unregister_slow_task_callback(self.handle);
    }
}

/// What step `step` of task `task` does in its poll.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Step {
    Nothing,
    /// One audited blocking call.
    One,
    /// Three audited calls in the same poll, one of them inside a nested monitored future.
    Several,
    /// A real file read, audited.
    File,
}

fn plan(task: usize, step: usize) -> Step {
    match (task * 7 + step * 3) % 8 {
        0 | 5 => Step::One,
        3 => Step::Several,
        6 if task.is_multiple_of(5) => Step::File,
        _ => Step::Nothing,
    }
}

const TASKS: usize = 4000;
const STEPS: usize = 6;

#[test]
fn thousands_of_tasks_get_exactly_one_event_per_blocked_poll() {
    setup();
    let tally = Tally::new("stress_task");
    let file = Arc::new(TempFile::new("stress", b"stress test contents"));
    let rt = core_support::multi_thread(WORKERS);
    let per_task = rt.block_on(async {
        let handles: Vec<_> = (0..TASKS)
            .map(|task| {
                let file = file.clone();
                tokio::spawn(aiocop::events::collect_events(
                    async move {
                        for step in 0..STEPS {
                            match plan(task, step) {
                                Step::Nothing => {}
                                Step::One => {
                                    aiocop::audit("stress_op", WEIGHT_LIGHT, &[&task, &step]);
                                }
                                Step::Several => {
                                    aiocop::audit("stress_op", WEIGHT_LIGHT, &[&task, &step]);
                                    async {
                                        aiocop::audit(
                                            "stress_op",
                                            WEIGHT_MODERATE,
                                            &[&task, &step],
                                        );
                                    }
                                    .monitored_as("stress_nested")
                                    .await;
                                    aiocop::audit("stress_op", WEIGHT_LIGHT, &[&task, &step]);
                                }
                                Step::File => {
                                    let path = file.path.display().to_string();
                                    aiocop::audit(
                                        "std::fs::read",
                                        WEIGHT_MODERATE,
                                        &[&task, &step],
                                    );
                                    let contents = std::fs::read(&path).expect("read temp file");
                                    assert_eq!(contents, b"stress test contents");
                                }
                            }
                            // One poll per step.
                            tokio::task::yield_now().await;
                        }
                        task
                    }
                    .monitored_as("stress_task"),
                ))
            })
            .collect();
        let mut per_task = Vec::with_capacity(TASKS);
        for handle in handles {
            per_task.push(handle.await.expect("no task failed"));
        }
        per_task
    });

    let mut expected_events = 0;
    let mut expected_calls = 0;
    for (task, (output, events)) in per_task.into_iter().enumerate() {
        assert_eq!(output, task);
        let blocked: Vec<(usize, Step)> = (0..STEPS)
            .map(|step| (step, plan(task, step)))
            .filter(|(_, s)| *s != Step::Nothing)
            .collect();
        assert_eq!(
            events.len(),
            blocked.len(),
            "task {task}: {events:#?} for {blocked:?}"
        );
        for (event, (step, kind)) in events.iter().zip(&blocked) {
            let calls = if *kind == Step::Several { 3 } else { 1 };
            assert_eq!(
                event.blocking_events().len(),
                calls,
                "task {task} step {step}"
            );
            let args = format!("({task}, {step})");
            for call in event.blocking_events() {
                assert!(
                    call.event().ends_with(&args),
                    "task {task} step {step} got {}",
                    call.event()
                );
            }
            assert_eq!(event.function().name(), "stress_task");
            expected_calls += calls;
        }
        expected_events += blocked.len();
    }
    assert!(expected_events > TASKS, "the plan blocks in most tasks");
    assert_eq!(tally.events.load(Ordering::SeqCst), expected_events);
    assert_eq!(tally.calls.load(Ordering::SeqCst), expected_calls);
}

#[test]
fn strict_tasks_fail_alone_among_many() {
    setup();
    let tally = Tally::new("stress_strict_mix");
    let tasks: usize = 1000;
    let rt = core_support::multi_thread(WORKERS);
    let (panicked, completed) = rt.block_on(async {
        let handles: Vec<_> = (0..tasks)
            .map(|task| {
                let body = async move {
                    tokio::task::yield_now().await;
                    aiocop::audit("std::thread::sleep", WEIGHT_HEAVY, &[&task]);
                    tokio::task::yield_now().await;
                    task
                }
                .monitored_as("stress_strict_mix");
                if task.is_multiple_of(10) {
                    tokio::spawn(aiocop::raise_on_violations(body))
                } else {
                    tokio::spawn(body)
                }
            })
            .collect();
        let (mut panicked, mut completed) = (Vec::new(), Vec::new());
        for (task, handle) in handles.into_iter().enumerate() {
            match handle.await {
                Ok(output) => {
                    assert_eq!(output, task);
                    completed.push(task);
                }
                Err(error) => {
                    // The message is the full report. (`HighSeverityBlockingIo::from_panic` only
                    // finds the 64 most recent reports, fewer than the strict tasks here.)
                    let payload = error.into_panic();
                    let message = payload.downcast_ref::<String>().expect("a String payload");
                    assert!(message.contains("high-severity blocking"), "{message}");
                    assert!(
                        message.contains(&format!("std::thread::sleep({task}) at ")),
                        "task {task}: {message}"
                    );
                    panicked.push(task);
                }
            }
        }
        (panicked, completed)
    });
    assert_eq!(panicked, (0..tasks).step_by(10).collect::<Vec<_>>());
    assert_eq!(completed.len(), tasks - tasks / 10);
    // Every blocked poll was reported, the strict ones before they panicked.
    assert_eq!(tally.events.load(Ordering::SeqCst), tasks);
}
