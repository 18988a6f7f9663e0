//! Deactivating and reactivating monitoring while monitored tasks are running on a multi-thread
//! runtime: their polls stop (and resume) being reported, and the tasks carry on unharmed.
//!
//! One test, run in a process of its own (`own_process!`): activation is process-wide.

use crate::core_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aiocop::{FutureExt, WEIGHT_LIGHT};
use core_support::QUIET_THRESHOLD_MS;
use tokio::sync::Barrier;

const WORKERS: usize = 4;
const TASKS: usize = 64;
const STEPS: usize = 3;

fn counter(name: &'static str) -> (Arc<AtomicUsize>, aiocop::CallbackHandle) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let handle = aiocop::register_slow_task_callback(move |event| {
        if event.function().name() == name {
            seen.fetch_add(event.blocking_events().len(), Ordering::SeqCst);
        }
    });
    (count, handle)
}

/// Waits, without a timed assertion, until `condition` holds; fails only after a minute.
fn eventually(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !condition() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn deactivation_while_tasks_run() {
    aiocop_tests::own_process!("deactivation_while_tasks_run");
    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(0).unwrap();
    aiocop::detect_slow_tasks(QUIET_THRESHOLD_MS, aiocop::no_callback).unwrap();
    aiocop::activate();
    let rt = core_support::multi_thread(WORKERS);

    // --- In lock step: every task is between two polls when the switch flips. ---
    let (events, handle) = counter("deactivate_lockstep");
    let barrier = Arc::new(Barrier::new(TASKS + 1));
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let barrier = barrier.clone();
            rt.spawn(
                async move {
                    let mut done = 0;
                    for _phase in 0..3 {
                        for step in 0..STEPS {
                            aiocop::audit("lockstep_op", WEIGHT_LIGHT, &[&task, &step]);
                            tokio::task::yield_now().await;
                            done += 1;
                        }
                        barrier.wait().await;
                        barrier.wait().await;
                        // The poll that got past the barrier may have started before the switch
                        // flipped (and is judged by the state at its start): block only from the
                        // next poll on.
                        tokio::task::yield_now().await;
                    }
                    done
                }
                .monitored_as("deactivate_lockstep"),
            )
        })
        .collect();
    rt.block_on(async {
        // Phase 1, active: every blocked poll reported.
        barrier.wait().await;
        assert_eq!(events.load(Ordering::SeqCst), TASKS * STEPS);
        aiocop::deactivate();
        barrier.wait().await;
        // Phase 2, inactive: the same, still running, futures report nothing.
        barrier.wait().await;
        assert_eq!(events.load(Ordering::SeqCst), TASKS * STEPS);
        aiocop::activate();
        barrier.wait().await;
        // Phase 3, active again.
        barrier.wait().await;
        assert_eq!(events.load(Ordering::SeqCst), 2 * TASKS * STEPS);
        barrier.wait().await;
        for task in tasks {
            assert_eq!(task.await.unwrap(), 3 * STEPS);
        }
    });
    assert!(aiocop::unregister_slow_task_callback(handle));

    // --- Free running: the switch flips while polls are in flight on every worker. ---
    let (events, handle) = counter("deactivate_free");
    let stop = Arc::new(AtomicBool::new(false));
    let iterations = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let (stop, iterations) = (stop.clone(), iterations.clone());
            rt.spawn(
                async move {
                    while !stop.load(Ordering::SeqCst) {
                        aiocop::audit("free_op", WEIGHT_LIGHT, &[&task]);
                        iterations.fetch_add(1, Ordering::SeqCst);
                        tokio::task::yield_now().await;
                    }
                }
                .monitored_as("deactivate_free"),
            )
        })
        .collect();
    eventually("events while active", || {
        events.load(Ordering::SeqCst) > 1000
    });
    aiocop::deactivate();
    let at_deactivation = events.load(Ordering::SeqCst);
    let iterations_at_deactivation = iterations.load(Ordering::SeqCst);
    eventually("tasks to keep running while inactive", || {
        iterations.load(Ordering::SeqCst) > iterations_at_deactivation + 10 * TASKS
    });
    // At most the polls already running when the switch flipped (one per worker) report.
    let while_inactive = events.load(Ordering::SeqCst) - at_deactivation;
    assert!(
        while_inactive <= WORKERS,
        "{while_inactive} events after deactivation"
    );
    let before_reactivation = events.load(Ordering::SeqCst);
    aiocop::activate();
    eventually("events after reactivation", || {
        events.load(Ordering::SeqCst) > before_reactivation + 1000
    });
    stop.store(true, Ordering::SeqCst);
    rt.block_on(async {
        for task in tasks {
            task.await.unwrap();
        }
    });
    assert!(aiocop::unregister_slow_task_callback(handle));
}
