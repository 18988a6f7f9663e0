//! Worker threads watched through tokio's stable thread hooks (`aiocop::runtime::instrument`), and
//! the strict test runtime (`aiocop::runtime::run_strict`), on stable Rust.
//!
//! Tests tell their events apart by a marker in the audited call's arguments, so they can run in
//! parallel. Each drops its runtime before looking: that joins the worker threads, and each
//! reports its last stretch as it stops (events are delivered inline).

mod event_log;

use std::panic::{AssertUnwindSafe, Location};
use std::time::{Duration, Instant};

use aiocop::{HighSeverityBlockingIo, SlowTaskEvent, WEIGHT_HEAVY, WEIGHT_MODERATE};
use tokio::runtime::{Builder, Runtime};

/// High enough that no ordinary poll reaches it, even on a loaded machine.
const THRESHOLD_MS: u64 = 500;

/// With the `intercept` feature, interception is switched on explicitly: the workspace runs its
/// tests with `AIOCOP_INTERCEPT=off` (see .cargo/config.toml).
fn setup() {
    aiocop_tests::setup_at(THRESHOLD_MS, || {
        event_log::record_every_event();
        #[cfg(feature = "intercept")]
        aiocop::intercept::enable();
    });
}

fn instrumented(multi_thread: bool) -> Runtime {
    let mut builder = aiocop_tests::runtime_builder(multi_thread);
    aiocop::runtime::instrument(&mut builder);
    builder.build().expect("runtime")
}

/// Records a blocking call whose text carries `marker`; returns its call site.
#[track_caller]
fn block(marker: &'static str) -> &'static Location<'static> {
    let here = Location::caller();
    aiocop::audit("std::thread::sleep", WEIGHT_HEAVY, &[&marker]);
    here
}

/// The events with a blocking call whose text carries `marker`.
fn events_with(marker: &str) -> Vec<SlowTaskEvent> {
    event_log::events_matching(|e| {
        e.blocking_events()
            .iter()
            .any(|b| b.event().contains(marker))
    })
}

fn spin(duration: Duration) {
    let start = Instant::now();
    while start.elapsed() < duration {
        std::hint::spin_loop();
    }
}

fn a_blocking_call_in_a_spawned_task_is_reported(multi_thread: bool, marker: &'static str) {
    setup();
    let runtime = instrumented(multi_thread);
    let site = runtime.block_on(async move {
        // The current-thread runtime's worker is the calling thread, watched from its first park.
        tokio::time::sleep(Duration::from_millis(1)).await;
        let site = tokio::spawn(async move {
            tokio::task::yield_now().await;
            let line = line!() + 1;
            let site = block(marker);
            assert_eq!(site.line(), line);
            site
        })
        .await
        .expect("task");
        // Its stretch ends at its next park.
        tokio::time::sleep(Duration::from_millis(1)).await;
        site
    });
    drop(runtime);

    let events = events_with(marker);
    assert_eq!(events.len(), 1, "one stretch, one event: {events:#?}");
    let event = &events[0];
    assert_eq!(event.function().name(), aiocop::runtime::WORKER_NAME);
    assert_eq!(event.severity_level(), aiocop::SeverityLevel::High);
    let call = &event.blocking_events()[0];
    assert_eq!(call.operation(), "std::thread::sleep");
    assert_eq!(call.location().file(), file!());
    assert_eq!(call.location().line(), site.line(), "the call site");
}

#[test]
fn a_blocking_call_in_a_spawned_task_is_reported_on_a_multi_thread_runtime() {
    a_blocking_call_in_a_spawned_task_is_reported(true, "spawned-multi");
}

#[test]
fn a_blocking_call_in_a_spawned_task_is_reported_on_a_current_thread_runtime() {
    a_blocking_call_in_a_spawned_task_is_reported(false, "spawned-current");
}

#[test]
fn many_background_tasks_each_blocking_are_all_reported() {
    setup();
    let runtime = instrumented(true);
    runtime.block_on(async {
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                tokio::spawn(async {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    block("background-many");
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("task");
        }
    });
    drop(runtime);
    let calls: usize = events_with("background-many")
        .iter()
        .map(|e| {
            e.blocking_events()
                .iter()
                .filter(|b| b.event().contains("background-many"))
                .count()
                + e.dropped_events()
        })
        .sum();
    assert_eq!(calls, 50, "every blocking call of every task is seen");
}

#[test]
fn spawn_blocking_is_never_reported() {
    setup();
    let runtime = instrumented(true);
    runtime.block_on(async {
        tokio::spawn(async {
            tokio::time::sleep(Duration::from_millis(1)).await;
            tokio::task::spawn_blocking(|| {
                block("in-spawn-blocking");
            })
            .await
            .expect("spawn_blocking");
        })
        .await
        .expect("task");
        // Blocking threads started by earlier calls are reused too.
        for _ in 0..4 {
            tokio::task::spawn_blocking(|| {
                block("in-spawn-blocking");
            })
            .await
            .expect("spawn_blocking");
        }
    });
    drop(runtime);
    let events = events_with("in-spawn-blocking");
    assert!(events.is_empty(), "spawn_blocking: {events:#?}");
}

#[test]
fn block_in_place_is_never_reported() {
    setup();
    let runtime = instrumented(true);
    runtime.block_on(async {
        tokio::spawn(async {
            tokio::time::sleep(Duration::from_millis(1)).await;
            tokio::task::block_in_place(|| {
                block("in-block-in-place");
            });
            // After block_in_place the task goes on on a worker: watched again.
            block("after-block-in-place");
        })
        .await
        .expect("task");
    });
    drop(runtime);
    let events = events_with("in-block-in-place");
    assert!(events.is_empty(), "block_in_place: {events:#?}");
    let events = events_with("after-block-in-place");
    assert_eq!(events.len(), 1, "the task itself: {events:#?}");
}

#[test]
fn a_worker_is_watched_before_it_first_parks() {
    setup();
    // One worker: while a task sits in `block_in_place`, tokio hands the worker's core to a fresh
    // thread, which runs the queued task right away, before any park.
    let mut builder = Builder::new_multi_thread();
    builder.worker_threads(1).enable_all();
    aiocop::runtime::instrument(&mut builder);
    let runtime = builder.build().expect("runtime");
    runtime.block_on(async {
        tokio::spawn(async {
            tokio::time::sleep(Duration::from_millis(1)).await;
            let (done, wait) = std::sync::mpsc::channel();
            let queued = tokio::spawn(async move {
                block("before-first-park");
                done.send(()).expect("send");
            });
            tokio::task::block_in_place(|| {
                wait.recv_timeout(Duration::from_secs(30))
                    .expect("the queued task ran on the new worker thread");
            });
            queued.await.expect("queued task");
        })
        .await
        .expect("task");
    });
    drop(runtime);
    let events = events_with("before-first-park");
    assert_eq!(events.len(), 1, "{events:#?}");
}

#[cfg(feature = "axum")]
#[test]
fn a_tower_request_inside_a_task_names_its_events_with_its_request_id() {
    use aiocop::tower::{AiocopLayer, X_REQUEST_ID};
    use tower::{Layer, ServiceExt};

    setup();
    let runtime = instrumented(true);
    runtime.block_on(async {
        tokio::spawn(async {
            tokio::time::sleep(Duration::from_millis(1)).await;
            let service = AiocopLayer::new().layer(tower::service_fn(
                |_request: axum::http::Request<()>| async {
                    block("in-tower-request");
                    Ok::<_, std::convert::Infallible>(axum::http::Response::new(()))
                },
            ));
            let request = axum::http::Request::builder()
                .uri("/jobs")
                .header(X_REQUEST_ID, "runtime-tower-1")
                .body(())
                .expect("request");
            service.oneshot(request).await.expect("response");
            block("beside-tower-request");
        })
        .await
        .expect("task");
    });
    drop(runtime);

    let events = events_with("in-tower-request");
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(
        events[0].context().get_str("request_id"),
        Some("runtime-tower-1"),
        "{events:#?}"
    );
    assert_ne!(events[0].function().name(), aiocop::runtime::WORKER_NAME);
    let events = events_with("beside-tower-request");
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].function().name(), aiocop::runtime::WORKER_NAME);
}

/// Runs `body` in a task spawned on an instrumented multi-thread runtime (after a first await, so
/// that it runs on a worker), then returns the events with a blocking call `call` picks.
#[cfg(feature = "intercept")]
fn in_a_background_task(
    body: impl FnOnce() + Send + 'static,
    call: impl Fn(&aiocop::BlockingEventInfo) -> bool,
) -> Vec<SlowTaskEvent> {
    let runtime = instrumented(true);
    runtime.block_on(async move {
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(1)).await;
            body();
        })
        .await
        .expect("task");
    });
    drop(runtime);
    event_log::events_matching(|e| e.blocking_events().iter().any(&call))
}

/// A sync helper of the program, standing for a dependency: it blocks through std, which records
/// nothing itself; the interception sees the C library calls beneath.
#[cfg(feature = "intercept")]
fn load_config(path: &str) -> String {
    std::fs::read_to_string(path).expect("read")
}

#[cfg(feature = "intercept")]
#[test]
fn a_blocking_libc_call_in_a_background_task_is_intercepted_with_its_call_site() {
    setup();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let events = in_a_background_task(
        move || assert!(!load_config(path).is_empty()),
        |b| b.operation() == "libc::open" && b.event().contains(path),
    );
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].function().name(), aiocop::runtime::WORKER_NAME);
    let open = events[0]
        .blocking_events()
        .iter()
        .find(|b| b.operation() == "libc::open")
        .expect("the open");
    assert!(open.is_intercepted(), "{open}");
    let entry = open.entry_point();
    assert!(
        entry.contains("runtime.rs") && entry.contains("load_config"),
        "the entry point is the program's line that reads: {entry}"
    );
}

/// A sync helper that sleeps through std (`clock_nanosleep` beneath), standing for a dependency.
#[cfg(feature = "intercept")]
fn pause_for(duration: Duration) {
    std::thread::sleep(duration);
}

/// An intercepted call is timed: the call says how long it took, and the worker's event, whose
/// stretch is not timed, reports the time its calls blocked as its `elapsed`.
#[cfg(feature = "intercept")]
#[test]
fn an_intercepted_call_in_a_background_task_says_how_long_it_blocked() {
    setup();
    // An odd length, to find this call among the others.
    let events = in_a_background_task(
        || pause_for(Duration::from_micros(23_456)),
        |b| b.operation() == "libc::clock_nanosleep" && b.event().contains("23.456ms"),
    );
    assert_eq!(events.len(), 1, "{events:#?}");
    let event = &events[0];
    assert_eq!(event.function().name(), aiocop::runtime::WORKER_NAME);
    let sleep = event
        .blocking_events()
        .iter()
        .find(|b| b.event().contains("23.456ms"))
        .expect("the sleep");
    let took = sleep.duration().expect("an intercepted call is timed");
    assert!(
        took >= Duration::from_micros(23_456) && took < Duration::from_secs(5),
        "{took:?}"
    );
    // The stretch's time is that of its calls: at least the sleep, at most a little more.
    assert!(event.elapsed() >= took, "{:?} < {took:?}", event.elapsed());
    assert!(
        event.elapsed() < took + Duration::from_millis(500),
        "{:?}",
        event.elapsed()
    );
}

/// Writes one line to a log file in each of `polls` polls of a task on a one-worker instrumented
/// runtime (the worker parks in between: each write in a stretch of its own), strict mode's
/// thread switch on or off; returns how many events reported a write to that file.
#[cfg(feature = "intercept")]
fn log_a_line_per_poll(polls: usize, strict: bool) -> usize {
    let path = std::env::temp_dir().join(format!(
        "aiocop-repeats-{}-{strict}.log",
        std::process::id()
    ));
    let path_text = path.display().to_string();
    // One worker: one thread's count.
    let mut builder = Builder::new_multi_thread();
    builder.worker_threads(1).enable_all();
    aiocop::runtime::instrument(&mut builder);
    let runtime = builder.build().expect("runtime");
    let file = path.clone();
    runtime.block_on(async move {
        tokio::spawn(async move {
            let mut log = std::fs::File::create(&file).expect("log file");
            for i in 0..polls {
                tokio::time::sleep(Duration::from_millis(1)).await;
                if strict {
                    // A write is of moderate weight: strict mode records it, raises nothing.
                    aiocop::strict::enable_raise_on_violations();
                }
                std::io::Write::write_all(&mut log, format!("line {i}\n").as_bytes())
                    .expect("write");
                aiocop::strict::disable_raise_on_violations();
            }
        })
        .await
        .expect("task");
    });
    drop(runtime);
    let _ = std::fs::remove_file(&path);
    event_log::events_matching(|e| {
        e.blocking_events()
            .iter()
            .any(|b| b.operation() == "libc::write" && b.event().contains(&path_text))
    })
    .len()
}

/// A blocking call repeated in poll after poll (a log line written synchronously on every
/// request) is reported in at most `REPEATS_PER_SECOND` polls a second on a thread; the others
/// are counted, neither captured nor delivered.
#[cfg(feature = "intercept")]
#[test]
fn a_call_repeated_in_poll_after_poll_is_reported_a_few_times_a_second() {
    setup();
    let held_back = aiocop::events::repeats_held_back();
    let reported = log_a_line_per_poll(60, false);
    let per_second = aiocop::events::REPEATS_PER_SECOND as usize;
    // The second may turn during the run: up to twice the limit.
    assert!(
        (per_second..=2 * per_second).contains(&reported),
        "{reported} events for 60 polls that each wrote once"
    );
    assert!(aiocop::events::repeats_held_back() - held_back >= (60 - 2 * per_second) as u64);
}

/// Strict mode never holds a repeat back: a test must fail every time.
#[cfg(feature = "intercept")]
#[test]
fn strict_mode_reports_every_repeat() {
    setup();
    assert_eq!(log_a_line_per_poll(30, true), 30);
}

#[test]
fn a_busy_worker_is_never_reported_as_slow() {
    setup();
    let runtime = instrumented(true);
    let spun = runtime.block_on(async {
        tokio::spawn(async {
            tokio::time::sleep(Duration::from_millis(1)).await;
            // Many short polls back to back, longer together than the threshold, then one
            // quiet blocking call so that the stretch is reported and can be looked at.
            let start = Instant::now();
            while start.elapsed() < Duration::from_millis(THRESHOLD_MS + 200) {
                spin(Duration::from_millis(5));
                tokio::task::yield_now().await;
            }
            block("busy-worker");
            start.elapsed()
        })
        .await
        .expect("task")
    });
    drop(runtime);
    assert!(spun >= Duration::from_millis(THRESHOLD_MS));
    let events = events_with("busy-worker");
    assert_eq!(events.len(), 1, "{events:#?}");
    assert!(
        !events[0].exceeded_threshold(),
        "a stretch is not timed: {events:#?}"
    );
    let cpu = event_log::events_matching(|e| {
        e.function().name() == aiocop::runtime::WORKER_NAME
            && e.reason() == aiocop::Reason::CpuBlocking
    });
    assert!(cpu.is_empty(), "no CPU event for a worker: {cpu:#?}");
}

/// The CPU events of worker stretches whose task id is `task` (waits up to 10 s for one: the
/// watchdog reports a slow poll from its own thread once it has seen the poll end).
fn worker_cpu_events(task: Option<u64>, want: usize) -> Vec<SlowTaskEvent> {
    let matching = || {
        event_log::events_matching(|e| {
            e.function().name() == aiocop::runtime::WORKER_NAME
                && e.reason() == aiocop::Reason::CpuBlocking
                && e.context().get("tokio.task_id").and_then(|v| v.as_u64()) == task
        })
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while matching().len() < want && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    matching()
}

/// Spins for `duration` in one poll; not inlined, so samples name it.
#[inline(never)]
fn busy_checksum(duration: Duration) -> u64 {
    let start = Instant::now();
    let mut sum = 0u64;
    while start.elapsed() < duration {
        sum = sum.wrapping_mul(31).wrapping_add(std::hint::black_box(7));
    }
    sum
}

fn task_id() -> u64 {
    tokio::task::id()
        .to_string()
        .parse()
        .expect("a task id is a number")
}

#[cfg(all(target_os = "linux", target_arch = "x86_64", not(tokio_unstable)))]
fn a_cpu_bound_poll_of_an_unannotated_task_is_reported(multi_thread: bool) {
    setup();
    let runtime = instrumented(multi_thread);
    let task = runtime.block_on(async {
        // The current-thread runtime's worker is the calling thread, watched from its first park.
        tokio::time::sleep(Duration::from_millis(1)).await;
        tokio::spawn(async {
            // First a long busy stretch of short polls: the worker is probed all along, and its
            // probes keep going.
            let start = Instant::now();
            while start.elapsed() < Duration::from_millis(THRESHOLD_MS) {
                busy_checksum(Duration::from_micros(100));
                tokio::task::yield_now().await;
            }
            let poll_start = Instant::now();
            busy_checksum(Duration::from_millis(THRESHOLD_MS + 400));
            (task_id(), poll_start)
        })
        .await
        .map(|(task, poll_start)| (task, poll_start.elapsed()))
        .expect("task")
    });
    drop(runtime);
    let (task, at_most) = task;
    let events = worker_cpu_events(Some(task), 1);
    assert_eq!(events.len(), 1, "one slow poll: {events:#?}");
    let event = &events[0];
    assert!(event.exceeded_threshold(), "{event:#?}");
    // The poll began a few instructions before `poll_start`.
    assert!(
        event.elapsed() <= at_most + Duration::from_millis(1),
        "the time seen is a lower bound of the poll's {at_most:?}: {event:#?}"
    );
    let samples = event.cpu_stack_samples();
    assert!(!samples.is_empty(), "no samples of a slow poll: {event:#?}");
    for sample in samples {
        assert!(
            sample.trace().to_string().contains("busy_checksum"),
            "{}",
            sample.trace()
        );
    }
}

#[cfg(all(target_os = "linux", target_arch = "x86_64", not(tokio_unstable)))]
#[test]
fn a_cpu_bound_poll_of_an_unannotated_task_is_reported_on_a_multi_thread_runtime() {
    a_cpu_bound_poll_of_an_unannotated_task_is_reported(true);
}

#[cfg(all(target_os = "linux", target_arch = "x86_64", not(tokio_unstable)))]
#[test]
fn a_cpu_bound_poll_of_an_unannotated_task_is_reported_on_a_current_thread_runtime() {
    a_cpu_bound_poll_of_an_unannotated_task_is_reported(false);
}

#[cfg(all(target_os = "linux", target_arch = "x86_64", not(tokio_unstable)))]
#[test]
fn a_slow_block_on_future_is_reported_without_a_task_id() {
    setup();
    let runtime = instrumented(false);
    runtime.block_on(async {
        // Watched from the worker's first park.
        tokio::time::sleep(Duration::from_millis(1)).await;
        busy_checksum(Duration::from_millis(THRESHOLD_MS + 400));
        tokio::time::sleep(Duration::from_millis(1)).await;
    });
    drop(runtime);
    let events = worker_cpu_events(None, 1);
    assert!(
        !events.is_empty(),
        "the block_on future's slow poll is reported"
    );
    assert!(
        events.iter().any(|e| e
            .cpu_stack_samples()
            .iter()
            .any(|s| s.trace().to_string().contains("busy_checksum"))),
        "{events:#?}"
    );
}

#[cfg(all(target_os = "linux", target_arch = "x86_64", not(tokio_unstable)))]
#[test]
fn a_worker_stuck_in_one_poll_is_reported_while_it_is_stuck() {
    use std::sync::{Arc, Mutex};

    setup();
    let stuck: Arc<Mutex<Vec<(String, Duration, String)>>> = Arc::default();
    let handle = {
        let stuck = Arc::clone(&stuck);
        aiocop::watchdog::register_stuck_poll_callback(move |poll: &aiocop::watchdog::StuckPoll| {
            stuck.lock().unwrap().push((
                poll.function().name().to_owned(),
                poll.elapsed(),
                poll.trace().to_string(),
            ));
        })
    };
    let runtime = instrumented(true);
    let reported_while_running = runtime.block_on(async {
        let stuck = Arc::clone(&stuck);
        tokio::spawn(async move {
            tokio::task::yield_now().await;
            let start = Instant::now();
            // Spins until the watchdog has reported this poll stuck (at its 1 s limit), or 5 s.
            while start.elapsed() < Duration::from_secs(5) {
                busy_checksum(Duration::from_millis(10));
                let seen = stuck.lock().unwrap().iter().any(|(name, _, trace)| {
                    name == aiocop::runtime::WORKER_NAME && trace.contains("busy_checksum")
                });
                if seen {
                    return true;
                }
            }
            false
        })
        .await
        .expect("task")
    });
    drop(runtime);
    aiocop::watchdog::unregister_stuck_poll_callback(handle);
    assert!(
        reported_while_running,
        "no stuck report while the poll ran: {:?}",
        stuck.lock().unwrap()
    );
    let stuck = stuck.lock().unwrap();
    let worker = stuck
        .iter()
        .find(|(name, ..)| name == aiocop::runtime::WORKER_NAME)
        .expect("a worker's stuck poll");
    assert!(worker.1 >= Duration::from_secs(1), "{worker:?}");
}

/// A task that keeps many short polls going for longer than the threshold, in the shapes a busy
/// but healthy worker shows: CPU work cut by `yield_now`, a task that wakes itself (re-polled at
/// once through tokio's LIFO slot), and a consumer of a channel that always has a message (its
/// budget runs down and tokio makes it yield).
#[cfg(all(target_os = "linux", target_arch = "x86_64", not(tokio_unstable)))]
#[test]
fn many_short_polls_back_to_back_are_never_a_slow_poll() {
    setup();
    let long = Duration::from_millis(THRESHOLD_MS * 2);
    let runtime = instrumented(true);
    let tasks = runtime.block_on(async move {
        let yielding = tokio::spawn(async move {
            let start = Instant::now();
            while start.elapsed() < long {
                busy_checksum(Duration::from_millis(3));
                tokio::task::yield_now().await;
            }
            task_id()
        });
        let self_waking = tokio::spawn(async move {
            let start = Instant::now();
            while start.elapsed() < long {
                busy_checksum(Duration::from_millis(3));
                let mut woken = false;
                std::future::poll_fn(|cx| {
                    if std::mem::replace(&mut woken, true) {
                        std::task::Poll::Ready(())
                    } else {
                        cx.waker().wake_by_ref();
                        std::task::Poll::Pending
                    }
                })
                .await;
            }
            task_id()
        });
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<u64>(1024);
        let producer = tokio::spawn(async move {
            let start = Instant::now();
            while start.elapsed() < long {
                if sender.send(1).await.is_err() {
                    break;
                }
            }
            task_id()
        });
        let consumer = tokio::spawn(async move {
            let mut sum = 0;
            while let Some(value) = receiver.recv().await {
                sum += value;
                busy_checksum(Duration::from_micros(50));
            }
            (sum, task_id())
        });
        [
            yielding.await.expect("task"),
            self_waking.await.expect("task"),
            producer.await.expect("task"),
            consumer.await.expect("task").1,
        ]
    });
    drop(runtime);
    // Give the watchdog time to end its runs and report anything it would.
    std::thread::sleep(Duration::from_millis(300));
    for task in tasks {
        let events = worker_cpu_events(Some(task), 0);
        assert!(events.is_empty(), "task {task}: {events:#?}");
    }
}

#[aiocop::monitor]
async fn monitored_handler() {
    block("in-monitored");
}

#[test]
fn a_monitored_future_inside_a_task_names_its_own_events() {
    setup();
    let runtime = instrumented(true);
    runtime.block_on(async {
        tokio::spawn(async {
            tokio::time::sleep(Duration::from_millis(1)).await;
            monitored_handler().await;
            block("beside-monitored");
        })
        .await
        .expect("task");
    });
    drop(runtime);

    let events = events_with("in-monitored");
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].function().name(), "monitored_handler");
    let events = events_with("beside-monitored");
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].function().name(), aiocop::runtime::WORKER_NAME);
    assert!(
        events[0]
            .blocking_events()
            .iter()
            .all(|b| !b.event().contains("in-monitored")),
        "the monitored poll's calls are its own: {events:#?}"
    );
}

fn strict(multi_thread: bool, body: impl Future<Output = ()>) {
    aiocop::runtime::run_strict(&mut aiocop_tests::runtime_builder(multi_thread), body);
}

fn strict_runtime_fails_a_blocking_task(multi_thread: bool, marker: &'static str) {
    setup();
    // Set-up outside the runtime's tasks is not watched.
    block("strict-setup");
    let line = line!() + 4;
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        strict(multi_thread, async move {
            tokio::time::sleep(Duration::from_millis(1)).await;
            tokio::spawn(async move { block(marker) })
                .await
                .expect("task");
        });
    }));
    // Assertions after it are not watched either.
    block("strict-assertions");
    let payload = outcome.expect_err("the strict runtime fails a task that blocks");
    let report = HighSeverityBlockingIo::from_panic(&*payload).expect("a strict-mode report");
    let call = &report.events()[0];
    assert!(call.event().contains(marker), "{report}");
    assert_eq!(call.location().file(), file!());
    assert_eq!(call.location().line(), line, "the call site: {report}");
    let message = payload
        .downcast_ref::<String>()
        .expect("the report as a string");
    assert!(message.contains(file!()), "{message}");
}

#[test]
fn the_strict_runtime_fails_a_task_that_blocks_on_a_multi_thread_runtime() {
    strict_runtime_fails_a_blocking_task(true, "strict-multi");
}

#[test]
fn the_strict_runtime_fails_a_task_that_blocks_on_a_current_thread_runtime() {
    strict_runtime_fails_a_blocking_task(false, "strict-current");
}

#[aiocop::monitor]
async fn monitored_blocking_handler() {
    block("strict-in-monitored");
}

#[test]
fn the_strict_runtime_fails_a_monitored_future_that_blocks_in_a_task() {
    setup();
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        strict(true, async {
            tokio::spawn(monitored_blocking_handler())
                .await
                .expect("a monitored poll that is not strict itself does not panic");
        });
    }));
    let payload = outcome.expect_err("the strict runtime fails it");
    let report = HighSeverityBlockingIo::from_panic(&*payload).expect("a strict-mode report");
    assert_eq!(report.function().name(), "monitored_blocking_handler");
    assert!(
        report.events()[0].event().contains("strict-in-monitored"),
        "{report}"
    );
}

/// A dependency that sleeps through std: only the interception sees it.
#[cfg(feature = "intercept")]
fn dependency_that_sleeps() {
    std::thread::sleep(Duration::from_millis(2));
}

#[cfg(feature = "intercept")]
#[test]
fn the_strict_runtime_fails_a_task_that_blocks_inside_a_dependency() {
    setup();
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        strict(true, async {
            tokio::spawn(async { dependency_that_sleeps() })
                .await
                .expect("task");
        });
    }));
    let payload = outcome.expect_err("the strict runtime fails it");
    let report = HighSeverityBlockingIo::from_panic(&*payload).expect("a strict-mode report");
    let sleep = report
        .events()
        .iter()
        .find(|b| b.operation() == "libc::clock_nanosleep")
        .unwrap_or_else(|| panic!("the intercepted sleep: {report}"));
    assert!(
        sleep.entry_point().contains("dependency_that_sleeps"),
        "its call site: {}",
        sleep.entry_point()
    );
}

#[test]
fn the_strict_runtime_passes_a_clean_test() {
    setup();
    for multi_thread in [true, false] {
        strict(multi_thread, async {
            tokio::time::sleep(Duration::from_millis(1)).await;
            let tasks: Vec<_> = (0..20)
                .map(|i| {
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                        // Moderate blocking is not a violation; neither is spawn_blocking.
                        if i == 0 {
                            aiocop::audit("std::fs::metadata", WEIGHT_MODERATE, &[&"clean"]);
                        }
                        tokio::task::spawn_blocking(|| {
                            block("strict-clean-spawn-blocking");
                        })
                        .await
                        .expect("spawn_blocking");
                    })
                })
                .collect();
            for task in tasks {
                task.await.expect("task");
            }
        });
    }
}

/// The zero-annotation service: tower-http's `TraceLayer` and the tracing `PollLayer` on an
/// instrumented runtime, no aiocop annotation anywhere. The subscriber is the process's global one
/// (axum's connection tasks would not inherit a scoped one); the other tests of this binary enter
/// no span.
#[cfg(feature = "zero-annotation")]
mod zero_annotation {
    use std::future::IntoFuture;
    use std::net::SocketAddr;
    use std::sync::Once;

    use aiocop::integrations::tracing::PollLayer;
    use axum::Router;
    use axum::body::Bytes;
    use axum::routing::get;
    use http_body_util::{BodyExt, Empty};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    use tower_http::trace::TraceLayer;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    /// Whether the test runs without the `PollLayer` (`AIOCOP_TEST_WITHOUT_POLL_LAYER=1`), to see it
    /// fail: the events are then the worker's, not the request's.
    fn with_poll_layer() -> bool {
        std::env::var_os("AIOCOP_TEST_WITHOUT_POLL_LAYER").is_none()
    }

    fn install_subscriber() {
        static ONCE: Once = Once::new();
        ONCE.call_once(|| {
            let poll_layer = with_poll_layer().then(|| PollLayer::new().with_name_field("method"));
            let subscriber = tracing_subscriber::registry().with(poll_layer);
            tracing::subscriber::set_global_default(subscriber)
                .expect("the only global subscriber");
        });
    }

    /// A sync helper of the program, standing for a dependency that reads a file.
    fn read_settings(path: &str) -> String {
        std::fs::read_to_string(path).expect("read")
    }

    async fn get_body(addr: SocketAddr, path: &str) -> String {
        let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
        let uri = format!("http://{addr}{path}").parse().expect("uri");
        let response = client.get(uri).await.expect("response");
        assert!(response.status().is_success(), "{path}");
        let body = response.into_body().collect().await.expect("body");
        String::from_utf8_lossy(&body.to_bytes()).into_owned()
    }

    /// Whether `event` has an intercepted `libc::open` of `path`.
    fn opens(event: &SlowTaskEvent, path: &str) -> bool {
        event
            .blocking_events()
            .iter()
            .any(|b| b.operation() == "libc::open" && b.event().contains(path))
    }

    #[test]
    fn a_request_span_names_the_event_of_a_handler_that_blocks_with_no_annotation() {
        setup();
        install_subscriber();
        let dir = std::env::temp_dir();
        let pid = std::process::id();
        let in_handler = dir.join(format!("aiocop-zero-annotation-handler-{pid}.toml"));
        let in_task = dir.join(format!("aiocop-zero-annotation-task-{pid}.toml"));
        std::fs::write(&in_handler, "handler = true\n").expect("write");
        std::fs::write(&in_task, "task = true\n").expect("write");
        let handler_path: &'static str = in_handler.to_str().expect("utf-8").to_owned().leak();
        let task_path: &'static str = in_task.to_str().expect("utf-8").to_owned().leak();

        let runtime = instrumented(true);
        let (clean, blocking) = runtime.block_on(async move {
            let app = Router::new()
                .route(
                    "/zero/blocking",
                    get(move || async move { read_settings(handler_path) }),
                )
                .route(
                    "/zero/clean",
                    get(|| async {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                        "clean"
                    }),
                )
                .layer(TraceLayer::new_for_http());
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let addr = listener.local_addr().expect("address");
            let server = tokio::spawn(axum::serve(listener, app).into_future());
            // This future runs on the test's thread, not a worker: the client is not watched.
            let clean = get_body(addr, "/zero/clean").await;
            let blocking = get_body(addr, "/zero/blocking").await;
            // A background task beside the requests, in no span: the worker's event.
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(1)).await;
                read_settings(task_path)
            })
            .await
            .expect("task");
            server.abort();
            (clean, blocking)
        });
        drop(runtime);
        let _ = std::fs::remove_file(&in_handler);
        let _ = std::fs::remove_file(&in_task);
        assert_eq!(clean, "clean");
        assert_eq!(blocking, "handler = true\n");

        let events = event_log::events_matching(|e| opens(e, handler_path));
        assert_eq!(events.len(), 1, "{events:#?}");
        let event = &events[0];
        assert_eq!(
            event.function().name(),
            "request{method=GET}",
            "named by tower-http's request span: {event:#?}"
        );
        assert_eq!(
            event.context().get_str("uri"),
            Some("/zero/blocking"),
            "the span's fields in the context: {event:#?}"
        );
        let open = event
            .blocking_events()
            .iter()
            .find(|b| b.operation() == "libc::open")
            .expect("the open");
        let entry = open.entry_point();
        assert!(
            entry.contains("runtime.rs") && entry.contains("read_settings"),
            "the call site is the program's line that reads: {entry}"
        );

        let clean_events =
            event_log::events_matching(|e| e.context().get_str("uri") == Some("/zero/clean"));
        assert!(
            clean_events.is_empty(),
            "a clean handler: {clean_events:#?}"
        );

        let events = event_log::events_matching(|e| opens(e, task_path));
        assert_eq!(events.len(), 1, "{events:#?}");
        assert_eq!(
            events[0].function().name(),
            aiocop::runtime::WORKER_NAME,
            "a task in no span is the worker's: {events:#?}"
        );
    }

    /// A request span's poll that writes a log line synchronously, request after request in one
    /// stretch of a busy worker (no park in between): the write is reported in at most
    /// `REPEATS_PER_SECOND` span polls a second, the rest counted, as for polls of monitored
    /// futures. (A span's calls are recorded in the worker's stretch and moved to its event: the
    /// stretch must not keep them admitted for the next request's span.)
    #[test]
    fn a_write_repeated_in_span_poll_after_span_poll_is_reported_a_few_times_a_second() {
        setup();
        install_subscriber();
        let path =
            std::env::temp_dir().join(format!("aiocop-span-repeats-{}.log", std::process::id()));
        let path_text = path.display().to_string();
        let file = path.clone();
        let held_back = aiocop::events::repeats_held_back();
        let runtime = instrumented(true);
        runtime.block_on(async move {
            tokio::spawn(async move {
                let mut log = std::fs::File::create(&file).expect("log file");
                // Sixty requests in one poll of the task: one stretch of the worker.
                for request in 0..60 {
                    let span = tracing::info_span!("logged_request", request);
                    let _entered = span.enter();
                    std::io::Write::write_all(&mut log, format!("request {request}\n").as_bytes())
                        .expect("write");
                }
            })
            .await
            .expect("task");
        });
        drop(runtime);
        let _ = std::fs::remove_file(&path);
        let events = event_log::events_matching(|e| {
            e.blocking_events()
                .iter()
                .any(|b| b.operation() == "libc::write" && b.event().contains(&path_text))
        });
        let per_second = aiocop::events::REPEATS_PER_SECOND as usize;
        // The second may turn during the run: up to twice the limit.
        assert!(
            (1..=2 * per_second).contains(&events.len()),
            "{} events for 60 span polls that each wrote once",
            events.len()
        );
        assert!(
            events
                .iter()
                .all(|e| e.function().name().starts_with("logged_request")),
            "named by the span: {events:#?}"
        );
        assert!(aiocop::events::repeats_held_back() - held_back >= (60 - 2 * per_second) as u64);
    }

    /// A span guard held across an `.await` (a bug `tracing` warns about) leaves the span's scope
    /// open when the worker parks: the park still ends the worker's stretch, whose event is then
    /// delivered, rather than the stretch running on into the next one.
    #[test]
    fn a_span_held_across_an_await_does_not_hold_the_workers_stretch_open() {
        setup();
        install_subscriber();
        let runtime = instrumented(false);
        let delivered_at_the_park = runtime.block_on(async {
            // The current-thread runtime's worker is the calling thread, watched from its first
            // park.
            tokio::time::sleep(Duration::from_millis(1)).await;
            let (held, release) = tokio::sync::oneshot::channel::<()>();
            let holder = tokio::spawn(async move {
                block("stretch-before-held-span");
                let span = tracing::info_span!("held_across_await");
                let entered = span.enter();
                // Wrong on purpose: the span stays entered while the worker parks.
                let _ = release.await;
                drop(entered);
            });
            // Parks the worker once, with the span's scope open, until another thread wakes it
            // (no timer: a timer could wake it, and park it again, before).
            let (wake, woken) = tokio::sync::oneshot::channel::<()>();
            let waker = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                let _ = wake.send(());
            });
            let _ = woken.await;
            waker.join().expect("waker thread");
            let delivered = events_with("stretch-before-held-span").len();
            let _ = held.send(());
            holder.await.expect("task");
            delivered
        });
        aiocop::runtime::worker_parked();
        drop(runtime);
        assert_eq!(
            delivered_at_the_park,
            1,
            "the stretch is reported at the park: {:#?}",
            events_with("stretch-before-held-span")
        );
        let events = events_with("stretch-before-held-span");
        assert_eq!(events.len(), 1, "{events:#?}");
        assert_eq!(events[0].function().name(), aiocop::runtime::WORKER_NAME);
    }
}
