//! The thread's open poll scope: opened by the outermost monitored poll on a thread, filled by the
//! recorder ([`record`](crate::record)), closed (and judged) when that poll returns; a poll worth
//! reporting is handed to [`emit`](crate::emit).
//!
//! The scope lives on the stack of the poll that opened it; the thread-local `CURRENT` points to
//! it for exactly as long as that poll runs. Keeping the scope on the stack means an idle
//! monitored poll allocates nothing and `audit` outside a poll costs one thread-local read.
//!
//! Runtime-wide monitoring opens scopes from tokio's task poll hooks instead; see [`detached`].
//!
//! The poll path is `#[inline(always)]` in optimized builds only (without `debug_assertions`):
//! in a debug build forced inlining would copy the whole guard into every monitored
//! future's `poll`, which makes annotated crates slower to compile and buys nothing unoptimized.

use std::cell::{Cell, RefCell};
use std::mem::{ManuallyDrop, MaybeUninit};
use std::panic::Location;
use std::ptr;
use std::time::Duration;

use crate::clock::{self, Ticks};
use crate::context;
use crate::emit::{self, Recorded};
use crate::event::RawBlockingEvent;
use crate::functions::MonitoredFunction;
use crate::settings;
use crate::strict;
use crate::text::Args;
use crate::trace::Trace;
use crate::watchdog::slot;

pub(crate) mod detached;
use detached::{Marks, Suspended};

thread_local! {
    /// The open scope of this thread, or null. Const-initialised and without a destructor, so
    /// reading it is a single TLS load.
    static CURRENT: Cell<*const Scope<'static>> = const { Cell::new(ptr::null()) };
}

pub(crate) struct Scope<'a> {
    /// Read last on entry, so the scope's own set-up is not counted in the poll's time.
    start: Cell<Ticks>,
    /// Address in the frame of the poll that opened the scope: stack frames above it belong to the
    /// executor, and traces stop there.
    executor_above: usize,
    outer: &'a MonitoredFunction,
    /// The innermost monitored function being polled (tags the events it causes).
    current: Cell<*const MonitoredFunction>,
    /// Whether a monitored function with `strict` is being polled (the outer one or a nested one):
    /// its strictness covers the functions it awaits.
    strict: Cell<bool>,
    /// Allocated at the first blocking event (or up front when context providers exist), so an
    /// idle poll neither allocates nor drops anything.
    recorded: RefCell<Option<Box<Recorded>>>,
    /// Set while context providers run: their own blocking calls are not the task's.
    in_provider: Cell<bool>,
    /// Whether a runtime hook opened this scope (nothing without runtime hooks).
    marks: Marks,
}

/// Runs `f` with this thread's open scope, if any.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn with_open<R>(f: impl FnOnce(&Scope<'_>) -> R) -> Option<R> {
    let current = CURRENT.get();
    if current.is_null() {
        return None;
    }
    // SAFETY: `CURRENT` is non-null only between `Scope::open` and the reset in `Open::exit` (or
    // in `Open::drop` on unwinding), while the `Scope` it points to is alive on the stack of the
    // poll in `run`, on this very thread (or in a detached scope's box: see `detached`). Only
    // shared references are created; interior mutability goes through `Cell`/`RefCell`.
    Some(f(unsafe { &*current }))
}

/// One poll of a monitored future under way: nested in the thread's open scope, or the outermost
/// monitored poll on the thread, with a scope of its own. Left by [`Entered::exit`], or by
/// dropping it when the poll unwinds.
pub(crate) enum Entered<'s> {
    Nested(Nested<'static>),
    Open(Open<'s, 's>),
}

/// Enters one poll of a monitored future described by `site`: tags the thread's open scope, or
/// opens a scope in `frame`, which the caller keeps on the polling frame's stack.
///
/// The guard is a pair of calls around the inner poll rather than a function taking the poll as a
/// closure: nothing of it is generic, so the code instantiated per monitored future (one per
/// `#[aiocop::monitor]` function) is only those two calls around its inner poll. A generic guard
/// and a closure per future made crates with many annotated functions measurably slower to build.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn enter<'s>(
    site: &'s MonitoredFunction,
    frame: &'s mut MaybeUninit<Scope<'s>>,
) -> Entered<'s> {
    match enter_nested(site) {
        Some(nested) => Entered::Nested(nested),
        // The scope is never dropped in place: judging it empties the only field that owns
        // anything (see `Scope::judge`).
        None => Entered::Open(frame.write(Scope::new(site)).open()),
    }
}

impl<'s> Entered<'s> {
    /// Leaves the poll normally.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn exit(self) {
        match self {
            Entered::Nested(nested) => nested.exit(),
            Entered::Open(open) => open.exit(),
        }
    }

    /// This poll, left when the guard is dropped: normally, or as by unwinding if the thread is
    /// panicking. A poll written `let _entered = enter(..).left_on_drop(); inner.poll(cx)` has the
    /// inner poll write its output straight into its caller's place, where one that calls
    /// [`exit`](Self::exit) after the inner poll holds the output in a local and copies it out
    /// (an output of 128 bytes: 16 instructions a copy). Leaving is out of line: inlined into a
    /// guard's drop, it made the drop too large to be inlined itself. (A poll made while the
    /// thread is already unwinding, from a destructor, is left as by unwinding: its events are
    /// reported, but strict mode does not panic again.)
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[cfg_attr(not(feature = "tower"), allow(dead_code))]
    pub(crate) fn left_on_drop(self) -> LeftOnDrop<'s> {
        LeftOnDrop(ManuallyDrop::new(self))
    }
}

/// See [`Entered::left_on_drop`] (the tower layer's guard).
#[cfg_attr(not(feature = "tower"), allow(dead_code))]
pub(crate) struct LeftOnDrop<'s>(ManuallyDrop<Entered<'s>>);

impl Drop for LeftOnDrop<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: taken only here, once: the guard is being dropped.
        leave(unsafe { ManuallyDrop::take(&mut self.0) });
    }
}

#[inline(never)]
fn leave(entered: Entered<'_>) {
    if std::thread::panicking() {
        drop(entered);
    } else {
        entered.exit();
    }
}

/// A poll of a monitored future nested in the thread's open scope: it only tags the scope, and
/// restores the previous tag and strictness when it ends (by [`Nested::exit`], or `Drop` on
/// unwinding).
pub(crate) struct Nested<'s> {
    scope: &'s Scope<'static>,
    previous: *const MonitoredFunction,
    previous_strict: bool,
}

/// Tags the thread's open scope with `site` if there is one (that a runtime hook did not open):
/// the poll is then nested, and opens no scope of its own.
#[cfg_attr(not(debug_assertions), inline(always))]
fn enter_nested(site: &MonitoredFunction) -> Option<Nested<'static>> {
    let current = CURRENT.get();
    if current.is_null() {
        return None;
    }
    // SAFETY: as in `with_current`: `current` was just read from `CURRENT` on this thread, and
    // the outer poll that owns the scope is further up this same stack, alive until this nested
    // poll returns (a detached scope: see `detached::open`).
    let scope: &'static Scope<'static> = unsafe { &*current };
    if scope.marks.is_detached() {
        return None;
    }
    let previous = scope.current.replace(site);
    let previous_strict = scope
        .strict
        .replace(scope.strict.get() || site.options().strict());
    Some(Nested {
        scope,
        previous,
        previous_strict,
    })
}

impl Nested<'_> {
    /// Leaves the nested poll normally.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn exit(self) {
        drop(self);
    }
}

impl Drop for Nested<'_> {
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn drop(&mut self) {
        self.scope.current.set(self.previous);
        self.scope.strict.set(self.previous_strict);
    }
}

/// An open scope, published in `CURRENT`; closed and judged by [`Open::exit`], or by `Drop` when
/// the poll unwinds.
pub(crate) struct Open<'s, 'a> {
    scope: &'s Scope<'a>,
    suspended: Suspended,
    /// Where the poll is published for the watchdog.
    slot: *const slot::Slot,
}

impl<'a> Scope<'a> {
    /// A scope for a poll of `site`, to live on that poll's stack.
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn new(site: &'a MonitoredFunction) -> Self {
        Scope {
            start: Cell::new(Ticks::ZERO),
            executor_above: 0,
            outer: site,
            current: Cell::new(site),
            strict: Cell::new(site.options().strict()),
            recorded: RefCell::new(pre_poll_record()),
            in_provider: Cell::new(false),
            marks: Marks::attached(),
        }
    }

    /// A scope for `site` that holds nothing and is not open: what a detached scope's box starts
    /// as before its first poll resets it.
    #[cfg(any(
        feature = "runtime",
        feature = "tracing-polls",
        all(feature = "tokio-hooks", tokio_unstable)
    ))]
    fn empty(site: &'a MonitoredFunction) -> Self {
        Scope {
            start: Cell::new(Ticks::ZERO),
            executor_above: 0,
            outer: site,
            current: Cell::new(site),
            strict: Cell::new(false),
            recorded: RefCell::new(None),
            in_provider: Cell::new(false),
            marks: Marks::attached(),
        }
    }

    /// Publishes this scope as the thread's, suspending a detached one (runtime hooks), and
    /// starts its clock.
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn open<'s>(&'s self) -> Open<'s, 'a> {
        let suspended = Suspended::of(CURRENT.get());
        CURRENT.set((self as *const Scope<'a>).cast());
        let start = clock::now();
        self.start.set(start);
        Open {
            scope: self,
            suspended,
            slot: slot::publish(start),
        }
    }

    /// Where traces stop: frames above belong to the executor. A scope on a poll's stack is in
    /// that poll's frame; a detached one says where.
    fn executor_above(&self) -> usize {
        match self.executor_above {
            0 => self as *const Self as usize,
            above => above,
        }
    }
}

impl Open<'_, '_> {
    /// Leaves the poll normally: closes and judges the scope.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn exit(self) {
        let end = clock::now();
        slot::clear(self.slot);
        self.suspended.resume(self.scope.start.get(), end);
        let scope = self.scope;
        std::mem::forget(self);
        scope.close(end, true);
    }
}

impl Drop for Open<'_, '_> {
    /// Runs only when the poll unwinds (`exit` forgets the value).
    fn drop(&mut self) {
        let end = clock::now();
        slot::clear(self.slot);
        self.suspended.resume(self.scope.start.get(), end);
        // The blocking still happened: report it, but never panic again while unwinding.
        self.scope.close(end, false);
    }
}

/// What a poll starts with: nothing, or the context captured before it when providers exist.
#[cfg_attr(not(debug_assertions), inline(always))]
fn pre_poll_record() -> Option<Box<Recorded>> {
    context::has_providers().then(|| {
        Box::new(Recorded {
            pre_context: Some(context::capture()),
            ..Recorded::default()
        })
    })
}

impl Scope<'_> {
    /// Judges the finished poll: an event if it recorded blocking calls or took the threshold.
    #[inline]
    fn close(&self, end: Ticks, may_raise: bool) {
        self.judge(self.start.get().nanos_until(end), may_raise);
    }

    /// Judges a poll that took `elapsed_ns` (a scope that is not timed: only its blocking calls).
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn judge(&self, elapsed_ns: u64, may_raise: bool) {
        self.judge_with(elapsed_ns, may_raise, None);
    }

    /// Judges a poll that took `elapsed_ns`; `opener` names the event and gives context under the
    /// providers' (a span's), asked for only when the poll makes an event.
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn judge_with(&self, elapsed_ns: u64, may_raise: bool, opener: Option<&emit::Opener<'_>>) {
        let threshold_ns = match self.outer.options().threshold_ns() {
            Some(own) => own,
            None => settings::slow_task_threshold_ns(),
        };
        let Ok(mut recorded) = self.recorded.try_borrow_mut() else {
            return;
        };
        let blocked = recorded
            .as_ref()
            .is_some_and(|r| !r.events.is_empty() || r.dropped > 0);
        if !blocked && (elapsed_ns < threshold_ns || !self.marks.timed()) {
            // A scope in a polling frame is never dropped (see `enter`): free what it holds.
            if recorded.is_some() {
                *recorded = None;
            }
            return;
        }
        let recorded = recorded.take().map(|r| *r).unwrap_or_default();
        emit::emit(
            self.outer,
            recorded,
            Duration::from_nanos(elapsed_ns),
            Duration::from_nanos(threshold_ns),
            may_raise,
            self.start.get().id(),
            opener,
        );
    }

    /// How long the calls recorded so far blocked, as far as known (intercepted calls are timed):
    /// what an untimed scope (a worker's stretch) reports as its `elapsed`.
    #[cfg(any(
        feature = "runtime",
        feature = "tracing-polls",
        all(feature = "tokio-hooks", tokio_unstable)
    ))]
    pub(crate) fn blocked_ns(&self) -> u64 {
        self.recorded.try_borrow().map_or(0, |slot| {
            slot.as_ref().map_or(0, |recorded| {
                recorded
                    .events
                    .iter()
                    .filter_map(|event| event.duration_ns)
                    .fold(0u64, u64::saturating_add)
            })
        })
    }

    /// Whether a context provider is running in this scope (its calls are not the task's).
    pub(crate) fn in_provider(&self) -> bool {
        self.in_provider.get()
    }

    /// Whether a blocking call made now is not this scope's to record: a worker scope records
    /// only the calls made inside a task's poll (see [`detached`]).
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn ignores_calls_here(&self) -> bool {
        if self.marks.records_outside_tasks() {
            return false;
        }
        #[cfg(feature = "runtime")]
        {
            !detached::in_task_poll()
        }
        #[cfg(not(feature = "runtime"))]
        {
            false
        }
    }

    /// The innermost monitored function being polled.
    pub(crate) fn function(&self) -> &MonitoredFunction {
        // SAFETY: `current` always points at the `MonitoredFunction` of a poll that is running
        // further up this stack (the outer one, or a nested one that restores it on return).
        unsafe { &*self.current.get() }
    }

    /// Stores a blocking call the recorder accepted (see [`record`](crate::record)): adds its
    /// weight, keeps it whole under the per-poll cap (text, trace) or only counts it past the cap,
    /// and captures the context at the poll's first event. Inlined into the recorder's entry
    /// points (see `record::accept`).
    #[inline(always)]
    pub(crate) fn push(
        &self,
        operation: &'static str,
        weight: u32,
        args: Args<'_>,
        location: &'static Location<'static>,
        intercepted: bool,
        identity: Option<u64>,
    ) {
        detached::before_change();
        let site = self.function();
        // The event's text, `operation(args)`, in one allocation; made up front for an
        // intercepted call, which is known by it (see `repeats`).
        let make_text = || {
            let mut text = String::with_capacity(operation.len() + 24);
            text.push_str(operation);
            if settings::capture_arguments() {
                text.push('(');
                args.write_to(&mut text);
                text.push(')');
            }
            text
        };
        let strict_now = self.strict.get() || strict::is_raise_on_violations_enabled();
        let mut made = None;
        let first = {
            let Ok(mut slot) = self.recorded.try_borrow_mut() else {
                return;
            };
            if intercepted && !strict_now {
                // A call this thread reported in enough polls this second already is counted
                // and left out, before anything is captured; strict mode never leaves one out.
                // Known by what the interception says identifies its arguments cheaply (a
                // descriptor: no system call to name its file), else by its text; and by the
                // function it is made in.
                let arguments = match identity {
                    Some(identity) => identity,
                    None => crate::repeats::key(made.insert(make_text())),
                };
                // The function by its name's address (a tower request's site is built on the
                // polling frame: its own address says nothing).
                let function = self.outer.info().name();
                let key = crate::repeats::combine(&[
                    function.as_ptr() as usize as u64,
                    function.len() as u64,
                    operation.as_ptr() as usize as u64,
                    arguments,
                ]);
                let admitted = slot.as_ref().is_some_and(|r| r.admitted.contains(&key));
                if !admitted {
                    if !crate::repeats::admit(key) {
                        return;
                    }
                    slot.get_or_insert_with(Box::default).admitted.push(key);
                }
            }
            let recorded = slot.get_or_insert_with(Box::default);
            // Judged when the poll ends, but strictness is that of the moment of the call: a strict
            // section (`raise_on_violations`, a guard, a strict function) may end before the poll.
            recorded.forced_strict |= strict_now;
            recorded.score = recorded.score.saturating_add(weight);
            if recorded.events.len() >= settings::max_events_per_poll() {
                recorded.dropped += 1;
                return;
            }
            let text = made.take().unwrap_or_else(make_text);
            let marker = 0u8;
            let depth = settings::trace_depth();
            // An intercepted call's entry point is found from its stack, at any trace depth.
            let capture_depth = if intercepted {
                depth.max(crate::origin::ORIGIN_FRAMES)
            } else {
                depth
            };
            let captured = Trace::capture(
                capture_depth,
                ptr::addr_of!(marker) as usize,
                self.executor_above(),
            );
            let (trace, origin) = if intercepted {
                let ips: Box<[usize]> = captured.ips().into();
                let trace = if depth == 0 {
                    Trace::empty()
                } else {
                    Trace::from_ips(ips.to_vec(), depth)
                };
                (trace, Some(crate::origin::Origin::new(ips)))
            } else {
                (captured, None)
            };
            if intercepted {
                // Timed once the C library's function returns (see `finish_intercepted`).
                PENDING.set(Some((ptr::from_ref(self) as usize, recorded.events.len())));
            }
            recorded.events.push(RawBlockingEvent {
                operation,
                text,
                weight,
                location,
                function: *site.info(),
                trace,
                origin,
                duration_ns: None,
            });
            recorded.events.len() == 1 && recorded.context.is_none()
        };
        if first && context::has_providers() {
            self.in_provider.set(true);
            let captured = context::capture();
            self.in_provider.set(false);
            if let Ok(mut slot) = self.recorded.try_borrow_mut() {
                slot.get_or_insert_with(Box::default).context = Some(captured);
            }
        }
    }
}

thread_local! {
    /// The intercepted call just recorded on this thread, not yet timed: its scope's address and
    /// its index among the scope's events.
    static PENDING: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

/// Takes the intercepted call the check just recorded on this thread, if it did: what
/// [`finish_intercepted`] times once the call returns.
#[cfg_attr(
    not(all(feature = "intercept", target_os = "linux", target_arch = "x86_64")),
    allow(dead_code)
)]
#[inline]
pub(crate) fn take_intercepted() -> Option<(usize, usize)> {
    PENDING.take()
}

/// Gives the intercepted call `pending` (from [`take_intercepted`]) its duration, if its scope
/// is still this thread's open one.
#[cfg_attr(
    not(all(feature = "intercept", target_os = "linux", target_arch = "x86_64")),
    allow(dead_code)
)]
pub(crate) fn finish_intercepted(pending: (usize, usize), duration_ns: u64) {
    let (scope_at, index) = pending;
    with_open(|scope| {
        if ptr::from_ref(scope).cast::<()>() as usize != scope_at {
            return;
        }
        if let Ok(mut slot) = scope.recorded.try_borrow_mut()
            && let Some(event) = slot.as_mut().and_then(|r| r.events.get_mut(index))
        {
            event.duration_ns = Some(duration_ns);
        }
    });
}

/// The address of this thread's open scope, 0 outside a monitored poll: tells one scope from
/// another while both are open (interception's covered calls).
#[inline]
pub(crate) fn current_id() -> usize {
    CURRENT.get() as usize
}

/// For the watchdog's signal handler, on a thread it interrupted inside a monitored poll: the
/// address above which the stack belongs to the executor, and the outermost monitored function.
/// Async-signal-safe (a thread-local read and plain copies).
#[cfg_attr(
    not(all(target_os = "linux", target_arch = "x86_64", not(miri))),
    allow(dead_code)
)]
pub(crate) fn sampling_view() -> Option<(usize, crate::functions::FunctionInfo)> {
    with_open(|scope| (scope.executor_above(), *scope.outer.info()))
}

/// Where another thread finds this thread's open scope without interrupting it: the address of
/// this thread's `CURRENT` (stable for the thread's life), taken at its first monitored poll, and
/// the offsets of the [`Scope`] fields the watchdog reads, for a thread blocked in a system call
/// (see `watchdog::capture::blocked`, which copies them with `process_vm_readv`, never through a
/// reference, and trusts them only if the thread did not run meanwhile).
#[cfg_attr(
    not(all(target_os = "linux", target_arch = "x86_64", not(miri))),
    allow(dead_code)
)]
pub(crate) mod remote {
    use super::{CURRENT, Scope};

    /// The address of this thread's `CURRENT` cell, which holds a `*const Scope` (null between
    /// polls).
    pub(crate) fn current_cell() -> usize {
        CURRENT.with(|current| current.as_ptr() as usize)
    }

    /// Offset of the scope's `executor_above` (a `usize`; 0 means the scope's own address).
    pub(crate) const EXECUTOR_ABOVE: usize = std::mem::offset_of!(Scope<'static>, executor_above);
    /// Offset of the scope's `outer` (a `&MonitoredFunction`).
    pub(crate) const OUTER: usize = std::mem::offset_of!(Scope<'static>, outer);

    /// Where traces stop for a scope at `scope` whose `executor_above` field reads `executor_above`
    /// (as `Scope::executor_above` says).
    pub(crate) fn executor_above(scope: usize, executor_above: usize) -> usize {
        match executor_above {
            0 => scope,
            above => above,
        }
    }
}

/// A span's tag on the thread's open scope (see the `tracing` integration's poll layer): while a
/// span entered inside a poll is entered, the blocking calls it makes are its own, as with a
/// nested monitored function. Spans are entered and exited from a subscriber's callbacks, with no
/// frame spanning the two, so the tag remembers which poll it was put on and is taken off only if
/// that poll is still the thread's open one.
#[cfg(feature = "tracing-polls")]
#[derive(Clone, Copy)]
pub(crate) struct Tag {
    scope: *const Scope<'static>,
    poll: u64,
    previous: *const MonitoredFunction,
}

/// Tags the thread's open scope with `site`, if a scope is open.
#[cfg(feature = "tracing-polls")]
pub(crate) fn tag(site: &'static MonitoredFunction) -> Option<Tag> {
    let current = CURRENT.get();
    with_open(|scope| Tag {
        scope: current,
        poll: scope.start.get().id(),
        previous: scope.current.replace(site),
    })
}

#[cfg(feature = "tracing-polls")]
impl Tag {
    /// Puts back the tag this one replaced, if its poll is still open on this thread (a poll that
    /// ended took its tags with it; its function pointer may be gone).
    pub(crate) fn restore(self) {
        if self.is_current() {
            with_open(|scope| scope.current.set(self.previous));
        }
    }

    /// Whether the poll this tag is on is still the thread's open one.
    pub(crate) fn is_current(&self) -> bool {
        CURRENT.get() == self.scope && with_open(|scope| scope.start.get().id()) == Some(self.poll)
    }
}

/// Whether this thread is inside a monitored poll right now.
#[inline]
pub(crate) fn in_monitored_poll() -> bool {
    !CURRENT.get().is_null()
}

/// Whether an event recorded now on this thread would be kept whole: a monitored poll is open and
/// has room left under the per-poll cap. Past the cap an event is only counted, so the probes do
/// not format its arguments.
#[inline]
pub(crate) fn keeps_next_event() -> bool {
    with_open(|scope| {
        scope.recorded.try_borrow().is_ok_and(|slot| {
            slot.as_ref()
                .is_none_or(|r| r.events.len() < settings::max_events_per_poll())
        })
    })
    .unwrap_or(false)
}

/// Forgets the blocking events recorded so far in the current monitored poll, as if they had not
/// happened (the reference's `reset_blocking_events`). Outside a monitored poll it does nothing.
///
/// Use it where a poll legitimately blocked before the part under test, e.g. right before entering
/// a strict section in the same poll.
pub fn reset_blocking_events() {
    with_open(|scope| {
        detached::before_change();
        if let Ok(mut slot) = scope.recorded.try_borrow_mut()
            && let Some(recorded) = slot.as_mut()
        {
            recorded.events.clear();
            recorded.dropped = 0;
            recorded.score = 0;
            recorded.context = None;
            recorded.forced_strict = false;
        }
    });
}
