//! Running the user's closures (slow-task callbacks, context providers, stuck-poll callbacks) so
//! that nothing they do reaches the monitored program or aiocop's own threads:
//!
//! - a panic is caught, and its payload disposed of even when dropping it panics too (a payload
//!   whose `Drop` panics would otherwise unwind out of aiocop, killing the delivery thread or
//!   reaching the monitored task);
//! - the default panic hook stays quiet for panics aiocop catches (its report is four lines, dozens
//!   with `RUST_BACKTRACE=1`, and costs a millisecond); aiocop writes one short line instead, at
//!   most one a second, counting the ones it held back;
//! - the thread is marked as running a closure, so that events raised by code the closure runs
//!   are not delivered back to it recursively (see [`in_callback`]).

use std::any::Any;
use std::cell::Cell;
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::report;

thread_local! {
    /// How many isolated closures this thread is inside (they may nest: a callback that registers
    /// and invokes through another registry).
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// Where the last panic caught here was raised, written by the hook for the report.
    static LOCATION: Cell<Option<String>> = const { Cell::new(None) };
}

/// Whether the current thread is running one of the user's closures for aiocop.
#[inline]
pub(crate) fn in_callback() -> bool {
    DEPTH.try_with(|d| d.get() > 0).unwrap_or(false)
}

/// Installs, once, a panic hook that is silent for panics raised inside [`call`] and hands every
/// other panic to the hook that was installed before it. Called when a closure is registered, so
/// a program that never registers one keeps its hook untouched; a hook the program installs
/// later replaces this one (aiocop's panics then reach that hook, nothing else changes).
pub(crate) fn install_quiet_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // `take_hook` panics on a panicking thread; registration never happens there, but a
        // destructor might register during unwinding.
        if std::thread::panicking() {
            return;
        }
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            if in_callback() {
                let location = info.location().map(ToString::to_string);
                let _ = LOCATION.try_with(|cell| cell.set(location));
                return;
            }
            previous(info);
        }));
    });
}

/// Calls `f`, isolated (see the module docs). `what` names the closure in the report
/// (`"slow-task callback #3"`); it is only formatted when `f` panics.
pub(crate) fn call(what: impl FnOnce(&mut String), f: impl FnOnce()) {
    struct Depth;
    impl Drop for Depth {
        fn drop(&mut self) {
            let _ = DEPTH.try_with(|d| d.set(d.get() - 1));
        }
    }
    let _ = DEPTH.try_with(|d| d.set(d.get() + 1));
    let depth = Depth;
    let outcome = panic::catch_unwind(AssertUnwindSafe(f));
    // A panic the closure caught itself left its location behind: not this closure's.
    let location = LOCATION.try_with(Cell::take).ok().flatten();
    if let Err(payload) = outcome {
        report_panic(what, location, &*payload);
        // Still marked as inside the closure: a payload whose drop panics stays quiet too.
        dispose(payload);
    }
    drop(depth);
}

/// Drops a panic payload; a drop that panics again has its own payload forgotten (leaked) rather
/// than unwinding further.
fn dispose(payload: Box<dyn Any + Send>) {
    if let Err(again) = panic::catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}

/// Reports at most one isolated panic per this many nanoseconds; the others are counted and
/// mentioned in the next report.
const REPORT_EVERY_NS: u64 = 1_000_000_000;
/// Nanoseconds since [`epoch`] at the last report, plus one (0: never reported).
static LAST_REPORT: AtomicU64 = AtomicU64::new(0);
static HELD_BACK: AtomicU64 = AtomicU64::new(0);

fn epoch() -> Instant {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn report_panic(
    what: impl FnOnce(&mut String),
    location: Option<String>,
    payload: &(dyn Any + Send),
) {
    let now = epoch().elapsed().as_nanos() as u64 + 1;
    let last = LAST_REPORT.load(Ordering::Relaxed);
    if last != 0 && now.saturating_sub(last) < REPORT_EVERY_NS
        || LAST_REPORT
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
    {
        HELD_BACK.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let mut line = String::new();
    what(&mut line);
    line.push_str(" panicked");
    if let Some(location) = location {
        let _ = write!(line, " at {location}");
    }
    let _ = write!(line, ": {}", report::panic_message(payload));
    let held_back = HELD_BACK.swap(0, Ordering::Relaxed);
    if held_back > 0 {
        let _ = write!(line, " ({held_back} more panics not shown)");
    }
    report::warn(format_args!("{line}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_whose_drop_panics_is_contained() {
        struct Bomb;
        impl Drop for Bomb {
            fn drop(&mut self) {
                panic!("drop of the payload");
            }
        }
        install_quiet_hook();
        call(
            |w| w.push_str("test closure"),
            || std::panic::panic_any(Bomb),
        );
        assert!(!in_callback());
    }

    #[test]
    fn the_thread_is_marked_while_the_closure_runs() {
        let mut seen = false;
        call(|_| {}, || seen = in_callback());
        assert!(seen);
        assert!(!in_callback());
    }
}
