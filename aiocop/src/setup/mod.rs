//! Set-up: the reference's set-up functions (at the crate root) and the settings, limits and
//! queries a Rust service adds to them (here).
//!
//! The reference's four steps, in order: [`patch_audit_functions`], [`start_blocking_io_detection`],
//! [`detect_slow_tasks`], [`activate`]. Everything
//! else here is optional: the threshold, trace depth and event cap after start-up, where
//! callbacks run ([`Delivery`](crate::delivery::Delivery)), whether arguments are captured, and the whole set-up read from
//! the environment ([`Config`]).

use std::sync::atomic::{AtomicBool, Ordering};

use crate::callbacks::{CallbackHandle, register_slow_task_callback};
use crate::error::ConfigError;
use crate::event::SlowTaskEvent;
use crate::report;
use crate::settings::{
    self, ACTIVE, DETECTION_STARTED, SHIMS_PATCHED, THRESHOLD_NS, TRACE_DEPTH, is_active,
    threshold_ns, validate_trace_depth,
};

mod env;

pub use crate::request_sampling::Sampler;
pub use crate::settings::{
    DEFAULT_MAX_EVENTS_PER_POLL, DEFAULT_THRESHOLD_MS, MAX_EVENTS_PER_POLL_LIMIT, MAX_TRACE_DEPTH,
    are_audit_functions_patched, capture_arguments, max_events_per_poll, set_capture_arguments,
    set_max_events_per_poll, set_slow_task_threshold_ms, set_trace_depth, slow_task_threshold,
    trace_depth,
};
pub use env::{Config, EnvError};

static SLOW_TASKS_CONFIGURED: AtomicBool = AtomicBool::new(false);
static WARNED_PATCH: AtomicBool = AtomicBool::new(false);
static WARNED_DETECTION: AtomicBool = AtomicBool::new(false);
static WARNED_SLOW_TASKS: AtomicBool = AtomicBool::new(false);

/// Starts monitoring: from now on monitored polls are timed and blocking calls recorded.
///
/// Works without any other set-up (threshold 30 ms, no callbacks); call
/// [`patch_audit_functions`], [`start_blocking_io_detection`] and [`detect_slow_tasks`] first to
/// record blocking calls and receive events.
pub fn activate() {
    // Calibrating the clock takes a moment; do it here rather than in the first monitored poll.
    crate::clock::warm_up();
    // Likewise the delivery thread and the first stack walk (the unwinder's first look at the
    // loaded modules): here, not in the first poll that records, which would stall its runtime.
    if crate::delivery::deliver_in_background() {
        crate::delivery::start_early();
    }
    if settings::trace_depth() > 0 {
        crate::trace::warm_up();
    }
    ACTIVE.store(true, Ordering::Relaxed);
}

/// Pauses monitoring. Guards stay in place; a monitored poll then costs one atomic load.
pub fn deactivate() {
    ACTIVE.store(false, Ordering::Relaxed);
}

/// Whether monitoring is active.
pub fn is_monitoring_active() -> bool {
    is_active()
}

/// Turns on auditing in aiocop's std shims (`aiocop::shim::*`, which `#[aiocop::monitor]` routes
/// blocking std calls through). Before this call the shims only forward to std. With the
/// `intercept` feature it also switches on the interception of blocking libc calls
/// ([`intercept::enable`](crate::intercept::enable)), unless the environment variable
/// `AIOCOP_INTERCEPT` is `0`, `off`, `false` or `no`.
///
/// Idempotent: a repeated call changes nothing and warns once on stderr.
pub fn patch_audit_functions() {
    // With the `intercept` feature, this is also the step that switches interception on (unless
    // `AIOCOP_INTERCEPT` says off).
    #[cfg(feature = "intercept")]
    if crate::intercept::wanted_by_environment() {
        crate::intercept::enable();
    }
    if SHIMS_PATCHED.swap(true, Ordering::Relaxed) {
        report::warn_once(
            &WARNED_PATCH,
            format_args!("patch_audit_functions() called again; nothing changed"),
        );
    }
}

/// Starts recording blocking events into monitored polls, capturing `trace_depth` stack frames per
/// event (0: none; the entry point is still known from the call site).
///
/// Traces are captured unresolved and symbolized off the runtime's threads; with a depth above 0,
/// callbacks run on aiocop's delivery thread unless [`delivery::set_mode`](crate::delivery::set_mode) says otherwise.
///
/// Idempotent: a repeated call changes nothing (use [`set_trace_depth`] to change the depth) and
/// warns once on stderr if it asked for a different depth.
///
/// # Errors
/// [`ConfigError::TraceDepthTooLarge`] above [`MAX_TRACE_DEPTH`].
pub fn start_blocking_io_detection(trace_depth: usize) -> Result<(), ConfigError> {
    validate_trace_depth(trace_depth)?;
    if DETECTION_STARTED.swap(true, Ordering::Relaxed) {
        if trace_depth != settings::trace_depth() {
            report::warn_once(
                &WARNED_DETECTION,
                format_args!(
                    "start_blocking_io_detection({trace_depth}) called again; trace depth stays {} \
                     (use set_trace_depth to change it)",
                    settings::trace_depth()
                ),
            );
        }
        return Ok(());
    }
    TRACE_DEPTH.store(trace_depth, Ordering::Relaxed);
    Ok(())
}

/// Whether [`start_blocking_io_detection`] has been called.
pub fn is_blocking_io_detection_started() -> bool {
    DETECTION_STARTED.load(Ordering::Relaxed)
}

/// What [`detect_slow_tasks`] accepts as its callback: any `Fn(&SlowTaskEvent)` closure or
/// function that can run on another thread, or [`no_callback`] for none.
///
/// It is `Fn(&SlowTaskEvent)` itself (a supertrait), so a closure's argument type is inferred:
/// `detect_slow_tasks(30, |event| println!("{event}"))`.
pub trait OnSlowTask: Fn(&SlowTaskEvent) + Send + Sync + 'static {}

impl<F> OnSlowTask for F where F: Fn(&SlowTaskEvent) + Send + Sync + 'static {}

/// Pass to [`detect_slow_tasks`] to register no callback (the reference's `on_slow_task=None`);
/// callbacks can be added later with
/// [`register_slow_task_callback`](crate::register_slow_task_callback()).
pub fn no_callback(_: &SlowTaskEvent) {}

/// Whether `callback` is [`no_callback`].
fn is_no_callback<F: 'static>(_: &F) -> bool {
    fn type_of<T: 'static>(_: &T) -> std::any::TypeId {
        std::any::TypeId::of::<T>()
    }
    std::any::TypeId::of::<F>() == type_of(&no_callback)
}

/// Sets the slow-poll threshold and registers `on_slow_task` (pass [`no_callback`] for none).
///
/// A monitored poll produces a [`SlowTaskEvent`] when it recorded blocking events, or when it took
/// at least `threshold_ms` milliseconds.
///
/// It also starts the stall watchdog with its default settings (stack samples of slow polls,
/// reports of stuck ones), as the reference does, unless [`stop_cpu_sampling`] was called before
/// or [`start_cpu_sampling`] already started it; where the watchdog cannot run,
/// [`cpu_sampling_status`] says why and nothing fails.
///
/// [`stop_cpu_sampling`]: crate::watchdog::stop_cpu_sampling
/// [`start_cpu_sampling`]: crate::watchdog::start_cpu_sampling
/// [`cpu_sampling_status`]: crate::watchdog::cpu_sampling_status
///
/// Idempotent: a repeated call changes nothing, registers nothing and returns `Ok(None)`; it warns
/// once on stderr if it asked for something different. Change the threshold later with
/// [`set_slow_task_threshold_ms`] and add callbacks with
/// [`register_slow_task_callback`](crate::register_slow_task_callback()).
///
/// ```
/// let handle = aiocop::detect_slow_tasks(30, |event| {
///     println!("{event}");
/// })
/// .expect("valid threshold");
/// assert!(handle.is_some());
/// assert_eq!(aiocop::setup::slow_task_threshold().as_millis(), 30);
/// // A second call changes nothing.
/// assert_eq!(aiocop::detect_slow_tasks(30, aiocop::no_callback), Ok(None));
/// ```
///
/// # Errors
/// [`ConfigError::ZeroThreshold`] for 0, [`ConfigError::ThresholdTooLarge`] beyond `u64`
/// nanoseconds; nothing is changed or registered then.
pub fn detect_slow_tasks(
    threshold_ms: u64,
    on_slow_task: impl OnSlowTask,
) -> Result<Option<CallbackHandle>, ConfigError> {
    let threshold_ns = threshold_ns(threshold_ms)?;
    if SLOW_TASKS_CONFIGURED.swap(true, Ordering::Relaxed) {
        if threshold_ns != THRESHOLD_NS.load(Ordering::Relaxed) || !is_no_callback(&on_slow_task) {
            report::warn_once(
                &WARNED_SLOW_TASKS,
                format_args!(
                    "detect_slow_tasks() called again; the threshold stays {} ms and the callback \
                     was not registered (use set_slow_task_threshold_ms / \
                     register_slow_task_callback)",
                    slow_task_threshold().as_millis()
                ),
            );
        }
        return Ok(None);
    }
    THRESHOLD_NS.store(threshold_ns, Ordering::Relaxed);
    crate::watchdog::auto_start();
    if is_no_callback(&on_slow_task) {
        return Ok(None);
    }
    Ok(Some(register_slow_task_callback(on_slow_task)))
}

/// What `#[aiocop::test]` does before its runtime starts: the reference's steps with their
/// defaults (interception included, as `patch_audit_functions` decides), once per process, unless
/// monitoring is active already (the program set it up its own way, with its own callbacks).
#[cfg(feature = "runtime")]
pub(crate) fn for_tests() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if is_monitoring_active() {
            return;
        }
        patch_audit_functions();
        // Depth 0 and the default threshold are valid: these cannot fail.
        let _ = start_blocking_io_detection(0);
        let _ = detect_slow_tasks(DEFAULT_THRESHOLD_MS, no_callback);
        activate();
    });
}
