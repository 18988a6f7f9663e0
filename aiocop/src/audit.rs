//! `audit`: the Rust `sys.audit`. Shims and user code call it to say "a blocking call happens
//! here"; inside a monitored poll the call is recorded, outside one it costs one thread-local read.

use std::fmt::{self, Write};
use std::panic::Location;

use crate::scope;

/// Longest text kept of one argument, in characters (as in the reference).
pub const MAX_ARGUMENT_CHARS: usize = 100;

/// Records a blocking call made by the caller: `operation` is its name
/// (`"std::fs::read"`, `"mylib::sync_query"`), `weight` its severity weight, `args` the arguments
/// worth showing (each cut at 100 characters). The call site comes from `#[track_caller]`, so a
/// helper marked `#[track_caller]` itself reports its own caller.
///
/// Any name records, registered or not; a weight set for the name at start-up
/// ([`register_blocking_event`](crate::register_blocking_event),
/// [`override_weight`](crate::override_weight)) replaces `weight`.
///
/// Inside a monitored poll (after [`start_blocking_io_detection`](crate::start_blocking_io_detection)),
/// the event is added to the poll's report, with a stack trace at trace depth above 0. Anywhere
/// else it returns after one thread-local read.
///
/// ```
/// use std::path::Path;
///
/// #[track_caller]
/// fn legacy_query(sql: &str) -> usize {
///     aiocop::audit("mylib::legacy_query", aiocop::WEIGHT_HEAVY, &[&sql]);
///     sql.len() // the real, blocking work
/// }
/// assert_eq!(legacy_query("SELECT 1"), 8);
/// ```
#[track_caller]
#[inline]
pub fn audit(operation: &'static str, weight: u32, args: &[&dyn fmt::Display]) {
    scope::record(operation, weight, args, Location::caller());
}

/// Whether a call to [`audit`] right now would be recorded (a monitored poll is open on this
/// thread). Lets callers skip building expensive arguments.
#[inline]
pub fn is_auditing() -> bool {
    scope::in_monitored_poll() && crate::config::detection_started()
}

/// The weight an event is recorded with: the weight configured for its name at start-up
/// ([`override_weight`](crate::override_weight), [`register_blocking_event`](crate::register_blocking_event)),
/// else the weight the caller passed.
#[inline]
pub(crate) fn effective_weight(operation: &str, weight: u32) -> u32 {
    crate::blocking_events::configured_weight(operation).unwrap_or(weight)
}

/// Whether a shim called right now records its operation: inside a monitored poll (checked
/// first: one thread-local read), after [`patch_audit_functions`](crate::patch_audit_functions)
/// and [`start_blocking_io_detection`](crate::start_blocking_io_detection). Shims whose argument
/// text needs work beyond formatting (resolving addresses) ask this first.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn shim_records() -> bool {
    scope::in_monitored_poll() && shims_switched_on()
}

#[cold]
#[inline(never)]
fn shims_switched_on() -> bool {
    crate::config::are_audit_functions_patched() && crate::config::detection_started()
}

/// Records a catalog operation on behalf of a shim, after the shim found a monitored poll open.
/// Kept out of line so the shim's fast path stays std plus one thread-local read.
#[cold]
#[inline(never)]
pub(crate) fn record_op(
    op: &'static aiocop_lints::BlockingOp,
    args: &[&dyn fmt::Display],
    location: &'static Location<'static>,
) {
    if crate::config::are_audit_functions_patched() {
        scope::record(op.event, op.weight, args, location);
    }
}

/// `a, b, c`, each argument cut at [`MAX_ARGUMENT_CHARS`] characters without formatting more of
/// it than that.
pub(crate) fn format_args_list(args: &[&dyn fmt::Display]) -> String {
    let mut out = String::new();
    format_args_into(&mut out, args);
    out
}

/// Appends `a, b, c` to `out` (see [`format_args_list`]).
pub(crate) fn format_args_into(out: &mut String, args: &[&dyn fmt::Display]) {
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let mut w = Truncating {
            out,
            left: MAX_ARGUMENT_CHARS,
        };
        // `Truncating` stops accepting text at the limit by returning an error; that error only
        // means "cut here".
        let _ = write!(w, "{arg}");
    }
}

struct Truncating<'a> {
    out: &'a mut String,
    left: usize,
}

impl Write for Truncating<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        match s.char_indices().nth(self.left) {
            Some((cut, _)) => {
                self.out.push_str(&s[..cut]);
                self.left = 0;
                Err(fmt::Error)
            }
            None => {
                self.left -= s.chars().count();
                self.out.push_str(s);
                Ok(())
            }
        }
    }
}
