//! Emission: turns a finished poll's record into one [`SlowTaskEvent`] and hands it to the sinks
//! (collectors, strict mode, delivery to the callbacks). Called by the scope when a poll that
//! recorded blocking calls, or took the threshold, ends.

use std::time::Duration;

use crate::context::{self, Context};
use crate::event::{RawBlockingEvent, Reason, SlowTaskEvent, StackSamples};
use crate::functions::MonitoredFunction;
use crate::{collect, delivery, strict, watchdog};

/// What one poll has recorded so far.
#[derive(Default)]
pub(crate) struct Recorded {
    pub(crate) events: Vec<RawBlockingEvent>,
    pub(crate) dropped: usize,
    pub(crate) score: u32,
    /// Context captured at the first blocking event.
    pub(crate) context: Option<Context>,
    /// Context captured before the poll (only when providers exist).
    pub(crate) pre_context: Option<Context>,
    /// An event was recorded while strict mode was on: inside a monitored function with `strict`
    /// (or one it awaits), or with the thread's or task's switch on.
    pub(crate) forced_strict: bool,
    /// The intercepted calls (their `repeats` keys) this poll reports: their later occurrences in
    /// the poll are recorded without asking again.
    pub(crate) admitted: Vec<u64>,
}

/// What the opener of a detached scope (a tracing span's poll) tells an event about the poll,
/// asked for only when the poll makes one: so that a poll that reports nothing pays nothing for
/// its name or its context.
pub(crate) struct Opener<'a> {
    /// Context under the providers' (the span's fields).
    pub(crate) context: &'a dyn Fn() -> Context,
    /// The site the event is named by (the span's name and name fields), in place of the scope's.
    pub(crate) site: &'a dyn Fn() -> &'static MonitoredFunction,
}

#[cold]
#[inline(never)]
pub(crate) fn emit(
    site: &MonitoredFunction,
    recorded: Recorded,
    elapsed: Duration,
    threshold: Duration,
    may_raise: bool,
    poll: u64,
    opener: Option<&Opener<'_>>,
) {
    // A poll named by its opener: the calls recorded under the scope's stand-in site are its.
    let placeholder = site.info();
    let site = opener.map_or(site, |opener| (opener.site)());
    let mut events = recorded.events;
    if !std::ptr::eq(placeholder, site.info()) {
        for event in &mut events {
            if event.function == *placeholder {
                event.function = *site.info();
            }
        }
    }
    let io = !events.is_empty() || recorded.dropped > 0;
    let context = if io {
        recorded.context.unwrap_or_default()
    } else {
        let mut merged = recorded.pre_context.unwrap_or_default();
        if context::has_providers() {
            merged.merge(context::capture());
        }
        merged
    };
    // Context the poll's opener knows (a span's fields), under what the providers captured.
    let context = match opener {
        Some(opener) => {
            let mut merged = (opener.context)();
            merged.merge(context);
            merged
        }
        None => context,
    };
    // The request id of the tower layer's request being polled, if any: added here, when an
    // event is built, so requests that report nothing pay nothing for it.
    let context = context::add_request_id(context);
    let event = SlowTaskEvent {
        elapsed,
        threshold,
        severity_score: if io { recorded.score } else { 0 },
        reason: if io {
            Reason::IoBlocking
        } else {
            Reason::CpuBlocking
        },
        blocking_events: events
            .into_iter()
            .map(RawBlockingEvent::into_info)
            .collect(),
        dropped_events: recorded.dropped,
        context,
        function: *site.info(),
        cpu_samples: StackSamples::new(watchdog::take_samples(poll)),
    };
    collect::offer(&event);
    let raise = may_raise && strict::is_violation(&event, recorded.forced_strict);
    let background = delivery::deliver_in_background();
    if raise {
        delivery::deliver(event.clone(), background);
        strict::raise(event);
    }
    delivery::deliver(event, background);
}

/// A slow poll the watchdog saw on a worker thread of an instrumented runtime (see
/// `watchdog::workers`): one CPU event for `site` (the worker), with the task's id and the thread's
/// name in its context, delivered from the watchdog's thread. No thread-local collector sees it
/// (it is not built on the worker), and strict mode does not raise it (a CPU event has no
/// severity).
#[cfg(worker_probes)]
pub(crate) fn emit_worker_stall(site: &MonitoredFunction, stall: watchdog::workers::WorkerStall) {
    if !crate::settings::is_active() {
        return;
    }
    let mut context = Context::new();
    if let Some(task) = stall.task {
        context.insert("tokio.task_id", task);
    }
    if let Some(thread) = stall.thread {
        context.insert("thread.name", thread);
    }
    let event = SlowTaskEvent {
        elapsed: stall.elapsed,
        threshold: stall.threshold,
        severity_score: 0,
        reason: Reason::CpuBlocking,
        blocking_events: Vec::new(),
        dropped_events: 0,
        context,
        function: *site.info(),
        cpu_samples: StackSamples::new(stall.samples),
    };
    delivery::deliver(event, delivery::deliver_in_background());
}
