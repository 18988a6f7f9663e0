//! The thread's open poll scope: opened by the outermost monitored poll on a thread, filled by
//! [`audit`](crate::audit()), closed (and judged) when that poll returns.
//!
//! The scope lives on the stack of the poll that opened it; the thread-local `CURRENT` points to
//! it for exactly as long as that poll runs. Keeping the scope on the stack means an idle
//! monitored poll allocates nothing and `audit` outside a poll costs one thread-local read.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::ptr;
use std::task::{self, Poll};

use crate::clock::{self, Ticks};
use crate::context::{self, Context};
use crate::event::{RawBlockingEvent, Reason, SlowTaskEvent, format_blocking_event};
use crate::monitor::MonitoredFunction;
use crate::trace::Trace;
use crate::{callbacks, collect, config, dispatch, strict};

thread_local! {
    /// The open scope of this thread, or null. Const-initialised and without a destructor, so
    /// reading it is a single TLS load.
    static CURRENT: Cell<*const Scope<'static>> = const { Cell::new(ptr::null()) };
}

/// What one poll has recorded so far.
#[derive(Default)]
struct Recorded {
    events: Vec<RawBlockingEvent>,
    dropped: usize,
    score: u32,
    /// Context captured at the first blocking event.
    context: Option<Context>,
    /// Context captured before the poll (only when providers exist).
    pre_context: Option<Context>,
    /// An event was recorded while strict mode was on: inside a monitored function with `strict`
    /// (or one it awaits), or with the thread's or task's switch on.
    forced_strict: bool,
}

pub(crate) struct Scope<'a> {
    start: Ticks,
    /// Address of a local of the poll that opened the scope: stack frames above it belong to the
    /// executor, and traces stop there.
    executor_above: usize,
    outer: &'a MonitoredFunction,
    /// The innermost monitored function being polled (tags the events it causes).
    current: Cell<*const MonitoredFunction>,
    /// Whether a monitored function with `strict` is being polled (the outer one or a nested one):
    /// its strictness covers the functions it awaits.
    strict: Cell<bool>,
    recorded: RefCell<Recorded>,
    /// Set while context providers run: their own blocking calls are not the task's.
    in_provider: Cell<bool>,
}

/// Runs `f` with this thread's open scope, if any.
#[inline(always)]
fn with_current<R>(f: impl FnOnce(&Scope<'_>) -> R) -> Option<R> {
    let current = CURRENT.get();
    if current.is_null() {
        return None;
    }
    // SAFETY: `CURRENT` is non-null only between `Open::enter` and the reset in `poll_outer` (or in
    // `Open::drop` on unwinding), while the `Scope` it points to is alive and pinned on the stack
    // of `poll_outer` on this very thread. Only shared references are created; interior
    // mutability goes through `Cell`/`RefCell`.
    Some(f(unsafe { &*current }))
}

/// Polls `inner` inside this thread's scope, opening one if there is none.
#[inline]
pub(crate) fn poll_in_scope<F: Future>(
    inner: Pin<&mut F>,
    site: &MonitoredFunction,
    cx: &mut task::Context<'_>,
) -> Poll<F::Output> {
    let current = CURRENT.get();
    if current.is_null() {
        poll_outer(inner, site, cx)
    } else {
        poll_nested(current, inner, site, cx)
    }
}

fn poll_nested<F: Future>(
    current: *const Scope<'static>,
    inner: Pin<&mut F>,
    site: &MonitoredFunction,
    cx: &mut task::Context<'_>,
) -> Poll<F::Output> {
    // SAFETY: as in `with_current`: `current` was just read from `CURRENT` on this thread, and the
    // outer poll that owns the scope is further up this same stack.
    let scope = unsafe { &*current };
    struct RestoreTag<'s, 'a> {
        scope: &'s Scope<'a>,
        previous: *const MonitoredFunction,
        previous_strict: bool,
    }
    impl Drop for RestoreTag<'_, '_> {
        fn drop(&mut self) {
            self.scope.current.set(self.previous);
            self.scope.strict.set(self.previous_strict);
        }
    }
    let previous_strict = scope.strict.get();
    scope.strict.set(previous_strict || site.options().strict());
    let _restore = RestoreTag {
        scope,
        previous: scope.current.replace(site),
        previous_strict,
    };
    inner.poll(cx)
}

/// Publishes a scope in `CURRENT`; on unwinding, unpublishes and reports it.
struct Open<'s, 'a> {
    scope: &'s Scope<'a>,
}

impl<'s, 'a> Open<'s, 'a> {
    fn enter(scope: &'s Scope<'a>) -> Self {
        CURRENT.set((scope as *const Scope<'a>).cast());
        Open { scope }
    }
}

impl Drop for Open<'_, '_> {
    /// Runs only when the poll unwinds (the normal path forgets the guard).
    fn drop(&mut self) {
        CURRENT.set(ptr::null());
        // The blocking still happened: report it, but never panic again while unwinding.
        self.scope.close(clock::now(), false);
    }
}

#[inline]
fn poll_outer<F: Future>(
    inner: Pin<&mut F>,
    site: &MonitoredFunction,
    cx: &mut task::Context<'_>,
) -> Poll<F::Output> {
    let pre_context = context::has_providers().then(context::capture);
    let marker = 0u8;
    let scope = Scope {
        start: clock::now(),
        executor_above: ptr::addr_of!(marker) as usize,
        outer: site,
        current: Cell::new(site),
        strict: Cell::new(site.options().strict()),
        recorded: RefCell::new(Recorded {
            pre_context,
            ..Recorded::default()
        }),
        in_provider: Cell::new(false),
    };
    let open = Open::enter(&scope);
    let poll = inner.poll(cx);
    let end = clock::now();
    CURRENT.set(ptr::null());
    std::mem::forget(open);
    scope.close(end, true);
    poll
}

impl Scope<'_> {
    /// Judges the finished poll: an event if it recorded blocking calls or took the threshold.
    #[inline]
    fn close(&self, end: Ticks, may_raise: bool) {
        let elapsed = self.start.elapsed_until(end);
        let threshold = self
            .outer
            .options()
            .threshold()
            .unwrap_or_else(config::slow_task_threshold);
        let Ok(mut recorded) = self.recorded.try_borrow_mut() else {
            return;
        };
        if recorded.events.is_empty() && recorded.dropped == 0 && elapsed < threshold {
            return;
        }
        let recorded = std::mem::take(&mut *recorded);
        emit(self.outer, recorded, elapsed, threshold, may_raise);
    }

    #[cold]
    #[inline(never)]
    fn record(
        &self,
        operation: &'static str,
        weight: u32,
        args: &[&dyn std::fmt::Display],
        location: &'static Location<'static>,
    ) {
        if !config::detection_started() || self.in_provider.get() {
            return;
        }
        // SAFETY: `current` always points at the `MonitoredFunction` of a poll that is running
        // further up this stack (the outer one, or a nested one that restores it on return).
        let site = unsafe { &*self.current.get() };
        if site.options().allows(operation) {
            return;
        }
        let weight = crate::audit::effective_weight(operation, weight);
        let first = {
            let Ok(mut recorded) = self.recorded.try_borrow_mut() else {
                return;
            };
            // Judged when the poll ends, but strictness is that of the moment of the call: a strict
            // section (`raise_on_violations`, a guard, a strict function) may end before the poll.
            recorded.forced_strict |= self.strict.get() || strict::is_raise_on_violations_enabled();
            recorded.score = recorded.score.saturating_add(weight);
            if recorded.events.len() >= config::max_events_per_poll() {
                recorded.dropped += 1;
                return;
            }
            let args = config::capture_arguments().then(|| crate::audit::format_args_list(args));
            let marker = 0u8;
            let trace = Trace::capture(
                config::get_trace_depth(),
                ptr::addr_of!(marker) as usize,
                self.executor_above,
            );
            recorded.events.push(RawBlockingEvent {
                operation,
                args,
                weight,
                location,
                function: *site.info(),
                trace,
            });
            recorded.events.len() == 1 && recorded.context.is_none()
        };
        if first && context::has_providers() {
            self.in_provider.set(true);
            let captured = context::capture();
            self.in_provider.set(false);
            if let Ok(mut recorded) = self.recorded.try_borrow_mut() {
                recorded.context = Some(captured);
            }
        }
    }
}

/// Records a blocking call into this thread's open scope; nothing outside one.
#[inline]
pub(crate) fn record(
    operation: &'static str,
    weight: u32,
    args: &[&dyn std::fmt::Display],
    location: &'static Location<'static>,
) {
    with_current(|scope| scope.record(operation, weight, args, location));
}

/// Whether this thread is inside a monitored poll right now.
#[inline]
pub(crate) fn in_monitored_poll() -> bool {
    !CURRENT.get().is_null()
}

/// Forgets the blocking events recorded so far in the current monitored poll, as if they had not
/// happened (the reference's `reset_blocking_events`). Outside a monitored poll it does nothing.
///
/// Use it where a poll legitimately blocked before the part under test, e.g. right before entering
/// a strict section in the same poll.
pub fn reset_blocking_events() {
    with_current(|scope| {
        if let Ok(mut recorded) = scope.recorded.try_borrow_mut() {
            recorded.events.clear();
            recorded.dropped = 0;
            recorded.score = 0;
            recorded.context = None;
            recorded.forced_strict = false;
        }
    });
}

#[cold]
#[inline(never)]
fn emit(
    site: &MonitoredFunction,
    recorded: Recorded,
    elapsed: std::time::Duration,
    threshold: std::time::Duration,
    may_raise: bool,
) {
    let io = !recorded.events.is_empty() || recorded.dropped > 0;
    let context = if io {
        recorded.context.unwrap_or_default()
    } else {
        let mut merged = recorded.pre_context.unwrap_or_default();
        if context::has_providers() {
            merged.merge(context::capture());
        }
        merged
    };
    let event = SlowTaskEvent {
        elapsed,
        threshold,
        severity_score: if io { recorded.score } else { 0 },
        reason: if io {
            Reason::IoBlocking
        } else {
            Reason::CpuBlocking
        },
        blocking_events: recorded.events.iter().map(format_blocking_event).collect(),
        dropped_events: recorded.dropped,
        context,
        function: *site.info(),
        cpu_samples: Vec::new(),
    };
    collect::offer(&event);
    let raise = may_raise && strict::is_violation(&event, recorded.forced_strict);
    if config::deliver_in_background() {
        if raise {
            dispatch::send(event.clone());
            strict::raise(event);
        }
        dispatch::send(event);
    } else {
        callbacks::invoke(&event);
        if raise {
            strict::raise(event);
        }
    }
}
