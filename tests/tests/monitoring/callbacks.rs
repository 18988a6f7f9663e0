//! Slow-task callbacks: handles, order, isolation from each other's panics and from the task, and
//! inline delivery on the polling thread.
//!
//! Global settings: trace depth 0, inline delivery, a 60 s global threshold. Callbacks are
//! process-wide, so every callback here acts only on events of its own test's function names.

use crate::core_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aiocop::{FutureExt, WEIGHT_HEAVY, WEIGHT_LIGHT};
use aiocop_tests::setup;
use core_support::Recorder;

async fn blocking_poll(name: &'static str) {
    async {
        aiocop::audit("std::thread::sleep", WEIGHT_HEAVY, &[&name]);
    }
    .monitored_as(name)
    .await;
}

/// Counts the events of function `name`.
fn counter(name: &'static str) -> (Arc<AtomicUsize>, aiocop::CallbackHandle) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let handle = aiocop::register_slow_task_callback(move |event| {
        if event.function().name() == name {
            seen.fetch_add(1, Ordering::SeqCst);
        }
    });
    (count, handle)
}

#[tokio::test]
async fn inline_callbacks_run_on_the_polling_thread_right_after_the_poll() {
    setup();
    assert_eq!(aiocop::delivery::mode(), aiocop::delivery::Delivery::Auto);
    let recorder = Recorder::new("callbacks_inline");
    let this_thread = std::thread::current().name().map(str::to_owned);
    async {
        aiocop::audit("inline_op", WEIGHT_LIGHT, &[]);
        tokio::task::yield_now().await;
        // The first poll's event was delivered before this second poll began.
        assert_eq!(recorder.len(), 1);
        aiocop::audit("inline_op", WEIGHT_LIGHT, &[]);
    }
    .monitored_as("callbacks_inline")
    .await;
    let delivered = recorder.delivered();
    assert_eq!(delivered.len(), 2);
    assert!(delivered.iter().all(|d| d.thread == this_thread));
}

#[tokio::test]
async fn handles_unregister_exactly_their_callback() {
    setup();
    let (a, handle_a) = counter("callbacks_handles");
    let (b, handle_b) = counter("callbacks_handles");
    assert_ne!(handle_a, handle_b);
    blocking_poll("callbacks_handles").await;
    assert_eq!((a.load(Ordering::SeqCst), b.load(Ordering::SeqCst)), (1, 1));

    assert!(aiocop::unregister_slow_task_callback(handle_a));
    assert!(!aiocop::unregister_slow_task_callback(handle_a));
    blocking_poll("callbacks_handles").await;
    assert_eq!((a.load(Ordering::SeqCst), b.load(Ordering::SeqCst)), (1, 2));

    assert!(aiocop::unregister_slow_task_callback(handle_b));
    blocking_poll("callbacks_handles").await;
    assert_eq!((a.load(Ordering::SeqCst), b.load(Ordering::SeqCst)), (1, 2));
}

#[tokio::test]
async fn the_same_closure_registered_twice_runs_twice_under_two_handles() {
    setup();
    let count = Arc::new(AtomicUsize::new(0));
    let callback = {
        let count = count.clone();
        move |event: &aiocop::SlowTaskEvent| {
            if event.function().name() == "callbacks_twice" {
                count.fetch_add(1, Ordering::SeqCst);
            }
        }
    };
    let first = aiocop::register_slow_task_callback(callback.clone());
    let second = aiocop::register_slow_task_callback(callback);
    assert_ne!(first, second);
    blocking_poll("callbacks_twice").await;
    assert_eq!(count.load(Ordering::SeqCst), 2);
    assert!(aiocop::unregister_slow_task_callback(first));
    blocking_poll("callbacks_twice").await;
    assert_eq!(count.load(Ordering::SeqCst), 3);
    assert!(aiocop::unregister_slow_task_callback(second));
}

#[tokio::test]
async fn callbacks_run_in_registration_order() {
    setup();
    let order = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = (1..=4)
        .map(|id| {
            let order = order.clone();
            aiocop::register_slow_task_callback(move |event| {
                if event.function().name() == "callbacks_order" {
                    order.lock().unwrap().push(id);
                }
            })
        })
        .collect();
    blocking_poll("callbacks_order").await;
    blocking_poll("callbacks_order").await;
    assert_eq!(*order.lock().unwrap(), [1, 2, 3, 4, 1, 2, 3, 4]);
    for handle in handles {
        assert!(aiocop::unregister_slow_task_callback(handle));
    }
}

#[tokio::test]
async fn a_panicking_callback_does_not_stop_the_others_or_reach_the_task() {
    setup();
    let (before, before_handle) = counter("callbacks_panic");
    let panics = Arc::new(AtomicUsize::new(0));
    let panicking = {
        let panics = panics.clone();
        aiocop::register_slow_task_callback(move |event| {
            if event.function().name() == "callbacks_panic" {
                panics.fetch_add(1, Ordering::SeqCst);
                panic!("a buggy callback");
            }
        })
    };
    let (after, after_handle) = counter("callbacks_panic");

    let output = async {
        aiocop::audit("std::thread::sleep", WEIGHT_HEAVY, &[]);
        tokio::task::yield_now().await;
        aiocop::audit("std::thread::sleep", WEIGHT_HEAVY, &[]);
        "the task finished"
    }
    .monitored_as("callbacks_panic")
    .await;
    assert_eq!(output, "the task finished");
    // Both polls were delivered to every callback, the panicking one included (it stays).
    assert_eq!(before.load(Ordering::SeqCst), 2);
    assert_eq!(panics.load(Ordering::SeqCst), 2);
    assert_eq!(after.load(Ordering::SeqCst), 2);
    for handle in [before_handle, panicking, after_handle] {
        assert!(aiocop::unregister_slow_task_callback(handle));
    }
}

#[test]
fn a_panicking_callback_does_not_fail_tasks_on_a_multi_thread_runtime() {
    setup();
    let panicking = aiocop::register_slow_task_callback(|event| {
        if event.function().name() == "callbacks_panic_mt" {
            panic!("a buggy callback");
        }
    });
    let recorder = Recorder::new("callbacks_panic_mt");
    let rt = core_support::multi_thread(2);
    rt.block_on(async {
        let handles: Vec<_> = (0..32)
            .map(|i| {
                tokio::spawn(async move {
                    blocking_poll("callbacks_panic_mt").await;
                    i
                })
            })
            .collect();
        for (i, handle) in handles.into_iter().enumerate() {
            assert_eq!(handle.await.expect("no task saw the callback's panic"), i);
        }
    });
    assert_eq!(recorder.len(), 32);
    assert!(aiocop::unregister_slow_task_callback(panicking));
}

#[tokio::test]
async fn callbacks_may_register_and_unregister_callbacks() {
    setup();
    let late = Arc::new(Mutex::new(None));
    let late_count = Arc::new(AtomicUsize::new(0));
    let registering = {
        let late = late.clone();
        let late_count = late_count.clone();
        aiocop::register_slow_task_callback(move |event| {
            if event.function().name() != "callbacks_reentrant" {
                return;
            }
            let mut late = late.lock().unwrap();
            match late.take() {
                None => {
                    let late_count = late_count.clone();
                    *late = Some(aiocop::register_slow_task_callback(move |event| {
                        if event.function().name() == "callbacks_reentrant" {
                            late_count.fetch_add(1, Ordering::SeqCst);
                        }
                    }));
                }
                Some(handle) => {
                    assert!(aiocop::unregister_slow_task_callback(handle));
                }
            }
        })
    };
    // 1st event registers the late callback (which does not see this event: the list was taken
    // before), 2nd event reaches it and then unregisters it, 3rd registers it again.
    blocking_poll("callbacks_reentrant").await;
    assert_eq!(late_count.load(Ordering::SeqCst), 0);
    blocking_poll("callbacks_reentrant").await;
    assert_eq!(late_count.load(Ordering::SeqCst), 1);
    blocking_poll("callbacks_reentrant").await;
    assert_eq!(late_count.load(Ordering::SeqCst), 1);
    assert!(aiocop::unregister_slow_task_callback(registering));
    if let Some(handle) = late.lock().unwrap().take() {
        assert!(aiocop::unregister_slow_task_callback(handle));
    }
}

#[tokio::test]
async fn callbacks_run_outside_the_monitored_poll() {
    setup();
    let inside = Arc::new(Mutex::new(Vec::new()));
    let handle = {
        let inside = inside.clone();
        aiocop::register_slow_task_callback(move |event| {
            if event.function().name() == "callbacks_outside" {
                // A callback's own blocking calls are not the task's.
                inside
                    .lock()
                    .unwrap()
                    .push(aiocop::operations::is_auditing());
                aiocop::audit("callback_op", WEIGHT_HEAVY, &[]);
            }
        })
    };
    let ((), events) = aiocop::events::collect_events(async {
        blocking_poll("callbacks_outside").await;
        blocking_poll("callbacks_outside").await;
    })
    .await;
    assert_eq!(*inside.lock().unwrap(), [false, false]);
    assert_eq!(events.len(), 2);
    assert!(
        events
            .iter()
            .all(|e| e.blocking_events().len() == 1 && e.severity_score() == WEIGHT_HEAVY)
    );
    assert!(aiocop::unregister_slow_task_callback(handle));
}
