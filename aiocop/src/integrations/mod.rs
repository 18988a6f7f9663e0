//! Ready-made callbacks and context providers for observability tools, each in a module behind
//! the cargo feature of the same name:
//!
//! | feature (and module) | what it does |
//! |---|---|
//! | `tracing` | one structured `tracing` event per slow task, at a level chosen by severity; a context provider for the current span and its `request_id`; a layer monitoring each poll of instrumented futures with no annotation |
//! | `metrics` | the Prometheus-style counter and histograms of the reference's guide, through the `metrics` facade |
//! | `opentelemetry` | `aiocop.*` attributes on the active OpenTelemetry span |
//! | `sentry` | high-severity slow tasks reported as Sentry messages with tags, extras and breadcrumbs |
//!
//! Every integration offers a builder (`TracingCallback`, `MetricsCallback`,
//! `OpenTelemetryCallback`, `SentryCallback`) with the reference's behaviour as defaults, whose
//! `into_callback()` gives a closure for [`register_slow_task_callback`](crate::register_slow_task_callback)
//! and whose `register()` does that in one call. Callbacks combine: register several, or call
//! each builder's recording method from one closure of your own.
//!
//! Context providers matter when callbacks run on aiocop's delivery thread (trace depth above 0,
//! see [`Delivery`](crate::delivery::Delivery)): the provider captures the current span, OpenTelemetry
//! context or Sentry hub on the polling thread, and the callback reaches it through the event's
//! context wherever it runs.

use std::fmt;

use crate::event::SlowTaskEvent;
use crate::functions::FunctionInfo;
use crate::severity::SeverityLevel;

#[cfg(feature = "metrics")]
pub mod metrics;
#[cfg(feature = "opentelemetry")]
pub mod opentelemetry;
#[cfg(feature = "sentry")]
pub mod sentry;
#[cfg(feature = "tracing")]
pub mod tracing;

/// Which events an integration acts on: the two filters the reference's guide uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EventFilter {
    only_exceeded: bool,
    min_severity: SeverityLevel,
}

impl EventFilter {
    const fn new(only_exceeded: bool, min_severity: SeverityLevel) -> Self {
        Self {
            only_exceeded,
            min_severity,
        }
    }

    fn accepts(&self, event: &SlowTaskEvent) -> bool {
        (!self.only_exceeded || event.exceeded_threshold())
            && event.severity_level() >= self.min_severity
    }
}

/// `module::name`, or the bare name when the module is unknown.
struct FunctionPath<'a>(&'a FunctionInfo);

impl fmt::Display for FunctionPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.0.module_path().is_empty() {
            write!(f, "{}::", self.0.module_path())?;
        }
        f.write_str(self.0.name())
    }
}

/// The first `max` blocking events' texts joined by `"; "`, as the guide's Datadog span tag.
#[cfg(feature = "opentelemetry")]
fn events_summary(events: &[crate::BlockingEventInfo], max: usize) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for (i, e) in events.iter().take(max).enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        out.push_str(e.event());
    }
    if events.len() > max {
        let _ = write!(out, "; ... ({} more)", events.len() - max);
    }
    out
}

/// The first letter upper-cased: `"high"` → `"High"`, for messages that read like the guide's.
#[cfg(any(feature = "tracing", feature = "sentry"))]
fn capitalized(level: SeverityLevel) -> &'static str {
    match level {
        SeverityLevel::Low => "Low",
        SeverityLevel::Medium => "Medium",
        SeverityLevel::High => "High",
    }
}
