//! Runtime-wide monitoring through tokio's task poll hooks: every task of a runtime is monitored
//! without annotation.
//!
//! Needs `RUSTFLAGS="--cfg tokio_unstable"` (tokio's poll hooks are unstable); without it this
//! binary has no tests. CI runs it in a step of its own:
//! `RUSTFLAGS="--cfg tokio_unstable" cargo test -p aiocop-tests --features tokio-hooks --test runtime_hooks`
//!
//! Tests tell their events apart by task id (the `task_context` provider) or call site, so they
//! can run in parallel. Each drops its runtime before looking: that joins the worker threads, so
//! every after-poll hook (which delivers the events) has run.
#![cfg(tokio_unstable)]

mod event_log;

use std::time::{Duration, Instant};

use aiocop::{HighSeverityBlockingIo, Reason, SeverityLevel, SlowTaskEvent};
use tokio::runtime::Runtime;
use tokio::task::Id;

/// High enough that no ordinary poll reaches it, even on a loaded machine.
const THRESHOLD_MS: u64 = 500;
/// Comfortably above the threshold.
const SPIN: Duration = Duration::from_millis(700);
/// A file that exists wherever the tests run.
const A_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");

fn setup() {
    aiocop_tests::setup_at(THRESHOLD_MS, || {
        event_log::record_every_event();
        aiocop::register_context_provider(aiocop::runtime_hooks::task_context);
    });
}

fn hooked(multi_thread: bool) -> Runtime {
    let mut builder = aiocop_tests::runtime_builder(multi_thread);
    aiocop::runtime_hooks::install(&mut builder);
    builder.build().expect("runtime")
}

/// The events of the task with this id.
fn events_of(task: Id) -> Vec<SlowTaskEvent> {
    let id: u64 = task.to_string().parse().expect("numeric task id");
    event_log::events_matching(|e| e.context().get("task_id").and_then(|v| v.as_u64()) == Some(id))
}

fn operations(event: &SlowTaskEvent) -> Vec<&'static str> {
    event
        .blocking_events()
        .iter()
        .map(|e| e.operation())
        .collect()
}

fn spin(duration: Duration) {
    let start = Instant::now();
    while start.elapsed() < duration {
        std::hint::spin_loop();
    }
}

async fn blocking_work() {
    let text = aiocop::shim::fs::read_to_string(A_FILE).expect("read");
    aiocop::shim::thread::sleep(Duration::from_millis(1));
    assert!(!text.is_empty());
    tokio::task::yield_now().await;
}

async fn clean_work() {
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(1)).await;
        tokio::task::yield_now().await;
    }
}

/// Spawns `blocking_work` and `clean_work` tasks on a hooked runtime and checks their events.
fn unannotated_tasks_are_monitored(multi_thread: bool) {
    setup();
    let runtime = hooked(multi_thread);
    let (blocking, blocking_line, clean) = runtime.block_on(async {
        let line = line!() + 1;
        let blocking = tokio::spawn(blocking_work());
        let clean = tokio::spawn(clean_work());
        let ids = (blocking.id(), clean.id());
        blocking.await.expect("blocking task");
        clean.await.expect("clean task");
        (ids.0, line, ids.1)
    });
    drop(runtime);

    let events = events_of(blocking);
    assert_eq!(events.len(), 1, "one blocked poll, one event: {events:#?}");
    let event = &events[0];
    assert_eq!(event.function().name(), aiocop::runtime_hooks::TASK_NAME);
    assert_eq!(event.function().file(), file!());
    assert_eq!(
        event.function().line(),
        blocking_line,
        "named by its spawn location"
    );
    assert_eq!(event.reason(), Reason::IoBlocking);
    assert_eq!(
        operations(event),
        ["std::fs::read_to_string", "std::thread::sleep"]
    );
    assert_eq!(event.severity_score(), 60);
    assert_eq!(event.severity_level(), SeverityLevel::High);

    let events = events_of(clean);
    assert!(
        events.is_empty(),
        "a clean task reports nothing: {events:#?}"
    );
}

#[test]
fn every_task_of_a_multi_thread_runtime_is_monitored_without_annotation() {
    unannotated_tasks_are_monitored(true);
}

#[test]
fn every_task_of_a_current_thread_runtime_is_monitored_without_annotation() {
    unannotated_tasks_are_monitored(false);
}

#[test]
fn many_tasks_on_many_threads_each_report_exactly_their_blocked_polls() {
    setup();
    let runtime = hooked(true);
    let ids = runtime.block_on(async {
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                tokio::spawn(async move {
                    if i % 4 == 0 {
                        blocking_work().await;
                    } else {
                        clean_work().await;
                    }
                })
            })
            .collect();
        let mut ids = Vec::new();
        for task in tasks {
            ids.push(task.id());
            task.await.expect("task");
        }
        ids
    });
    drop(runtime);
    for (i, id) in ids.into_iter().enumerate() {
        let events = events_of(id);
        let expected = usize::from(i % 4 == 0);
        assert_eq!(events.len(), expected, "task {i}: {events:#?}");
    }
}

#[test]
fn a_cpu_bound_poll_of_a_plain_task_is_reported() {
    setup();
    let runtime = hooked(true);
    let task = runtime.block_on(async {
        let task = tokio::spawn(async { spin(SPIN) });
        let id = task.id();
        task.await.expect("task");
        id
    });
    drop(runtime);
    let events = events_of(task);
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].reason(), Reason::CpuBlocking);
    assert!(events[0].exceeded_threshold());
    assert_eq!(
        events[0].function().name(),
        aiocop::runtime_hooks::TASK_NAME
    );
    // The stall watchdog (started by `detect_slow_tasks`) sampled the task: the spinning function
    // is where its time went, and nothing of tokio's above the task's poll is in the stacks.
    let samples = events[0].cpu_stack_samples();
    assert!(!samples.is_empty(), "no samples of a 700 ms poll");
    for sample in samples {
        assert!(sample.entry_point().contains("spin"), "{}", sample.trace());
        assert!(
            !sample
                .trace()
                .to_string()
                .contains("tokio::runtime::scheduler"),
            "{}",
            sample.trace()
        );
    }
}

#[aiocop::monitor]
async fn annotated_handler() {
    std::thread::sleep(Duration::from_millis(1));
}

#[test]
fn monitored_futures_inside_a_task_keep_their_own_events() {
    setup();
    let runtime = hooked(true);
    let task = runtime.block_on(async {
        let task = tokio::spawn(async {
            // One poll: a call of the task itself, then a monitored function's call.
            aiocop::shim::fs::read(A_FILE).expect("read");
            annotated_handler().await;
        });
        let id = task.id();
        task.await.expect("task");
        id
    });
    drop(runtime);

    let events = events_of(task);
    assert_eq!(events.len(), 2, "{events:#?}");
    let handler = events
        .iter()
        .find(|e| e.function().name() == "annotated_handler")
        .expect("the monitored function's own event");
    assert_eq!(operations(handler), ["std::thread::sleep"]);
    assert_eq!(handler.severity_level(), SeverityLevel::High);
    let rest = events
        .iter()
        .find(|e| e.function().name() == aiocop::runtime_hooks::TASK_NAME)
        .expect("the task's event");
    assert_eq!(operations(rest), ["std::fs::read"], "not counted twice");
}

#[test]
fn time_spent_in_a_monitored_future_is_not_reported_again_by_its_task() {
    setup();
    let runtime = hooked(true);
    let task = runtime.block_on(async {
        let task = tokio::spawn(aiocop::monitored!("spinning_future", async { spin(SPIN) }));
        let id = task.id();
        task.await.expect("task");
        id
    });
    drop(runtime);
    let events = events_of(task);
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].function().name(), "spinning_future");
    assert_eq!(events[0].reason(), Reason::CpuBlocking);
}

#[test]
fn strict_mode_still_panics_in_monitored_futures_of_hooked_tasks() {
    setup();
    let runtime = hooked(true);
    let payload = runtime.block_on(async {
        tokio::spawn(aiocop::raise_on_violations(aiocop::monitored!(
            "strict_future",
            async {
                aiocop::shim::thread::sleep(Duration::from_millis(1));
            }
        )))
        .await
        .expect_err("high severity panics")
        .into_panic()
    });
    drop(runtime);
    let report = HighSeverityBlockingIo::from_panic(&*payload).expect("a strict-mode report");
    assert_eq!(report.function().name(), "strict_future");
    assert_eq!(report.events()[0].operation(), "std::thread::sleep");

    // The hooks themselves never panic: a plain task's high-severity poll is only reported.
    let runtime = hooked(true);
    let task = runtime.block_on(async {
        let task = tokio::spawn(aiocop::raise_on_violations(async {
            aiocop::shim::thread::sleep(Duration::from_millis(1));
        }));
        let id = task.id();
        task.await.expect("no panic out of a hook");
        id
    });
    drop(runtime);
    assert_eq!(events_of(task).len(), 1);
}

#[test]
fn block_on_futures_and_spawn_blocking_closures_are_not_monitored() {
    setup();
    let runtime = hooked(true);
    let (lines, spawned) = runtime.block_on(async {
        let in_block_on = line!() + 1;
        aiocop::shim::fs::read(A_FILE).expect("read");
        let in_spawn_blocking = tokio::task::spawn_blocking(|| {
            let line = line!() + 1;
            aiocop::shim::fs::read(A_FILE).expect("read");
            line
        })
        .await
        .expect("blocking task");
        // The same call in a spawned task of this runtime is reported: nothing below is silent
        // because the hooks are not running.
        let spawned = tokio::spawn(async {
            aiocop::shim::fs::read(A_FILE).expect("read");
        });
        let id = spawned.id();
        spawned.await.expect("spawned task");
        ([in_block_on, in_spawn_blocking], id)
    });
    drop(runtime);
    let reported = events_of(spawned);
    assert_eq!(reported.len(), 1, "{reported:#?}");
    assert_eq!(operations(&reported[0]), ["std::fs::read"]);
    let events = event_log::events_matching(|e| {
        e.blocking_events()
            .iter()
            .any(|b| b.location().file() == file!() && lines.contains(&b.location().line()))
    });
    assert!(events.is_empty(), "{events:#?}");
}
