//! Errors returned by set-up functions.

use std::fmt;

/// An invalid setting passed to a set-up function. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A slow-poll threshold of zero would report every poll.
    ZeroThreshold,
    /// A threshold too large to represent in nanoseconds.
    ThresholdTooLarge {
        /// The requested threshold in milliseconds.
        threshold_ms: u64,
    },
    /// Trace depth above [`MAX_TRACE_DEPTH`](crate::MAX_TRACE_DEPTH).
    TraceDepthTooLarge {
        /// The requested depth.
        requested: usize,
        /// The largest accepted depth.
        max: usize,
    },
    /// A per-poll event cap of zero or above
    /// [`MAX_EVENTS_PER_POLL_LIMIT`](crate::MAX_EVENTS_PER_POLL_LIMIT).
    InvalidEventCap {
        /// The requested cap.
        requested: usize,
        /// The largest accepted cap.
        max: usize,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::ZeroThreshold => {
                f.write_str("slow-task threshold must be at least 1 ms (got 0)")
            }
            ConfigError::ThresholdTooLarge { threshold_ms } => {
                write!(f, "slow-task threshold of {threshold_ms} ms is too large")
            }
            ConfigError::TraceDepthTooLarge { requested, max } => {
                write!(
                    f,
                    "trace depth {requested} is above the limit of {max} frames"
                )
            }
            ConfigError::InvalidEventCap { requested, max } => write!(
                f,
                "events kept per poll must be between 1 and {max} (got {requested})"
            ),
        }
    }
}

impl std::error::Error for ConfigError {}
