//! Taking a stack sample of another thread: supported on Linux x86_64 (a thread blocked in the
//! kernel is read through `/proc` without a signal; a thread running user code gets a signal from
//! a timer on its CPU-time clock, and the handler copies the stack; DWARF unwinding on the
//! watchdog thread). Elsewhere the watchdog
//! reports itself unavailable.

use crate::functions::FunctionInfo;

/// A sample of a running poll.
pub(crate) struct Captured {
    /// Instruction pointers, innermost first (see `unwind::Modules::unwind`).
    pub(crate) ips: Vec<usize>,
    /// The outermost monitored function of the sampled poll.
    pub(crate) function: FunctionInfo,
}

/// What a probe of a worker brought (see `Capturer::probe`).
#[cfg(worker_probes)]
#[cfg_attr(
    not(all(target_os = "linux", target_arch = "x86_64", not(miri))),
    allow(dead_code)
)]
pub(crate) enum Probe {
    /// The answer to the last probe.
    Answered(Probed),
    /// No answer yet: a probe is on its way, or the thread is between two.
    Waiting,
    /// The thread waits in the kernel: not probed.
    Blocked,
}

/// A worker probe's answer.
#[cfg(worker_probes)]
pub(crate) struct Probed {
    /// The task and budget found.
    pub(crate) probe: crate::coop::WorkerProbe,
    /// When the handler ran.
    pub(crate) at: crate::clock::Ticks,
    /// The stack, unwound (innermost first), if the probe copied it.
    pub(crate) ips: Option<Vec<usize>>,
}

/// The outcome of one attempt.
pub(crate) enum Capture {
    #[cfg_attr(
        not(all(target_os = "linux", target_arch = "x86_64", not(miri))),
        allow(dead_code)
    )]
    Taken(Captured),
    /// Nothing this round: the poll ended first, the thread ran while its stack was copied, or a
    /// signal was requested (its copy comes at a later round).
    Missed,
}

#[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]
mod blocked;
#[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]
mod linux;
#[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]
mod signal;
#[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]
mod unwind;
#[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]
pub(crate) use linux::Capturer;
#[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]
pub(crate) use signal::{counters, current_tid, poll_ended};

/// Keeps a child forked at any moment consistent (see `watchdog::fork`): in the parent, locks
/// the capture's own state while the fork copies it; in the child, forgets captures under way.
#[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]
pub(crate) mod fork {
    use std::sync::MutexGuard;

    pub(crate) use super::signal::forget_requests;

    /// The locks to hold across a fork, in the order they are taken.
    pub(crate) struct Held {
        _walk: MutexGuard<'static, ()>,
        _buffers: MutexGuard<'static, Vec<&'static mut [u8]>>,
    }

    pub(crate) fn lock() -> Held {
        Held {
            _walk: super::unwind::walk_lock(),
            _buffers: super::signal::buffers_lock(),
        }
    }
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64", not(miri))))]
mod unsupported {
    use super::Capture;
    #[cfg(worker_probes)]
    use super::Probe;
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

        pub(crate) fn forget(&mut self, _slot: &'static Slot) {}

        #[cfg(worker_probes)]
        pub(crate) fn probe(&mut self, _slot: &'static Slot, _stretch: u64, _copy: bool) -> Probe {
            Probe::Blocked
        }
    }

    pub(crate) fn current_tid() -> Option<i32> {
        None
    }

    pub(crate) fn poll_ended(_slot: *const Slot, _poll: u64) {}

    pub(crate) fn counters() -> [u64; 3] {
        [0; 3]
    }

    pub(crate) mod fork {
        pub(crate) struct Held;

        pub(crate) fn lock() -> Held {
            Held
        }

        pub(crate) fn forget_requests() {}
    }
}
#[cfg(not(all(target_os = "linux", target_arch = "x86_64", not(miri))))]
pub(crate) use unsupported::{Capturer, counters, current_tid, fork, poll_ended};
