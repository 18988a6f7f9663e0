//! Per-thread publication slots: how a runtime thread tells the watchdog "a monitored poll has been
//! running since tick T", and where the watchdog leaves the samples it took of that poll.
//!
//! This is the only part of the watchdog on the hot path: a poll publishes its start when it opens
//! its scope and clears it when it closes (one store each). Slots are allocated once per thread
//! that runs monitored polls, never freed (the watchdog and a signal handler may hold a pointer),
//! and recycled when their thread exits.

use std::cell::Cell;
use std::ptr;
use std::sync::atomic::{AtomicI32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::clock::Ticks;
use crate::trace::Trace;

/// One thread's publication slot.
pub(crate) struct Slot {
    /// Start of the running outermost monitored poll (its id), or 0 between polls.
    poll: AtomicU64,
    /// Start of the owning worker thread's stretch (its id; see `crate::runtime`), or 0 when the
    /// thread is parked or no worker: the watchdog probes long stretches for long polls (see
    /// `watchdog::workers`).
    stretch: AtomicU64,
    /// Highest address of the owning thread's stack, for the copies of worker probes (0 until a
    /// stretch is published).
    stack_top: AtomicUsize,
    /// Kernel thread id of the owning thread; 0 while the slot is free.
    tid: AtomicI32,
    /// Address of the owning thread's open-scope cell (`scope::remote::current_cell`), through
    /// which the watchdog finds the poll's scope on a thread it does not interrupt.
    current_cell: AtomicUsize,
    /// What the watchdog found out about the owner's polls.
    state: Mutex<SlotState>,
}

#[derive(Default)]
pub(crate) struct SlotState {
    /// The owning thread's name, for stuck-poll reports.
    pub(crate) thread_name: Option<String>,
    /// The poll `samples` belong to.
    pub(crate) samples_poll: u64,
    /// Samples of `samples_poll`, symbolized by the watchdog after it leaves them here.
    pub(crate) samples: Vec<Trace>,
    /// The last poll reported stuck (each stuck poll is reported once).
    pub(crate) stuck_poll: u64,
}

impl Slot {
    const fn new() -> Self {
        Slot {
            poll: AtomicU64::new(0),
            stretch: AtomicU64::new(0),
            stack_top: AtomicUsize::new(0),
            tid: AtomicI32::new(0),
            current_cell: AtomicUsize::new(0),
            state: Mutex::new(SlotState {
                thread_name: None,
                samples_poll: 0,
                samples: Vec::new(),
                stuck_poll: 0,
            }),
        }
    }

    /// The running poll's id (its start reading), or 0.
    pub(crate) fn poll(&self) -> u64 {
        self.poll.load(Ordering::Acquire)
    }

    /// The owning worker's running stretch (its id), or 0.
    #[cfg_attr(not(worker_probes), allow(dead_code))]
    pub(crate) fn stretch(&self) -> u64 {
        self.stretch.load(Ordering::Acquire)
    }

    /// Highest address of the owning thread's stack, or 0 if unknown.
    #[cfg_attr(not(worker_probes), allow(dead_code))]
    pub(crate) fn stack_top(&self) -> usize {
        self.stack_top.load(Ordering::Relaxed)
    }

    /// The owning thread's kernel id, or 0 if the slot is free.
    #[cfg_attr(
        not(all(target_os = "linux", target_arch = "x86_64", not(miri))),
        allow(dead_code)
    )]
    pub(crate) fn tid(&self) -> i32 {
        self.tid.load(Ordering::Acquire)
    }

    /// The owning thread's open-scope cell address, or 0.
    #[cfg_attr(
        not(all(target_os = "linux", target_arch = "x86_64", not(miri))),
        allow(dead_code)
    )]
    pub(crate) fn current_cell(&self) -> usize {
        self.current_cell.load(Ordering::Acquire)
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps `sample` as a sample of `poll` if that poll is still the one running and has fewer than
    /// `max` samples.
    pub(crate) fn push_sample(&self, poll: u64, sample: Trace, max: usize) {
        let mut state = self.state();
        if self.poll() != poll {
            return;
        }
        if state.samples_poll != poll {
            state.samples_poll = poll;
            state.samples.clear();
        }
        if state.samples.len() < max {
            state.samples.push(sample);
        }
    }

    /// Takes the samples of `poll` (leaving none).
    pub(crate) fn take_samples(&self, poll: u64) -> Vec<Trace> {
        let mut state = self.state();
        if state.samples_poll != poll {
            return Vec::new();
        }
        state.samples_poll = 0;
        std::mem::take(&mut state.samples)
    }
}

/// Every slot ever allocated, free ones included.
static SLOTS: Mutex<Vec<&'static Slot>> = Mutex::new(Vec::new());

fn slots() -> MutexGuard<'static, Vec<&'static Slot>> {
    SLOTS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The slots, for the watchdog's rounds.
pub(crate) fn all() -> Vec<&'static Slot> {
    slots().clone()
}

/// The slot locks held across a fork (see `watchdog::fork`): the list's, then every slot's state.
pub(crate) struct ForkLocks {
    list: MutexGuard<'static, Vec<&'static Slot>>,
    states: Vec<MutexGuard<'static, SlotState>>,
}

/// Takes every slot lock, so that the child finds none held by a thread it does not have.
pub(crate) fn lock_for_fork() -> ForkLocks {
    let list = slots();
    let states = list.iter().map(|slot| slot.state()).collect();
    ForkLocks { list, states }
}

impl ForkLocks {
    /// In a forked child: only the forking thread exists. Every slot becomes free and empty
    /// (including the forking thread's, whose thread id changed: its next monitored poll takes a
    /// slot afresh, which also restarts the watchdog, see `watchdog::fork`); then the locks are
    /// released.
    pub(crate) fn reset_in_child(mut self) {
        for (slot, state) in self.list.iter().zip(self.states.iter_mut()) {
            slot.poll.store(0, Ordering::Relaxed);
            slot.stretch.store(0, Ordering::Relaxed);
            slot.stack_top.store(0, Ordering::Relaxed);
            slot.current_cell.store(0, Ordering::Relaxed);
            slot.tid.store(0, Ordering::Relaxed);
            state.samples_poll = 0;
            state.stuck_poll = 0;
            // Freed in the child only if it allocates nothing: never drop while the allocator
            // may be inconsistent. (glibc's allocator is usable in a child; the samples are
            // moved out and forgotten to stay on the safe side of other allocators.)
            std::mem::forget(std::mem::take(&mut state.samples));
            std::mem::forget(state.thread_name.take());
        }
        if !MINE.replace(ptr::null()).is_null() {
            let _ = OWNER.try_with(|owner| owner.0.set(None));
        }
    }
}

thread_local! {
    /// This thread's slot, or null. Const-initialised without a destructor: one TLS load.
    static MINE: Cell<*const Slot> = const { Cell::new(ptr::null()) };
    /// Gives the slot back when the thread exits.
    static OWNER: Owner = const { Owner(Cell::new(None)) };
}

struct Owner(Cell<Option<&'static Slot>>);

impl Drop for Owner {
    fn drop(&mut self) {
        if let Some(slot) = self.0.take() {
            MINE.set(ptr::null());
            slot.poll.store(0, Ordering::Release);
            slot.stretch.store(0, Ordering::Release);
            slot.stack_top.store(0, Ordering::Release);
            slot.current_cell.store(0, Ordering::Release);
            {
                let mut state = slot.state();
                *state = SlotState::default();
            }
            // Last: from here on another thread may take the slot.
            slot.tid.store(0, Ordering::Release);
        }
    }
}

/// This thread's slot pointer (null if it has none); read by the signal handler too, which runs
/// on the thread the slot belongs to.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn mine() -> *const Slot {
    MINE.get()
}

/// Publishes the start of this thread's outermost monitored poll; returns the thread's slot (null
/// if it has none) for [`clear`].
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn publish(start: Ticks) -> *const Slot {
    let slot = MINE.get();
    if slot.is_null() {
        return publish_unregistered(start);
    }
    // SAFETY: slots are leaked (`&'static`), and `MINE` only ever holds one.
    // Release: the scope is published in `CURRENT` before the poll id, so a signal handler that
    // sees this id finds the scope.
    unsafe { &*slot }.poll.store(start.id(), Ordering::Release);
    slot
}

/// The poll this thread shows the watchdog (its id), 0 when none.
#[cfg(any(
    feature = "runtime",
    feature = "tracing-polls",
    all(feature = "tokio-hooks", tokio_unstable)
))]
#[inline]
pub(crate) fn published() -> u64 {
    // SAFETY: slots are leaked.
    unsafe { MINE.get().as_ref() }.map_or(0, Slot::poll)
}

/// Clears the running poll of this thread, given what [`publish`] returned on this thread.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn clear(slot: *const Slot) {
    if !slot.is_null() {
        // SAFETY: as in `publish`.
        unsafe { &*slot }.poll.store(0, Ordering::Relaxed);
    }
}

/// Clears the running poll of this thread, whatever published it.
#[cfg_attr(
    not(any(feature = "runtime", all(feature = "tokio-hooks", tokio_unstable))),
    allow(dead_code)
)]
#[inline]
pub(crate) fn clear_mine() {
    clear(MINE.get());
}

/// The first monitored poll of a thread: takes a slot for the thread (whether the watchdog runs or
/// not, so that one started later sees every thread, and a poll asks nothing about it).
#[cold]
#[inline(never)]
fn publish_unregistered(start: Ticks) -> *const Slot {
    let slot = register();
    if !slot.is_null() {
        // SAFETY: slots are leaked.
        unsafe { &*slot }.poll.store(start.id(), Ordering::Release);
    }
    slot
}

/// Takes a slot for this thread; null if it cannot have one (no thread id, thread-local storage
/// being torn down).
fn register() -> *const Slot {
    let Some(tid) = super::capture::current_tid() else {
        return ptr::null();
    };
    let slot = {
        let mut all = slots();
        let free = all.iter().copied().find(|s| {
            s.tid
                .compare_exchange(0, tid, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        });
        match free {
            Some(slot) => slot,
            None => {
                let slot: &'static Slot = Box::leak(Box::new(Slot::new()));
                slot.tid.store(tid, Ordering::Release);
                all.push(slot);
                slot
            }
        }
    };
    slot.current_cell
        .store(crate::scope::remote::current_cell(), Ordering::Release);
    slot.state().thread_name = std::thread::current().name().map(str::to_owned);
    // The owner guard gives the slot back at thread exit; if thread-local storage is already being
    // torn down, give it back now and stay unregistered.
    if OWNER.try_with(|owner| owner.0.set(Some(slot))).is_err() {
        slot.tid.store(0, Ordering::Release);
        return ptr::null();
    }
    MINE.set(slot);
    super::fork::restart_if_forked();
    slot
}

/// Publishes the start of this worker thread's stretch (see `crate::runtime`), taking a slot for
/// the thread at its first stretch. Called by the worker hooks, outside any poll.
#[cfg(worker_probes)]
#[inline]
pub(crate) fn publish_stretch(start: Ticks) {
    let slot = MINE.get();
    // SAFETY: slots are leaked.
    match unsafe { slot.as_ref() } {
        Some(slot) if slot.stack_top.load(Ordering::Relaxed) != 0 => {
            slot.stretch.store(start.id(), Ordering::Release);
        }
        _ => publish_first_stretch(start),
    }
}

/// [`publish_stretch`] on a thread that has no slot yet, or whose stack top the slot does not
/// hold yet.
#[cfg(worker_probes)]
#[cold]
#[inline(never)]
fn publish_first_stretch(start: Ticks) {
    let mut slot = MINE.get();
    if slot.is_null() {
        slot = register();
        if slot.is_null() {
            return;
        }
    }
    // SAFETY: slots are leaked.
    let slot = unsafe { &*slot };
    if slot.stack_top.load(Ordering::Relaxed) == 0 {
        // Once per thread, here and not in the signal handler (it may read `/proc`).
        slot.stack_top.store(crate::stack::top(), Ordering::Relaxed);
    }
    slot.stretch.store(start.id(), Ordering::Release);
}

/// Ends this worker thread's stretch (it parks or stops).
#[cfg(worker_probes)]
pub(crate) fn clear_stretch() {
    let slot = MINE.get();
    if !slot.is_null() {
        // SAFETY: slots are leaked.
        unsafe { &*slot }.stretch.store(0, Ordering::Release);
    }
}
