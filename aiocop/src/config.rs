//! Process-wide settings and the set-up functions of the reference.
//!
//! Every setting is an atomic read with `Relaxed` ordering on the hot path: settings are
//! independent values, and a poll that sees a change one poll late is fine.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use crate::callbacks::{CallbackHandle, register_slow_task_callback};
use crate::error::ConfigError;
use crate::event::SlowTaskEvent;
use crate::report;

/// Default slow-poll threshold, as in the reference.
pub const DEFAULT_THRESHOLD_MS: u64 = 30;
/// Largest trace depth accepted by [`start_blocking_io_detection`] and [`set_trace_depth`].
pub const MAX_TRACE_DEPTH: usize = 256;
/// Default number of blocking events kept per poll; further events are counted, not stored.
pub const DEFAULT_MAX_EVENTS_PER_POLL: usize = 50;
/// Largest accepted value for [`set_max_events_per_poll`].
pub const MAX_EVENTS_PER_POLL_LIMIT: usize = 10_000;

static ACTIVE: AtomicBool = AtomicBool::new(false);
static THRESHOLD_NS: AtomicU64 = AtomicU64::new(DEFAULT_THRESHOLD_MS * 1_000_000);
static TRACE_DEPTH: AtomicUsize = AtomicUsize::new(0);
static MAX_EVENTS: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_EVENTS_PER_POLL);
static DETECTION_STARTED: AtomicBool = AtomicBool::new(false);
static SHIMS_PATCHED: AtomicBool = AtomicBool::new(false);
static CAPTURE_ARGUMENTS: AtomicBool = AtomicBool::new(true);
static DELIVERY: AtomicU8 = AtomicU8::new(Delivery::Auto as u8);

static SLOW_TASKS_CONFIGURED: AtomicBool = AtomicBool::new(false);
static WARNED_PATCH: AtomicBool = AtomicBool::new(false);
static WARNED_DETECTION: AtomicBool = AtomicBool::new(false);
static WARNED_SLOW_TASKS: AtomicBool = AtomicBool::new(false);

/// Whether monitoring is active: the one load every monitored poll pays.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn is_active() -> bool {
    ACTIVE.load(Ordering::Relaxed)
}

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
    if deliver_in_background() {
        crate::dispatch::start_early();
    }
    if get_trace_depth() > 0 {
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

/// Whether [`patch_audit_functions`] has been called.
#[inline]
pub fn are_audit_functions_patched() -> bool {
    SHIMS_PATCHED.load(Ordering::Relaxed)
}

/// Starts recording blocking events into monitored polls, capturing `trace_depth` stack frames per
/// event (0: none; the entry point is still known from the call site).
///
/// Traces are captured unresolved and symbolized off the runtime's threads; with a depth above 0,
/// callbacks run on aiocop's delivery thread unless [`set_delivery`] says otherwise.
///
/// Idempotent: a repeated call changes nothing (use [`set_trace_depth`] to change the depth) and
/// warns once on stderr if it asked for a different depth.
///
/// # Errors
/// [`ConfigError::TraceDepthTooLarge`] above [`MAX_TRACE_DEPTH`].
pub fn start_blocking_io_detection(trace_depth: usize) -> Result<(), ConfigError> {
    validate_trace_depth(trace_depth)?;
    if DETECTION_STARTED.swap(true, Ordering::Relaxed) {
        if trace_depth != get_trace_depth() {
            report::warn_once(
                &WARNED_DETECTION,
                format_args!(
                    "start_blocking_io_detection({trace_depth}) called again; trace depth stays {} \
                     (use set_trace_depth to change it)",
                    get_trace_depth()
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

fn validate_trace_depth(depth: usize) -> Result<(), ConfigError> {
    if depth > MAX_TRACE_DEPTH {
        return Err(ConfigError::TraceDepthTooLarge {
            requested: depth,
            max: MAX_TRACE_DEPTH,
        });
    }
    Ok(())
}

/// Changes the number of stack frames captured per blocking event.
///
/// # Errors
/// [`ConfigError::TraceDepthTooLarge`] above [`MAX_TRACE_DEPTH`].
pub fn set_trace_depth(trace_depth: usize) -> Result<(), ConfigError> {
    validate_trace_depth(trace_depth)?;
    TRACE_DEPTH.store(trace_depth, Ordering::Relaxed);
    Ok(())
}

/// The number of stack frames captured per blocking event.
pub fn get_trace_depth() -> usize {
    TRACE_DEPTH.load(Ordering::Relaxed)
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
/// [`register_slow_task_callback`](crate::register_slow_task_callback).
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
/// [`stop_cpu_sampling`]: crate::stop_cpu_sampling
/// [`start_cpu_sampling`]: crate::start_cpu_sampling
/// [`cpu_sampling_status`]: crate::cpu_sampling_status
///
/// Idempotent: a repeated call changes nothing, registers nothing and returns `Ok(None)`; it warns
/// once on stderr if it asked for something different. Change the threshold later with
/// [`set_slow_task_threshold_ms`] and add callbacks with
/// [`register_slow_task_callback`](crate::register_slow_task_callback).
///
/// ```
/// let handle = aiocop::detect_slow_tasks(30, |event| {
///     println!("{event}");
/// })
/// .expect("valid threshold");
/// assert!(handle.is_some());
/// assert_eq!(aiocop::get_slow_task_threshold_ms(), 30);
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
                    get_slow_task_threshold_ms()
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

fn threshold_ns(threshold_ms: u64) -> Result<u64, ConfigError> {
    if threshold_ms == 0 {
        return Err(ConfigError::ZeroThreshold);
    }
    threshold_ms
        .checked_mul(1_000_000)
        .ok_or(ConfigError::ThresholdTooLarge { threshold_ms })
}

/// Changes the global slow-poll threshold.
///
/// # Errors
/// As [`detect_slow_tasks`].
pub fn set_slow_task_threshold_ms(threshold_ms: u64) -> Result<(), ConfigError> {
    THRESHOLD_NS.store(threshold_ns(threshold_ms)?, Ordering::Relaxed);
    Ok(())
}

/// The global slow-poll threshold in milliseconds.
pub fn get_slow_task_threshold_ms() -> u64 {
    THRESHOLD_NS.load(Ordering::Relaxed) / 1_000_000
}

/// The global slow-poll threshold.
#[inline]
pub fn slow_task_threshold() -> Duration {
    Duration::from_nanos(THRESHOLD_NS.load(Ordering::Relaxed))
}

#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn slow_task_threshold_ns() -> u64 {
    THRESHOLD_NS.load(Ordering::Relaxed)
}

/// Sets how many blocking events one poll keeps (default 50); the rest are counted in
/// [`SlowTaskEvent::dropped_events`] and still add to the severity score.
///
/// # Errors
/// [`ConfigError::InvalidEventCap`] for 0 or above [`MAX_EVENTS_PER_POLL_LIMIT`].
pub fn set_max_events_per_poll(max: usize) -> Result<(), ConfigError> {
    if max == 0 || max > MAX_EVENTS_PER_POLL_LIMIT {
        return Err(ConfigError::InvalidEventCap {
            requested: max,
            max: MAX_EVENTS_PER_POLL_LIMIT,
        });
    }
    MAX_EVENTS.store(max, Ordering::Relaxed);
    Ok(())
}

/// How many blocking events one poll keeps.
#[inline]
pub fn max_events_per_poll() -> usize {
    MAX_EVENTS.load(Ordering::Relaxed)
}

/// Whether blocking events carry their arguments (paths, addresses, durations). Switch off where
/// those may be personal data: events then name the operation only.
pub fn set_capture_arguments(capture: bool) {
    CAPTURE_ARGUMENTS.store(capture, Ordering::Relaxed);
}

/// Whether blocking events carry their arguments.
#[inline]
pub fn capture_arguments() -> bool {
    CAPTURE_ARGUMENTS.load(Ordering::Relaxed)
}

/// Where callbacks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum Delivery {
    /// [`Background`](Delivery::Background) when traces are captured (trace depth above 0, so
    /// symbolization stays off the runtime's threads), [`Inline`](Delivery::Inline) otherwise.
    /// (The stall watchdog's stack samples are symbolized on its own thread.)
    #[default]
    Auto = 0,
    /// On the thread that polled the task, right after the poll, as in the reference.
    /// Deterministic; callbacks must be fast. Reading a trace there symbolizes on that thread.
    Inline = 1,
    /// On aiocop's delivery thread, through a bounded queue, after traces are symbolized.
    /// Use [`flush`](crate::flush) to wait for queued events (in tests, at shutdown).
    Background = 2,
}

/// Chooses where callbacks run.
pub fn set_delivery(delivery: Delivery) {
    DELIVERY.store(delivery as u8, Ordering::Relaxed);
}

/// Where callbacks run, as set (see [`Delivery::Auto`]).
pub fn delivery() -> Delivery {
    match DELIVERY.load(Ordering::Relaxed) {
        1 => Delivery::Inline,
        2 => Delivery::Background,
        _ => Delivery::Auto,
    }
}

/// Whether the next event goes to the delivery thread.
pub(crate) fn deliver_in_background() -> bool {
    match delivery() {
        Delivery::Inline => false,
        Delivery::Background => true,
        Delivery::Auto => get_trace_depth() > 0,
    }
}

/// Whether direct `audit` calls record (after [`start_blocking_io_detection`]).
#[inline]
pub(crate) fn detection_started() -> bool {
    DETECTION_STARTED.load(Ordering::Relaxed)
}
