//! Sampling a thread that runs user code: a signal to the thread whose poll is sampled; the
//! handler, on that thread, copies the registers and the stack between the interrupted stack
//! pointer and the poll's scope into a buffer allocated up front, and nothing else (no
//! allocation, no lock, no unwinding). The watchdog unwinds the copy afterwards.
//!
//! A signal must never reach a thread inside a system call: the kernel ends calls with a timeout
//! (`poll`, `nanosleep`, `recv` with `SO_RCVTIMEO`, ...) with `EINTR` even under `SA_RESTART`.
//! So the signal is not sent with `tgkill` but by a timer on the sampled thread's CPU-time clock,
//! armed to expire after one more nanosecond of the thread's CPU time and aimed at that thread
//! (`SIGEV_THREAD_ID`). It expires only while the thread executes, never while it sleeps in a
//! system call or waits for a processor; and the kernel (x86_64 since Linux 5.10,
//! `POSIX_CPU_TIMERS_TASK_WORK`) generates the signal as the thread returns to user mode, after
//! any system call in progress has completed, so a call can never be interrupted, whether the poll
//! is still running or has just ended. (A kernel without that generates it at the timer tick,
//! which may find the thread in the kernel: the handler counts the system calls a signal ended,
//! see [`counters`].) The timer is armed only for a thread that `/proc` shows running, inside the
//! poll being sampled.
//!
//! The timer expires at the first timer tick (every 1 to 10 ms, by kernel) that finds the thread
//! on a processor, so requests are asynchronous: the watchdog arms one per sampled thread (up to
//! [`MAX_REQUESTS`] at once, each with its own buffer) and collects the copies at its next rounds;
//! nothing waits for a handler, neither the watchdog nor the end of a poll (which only withdraws
//! its thread's request). Each request's state machine makes sure its handler and the watchdog
//! never touch its buffer at once, even when a signal arrives late.

use std::cell::UnsafeCell;
use std::ffi::c_void;
use std::ptr;
use std::sync::atomic::{AtomicI32, AtomicPtr, AtomicU8, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use super::unwind::Registers;
use crate::functions::FunctionInfo;
use crate::watchdog::slot::{self, Slot};

/// Stack copied per sample at most: the part of the stack that belongs to the poll is usually a
/// few kilobytes; a deeper one is cut (its outer frames are lost).
pub(super) const STACK_COPY_BYTES: usize = 256 * 1024;
/// Signal requests in flight at once at most: threads sampled by signal at the same time (more
/// wait for a free request at the next rounds). Each has a buffer of [`STACK_COPY_BYTES`],
/// allocated when first used.
const MAX_REQUESTS: usize = 16;
/// A request the thread has not answered after this long (it blocks the signal, or barely runs)
/// is withdrawn, and a new one armed.
const REQUEST_TIMEOUT: Duration = Duration::from_millis(50);

/// A request for a stack sample of a monitored poll.
const SAMPLE: u8 = 0;
/// A request for a probe of a worker's stretch (see `watchdog::workers`): the task and budget.
#[cfg(worker_probes)]
const PROBE: u8 = 1;
/// A probe with a copy of the stack.
#[cfg(worker_probes)]
const PROBE_COPY: u8 = 2;

/// What the watchdog asks of a thread.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Ask {
    /// A stack sample of the monitored poll with this id.
    Sample,
    /// A probe of the worker stretch with this id, with a copy of the stack or without.
    #[cfg(worker_probes)]
    Probe { copy: bool },
}

impl Ask {
    fn kind(self) -> u8 {
        match self {
            Ask::Sample => SAMPLE,
            #[cfg(worker_probes)]
            Ask::Probe { copy: false } => PROBE,
            #[cfg(worker_probes)]
            Ask::Probe { copy: true } => PROBE_COPY,
        }
    }
}

/// Free.
const IDLE: u8 = 0;
/// Waiting for the handler on thread `tid`.
const ARMED: u8 = 1;
/// The handler is copying.
const WRITING: u8 = 2;
/// The copy is in `out`, for the watchdog to unwind.
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
    /// What a worker probe read, and when.
    #[cfg(worker_probes)]
    probe: Option<(crate::coop::WorkerProbe, crate::clock::Ticks)>,
}

struct Request {
    state: AtomicU8,
    /// [`SAMPLE`], [`PROBE`] or [`PROBE_COPY`].
    kind: AtomicU8,
    tid: AtomicI32,
    slot: AtomicPtr<Slot>,
    poll: AtomicU64,
    out: UnsafeCell<Out>,
}

// SAFETY: `out` is only accessed by whoever the state machine gives it to: the handler between
// winning `ARMED -> WRITING` and storing `CAPTURED`/`STALE` (Release), the watchdog while the
// request is `IDLE` (before storing `ARMED`) and after loading `CAPTURED` (Acquire).
unsafe impl Sync for Request {}

impl Request {
    const fn new() -> Self {
        Request {
            state: AtomicU8::new(IDLE),
            kind: AtomicU8::new(SAMPLE),
            tid: AtomicI32::new(0),
            slot: AtomicPtr::new(ptr::null_mut()),
            poll: AtomicU64::new(0),
            out: UnsafeCell::new(Out {
                buffer: ptr::null_mut(),
                registers: Registers {
                    pc: 0,
                    sp: 0,
                    fp: None,
                },
                len: 0,
                function: None,
                #[cfg(worker_probes)]
                probe: None,
            }),
        }
    }

    /// Withdraws the request if it is still waiting for its handler; `true` if it was.
    fn withdraw(&self) -> bool {
        self.state
            .compare_exchange(ARMED, IDLE, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }
}

static REQUESTS: [Request; MAX_REQUESTS] = [const { Request::new() }; MAX_REQUESTS];

/// The signal aiocop samples with, once installed.
static SIGNAL: OnceLock<Result<i32, String>> = OnceLock::new();

/// Timers armed; signals that came after their poll ended (or after their request was withdrawn);
/// signals that found their thread just back from a system call the signal ended with `EINTR`.
static SENT: AtomicU64 = AtomicU64::new(0);
static LATE: AtomicU64 = AtomicU64::new(0);
static INTERRUPTED: AtomicU64 = AtomicU64::new(0);

/// `[signals requested, signals that came after their poll ended, system calls a signal ended
/// with EINTR]` since the process started: the last stays 0 where the kernel generates timer
/// signals on the return to user mode (see the module docs); it is measured rather than assumed.
pub(crate) fn counters() -> [u64; 3] {
    [
        SENT.load(Ordering::Relaxed),
        LATE.load(Ordering::Relaxed),
        INTERRUPTED.load(Ordering::Relaxed),
    ]
}

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
                    // SA_RESTART: should a signal ever find the thread in a system call without a
                    // timeout, the call resumes after the handler instead of failing with EINTR.
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

/// The signal handler. Async-signal-safe: atomics, one system call, memory copies, and reads of
/// this thread's own thread-locals (which the sampled thread has already initialised).
extern "C" fn on_signal(_signal: i32, _info: *mut libc::siginfo_t, context: *mut c_void) {
    // SAFETY: reading and restoring this thread's errno.
    let errno = unsafe { *libc::__errno_location() };
    let context = context.cast::<libc::ucontext_t>();
    // SAFETY: the kernel passes the `ucontext_t` of the interrupted code to an SA_SIGINFO handler.
    if unsafe { interrupted_a_system_call(context) } {
        INTERRUPTED.fetch_add(1, Ordering::Relaxed);
    }
    let tid = current_tid();
    let request = REQUESTS.iter().find(|r| {
        r.state.load(Ordering::Acquire) == ARMED
            && Some(r.tid.load(Ordering::Relaxed)) == tid
            && r.state
                .compare_exchange(ARMED, WRITING, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
    });
    let copied = request.is_some_and(|request| {
        // SAFETY: winning ARMED -> WRITING hands the request's `out` to this handler; `context`
        // is the kernel's.
        let copied = unsafe { copy_stack(request, context) };
        request
            .state
            .store(if copied { CAPTURED } else { STALE }, Ordering::Release);
        copied
    });
    if !copied {
        LATE.fetch_add(1, Ordering::Relaxed);
    }
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = errno };
}

/// Whether the signal ended a system call with `EINTR`: the interrupted instruction pointer is
/// just past a `syscall` instruction and `rax`, its result, is `-EINTR`. (A call the kernel
/// restarts, under SA_RESTART, shows the `syscall` instruction itself instead.)
///
/// # Safety
/// `context` must be the kernel's context of the interrupted code.
unsafe fn interrupted_a_system_call(context: *const libc::ucontext_t) -> bool {
    // SAFETY: the kernel passes a valid context; the general registers are plain integers.
    let gregs = unsafe { &(*context).uc_mcontext.gregs };
    let rip = gregs[libc::REG_RIP as usize] as usize;
    if gregs[libc::REG_RAX as usize] != -i64::from(libc::EINTR) || rip % 4096 < 2 {
        return false;
    }
    // SAFETY: `rip - 2` lies on the page of `rip`, code the thread was executing: mapped and
    // readable (x86_64 has no execute-only pages here).
    let code = unsafe { ptr::read_volatile((rip - 2) as *const [u8; 2]) };
    code == [0x0f, 0x05]
}

/// # Safety
/// Only from `on_signal`, owning `request.out`, with the kernel's `context`.
unsafe fn copy_stack(request: &Request, context: *const libc::ucontext_t) -> bool {
    let slot = request.slot.load(Ordering::Relaxed);
    if !ptr::eq(slot, slot::mine()) || slot.is_null() {
        return false;
    }
    #[cfg(worker_probes)]
    if request.kind.load(Ordering::Relaxed) != SAMPLE {
        // SAFETY: slots are never freed; the caller's contract is this function's.
        return unsafe { probe_worker(request, &*slot, context) };
    }
    // SAFETY: slots are never freed.
    if unsafe { &*slot }.poll() != request.poll.load(Ordering::Relaxed) {
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
        fp: Some(gregs[libc::REG_RBP as usize] as usize),
    };
    // A scope that does not know where its stack ends (a worker's stretch on a thread whose stack
    // could not be found): copying a fixed length from `sp` could run past the stack's end.
    if top <= registers.sp || top == usize::MAX {
        return false;
    }
    let len = (top - registers.sp).min(STACK_COPY_BYTES);
    // SAFETY: the handler owns `out` (see `Request`); `buffer` holds `STACK_COPY_BYTES`;
    // `sp..sp + len` is this thread's live stack, between the interrupted frame and the scope of
    // the poll further up.
    unsafe {
        let out = &mut *request.out.get();
        ptr::copy_nonoverlapping(registers.sp as *const u8, out.buffer, len);
        out.registers = registers;
        out.len = len;
        out.function = Some(function);
    }
    true
}

/// A probe of the worker stretch the request names: the task being polled and its budget, marked
/// (see `coop::probe_and_mark`), the time, and for [`PROBE_COPY`] a copy of the stack up to the
/// thread's stack top. Nothing if the stretch is over or a monitored poll runs (the watchdog
/// samples that one as usual).
///
/// # Safety
/// As [`copy_stack`]'s.
#[cfg(worker_probes)]
unsafe fn probe_worker(request: &Request, slot: &Slot, context: *const libc::ucontext_t) -> bool {
    if slot.poll() != 0
        || slot.stretch() != request.poll.load(Ordering::Relaxed)
        || !crate::clock::calibrated()
    {
        return false;
    }
    let probe = crate::coop::probe_worker();
    let at = crate::clock::now();
    // SAFETY: the handler owns `out` (see `Request`).
    let out = unsafe { &mut *request.out.get() };
    out.probe = Some((probe, at));
    out.function = None;
    out.len = 0;
    let top = slot.stack_top();
    if request.kind.load(Ordering::Relaxed) == PROBE_COPY && top != 0 {
        // SAFETY: the kernel passes a valid context; the general registers are plain integers.
        let gregs = unsafe { &(*context).uc_mcontext.gregs };
        let registers = Registers {
            pc: gregs[libc::REG_RIP as usize] as usize,
            sp: gregs[libc::REG_RSP as usize] as usize,
            fp: Some(gregs[libc::REG_RBP as usize] as usize),
        };
        if top > registers.sp {
            let len = (top - registers.sp).min(STACK_COPY_BYTES);
            // SAFETY: `sp..sp + len` lies in this thread's stack, below its top; `buffer` holds
            // `STACK_COPY_BYTES`.
            unsafe { ptr::copy_nonoverlapping(registers.sp as *const u8, out.buffer, len) };
            out.registers = registers;
            out.len = len;
        }
    }
    true
}

/// The requests' buffers, kept for good (a handler may still be writing into one when its
/// signaller goes) and handed from one signaller to the next.
static BUFFERS: Mutex<Vec<&'static mut [u8]>> = Mutex::new(Vec::new());

pub(crate) fn buffers_lock() -> MutexGuard<'static, Vec<&'static mut [u8]>> {
    BUFFERS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A timer on one thread's CPU-time clock that signals that thread.
struct ThreadTimer {
    /// The slot's address and its thread's id when the timer was made.
    slot: usize,
    tid: i32,
    /// A `timer_t` (a pointer-sized handle).
    timer: usize,
}

impl ThreadTimer {
    fn new(slot: usize, tid: i32, signal: i32) -> Option<ThreadTimer> {
        // SAFETY: a zeroed sigevent is valid; the fields set below are the ones the kernel reads
        // for SIGEV_THREAD_ID.
        let mut event: libc::sigevent = unsafe { std::mem::zeroed() };
        event.sigev_notify = libc::SIGEV_THREAD_ID;
        event.sigev_signo = signal;
        event.sigev_notify_thread_id = tid;
        let mut timer: libc::timer_t = ptr::null_mut();
        // SAFETY: valid pointers; the clock is the thread's CPU-time clock (`~tid << 3 | 6`),
        // which the kernel accepts only for a thread of this process.
        let made = unsafe { libc::timer_create((!tid << 3) | 6, &mut event, &mut timer) };
        (made == 0).then_some(ThreadTimer {
            slot,
            tid,
            timer: timer as usize,
        })
    }

    /// Arms the timer to expire after `nanos` more nanoseconds of the thread's CPU time (0:
    /// disarms it).
    fn set(&self, nanos: i64) -> bool {
        let value = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: 0,
                tv_nsec: nanos,
            },
        };
        // SAFETY: a timer this process made and has not deleted; a valid itimerspec.
        unsafe { libc::timer_settime(self.timer as libc::timer_t, 0, &value, ptr::null_mut()) == 0 }
    }
}

impl Drop for ThreadTimer {
    fn drop(&mut self) {
        // SAFETY: deletes a timer this process made, once.
        unsafe { libc::timer_delete(self.timer as libc::timer_t) };
    }
}

/// A request armed by this signaller and not yet finished.
struct InFlight {
    /// Index in `REQUESTS` (and in `Signaller::buffers`).
    index: usize,
    /// The slot's address.
    slot: usize,
    armed_at: Instant,
}

/// What the signal path has for a slot.
pub(super) enum Collected {
    /// A copy of the poll's stack, unwound: instruction pointers, and the poll's function.
    Taken(Vec<usize>, FunctionInfo),
    /// A worker probe's reading and time, and its stack copy unwound if it asked for one.
    #[cfg(worker_probes)]
    Probed(
        crate::coop::WorkerProbe,
        crate::clock::Ticks,
        Option<Vec<usize>>,
    ),
    /// A request waits for its handler.
    Pending,
    /// Nothing in flight.
    Nothing,
}

/// The watchdog's side of the signal path.
pub(super) struct Signaller {
    signal: i32,
    /// `buffers[i]` belongs to `REQUESTS[i]`; grown as requests are first used.
    buffers: Vec<&'static mut [u8]>,
    in_flight: Vec<InFlight>,
    /// One timer per thread sampled so far, kept from sample to sample.
    timers: Vec<ThreadTimer>,
}

impl Signaller {
    pub(super) fn new() -> Result<Self, String> {
        let signal = install()?;
        let buffers = std::mem::take(&mut *buffers_lock());
        Ok(Signaller {
            signal,
            buffers,
            in_flight: Vec::new(),
            timers: Vec::new(),
        })
    }

    /// Collects the request in flight for `slot`: its copy of the poll `poll` unwound by
    /// `unwind`, if the handler has made one; finishes it unless it is still pending (withdrawn
    /// when its poll is over or after [`REQUEST_TIMEOUT`]).
    pub(super) fn collect(
        &mut self,
        slot: &'static Slot,
        poll: u64,
        unwind: &mut dyn FnMut(Registers, &[u8]) -> Vec<usize>,
    ) -> Collected {
        let slot_address = ptr::from_ref(slot) as usize;
        let Some(k) = self.in_flight.iter().position(|f| f.slot == slot_address) else {
            return Collected::Nothing;
        };
        let InFlight {
            index, armed_at, ..
        } = self.in_flight[k];
        let request = &REQUESTS[index];
        let collected = match request.state.load(Ordering::Acquire) {
            CAPTURED if request.poll.load(Ordering::Relaxed) == poll => {
                // SAFETY: CAPTURED (loaded with Acquire) hands `out` to the watchdog.
                let (registers, len, function) = unsafe {
                    let out = &*request.out.get();
                    (out.registers, out.len, out.function)
                };
                #[cfg(worker_probes)]
                // SAFETY: as above.
                if let Some((probe, at)) = unsafe { (*request.out.get()).probe } {
                    let ips = (len > 0).then(|| unwind(registers, &self.buffers[index][..len]));
                    self.finish(k);
                    return Collected::Probed(probe, at, ips);
                }
                match function {
                    Some(function) => {
                        Collected::Taken(unwind(registers, &self.buffers[index][..len]), function)
                    }
                    None => Collected::Nothing,
                }
            }
            ARMED | WRITING
                if request.poll.load(Ordering::Relaxed) == poll
                    && armed_at.elapsed() < REQUEST_TIMEOUT =>
            {
                return Collected::Pending;
            }
            _ => Collected::Nothing,
        };
        self.finish(k);
        collected
    }

    /// Arms a request for the poll `poll` on `slot`'s thread `tid`; `running` looks at the
    /// thread in `/proc` once more, last before the timer is armed, and nothing is armed unless
    /// it says the thread runs (is not blocked in the kernel).
    pub(super) fn arm(
        &mut self,
        slot: &'static Slot,
        poll: u64,
        ask: Ask,
        tid: i32,
        running: &mut dyn FnMut() -> bool,
    ) {
        let slot_address = ptr::from_ref(slot) as usize;
        if self.in_flight.iter().any(|f| f.slot == slot_address) {
            return;
        }
        let Some(index) = (0..MAX_REQUESTS).find(|i| self.in_flight.iter().all(|f| f.index != *i))
        else {
            return;
        };
        while self.buffers.len() <= index {
            self.buffers
                .push(Box::leak(vec![0u8; STACK_COPY_BYTES].into_boxed_slice()));
        }
        let current = match ask {
            Ask::Sample => slot.poll(),
            #[cfg(worker_probes)]
            Ask::Probe { .. } => slot.stretch(),
        };
        if current != poll || !running() {
            return;
        }
        let request = &REQUESTS[index];
        // SAFETY: the request is not in flight, so IDLE: the watchdog owns `out`.
        unsafe {
            let out = &mut *request.out.get();
            out.buffer = self.buffers[index].as_mut_ptr();
            #[cfg(worker_probes)]
            {
                out.probe = None;
            }
        }
        request.kind.store(ask.kind(), Ordering::Relaxed);
        request.tid.store(tid, Ordering::Relaxed);
        request
            .slot
            .store(ptr::from_ref(slot).cast_mut(), Ordering::Relaxed);
        request.poll.store(poll, Ordering::Relaxed);
        request.state.store(ARMED, Ordering::Release);
        let armed = self
            .timer(slot_address, tid)
            .is_some_and(|timer| timer.set(1));
        if !armed {
            request.state.store(IDLE, Ordering::Release);
            return;
        }
        SENT.fetch_add(1, Ordering::Relaxed);
        self.in_flight.push(InFlight {
            index,
            slot: slot_address,
            armed_at: Instant::now(),
        });
    }

    /// Withdraws and finishes the request in flight for `slot`, if any (its poll is over, or
    /// needs no more samples).
    pub(super) fn forget(&mut self, slot: &'static Slot) {
        let slot_address = ptr::from_ref(slot) as usize;
        if let Some(k) = self.in_flight.iter().position(|f| f.slot == slot_address) {
            self.finish(k);
        }
    }

    /// Ends the in-flight request `k`: withdrawn if still armed, waited for if a handler is
    /// copying (a few microseconds), then free; its thread's timer disarmed.
    fn finish(&mut self, k: usize) {
        let InFlight { index, slot, .. } = self.in_flight.swap_remove(k);
        let request = &REQUESTS[index];
        request.withdraw();
        while request.state.load(Ordering::Acquire) == WRITING {
            std::thread::yield_now();
        }
        request.state.store(IDLE, Ordering::Release);
        let tid = request.tid.load(Ordering::Relaxed);
        if let Some(timer) = self.timer(slot, tid) {
            timer.set(0);
        }
    }

    /// The timer of the thread `tid` of the slot at `slot`, made on first use (or after the slot
    /// changed hands).
    fn timer(&mut self, slot: usize, tid: i32) -> Option<&ThreadTimer> {
        let index = match self.timers.iter().position(|t| t.slot == slot) {
            Some(index) if self.timers[index].tid == tid => index,
            Some(index) => {
                self.timers[index] = ThreadTimer::new(slot, tid, self.signal)?;
                index
            }
            None => {
                self.timers.push(ThreadTimer::new(slot, tid, self.signal)?);
                self.timers.len() - 1
            }
        };
        Some(&self.timers[index])
    }
}

impl Drop for Signaller {
    fn drop(&mut self) {
        while !self.in_flight.is_empty() {
            self.finish(0);
        }
        let buffers = std::mem::take(&mut self.buffers);
        *buffers_lock() = buffers;
    }
}

/// Called by a poll that has just ended on `slot`'s thread (its slot already cleared): withdraws
/// a request for that poll whose signal has not come yet (it would only find the poll over).
/// Never waits.
pub(crate) fn poll_ended(slot: *const Slot, poll: u64) {
    for request in &REQUESTS {
        if ptr::eq(request.slot.load(Ordering::Relaxed), slot)
            && request.poll.load(Ordering::Relaxed) == poll
        {
            request.withdraw();
        }
    }
}

/// In a forked child: no capture is under way (the threads that took part do not exist here).
pub(crate) fn forget_requests() {
    for request in &REQUESTS {
        request.state.store(IDLE, Ordering::Relaxed);
        request.slot.store(ptr::null_mut(), Ordering::Relaxed);
    }
}
