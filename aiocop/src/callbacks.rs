//! Slow-task callbacks: registration through handles and isolated invocation.

use std::sync::Arc;

use crate::event::SlowTaskEvent;
use crate::registry::Registry;

type CallbackFn = dyn Fn(&SlowTaskEvent) + Send + Sync;

static CALLBACKS: Registry<CallbackFn> = Registry::new();

/// Identifies a registered callback; pass it to [`unregister_slow_task_callback`].
///
/// Closures have no identity in Rust, so the handle plays the part of the function object the
/// reference unregisters by. Every registration gets a fresh handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallbackHandle(u64);

/// Registers a callback invoked with every [`SlowTaskEvent`].
///
/// Callbacks run in registration order, on the thread [`delivery`](crate::delivery) says: with
/// the default ([`Delivery::Auto`](crate::delivery::Delivery::Auto)), on aiocop's own delivery thread
/// ("aiocop-delivery") when traces are captured (the trace depth given to
/// [`start_blocking_io_detection`](crate::start_blocking_io_detection) is above 0), so that
/// symbolizing never happens on a runtime worker; on the thread that polled the task, right after
/// the poll, when the trace depth is 0. Inline callbacks must be fast and non-blocking;
/// background ones may be slower, and [`flush`](crate::delivery::flush) waits for them.
///
/// A callback that panics is reported in one line on stderr (at most one such line a second; the
/// panic hook's usual report is left out for it); the others still run, and neither the monitored
/// task nor the delivery thread sees the panic. Events raised by monitored code that a callback
/// polls itself are not delivered (see [`reentrant_events`](crate::delivery::reentrant_events)).
///
/// ```
/// let handle = aiocop::register_slow_task_callback(|event| {
///     eprintln!("{} took {:.1} ms", event.function().name(), event.elapsed_ms());
/// });
/// assert!(aiocop::unregister_slow_task_callback(handle));
/// assert!(!aiocop::unregister_slow_task_callback(handle));
/// ```
pub fn register_slow_task_callback<F>(callback: F) -> CallbackHandle
where
    F: Fn(&SlowTaskEvent) + Send + Sync + 'static,
{
    CallbackHandle(CALLBACKS.insert(Arc::new(callback)))
}

/// Removes a callback; `false` if the handle was not (or no longer) registered.
pub fn unregister_slow_task_callback(handle: CallbackHandle) -> bool {
    CALLBACKS.remove(handle.0)
}

/// Removes every callback.
pub fn clear_slow_task_callbacks() {
    CALLBACKS.clear();
}

/// Calls every registered callback with `event`, each isolated from the others' panics.
pub(crate) fn invoke(event: &SlowTaskEvent) {
    CALLBACKS.call_each("slow-task callback", |callback| callback(event));
}

/// Joins the fork handler: the registry's lock is held across a fork.
pub(crate) fn join_fork() {
    crate::fork::join(
        crate::fork::Rank::Callbacks,
        crate::fork::Participant::lock(|| CALLBACKS.hold()),
    );
}
