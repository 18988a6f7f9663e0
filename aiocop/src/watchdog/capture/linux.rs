//! Stack capture on Linux x86_64: the watchdog signals the one thread whose poll it samples; the
//! handler, on that thread, copies the registers and the stack between the interrupted stack
//! pointer and the poll's scope into a buffer allocated up front, and nothing else (no
//! allocation, no lock, no unwinding). The watchdog unwinds the copy afterwards.
//!
//! One request is in flight at a time (the watchdog is one thread); its state machine makes sure
//! the handler and the watchdog never touch the buffer at once, even when a signal arrives late.

use std::cell::UnsafeCell;
use std::ffi::c_void;
use std::ptr;
use std::sync::atomic::{AtomicI32, AtomicPtr, AtomicU8, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use super::unwind::{Modules, Registers, StackCopy};
use super::{Capture, Captured};
use crate::monitor::FunctionInfo;
use crate::watchdog::slot::{self, Slot};

/// Stack copied per sample at most: the part of the stack that belongs to the poll is usually a
/// few kilobytes; a deeper one is cut (its outer frames are lost).
const STACK_COPY_BYTES: usize = 256 * 1024;
/// How long the watchdog waits for the sampled thread to take the signal.
const HANDLER_TIMEOUT: Duration = Duration::from_millis(50);
/// Frames walked at most (the trace keeps the configured depth of them, after aiocop's own).
const MAX_FRAMES: usize = 256;

const IDLE: u8 = 0;
/// Waiting for the handler on thread `tid`.
const ARMED: u8 = 1;
/// The handler is copying.
const WRITING: u8 = 2;
/// The copy is in `OUT`, for the watchdog to unwind.
const CAPTURED: u8 = 3;
/// The handler found the poll over (or another poll running).
const STALE: u8 = 4;

/// What the handler writes (between `WRITING` and `CAPTURED`) and the watchdog then reads (until
/// it sets `IDLE`).
struct Out {
    buffer: *mut u8,
    registers: Registers,
    len: usize,
    function: Option<FunctionInfo>,
}

struct Request {
    state: AtomicU8,
    tid: AtomicI32,
    slot: AtomicPtr<Slot>,
    poll: AtomicU64,
    out: UnsafeCell<Out>,
}

// SAFETY: `out` is only accessed by whoever the state machine gives it to: the handler between
// winning `ARMED -> WRITING` and storing `CAPTURED`/`STALE` (Release), the watchdog after loading
// one of those (Acquire) and before storing `IDLE`/`ARMED`.
unsafe impl Sync for Request {}

static REQUEST: Request = Request {
    state: AtomicU8::new(IDLE),
    tid: AtomicI32::new(0),
    slot: AtomicPtr::new(ptr::null_mut()),
    poll: AtomicU64::new(0),
    out: UnsafeCell::new(Out {
        buffer: ptr::null_mut(),
        registers: Registers {
            pc: 0,
            sp: 0,
            fp: 0,
        },
        len: 0,
        function: None,
    }),
};

/// The signal aiocop samples with, once installed.
static SIGNAL: OnceLock<Result<i32, String>> = OnceLock::new();

/// This thread's kernel id.
pub(crate) fn current_tid() -> Option<i32> {
    // SAFETY: `gettid` has no preconditions and is async-signal-safe.
    Some(unsafe { libc::syscall(libc::SYS_gettid) } as i32)
}

/// Installs the handler on a free real-time signal (once per process).
fn install() -> Result<i32, String> {
    SIGNAL
        .get_or_init(|| {
            // The highest free one: libraries that use real-time signals count up from SIGRTMIN.
            for signal in (libc::SIGRTMIN()..=libc::SIGRTMAX()).rev() {
                // SAFETY: plain sigaction calls with valid, zero-initialised structures.
                unsafe {
                    let mut old: libc::sigaction = std::mem::zeroed();
                    if libc::sigaction(signal, ptr::null(), &mut old) != 0
                        || old.sa_sigaction != libc::SIG_DFL
                    {
                        continue;
                    }
                    let mut action: libc::sigaction = std::mem::zeroed();
                    action.sa_sigaction = on_signal as *const () as usize;
                    // SA_RESTART: system calls the sampled thread is blocked in resume after the
                    // handler instead of failing with EINTR (except those with timeouts, as the
                    // kernel decides).
                    action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
                    libc::sigemptyset(&mut action.sa_mask);
                    if libc::sigaction(signal, &action, ptr::null_mut()) == 0 {
                        return Ok(signal);
                    }
                }
            }
            Err("no free real-time signal to sample with".to_owned())
        })
        .clone()
}

/// The signal handler. Async-signal-safe: atomics, one system call, a memory copy, and reads of
/// this thread's own thread-locals (which the sampled thread has already initialised).
extern "C" fn on_signal(_signal: i32, _info: *mut libc::siginfo_t, context: *mut c_void) {
    // SAFETY: reading and restoring this thread's errno.
    let errno = unsafe { *libc::__errno_location() };
    if REQUEST.state.load(Ordering::Acquire) == ARMED
        && current_tid() == Some(REQUEST.tid.load(Ordering::Relaxed))
        && REQUEST
            .state
            .compare_exchange(ARMED, WRITING, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    {
        // SAFETY: winning ARMED -> WRITING hands `out` to this handler; `context` is the
        // `ucontext_t` the kernel passes to an SA_SIGINFO handler.
        let copied = unsafe { copy_stack(context.cast::<libc::ucontext_t>()) };
        REQUEST
            .state
            .store(if copied { CAPTURED } else { STALE }, Ordering::Release);
    }
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = errno };
}

/// # Safety
/// Only from `on_signal`, owning `REQUEST.out`, with the kernel's `context`.
unsafe fn copy_stack(context: *const libc::ucontext_t) -> bool {
    let slot = REQUEST.slot.load(Ordering::Relaxed);
    if !ptr::eq(slot, slot::mine()) || slot.is_null() {
        return false;
    }
    // SAFETY: slots are never freed.
    if unsafe { &*slot }.poll() != REQUEST.poll.load(Ordering::Relaxed) {
        return false;
    }
    // The poll is running on this thread (the handler interrupted it): its scope is alive.
    let Some((top, function)) = crate::scope::sampling_view() else {
        return false;
    };
    // SAFETY: the kernel passes a valid context; the general registers are plain integers.
    let gregs = unsafe { &(*context).uc_mcontext.gregs };
    let registers = Registers {
        pc: gregs[libc::REG_RIP as usize] as usize,
        sp: gregs[libc::REG_RSP as usize] as usize,
        fp: gregs[libc::REG_RBP as usize] as usize,
    };
    if top <= registers.sp {
        return false;
    }
    let len = (top - registers.sp).min(STACK_COPY_BYTES);
    // SAFETY: the handler owns `out` (see `Request`); `buffer` holds `STACK_COPY_BYTES`;
    // `sp..sp + len` is this thread's live stack, between the interrupted frame and the scope of
    // the poll further up.
    unsafe {
        let out = &mut *REQUEST.out.get();
        ptr::copy_nonoverlapping(registers.sp as *const u8, out.buffer, len);
        out.registers = registers;
        out.len = len;
        out.function = Some(function);
    }
    true
}

/// The watchdog's side: the buffer, and the unwinder with its module tables.
pub(crate) struct Capturer {
    signal: i32,
    pid: i32,
    buffer: &'static mut [u8],
    modules: Modules,
}

/// One buffer per process, kept for good: a late signal may still be handled after a capturer is
/// gone, and must find memory to (not) write to.
static BUFFER: Mutex<Option<&'static mut [u8]>> = Mutex::new(None);

impl Capturer {
    pub(crate) fn new() -> Result<Self, String> {
        let signal = install()?;
        let buffer = BUFFER
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .unwrap_or_else(|| Box::leak(vec![0u8; STACK_COPY_BYTES].into_boxed_slice()));
        Ok(Capturer {
            signal,
            // SAFETY: no preconditions.
            pid: unsafe { libc::getpid() },
            buffer,
            modules: Modules::new(),
        })
    }

    /// Samples the stack of the poll `poll` running on `slot`'s thread.
    pub(crate) fn capture(&mut self, slot: &'static Slot, poll: u64) -> Capture {
        let tid = slot.tid();
        if tid == 0 || REQUEST.state.load(Ordering::Acquire) != IDLE {
            return Capture::Missed;
        }
        // SAFETY: the state is IDLE: the watchdog owns `out`.
        unsafe { (*REQUEST.out.get()).buffer = self.buffer.as_mut_ptr() };
        REQUEST.tid.store(tid, Ordering::Relaxed);
        REQUEST
            .slot
            .store(ptr::from_ref(slot).cast_mut(), Ordering::Relaxed);
        REQUEST.poll.store(poll, Ordering::Relaxed);
        REQUEST.state.store(ARMED, Ordering::Release);
        // SAFETY: tgkill only sends a signal; a thread that has exited makes it fail with ESRCH.
        let sent = unsafe { libc::syscall(libc::SYS_tgkill, self.pid, tid, self.signal) } == 0;
        if !sent {
            REQUEST.state.store(IDLE, Ordering::Release);
            return Capture::Missed;
        }
        let deadline = Instant::now() + HANDLER_TIMEOUT;
        let outcome = loop {
            match REQUEST.state.load(Ordering::Acquire) {
                CAPTURED => break CAPTURED,
                STALE => break STALE,
                // The thread has not taken the signal (it may block it): withdraw. A handler that
                // won the race is writing; wait for it.
                ARMED
                    if Instant::now() >= deadline
                        && REQUEST
                            .state
                            .compare_exchange(ARMED, IDLE, Ordering::AcqRel, Ordering::Acquire)
                            .is_ok() =>
                {
                    return Capture::Missed;
                }
                _ => {}
            }
            std::thread::sleep(Duration::from_micros(20));
        };
        if outcome == STALE {
            REQUEST.state.store(IDLE, Ordering::Release);
            return Capture::Missed;
        }
        // SAFETY: CAPTURED (loaded with Acquire) hands `out` back to the watchdog.
        let (registers, len, function) = unsafe {
            let out = &*REQUEST.out.get();
            (out.registers, out.len, out.function)
        };
        let stack = StackCopy {
            base: registers.sp,
            bytes: &self.buffer[..len],
        };
        let ips = self.modules.unwind(registers, &stack, MAX_FRAMES);
        match function {
            Some(function) => Capture::Taken(Captured { ips, function }),
            None => Capture::Missed,
        }
    }

    /// Ends the capture: the next request may start, and a poll waiting for it may go on.
    pub(crate) fn release(&mut self) {
        if REQUEST.state.load(Ordering::Acquire) == CAPTURED {
            REQUEST.state.store(IDLE, Ordering::Release);
        }
    }
}

impl Drop for Capturer {
    fn drop(&mut self) {
        self.release();
        let buffer = std::mem::take(&mut self.buffer);
        *BUFFER.lock().unwrap_or_else(PoisonError::into_inner) = Some(buffer);
    }
}

/// Called by a poll that has just ended on `slot`'s thread: waits (briefly) for a capture of that
/// poll the watchdog has under way, so the sample lands in the poll's own event.
pub(crate) fn wait_for_capture(slot: *const Slot, poll: u64) {
    let deadline = Instant::now() + HANDLER_TIMEOUT;
    while REQUEST.state.load(Ordering::Acquire) != IDLE
        && ptr::eq(REQUEST.slot.load(Ordering::Relaxed), slot)
        && REQUEST.poll.load(Ordering::Relaxed) == poll
        && Instant::now() < deadline
    {
        std::thread::yield_now();
    }
}
