//! The monitor never stalls, breaks or changes what it monitors: stack capture never waits for
//! symbolization, callbacks cannot recurse or take the delivery thread down, isolated panics stay
//! quiet, a forked child's aiocop works, and events queued at exit are delivered or counted.
//!
//! Each test runs its body in a fresh process of its own (`in_fresh_process`): what it checks is
//! decided once per process (settings, the first event, the panic hook, fork, exit).

use std::future::Future;
use std::io::Write;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use aiocop::{WEIGHT_HEAVY, delivery::Delivery};
use aiocop_tests::{assert_succeeded, current_thread, wait_for_child};

const CHILD_TIMEOUT: Duration = Duration::from_secs(90);

/// [`aiocop_tests::in_fresh_process`] for the test of this module named `test`, in this module's
/// turn ([`crate::take_turn`]).
fn in_fresh_process(
    test: &str,
    env: &[(&str, &str)],
    timeout: Duration,
    body: impl FnOnce(),
) -> Option<std::process::Output> {
    let _turn = crate::take_turn(module_path!());
    let test = aiocop_tests::test_name(module_path!(), test);
    aiocop_tests::in_fresh_process(&test, env, timeout, body)
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Lines the callback of [`queue_and_exit`] wrote.
fn delivered_lines(output: &std::process::Output) -> usize {
    stdout_of(output).matches("delivered\n").count()
}

/// Polls `future` once, on this thread, without a runtime.
fn poll_once<F: Future>(future: F) -> Poll<F::Output> {
    let mut future = pin!(future);
    future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
}

#[aiocop::monitor]
async fn traced_blocking_call() {
    aiocop::audit("std::fs::read", WEIGHT_HEAVY, &[&"/etc/hostname"]);
}

/// The worker must not wait for the backtrace crate's global lock, which symbolization holds
/// (for hundreds of milliseconds the first time, on the delivery thread). Here another thread
/// holds that lock for as long as the test wants: a traced blocking call must still complete.
#[test]
fn capturing_a_trace_never_waits_for_symbolization() {
    let test = "capturing_a_trace_never_waits_for_symbolization";
    let Some(output) = in_fresh_process(test, &[], CHILD_TIMEOUT, || {
        aiocop::patch_audit_functions();
        aiocop::start_blocking_io_detection(20).unwrap();
        aiocop::detect_slow_tasks(60_000, aiocop::no_callback).unwrap();
        aiocop::activate();
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        aiocop::register_slow_task_callback(move |e| {
            sink.lock()
                .unwrap()
                .push(e.blocking_events()[0].entry_point().to_owned());
        });

        // A thread inside `backtrace::trace`'s callback holds the crate's lock, as the delivery
        // thread does while it loads debug information.
        let (held_tx, held_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let holder = std::thread::spawn(move || {
            backtrace::trace(|_| {
                held_tx.send(()).unwrap();
                let _ = release_rx.recv();
                false
            });
        });
        held_rx.recv().unwrap();

        let (done_tx, done_rx) = mpsc::channel();
        std::thread::spawn(move || {
            current_thread().block_on(traced_blocking_call());
            let _ = done_tx.send(());
        });
        let completed = done_rx.recv_timeout(Duration::from_secs(20)).is_ok();
        release_tx.send(()).unwrap();
        holder.join().unwrap();
        assert!(
            completed,
            "a traced blocking call waited for the backtrace lock held by another thread"
        );
        assert!(aiocop::delivery::flush_timeout(Duration::from_secs(60)));
        let events = events.lock().unwrap();
        assert_eq!(events.len(), 1);
        assert!(
            events[0].contains("traced_blocking_call"),
            "entry point: {}",
            events[0]
        );
    }) else {
        return;
    };
    assert_succeeded(test, &output);
}

/// A callback that itself polls monitored code raises events on its own thread: they are counted,
/// never delivered back into the callback (which recursed until the stack overflowed).
#[test]
fn a_callback_that_polls_monitored_code_is_not_called_from_inside_itself() {
    let test = "a_callback_that_polls_monitored_code_is_not_called_from_inside_itself";
    let Some(output) = in_fresh_process(test, &[], CHILD_TIMEOUT, || {
        aiocop::patch_audit_functions();
        aiocop::start_blocking_io_detection(0).unwrap();
        aiocop::detect_slow_tasks(60_000, aiocop::no_callback).unwrap();
        aiocop::activate();
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        aiocop::register_slow_task_callback(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
            // The callback's own monitored work (say, a report sent through monitored code).
            let _ = poll_once(traced_blocking_call());
        });

        // Inline delivery: the callback runs on the polling thread, right after the poll.
        aiocop::delivery::set_mode(Delivery::Inline);
        assert!(poll_once(traced_blocking_call()).is_ready());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(aiocop::delivery::reentrant_events(), 1);

        // Background delivery: the callback's event is not queued back to itself either.
        aiocop::delivery::set_mode(Delivery::Background);
        current_thread().block_on(traced_blocking_call());
        assert!(aiocop::delivery::flush_timeout(Duration::from_secs(60)));
        assert!(aiocop::delivery::flush_timeout(Duration::from_secs(60)));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(aiocop::delivery::reentrant_events(), 2);
    }) else {
        return;
    };
    assert_succeeded(test, &output);
    let stderr = stderr_of(&output);
    assert_eq!(
        stderr.matches("not delivered").count(),
        1,
        "one warning, once: {stderr}"
    );
}

/// A panic payload whose drop panics too: neither the delivery thread nor the task sees it.
struct DropBomb;

impl Drop for DropBomb {
    fn drop(&mut self) {
        panic!("the payload's drop panicked");
    }
}

#[test]
fn a_payload_that_panics_when_dropped_does_not_kill_the_delivery_thread() {
    let test = "a_payload_that_panics_when_dropped_does_not_kill_the_delivery_thread";
    let Some(output) = in_fresh_process(test, &[], CHILD_TIMEOUT, || {
        aiocop::patch_audit_functions();
        aiocop::start_blocking_io_detection(0).unwrap();
        aiocop::detect_slow_tasks(60_000, aiocop::no_callback).unwrap();
        aiocop::delivery::set_mode(Delivery::Background);
        aiocop::activate();
        let threads = Arc::new(Mutex::new(Vec::new()));
        let sink = threads.clone();
        aiocop::register_slow_task_callback(move |_| {
            let first = {
                let mut threads = sink.lock().unwrap();
                threads.push(std::thread::current().name().map(str::to_owned));
                threads.len() == 1
            };
            if first {
                std::panic::panic_any(DropBomb);
            }
        });
        let rt = current_thread();
        for _ in 0..3 {
            rt.block_on(traced_blocking_call());
            assert!(aiocop::delivery::flush_timeout(Duration::from_secs(60)));
        }
        let threads = threads.lock().unwrap();
        assert_eq!(threads.len(), 3);
        assert!(
            threads
                .iter()
                .all(|t| t.as_deref() == Some("aiocop-delivery")),
            "every event delivered by the delivery thread: {threads:?}"
        );
    }) else {
        return;
    };
    assert_succeeded(test, &output);
}

/// A caught panic gets one short line from aiocop, not the panic hook's report; at most one such
/// line a second, the rest counted in the next. Panics elsewhere still reach the hook.
#[test]
fn isolated_panics_are_reported_briefly_and_rate_limited() {
    let test = "isolated_panics_are_reported_briefly_and_rate_limited";
    let Some(output) = in_fresh_process(test, &[("RUST_BACKTRACE", "1")], CHILD_TIMEOUT, || {
        aiocop::patch_audit_functions();
        aiocop::start_blocking_io_detection(0).unwrap();
        aiocop::detect_slow_tasks(60_000, |_| panic!("callback boom")).unwrap();
        aiocop::activate();
        let rt = current_thread();
        for _ in 0..5 {
            rt.block_on(traced_blocking_call());
        }
        std::thread::sleep(Duration::from_millis(1100));
        rt.block_on(traced_blocking_call());
        // A panic of the program's own still gets the usual report.
        let _ = std::thread::spawn(|| panic!("the program's own panic")).join();
    }) else {
        return;
    };
    assert_succeeded(test, &output);
    let stderr = stderr_of(&output);
    let reports: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("callback boom"))
        .collect();
    assert_eq!(reports.len(), 2, "stderr:\n{stderr}");
    assert!(
        reports[0].starts_with("aiocop: slow-task callback #")
            && reports[0].contains("panicked at tests/tests/no_harm/monitor.rs:"),
        "{}",
        reports[0]
    );
    assert!(
        reports[1].ends_with("(4 more panics not shown)"),
        "{}",
        reports[1]
    );
    assert_eq!(
        stderr.matches("stack backtrace").count(),
        1,
        "a backtrace for the program's own panic only: {stderr}"
    );
    assert_eq!(
        stderr.matches("panicked at").count(),
        3,
        "two aiocop lines and the program's own panic: {stderr}"
    );
    assert!(stderr.contains("the program's own panic"), "{stderr}");
}

/// The closure's argument type is inferred (the parameter is `Fn(&SlowTaskEvent)` itself).
#[test]
fn detect_slow_tasks_infers_the_closure_argument() {
    let test = "detect_slow_tasks_infers_the_closure_argument";
    let Some(output) = in_fresh_process(test, &[], CHILD_TIMEOUT, || {
        let handle = aiocop::detect_slow_tasks(10, |event| {
            let _ = event.elapsed_ms();
        });
        assert!(handle.unwrap().is_some());
        assert_eq!(aiocop::detect_slow_tasks(10, aiocop::no_callback), Ok(None));
    }) else {
        return;
    };
    assert_succeeded(test, &output);
}

/// Queues `events` events, each delivered to a callback taking `per_event`, then leaves the
/// process without flushing, by `exit` (`std::process::exit`) or by returning.
fn queue_and_exit(events: usize, per_event: Duration, exit: bool) {
    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(0).unwrap();
    aiocop::detect_slow_tasks(60_000, move |_| {
        std::thread::sleep(per_event);
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "delivered");
        let _ = out.flush();
    })
    .unwrap();
    aiocop::delivery::set_mode(Delivery::Background);
    aiocop::activate();
    let rt = current_thread();
    for _ in 0..events {
        rt.block_on(traced_blocking_call());
    }
    if exit {
        std::process::exit(0);
    }
}

/// 1,000 events queued and the process left at once (by `exit`, or by returning): every one is delivered.
fn all_queued_events_are_delivered_at_exit(test: &str, exit: bool) {
    let Some(output) = in_fresh_process(test, &[], CHILD_TIMEOUT, || {
        queue_and_exit(1000, Duration::ZERO, exit)
    }) else {
        return;
    };
    assert_succeeded(test, &output);
    assert_eq!(delivered_lines(&output), 1000);
}

#[test]
fn events_queued_at_exit_are_delivered_by_exit() {
    all_queued_events_are_delivered_at_exit("events_queued_at_exit_are_delivered_by_exit", true);
}

#[test]
fn events_queued_at_exit_are_delivered_by_return() {
    all_queued_events_are_delivered_at_exit("events_queued_at_exit_are_delivered_by_return", false);
}

#[test]
fn events_left_at_exit_are_counted_in_one_line() {
    let test = "events_left_at_exit_are_counted_in_one_line";
    let Some(output) = in_fresh_process(test, &[], CHILD_TIMEOUT, || {
        // 100 events of 100 ms each: longer than the exit flush waits.
        queue_and_exit(100, Duration::from_millis(100), true)
    }) else {
        return;
    };
    assert_succeeded(test, &output);
    let delivered = delivered_lines(&output);
    let stderr = stderr_of(&output);
    let line = stderr
        .lines()
        .find(|l| l.contains("were not delivered before the process exited"))
        .unwrap_or_else(|| panic!("no line about undelivered events: {stderr}"));
    let left: usize = line
        .trim_start_matches("aiocop: ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {line:?}"));
    assert!(
        delivered < 100 && left > 0,
        "{delivered} delivered, {left} left"
    );
    // The one being delivered when the process ended may be counted as left.
    assert!(
        (100..=101).contains(&(delivered + left)),
        "{delivered} delivered + {left} left"
    );
}

/// A child forked while aiocop runs (even while its delivery thread symbolizes for the first
/// time) records, delivers and flushes its own events; it never delivers its parent's.
#[test]
fn a_forked_child_reports_its_own_events() {
    let test = "a_forked_child_reports_its_own_events";
    let Some(output) = in_fresh_process(test, &[], CHILD_TIMEOUT, || {
        aiocop::patch_audit_functions();
        aiocop::start_blocking_io_detection(20).unwrap();
        aiocop::detect_slow_tasks(60_000, aiocop::no_callback).unwrap();
        aiocop::activate();
        static DELIVERED: Mutex<Vec<(u32, String)>> = Mutex::new(Vec::new());
        aiocop::register_slow_task_callback(|e| {
            let entry = e.blocking_events()[0].entry_point().to_owned();
            DELIVERED.lock().unwrap().push((std::process::id(), entry));
        });
        // The first traced event: the delivery thread now loads debug information, for a while.
        let rt = current_thread();
        rt.block_on(traced_blocking_call());
        drop(rt);
        std::thread::sleep(Duration::from_millis(20));

        // SAFETY: the child only runs code that is safe after a fork of a multi-threaded process
        // as far as glibc and Rust's std allow (allocation, thread creation), and leaves by
        // `_exit`.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let ok = std::panic::catch_unwind(|| {
                // Nothing queued in this process yet: flush returns at once.
                assert!(aiocop::delivery::flush_timeout(Duration::from_secs(30)));
                current_thread().block_on(traced_blocking_call());
                assert!(aiocop::delivery::flush_timeout(Duration::from_secs(30)));
                let me = std::process::id();
                let delivered = DELIVERED.lock().unwrap();
                let mine: Vec<&String> = delivered
                    .iter()
                    .filter(|(pid, _)| *pid == me)
                    .map(|(_, entry)| entry)
                    .collect();
                assert_eq!(mine.len(), 1, "{delivered:?}");
                assert!(mine[0].contains("traced_blocking_call"), "{mine:?}");
            })
            .is_ok();
            // SAFETY: ends the forked child without running the parent's exit handlers twice.
            unsafe { libc::_exit(if ok { 0 } else { 1 }) };
        }
        assert_eq!(
            wait_for_child(pid, Duration::from_secs(60)),
            Some(0),
            "the forked child failed or hung"
        );
        assert!(aiocop::delivery::flush_timeout(Duration::from_secs(60)));
        let me = std::process::id();
        let delivered = DELIVERED.lock().unwrap();
        assert_eq!(delivered.iter().filter(|(pid, _)| *pid == me).count(), 1);
    }) else {
        return;
    };
    assert_succeeded(test, &output);
}
