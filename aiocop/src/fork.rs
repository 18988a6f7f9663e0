//! Fork safety. A child forked from a multi-threaded process has one thread, the one that
//! forked: aiocop's delivery thread and watchdog are gone, and a lock one of them held at that
//! instant stays held forever. Two measures keep the child's aiocop working:
//!
//! - `pthread_atfork` handlers take, before the fork, the locks aiocop's own threads hold for any
//!   length of time (symbolization, the callback registries, the watchdog's: see
//!   `watchdog::fork`), and release them after it in both processes, so the child never inherits one held by a thread that does not exist there. A
//!   fork therefore waits for a symbolization step in progress (one address: microseconds, or up
//!   to the first loading of debug information, once per process).
//! - The child starts a new process generation ([`generation`]): the delivery thread is started
//!   again on first use, and the parent's queued events (the parent's to deliver) are left behind.
//!
//! The handlers are registered when aiocop first starts a thread of its own.

use std::any::Any;
use std::cell::RefCell;

/// What `prepare` took, released by `parent` or `child` on the same thread.
#[derive(Default)]
struct Held {
    watchdog: Option<crate::watchdog::fork::Held>,
    /// Released in the reverse order of taking.
    others: Vec<Box<dyn Any>>,
}

thread_local! {
    static HELD: RefCell<Held> = RefCell::new(Held::default());
}

/// Registers the fork handlers, once per process (a forked child inherits them).
pub(crate) fn register_handlers() {
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

/// Before `fork`, on the forking thread: takes the locks, in the one order every other path takes
/// them in (symbolization before its cache; the registries are never held with either).
#[cfg(unix)]
extern "C" fn prepare() {
    let _ = std::panic::catch_unwind(|| {
        // The watchdog's locks first (released last); no thread holds one of them while
        // waiting for symbolization or a registry, nor the other way round.
        let watchdog = Some(crate::watchdog::fork::prepare());
        let [symbolize, cache] = crate::trace::hold_for_fork();
        let others: Vec<Box<dyn Any>> = vec![
            symbolize,
            cache,
            crate::callbacks::hold_for_fork(),
            crate::context::hold_for_fork(),
            crate::watchdog::hold_stuck_callbacks_for_fork(),
        ];
        // A thread tearing down its thread-locals cannot keep the guards: they are released at
        // once, and the child resets what it can without them.
        let _ = HELD.try_with(|h| *h.borrow_mut() = Held { watchdog, others });
    });
}

/// After `fork`, in the parent: releases what `prepare` took.
#[cfg(unix)]
extern "C" fn parent() {
    let _ = std::panic::catch_unwind(|| {
        let watchdog = release();
        if let Some(watchdog) = watchdog {
            crate::watchdog::fork::parent(watchdog);
        }
    });
}

/// After `fork`, in the child: releases what `prepare` took and starts a new generation.
#[cfg(unix)]
extern "C" fn child() {
    let _ = std::panic::catch_unwind(|| {
        let watchdog = release();
        crate::generation::advance();
        crate::delivery::after_fork_in_child();
        crate::watchdog::fork::child(watchdog);
    });
}

/// Releases the guards other than the watchdog's (in the reverse order of taking) and hands
/// those back: the watchdog's handlers need them.
#[cfg(unix)]
fn release() -> Option<crate::watchdog::fork::Held> {
    let held = HELD
        .try_with(|h| std::mem::take(&mut *h.borrow_mut()))
        .ok()?;
    held.others.into_iter().rev().for_each(drop);
    held.watchdog
}
