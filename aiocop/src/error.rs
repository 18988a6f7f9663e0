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
    /// Trace depth above [`MAX_TRACE_DEPTH`](crate::setup::MAX_TRACE_DEPTH).
    TraceDepthTooLarge {
        /// The requested depth.
        requested: usize,
        /// The largest accepted depth.
        max: usize,
    },
    /// A per-poll event cap of zero or above
    /// [`MAX_EVENTS_PER_POLL_LIMIT`](crate::setup::MAX_EVENTS_PER_POLL_LIMIT).
    InvalidEventCap {
        /// The requested cap.
        requested: usize,
        /// The largest accepted cap.
        max: usize,
    },
    /// An empty event name, or one with whitespace or control characters.
    InvalidEventName {
        /// The rejected name.
        name: String,
    },
    /// An event weight above [`MAX_EVENT_WEIGHT`](crate::operations::MAX_EVENT_WEIGHT).
    WeightTooLarge {
        /// The requested weight.
        weight: u32,
        /// The largest accepted weight.
        max: u32,
    },
    /// [`register_blocking_event`](crate::operations::register_blocking_event) of a name the catalog already
    /// has (use [`override_weight`](crate::operations::override_weight) to change its weight).
    EventInCatalog {
        /// The name.
        name: String,
    },
    /// [`register_blocking_event`](crate::operations::register_blocking_event) of a name already registered
    /// with another weight (use [`override_weight`](crate::operations::override_weight) to change it).
    EventAlreadyRegistered {
        /// The name.
        name: String,
        /// The weight it is registered with.
        weight: u32,
    },
    /// [`override_weight`](crate::operations::override_weight) of a name that is neither in the catalog nor
    /// registered.
    UnknownEvent {
        /// The name.
        name: String,
    },
    /// A sample rate outside 0..=1, or not a number ([`Sampler`](crate::setup::Sampler)).
    InvalidSampleRate {
        /// The rejected rate, as text (it may be NaN).
        rate: String,
    },
    /// A [`CpuSampling`](crate::watchdog::CpuSampling) setting out of range.
    InvalidCpuSampling {
        /// The setting.
        setting: &'static str,
        /// The rejected value.
        value: String,
        /// What is accepted.
        expected: String,
    },
    /// The stall watchdog cannot sample stacks here (platform, signals, threads).
    CpuSamplingUnavailable {
        /// Why.
        reason: String,
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
            ConfigError::InvalidEventName { name } => write!(
                f,
                "invalid blocking event name {name:?}: it must be non-empty, without whitespace \
                 or control characters"
            ),
            ConfigError::WeightTooLarge { weight, max } => {
                write!(f, "event weight {weight} is above the limit of {max}")
            }
            ConfigError::EventInCatalog { name } => write!(
                f,
                "{name} is already in aiocop's catalog; use override_weight to change its weight"
            ),
            ConfigError::EventAlreadyRegistered { name, weight } => write!(
                f,
                "{name} is already registered with weight {weight}; use override_weight to \
                 change it"
            ),
            ConfigError::UnknownEvent { name } => write!(
                f,
                "{name} is neither in aiocop's catalog nor registered; register it with \
                 register_blocking_event"
            ),
            ConfigError::InvalidSampleRate { rate } => {
                write!(f, "sample rate must be between 0 and 1 (got {rate})")
            }
            ConfigError::InvalidCpuSampling {
                setting,
                value,
                expected,
            } => write!(f, "CPU sampling {setting} must be {expected} (got {value})"),
            ConfigError::CpuSamplingUnavailable { reason } => {
                write!(f, "CPU sampling is unavailable: {reason}")
            }
        }
    }
}

impl std::error::Error for ConfigError {}
