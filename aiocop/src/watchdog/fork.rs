//! The watchdog across `fork`: a child forked at any moment never finds one of the watchdog's
//! locks held by a thread it does not have, and its watchdog works again from its first use.
//!
//! [`prepare`] (in the parent, on the forking thread, before the fork) takes every lock the
//! watchdog's threads hold: the control lock, the loader-walk lock (so that the watchdog is not
//! inside `dl_iterate_phdr`, whose loader lock the child would otherwise inherit held), the signal
//! requests' buffer pool, the slot list and every slot's state. [`parent`] releases them. [`child`] resets what
//! belonged to threads that do not exist in the child (captures under way, every slot, the
//! forking thread's included since its thread id changed), records that the watchdog must be
//! started again with the parent's settings if it ran there, and releases the locks. The restart
//! happens at the child's first use: its first monitored poll (which takes a slot afresh, see
//! `slot::publish_unregistered`), or a call to `start_cpu_sampling`, `cpu_sampling_status`,
//! `is_cpu_sampling_started`, `effective_cpu_sampling` or `detect_slow_tasks`, whichever comes
//! first; a child that execs right away never starts a thread.
//!
//! The crate's one `pthread_atfork` registration ([`crate::fork`]) calls the three; the watchdog
//! makes sure it is installed when it first starts ([`register`]).

use std::sync::MutexGuard;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{Control, RUNNING, Watchdog, capture, control, slot};

/// The locks [`prepare`] took, kept on the forking thread (by [`crate::fork`]) until [`parent`]
/// or [`child`].
pub(crate) struct Held {
    control: MutexGuard<'static, Control>,
    capture: capture::fork::Held,
    slots: slot::ForkLocks,
}

/// Set in a child forked while the watchdog ran: its settings wait in `Control::restart`.
static RESTART_PENDING: AtomicBool = AtomicBool::new(false);

/// Before a fork, on the forking thread: takes the watchdog's locks (see the module docs).
pub(crate) fn prepare() -> Held {
    // Order: as every other path that nests them (control before the buffer pool, taken when
    // the watchdog starts; the others are never held while waiting for another).
    Held {
        control: control(),
        capture: capture::fork::lock(),
        slots: slot::lock_for_fork(),
    }
}

/// After a fork, in the parent: releases the locks.
pub(crate) fn parent(held: Held) {
    drop(held);
}

/// After a fork, in the child (only the forking thread exists): forgets the parent's threads,
/// marks the watchdog for a restart at first use, releases the locks. Allocates nothing.
/// Without `held` (a thread that could not keep the guards), only what needs no lock is reset.
pub(crate) fn child(held: Option<Held>) {
    capture::fork::forget_requests();
    RUNNING.store(false, Ordering::Relaxed);
    let Some(held) = held else {
        return;
    };
    let Held {
        mut control,
        capture,
        slots,
    } = held;
    slots.reset_in_child();
    if let Some(watchdog) = control.watchdog.take() {
        let Watchdog {
            settings,
            stop,
            thread,
            pid: _,
        } = watchdog;
        // The thread stayed in the parent: its handle must not be detached or joined here.
        std::mem::forget(thread);
        std::mem::forget(stop);
        if !control.disabled {
            control.restart = Some(settings);
            RESTART_PENDING.store(true, Ordering::Release);
        }
    }
    drop(capture);
    drop(control);
}

/// Starts the watchdog again if this is a child forked while it ran and nothing has started it
/// since. Cheap when not: one relaxed load.
pub(crate) fn restart_if_forked() {
    if !RESTART_PENDING.load(Ordering::Relaxed) || !RESTART_PENDING.swap(false, Ordering::AcqRel) {
        return;
    }
    let mut control = control();
    if let Some(settings) = control.restart.take() {
        let _ = super::start_with(&mut control, settings, false);
    }
}

/// Makes sure the crate's fork handlers, which call [`prepare`], [`parent`] and [`child`], are
/// installed (once per process; see [`crate::fork`]).
pub(crate) fn register() {
    crate::fork::join(
        crate::fork::Rank::Watchdog,
        crate::fork::Participant {
            prepare: || Box::new(prepare()),
            parent: |held| {
                if let Some(held) = held.and_then(|h| h.downcast::<Held>().ok()) {
                    parent(*held);
                }
            },
            child: |held| child(held.and_then(|h| h.downcast::<Held>().ok()).map(|h| *h)),
        },
    );
    // What the watchdog thread locks besides its own: symbolization and the registries of the
    // callbacks it may run (as the delivery thread does).
    crate::trace::join_fork();
    super::join_stuck_callbacks_to_fork();
    crate::callbacks::join_fork();
    crate::context::join_fork();
}
