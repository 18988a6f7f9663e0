//! Stack capture on Linux x86_64. A thread blocked in the kernel (a system call, a page fault) is
//! sampled without being interrupted: its registers come from `/proc`, its stack is copied from
//! this process's memory (see [`blocked`](super::blocked)). A thread running user code gets a
//! signal, from a timer on its own CPU-time clock, whose handler copies its stack (see
//! [`signal`](super::signal)). Either way the watchdog
//! unwinds the copy afterwards (see [`unwind`](super::unwind)).

use super::blocked::{Reader, ThreadState};
use super::signal::{STACK_COPY_BYTES, Signaller};
use super::unwind::{Modules, StackCopy};
use super::{Capture, Captured};
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

    /// Samples the stack of the poll `poll` running on `slot`'s thread.
    pub(crate) fn capture(&mut self, slot: &'static Slot, poll: u64) -> Capture {
        let tid = slot.tid();
        if tid == 0 {
            return Capture::Missed;
        }
        let Some(look) = self.reader.look(slot, tid) else {
            return Capture::Missed;
        };
        match look.state {
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
            ThreadState::Running => {
                let reader = &mut self.reader;
                let mut running = || reader.running(slot, tid);
                let Some(signalled) = self.signaller.capture(slot, poll, tid, &mut running) else {
                    return Capture::Missed;
                };
                let stack = StackCopy {
                    base: signalled.registers.sp,
                    bytes: self.signaller.stack(signalled.len),
                };
                let ips = self.modules.unwind(signalled.registers, &stack, MAX_FRAMES);
                Capture::Taken(Captured {
                    ips,
                    function: signalled.function,
                })
            }
        }
    }

    /// Ends the capture: the next request may start, and a poll waiting for it may go on.
    pub(crate) fn release(&mut self) {
        self.signaller.release();
    }
}
