//! `clear_slow_task_callbacks` and `clear_context_providers`: they remove everything registered,
//! and registration works again afterwards.
//!
//! One test, run in a process of its own (`own_process!`): clearing is process-wide.

use crate::core_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aiocop::{Context, FutureExt, WEIGHT_LIGHT};
use core_support::QUIET_THRESHOLD_MS;

#[test]
fn clearing_removes_every_callback_and_provider() {
    aiocop_tests::own_process!("clearing_removes_every_callback_and_provider");
    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(0).unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let provided = Arc::new(AtomicUsize::new(0));
    let counting_callback = || {
        let calls = calls.clone();
        move |_: &aiocop::SlowTaskEvent| {
            calls.fetch_add(1, Ordering::SeqCst);
        }
    };
    let counting_provider = || {
        let provided = provided.clone();
        move || {
            provided.fetch_add(1, Ordering::SeqCst);
            Context::new().with("clear_key", "present")
        }
    };
    let first = aiocop::detect_slow_tasks(QUIET_THRESHOLD_MS, counting_callback())
        .unwrap()
        .unwrap();
    let second = aiocop::register_slow_task_callback(counting_callback());
    let provider_a = aiocop::register_context_provider(counting_provider());
    let provider_b = aiocop::register_context_provider(counting_provider());
    aiocop::activate();

    let rt = core_support::current_thread();
    let blocking_poll = || {
        rt.block_on(aiocop::events::collect_events(
            async {
                aiocop::audit("std::fs::read", WEIGHT_LIGHT, &[]);
            }
            .monitored_as("clear_poll"),
        ))
        .1
    };

    let events = blocking_poll();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert!(provided.load(Ordering::SeqCst) >= 2);
    assert_eq!(events[0].context().get_str("clear_key"), Some("present"));

    aiocop::clear_slow_task_callbacks();
    aiocop::clear_context_providers();
    let provided_before = provided.load(Ordering::SeqCst);
    let events = blocking_poll();
    // Collected, but no callback ran and no provider was asked.
    assert_eq!(events.len(), 1);
    assert!(events[0].context().is_empty());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(provided.load(Ordering::SeqCst), provided_before);
    // The old handles are gone.
    assert!(!aiocop::unregister_slow_task_callback(first));
    assert!(!aiocop::unregister_slow_task_callback(second));
    assert!(!aiocop::unregister_context_provider(provider_a));
    assert!(!aiocop::unregister_context_provider(provider_b));

    // Registering again works, with fresh handles.
    let third = aiocop::register_slow_task_callback(counting_callback());
    assert!(third != first && third != second);
    let provider_c = aiocop::register_context_provider(counting_provider());
    let events = blocking_poll();
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(events[0].context().get_str("clear_key"), Some("present"));
    assert!(aiocop::unregister_slow_task_callback(third));
    assert!(aiocop::unregister_context_provider(provider_c));
}
