//! `audit`: the Rust `sys.audit`. Shims and user code call it to say "a blocking call happens
//! here"; inside a monitored poll the call is recorded, outside one it costs one thread-local read.

use std::fmt;
use std::panic::Location;

use crate::functions::BlockingFunction;
use crate::record::{self, Args, Source};

/// Records a blocking call made by the caller: `operation` is its name
/// (`"std::fs::read"`, `"mylib::sync_query"`), `weight` its severity weight, `args` the arguments
/// worth showing (each cut at 100 characters). The call site comes from `#[track_caller]`, so a
/// helper marked `#[track_caller]` itself reports its own caller.
///
/// Any name records, registered or not; a weight set for the name at start-up
/// ([`register_blocking_event`](crate::operations::register_blocking_event),
/// [`override_weight`](crate::operations::override_weight)) replaces `weight`.
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
    if record::in_scope() {
        record::record(
            Source::Audit,
            operation,
            weight,
            Args::Display(args),
            Location::caller(),
        );
    }
}

impl BlockingFunction {
    /// Records one call, located at the caller of the `#[track_caller]` function this is called
    /// from.
    #[track_caller]
    #[inline]
    pub fn record(&'static self) {
        audit(self.event(), self.weight(), &[]);
    }
}
