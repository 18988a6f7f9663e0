//! Stack capture on Linux x86_64. A thread blocked in the kernel (a system call, a page fault) is
//! sampled without being interrupted: its registers come from `/proc`, its stack is copied from
//! this process's memory (see [`blocked`](super::blocked)). A thread running user code gets a
//! signal, from a timer on its own CPU-time clock, whose handler copies its stack (see
//! [`signal`](super::signal)). Either way the watchdog
//! unwinds the copy afterwards (see [`unwind`](super::unwind)).

use super::blocked::{Reader, ThreadState};
use super::signal::{Ask, Collected, STACK_COPY_BYTES, Signaller};
use super::unwind::{Modules, Registers, StackCopy};
use super::{Capture, Captured};
#[cfg(worker_probes)]
use super::{Probe, Probed};
use crate::watchdog::slot::Slot;

/// Frames walked at most (the trace keeps the configured depth of them, after aiocop's own).
const MAX_FRAMES: usize = 256;

/// The watchdog's side: the reader of blocked threads, the signal path, the unwinder with its
/// module tables.
pub(crate) struct Capturer {
    reader: Reader,
    signaller: Signaller,
    /// The copy of a blocked thread's stack (the signal path has a buffer of its own, which a
    /// late handler may still write to).
    buffer: Box<[u8]>,
    modules: Modules,
}

/// Unwinds a stack copy that starts at the copied registers' stack pointer.
fn unwinder(modules: &mut Modules) -> impl FnMut(Registers, &[u8]) -> Vec<usize> + '_ {
    |registers: Registers, bytes: &[u8]| {
        let stack = StackCopy {
            base: registers.sp,
            bytes,
        };
        modules.unwind(registers, &stack, MAX_FRAMES)
    }
}

impl Capturer {
    pub(crate) fn new() -> Result<Self, String> {
        // SAFETY: no preconditions.
        let pid = unsafe { libc::getpid() };
        Ok(Capturer {
            reader: Reader::new(pid)?,
            signaller: Signaller::new()?,
            buffer: vec![0u8; STACK_COPY_BYTES].into_boxed_slice(),
            modules: Modules::new(),
        })
    }

    /// Samples the stack of the poll `poll` running on `slot`'s thread: a copy a signal handler
    /// made since the last round, or a copy taken now if the thread is blocked in the kernel. A
    /// thread that runs gets a signal request instead, collected at a later round.
    pub(crate) fn capture(&mut self, slot: &'static Slot, poll: u64) -> Capture {
        let tid = slot.tid();
        if tid == 0 {
            return Capture::Missed;
        }
        let taken = match self
            .signaller
            .collect(slot, poll, &mut unwinder(&mut self.modules))
        {
            Collected::Taken(ips, function) => Some(Captured { ips, function }),
            // A probe's answer after its stretch gave way to a monitored poll: not a sample.
            #[cfg(worker_probes)]
            Collected::Probed(..) => None,
            Collected::Pending => return Capture::Missed,
            Collected::Nothing => None,
        };
        let Some(look) = self.reader.look(slot, tid) else {
            return taken.map_or(Capture::Missed, Capture::Taken);
        };
        match look.state {
            // A copy a handler made is this round's sample.
            ThreadState::Blocked { .. } if taken.is_some() => {
                taken.map_or(Capture::Missed, Capture::Taken)
            }
            ThreadState::Blocked { .. } => {
                let Some(copied) = self.reader.copy(slot, poll, tid, &look, &mut self.buffer)
                else {
                    return Capture::Missed;
                };
                let stack = StackCopy {
                    base: copied.registers.sp,
                    bytes: &self.buffer[..copied.len],
                };
                let ips = self.modules.unwind(copied.registers, &stack, MAX_FRAMES);
                Capture::Taken(Captured {
                    ips,
                    function: copied.function,
                })
            }
            // Requested now (right after collecting the last one), the next copy comes at the
            // first timer tick that finds the thread running.
            ThreadState::Running => {
                let reader = &mut self.reader;
                let mut running = || reader.running(slot, tid);
                self.signaller
                    .arm(slot, poll, Ask::Sample, tid, &mut running);
                taken.map_or(Capture::Missed, Capture::Taken)
            }
        }
    }

    /// Probes the worker stretch `stretch` running on `slot`'s thread (see `watchdog::workers`):
    /// the answer to the last probe, if it came, and a new probe asked of the thread unless it
    /// waits in the kernel (never interrupted, and not probed).
    #[cfg(worker_probes)]
    pub(crate) fn probe(&mut self, slot: &'static Slot, stretch: u64, copy: bool) -> Probe {
        let tid = slot.tid();
        if tid == 0 {
            return Probe::Waiting;
        }
        let answer = match self
            .signaller
            .collect(slot, stretch, &mut unwinder(&mut self.modules))
        {
            Collected::Probed(probe, at, ips) => Some(Probed { probe, at, ips }),
            Collected::Pending => return Probe::Waiting,
            Collected::Taken(..) | Collected::Nothing => None,
        };
        let reader = &mut self.reader;
        let mut running = false;
        let mut look = || {
            running = reader.running(slot, tid);
            running
        };
        self.signaller
            .arm(slot, stretch, Ask::Probe { copy }, tid, &mut look);
        match answer {
            Some(answer) => Probe::Answered(answer),
            None if running => Probe::Waiting,
            None => Probe::Blocked,
        }
    }

    /// Drops any signal request for `slot`'s thread: its poll is over, or needs no more samples.
    pub(crate) fn forget(&mut self, slot: &'static Slot) {
        self.signaller.forget(slot);
    }
}
