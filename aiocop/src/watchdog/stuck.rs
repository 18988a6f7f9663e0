//! Stuck polls: a monitored poll still running past the stuck limit is reported while it runs,
//! once, through its own callbacks (or on stderr when there are none), so a frozen service still
//! says where it is frozen.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::functions::FunctionInfo;
use crate::registry::Registry;
use crate::report;
use crate::trace::Trace;

/// A monitored poll that has been running for longer than the stuck limit
/// ([`CpuSampling::stuck_after`](crate::watchdog::CpuSampling::stuck_after)), reported by the watchdog while
/// the poll is still running: a deadlock on a sync mutex, a blocking `recv` that never returns, an
/// endless loop.
#[derive(Debug, Clone)]
pub struct StuckPoll {
    pub(crate) function: FunctionInfo,
    pub(crate) elapsed: Duration,
    pub(crate) limit: Duration,
    pub(crate) thread: Option<String>,
    pub(crate) trace: Trace,
}

impl StuckPoll {
    /// The outermost monitored function of the stuck poll.
    pub fn function(&self) -> &FunctionInfo {
        &self.function
    }

    /// How long the poll had been running when it was sampled.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The stuck limit it went past.
    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// The name of the thread running the poll, if it has one.
    pub fn thread_name(&self) -> Option<&str> {
        self.thread.as_deref()
    }

    /// Where the poll is: its stack, innermost frame first, from the poll's own code down to
    /// whatever it is blocked in (a system call, a lock, a loop).
    pub fn trace(&self) -> &Trace {
        &self.trace
    }
}

impl fmt::Display for StuckPoll {
    /// `poll of F stuck for 1.2 s (limit 1 s) on thread 'name'`, then the stack.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "poll of {} stuck for {:.1?} (limit {:?})",
            self.function, self.elapsed, self.limit
        )?;
        if let Some(thread) = &self.thread {
            write!(f, " on thread '{thread}'")?;
        }
        for frame in self.trace.frames() {
            write!(f, "\n    at {frame}")?;
        }
        Ok(())
    }
}

type StuckFn = dyn Fn(&StuckPoll) + Send + Sync;

static CALLBACKS: Registry<StuckFn> = Registry::new();

/// Identifies a registered stuck-poll callback; pass it to [`unregister_stuck_poll_callback`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StuckPollHandle(u64);

/// Registers a callback for [`StuckPoll`] reports. It runs on the watchdog thread, while the poll
/// is still stuck; keep it short (log, alert, dump state). Without any callback, reports go to
/// stderr. A callback that panics is reported on stderr and the others still run.
///
/// ```
/// let handle = aiocop::watchdog::register_stuck_poll_callback(|stuck| {
///     eprintln!("{stuck}");
/// });
/// assert!(aiocop::watchdog::unregister_stuck_poll_callback(handle));
/// ```
pub fn register_stuck_poll_callback<F>(callback: F) -> StuckPollHandle
where
    F: Fn(&StuckPoll) + Send + Sync + 'static,
{
    StuckPollHandle(CALLBACKS.insert(Arc::new(callback)))
}

/// Removes a stuck-poll callback; `false` if it was not (or no longer) registered.
pub fn unregister_stuck_poll_callback(handle: StuckPollHandle) -> bool {
    CALLBACKS.remove(handle.0)
}

/// Removes every stuck-poll callback (reports then go to stderr).
pub fn clear_stuck_poll_callbacks() {
    CALLBACKS.clear();
}

/// Hands `stuck` to the callbacks, or to stderr when there are none.
pub(crate) fn report(stuck: &StuckPoll) {
    if CALLBACKS.is_empty() {
        report::warn(format_args!("{stuck}"));
        return;
    }
    CALLBACKS.call_each("stuck-poll callback", |callback| callback(stuck));
}

/// For [`crate::fork`]: the registry's lock, held.
pub(crate) fn hold_for_fork() -> Box<dyn std::any::Any> {
    CALLBACKS.hold()
}
