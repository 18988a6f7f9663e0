//! # aiocop: find the calls that freeze your async runtime
//!
//! An async service stalls when one poll runs too long: a `std::fs::read`, a `thread::sleep`, a
//! DNS lookup or plain CPU work inside an `async fn` holds a runtime worker, and every task queued
//! behind it waits. aiocop times each poll of the futures you monitor, records the blocking calls
//! made during it, and hands one [`SlowTaskEvent`] per offending poll to your callbacks: which
//! call blocked, where, for how long, in which request, and how bad it is.
//!
//! This is the Rust port of the Python library of the same name; its function names are kept so
//! its guides translate line by line.
//!
//! ```
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! aiocop::patch_audit_functions();
//! aiocop::start_blocking_io_detection(0).unwrap();
//! aiocop::detect_slow_tasks(10, |event: &aiocop::SlowTaskEvent| {
//!     println!("SLOW TASK DETECTED: {:.1}ms", event.elapsed_ms());
//!     for e in event.blocking_events() {
//!         println!("  - {} at {}", e.event(), e.entry_point());
//!     }
//! })
//! .unwrap();
//! aiocop::activate();
//!
//! aiocop::monitored(async {
//!     // A blocking call, announced to aiocop (the shims and `#[aiocop::monitor]` do this for std).
//!     aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"15ms"]);
//!     std::thread::sleep(Duration::from_millis(15));
//!     tokio::time::sleep(Duration::from_millis(1)).await;
//! })
//! .await;
//! # }
//! ```
//!
//! ## Annotating functions
//!
//! ```
//! use std::io::Read;
//!
//! #[aiocop::monitor]
//! async fn load(path: &std::path::Path) -> std::io::Result<String> {
//!     let mut text = String::new();
//!     std::fs::File::open(path)?.read_to_string(&mut text)?; // recorded: blocking std calls
//!     let bytes = tokio::fs::read(path).await?; // not recorded: async
//!     assert_eq!(bytes.len(), text.len());
//!     Ok(text)
//! }
//!
//! #[aiocop::blocking(weight = heavy)]
//! fn legacy_query(sql: &str) -> usize {
//!     sql.len() // every call records `rust_out::legacy_query`
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! aiocop::patch_audit_functions();
//! aiocop::start_blocking_io_detection(0).unwrap();
//! aiocop::activate();
//! let (text, events) = aiocop::collect_events(load("Cargo.toml".as_ref())).await;
//! assert!(text.unwrap().contains("[package]"));
//! let recorded: Vec<&str> = events[0].blocking_events().iter().map(|e| e.operation()).collect();
//! assert_eq!(recorded, ["std::fs::File::open", "std::fs::File::read_to_string"]);
//! # let _ = legacy_query("SELECT 1");
//! # }
//! ```
//!
//! ## How it works
//!
//! 1. A [`Monitored`] future (from `#[aiocop::monitor]`, [`monitored()`], [`monitored!`] or
//!    [`FutureExt::monitored`]) checks one relaxed atomic per poll; inactive, that is all.
//! 2. Active, the outermost monitored poll on a thread opens a scope and starts a clock.
//! 3. Blocking calls inside the poll call [`audit`] (directly, or through aiocop's std shims),
//!    which records the operation, its arguments, the call site and optionally a stack trace.
//! 4. When the poll returns, a poll that recorded blocking calls, or took at least the threshold,
//!    becomes a [`SlowTaskEvent`] with a severity score, context from your providers, and is
//!    handed to the callbacks. In strict mode a high-severity poll then panics.
#![warn(missing_docs)]

mod audit;
mod blocking_events;
mod blocking_fn;
mod callbacks;
mod clock;
mod collect;
mod config;
mod context;
mod dispatch;
mod env_config;
mod error;
mod event;
mod fork;
#[cfg(any(
    feature = "tracing",
    feature = "metrics",
    feature = "opentelemetry",
    feature = "sentry"
))]
pub mod integrations;
pub mod intercept;
#[cfg(any(feature = "tower", all(feature = "tokio-hooks", tokio_unstable)))]
mod intern;
mod isolate;
mod monitor;
#[doc(hidden)]
pub mod probe;
mod registry;
mod report;
#[cfg(all(feature = "tokio-hooks", tokio_unstable))]
pub mod runtime_hooks;
mod sampler;
mod scope;
mod severity;
pub mod shim;
mod static_list;
mod strict;
mod suppress;
#[cfg(feature = "tower")]
pub mod tower;
mod trace;
#[cfg(test)]
mod unsafe_tests;
mod watchdog;

pub use aiocop_macros::{allow_blocking, blocking, monitor};
pub use audit::{MAX_ARGUMENT_CHARS, audit, is_auditing};
pub use blocking_events::{
    MAX_EVENT_WEIGHT, clear_weight_overrides, get_blocking_events_dict, get_patched_functions,
    override_weight, register_blocking_event,
};
pub use blocking_fn::{BlockingFunction, blocking_functions};
pub use callbacks::{
    CallbackHandle, clear_slow_task_callbacks, register_slow_task_callback,
    unregister_slow_task_callback,
};
pub use collect::{CollectEvents, collect_events};
pub use config::{
    DEFAULT_MAX_EVENTS_PER_POLL, DEFAULT_THRESHOLD_MS, Delivery, MAX_EVENTS_PER_POLL_LIMIT,
    MAX_TRACE_DEPTH, OnSlowTask, activate, are_audit_functions_patched, capture_arguments,
    deactivate, delivery, detect_slow_tasks, get_slow_task_threshold_ms, get_trace_depth,
    is_blocking_io_detection_started, is_monitoring_active, max_events_per_poll, no_callback,
    patch_audit_functions, set_capture_arguments, set_delivery, set_max_events_per_poll,
    set_slow_task_threshold_ms, set_trace_depth, slow_task_threshold, start_blocking_io_detection,
};
pub use context::{
    Context, ContextValue, ProviderHandle, clear_context_providers, register_context_provider,
    unregister_context_provider,
};
pub use dispatch::{
    DELIVERY_QUEUE_CAPACITY, EXIT_FLUSH_TIMEOUT, dropped_deliveries, flush, flush_timeout,
    reentrant_events,
};
pub use env_config::{Config, EnvError};
pub use error::ConfigError;
pub use event::{
    BlockingEventInfo, CpuStackSample, RawBlockingEvent, Reason, SlowTaskEvent,
    format_blocking_event,
};
pub use monitor::{
    FunctionInfo, FutureExt, MonitorOptions, Monitored, MonitoredFunction, monitored,
    monitored_functions,
};
pub use sampler::Sampler;
pub use scope::reset_blocking_events;
pub use severity::{
    SeverityLevel, THRESHOLD_HIGH, THRESHOLD_LOW, THRESHOLD_MEDIUM, WEIGHT_HEAVY, WEIGHT_LIGHT,
    WEIGHT_MODERATE, WEIGHT_TRIVIAL, calculate_io_severity_score, get_severity_level_from_score,
};
pub use strict::{
    HighSeverityBlockingIo, RaiseOnViolations, RaiseOnViolationsGuard, ViolationRule,
    disable_raise_on_violations, enable_raise_on_violations, is_raise_on_violations_enabled,
    raise_on_violations, raise_on_violations_guard, set_raise_on_violations_default,
    set_violation_rule, violation_rule,
};
pub use trace::Trace;
pub use watchdog::{
    CpuSampling, CpuSamplingStatus, EffectiveCpuSampling, MAX_SAMPLES_PER_POLL, StuckPoll,
    StuckPollHandle, clear_stuck_poll_callbacks, cpu_sampling_status, effective_cpu_sampling,
    is_cpu_sampling_started, register_stuck_poll_callback, start_cpu_sampling, stop_cpu_sampling,
    unregister_stuck_poll_callback,
};

/// Not public API: used by the code the macros generate.
#[doc(hidden)]
pub mod __private {
    pub use crate::blocking_fn::BlockingFunction;
    pub use crate::probe;
    pub use crate::suppress::{AllowBlocking, AllowBlockingGuard};
    pub use inventory;

    /// `f`, run as code allowed to block: how `#[aiocop::monitor]` wraps the closure of a
    /// `block_in_place` call, which runs on the polling thread inside the poll's scope.
    pub fn may_block<R>(f: impl FnOnce() -> R) -> impl FnOnce() -> R {
        move || {
            let _allowed = AllowBlockingGuard::new();
            f()
        }
    }

    /// The output type of a function type: how [`Never`] names `!` on stable Rust.
    pub trait FnOutput {
        /// What the function returns.
        type Output;
    }

    impl<T> FnOutput for fn() -> T {
        type Output = T;
    }

    /// `[signals requested, signals that came after their poll ended, system calls a signal ended
    /// with EINTR]` by the stall watchdog since the process started (aiocop's own tests measure
    /// them; the last should stay 0).
    pub fn watchdog_signal_counters() -> [u64; 3] {
        crate::watchdog::signal_counters()
    }

    /// `!`, where stable Rust does not let it be written (`impl Future<Output = !>`, a `let`
    /// type): for `async fn f() -> !`.
    pub type Never = <fn() -> ! as FnOutput>::Output;
}
