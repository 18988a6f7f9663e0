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
//! let (text, events) = aiocop::events::collect_events(load("Cargo.toml".as_ref())).await;
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
//!
//! ## The crate's layout
//!
//! The root holds the reference's API, under its names, and the core types. The rest is grouped by
//! what it is for:
//!
//! - [`setup`]: settings, limits and queries beyond the reference's four set-up steps, and
//!   [`setup::Config`] (the whole set-up from the environment).
//! - [`delivery`]: where callbacks run, waiting for queued events, what was not delivered.
//! - [`strict`]: strict mode beyond the reference's switches (rules, defaults, guards).
//! - [`watchdog`]: stack samples of slow polls and reports of stuck ones.
//! - [`events`]: the parts of an event beyond [`SlowTaskEvent`] and [`BlockingEventInfo`], and
//!   [`events::collect_events`] for tests.
//! - [`functions`]: the monitored and blocking functions of the program.
//! - [`operations`]: what counts as a blocking operation and its weight.
//! - [`shim`]: drop-in std calls; with features, `tower` (the tower layer), `runtime` (worker
//!   threads watched on stable tokio, and a strict test runtime), `runtime_hooks` (tokio's task
//!   hooks) and `integrations` (tracing, metrics, OpenTelemetry and Sentry).
//!
//! `aiocop/ARCHITECTURE.md` (in the repository) draws how the modules depend on each other.

// Layers, lowest first (see ARCHITECTURE.md): settings and plumbing; descriptors; events; sinks;
// emission; the scope; recording; guards; set-up.
mod clock;
#[cfg(any(feature = "runtime", feature = "tracing-polls"))]
mod coop;
mod error;
mod fork;
#[cfg(any(
    feature = "tower",
    feature = "tracing-polls",
    all(feature = "tokio-hooks", tokio_unstable)
))]
mod intern;
mod isolate;
mod registry;
mod repeats;
mod report;
mod settings;
mod stack;
mod suppress;
mod text;

pub mod functions;
mod weights;

mod context;
mod event;
mod origin;
mod severity;
mod trace;

mod callbacks;
mod collect;
pub mod delivery;
pub mod strict;
pub mod watchdog;

mod emit;
mod scope;

mod audit;
pub mod intercept;
#[doc(hidden)]
pub mod probe;
mod record;
pub mod shim;

mod monitor;
#[cfg(feature = "runtime")]
pub mod runtime;
#[cfg(all(feature = "tokio-hooks", tokio_unstable))]
pub mod runtime_hooks;
#[cfg(feature = "tower")]
pub mod tower;

#[cfg(any(
    feature = "tracing",
    feature = "metrics",
    feature = "opentelemetry",
    feature = "sentry"
))]
pub mod integrations;
mod request_sampling;
pub mod setup;

#[cfg(test)]
mod layering;
#[cfg(test)]
mod unsafe_tests;

pub use aiocop_macros::{allow_blocking, blocking, monitor, test};

// The reference's set-up.
pub use setup::{
    OnSlowTask, activate, deactivate, detect_slow_tasks, is_monitoring_active, no_callback,
    patch_audit_functions, start_blocking_io_detection,
};
// The reference's callbacks and context providers.
pub use callbacks::{
    CallbackHandle, clear_slow_task_callbacks, register_slow_task_callback,
    unregister_slow_task_callback,
};
pub use context::{
    Context, ContextValue, ProviderHandle, clear_context_providers, register_context_provider,
    unregister_context_provider,
};
// The reference's raise-on-violations controls.
pub use strict::{
    HighSeverityBlockingIo, disable_raise_on_violations, enable_raise_on_violations,
    is_raise_on_violations_enabled, raise_on_violations,
};
// The reference's utilities and weights.
pub use audit::audit;
pub use event::{calculate_io_severity_score, format_blocking_event};
pub use scope::reset_blocking_events;
pub use severity::{
    WEIGHT_HEAVY, WEIGHT_LIGHT, WEIGHT_MODERATE, WEIGHT_TRIVIAL, get_severity_level_from_score,
};
pub use weights::{get_blocking_events_dict, get_patched_functions};
// The core types.
pub use error::ConfigError;
pub use event::{BlockingEventInfo, Reason, SlowTaskEvent};
pub use monitor::{FutureExt, Monitored, monitored};
pub use severity::SeverityLevel;

/// The parts of an event beyond [`SlowTaskEvent`] and [`BlockingEventInfo`]: stack traces, the
/// watchdog's stack samples, the severity thresholds, and [`collect_events`](crate::events::collect_events) to get a future's
/// events back in a test.
pub mod events {
    pub use crate::collect::{CollectEvents, collect_events};
    pub use crate::event::CpuStackSample;
    pub use crate::repeats::{PER_SECOND as REPEATS_PER_SECOND, held_back as repeats_held_back};
    pub use crate::severity::{THRESHOLD_HIGH, THRESHOLD_LOW, THRESHOLD_MEDIUM};
    pub use crate::trace::Trace;
}

/// What counts as a blocking operation: the weights of names beyond the built-in catalog
/// (registered or overridden at start-up), and how much of a call's arguments an event shows.
pub mod operations {
    pub use crate::record::is_auditing;
    pub use crate::text::MAX_ARGUMENT_CHARS;
    pub use crate::weights::{
        MAX_EVENT_WEIGHT, clear_weight_overrides, override_weight, register_blocking_event,
    };
}

/// Not public API: used by the code the macros generate.
#[doc(hidden)]
pub mod __private {
    pub use crate::functions::{BlockingFunction, FunctionInfo, MonitorOptions, MonitoredFunction};
    pub use crate::monitor::Monitored;
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

    /// The runtime a `#[aiocop::test]` asked for.
    pub enum TestFlavor {
        /// `flavor = "current_thread"` (the default).
        CurrentThread,
        /// `flavor = "multi_thread"`, with `worker_threads` if given.
        MultiThread(Option<usize>),
    }

    /// Runs a test's body as `#[aiocop::test]` does: on a strict runtime (see
    /// `aiocop::runtime::run_strict`), monitoring set up first if the program has not.
    pub fn run_test<T, F, R>(flavor: R, body: F) -> T
    where
        F: core::future::Future<Output = T>,
        R: RuntimeFeature,
    {
        flavor.run_test(body)
    }

    /// What `#[aiocop::test]` needs of aiocop: its `runtime` feature.
    #[diagnostic::on_unimplemented(
        message = "`#[aiocop::test]` needs aiocop's `runtime` feature",
        label = "the strict test runtime is in `aiocop::runtime`",
        note = "enable it: `aiocop = {{ version = \"...\", features = [\"runtime\"] }}` (in \
                `[dev-dependencies]` for tests only)"
    )]
    pub trait RuntimeFeature {
        /// Runs `body` on a strict runtime of this flavor.
        fn run_test<T, F: core::future::Future<Output = T>>(self, body: F) -> T;
    }

    #[cfg(feature = "runtime")]
    impl RuntimeFeature for TestFlavor {
        fn run_test<T, F: core::future::Future<Output = T>>(self, body: F) -> T {
            let mut builder = match self {
                TestFlavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
                TestFlavor::MultiThread(workers) => {
                    let mut builder = tokio::runtime::Builder::new_multi_thread();
                    if let Some(workers) = workers {
                        builder.worker_threads(workers);
                    }
                    builder
                }
            };
            builder.enable_all();
            crate::setup::for_tests();
            crate::runtime::run_strict(&mut builder, body)
        }
    }

    /// `!`, where stable Rust does not let it be written (`impl Future<Output = !>`, a `let`
    /// type): for `async fn f() -> !`.
    pub type Never = <fn() -> ! as FnOutput>::Output;
}
