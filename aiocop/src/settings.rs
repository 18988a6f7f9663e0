//! Process-wide settings: the bottom layer, read by every other.
//!
//! The set-up functions that change them together (the reference's `start_blocking_io_detection`,
//! `detect_slow_tasks`, `activate`) live in [`setup`](crate::setup); this module only holds the
//! values and their single-value setters. Every setting is an atomic read with `Relaxed` ordering on the hot path: settings are
//! independent values, and a poll that sees a change one poll late is fine.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use crate::error::ConfigError;

/// Default slow-poll threshold, as in the reference.
pub const DEFAULT_THRESHOLD_MS: u64 = 30;
/// Largest trace depth accepted by [`start_blocking_io_detection`](crate::start_blocking_io_detection) and [`set_trace_depth`].
pub const MAX_TRACE_DEPTH: usize = 256;
/// Default number of blocking events kept per poll; further events are counted, not stored.
pub const DEFAULT_MAX_EVENTS_PER_POLL: usize = 50;
/// Largest accepted value for [`set_max_events_per_poll`].
pub const MAX_EVENTS_PER_POLL_LIMIT: usize = 10_000;

pub(crate) static ACTIVE: AtomicBool = AtomicBool::new(false);
pub(crate) static THRESHOLD_NS: AtomicU64 = AtomicU64::new(DEFAULT_THRESHOLD_MS * 1_000_000);
pub(crate) static TRACE_DEPTH: AtomicUsize = AtomicUsize::new(0);
static MAX_EVENTS: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_EVENTS_PER_POLL);
pub(crate) static DETECTION_STARTED: AtomicBool = AtomicBool::new(false);
pub(crate) static SHIMS_PATCHED: AtomicBool = AtomicBool::new(false);
static CAPTURE_ARGUMENTS: AtomicBool = AtomicBool::new(true);

/// Whether monitoring is active: the one load every monitored poll pays.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn is_active() -> bool {
    ACTIVE.load(Ordering::Relaxed)
}

/// Whether [`patch_audit_functions`](crate::patch_audit_functions) has been called.
#[inline]
pub fn are_audit_functions_patched() -> bool {
    SHIMS_PATCHED.load(Ordering::Relaxed)
}

pub(crate) fn validate_trace_depth(depth: usize) -> Result<(), ConfigError> {
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
pub fn trace_depth() -> usize {
    TRACE_DEPTH.load(Ordering::Relaxed)
}

pub(crate) fn threshold_ns(threshold_ms: u64) -> Result<u64, ConfigError> {
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
/// As [`detect_slow_tasks`](crate::detect_slow_tasks).
pub fn set_slow_task_threshold_ms(threshold_ms: u64) -> Result<(), ConfigError> {
    THRESHOLD_NS.store(threshold_ns(threshold_ms)?, Ordering::Relaxed);
    Ok(())
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
/// [`SlowTaskEvent::dropped_events`](crate::SlowTaskEvent::dropped_events) and still add to the severity score.
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

/// Whether direct `audit` calls record (after [`start_blocking_io_detection`](crate::start_blocking_io_detection)).
#[inline]
pub(crate) fn detection_started() -> bool {
    DETECTION_STARTED.load(Ordering::Relaxed)
}
