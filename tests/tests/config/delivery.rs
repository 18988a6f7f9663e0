//! Background delivery without traces: callbacks on aiocop's thread, `flush`, and a full queue
//! that drops (and counts) events instead of blocking the runtime.
//!
//! One test, run in a process of its own (`own_process!`): the queue and its drop counter are process-wide.

use crate::core_support;

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aiocop::{FutureExt, WEIGHT_LIGHT, delivery::Delivery};
use core_support::{QUIET_THRESHOLD_MS, Recorder};

/// Runs `f` on another thread and waits at most a minute for it: a call that must return by
/// itself is not allowed to hang the test suite.
fn returns_by_itself<R: Send + 'static>(what: &str, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{what} did not return"))
}

#[test]
fn background_delivery_flush_and_a_full_queue() {
    aiocop_tests::own_process!("background_delivery_flush_and_a_full_queue");
    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(0).unwrap();
    aiocop::detect_slow_tasks(QUIET_THRESHOLD_MS, aiocop::no_callback).unwrap();
    aiocop::delivery::set_mode(Delivery::Background);
    aiocop::activate();
    let rt = core_support::current_thread();
    let blocking_poll = |name: &'static str, i: usize| {
        rt.block_on(
            async move {
                aiocop::audit("std::fs::read", WEIGHT_LIGHT, &[&i]);
            }
            .monitored_as(name),
        )
    };

    // --- Callbacks run on the delivery thread; flush waits for them. ---
    let recorder = Recorder::new("delivery_plain");
    for i in 0..100 {
        blocking_poll("delivery_plain", i);
    }
    aiocop::delivery::flush();
    let delivered = recorder.delivered();
    assert_eq!(delivered.len(), 100);
    assert!(
        delivered
            .iter()
            .all(|d| d.thread.as_deref() == Some("aiocop-delivery"))
    );
    let in_order: Vec<String> = delivered
        .iter()
        .map(|d| d.event.blocking_events()[0].event().to_owned())
        .collect();
    let expected: Vec<String> = (0..100).map(|i| format!("std::fs::read({i})")).collect();
    assert_eq!(in_order, expected, "one thread delivers in order");

    // --- A callback that calls flush itself must not wait for itself. ---
    let flushed_inside = Arc::new(Mutex::new(None));
    let handle = {
        let flushed_inside = flushed_inside.clone();
        aiocop::register_slow_task_callback(move |event| {
            if event.function().name() == "delivery_flush_inside" {
                aiocop::delivery::flush();
                *flushed_inside.lock().unwrap() =
                    Some(aiocop::delivery::flush_timeout(Duration::from_secs(3600)));
            }
        })
    };
    blocking_poll("delivery_flush_inside", 0);
    returns_by_itself(
        "flush after a callback that flushes",
        aiocop::delivery::flush,
    );
    // It returned at once, saying not everything was delivered (its own event is in delivery).
    assert_eq!(*flushed_inside.lock().unwrap(), Some(false));
    assert!(aiocop::unregister_slow_task_callback(handle));

    // --- A full queue drops events and counts them; the runtime never waits. ---
    let (entered_tx, entered_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let entered_tx = Mutex::new(Some(entered_tx));
    let release_rx = Mutex::new(release_rx);
    let stuck = aiocop::register_slow_task_callback(move |event| {
        if event.function().name() != "delivery_stuck" {
            return;
        }
        if let Some(entered) = entered_tx.lock().unwrap().take() {
            entered.send(()).unwrap();
            // Hold the delivery thread until the test lets go.
            let _ = release_rx.lock().unwrap().recv();
        }
    });
    let recorder = Recorder::new("delivery_stuck");
    assert_eq!(aiocop::delivery::dropped_deliveries(), 0);
    blocking_poll("delivery_stuck", 0);
    entered_rx.recv().unwrap();
    // The delivery thread is stuck in the callback: the queue fills up exactly.
    for i in 1..=aiocop::delivery::DELIVERY_QUEUE_CAPACITY {
        blocking_poll("delivery_stuck", i);
    }
    assert_eq!(aiocop::delivery::dropped_deliveries(), 0);
    for i in 0..5 {
        blocking_poll(
            "delivery_stuck",
            aiocop::delivery::DELIVERY_QUEUE_CAPACITY + 1 + i,
        );
    }
    assert_eq!(aiocop::delivery::dropped_deliveries(), 5);
    // Flushing with a timeout gives up instead of waiting for room in the queue.
    let delivered_in_time = returns_by_itself("flush_timeout with a full queue", || {
        aiocop::delivery::flush_timeout(Duration::from_millis(100))
    });
    assert!(!delivered_in_time);

    release_tx.send(()).unwrap();
    aiocop::delivery::flush();
    assert_eq!(
        recorder.len(),
        1 + aiocop::delivery::DELIVERY_QUEUE_CAPACITY
    );
    assert_eq!(aiocop::delivery::dropped_deliveries(), 5);
    assert!(aiocop::unregister_slow_task_callback(stuck));
}
