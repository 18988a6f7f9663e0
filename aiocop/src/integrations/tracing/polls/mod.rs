//! [`PollLayer`]: the spans of an instrumented application as poll boundaries.
//!
//! A future instrumented with a span (`#[tracing::instrument]` on an `async fn`,
//! `.instrument(span)`, tower-http's `TraceLayer` response future) enters its span right before
//! each poll of the inner future and exits it right after. Seen from a subscriber, each
//! enter/exit pair on a runtime thread brackets one poll: the layer opens a detached scope at the
//! enter and closes (and judges) it at the exit, which is what a monitored future does around its
//! poll; on a worker watched by `aiocop::runtime::instrument` it only times the poll, and makes
//! the scope at the exit if the poll needs an event (`scope::detached::WorkerMark`).

use std::cell::{Cell, RefCell};
use std::fmt::Write as _;
use std::ptr;
use std::sync::Arc;

use ::tracing::span::{Attributes, Id, Record};
use ::tracing::{Metadata, Subscriber};
use tracing_subscriber::layer::{Context as LayerContext, Layer};
use tracing_subscriber::registry::LookupSpan;

use super::SPAN_NAME_KEY;
use crate::clock::{self, Ticks};
use crate::context::Context;
use crate::emit::Opener;
use crate::functions::{FunctionInfo, MonitorOptions, MonitoredFunction};
use crate::intern::Interner;
use crate::isolate;
use crate::scope::{self, Tag, detached};
use crate::settings;
use crate::watchdog::slot;

mod fields;
mod formatted;
mod store;
use fields::SpanFields;
use formatted::{Formatted, Parsed};
use store::SpanStore;

/// A [`Layer`] that turns each poll of an instrumented future into a monitored poll, with no
/// aiocop annotation: an application that already uses `tracing` gets per-poll monitoring of its
/// requests and instrumented tasks.
///
/// ```
/// use aiocop::integrations::tracing::{PollLayer, TracingCallback};
/// use tracing_subscriber::layer::SubscriberExt;
///
/// let subscriber = tracing_subscriber::registry()
///     // Your output first: `PollLayer` reads back the span fields it keeps formatted.
///     .with(tracing_subscriber::fmt::layer())
///     // Events of `#[instrument] async fn get_user(..)` polls are named `get_user`, in the span's
///     // target; tower-http's request spans `request{method=GET}`.
///     .with(PollLayer::new().with_name_field("method"));
/// # let _ = subscriber;
/// // ... then install the subscriber.
/// let handle = TracingCallback::new().register();
/// # aiocop::unregister_slow_task_callback(handle);
/// ```
///
/// # What is a poll
///
/// An enter of a span counts as the start of a poll when monitoring is active (see
/// [`activate`](crate::activate)) and the thread is running a poll driven by a tokio runtime: a
/// task's poll on a worker thread, or the future given to `block_on`. Tokio has no stable way to
/// ask that; the layer reads it from tokio's cooperative budget, which tokio sets for exactly
/// those polls. So:
///
/// - spans entered on a thread of your own, in a `spawn_blocking` closure, inside
///   `block_in_place`, or under another executor (`futures::executor::block_on`) are not polls;
/// - spans entered in sync code that a task's poll runs (`span.in_scope(..)`, a sync
///   `#[instrument]` function called from a handler) are: that code runs on the worker;
/// - polls of a future wrapped in `tokio::task::coop::unconstrained` are missed (tokio lifts
///   their budget);
/// - on a watched worker, a span entered inside `block_in_place` with no span entered around it,
///   after its own poll was found to be one of the same task's in the same stretch (see below),
///   is timed and shown to the watchdog as a poll, but never reported as a slow one: its exit
///   asks tokio again. Held past the stuck-poll limit, it is reported stuck.
///
/// The enter of the outermost span opens the poll's scope, its exit closes and judges it. A span
/// entered while a scope is open (a nested `#[instrument]` function, a span entered inside a
/// `#[aiocop::monitor]` function or a request of the tower layer) only tags the scope, like a
/// nested monitored function: the blocking calls made while it is entered name it as their
/// function. A monitored future polled inside a span's scope opens its own scope and reports its
/// own polls, whose time is left out of the span's.
///
/// On a worker watched by `aiocop::runtime::instrument` (feature `runtime`), a worker's stretch
/// is not a poll: the outermost span of a task's poll is timed as a poll of its own there, and
/// published to the watchdog (which samples it, as a monitored poll). It opens no scope: its
/// blocking calls are recorded in the worker's stretch as they are made, and moved out into the
/// span's event when its exit finds it recorded one or took the threshold (named by the span,
/// timed against the threshold); the calls of unannotated tasks stay in the worker's. Spans
/// entered inside it only name the calls made while they are entered. Whether the span's enter is
/// a task's poll is asked of tokio once per span, task and stretch (a request's span is entered
/// around the service call, each poll of the response future and of its body), and again before
/// an event is made.
///
/// A span guard held across an `.await` (which `tracing` documents as a bug: the span is then
/// entered while other tasks run) is dropped from monitoring as soon as a span of another task is
/// entered on the thread; until then, what that thread runs counts as its poll. For the same
/// reason a span around a future driving a `LocalSet` stops being monitored when one of the set's
/// tasks enters a span (that task is then monitored on its own).
///
/// A span's poll never panics in strict mode (a subscriber callback is no place to unwind from).
///
/// # What events say
///
/// An event's [`function`](crate::SlowTaskEvent::function) is the outermost span's name, with the
/// values of the fields chosen by [`with_name_field`](Self::with_name_field) (`request{method=GET}`),
/// in the span's target as module, at the span's file and line. Its context holds the span's
/// fields and its parents' (the innermost value wins; all fields by default, see
/// [`with_context_fields`](Self::with_context_fields)) and the span's name as `span_name`;
/// context providers' values win over them. Distinct names are kept up to a process-wide bound,
/// beyond which spans are named without their fields.
///
/// When tracing-subscriber's `fmt` layer (with its default field formatter) comes before this
/// layer in the subscriber, it keeps every span's fields formatted already: this layer then
/// formats none itself and reads that text back when a poll makes an event. Otherwise it keeps
/// the fields itself, in a table of its own keyed by span id (a record per open span, removed
/// when the span closes).
///
/// # Cost
///
/// With monitoring inactive, an enter or exit costs a relaxed atomic load or a thread-local read
/// or two, a new span nothing more, and a span's close a relaxed load or two; fields are recorded
/// only for spans created while monitoring is active. Active, on a watched worker the outermost
/// enter of a poll reads the clock and publishes the poll (asking tokio for its budget once per
/// span, task and stretch), its exit reads the clock and looks at the stretch's record;
/// elsewhere the outermost enter asks tokio for its budget and opens a scope, its exit judges
/// it. A span is named only when its poll makes an event. (About 280 instructions a segment on a
/// watched worker, see BENCHMARKS.md.)
#[derive(Debug, Clone)]
pub struct PollLayer {
    name_fields: Arc<[&'static str]>,
    /// `None`: every field.
    context_fields: Option<Arc<[&'static str]>>,
    /// Unique to this layer in its subscriber (made anew when it is added to one): what the
    /// thread's memory of formatted callsites is kept by (see `formatted::seen`), where the
    /// layer's address could be another, dropped, subscriber's.
    instance: u64,
    /// What the layer keeps per span (made anew with `instance`: span ids are per subscriber).
    spans: Arc<SpanStore>,
}

/// The next [`PollLayer::instance`].
fn next_instance() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl PollLayer {
    /// Events named by span name alone, with every field of the span in their context.
    pub fn new() -> Self {
        Self {
            name_fields: Arc::from([]),
            context_fields: None,
            instance: next_instance(),
            spans: Arc::default(),
        }
    }

    /// Also names events by the value of `field` (`request{route=/users/{id}}`), when the span has
    /// it. Choose fields with few distinct values (a route, a method), not ids.
    #[must_use]
    pub fn with_name_field(self, field: &'static str) -> Self {
        Self {
            name_fields: self.name_fields.iter().copied().chain([field]).collect(),
            ..self
        }
    }

    /// Puts only these span fields into events' context (by default, all of them), and the name
    /// fields.
    #[must_use]
    pub fn with_context_fields(self, fields: impl IntoIterator<Item = &'static str>) -> Self {
        Self {
            context_fields: Some(fields.into_iter().collect()),
            ..self
        }
    }

    /// Tells this layer's spans from those of another subscriber's `PollLayer` on the same
    /// thread: the layer's address, fixed once the subscriber it is part of is installed.
    fn identity(&self) -> usize {
        ptr::from_ref(self) as usize
    }

    /// Whether `field` is stored for a span: for the context or for the name.
    fn keeps(&self, field: &str) -> bool {
        self.context_fields
            .as_deref()
            .is_none_or(|fields| fields.contains(&field))
            || self.name_fields.contains(&field)
    }

    /// Keeps the fields of a span being made (`attrs`), unless the `fmt` layer keeps them.
    fn store_new<S>(&self, attrs: &Attributes<'_>, id: &Id, ctx: &LayerContext<'_, S>)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let callsite = ptr::from_ref(attrs.metadata()) as usize;
        // The `fmt` layer keeps them formatted already: read back at an event (see `formatted`),
        // never formatted twice. Asked of the span once per callsite and thread.
        let formatted = formatted::seen::formatted(self.instance, callsite).unwrap_or_else(|| {
            let formatted = ctx
                .span(id)
                .is_some_and(|span| span.extensions().get::<Formatted>().is_some());
            formatted::seen::learn(self.instance, callsite, formatted);
            formatted
        });
        if formatted {
            return;
        }
        let mut span = store::blank();
        self.keep_fields(&mut span.fields, |visitor| attrs.record(visitor));
        self.spans.insert(id.into_u64(), span);
    }

    /// Records into `fields` those of `record`'s fields the layer keeps, formatted (before any
    /// lock is taken: a value's `Display` may make or record spans).
    #[inline]
    fn keep_fields(
        &self,
        fields: &mut SpanFields,
        record: impl FnOnce(&mut dyn ::tracing::field::Visit),
    ) {
        let keep = |field: &str| self.keeps(field);
        // Every field by default: nothing to ask per field.
        let filter = self
            .context_fields
            .is_some()
            .then_some(&keep as &dyn Fn(&str) -> bool);
        fields.record(filter, record);
    }

    /// Keeps the values recorded on span `id` after it was made (`Span::record`).
    fn store_recorded<S>(&self, values: &Record<'_>, id: &Id, ctx: &LayerContext<'_, S>)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let mut recorded = SpanFields::default();
        self.keep_fields(&mut recorded, |visitor| values.record(visitor));
        if recorded.is_empty() {
            return;
        }
        let key = id.into_u64();
        if self.spans.read(key, |_| ()).is_none()
            && ctx
                .span(id)
                .is_some_and(|span| span.extensions().get::<Formatted>().is_some())
        {
            return;
        }
        // A recorded name field changes the span's name: named anew at its next event.
        let renamed = recorded
            .names()
            .any(|name| self.name_fields.contains(&name));
        self.spans.update(key, |stored| {
            stored.fields.merge(&recorded);
            if renamed {
                stored.site = None;
            }
        });
    }

    /// The site events of a poll under span `id` are named by (looked up once per span).
    fn site<S>(&self, id: &Id, ctx: &LayerContext<'_, S>) -> &'static MonitoredFunction
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let key = id.into_u64();
        // The site named already, or else the name fields' values, copied out of the store.
        let stored = self.spans.read(key, |stored| match stored.site {
            Some(site) => Ok(site),
            None => Err(self.name_values(&stored.fields)),
        });
        let stored = match stored {
            Some(Ok(site)) => return site,
            Some(Err(values)) => values,
            None => Vec::new(),
        };
        let Some(span) = ctx.span(id) else {
            return &UNNAMED;
        };
        let meta = span.metadata();
        let named = if self.name_fields.is_empty() {
            None
        } else {
            let extensions = span.extensions();
            let parsed = extensions
                .get::<Formatted>()
                .map(|formatted| Parsed::read(meta, &formatted.fields));
            self.named_site(meta, &|name, out| match stored
                .iter()
                .find(|(stored, _)| *stored == name)
            {
                Some((_, value)) => {
                    out.push_str(value);
                    true
                }
                None => parsed
                    .as_ref()
                    .is_some_and(|parsed| parsed.write_value(name, out)),
            })
        };
        let site = named.unwrap_or_else(|| plain_site(meta));
        self.spans.update(key, |stored| stored.site = Some(site));
        site
    }

    /// The values of the name fields among `fields` (none allocated without name fields).
    fn name_values(&self, fields: &SpanFields) -> Vec<(&'static str, String)> {
        self.name_fields
            .iter()
            .filter_map(|&name| {
                let mut value = String::new();
                fields
                    .write_value(name, &mut value)
                    .then_some((name, value))
            })
            .collect()
    }

    /// The site named by the span's name and its name fields' values; `None` without such
    /// fields, or once too many names are stored.
    ///
    /// Runs once per span (each request's span is new): the key is written into a buffer kept by
    /// the thread, so that looking up a name already stored allocates nothing.
    /// `value` writes a field's value, `false` when the span has none.
    fn named_site(
        &self,
        meta: &'static Metadata<'static>,
        value: &dyn Fn(&str, &mut String) -> bool,
    ) -> Option<&'static MonitoredFunction> {
        thread_local! {
            static KEY: RefCell<String> = const { RefCell::new(String::new()) };
        }
        let lookup = |key: &mut String| {
            key.clear();
            // The callsite, then the name: `<callsite> request{method=GET}`.
            let _ = write!(key, "{:x} ", ptr::from_ref(meta) as usize);
            let name_at = key.len();
            key.push_str(meta.name());
            let mut named = false;
            for wanted in self.name_fields.iter() {
                let at = key.len();
                key.push(if named { ' ' } else { '{' });
                key.push_str(wanted);
                key.push('=');
                if value(wanted, key) {
                    named = true;
                } else {
                    key.truncate(at);
                }
            }
            if !named {
                return None;
            }
            key.push('}');
            NAMED.get_or_insert(
                key.as_str(),
                || key.as_str().into(),
                // Leaked with its site: once per distinct name, at most `MAX_INTERNED` of them.
                || site_for(meta, Box::leak(key[name_at..].into())),
            )
        };
        KEY.try_with(|key| match key.try_borrow_mut() {
            Ok(mut key) => lookup(&mut key),
            Err(_) => lookup(&mut String::new()),
        })
        .unwrap_or_else(|_| lookup(&mut String::new()))
    }

    /// The span's fields and its parents' (the innermost value wins), and its name.
    fn span_fields<S>(&self, id: &Id, ctx: &LayerContext<'_, S>) -> Context
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let mut context = Context::new();
        let Some(span) = ctx.span(id) else {
            return context;
        };
        context.insert(SPAN_NAME_KEY, span.name());
        for span in span.scope() {
            let stored: Option<Vec<_>> = self.spans.read(span.id().into_u64(), |stored| {
                stored.fields.iter().collect()
            });
            for (name, value) in stored.unwrap_or_default() {
                if !context.contains_key(name) {
                    context.insert(name, value);
                }
            }
            let extensions = span.extensions();
            if let Some(formatted) = extensions.get::<Formatted>() {
                for (name, value) in Parsed::read(span.metadata(), &formatted.fields).iter() {
                    if self.keeps(name) && !context.contains_key(name) {
                        context.insert(name, value);
                    }
                }
            }
        }
        context
    }
}

impl Default for PollLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl<S> Layer<S> for PollLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_layer(&mut self, _subscriber: &mut S) {
        // A clone of a layer added to another subscriber is another layer.
        self.instance = next_instance();
        self.spans = Arc::default();
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: LayerContext<'_, S>) {
        if !settings::is_active() {
            return;
        }
        self.store_new(attrs, id, &ctx);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: LayerContext<'_, S>) {
        if !settings::is_active() {
            return;
        }
        self.store_recorded(values, id, &ctx);
    }

    fn on_close(&self, id: Id, _ctx: LayerContext<'_, S>) {
        self.spans.remove(id.into_u64());
    }

    fn on_enter(&self, id: &Id, ctx: LayerContext<'_, S>) {
        if !enter_on_worker(self.key(id)) {
            self.enter(stack(), id, &ctx);
        }
    }

    fn on_exit(&self, id: &Id, ctx: LayerContext<'_, S>) {
        match exit_on_worker(self.key(id)) {
            Exited::Done => {}
            Exited::Judge => {
                if let Some(judged) = JUDGE.with(|cell| cell.take()) {
                    self.judge_timed(&judged, id, &ctx);
                }
            }
            Exited::Other => self.exit(stack(), id, &ctx),
        }
    }
}

/// The enter of a span that is not a program's poll, or the usual enter on a watched worker (the
/// outermost span of a task's poll, timed with no scope: see `detached::WorkerMark`); `false`
/// when the layer has more to do. Not generic, so that its thread-locals are read in place in the
/// subscriber's code.
#[inline(never)]
fn enter_on_worker(key: Key) -> bool {
    // Spans aiocop's own callbacks enter (the tracing callback re-enters the request's span to
    // emit) are not the program's polls.
    let stack = stack();
    if !settings::is_active() || stack.busy.get() || isolate::in_callback() {
        return true;
    }
    if stack.len() != 0 {
        return false;
    }
    let Some(stretch) = detached::worker_stretch() else {
        return false;
    };
    let task = tokio::task::try_id();
    // Whether this is a task's poll (and not a `spawn_blocking` or `block_in_place` closure, on
    // a thread whose stretch is open too): asked of tokio's budget, unless this span's poll was
    // found to be one of this task's in this stretch already (tower-http's request span is
    // entered three times in one task's poll: around the service call, the response future's
    // poll and the body's). The exit asks again before it reports anything.
    let verified = (key.layer, key.span, stretch, task);
    if stack.verified.get() != verified && !verify(stack, verified) {
        return true;
    }
    let start = clock::now();
    slot::publish(start);
    detached::begin_span_poll();
    stack.push(
        key,
        Kind::Timed {
            start,
            stretch,
            task,
        },
    );
    true
}

/// Whether the enter of a span on a watched worker, `verified` (see [`enter_on_worker`]), is
/// a task's poll: tokio's budget read, and remembered if so.
#[cold]
#[inline(never)]
fn verify(stack: &Stack, verified: Verified) -> bool {
    if !in_task_poll() {
        return false;
    }
    stack.verified.set(verified);
    true
}

/// This thread's stack of entered spans. (A reference taken out of the thread-local with a closure
/// small enough to be inlined: the accessor is then read in place, where a larger closure makes
/// `with` an out-of-line call through the key.)
#[inline(always)]
fn stack() -> &'static Stack {
    let stack = STACK.with(ptr::from_ref);
    // SAFETY: the thread-local has no destructor (a const-initialised array of plain cells), so
    // it lives as long as the thread, and the reference is used on this thread only, within a
    // subscriber callback.
    unsafe { &*stack }
}

/// What the exit of a span leaves for the layer to do (see [`exit_on_worker`]).
#[derive(Clone, Copy)]
enum Exited {
    Done,
    /// The span's poll needs an event: what it is about is in [`JUDGE`].
    Judge,
    /// Not the exit of a span's poll on a watched worker.
    Other,
}

/// A span's poll on a watched worker that needs an event, between [`exit_on_worker`] and the
/// layer that names it (kept out of `Exited`, which the usual exit returns in a register).
#[derive(Clone, Copy)]
struct Judged {
    start: Ticks,
    mark: detached::WorkerMark,
    elapsed: u64,
}

/// The usual exit on a watched worker: the span whose enter timed a task's poll, ended; nothing
/// more to do unless it recorded a blocking call or took the threshold. Not generic (see
/// [`enter_on_worker`]).
#[inline(never)]
fn exit_on_worker(key: Key) -> Exited {
    let stack = stack();
    // Spans aiocop's own callbacks enter were not entered (see `enter_on_worker`): their exit
    // ends nothing (the tracing callback enters the span of the poll it reports, which may be
    // the very span whose poll is running on this thread, when events are delivered inline).
    if stack.busy.get() || isolate::in_callback() {
        return Exited::Done;
    }
    let Some(top) = stack.len().checked_sub(1) else {
        return Exited::Done;
    };
    let (Some(top_key), Some(top_kind)) = (stack.keys.get(top), stack.kinds.get(top)) else {
        return Exited::Other;
    };
    if top_key.get() != key {
        return Exited::Other;
    }
    let Kind::Timed { start, .. } = top_kind.get() else {
        return Exited::Other;
    };
    stack.len.set(top);
    let end = clock::now();
    slot::clear_mine();
    let elapsed = start.nanos_until(end);
    // The usual end: nothing recorded, nothing nested, the stretch goes on, under the threshold.
    let unchanged = detached::end_span_poll();
    if unchanged && elapsed < settings::slow_task_threshold_ns() {
        return Exited::Done;
    }
    exit_to_judge(start, elapsed, unchanged)
}

/// The rest of [`exit_on_worker`], out of its frame: whether the span's poll needs an event.
#[cold]
#[inline(never)]
fn exit_to_judge(start: Ticks, elapsed: u64, unchanged: bool) -> Exited {
    match outcome(start, elapsed, unchanged) {
        None => Exited::Done,
        Some(judged) => {
            JUDGE.with(|cell| cell.set(Some(judged)));
            Exited::Judge
        }
    }
}

/// The span's poll on a watched worker from `start` to `end`, if it needs an event: it recorded a
/// blocking call, or took the threshold. A poll whose stretch is over (the worker parked
/// meanwhile) is not judged: its calls were reported with the stretch.
fn timed_outcome(start: Ticks, end: Ticks) -> Option<Judged> {
    outcome(start, start.nanos_until(end), detached::end_span_poll())
}

/// [`timed_outcome`] of a poll that took `elapsed` ns and found the stretch's record
/// `unchanged` (see `detached::end_span_poll`).
fn outcome(start: Ticks, elapsed: u64, unchanged: bool) -> Option<Judged> {
    let threshold = settings::slow_task_threshold_ns();
    if unchanged {
        // Nothing recorded: an event only for the time taken.
        if elapsed < threshold {
            return None;
        }
        let mark = detached::worker_mark()?;
        return Some(Judged {
            start,
            mark,
            elapsed,
        });
    }
    let mark = detached::changed_mark()?;
    let (recorded, excluded) = detached::worker_since(&mark)?;
    let elapsed = elapsed.saturating_sub(excluded);
    (recorded || elapsed >= threshold).then_some(Judged {
        start,
        mark,
        elapsed,
    })
}

impl PollLayer {
    /// The enter of a span inside a poll, but the outermost span of a task's poll on a watched
    /// worker (see [`enter_on_worker`]). Out of line: the usual enter does not pay for its frame.
    #[inline(never)]
    fn enter<S>(&self, stack: &Stack, id: &Id, ctx: &LayerContext<'_, S>)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        // Stale entries dropped, room checked.
        let len = stack.len();
        if len > 0 && is_stale(&stack.kind(0)) {
            while let Some(kind) = stack.pop() {
                forget(kind);
            }
            // Nothing left entered: on a watched worker, the outermost span of a task's poll.
            if enter_on_worker(self.key(id)) {
                return;
            }
        }
        if stack.len() >= MAX_DEPTH {
            return;
        }
        // A worker's stretch (`aiocop::runtime::instrument`) is not a poll: a span's poll there
        // is timed on its own (above, see `detached::WorkerMark`), and spans inside it only tell
        // their calls apart.
        let kind = if let Some(mark) = detached::worker_mark() {
            Kind::Inner(mark)
        } else if scope::in_monitored_poll() {
            match scope::tag(self.site(id, ctx)) {
                Some(tag) => Kind::Tagged(tag),
                None => return,
            }
        } else if in_task_poll() {
            let marker = 0u8;
            // Named when it makes an event (see `on_exit`): most polls make none, and looking the
            // span up costs more than the rest of the poll's monitoring.
            let Some(poll) =
                detached::open(&UNNAMED, executor_above(ptr::addr_of!(marker) as usize))
            else {
                return;
            };
            Kind::Opened {
                poll,
                task: tokio::task::try_id(),
            }
        } else {
            return;
        };
        // Checked above: there is room (nothing the enter ran pushes).
        stack.push(self.key(id), kind);
    }

    /// The entry of span `id` in this layer.
    #[inline]
    fn key(&self, id: &Id) -> Key {
        Key {
            layer: self.identity(),
            span: id.into_u64(),
        }
    }

    /// The exit of a span but the usual one on a watched worker (see [`exit_on_worker`]).
    #[inline(never)]
    fn exit<S>(&self, stack: &Stack, id: &Id, ctx: &LayerContext<'_, S>)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let key = self.key(id);
        // Usually the span is the newest entry.
        let len = stack.len();
        if len > 0 && stack.key(len - 1) == key {
            stack.len.set(len - 1);
            self.close(stack.kind(len - 1), true, id, ctx);
        } else {
            self.exit_below(stack, key, id, ctx);
        }
    }

    /// Exits a span that is not the newest entry: those entered after it and never exited (stale
    /// guards) are dropped first, newest first; only the span's own is judged.
    #[cold]
    #[inline(never)]
    fn exit_below<S>(&self, stack: &Stack, key: Key, id: &Id, ctx: &LayerContext<'_, S>)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let Some(at) = stack.position_from_top(key) else {
            return;
        };
        while stack.len() > at {
            let judge = stack.len() - 1 == at;
            match stack.pop() {
                Some(kind) => self.close(kind, judge, id, ctx),
                None => break,
            }
        }
    }

    /// Ends the poll (or tag) an entry stands for; `judge`: the entry is the exited span's (not a
    /// stale one above it).
    fn close<S>(&self, kind: Kind, judge: bool, id: &Id, ctx: &LayerContext<'_, S>)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        match kind {
            Kind::Timed { start, .. } => {
                let end = clock::now();
                slot::clear_mine();
                let outcome = timed_outcome(start, end);
                if judge && let Some(judged) = outcome {
                    self.judge_timed(&judged, id, ctx);
                }
            }
            Kind::Inner(mark) => {
                // Its calls named by it (looked up only if it made any).
                if judge && detached::worker_since(&mark).is_some_and(|(recorded, _)| recorded) {
                    detached::name_worker_calls(&mark, self.site(id, ctx));
                }
            }
            Kind::Tagged(tag) => tag.restore(),
            Kind::Opened { poll, .. } => {
                // Emission may run callbacks inline, which may enter spans: not polls.
                stack().busy.set(true);
                let opener = Opener {
                    context: &|| self.span_fields(id, ctx),
                    site: &|| self.site(id, ctx),
                };
                detached::close_poll(poll, judge, &opener);
                stack().busy.set(false);
            }
        }
    }
}

impl PollLayer {
    #[cold]
    #[inline(never)]
    fn judge_timed<S>(&self, judged: &Judged, id: &Id, ctx: &LayerContext<'_, S>)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        // The enter may have taken this for a task's poll from an earlier one of the span (see
        // `enter_on_worker`): a `block_in_place` closure entering the same span is none.
        if !in_task_poll() {
            return;
        }
        // Emission may run callbacks inline, which may enter spans: not polls.
        stack().busy.set(true);
        let marker = 0u8;
        let opener = Opener {
            context: &|| self.span_fields(id, ctx),
            site: &|| self.site(id, ctx),
        };
        detached::judge_worker_span(
            &UNNAMED,
            judged.start,
            &judged.mark,
            judged.elapsed,
            executor_above(ptr::addr_of!(marker) as usize),
            &opener,
        );
        stack().busy.set(false);
    }
}

/// A span entered inside a poll on this thread, not yet exited, as its layer knows it.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key {
    /// The layer that saw it entered ([`PollLayer::identity`]): span ids are per subscriber.
    layer: usize,
    span: u64,
}

/// What the enter of a span inside a poll did.
#[derive(Clone, Copy)]
enum Kind {
    /// The span's enter opened the detached scope `poll`, in `task`'s poll.
    Opened {
        poll: u64,
        task: Option<tokio::task::Id>,
    },
    /// The span's enter tagged the open scope.
    Tagged(Tag),
    /// The span's enter began a poll on a watched worker at `start`, in `task`'s poll in the
    /// worker's `stretch`: timed and published, its scope made at its exit if it needs an event
    /// (see `detached::WorkerMark`; the mark is the stretch's, `detached::begin_span_poll`).
    Timed {
        start: Ticks,
        stretch: u64,
        task: Option<tokio::task::Id>,
    },
    /// The span was entered inside a span's poll on a watched worker.
    Inner(detached::WorkerMark),
}

/// Deeper span nesting is not tracked (its spans neither open nor tag): the stack stays bounded
/// whatever a program does with guards.
const MAX_DEPTH: usize = 32;

/// The spans entered inside polls on a thread, outermost first: fixed arrays of plain cells, so
/// that the thread-local needs no destructor and is read in place; keys apart from kinds, so
/// that finding an exited span copies no kind.
struct Stack {
    /// Set while the layer closes a scope (emission may enter spans).
    busy: Cell<bool>,
    /// The span whose poll was last found to be a task's on this thread (see
    /// `enter_on_worker`). (No layer is at address 0: the initial value matches no span.)
    verified: Cell<Verified>,
    len: Cell<usize>,
    keys: [Cell<Key>; MAX_DEPTH],
    kinds: [Cell<Kind>; MAX_DEPTH],
}

/// What an unused entry holds.
const NO_KEY: Key = Key { layer: 0, span: 0 };
const NO_KIND: Kind = Kind::Opened {
    poll: 0,
    task: None,
};

impl Stack {
    const fn new() -> Self {
        Stack {
            busy: Cell::new(false),
            verified: Cell::new((0, 0, 0, None)),
            len: Cell::new(0),
            keys: [const { Cell::new(NO_KEY) }; MAX_DEPTH],
            kinds: [const { Cell::new(NO_KIND) }; MAX_DEPTH],
        }
    }

    #[inline]
    fn len(&self) -> usize {
        self.len.get()
    }

    /// The key at `at` (< `len`).
    #[inline]
    fn key(&self, at: usize) -> Key {
        self.keys.get(at).map_or(NO_KEY, Cell::get)
    }

    /// The kind at `at` (< `len`).
    #[inline]
    fn kind(&self, at: usize) -> Kind {
        self.kinds.get(at).map_or(NO_KIND, Cell::get)
    }

    /// Adds an entry on top, if there is room.
    #[inline]
    fn push(&self, key: Key, kind: Kind) {
        let len = self.len();
        if let (Some(k), Some(c)) = (self.keys.get(len), self.kinds.get(len)) {
            k.set(key);
            c.set(kind);
            self.len.set(len + 1);
        }
    }

    /// Takes the top entry's kind off.
    #[inline]
    fn pop(&self) -> Option<Kind> {
        let top = self.len().checked_sub(1)?;
        self.len.set(top);
        Some(self.kind(top))
    }

    /// The index of the newest entry with `key`.
    fn position_from_top(&self, key: Key) -> Option<usize> {
        self.keys[..self.len().min(MAX_DEPTH)]
            .iter()
            .rposition(|cell| cell.get() == key)
    }
}

thread_local! {
    /// The spans entered inside polls on this thread, and what the layer keeps with them.
    static STACK: Stack = const { Stack::new() };
    /// See [`Judged`]. (Written with `with(|cell| cell.set(..))`, as in `scope::detached`:
    /// `LocalKey::set` is the lazy-initialisation path, not always inlined.)
    static JUDGE: Cell<Option<Judged>> = const { Cell::new(None) };
}

/// A span found to be a task's poll: the layer, the span, the worker's stretch and the task.
type Verified = (usize, u64, u64, Option<tokio::task::Id>);

/// Whether the outermost entry `first` belongs to a poll that is over: a scope opened by a span
/// whose guard outlived its poll (held across an `.await`), now that another task runs on this
/// thread; or a tag of a scope no longer open.
fn is_stale(first: &Kind) -> bool {
    match first {
        Kind::Opened { poll, task } => {
            detached::open_poll() != Some(*poll) || tokio::task::try_id() != *task
        }
        Kind::Tagged(tag) => !tag.is_current(),
        Kind::Timed { stretch, task, .. } => {
            !detached::in_stretch(*stretch) || tokio::task::try_id() != *task
        }
        // Never outermost.
        Kind::Inner(_) => true,
    }
}

/// Drops a stale entry (see [`is_stale`]).
fn forget(kind: Kind) {
    match kind {
        Kind::Tagged(tag) => tag.restore(),
        // Its calls stay the stretch's; the poll published since is over.
        Kind::Timed { .. } => {
            slot::clear_mine();
            detached::forget_span_poll();
        }
        Kind::Inner(_) => {}
        // Its time and calls belong to whatever else ran meanwhile: not reported.
        Kind::Opened { poll, .. } => {
            let opener = Opener {
                context: &Context::new,
                site: &|| &UNNAMED,
            };
            detached::close_poll(poll, false, &opener);
        }
    }
}

/// Whether this thread is inside a poll driven by a tokio runtime: a task's poll on a worker, or
/// the future of a `block_on` (see [`crate::coop::task_budget`]). An unreadable budget is no poll: a
/// span is then left alone rather than mistaken for one.
fn in_task_poll() -> bool {
    crate::coop::task_budget() == Some(true)
}

/// How far above the layer's own frame the span's future and the runtime's frames reach: the
/// span is entered a few calls (the subscriber's layers) below the poll of the instrumented
/// future, whose callees must stay in traces.
const SLACK: usize = 64 * 1024;

/// Where traces of the poll about to start stop, for a marker in the layer's frame: the slack
/// above it, within the thread's stack (the watchdog copies the stack up to there).
#[inline]
fn executor_above(marker: usize) -> usize {
    let top = crate::stack::top();
    let above = marker.saturating_add(SLACK);
    if top > marker { above.min(top) } else { above }
}

/// Sites named by span name and field values, keyed by callsite and name.
static NAMED: Interner<Box<str>, MonitoredFunction> = Interner::new();
/// Sites named by span name alone, one per callsite.
static PLAIN: Interner<usize, MonitoredFunction> = Interner::new();

/// Beyond the interners' bound, or for a span the registry no longer knows; and the site of a span's
/// poll until it makes an event (what a stuck-poll report of a span's poll names).
static UNNAMED: MonitoredFunction = MonitoredFunction::new(
    FunctionInfo::new("<span>", "", "<unknown>", 0),
    MonitorOptions::DEFAULT,
);

fn site_for(meta: &'static Metadata<'static>, name: &'static str) -> MonitoredFunction {
    MonitoredFunction::new(
        FunctionInfo::new(
            name,
            meta.target(),
            meta.file().unwrap_or("<unknown>"),
            meta.line().unwrap_or(0),
        ),
        MonitorOptions::DEFAULT,
    )
}

fn plain_site(meta: &'static Metadata<'static>) -> &'static MonitoredFunction {
    let key = ptr::from_ref(meta) as usize;
    PLAIN
        .get_or_insert(&key, || key, || site_for(meta, meta.name()))
        .unwrap_or(&UNNAMED)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    /// A subscriber of its own with a `PollLayer` naming events by `route`, monitoring active.
    fn poll_layer_dispatch() -> ::tracing::Dispatch {
        crate::activate();
        ::tracing::Dispatch::new(
            tracing_subscriber::registry().with(PollLayer::new().with_name_field("route")),
        )
    }

    /// The value of field `name` that `layer` keeps for span `id`, if it keeps a record of it.
    fn kept_value(layer: &PollLayer, id: u64, name: &str) -> Option<String> {
        layer.spans.read(id, |stored| {
            let mut value = String::new();
            stored.fields.write_value(name, &mut value);
            value
        })
    }

    /// Spans made, recorded from other tasks, entered and closed on many threads at once: every
    /// record goes when its span closes, and a value recorded from another task is kept. (Values
    /// that make spans while formatted: `tests/tests/integrations/tracing.rs`, under a global
    /// subscriber, where tracing lets a subscriber's callbacks reach it again.)
    #[test]
    fn spans_made_recorded_and_closed_on_many_threads_leave_no_record() {
        use ::tracing::instrument::{Instrument, WithSubscriber};
        let dispatch = poll_layer_dispatch();
        let layer = dispatch.downcast_ref::<PollLayer>().expect("the layer");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .build()
            .unwrap();
        let kept = runtime.block_on({
            let dispatch = dispatch.clone();
            async move {
                let tasks: Vec<_> = (0..16u64)
                    .map(|task| {
                        let dispatch = dispatch.clone();
                        tokio::spawn(
                            async move {
                                let mut kept = 0;
                                for i in 0..300u64 {
                                    let span = ::tracing::info_span!(
                                        "request",
                                        route = "/r",
                                        value = %i,
                                        late = ::tracing::field::Empty
                                    );
                                    let elsewhere = span.clone();
                                    tokio::spawn(
                                        async move {
                                            elsewhere.record("late", task * 1_000 + i);
                                        }
                                        .with_current_subscriber(),
                                    )
                                    .await
                                    .unwrap();
                                    async { tokio::task::yield_now().await }
                                        .instrument(span.clone())
                                        .await;
                                    let id = span.id().expect("enabled").into_u64();
                                    let late = ::tracing::dispatcher::get_default(|current| {
                                        kept_value(current.downcast_ref::<PollLayer>()?, id, "late")
                                    });
                                    if late == Some((task * 1_000 + i).to_string()) {
                                        kept += 1;
                                    }
                                }
                                kept
                            }
                            .with_subscriber(dispatch),
                        )
                    })
                    .collect();
                let mut kept = 0;
                for task in tasks {
                    kept += task.await.unwrap();
                }
                kept
            }
        });
        assert_eq!(kept, 16 * 300, "a value recorded from another task is kept");
        drop(runtime);
        assert_eq!(layer.spans.len(), 0, "every record gone with its span");
    }

    /// The layer's records live as long as their spans: a service making a span per request
    /// for days keeps only the open ones.
    #[test]
    fn a_span_record_is_kept_while_the_span_is_open_and_updated_by_its_records() {
        let dispatch = poll_layer_dispatch();
        let layer = dispatch.downcast_ref::<PollLayer>().expect("the layer");
        let route_of = |span: &::tracing::Span| {
            let id = span.id().expect("an enabled span").into_u64();
            let named = layer.spans.read(id, |stored| stored.site.is_some())?;
            Some((kept_value(layer, id, "route")?, named))
        };
        ::tracing::dispatcher::with_default(&dispatch, || {
            let kept = ::tracing::info_span!("kept", route = "/a", n = 1u64);
            for i in 0..10_000u64 {
                let _request = ::tracing::info_span!("request", i, uri = %"/x");
            }
            assert_eq!(layer.spans.len(), 1, "only the open span's record");
            assert_eq!(route_of(&kept), Some(("/a".to_owned(), false)));
            layer.spans.update(kept.id().unwrap().into_u64(), |stored| {
                stored.site = Some(&UNNAMED);
            });
            kept.record("route", "/b");
            assert_eq!(
                route_of(&kept),
                Some(("/b".to_owned(), false)),
                "a recorded name field replaces the value and the name"
            );
            drop(kept);
            assert_eq!(layer.spans.len(), 0);
        });
    }

    #[test]
    fn only_runtime_polls_have_a_budget() {
        assert!(!in_task_poll(), "a plain thread");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert!(
            runtime.block_on(async { in_task_poll() }),
            "block_on's future"
        );
        assert!(
            runtime.block_on(async { tokio::spawn(async { in_task_poll() }).await.unwrap() }),
            "a task"
        );
        assert!(
            !runtime.block_on(async { tokio::task::spawn_blocking(in_task_poll).await.unwrap() }),
            "a spawn_blocking closure"
        );
        assert!(
            !runtime.block_on(tokio::task::coop::unconstrained(async { in_task_poll() })),
            "an unconstrained future (a documented miss)"
        );
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        let (in_task, in_place) = runtime.block_on(async {
            tokio::spawn(async {
                let in_task = in_task_poll();
                (in_task, tokio::task::block_in_place(in_task_poll))
            })
            .await
            .unwrap()
        });
        assert!(in_task, "a task on a worker");
        assert!(!in_place, "block_in_place");
        std::thread::spawn(move || {
            let _entered = runtime.enter();
            assert!(
                !in_task_poll(),
                "a thread that entered the runtime's context"
            );
        })
        .join()
        .unwrap();
    }
}
