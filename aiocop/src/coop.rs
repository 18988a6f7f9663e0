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
    let mut reader = BudgetReader::new();
    let _ = write!(reader, "{restore:?}");
    // Dropping `restore` gives the unit back.
    drop(restore);
    reader.constrained
}

/// What a probe of a worker found (see [`probe_and_mark`]).
#[cfg(worker_probes)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Budget {
    /// Outside any task's poll (or unreadable).
    Outside,
    /// Inside a poll: the budget as found, and as left by the probe's mark.
    Inside { found: u8, left: u8 },
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
        return Budget::Inside { found: 0, left: 0 };
    }
    let mut cx = Context::from_waker(Waker::noop());
    // With budget remaining the unit is always granted: nothing is registered with the waker.
    let Poll::Ready(restore) = tokio::task::coop::poll_proceed(&mut cx) else {
        return Budget::Inside { found: 0, left: 0 };
    };
    let mut reader = BudgetReader::new();
    let _ = write!(reader, "{restore:?}");
    match (reader.constrained, reader.units) {
        (Some(true), Some(found)) if found > 0 => {
            // Keeps the unit taken: the mark.
            restore.made_progress();
            Budget::Inside {
                found,
                left: found - 1,
            }
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

    #[cfg(worker_probes)]
    #[test]
    fn a_mark_stays_for_the_rest_of_the_poll_and_a_new_poll_starts_full() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (first, second) = runtime.block_on(async { (probe_and_mark(), probe_and_mark()) });
        assert_eq!(
            first,
            Budget::Inside {
                found: 128,
                left: 127
            }
        );
        assert_eq!(
            second,
            Budget::Inside {
                found: 127,
                left: 126
            }
        );
        let later =
            runtime.block_on(async { tokio::spawn(async { probe_and_mark() }).await.unwrap() });
        assert_eq!(
            later,
            Budget::Inside {
                found: 128,
                left: 127
            }
        );
        assert_eq!(probe_and_mark(), Budget::Outside);
        let blocking =
            runtime.block_on(async { tokio::task::spawn_blocking(probe_and_mark).await.unwrap() });
        assert_eq!(blocking, Budget::Outside);
    }
}
