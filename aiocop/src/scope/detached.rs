//! Detached scopes: opened and closed by runtime hooks (tokio's before and after task poll
//! callbacks, see `runtime_hooks`) and by the `tracing` integration's poll layer (a span's enter
//! and exit around a poll), which have no stack frame spanning the poll to hold the scope. A detached scope lives in a per-thread box, allocated at the first
//! hooked poll of a thread and reused by every later one.
//!
//! A monitored future polled inside a detached scope opens its own scope as it would anywhere
//! else, so strict mode, [`collect_events`](crate::events::collect_events) and per-function settings keep
//! their meaning; the detached scope is suspended meanwhile, and the time spent there is left out
//! of the task's own event (the monitored poll reported it already).
//!
//! Worker scopes (the `runtime` feature, see `crate::runtime`) are detached scopes too, opened
//! when a runtime thread starts or a worker unparks and closed when it parks or stops: they record
//! only blocking calls made inside a task's poll (see `in_task_poll`) and never time the stretch (a
//! busy worker is not slow). The watchdog sees only where a worker's stack ends (for its probes)
//! and the span polls timed inside a stretch (see `WorkerMark`).
//!
//! Without runtime hooks (the `tokio-hooks` feature and `--cfg tokio_unstable`), the `runtime`
//! feature or the `tracing` feature this module is a set of no-ops the compiler removes: the monitored poll path is exactly
//! what it is without it.

#[cfg(any(
    feature = "runtime",
    feature = "tracing-polls",
    all(feature = "tokio-hooks", tokio_unstable)
))]
pub(crate) use hooked::*;
#[cfg(not(any(
    feature = "runtime",
    feature = "tracing-polls",
    all(feature = "tokio-hooks", tokio_unstable)
)))]
pub(crate) use unhooked::*;

#[cfg(not(any(
    feature = "runtime",
    feature = "tracing-polls",
    all(feature = "tokio-hooks", tokio_unstable)
)))]
mod unhooked {
    use std::ptr;

    use super::super::{CURRENT, Scope};
    use crate::clock::Ticks;

    /// No scope is ever detached without runtime hooks.
    pub(crate) struct Marks;

    impl Marks {
        #[cfg_attr(not(debug_assertions), inline(always))]
        pub(crate) const fn attached() -> Self {
            Marks
        }

        #[cfg_attr(not(debug_assertions), inline(always))]
        pub(crate) const fn is_detached(&self) -> bool {
            false
        }

        /// No worker scopes without the `runtime` feature.
        #[cfg_attr(not(debug_assertions), inline(always))]
        pub(crate) const fn records_outside_tasks(&self) -> bool {
            true
        }

        /// Every scope is timed without the `runtime` feature.
        #[cfg_attr(not(debug_assertions), inline(always))]
        pub(crate) const fn timed(&self) -> bool {
            true
        }
    }

    /// No span's poll is timed in a stretch without runtime hooks.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn before_change() {}

    /// Nothing to suspend without runtime hooks.
    #[derive(Clone, Copy)]
    pub(crate) struct Suspended;

    impl Suspended {
        #[cfg_attr(not(debug_assertions), inline(always))]
        pub(crate) fn of(_scope: *const Scope<'static>) -> Self {
            Suspended
        }

        /// Closes the thread's scope.
        #[cfg_attr(not(debug_assertions), inline(always))]
        pub(crate) fn resume(self, _start: Ticks, _end: Ticks) {
            CURRENT.with(|cell| cell.set(ptr::null()));
        }
    }
}

#[cfg(any(
    feature = "runtime",
    feature = "tracing-polls",
    all(feature = "tokio-hooks", tokio_unstable)
))]
mod hooked {
    use std::cell::{Cell, RefCell};
    use std::ptr;

    use super::super::{CURRENT, Scope, pre_poll_record};
    use crate::clock::{self, Ticks};
    use crate::functions::MonitoredFunction;
    use crate::watchdog::slot;

    /// What sets a detached scope apart.
    pub(crate) struct Marks {
        detached: bool,
        /// A worker scope: open for a worker's stretch between unpark and park (see the module
        /// docs), judged on its blocking calls only.
        worker: bool,
        /// Nanoseconds spent in monitored polls that suspended this scope.
        excluded_ns: Cell<u64>,
    }

    impl Marks {
        #[cfg_attr(not(debug_assertions), inline(always))]
        pub(crate) const fn attached() -> Self {
            Marks {
                detached: false,
                worker: false,
                excluded_ns: Cell::new(0),
            }
        }

        #[cfg_attr(not(debug_assertions), inline(always))]
        pub(crate) const fn is_detached(&self) -> bool {
            self.detached
        }

        /// Whether a blocking call made outside a task's poll is recorded: everywhere but in a
        /// worker scope, whose stretch also runs the scheduler, `spawn_blocking` closures (on a
        /// thread that lost its worker) and `block_in_place` closures.
        #[cfg_attr(not(debug_assertions), inline(always))]
        pub(crate) fn records_outside_tasks(&self) -> bool {
            !self.worker
        }

        /// Whether this scope's time counts (the watchdog's and the threshold's): never for a
        /// worker's stretch, which is not one poll.
        #[cfg_attr(not(debug_assertions), inline(always))]
        pub(crate) fn timed(&self) -> bool {
            !self.worker
        }
    }

    /// The detached scope a monitored poll suspended (null: none), and the poll the thread had
    /// shown the watchdog then (0: none): the detached scope's, or a span's poll timed in a
    /// worker's stretch (see `WorkerMark`).
    #[derive(Clone, Copy)]
    pub(crate) struct Suspended(*const Scope<'static>, u64);

    impl Suspended {
        #[cfg_attr(not(debug_assertions), inline(always))]
        pub(crate) fn of(scope: *const Scope<'static>) -> Self {
            // Only a poll nested in a detached scope asks what was published.
            let published = if scope.is_null() {
                0
            } else {
                slot::published()
            };
            Suspended(scope, published)
        }

        /// Gives the thread back to the suspended detached scope, if any, after a monitored poll
        /// that ran from `start` to `end`.
        #[cfg_attr(not(debug_assertions), inline(always))]
        pub(crate) fn resume(self, start: Ticks, end: Ticks) {
            CURRENT.with(|cell| cell.set(self.0));
            if !self.0.is_null() {
                // SAFETY: `self.0` was this thread's open detached scope when the monitored poll
                // began. It stays open, and its box in place, until the after-poll hook, which
                // runs only once the task's poll (and so this nested one) has returned.
                let detached = unsafe { &*self.0 };
                // The poll it was nested in goes on: the watchdog watches that one again.
                if self.1 != 0 {
                    slot::publish(Ticks::from_id(self.1));
                }
                before_change();
                let excluded = &detached.marks.excluded_ns;
                excluded.set(excluded.get().saturating_add(start.nanos_until(end)));
            }
        }
    }

    /// A thread's box for one kind of detached scope, kept from poll to poll so that opening one
    /// allocates only once per thread.
    type ScopeBox = RefCell<Option<Box<Scope<'static>>>>;

    // The cells below are written with `with(|cell| cell.set(..))`: `LocalKey::set` goes through
    // the lazy-initialisation path, which stayed an out-of-line call in the worker's hooks (two a
    // park and unpark, ~40 instructions).
    thread_local! {
        /// This thread's detached poll scope (opened by a task poll hook or a span's enter).
        static DETACHED: ScopeBox = const { RefCell::new(None) };
        /// Whether `DETACHED` is open (and `CURRENT` points into it).
        static OPEN: Cell<bool> = const { Cell::new(false) };
        /// This thread's worker scope (see `crate::runtime`), apart from the poll scope: a span's
        /// poll on a watched worker that needs an event gets the poll scope, with its calls moved
        /// out of the worker's (see `WorkerMark`).
        static WORKER: ScopeBox = const { RefCell::new(None) };
        /// The open worker scope in `WORKER` (null: none): `CURRENT` points to it when no poll
        /// scope suspends it.
        static WORKER_OPEN: Cell<*const Scope<'static>> = const { Cell::new(ptr::null()) };
        /// Set while a span's poll timed in this thread's stretch finds the stretch's record as it
        /// was when the poll began: its mark is then taken at the first change (see
        /// [`begin_span_poll`]). Cleared at a stretch's start and end.
        #[cfg(feature = "tracing-polls")]
        static SPAN_PENDING: Cell<bool> = const { Cell::new(false) };
        /// The mark of the span's poll timed in this thread's stretch, once something changed
        /// the record after the poll began.
        #[cfg(feature = "tracing-polls")]
        static SPAN_MARK: Cell<Option<WorkerMark>> = const { Cell::new(None) };
    }

    /// The scope `CURRENT` goes back to when a poll scope closes: the worker scope it suspended,
    /// if that is still open, else none.
    #[cfg(feature = "tracing-polls")]
    fn resumed() -> *const Scope<'static> {
        WORKER_OPEN.get()
    }

    /// Opens a detached scope for `site` on this thread, unless a scope is open already (tokio
    /// runs its hooks outside any poll, so that would be a poll nested in some other executor:
    /// the outer scope covers it). Frames above `executor_above` belong to the runtime.
    /// Returns the new scope's poll id (see `close_poll`), `None` when none was opened.
    #[cfg_attr(
        not(any(
            feature = "tracing-polls",
            all(feature = "tokio-hooks", tokio_unstable)
        )),
        allow(dead_code)
    )]
    pub(crate) fn open(site: &'static MonitoredFunction, executor_above: usize) -> Option<u64> {
        let current = CURRENT.get();
        if OPEN.get() || (!current.is_null() && current != WORKER_OPEN.get()) {
            // A poll scope opens on a thread with no scope, or inside a worker's stretch (which
            // it suspends until it closes); any other open scope covers it.
            return None;
        }
        let recorded = pre_poll_record();
        let opened = DETACHED.try_with(|slot| {
            // Not open (checked above), so nothing points into the box: it may be rewritten.
            let mut slot = slot.try_borrow_mut().ok()?;
            let scope = reset(
                &mut slot,
                site,
                clock::now(),
                executor_above,
                recorded,
                false,
            );
            Some(ptr::from_ref(scope))
        });
        let Ok(Some(scope)) = opened else {
            return None;
        };
        CURRENT.with(|cell| cell.set(scope));
        OPEN.with(|cell| cell.set(true));
        // SAFETY: `scope` points into this thread's box, just written.
        let start = unsafe { &*scope }.start.get();
        slot::publish(start);
        Some(start.id())
    }

    /// Opens a worker scope for `site` on this thread (see the module docs), unless a scope is
    /// open already.
    #[cfg(feature = "runtime")]
    pub(crate) fn open_worker(site: &'static MonitoredFunction) {
        if OPEN.get() || !CURRENT.get().is_null() || !WORKER_OPEN.get().is_null() {
            return;
        }
        // The box's cell taken out with a closure small enough to be inlined (a worker opens its
        // scope at every unpark).
        let Ok(cell) = WORKER.try_with(ptr::from_ref) else {
            return;
        };
        // SAFETY: the thread-local is alive (`try_with` succeeded) and stays so until this
        // thread's destructors run, which no hook call outlives; used on this thread only.
        let cell = unsafe { &*cell };
        let Ok(mut slot) = cell.try_borrow_mut() else {
            return;
        };
        // No frame spans the stretch: traces run to the bottom of the stack, where the user's
        // frames are found by the trace walk. The watchdog copies a span's poll (see
        // `WorkerMark`) up to there too: the stack's real top, never past it.
        let above = match crate::stack::top() {
            0 => usize::MAX,
            top => top,
        };
        let scope = ptr::from_ref(reset(&mut slot, site, clock::now(), above, None, true));
        drop(slot);
        CURRENT.with(|cell| cell.set(scope));
        WORKER_OPEN.with(|cell| cell.set(scope));
        forget_span_poll();
        #[cfg(worker_probes)]
        {
            // SAFETY: `scope` points into this thread's box, just written.
            slot::publish_stretch(unsafe { &*scope }.start.get());
        }
    }

    /// The thread's box for a detached scope, made ready for a poll of `site` that began at
    /// `start`: allocated at the thread's first such poll and reused by every later one, reset
    /// field by field (no whole scope built and moved in: a span's poll opens one at each
    /// enter). The box must not be open: nothing may point into it.
    #[inline]
    fn reset<'b>(
        slot: &'b mut Option<Box<Scope<'static>>>,
        site: &'static MonitoredFunction,
        start: Ticks,
        executor_above: usize,
        recorded: Option<Box<crate::emit::Recorded>>,
        worker: bool,
    ) -> &'b Scope<'static> {
        let scope: &mut Scope<'static> = slot.get_or_insert_with(|| Box::new(Scope::empty(site)));
        scope.start.set(start);
        scope.executor_above = executor_above;
        scope.outer = site;
        scope.current.set(site);
        scope.strict.set(site.options().strict());
        // Empty once judged; a provider's context, or nothing.
        *scope.recorded.get_mut() = recorded;
        scope.in_provider.set(false);
        scope.marks = Marks {
            detached: true,
            worker,
            excluded_ns: Cell::new(0),
        };
        scope
    }

    /// The poll id of this thread's open detached scope, if one is open.
    #[cfg(feature = "tracing-polls")]
    pub(crate) fn open_poll() -> Option<u64> {
        if !OPEN.get() {
            return None;
        }
        DETACHED
            .try_with(|slot| {
                let slot = slot.try_borrow().ok()?;
                slot.as_deref().map(|scope| scope.start.get().id())
            })
            .ok()
            .flatten()
    }

    /// Closes this thread's detached scope if it is the one [`open`] returned `poll` for: judged
    /// (named and given context by `opener` if it makes an event) when `judge`, else dropped
    /// unjudged. Returns whether it was open.
    #[cfg(feature = "tracing-polls")]
    pub(crate) fn close_poll(poll: u64, judge: bool, opener: &crate::emit::Opener<'_>) -> bool {
        if !OPEN.get() {
            return false;
        }
        let end = clock::now();
        let closed = DETACHED.try_with(|slot| {
            let slot = slot.try_borrow().ok()?;
            let scope = slot.as_deref()?;
            if scope.start.get().id() != poll {
                return None;
            }
            OPEN.with(|cell| cell.set(false));
            slot::clear_mine();
            CURRENT.with(|cell| cell.set(ptr::null()));
            if judge {
                let elapsed = scope
                    .start
                    .get()
                    .nanos_until(end)
                    .saturating_sub(scope.marks.excluded_ns.get());
                scope.judge_with(elapsed, false, Some(opener));
            } else if let Ok(mut recorded) = scope.recorded.try_borrow_mut() {
                *recorded = None;
            }
            Some(())
        });
        if !matches!(closed, Ok(Some(()))) {
            return false;
        }
        // After judging: callbacks run inline are not the worker's calls.
        CURRENT.with(|cell| cell.set(resumed()));
        true
    }

    /// Where a span's poll on a watched worker began in the worker's scope (see
    /// [`worker_mark`]).
    ///
    /// A span's poll there opens no scope of its own: it is timed, published for the watchdog,
    /// and its blocking calls go to the worker's scope as they are made. Only a poll that turns
    /// out to need an event (it recorded a call, or took the threshold) gets a scope, at its end,
    /// with its calls moved out of the worker's (see [`judge_worker_span`]): most polls report
    /// nothing, and a scope opened and judged at every enter and exit was most of what spans
    /// cost a request.
    #[cfg(feature = "tracing-polls")]
    #[derive(Clone, Copy)]
    pub(crate) struct WorkerMark {
        /// The stretch: the worker scope's poll id.
        stretch: u64,
        /// Calls the stretch had kept, and counted past the per-poll cap.
        events: u32,
        dropped: u32,
        /// Repeated calls the stretch had admitted (see `crate::repeats`): those admitted after
        /// are the span's poll's, and leave the stretch with it.
        admitted: u32,
        /// Time of monitored polls nested in the stretch so far.
        excluded_ns: u64,
    }

    #[cfg(feature = "tracing-polls")]
    impl WorkerMark {
        /// A mark after `events` kept calls, `dropped` counted ones and `admitted` repeats.
        #[cfg(test)]
        pub(crate) fn for_tests(events: u32, dropped: u32, admitted: u32) -> Self {
            WorkerMark {
                stretch: 1,
                events,
                dropped,
                admitted,
                excluded_ns: 0,
            }
        }
    }

    /// This thread's open worker scope, when it is the thread's open scope (no poll scope
    /// suspends it).
    #[cfg(feature = "tracing-polls")]
    #[inline]
    fn worker_scope() -> Option<&'static Scope<'static>> {
        let current = CURRENT.get();
        if current.is_null() || current != WORKER_OPEN.get() {
            return None;
        }
        // SAFETY: `WORKER_OPEN` points into this thread's worker box while its stretch is open
        // (until `close`, which no span callback runs inside); only shared references are made.
        Some(unsafe { &*current })
    }

    /// What a worker's stretch has recorded so far: calls kept, calls counted.
    #[cfg(feature = "tracing-polls")]
    #[inline]
    fn counts(scope: &Scope<'_>) -> (u32, u32, u32) {
        // SAFETY: no reference into the record is kept: lengths are read, with no code run in
        // between that could change them (a recording holds its borrow only while it pushes,
        // never across a subscriber callback).
        match unsafe { scope.recorded.try_borrow_unguarded() } {
            Ok(Some(r)) => (
                r.events.len() as u32,
                r.dropped as u32,
                r.admitted.len() as u32,
            ),
            _ => (0, 0, 0),
        }
    }

    /// Where the thread's stretch stands now (see [`WorkerMark`]), if its scope is the thread's
    /// open scope.
    #[cfg(feature = "tracing-polls")]
    #[inline]
    pub(crate) fn worker_mark() -> Option<WorkerMark> {
        worker_scope().map(mark_of)
    }

    /// The mark of the stretch `scope` as its record is now.
    #[cfg(feature = "tracing-polls")]
    #[inline]
    fn mark_of(scope: &Scope<'_>) -> WorkerMark {
        let (events, dropped, admitted) = counts(scope);
        WorkerMark {
            stretch: scope.start.get().id(),
            events,
            dropped,
            admitted,
            excluded_ns: scope.marks.excluded_ns.get(),
        }
    }

    /// The stretch open on this thread (its id), when its worker scope is the thread's open
    /// scope: where a span's poll is timed.
    #[cfg(feature = "tracing-polls")]
    #[inline]
    pub(crate) fn worker_stretch() -> Option<u64> {
        worker_scope().map(|scope| scope.start.get().id())
    }

    /// This thread's open worker scope, whether or not a poll scope suspends it.
    #[cfg(feature = "tracing-polls")]
    #[inline]
    fn stretch_scope() -> Option<&'static Scope<'static>> {
        // SAFETY: `WORKER_OPEN` points into this thread's worker box while its stretch is open
        // (see `worker_scope`); a nested poll may suspend the scope, it is still there.
        unsafe { WORKER_OPEN.get().as_ref() }
    }

    /// Whether `stretch` is still open on this thread (a monitored poll may suspend its scope:
    /// the stretch goes on meanwhile).
    #[cfg(feature = "tracing-polls")]
    #[inline]
    pub(crate) fn in_stretch(stretch: u64) -> bool {
        stretch_scope().is_some_and(|scope| scope.start.get().id() == stretch)
    }

    /// A span's poll begins in this thread's stretch (see [`worker_stretch`]). Its mark is not
    /// taken now: most polls record nothing, and the stretch's record stays as it is now unless
    /// something changes it, so the mark is taken at the first change (see [`before_change`]),
    /// or at the poll's end if it needs an event anyway.
    #[cfg(feature = "tracing-polls")]
    #[inline]
    pub(crate) fn begin_span_poll() {
        SPAN_PENDING.with(|cell| cell.set(true));
        SPAN_MARK.with(|cell| cell.set(None));
    }

    /// Ends the span's poll begun with [`begin_span_poll`]: whether the stretch's record is as
    /// it was when the poll began (nothing recorded, nothing nested, the stretch goes on: the
    /// mark, if one is needed, is [`worker_mark`] now). If not, [`changed_mark`] has the mark.
    #[cfg(feature = "tracing-polls")]
    #[inline]
    pub(crate) fn end_span_poll() -> bool {
        SPAN_PENDING.with(|cell| cell.replace(false))
    }

    /// The mark of the span's poll just ended by [`end_span_poll`] with the record changed:
    /// `None` when the stretch is over (the worker parked meanwhile: its calls were reported
    /// with it).
    #[cfg(feature = "tracing-polls")]
    #[inline]
    pub(crate) fn changed_mark() -> Option<WorkerMark> {
        SPAN_MARK.with(Cell::take)
    }

    /// Before a scope's record on this thread changes (a call recorded, calls forgotten, a nested
    /// monitored poll's time left out): a span's poll timed in the stretch takes its mark now if
    /// it has not yet, while the stretch's record is still as it was when the poll began.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn before_change() {
        #[cfg(feature = "tracing-polls")]
        if SPAN_PENDING.get() {
            mark_before_change();
        }
    }

    #[cfg(feature = "tracing-polls")]
    #[cold]
    #[inline(never)]
    fn mark_before_change() {
        SPAN_PENDING.with(|cell| cell.set(false));
        SPAN_MARK.with(|cell| cell.set(stretch_scope().map(mark_of)));
    }

    /// Ends the span's poll begun with [`begin_span_poll`] without judging it (dropped as stale);
    /// no span's poll goes on across a stretch's start or end either.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn forget_span_poll() {
        #[cfg(feature = "tracing-polls")]
        {
            SPAN_PENDING.with(|cell| cell.set(false));
            SPAN_MARK.with(|cell| cell.set(None));
        }
    }

    /// Since `mark`, in its stretch: whether a call was recorded, and the time of nested
    /// monitored polls. `None` when the stretch is over (the worker parked meanwhile: its calls
    /// were reported with it).
    #[cfg(feature = "tracing-polls")]
    #[inline]
    pub(crate) fn worker_since(mark: &WorkerMark) -> Option<(bool, u64)> {
        let scope = worker_scope()?;
        if scope.start.get().id() != mark.stretch {
            return None;
        }
        let (events, dropped, _) = counts(scope);
        let recorded = (events, dropped) != (mark.events, mark.dropped);
        let excluded = scope
            .marks
            .excluded_ns
            .get()
            .saturating_sub(mark.excluded_ns);
        Some((recorded, excluded))
    }

    /// Names the calls the stretch recorded since `mark` under the worker's name by `site`
    /// instead (a span entered inside a span's poll: its calls are its own, as a nested
    /// monitored function's are).
    #[cfg(feature = "tracing-polls")]
    pub(crate) fn name_worker_calls(mark: &WorkerMark, site: &'static MonitoredFunction) {
        let Some(scope) = worker_scope() else {
            return;
        };
        let worker = *scope.outer.info();
        if let Ok(mut slot) = scope.recorded.try_borrow_mut()
            && let Some(recorded) = slot.as_mut()
            && let Some(since) = recorded.events.get_mut(mark.events as usize..)
        {
            for event in since.iter_mut().filter(|event| event.function == worker) {
                event.function = *site.info();
            }
        }
    }

    /// Judges a span's poll on a watched worker that began at `start` with `mark` and took
    /// `elapsed_ns`: the calls its stretch recorded since are moved out into this thread's poll
    /// scope (named, as a span's scope is, by `site` until `opener` names the event), which is
    /// judged at once. The stretch keeps the calls made outside the span.
    #[cfg(feature = "tracing-polls")]
    pub(crate) fn judge_worker_span(
        site: &'static MonitoredFunction,
        start: Ticks,
        mark: &WorkerMark,
        elapsed_ns: u64,
        executor_above: usize,
        opener: &crate::emit::Opener<'_>,
    ) {
        let Some(worker) = worker_scope() else {
            return;
        };
        if OPEN.get() || worker.start.get().id() != mark.stretch {
            return;
        }
        let moved = worker
            .recorded
            .try_borrow_mut()
            .ok()
            .and_then(|mut slot| split_since(slot.as_mut()?, mark, worker.outer, site));
        let judged = DETACHED.try_with(|slot| {
            let Ok(mut slot) = slot.try_borrow_mut() else {
                return;
            };
            let scope = reset(&mut slot, site, start, executor_above, moved, false);
            // Callbacks run inline while it is judged are not the worker's calls.
            CURRENT.with(|cell| cell.set(ptr::null()));
            scope.judge_with(elapsed_ns, false, Some(opener));
        });
        let _ = judged;
        CURRENT.with(|cell| cell.set(ptr::from_ref(worker)));
    }

    /// Takes the calls `recorded` (a stretch's) holds since `mark` into a poll's record, those
    /// named by the stretch's `worker` site renamed `site`.
    #[cfg(feature = "tracing-polls")]
    pub(super) fn split_since(
        recorded: &mut crate::emit::Recorded,
        mark: &WorkerMark,
        worker: &MonitoredFunction,
        site: &MonitoredFunction,
    ) -> Option<Box<crate::emit::Recorded>> {
        let from = (mark.events as usize).min(recorded.events.len());
        let dropped = recorded.dropped.saturating_sub(mark.dropped as usize);
        if from == recorded.events.len() && dropped == 0 {
            return None;
        }
        let mut events = recorded.events.split_off(from);
        let worker = *worker.info();
        let mut score = 0u32;
        for event in &mut events {
            if event.function == worker {
                event.function = *site.info();
            }
            score = score.saturating_add(event.weight);
        }
        recorded.dropped -= dropped;
        recorded.score = recorded.score.saturating_sub(score);
        // The repeats the span's poll admitted are its own: the next poll asks again, as a
        // monitored poll does (left with the stretch, every later span poll of the stretch would
        // report them).
        let admitted = recorded
            .admitted
            .split_off((mark.admitted as usize).min(recorded.admitted.len()));
        // The context captured at the stretch's first call belongs to the span's poll if that
        // call was made in it.
        let context = if from == 0 && mark.dropped == 0 {
            recorded.context.take()
        } else {
            None
        };
        Some(Box::new(crate::emit::Recorded {
            events,
            dropped,
            score,
            context,
            pre_context: None,
            forced_strict: recorded.forced_strict,
            admitted,
        }))
    }

    /// Closes and judges this thread's detached scopes: the poll scope of a task poll hook, or
    /// the worker scope at a park or stop. It never panics: strict mode cannot unwind out of a
    /// runtime hook (monitored futures inside the task still can).
    ///
    /// A poll scope still open over a worker scope at a park or stop was opened by a span whose
    /// guard is held across an `.await` (a span's poll ends before its task's poll returns): it
    /// is judged (its calls keep their call sites), and the worker's stretch is reported too,
    /// rather than running on into the next stretch (or being lost when the thread stops).
    #[cfg_attr(
        not(any(feature = "runtime", all(feature = "tokio-hooks", tokio_unstable))),
        allow(dead_code)
    )]
    pub(crate) fn close() {
        let worker = WORKER_OPEN.with(|cell| cell.replace(ptr::null()));
        if OPEN.with(|cell| cell.replace(false)) {
            let end = clock::now();
            CURRENT.with(|cell| cell.set(ptr::null()));
            let _ = DETACHED.try_with(|slot| {
                if let Ok(slot) = slot.try_borrow()
                    && let Some(scope) = slot.as_deref()
                {
                    slot::clear_mine();
                    let elapsed = scope
                        .start
                        .get()
                        .nanos_until(end)
                        .saturating_sub(scope.marks.excluded_ns.get());
                    scope.judge(elapsed, false);
                }
            });
        }
        if worker.is_null() {
            return;
        }
        forget_span_poll();
        // A span's poll still published (its guard held across an `.await`) is over: no poll
        // runs on a parking or stopping thread.
        #[cfg(feature = "tracing-polls")]
        slot::clear_mine();
        CURRENT.with(|cell| cell.set(ptr::null()));
        #[cfg(worker_probes)]
        slot::clear_stretch();
        // The box is freed with the thread's thread-locals: never read after that.
        if WORKER.try_with(|_| ()).is_err() {
            return;
        }
        // SAFETY: `worker` was this thread's open worker scope, in its box (see `open_worker`),
        // which is still allocated (checked above) and never replaced while open; only shared
        // references are made.
        let scope = unsafe { &*worker };
        // Most stretches record nothing: nothing to judge (the record is made at the first call,
        // or up front when context providers exist).
        // SAFETY: no reference into the record is kept (a look at whether there is one).
        if matches!(unsafe { scope.recorded.try_borrow_unguarded() }, Ok(None)) {
            return;
        }
        // Only the blocking calls count: a stretch of a busy worker is long and healthy (the
        // watchdog's probes find its slow polls). Its time is the time they blocked.
        scope.judge(scope.blocked_ns(), false);
    }

    /// Whether a blocking call made now is made inside a task's poll (a worker scope records only
    /// those): an unreadable budget counts as inside, so a call is recorded rather than missed.
    #[cfg(feature = "runtime")]
    pub(crate) fn in_task_poll() -> bool {
        crate::coop::task_budget().unwrap_or(true)
    }
}

#[cfg(all(test, feature = "tracing-polls"))]
mod tests {
    use std::panic::Location;

    use super::hooked::{WorkerMark, split_since};
    use crate::emit::Recorded;
    use crate::event::RawBlockingEvent;
    use crate::functions::{FunctionInfo, MonitorOptions, MonitoredFunction};
    use crate::trace::Trace;

    static WORKER: MonitoredFunction = MonitoredFunction::new(
        FunctionInfo::new("<tokio worker>", "", "<tokio worker>", 0),
        MonitorOptions::DEFAULT,
    );
    static SPAN: MonitoredFunction = MonitoredFunction::new(
        FunctionInfo::new("<span>", "", "<unknown>", 0),
        MonitorOptions::DEFAULT,
    );
    static INNER: MonitoredFunction = MonitoredFunction::new(
        FunctionInfo::new("inner_span", "", "<unknown>", 0),
        MonitorOptions::DEFAULT,
    );

    fn call(text: &str, weight: u32, function: &MonitoredFunction) -> RawBlockingEvent {
        RawBlockingEvent {
            operation: "std::fs::read",
            text: text.to_owned(),
            weight,
            location: Location::caller(),
            function: *function.info(),
            trace: Trace::empty(),
            origin: None,
            duration_ns: None,
        }
    }

    fn texts(recorded: &Recorded) -> Vec<&str> {
        recorded.events.iter().map(|e| e.text.as_str()).collect()
    }

    /// A stretch with one call before the span's poll and two in it (one renamed by a nested
    /// span): the two leave with their weight, the repeats admitted in the poll and nothing of the
    /// stretch's context; the stretch keeps its call, its weight and its admissions.
    #[test]
    fn the_calls_of_a_span_poll_leave_the_stretch_with_what_is_theirs() {
        let mut stretch = Recorded {
            events: vec![call("before", 10, &WORKER)],
            score: 10,
            admitted: vec![1],
            context: Some(crate::context::Context::new()),
            ..Recorded::default()
        };
        let mark = WorkerMark::for_tests(1, 0, 1);
        stretch.events.push(call("in-span", 50, &WORKER));
        stretch.events.push(call("in-inner-span", 20, &INNER));
        stretch.admitted.push(2);
        stretch.dropped = 3;
        stretch.score += 70;

        let moved = split_since(&mut stretch, &mark, &WORKER, &SPAN).expect("calls moved");
        assert_eq!(texts(&stretch), ["before"]);
        assert_eq!((stretch.score, stretch.dropped), (10, 0));
        assert_eq!(stretch.admitted, [1]);
        assert!(
            stretch.context.is_some(),
            "the first call was the stretch's"
        );

        assert_eq!(texts(&moved), ["in-span", "in-inner-span"]);
        assert_eq!(
            moved.events[0].function,
            *SPAN.info(),
            "the worker's name replaced"
        );
        assert_eq!(
            moved.events[1].function,
            *INNER.info(),
            "a nested span's name kept"
        );
        assert_eq!((moved.score, moved.dropped), (70, 3));
        assert_eq!(moved.admitted, [2]);
        assert!(moved.context.is_none());
    }

    /// The stretch's first call made in the span's poll: the context captured then is the poll's.
    #[test]
    fn the_context_of_a_first_call_leaves_with_it() {
        let mut stretch = Recorded {
            events: vec![call("in-span", 50, &WORKER)],
            score: 50,
            context: Some(crate::context::Context::new()),
            ..Recorded::default()
        };
        let moved = split_since(
            &mut stretch,
            &WorkerMark::for_tests(0, 0, 0),
            &WORKER,
            &SPAN,
        )
        .expect("calls moved");
        assert!(moved.context.is_some());
        assert!(stretch.context.is_none());
        assert!(stretch.events.is_empty());
        // Nothing since the mark: nothing to move.
        assert!(
            split_since(
                &mut stretch,
                &WorkerMark::for_tests(0, 0, 0),
                &WORKER,
                &SPAN
            )
            .is_none()
        );
    }
}
