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
/// Callbacks run in registration order. By default they run on the thread that polled the task,
/// right after the poll (keep them fast and non-blocking); see
/// [`set_delivery`](crate::set_delivery) to run them on aiocop's own thread instead. A callback that
/// panics is reported on stderr; the others still run and the monitored task never sees it.
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
