//! [`tracing`] integration (feature `tracing`): each slow task as one structured event,
//! the current span as context, and (`PollLayer`, feature `tracing-polls`) instrumented futures'
//! polls monitored with no annotation.
//!
//! The Rust form of the reference's "Structured Logging" section:
//!
//! ```
//! use aiocop::integrations::tracing::{SpanFieldsLayer, TracingCallback};
//! use tracing_subscriber::layer::SubscriberExt;
//!
//! let subscriber = tracing_subscriber::registry()
//!     // Remembers each span's `request_id` field for the context provider.
//!     .with(SpanFieldsLayer::new());
//! # let _ = subscriber;
//! // ... .with(tracing_subscriber::fmt::layer().json()), then install the subscriber.
//!
//! aiocop::integrations::tracing::register_context_provider();
//! let handle = TracingCallback::new().register();
//! # aiocop::unregister_slow_task_callback(handle);
//! ```
//!
//! # What is emitted
//!
//! One event with target `"aiocop"` per accepted [`SlowTaskEvent`], with the fields
//! `elapsed_ms`, `threshold_ms`, `exceeded_threshold`, `severity_score`, `severity_level`, `reason`,
//! `function` (`module::name`), `blocking_events_count`, `blocking_events` (`event at entry_point`
//! items joined by `"; "`), `dropped_events`, `hottest_stack` (when the stall watchdog sampled the
//! poll: the entry point of its most frequent stack sample, with `n/total` samples), `request_id`
//! (when the context has one) and `context` (the event's context as a map, opaque values left
//! out). Its level follows the
//! severity: high → `ERROR`, medium → `WARN`, low → `INFO` (see [`TracingCallback::level_for`]).
//! Each blocking event is also emitted on its own at `DEBUG`, with `event`, `entry_point`,
//! `severity` and `trace` (when traces are captured; see
//! [`TracingCallback::blocking_event_level`]).
//!
//! # Span context
//!
//! [`span_context`] (registered by [`register_context_provider`]) captures, on the polling thread,
//! the current span's id and name, the fields recorded by [`SpanFieldsLayer`] on that span or its
//! parents, and the span itself. The callback re-enters that span to emit, so the event is
//! attributed to the request's span even when aiocop delivers it from its own thread. Instrument
//! the *monitored* future (`aiocop::monitored(fut).instrument(span)`), so the span is current
//! during the whole monitored poll.

use std::fmt;
use std::sync::Arc;

use ::tracing::field::{Field, Visit};
use ::tracing::span::{Attributes, Id, Record};
use ::tracing::{Level, Span, Subscriber};
use tracing_subscriber::Registry;
use tracing_subscriber::layer::{Context as LayerContext, Layer};
use tracing_subscriber::registry::LookupSpan;

use super::{EventFilter, FunctionPath, capitalized};

#[cfg(feature = "tracing-polls")]
mod polls;
use crate::callbacks::{CallbackHandle, register_slow_task_callback};
use crate::context::{self, Context, ContextValue, ProviderHandle};
use crate::event::{BlockingEventInfo, Reason, SlowTaskEvent};
use crate::severity::SeverityLevel;
#[cfg(feature = "tracing-polls")]
pub use polls::PollLayer;

/// Target of the events [`TracingCallback`] emits; filter on it (`aiocop=warn`).
pub const TARGET: &str = "aiocop";
/// Context key of the current span's id (a `u64`), set by [`span_context`].
pub const SPAN_ID_KEY: &str = "span_id";
/// Context key of the current span's name, set by [`span_context`].
pub const SPAN_NAME_KEY: &str = "span_name";
/// Context key of the current [`Span`] itself (an opaque value), set by [`span_context`].
pub const SPAN_KEY: &str = "tracing.span";
/// Context key the callback copies into its `request_id` field.
pub const REQUEST_ID_KEY: &str = "request_id";
/// The span fields [`SpanFieldsLayer::new`] remembers.
pub const DEFAULT_SPAN_FIELDS: &[&str] = &[REQUEST_ID_KEY];

/// Calls `$emit!(Level::X)` for the runtime level `$level`.
macro_rules! dispatch_level {
    ($level:expr, $emit:ident) => {{
        let level = $level;
        if level == Level::ERROR {
            $emit!(Level::ERROR)
        } else if level == Level::WARN {
            $emit!(Level::WARN)
        } else if level == Level::INFO {
            $emit!(Level::INFO)
        } else if level == Level::DEBUG {
            $emit!(Level::DEBUG)
        } else {
            $emit!(Level::TRACE)
        }
    }};
}

/// A configurable slow-task callback that emits [`tracing`] events.
///
/// Defaults follow the reference's guide: only tasks that exceeded the threshold, high → `ERROR`,
/// medium → `WARN`, low → `INFO`, each blocking event at `DEBUG`.
///
/// ```
/// use aiocop::SeverityLevel;
/// use aiocop::integrations::tracing::TracingCallback;
/// use tracing::Level;
///
/// let callback = TracingCallback::new()
///     .level_for(SeverityLevel::Low, Level::DEBUG)
///     .only_exceeded(false)
///     .into_callback();
/// let handle = aiocop::register_slow_task_callback(callback);
/// # aiocop::unregister_slow_task_callback(handle);
/// ```
#[derive(Debug, Clone)]
pub struct TracingCallback {
    /// Indexed by [`level_index`].
    levels: [Level; 3],
    filter: EventFilter,
    blocking_event_level: Option<Level>,
}

const fn level_index(level: SeverityLevel) -> usize {
    match level {
        SeverityLevel::Low => 0,
        SeverityLevel::Medium => 1,
        SeverityLevel::High => 2,
    }
}

impl TracingCallback {
    /// The guide's behaviour; see the type's documentation.
    pub fn new() -> Self {
        Self {
            levels: [Level::INFO, Level::WARN, Level::ERROR],
            filter: EventFilter::new(true, SeverityLevel::Low),
            blocking_event_level: Some(Level::DEBUG),
        }
    }

    /// Emits tasks of `severity` at `level`.
    #[must_use]
    pub fn level_for(mut self, severity: SeverityLevel, level: Level) -> Self {
        self.levels[level_index(severity)] = level;
        self
    }

    /// Whether only tasks that took at least the threshold are emitted (default `true`, as in the
    /// guide). `false` also emits quick polls that recorded blocking calls.
    #[must_use]
    pub fn only_exceeded(mut self, only_exceeded: bool) -> Self {
        self.filter.only_exceeded = only_exceeded;
        self
    }

    /// Emits only tasks of at least this severity (default [`SeverityLevel::Low`]: all).
    #[must_use]
    pub fn min_severity(mut self, severity: SeverityLevel) -> Self {
        self.filter.min_severity = severity;
        self
    }

    /// The level of the per-blocking-event events (default `DEBUG`); `None` emits none.
    #[must_use]
    pub fn blocking_event_level(mut self, level: Option<Level>) -> Self {
        self.blocking_event_level = level;
        self
    }

    /// The level `event` would be emitted at, `None` when the filters reject it.
    pub fn level_of(&self, event: &SlowTaskEvent) -> Option<Level> {
        self.filter
            .accepts(event)
            .then(|| self.levels[level_index(event.severity_level())])
    }

    /// Emits `event` now, inside the span captured by [`span_context`] if there is one (and to
    /// that span's subscriber), else to this thread's subscriber. For use from a callback of your
    /// own; [`into_callback`](Self::into_callback) calls this.
    pub fn emit(&self, event: &SlowTaskEvent) {
        let Some(level) = self.level_of(event) else {
            return;
        };
        let span = event
            .context()
            .get(SPAN_KEY)
            .and_then(ContextValue::downcast_ref::<Span>);
        // The span's own subscriber, which is not this thread's default when aiocop delivers
        // from its own thread and the request ran under a scoped (`set_default`) subscriber.
        let dispatch = span.and_then(|s| s.with_subscriber(|(_, dispatch)| dispatch.clone()));
        match (span, dispatch) {
            (Some(span), Some(dispatch)) => ::tracing::dispatcher::with_default(&dispatch, || {
                span.in_scope(|| self.emit_in_span(level, event))
            }),
            _ => self.emit_in_span(level, event),
        }
    }

    fn emit_in_span(&self, level: Level, event: &SlowTaskEvent) {
        let message = Headline(event);
        let function = FunctionPath(event.function());
        let blocking_events = BlockingEvents(event.blocking_events());
        let context = event.context();
        let request_id = context
            .get(REQUEST_ID_KEY)
            .filter(|v| !matches!(v, ContextValue::Any(_)))
            .map(::tracing::field::display);
        let context = ScalarContext(context);
        let hottest_stack = event.cpu_stack_samples().first().map(|top| {
            let total: usize = event.cpu_stack_samples().iter().map(|s| s.count()).sum();
            ::tracing::field::display(format!("{} ({}/{total})", top.entry_point(), top.count()))
        });
        // `tracing` needs a constant level per call site, hence one call site per level.
        macro_rules! emit_at {
            ($level:expr) => {
                ::tracing::event!(
                    target: TARGET,
                    $level,
                    elapsed_ms = event.elapsed_ms(),
                    threshold_ms = event.threshold_ms(),
                    exceeded_threshold = event.exceeded_threshold(),
                    severity_score = event.severity_score(),
                    severity_level = event.severity_level().as_str(),
                    reason = event.reason().as_str(),
                    function = %function,
                    blocking_events_count = event.blocking_events().len(),
                    blocking_events = %blocking_events,
                    dropped_events = event.dropped_events(),
                    hottest_stack,
                    request_id,
                    context = %context,
                    "{message}"
                )
            };
        }
        dispatch_level!(level, emit_at);
        if let Some(level) = self.blocking_event_level {
            for e in event.blocking_events() {
                emit_blocking_event(level, e);
            }
        }
    }

    /// This configuration as a closure for
    /// [`register_slow_task_callback`].
    pub fn into_callback(self) -> impl Fn(&SlowTaskEvent) + Send + Sync + 'static {
        move |event| self.emit(event)
    }

    /// Registers this configuration as a slow-task callback.
    pub fn register(self) -> CallbackHandle {
        register_slow_task_callback(self.into_callback())
    }
}

impl Default for TracingCallback {
    fn default() -> Self {
        Self::new()
    }
}

fn emit_blocking_event(level: Level, e: &BlockingEventInfo) {
    // Empty at trace depth 0: left out rather than recorded as "".
    let trace = (!e.trace().is_empty()).then(|| ::tracing::field::display(e.trace()));
    // Known for intercepted calls only: left out otherwise.
    let duration_ms = e.duration().map(|d| d.as_secs_f64() * 1e3);
    macro_rules! emit_at {
        ($level:expr) => {
            ::tracing::event!(
                target: TARGET,
                $level,
                event = e.event(),
                entry_point = e.entry_point(),
                severity = e.severity(),
                duration_ms,
                trace,
                "Blocking event"
            )
        };
    }
    dispatch_level!(level, emit_at);
}

/// Registers the slow-task callback with the guide's defaults ([`TracingCallback::new`]).
pub fn register() -> CallbackHandle {
    TracingCallback::new().register()
}

/// The message of the slow-task event: `High severity blocking I/O detected`, or
/// `Slow task detected (cpu_blocking)`.
struct Headline<'a>(&'a SlowTaskEvent);

impl fmt::Display for Headline<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.reason() {
            Reason::IoBlocking => write!(
                f,
                "{} severity blocking I/O detected",
                capitalized(self.0.severity_level())
            ),
            Reason::CpuBlocking => f.write_str("Slow task detected (cpu_blocking)"),
        }
    }
}

/// `event at entry_point; event at entry_point`.
struct BlockingEvents<'a>(&'a [BlockingEventInfo]);

impl fmt::Display for BlockingEvents<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{} at {}", e.event(), e.entry_point())?;
        }
        Ok(())
    }
}

/// The context as `{"key": value, ...}`, opaque values (spans, hubs) left out.
struct ScalarContext<'a>(&'a Context);

impl fmt::Display for ScalarContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.0
                    .iter()
                    .filter(|(_, v)| !matches!(v, ContextValue::Any(_))),
            )
            .finish()
    }
}

/// The current span as context: its id ([`SPAN_ID_KEY`]), name ([`SPAN_NAME_KEY`]), the span
/// itself ([`SPAN_KEY`]), and every field [`SpanFieldsLayer`] remembered on it or its parents
/// (the innermost span's value wins), such as `request_id`.
///
/// Empty outside any span. Fields are found when the subscriber is built on
/// `tracing_subscriber`'s [`Registry`] (as `tracing_subscriber::registry()` and
/// `tracing_subscriber::fmt()` are) with a [`SpanFieldsLayer`]; the id, name and span do not need
/// the layer.
///
/// ```
/// use aiocop::integrations::tracing::{SpanFieldsLayer, span_context};
/// use tracing_subscriber::layer::SubscriberExt;
///
/// let subscriber = tracing_subscriber::registry().with(SpanFieldsLayer::new());
/// tracing::subscriber::with_default(subscriber, || {
///     let span = tracing::info_span!("request", request_id = "req-7");
///     let _entered = span.enter();
///     let ctx = span_context();
///     assert_eq!(ctx.get_str("request_id"), Some("req-7"));
///     assert_eq!(ctx.get_str("span_name"), Some("request"));
/// });
/// ```
pub fn span_context() -> Context {
    let span = Span::current();
    let mut ctx = Context::new();
    let Some(meta) = span.metadata() else {
        return ctx;
    };
    ctx.insert(SPAN_NAME_KEY, meta.name());
    span.with_subscriber(|(id, dispatch)| {
        ctx.insert(SPAN_ID_KEY, id.into_u64());
        let Some(registry) = dispatch.downcast_ref::<Registry>() else {
            return;
        };
        let Some(current) = registry.span(id) else {
            return;
        };
        for span in current.scope() {
            if let Some(fields) = span.extensions().get::<SpanFields>() {
                for (name, value) in &fields.0 {
                    if !ctx.contains_key(name) {
                        ctx.insert(*name, value.clone());
                    }
                }
            }
        }
    });
    ctx.insert(SPAN_KEY, ContextValue::any(span));
    ctx
}

/// Registers [`span_context`] as a context provider.
pub fn register_context_provider() -> ProviderHandle {
    context::register_context_provider(span_context)
}

/// A [`Layer`] that remembers chosen span fields (by default `request_id`) in the span's
/// extensions, so [`span_context`] can put them into the events' context.
///
/// `tracing` spans do not keep their field values; a subscriber must store what it needs. This
/// layer stores only the fields it is asked for, on `new_span` and on later `record` calls
/// (`span.record("request_id", id)` on a span declared with `request_id = Empty`). Strings,
/// integers, floats and booleans keep their type; other values are stored as their `Debug` text.
///
/// ```
/// use aiocop::integrations::tracing::SpanFieldsLayer;
/// use tracing_subscriber::layer::SubscriberExt;
///
/// let subscriber = tracing_subscriber::registry()
///     .with(SpanFieldsLayer::new().with_field("tenant"));
/// # let _ = subscriber;
/// ```
#[derive(Debug, Clone)]
pub struct SpanFieldsLayer {
    fields: Arc<[&'static str]>,
}

impl SpanFieldsLayer {
    /// Remembers [`DEFAULT_SPAN_FIELDS`] (`request_id`).
    pub fn new() -> Self {
        Self {
            fields: DEFAULT_SPAN_FIELDS.into(),
        }
    }

    /// Remembers exactly these fields.
    pub fn with_fields(fields: impl IntoIterator<Item = &'static str>) -> Self {
        Self {
            fields: fields.into_iter().collect(),
        }
    }

    /// Also remembers `field`.
    #[must_use]
    pub fn with_field(self, field: &'static str) -> Self {
        Self::with_fields(self.fields.iter().copied().chain([field]))
    }

    /// The fields this layer remembers.
    pub fn fields(&self) -> &[&'static str] {
        &self.fields
    }

    fn store<S>(
        &self,
        id: &Id,
        ctx: &LayerContext<'_, S>,
        record: impl FnOnce(&mut FieldVisitor<'_>),
    ) where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let mut visitor = FieldVisitor {
            wanted: Some(&self.fields),
            found: Vec::new(),
        };
        record(&mut visitor);
        if visitor.found.is_empty() {
            return;
        }
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut extensions = span.extensions_mut();
        match extensions.get_mut::<SpanFields>() {
            Some(stored) => {
                for (name, value) in visitor.found {
                    match stored.0.iter_mut().find(|(n, _)| *n == name) {
                        Some(slot) => slot.1 = value,
                        None => stored.0.push((name, value)),
                    }
                }
            }
            None => extensions.insert(SpanFields(visitor.found)),
        }
    }
}

impl Default for SpanFieldsLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl<S> Layer<S> for SpanFieldsLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: LayerContext<'_, S>) {
        self.store(id, &ctx, |visitor| attrs.record(visitor));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: LayerContext<'_, S>) {
        self.store(id, &ctx, |visitor| values.record(visitor));
    }
}

/// The remembered fields of one span, in a span's extensions.
struct SpanFields(Vec<(&'static str, ContextValue)>);

/// Collects a span's field values: the `wanted` ones, or all of them.
struct FieldVisitor<'a> {
    wanted: Option<&'a [&'static str]>,
    found: Vec<(&'static str, ContextValue)>,
}

impl FieldVisitor<'_> {
    fn keep(&mut self, field: &Field, value: impl FnOnce() -> ContextValue) {
        if self
            .wanted
            .is_none_or(|wanted| wanted.contains(&field.name()))
        {
            self.found.push((field.name(), value()));
        }
    }
}

impl Visit for FieldVisitor<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.keep(field, || value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.keep(field, || value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.keep(field, || value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.keep(field, || value.into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.keep(field, || value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        // `%value` (display) fields also arrive here, already formatted without quotes.
        self.keep(field, || format!("{value:?}").into());
    }
}
