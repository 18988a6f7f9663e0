//! [OpenTelemetry](::opentelemetry) integration (feature `opentelemetry`): tags the span a slow
//! task ran in, the Rust form of the reference guide's "Datadog APM" section (Datadog, Honeycomb,
//! Jaeger and the rest take OpenTelemetry spans).
//!
//! ```
//! use aiocop::integrations::opentelemetry::OpenTelemetryCallback;
//!
//! // Carries the active OpenTelemetry context from the polling thread to the callback.
//! aiocop::integrations::opentelemetry::register_context_provider();
//! let handle = OpenTelemetryCallback::new().register();
//! # aiocop::unregister_slow_task_callback(handle);
//! ```
//!
//! # What is recorded
//!
//! On the span active while the slow poll ran, for each accepted event:
//!
//! | attribute | type | value |
//! |---|---|---|
//! | `aiocop.slow_task` | bool | `true` |
//! | `aiocop.severity_level` | string | `low`, `medium`, `high` |
//! | `aiocop.reason` | string | `io_blocking`, `cpu_blocking` |
//! | `aiocop.elapsed_ms` | f64 | the poll's duration |
//! | `aiocop.threshold_ms` | f64 | the threshold |
//! | `aiocop.severity_score` | i64 | the score |
//! | `aiocop.blocking_events_count` | i64 | number of blocking calls kept |
//! | `aiocop.blocking_events` | string | the first five calls, `"; "`-separated (only when there are some) |
//! | `aiocop.function` | string | `module::name` of the monitored function |
//!
//! A later slow poll in the same span overwrites these attributes, as the guide's tags do;
//! [`OpenTelemetryCallback::span_events`] also adds one span event per slow poll, so none is lost.
//!
//! The span is found in the event's context under [`CONTEXT_KEY`] (put there by
//! [`otel_context`]), else in the callback thread's current context, which is the poll's own
//! only when callbacks run inline. Attributes set after the span ended are dropped by the SDK, so
//! with background delivery call [`aiocop::delivery::flush`](crate::delivery::flush) before ending spans you want
//! complete (tests, shutdown).

use ::opentelemetry::trace::{SpanRef, TraceContextExt};
use ::opentelemetry::{Context as OtelContext, KeyValue};

use super::{EventFilter, FunctionPath, events_summary};
use crate::callbacks::{CallbackHandle, register_slow_task_callback};
use crate::context::{self, Context, ContextValue, ProviderHandle};
use crate::event::SlowTaskEvent;
use crate::severity::SeverityLevel;

/// Context key of the OpenTelemetry [`Context`](::opentelemetry::Context) captured by
/// [`otel_context`].
pub const CONTEXT_KEY: &str = "opentelemetry.context";
/// Name of the span event added by [`OpenTelemetryCallback::span_events`].
pub const SPAN_EVENT_NAME: &str = "aiocop.slow_task";
/// How many blocking calls `aiocop.blocking_events` lists by default, as in the guide.
pub const DEFAULT_SUMMARY_EVENTS: usize = 5;

/// The current OpenTelemetry context (and so its active span) as aiocop context, under
/// [`CONTEXT_KEY`]; empty when no span is active.
pub fn otel_context() -> Context {
    let current = OtelContext::current();
    if !current.has_active_span() {
        return Context::new();
    }
    Context::new().with(CONTEXT_KEY, ContextValue::any(current))
}

/// Registers [`otel_context`] as a context provider.
pub fn register_context_provider() -> ProviderHandle {
    context::register_context_provider(otel_context)
}

/// A configurable slow-task callback that tags OpenTelemetry spans.
///
/// Defaults follow the guide: only tasks that exceeded the threshold, five calls in the summary,
/// attributes only (no span events).
#[derive(Debug, Clone)]
pub struct OpenTelemetryCallback {
    filter: EventFilter,
    summary_events: usize,
    span_events: bool,
}

impl OpenTelemetryCallback {
    /// The guide's behaviour; see the type's documentation.
    pub fn new() -> Self {
        Self {
            filter: EventFilter::new(true, SeverityLevel::Low),
            summary_events: DEFAULT_SUMMARY_EVENTS,
            span_events: false,
        }
    }

    /// Whether only tasks that took at least the threshold are recorded (default `true`).
    #[must_use]
    pub fn only_exceeded(mut self, only_exceeded: bool) -> Self {
        self.filter.only_exceeded = only_exceeded;
        self
    }

    /// Records only tasks of at least this severity (default [`SeverityLevel::Low`]: all).
    #[must_use]
    pub fn min_severity(mut self, severity: SeverityLevel) -> Self {
        self.filter.min_severity = severity;
        self
    }

    /// How many blocking calls `aiocop.blocking_events` lists (default 5).
    #[must_use]
    pub fn summary_events(mut self, count: usize) -> Self {
        self.summary_events = count;
        self
    }

    /// Also adds a span event named [`SPAN_EVENT_NAME`] with the same attributes for every slow
    /// poll (default `false`).
    #[must_use]
    pub fn span_events(mut self, enabled: bool) -> Self {
        self.span_events = enabled;
        self
    }

    /// The attributes recorded for `event`, whatever the filters say.
    pub fn attributes(&self, event: &SlowTaskEvent) -> Vec<KeyValue> {
        let mut attributes = vec![
            KeyValue::new("aiocop.slow_task", true),
            KeyValue::new("aiocop.severity_level", event.severity_level().as_str()),
            KeyValue::new("aiocop.reason", event.reason().as_str()),
            KeyValue::new("aiocop.elapsed_ms", event.elapsed_ms()),
            KeyValue::new("aiocop.threshold_ms", event.threshold_ms()),
            KeyValue::new("aiocop.severity_score", i64::from(event.severity_score())),
            KeyValue::new(
                "aiocop.blocking_events_count",
                i64::try_from(event.blocking_events().len()).unwrap_or(i64::MAX),
            ),
            KeyValue::new(
                "aiocop.function",
                FunctionPath(event.function()).to_string(),
            ),
        ];
        if !event.blocking_events().is_empty() {
            attributes.push(KeyValue::new(
                "aiocop.blocking_events",
                events_summary(event.blocking_events(), self.summary_events),
            ));
        }
        attributes
    }

    /// Tags the span of `event` (see the module documentation); `true` if a recording span was
    /// found and tagged. For use from a callback of your own;
    /// [`into_callback`](Self::into_callback) calls this.
    pub fn record(&self, event: &SlowTaskEvent) -> bool {
        if !self.filter.accepts(event) {
            return false;
        }
        match event
            .context()
            .get(CONTEXT_KEY)
            .and_then(ContextValue::downcast_ref::<OtelContext>)
        {
            Some(cx) => self.tag(cx.span(), event),
            None => self.tag(OtelContext::current().span(), event),
        }
    }

    fn tag(&self, span: SpanRef<'_>, event: &SlowTaskEvent) -> bool {
        if !span.is_recording() {
            return false;
        }
        let attributes = self.attributes(event);
        if self.span_events {
            span.add_event(SPAN_EVENT_NAME, attributes.clone());
        }
        span.set_attributes(attributes);
        true
    }

    /// This configuration as a closure for
    /// [`register_slow_task_callback`].
    pub fn into_callback(self) -> impl Fn(&SlowTaskEvent) + Send + Sync + 'static {
        move |event| {
            self.record(event);
        }
    }

    /// Registers this configuration as a slow-task callback.
    pub fn register(self) -> CallbackHandle {
        register_slow_task_callback(self.into_callback())
    }
}

impl Default for OpenTelemetryCallback {
    fn default() -> Self {
        Self::new()
    }
}

/// Registers the slow-task callback with the guide's defaults ([`OpenTelemetryCallback::new`]).
pub fn register() -> CallbackHandle {
    OpenTelemetryCallback::new().register()
}
