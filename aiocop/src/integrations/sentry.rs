//! [Sentry](::sentry_core) integration (feature `sentry`): high-severity slow tasks reported as
//! Sentry messages, as in the reference guide's "Sentry" section.
//!
//! Works with the `sentry` crate (it re-exports `sentry-core`, which this feature uses): initialise
//! Sentry as usual, then
//!
//! ```
//! use aiocop::integrations::sentry::SentryCallback;
//!
//! // Carries the request's hub (and its scope) from the polling thread to the callback.
//! aiocop::integrations::sentry::register_context_provider();
//! let handle = SentryCallback::new().register();
//! # aiocop::unregister_slow_task_callback(handle);
//! ```
//!
//! # What is sent
//!
//! For each accepted event (by default: severity high), in a scope pushed for the occasion:
//! - a message `High severity blocking I/O: 52.3ms` at level `warning`;
//! - tags `aiocop.severity_level`, `aiocop.reason`, `aiocop.function`;
//! - extras `elapsed_ms`, `threshold_ms`, `severity_score`, `blocking_events` (a list of
//!   `{event, entry_point, trace, severity}`), `context` (the event's context, opaque values left
//!   out), and `dropped_events` when calls were counted beyond the per-poll cap;
//! - one breadcrumb per blocking call: category `aiocop`, level `warning`, the call as message,
//!   `trace`, `severity` and `entry_point` as data;
//! - the fingerprint `["aiocop", reason, function]`, so Sentry groups reports by monitored
//!   function rather than by their ever-changing durations ([`SentryCallback::group_by_function`]
//!   turns that off).
//!
//! The hub is the one captured by [`hub_context`] under [`HUB_KEY`], else the callback thread's
//! current hub.

use std::sync::Arc;

use ::sentry_core::protocol::value::Map as JsonMap;
use ::sentry_core::protocol::{Breadcrumb, Level, Map, Value};
use ::sentry_core::types::Uuid;
use ::sentry_core::{Hub, Scope};

use super::{EventFilter, FunctionPath, capitalized};
use crate::callbacks::{CallbackHandle, register_slow_task_callback};
use crate::context::{self, Context, ContextValue, ProviderHandle};
use crate::event::{Reason, SlowTaskEvent};
use crate::severity::SeverityLevel;

/// Context key of the Sentry [`Hub`] captured by [`hub_context`].
pub const HUB_KEY: &str = "sentry.hub";
/// Category of the breadcrumbs, and first element of the fingerprint.
pub const CATEGORY: &str = "aiocop";

/// The current thread's Sentry hub as aiocop context, under [`HUB_KEY`]. A request bound to its
/// own hub (`sentry::SentryFutureExt::bind_hub`) is then reported with that hub's scope (user,
/// tags, transaction), even when the callback runs on aiocop's delivery thread.
pub fn hub_context() -> Context {
    let hub: Arc<dyn std::any::Any + Send + Sync> = Hub::current();
    Context::new().with(HUB_KEY, ContextValue::Any(hub))
}

/// Registers [`hub_context`] as a context provider.
pub fn register_context_provider() -> ProviderHandle {
    context::register_context_provider(hub_context)
}

/// A configurable slow-task callback that reports to Sentry.
///
/// Defaults follow the guide: only high severity, exceeded threshold or not, level `warning`,
/// breadcrumbs on; plus grouping by function.
#[derive(Debug, Clone)]
pub struct SentryCallback {
    filter: EventFilter,
    level: Level,
    breadcrumbs: bool,
    group_by_function: bool,
}

impl SentryCallback {
    /// The guide's behaviour; see the type's documentation.
    pub fn new() -> Self {
        Self {
            filter: EventFilter::new(false, SeverityLevel::High),
            level: Level::Warning,
            breadcrumbs: true,
            group_by_function: true,
        }
    }

    /// Reports tasks of at least this severity (default [`SeverityLevel::High`]).
    #[must_use]
    pub fn min_severity(mut self, severity: SeverityLevel) -> Self {
        self.filter.min_severity = severity;
        self
    }

    /// Whether only tasks that took at least the threshold are reported (default `false`).
    #[must_use]
    pub fn only_exceeded(mut self, only_exceeded: bool) -> Self {
        self.filter.only_exceeded = only_exceeded;
        self
    }

    /// The level of the messages (default [`Level::Warning`]).
    #[must_use]
    pub fn level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    /// Whether each blocking call becomes a breadcrumb (default `true`).
    #[must_use]
    pub fn breadcrumbs(mut self, enabled: bool) -> Self {
        self.breadcrumbs = enabled;
        self
    }

    /// Whether reports carry the fingerprint `["aiocop", reason, function]` (default `true`);
    /// `false` leaves grouping to Sentry.
    #[must_use]
    pub fn group_by_function(mut self, enabled: bool) -> Self {
        self.group_by_function = enabled;
        self
    }

    /// Reports `event` if the filters accept it, returning the Sentry event id (nil when no
    /// client is bound). For use from a callback of your own;
    /// [`into_callback`](Self::into_callback) calls this.
    pub fn capture(&self, event: &SlowTaskEvent) -> Option<Uuid> {
        if !self.filter.accepts(event) {
            return None;
        }
        let id = match event
            .context()
            .get(HUB_KEY)
            .and_then(ContextValue::downcast_ref::<Hub>)
        {
            Some(hub) => self.capture_with(hub, event),
            None => Hub::with(|hub| self.capture_with(hub, event)),
        };
        Some(id)
    }

    fn capture_with(&self, hub: &Hub, event: &SlowTaskEvent) -> Uuid {
        hub.with_scope(
            |scope| self.configure(scope, event),
            || {
                if self.breadcrumbs {
                    hub.add_breadcrumb(breadcrumbs(event));
                }
                hub.capture_message(&message(event), self.level)
            },
        )
    }

    fn configure(&self, scope: &mut Scope, event: &SlowTaskEvent) {
        let function = FunctionPath(event.function()).to_string();
        scope.set_tag("aiocop.severity_level", event.severity_level());
        scope.set_tag("aiocop.reason", event.reason());
        scope.set_tag("aiocop.function", &function);
        scope.set_extra("elapsed_ms", event.elapsed_ms().into());
        scope.set_extra("threshold_ms", event.threshold_ms().into());
        scope.set_extra("severity_score", event.severity_score().into());
        scope.set_extra("blocking_events", blocking_events(event));
        scope.set_extra("context", context_value(event.context()));
        if event.dropped_events() > 0 {
            scope.set_extra("dropped_events", event.dropped_events().into());
        }
        if self.group_by_function {
            scope.set_fingerprint(Some(&[CATEGORY, event.reason().as_str(), &function]));
        }
    }

    /// This configuration as a closure for
    /// [`register_slow_task_callback`].
    pub fn into_callback(self) -> impl Fn(&SlowTaskEvent) + Send + Sync + 'static {
        move |event| {
            self.capture(event);
        }
    }

    /// Registers this configuration as a slow-task callback.
    pub fn register(self) -> CallbackHandle {
        register_slow_task_callback(self.into_callback())
    }
}

impl Default for SentryCallback {
    fn default() -> Self {
        Self::new()
    }
}

/// Registers the slow-task callback with the guide's defaults ([`SentryCallback::new`]).
pub fn register() -> CallbackHandle {
    SentryCallback::new().register()
}

/// `High severity blocking I/O: 52.3ms`, or `Slow task (cpu_blocking): 52.3ms`.
fn message(event: &SlowTaskEvent) -> String {
    match event.reason() {
        Reason::IoBlocking => format!(
            "{} severity blocking I/O: {:.1}ms",
            capitalized(event.severity_level()),
            event.elapsed_ms()
        ),
        Reason::CpuBlocking => format!("Slow task (cpu_blocking): {:.1}ms", event.elapsed_ms()),
    }
}

fn blocking_events(event: &SlowTaskEvent) -> Value {
    event
        .blocking_events()
        .iter()
        .map(|e| {
            let mut item = JsonMap::new();
            item.insert("event".into(), e.event().into());
            item.insert("entry_point".into(), e.entry_point().into());
            item.insert("trace".into(), e.trace().resolve().into());
            item.insert("severity".into(), e.severity().into());
            if let Some(took) = e.duration() {
                item.insert("duration_ms".into(), (took.as_secs_f64() * 1e3).into());
            }
            Value::Object(item)
        })
        .collect()
}

fn breadcrumbs(event: &SlowTaskEvent) -> Vec<Breadcrumb> {
    event
        .blocking_events()
        .iter()
        .map(|e| {
            let mut data = Map::new();
            data.insert("trace".into(), e.trace().resolve().into());
            data.insert("severity".into(), e.severity().into());
            data.insert("entry_point".into(), e.entry_point().into());
            if let Some(took) = e.duration() {
                data.insert("duration_ms".into(), (took.as_secs_f64() * 1e3).into());
            }
            Breadcrumb {
                category: Some(CATEGORY.into()),
                message: Some(e.event().into()),
                level: Level::Warning,
                data,
                ..Breadcrumb::default()
            }
        })
        .collect()
}

fn context_value(ctx: &Context) -> Value {
    let mut map = JsonMap::new();
    for (key, value) in ctx.iter() {
        let value = match value {
            ContextValue::Str(v) => v.as_str().into(),
            ContextValue::I64(v) => (*v).into(),
            ContextValue::U64(v) => (*v).into(),
            ContextValue::F64(v) => (*v).into(),
            ContextValue::Bool(v) => (*v).into(),
            ContextValue::Any(_) => continue,
        };
        map.insert(key.to_owned(), value);
    }
    Value::Object(map)
}
