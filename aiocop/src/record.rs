//! Recording: the one entry point through which every blocking call reaches a poll's report, and
//! the one place that decides whether it does.
//!
//! Callers (the [`audit`](crate::audit()) function, the shims, the probes, `#[aiocop::blocking]`
//! functions) check [`in_scope`] inline (one thread-local read: the whole cost outside a
//! monitored poll) and then call [`record`], kept out of line, which owns every other check in
//! this order: the source's switch (detection started; for catalog operations also
//! `patch_audit_functions`), a context provider running (its calls are not the task's),
//! `#[aiocop::allow_blocking]`, the function's `allow(..)` list, the configured weight. The scope
//! then stores the event (or only counts it past the per-poll cap).

use std::fmt;
use std::panic::Location;

use crate::scope;
use crate::settings;
pub(crate) use crate::text::Args;

/// Who announces a call; decides which switch applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// [`audit`](crate::audit()) and `#[aiocop::blocking]` functions: recorded once detection is
    /// started.
    Audit,
    /// A catalog operation through a shim or a probe: also needs `patch_audit_functions`, the
    /// reference's "patch the std functions" step.
    Catalog,
}

/// Whether a monitored poll is open on this thread: the inline check before [`record`].
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn in_scope() -> bool {
    scope::in_monitored_poll()
}

/// Whether a call from `source` right now would be recorded (before the per-call checks of
/// [`record`]): a monitored poll is open (checked first: one thread-local read) and the source is
/// switched on. Lets callers skip building arguments.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn would_record(source: Source) -> bool {
    in_scope() && switched_on(source)
}

/// Whether a call to [`audit`](crate::audit()) right now would be recorded (a monitored poll is
/// open on this thread and detection is started). Lets callers skip building expensive arguments.
#[inline]
pub fn is_auditing() -> bool {
    would_record(Source::Audit)
}

#[cfg_attr(not(debug_assertions), inline(always))]
fn switched_on(source: Source) -> bool {
    settings::detection_started()
        && (source == Source::Audit || settings::are_audit_functions_patched())
}

/// Whether a catalog call recorded now would keep its arguments' text: recording, the poll has
/// room under the per-poll cap, and arguments are captured. Past the cap an event is only
/// counted, so the probes do not make its text.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn shows_arguments() -> bool {
    scope::keeps_next_event() && switched_on(Source::Catalog) && settings::capture_arguments()
}

/// Records a blocking call from `source` into this thread's open scope, if every check passes
/// (see the module). Nothing outside a monitored poll.
#[cold]
#[inline(never)]
pub(crate) fn record(
    source: Source,
    operation: &'static str,
    weight: u32,
    args: Args<'_>,
    location: &'static Location<'static>,
) {
    if switched_on(source) {
        record_switched_on(operation, weight, args, location);
    }
}

/// [`record`] for a caller that has just checked [`would_record`] (the probes).
#[cold]
#[inline(never)]
pub(crate) fn record_switched_on(
    operation: &'static str,
    weight: u32,
    args: Args<'_>,
    location: &'static Location<'static>,
) {
    accept(operation, weight, args, location, false, None);
}

/// Records a blocking libc call that interception caught (the interposed function checked that
/// interception is live and the call is not a shim's or a probe's): its entry point is found
/// later from its stack, not from a call site.
#[cfg_attr(
    not(all(feature = "intercept", target_os = "linux", target_arch = "x86_64")),
    allow(dead_code)
)]
#[cold]
#[inline(never)]
pub(crate) fn record_intercepted(
    operation: &'static str,
    weight: u32,
    args: &[&dyn fmt::Display],
    identity: Option<u64>,
) {
    if settings::detection_started() {
        accept(
            operation,
            weight,
            Args::Display(args),
            Location::caller(),
            true,
            identity,
        );
    }
}

/// The per-call checks, then the scope stores the call. Inlined into each entry point: a traced
/// call's stack walk then crosses one frame of aiocop's between the caller and the capture.
#[inline(always)]
fn accept(
    operation: &'static str,
    weight: u32,
    args: Args<'_>,
    location: &'static Location<'static>,
    intercepted: bool,
    identity: Option<u64>,
) {
    scope::with_open(|scope| {
        if scope.in_provider() || crate::suppress::is_allowed() || scope.ignores_calls_here() {
            return;
        }
        if scope.function().options().allows(operation) {
            return;
        }
        let weight = crate::weights::configured_weight(operation).unwrap_or(weight);
        scope.push(operation, weight, args, location, intercepted, identity);
    });
}
