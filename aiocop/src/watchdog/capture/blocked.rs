//! Sampling a thread without interrupting it. Linux shows where a thread blocked in the kernel
//! stopped in `/proc/<pid>/task/<tid>/syscall` (`<nr> <6 arguments> <sp> <pc>`, `-1 <sp> <pc>`
//! outside a system call, or `running`), and its stack is this process's memory: the watchdog
//! copies it with `process_vm_readv` on its own process, which fails cleanly on unmapped memory
//! (a thread that has exited meanwhile), and never through a reference.
//!
//! A copy is kept only if the thread did not run while it was taken: the watchdog reads the
//! thread's scheduler statistics (`schedstat`: CPU time and times scheduled in) before its look
//! at `syscall`, and both files again after the copy; any change means the copy may be torn.
//!
//! The files of each sampled thread stay open from sample to sample (one `pread` each per look).

use std::fs::File;
use std::mem::MaybeUninit;
use std::os::unix::fs::FileExt;

use super::unwind::Registers;
use crate::functions::{FunctionInfo, MonitoredFunction};
use crate::scope::remote;
use crate::watchdog::slot::Slot;

/// Longest `syscall` or `schedstat` line: ten 64-bit numbers in hexadecimal and spaces fit.
const LINE: usize = 256;

/// A thread's state as `/proc` shows it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum ThreadState {
    /// Running, or runnable: it may be executing user code.
    Running,
    /// Blocked in the kernel (in a system call, or a page fault) with these user registers.
    Blocked { sp: usize, pc: usize },
}

/// One line read from a `/proc` file, kept to compare with the next reading.
#[derive(Clone, Copy)]
struct Line {
    bytes: [u8; LINE],
    len: usize,
}

impl Line {
    fn read(file: &File) -> Option<Line> {
        let mut line = Line {
            bytes: [0; LINE],
            len: 0,
        };
        // One read at offset 0 regenerates the file's content.
        line.len = file.read_at(&mut line.bytes, 0).ok()?;
        (line.len > 0 && line.len < LINE).then_some(line)
    }

    fn text(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    fn state(&self) -> Option<ThreadState> {
        let text = self.text().trim_ascii();
        if text == b"running" {
            return Some(ThreadState::Running);
        }
        // `<nr> [<6 arguments>] <sp> <pc>`: the last two fields, in hexadecimal.
        let mut fields = text.rsplit(|b| *b == b' ');
        let pc = hex(fields.next()?)?;
        let sp = hex(fields.next()?)?;
        Some(ThreadState::Blocked { sp, pc })
    }
}

fn hex(field: &[u8]) -> Option<usize> {
    let digits = field.strip_prefix(b"0x")?;
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    digits.iter().try_fold(0usize, |value, digit| {
        let digit = char::from(*digit).to_digit(16)?;
        Some((value << 4) | digit as usize)
    })
}

/// The open `/proc` files of one thread.
struct ThreadFiles {
    /// The slot's address.
    slot: usize,
    tid: i32,
    syscall: File,
    /// Missing where the kernel keeps no scheduler statistics.
    schedstat: Option<File>,
}

impl ThreadFiles {
    fn open(pid: i32, slot: usize, tid: i32) -> Option<ThreadFiles> {
        let dir = format!("/proc/{pid}/task/{tid}");
        Some(ThreadFiles {
            slot,
            tid,
            syscall: File::open(format!("{dir}/syscall")).ok()?,
            schedstat: File::open(format!("{dir}/schedstat")).ok(),
        })
    }

    /// The scheduler statistics line (empty without the file).
    fn schedstat(&self) -> Option<Line> {
        match &self.schedstat {
            Some(file) => Line::read(file),
            None => Some(Line {
                bytes: [0; LINE],
                len: 0,
            }),
        }
    }
}

/// A look at a thread: its state, and what to compare after a copy (or before a signal).
pub(super) struct Look {
    pub(super) state: ThreadState,
    schedstat: Line,
    syscall: Line,
}

/// What a copy of a blocked thread's stack brought back.
pub(super) struct Copied {
    pub(super) registers: Registers,
    pub(super) len: usize,
    pub(super) function: FunctionInfo,
}

/// The watchdog's reader of other threads: their `/proc` files, and this process's memory.
pub(super) struct Reader {
    pid: i32,
    threads: Vec<ThreadFiles>,
    memory: Memory,
}

impl Reader {
    /// A reader for process `pid`, checking on the calling thread that `/proc` shows threads.
    pub(super) fn new(pid: i32) -> Result<Reader, String> {
        let tid = super::current_tid().unwrap_or(0);
        let unavailable = |what: &str, e: std::io::Error| {
            format!("stack sampling needs {what} (to sample threads without signals): {e}")
        };
        let files = ThreadFiles::open(pid, 0, tid).ok_or_else(|| {
            unavailable(
                "/proc/<pid>/task/<tid>/syscall",
                std::io::Error::last_os_error(),
            )
        })?;
        Line::read(&files.syscall).ok_or_else(|| {
            unavailable(
                "a readable /proc/<pid>/task/<tid>/syscall",
                std::io::Error::last_os_error(),
            )
        })?;
        let mut memory = Memory::new(pid);
        let probe = usize::MAX;
        if memory.read_usize(&raw const probe as usize) != Some(probe) {
            return Err(unavailable(
                "process_vm_readv or /proc/<pid>/mem",
                std::io::Error::last_os_error(),
            ));
        }
        Ok(Reader {
            pid,
            threads: Vec::new(),
            memory,
        })
    }

    /// The open files of `slot`'s thread `tid`, opened on first use (or after the slot changed
    /// hands).
    fn files(&mut self, slot: *const Slot, tid: i32) -> Option<&ThreadFiles> {
        let slot = slot as usize;
        let index = match self.threads.iter().position(|t| t.slot == slot) {
            Some(index) if self.threads[index].tid == tid => index,
            Some(index) => {
                self.threads[index] = ThreadFiles::open(self.pid, slot, tid)?;
                index
            }
            None => {
                self.threads.push(ThreadFiles::open(self.pid, slot, tid)?);
                self.threads.len() - 1
            }
        };
        Some(&self.threads[index])
    }

    /// Looks at `slot`'s thread `tid`.
    pub(super) fn look(&mut self, slot: *const Slot, tid: i32) -> Option<Look> {
        let files = self.files(slot, tid)?;
        // Statistics first: if they have not changed by the end, the thread has not been
        // scheduled in since before the look at `syscall`.
        let schedstat = files.schedstat()?;
        let syscall = Line::read(&files.syscall)?;
        Some(Look {
            state: syscall.state()?,
            schedstat,
            syscall,
        })
    }

    /// Whether `slot`'s thread `tid` runs (is not blocked in the kernel) right now.
    pub(super) fn running(&mut self, slot: *const Slot, tid: i32) -> bool {
        self.files(slot, tid)
            .and_then(|files| Line::read(&files.syscall))
            .and_then(|line| line.state())
            == Some(ThreadState::Running)
    }

    /// Copies the stack of the poll `poll` on `slot`'s thread `tid`, which `look` found blocked,
    /// into `buffer`: from its stack pointer up to the poll's scope, found through the thread's
    /// `CURRENT` cell. `None` if anything changed meanwhile.
    pub(super) fn copy(
        &mut self,
        slot: &'static Slot,
        poll: u64,
        tid: i32,
        look: &Look,
        buffer: &mut [u8],
    ) -> Option<Copied> {
        let ThreadState::Blocked { sp, pc } = look.state else {
            return None;
        };
        let current_cell = slot.current_cell();
        if current_cell == 0 || slot.poll() != poll {
            return None;
        }
        let scope = self.memory.read_usize(current_cell)?;
        if scope == 0 {
            return None;
        }
        let executor_above = self.memory.read_usize(scope + remote::EXECUTOR_ABOVE)?;
        let outer = self.memory.read_usize(scope + remote::OUTER)?;
        // Zeroed, so that the reads below may write it as bytes.
        let mut site = MaybeUninit::<MonitoredFunction>::zeroed();
        // SAFETY: `site` has room for a `MonitoredFunction`.
        let read = unsafe {
            self.memory.read(
                outer,
                site.as_mut_ptr().cast::<u8>(),
                size_of::<MonitoredFunction>(),
            )
        };
        if read != size_of::<MonitoredFunction>() {
            return None;
        }
        let top = remote::executor_above(scope, executor_above);
        if top <= sp {
            return None;
        }
        let len = (top - sp).min(buffer.len());
        // SAFETY: `buffer` has room for `len` bytes.
        let len = unsafe { self.memory.read(sp, buffer.as_mut_ptr(), len) };
        if len == 0 {
            return None;
        }
        // The thread must not have run since `look`: then its scope, the site it points to and
        // the stack were all as copied, and the poll is the one sampled.
        let files = self.files(slot, tid)?;
        let schedstat = files.schedstat()?;
        let syscall = Line::read(&files.syscall)?;
        if schedstat.text() != look.schedstat.text()
            || syscall.text() != look.syscall.text()
            || slot.poll() != poll
            || slot.tid() != tid
        {
            return None;
        }
        // SAFETY: the bytes are a copy of the `MonitoredFunction` a live scope of this poll
        // points to, taken while its thread did not run (checked just above), so a valid value.
        // Only its plain-data `info` is copied out; nothing is dropped.
        let function = *unsafe { site.assume_init_ref() }.info();
        Some(Copied {
            registers: Registers { pc, sp, fp: None },
            len,
            function,
        })
    }
}

/// Reads this process's memory without trusting it to be mapped.
struct Memory {
    pid: i32,
    /// `/proc/<pid>/mem`, where `process_vm_readv` is refused (a seccomp filter).
    fallback: Option<File>,
}

impl Memory {
    fn new(pid: i32) -> Memory {
        Memory {
            pid,
            fallback: None,
        }
    }

    fn read_usize(&mut self, address: usize) -> Option<usize> {
        let mut value = 0usize;
        // SAFETY: `value` has room for a `usize`.
        let read = unsafe { self.read(address, (&raw mut value).cast::<u8>(), size_of::<usize>()) };
        (read == size_of::<usize>()).then_some(value)
    }

    /// Copies up to `len` bytes from `address` to `into`; returns how many (0 on failure: the
    /// copy stops at the first unmapped page).
    ///
    /// # Safety
    /// `into` must be valid for writes of `len` bytes, and initialised.
    unsafe fn read(&mut self, address: usize, into: *mut u8, len: usize) -> usize {
        if let Some(mem) = &self.fallback {
            // SAFETY: the caller guarantees `into` holds `len` initialised bytes.
            let into = unsafe { std::slice::from_raw_parts_mut(into, len) };
            return mem.read_at(into, address as u64).unwrap_or(0);
        }
        let local = libc::iovec {
            iov_base: into.cast(),
            iov_len: len,
        };
        let remote = libc::iovec {
            iov_base: address as *mut libc::c_void,
            iov_len: len,
        };
        // SAFETY: the local buffer is valid for `len` bytes (the caller's contract); the kernel
        // checks the remote range and stops at the first page it cannot read.
        let read = unsafe { libc::process_vm_readv(self.pid, &local, 1, &remote, 1, 0) };
        if read >= 0 {
            return read as usize;
        }
        let refused = matches!(
            std::io::Error::last_os_error().raw_os_error(),
            Some(libc::ENOSYS | libc::EPERM)
        );
        if refused && let Ok(mem) = File::open(format!("/proc/{}/mem", self.pid)) {
            self.fallback = Some(mem);
            // SAFETY: as above.
            return unsafe { self.read(address, into, len) };
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::{LINE, Line, ThreadState};

    fn line(text: &str) -> Line {
        let mut line = Line {
            bytes: [0; LINE],
            len: text.len(),
        };
        line.bytes[..text.len()].copy_from_slice(text.as_bytes());
        line
    }

    #[test]
    fn syscall_lines_parse() {
        assert_eq!(line("running\n").state(), Some(ThreadState::Running));
        // In a system call: number, six arguments, stack pointer, instruction pointer.
        assert_eq!(
            line("7 0x7f3a1c000b70 0x1 0x12c 0x0 0x0 0x0 0x7ffd2a1b3c40 0x7f3a1d2e3f4b\n").state(),
            Some(ThreadState::Blocked {
                sp: 0x7ffd_2a1b_3c40,
                pc: 0x7f3a_1d2e_3f4b
            })
        );
        // Blocked outside a system call (a page fault): -1, stack pointer, instruction pointer.
        assert_eq!(
            line("-1 0x7ffc00001000 0x55aa00002000\n").state(),
            Some(ThreadState::Blocked {
                sp: 0x7ffc_0000_1000,
                pc: 0x55aa_0000_2000
            })
        );
        for bad in [
            "",
            "\n",
            "7 12 34\n",
            "7 0x 0x1\n",
            "7 0x1 0x12345678901234567\n",
        ] {
            assert_eq!(line(bad).state(), None, "{bad:?}");
        }
    }
}
