//! Taking a stack sample of another thread: supported on Linux x86_64 (a signal to the sampled
//! thread, a stack copy in the handler, DWARF unwinding on the watchdog thread). Elsewhere the
//! watchdog reports itself unavailable.

use crate::monitor::FunctionInfo;

/// A sample of a running poll.
pub(crate) struct Captured {
    /// Instruction pointers, innermost first (see `unwind::Modules::unwind`).
    pub(crate) ips: Vec<usize>,
    /// The outermost monitored function of the sampled poll.
    pub(crate) function: FunctionInfo,
}

/// The outcome of one attempt.
pub(crate) enum Capture {
    Taken(Captured),
    /// The poll ended first, the thread did not take the signal in time, or another capture was
    /// under way.
    Missed,
}

#[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]
mod linux;
#[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]
mod unwind;
#[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]
pub(crate) use linux::{Capturer, current_tid, wait_for_capture};

#[cfg(not(all(target_os = "linux", target_arch = "x86_64", not(miri))))]
mod unsupported {
    use super::Capture;
    use crate::watchdog::slot::Slot;

    /// Why the watchdog cannot run here.
    pub(crate) const UNSUPPORTED: &str =
        "stack sampling is supported on Linux x86_64 only in this version";

    pub(crate) struct Capturer;

    impl Capturer {
        pub(crate) fn new() -> Result<Self, String> {
            Err(UNSUPPORTED.to_owned())
        }

        pub(crate) fn capture(&mut self, _slot: &'static Slot, _poll: u64) -> Capture {
            Capture::Missed
        }

        pub(crate) fn release(&mut self) {}
    }

    pub(crate) fn current_tid() -> Option<i32> {
        None
    }

    pub(crate) fn wait_for_capture(_slot: *const Slot, _poll: u64) {}
}
#[cfg(not(all(target_os = "linux", target_arch = "x86_64", not(miri))))]
pub(crate) use unsupported::{Capturer, current_tid, wait_for_capture};
