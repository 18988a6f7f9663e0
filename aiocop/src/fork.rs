//! Fork safety. A child forked from a multi-threaded process has one thread, the one that
//! forked: aiocop's delivery thread and watchdog are gone, and a lock one of them held at that
//! instant stays held forever. Two measures keep the child's aiocop working:
//!
//! - `pthread_atfork` handlers take, before the fork, the locks aiocop's own threads hold for any
//!   length of time (the watchdog's, symbolization, the callback registries), and release them
//!   after it in both processes, so the child never inherits one held by a thread that does not
//!   exist there. A fork therefore waits for a symbolization step in progress (one address:
//!   microseconds, or up to the first loading of debug information, once per process).
//! - The child starts a new process generation ([`generation`]): the delivery thread is started
//!   again on first use, and the parent's queued events (the parent's to deliver) are left behind.
//!
//! This module knows none of those locks. Each module that owns one joins as a [`Participant`]
//! at a fixed [`Rank`] before one of aiocop's threads first takes it (the delivery thread and the
//! watchdog make their dependencies join when they start): the handlers take the participants'
//! locks in rank order, the one order every other path nests them in, and release them in
//! reverse. So the dependency points down, from each lock's owner to this leaf.

use std::any::Any;
use std::cell::RefCell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// The process generation: 0 in the process that loaded aiocop, one more in each forked child.
/// State tied to a thread of aiocop's (the delivery queue) belongs to one generation.
pub(crate) fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// Where a participant's locks go in the one order they are taken in: a lock is never taken
/// while one of a later rank is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rank {
    /// The watchdog's locks (its control, capture buffers, slots).
    Watchdog,
    /// The delivery thread: nothing to hold; its child hook starts a new queue.
    Delivery,
    /// Symbolization, then its cache.
    Symbolization,
    /// The slow-task callbacks' registry.
    Callbacks,
    /// The context providers' registry.
    Providers,
    /// The stuck-poll callbacks' registry.
    StuckCallbacks,
}

const RANKS: usize = 6;

/// A hook run after the fork, with the guards `prepare` returned (if the thread kept them).
pub(crate) type After = fn(Option<Box<dyn Any>>);

/// What a lock's owner does around a fork.
#[derive(Clone, Copy)]
pub(crate) struct Participant {
    /// Before the fork, on the forking thread: takes the locks and returns their guards.
    pub(crate) prepare: fn() -> Box<dyn Any>,
    /// After the fork, in the parent: releases them (given back, or `None` if the forking thread
    /// could not keep them).
    pub(crate) parent: After,
    /// After the fork, in the child (only the forking thread exists): resets what belonged to
    /// the parent's threads, and releases the guards.
    pub(crate) child: After,
}

impl Participant {
    /// A participant whose guards are only released after the fork, in both processes.
    pub(crate) const fn lock(prepare: fn() -> Box<dyn Any>) -> Self {
        Participant {
            prepare,
            parent: drop,
            child: drop,
        }
    }
}

static PARTICIPANTS: [OnceLock<Participant>; RANKS] = [const { OnceLock::new() }; RANKS];

/// Adds `participant` at `rank` (once; later calls for the rank change nothing) and makes sure
/// the handlers are registered. Call it before the lock is first taken by a thread of aiocop's.
pub(crate) fn join(rank: Rank, participant: Participant) {
    PARTICIPANTS[rank as usize].get_or_init(|| participant);
    register_handlers();
}

thread_local! {
    /// What `prepare` took, by rank, released by `parent` or `child` on the same thread.
    static HELD: RefCell<Vec<(usize, Box<dyn Any>)>> = const { RefCell::new(Vec::new()) };
}

/// Registers the fork handlers, once per process (a forked child inherits them).
fn register_handlers() {
    #[cfg(unix)]
    {
        use std::sync::Once;
        static REGISTER: Once = Once::new();
        REGISTER.call_once(|| {
            // SAFETY: the three handlers are `extern "C" fn()`s that never unwind.
            let failed = unsafe { libc::pthread_atfork(Some(prepare), Some(parent), Some(child)) };
            if failed != 0 {
                crate::report::warn(format_args!(
                    "could not register fork handlers (error {failed}); a forked child may \
                     not be able to report events"
                ));
            }
        });
    }
}

/// Before `fork`, on the forking thread: takes every participant's locks, in rank order.
#[cfg(unix)]
extern "C" fn prepare() {
    let _ = std::panic::catch_unwind(|| {
        let held: Vec<(usize, Box<dyn Any>)> = PARTICIPANTS
            .iter()
            .enumerate()
            .filter_map(|(rank, p)| p.get().map(|p| (rank, (p.prepare)())))
            .collect();
        // A thread tearing down its thread-locals cannot keep the guards: they are released at
        // once, and the child resets what it can without them.
        let _ = HELD.try_with(|h| *h.borrow_mut() = held);
    });
}

/// After `fork`, in the parent: releases what `prepare` took.
#[cfg(unix)]
extern "C" fn parent() {
    let _ = std::panic::catch_unwind(|| after(|p| p.parent));
}

/// After `fork`, in the child: starts a new generation, then releases what `prepare` took.
#[cfg(unix)]
extern "C" fn child() {
    let _ = std::panic::catch_unwind(|| {
        GENERATION.fetch_add(1, Ordering::AcqRel);
        after(|p| p.child);
    });
}

/// Runs each participant's hook (chosen by `hook`) in the reverse of rank order, with the guards
/// its `prepare` returned on this thread, if any.
#[cfg(unix)]
fn after(hook: fn(&Participant) -> After) {
    let mut held = HELD
        .try_with(|h| std::mem::take(&mut *h.borrow_mut()))
        .unwrap_or_default();
    for rank in (0..RANKS).rev() {
        let Some(participant) = PARTICIPANTS[rank].get() else {
            continue;
        };
        let guards = held
            .iter()
            .position(|(r, _)| *r == rank)
            .map(|i| held.swap_remove(i).1);
        hook(participant)(guards);
    }
}
