//! Tokio's cooperative budget, read: on stable tokio the one sign of whether code runs inside the
//! poll of a task, and, for the watchdog's probes of worker threads, of whether two looks at a
//! worker saw the same poll.
//!
//! Tokio gives each poll it runs a constrained budget (128 units, taken by the resources the poll
//! uses) and lifts it for everything else. No stable API says which: a budget that ran out is
//! constrained; otherwise `poll_proceed` takes one unit and its guard shows the budget as it was,
//! in its `Debug` form, `Budget(Some(n))` or `Budget(None)`. The guard gives the unit back when it
//! drops, unless progress is declared on it. The tests check this reading on every kind of thread
//! (tests/tests/runtime.rs, the tracing layer's unit tests), so a tokio that changes the form fails
//! them.

use std::fmt::Write;
use std::task::{Context, Poll, Waker};

/// Whether this thread runs under a constrained cooperative budget: `Some(true)` inside the poll
/// of a task run by a tokio scheduler (or of a `block_on` future), `Some(false)` in the
/// scheduler's own code between polls, a `spawn_blocking` or `block_in_place` closure, or a thread
/// tokio does not run; `None` when the budget could not be read. Callers decide what `None` means.
pub(crate) fn task_budget() -> Option<bool> {
    if !tokio::task::coop::has_budget_remaining() {
        return Some(true);
    }
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready(restore) = tokio::task::coop::poll_proceed(&mut cx) else {
        return Some(true);
    };
    // Dropping `restore` (at the end) gives the unit back.
    if let Some(constrained) = layout::read(&restore) {
        return Some(constrained);
    }
    let mut reader = BudgetReader::new();
    let _ = write!(reader, "{restore:?}");
    layout::learn(&restore, &reader);
    reader.constrained
}

/// A fast reading of a budget guard, once its layout is known: formatting the guard costs about
/// a thousand instructions, a span layer asks at every span it enters.
///
/// The guard holds an `Option<u8>` (in a `Cell`, in a newtype): two bytes, one the variant's tag.
/// Which one, and its values, Rust does not promise; so they are learned from the readings the
/// `Debug` form gives, and used only once both a constrained and an unconstrained guard agreed
/// with them: for a constrained guard with `n` units (`n` other than 0 or 1) both bytes are
/// initialised and exactly one holds `n`, the other is the tag; an unconstrained guard must show
/// a different tag there. Anything else (another size, disagreement) keeps the `Debug` reading
/// for good. Only the tag byte is ever read from an unconstrained guard (its other byte is
/// uninitialised).
mod layout {
    use std::future::Future;
    use std::mem::{MaybeUninit, size_of};
    use std::sync::atomic::{AtomicU8, Ordering};

    use super::BudgetReader;
    use tokio::task::coop::RestoreOnPending;

    /// Not learned yet.
    const UNKNOWN: u8 = 0;
    /// The readings disagreed, or the guard is not two bytes: never read fast.
    const NEVER: u8 = 0xff;

    /// `UNKNOWN`, `NEVER`, or `1 + tag index` in bits 0..2 with bit 2 set once a constrained
    /// guard was seen and bit 3 once an unconstrained one agreed.
    static STATE: AtomicU8 = AtomicU8::new(UNKNOWN);
    /// The tag of a constrained guard (`Some`).
    static SOME_TAG: AtomicU8 = AtomicU8::new(0);
    const SEEN_SOME: u8 = 0b100;
    const SEEN_NONE: u8 = 0b1000;

    /// The guard's byte `index`, which must be initialised.
    ///
    /// # Safety
    /// `index` < 2, and the byte initialised (the tag, or any byte of a constrained guard).
    unsafe fn byte(restore: &RestoreOnPending, index: usize) -> u8 {
        let bytes = std::ptr::from_ref(restore).cast::<MaybeUninit<u8>>();
        // SAFETY: the guard is two bytes (checked by the callers), `index` < 2 and initialised.
        unsafe { bytes.add(index).read().assume_init() }
    }

    /// Whether the guard is constrained, if its layout is known.
    #[inline]
    pub(super) fn read(restore: &RestoreOnPending) -> Option<bool> {
        let state = STATE.load(Ordering::Acquire);
        if state & (SEEN_SOME | SEEN_NONE) != SEEN_SOME | SEEN_NONE || state == NEVER {
            return None;
        }
        let index = usize::from(state & 0b11) - 1;
        // SAFETY: learned layout: two bytes, `index` is the tag's.
        let tag = unsafe { byte(restore, index) };
        Some(tag == SOME_TAG.load(Ordering::Relaxed))
    }

    /// Learns from a guard whose `Debug` reading is `reader`.
    pub(super) fn learn(restore: &RestoreOnPending, reader: &BudgetReader) {
        let state = STATE.load(Ordering::Acquire);
        if state == NEVER {
            return;
        }
        if size_of::<RestoreOnPending>() != 2 {
            STATE.store(NEVER, Ordering::Release);
            return;
        }
        match (reader.constrained, reader.units) {
            (Some(true), Some(units)) if units > 1 && state & SEEN_SOME == 0 => {
                // SAFETY: a constrained guard's two bytes are initialised.
                let bytes = unsafe { [byte(restore, 0), byte(restore, 1)] };
                let index = match bytes {
                    [tag, n] if n == units && tag != units => 0,
                    [n, tag] if n == units && tag != units => 1,
                    _ => {
                        STATE.store(NEVER, Ordering::Release);
                        return;
                    }
                };
                SOME_TAG.store(bytes[index], Ordering::Relaxed);
                STATE.store((index as u8 + 1) | SEEN_SOME, Ordering::Release);
                // An unconstrained guard, made here, checks the tag: a service whose spans are all
                // entered in polls may never show one.
                learn_unconstrained();
            }
            (Some(false), _) if state & SEEN_SOME != 0 && state & SEEN_NONE == 0 => {
                let index = usize::from(state & 0b11) - 1;
                // SAFETY: two bytes; `index` is the tag's by the constrained reading.
                let tag = unsafe { byte(restore, index) };
                if tag == SOME_TAG.load(Ordering::Relaxed) {
                    STATE.store(NEVER, Ordering::Release);
                } else {
                    STATE.store(state | SEEN_NONE, Ordering::Release);
                }
            }
            _ => {}
        }
    }

    /// Takes a unit under `tokio::task::coop::unconstrained` (which lifts the budget for the poll
    /// of the future it wraps, and puts it back after) and learns from that guard.
    fn learn_unconstrained() {
        use std::fmt::Write;
        use std::task::{Context, Poll, Waker};

        let mut cx = Context::from_waker(Waker::noop());
        let lifted = tokio::task::coop::unconstrained(std::future::poll_fn(|cx| {
            Poll::Ready(tokio::task::coop::poll_proceed(cx))
        }));
        let Poll::Ready(Poll::Ready(restore)) = std::pin::pin!(lifted).poll(&mut cx) else {
            return;
        };
        let mut reader = BudgetReader::new();
        let _ = write!(reader, "{restore:?}");
        learn(&restore, &reader);
    }

    /// Whether the fast reading is in use (for the tests).
    #[cfg(test)]
    pub(super) fn learned() -> bool {
        STATE.load(Ordering::Relaxed) & (SEEN_SOME | SEEN_NONE) == SEEN_SOME | SEEN_NONE
            && STATE.load(Ordering::Relaxed) != NEVER
    }
}

/// What a probe of a worker found (see [`probe_and_mark`]).
#[cfg(worker_probes)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Budget {
    /// Outside any task's poll (or unreadable).
    Outside,
    /// Inside a poll that has used up its budget: nothing tells it from another such poll, and
    /// nothing is taken.
    Exhausted,
    /// Inside a poll, with this many units found; the probe took one of them (the mark).
    Marked(u8),
}

/// Reads this thread's budget and takes one unit of it for good (the mark): inside one poll that
/// uses no tokio resource, each probe finds exactly what the previous one left, while a new poll
/// starts from a full budget. Taking a unit changes nothing but that the poll's resources may
/// yield one operation earlier; an exhausted budget is read without a mark.
///
/// Async-signal-safe on a thread that has used tokio already (the watchdog's handler calls it,
/// only on worker threads): thread-local reads and writes of plain cells, formatting into a fixed
/// reader. Not under `--cfg tokio_unstable`, where taking the last unit counts a forced yield in
/// the runtime's metrics through a `RefCell` the interrupted code may hold: the watchdog does not
/// probe workers there (the poll hooks of `runtime_hooks` see every poll instead).
#[cfg(worker_probes)]
pub(crate) fn probe_and_mark() -> Budget {
    if !tokio::task::coop::has_budget_remaining() {
        return Budget::Exhausted;
    }
    let mut cx = Context::from_waker(Waker::noop());
    // With budget remaining the unit is always granted: nothing is registered with the waker.
    let Poll::Ready(restore) = tokio::task::coop::poll_proceed(&mut cx) else {
        return Budget::Exhausted;
    };
    let mut reader = BudgetReader::new();
    let _ = write!(reader, "{restore:?}");
    match (reader.constrained, reader.units) {
        (Some(true), Some(found)) if found > 0 => {
            // Keeps the unit taken: the mark.
            restore.made_progress();
            Budget::Marked(found)
        }
        _ => Budget::Outside,
    }
}

/// What the watchdog's probe of a worker thread reads (see `watchdog::workers`).
#[cfg(worker_probes)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WorkerProbe {
    /// The id of the task being polled (`tokio::task::try_id`), if a task is.
    pub(crate) task: Option<u64>,
    /// The budget, marked (see [`probe_and_mark`]).
    pub(crate) budget: Budget,
}

/// Reads the task being polled on this thread and marks its budget. Async-signal-safe as
/// [`probe_and_mark`] is.
#[cfg(worker_probes)]
pub(crate) fn probe_worker() -> WorkerProbe {
    let task = tokio::task::try_id().and_then(|id| {
        let mut digits = Digits(Some(0));
        let _ = write!(digits, "{id}");
        digits.0
    });
    WorkerProbe {
        task,
        budget: probe_and_mark(),
    }
}

/// A decimal number read from formatting output, without keeping the text (`None` if anything
/// else shows, or it overflows).
#[cfg(worker_probes)]
struct Digits(Option<u64>);

#[cfg(worker_probes)]
impl std::fmt::Write for Digits {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        for &byte in s.as_bytes() {
            self.0 = match (self.0, byte) {
                (Some(n), b'0'..=b'9') => n
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(u64::from(byte - b'0'))),
                _ => None,
            };
        }
        Ok(())
    }
}

/// Reads a budget from its `Debug` text without keeping the text: after `Budget(`, `Some(n)` says
/// constrained with `n` units, `None` unconstrained. Stops the formatting (with an error) as soon
/// as it knows.
pub(crate) struct BudgetReader {
    matched: usize,
    /// Whether the budget is constrained, once known.
    pub(crate) constrained: Option<bool>,
    /// The units left, once read (constrained budgets only).
    pub(crate) units: Option<u8>,
    digits: Option<u16>,
    /// Bytes of `Some(` matched after the prefix.
    some: usize,
}

impl BudgetReader {
    const PREFIX: &'static [u8] = b"Budget(";
    const SOME: &'static [u8] = b"Some(";

    pub(crate) fn new() -> Self {
        BudgetReader {
            matched: 0,
            constrained: None,
            units: None,
            digits: None,
            some: 0,
        }
    }

    /// One byte after `Budget(Some` has been seen; `Err` once the reading is complete or failed.
    fn units_byte(&mut self, byte: u8) -> std::fmt::Result {
        if self.some < Self::SOME.len() {
            if byte != Self::SOME[self.some] {
                return Err(std::fmt::Error);
            }
            self.some += 1;
            return Ok(());
        }
        match byte {
            b'0'..=b'9' => {
                let value = self.digits.unwrap_or(0) * 10 + u16::from(byte - b'0');
                if value > u16::from(u8::MAX) {
                    return Err(std::fmt::Error);
                }
                self.digits = Some(value);
                Ok(())
            }
            _ => {
                self.units = self.digits.and_then(|d| u8::try_from(d).ok());
                Err(std::fmt::Error)
            }
        }
    }
}

impl std::fmt::Write for BudgetReader {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        for &byte in s.as_bytes() {
            if self.constrained == Some(true) {
                self.units_byte(byte)?;
                continue;
            }
            if self.matched == Self::PREFIX.len() {
                self.constrained = Some(byte == b'S');
                if byte != b'S' {
                    return Err(std::fmt::Error);
                }
                self.some = 1;
                continue;
            }
            // The prefix's first byte does not recur in it, so a mismatch restarts the match at
            // this byte.
            if byte == Self::PREFIX[self.matched] {
                self.matched += 1;
            } else {
                self.matched = usize::from(byte == Self::PREFIX[0]);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(parts: &[&str]) -> (Option<bool>, Option<u8>) {
        let mut reader = BudgetReader::new();
        for part in parts {
            if reader.write_str(part).is_err() {
                break;
            }
        }
        (reader.constrained, reader.units)
    }

    #[test]
    fn reads_the_budget_across_writes_and_stops_once_it_knows() {
        assert_eq!(
            read(&["Cell { value: Bud", "Budget", "(", "Some", "(12", "7)"]),
            (Some(true), Some(127))
        );
        assert_eq!(
            read(&["RestoreOnPending(Cell { value: Budget(Some(0)) })"]),
            (Some(true), Some(0))
        );
        assert_eq!(
            read(&["RestoreOnPending(Cell { value: Budget(None) })"]),
            (Some(false), None)
        );
        assert_eq!(read(&["something else entirely"]), (None, None));
        assert_eq!(read(&["Budget(Some(999))"]), (Some(true), None));
        assert_eq!(read(&["Budget(Sum(1))"]), (Some(true), None));
    }

    #[test]
    fn tokio_shows_its_budget_as_the_reader_expects() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let read_now = || {
            let mut cx = Context::from_waker(Waker::noop());
            let Poll::Ready(restore) = tokio::task::coop::poll_proceed(&mut cx) else {
                panic!("no budget");
            };
            let mut reader = BudgetReader::new();
            let _ = write!(reader, "{restore:?}");
            (reader.constrained, reader.units)
        };
        assert_eq!(
            runtime.block_on(async { read_now() }),
            (Some(true), Some(128))
        );
        assert_eq!(read_now(), (Some(false), None));
    }

    #[test]
    fn the_fast_reading_is_learned_and_agrees_with_the_debug_form() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        // Both kinds of guard, read enough times to learn the layout and then use it.
        for _ in 0..3 {
            assert_eq!(task_budget(), Some(false), "a plain thread");
            assert_eq!(runtime.block_on(async { task_budget() }), Some(true));
            assert_eq!(
                runtime.block_on(async { tokio::spawn(async { task_budget() }).await.unwrap() }),
                Some(true)
            );
            assert_eq!(
                runtime.block_on(async { tokio::task::spawn_blocking(task_budget).await.unwrap() }),
                Some(false)
            );
            assert_eq!(
                runtime.block_on(tokio::task::coop::unconstrained(async { task_budget() })),
                Some(false)
            );
        }
        assert!(layout::learned(), "learned from agreeing readings");
    }

    #[cfg(worker_probes)]
    #[test]
    fn a_mark_stays_for_the_rest_of_the_poll_and_a_new_poll_starts_full() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (first, second) = runtime.block_on(async { (probe_and_mark(), probe_and_mark()) });
        assert_eq!(first, Budget::Marked(128));
        assert_eq!(second, Budget::Marked(127), "the first probe's mark stays");
        let later =
            runtime.block_on(async { tokio::spawn(async { probe_and_mark() }).await.unwrap() });
        assert_eq!(later, Budget::Marked(128), "a new poll starts full");
        assert_eq!(probe_and_mark(), Budget::Outside);
        let blocking =
            runtime.block_on(async { tokio::task::spawn_blocking(probe_and_mark).await.unwrap() });
        assert_eq!(blocking, Budget::Outside);
    }
}
