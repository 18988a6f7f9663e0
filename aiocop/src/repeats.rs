//! Repeats of one blocking call held back: a call the interception catches again and again (a
//! service that writes a log line synchronously on every request) would otherwise pay a stack
//! capture on the worker and an event's delivery every time, and the monitor would cost the
//! service more than the call it reports. So each thread reports a given intercepted call in at
//! most [`PER_SECOND`] polls a second; in its further polls that second the call is counted
//! ([`held_back`]), not recorded: nothing captured, nothing delivered for it. "A given call" is
//! its operation, its arguments (a descriptor by its number and kind, without naming its file,
//! which would take a system call; anything else by its text) and the monitored function or
//! scope it is made in; where in the code it is made is not known before its stack is captured,
//! so two places making the same call share its count. A poll that records the call keeps all its
//! occurrences: a poll is reported whole for it or not at all. Strict mode never holds a call
//! back (a test must fail every time); calls recorded at their call site (shims, probes,
//! `audit`) are never held back: those are written in the code, and few.

use std::cell::RefCell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

/// Polls a second in which one thread reports one intercepted call.
pub const PER_SECOND: u32 = 10;

/// Places a thread tells apart at once; two calls sharing a slot only ever make more reports,
/// never fewer (each resets the other's count).
const SLOTS: usize = 64;

/// One slot: the call's key, the second it was counted in, the polls that reported it then.
#[derive(Clone, Copy)]
struct Seen {
    key: u64,
    second: u64,
    polls: u32,
}

thread_local! {
    /// Plain data, no destructor: read in place.
    static SEEN: RefCell<[Seen; SLOTS]> = const {
        RefCell::new([Seen { key: 0, second: 0, polls: 0 }; SLOTS])
    };
}

static HELD_BACK: AtomicU64 = AtomicU64::new(0);
static TOLD: AtomicBool = AtomicBool::new(false);

/// The key of a call from its event text (`operation(arguments)`): FNV-1a.
pub(crate) fn key(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// One key from several words.
pub(crate) fn combine(words: &[u64]) -> u64 {
    words.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, word| {
        (hash ^ word)
            .wrapping_mul(0x0000_0100_0000_01b3)
            .rotate_left(29)
    })
}

/// Whether a poll may report the call with key `key`, its first occurrence in the poll: `false`
/// once this thread reported it in [`PER_SECOND`] polls this second (counted as held back).
pub(crate) fn admit(key: u64) -> bool {
    let second = seconds();
    let admitted = SEEN
        .try_with(|seen| {
            let Ok(mut seen) = seen.try_borrow_mut() else {
                return true;
            };
            let slot = &mut seen[(key % SLOTS as u64) as usize];
            if slot.key != key || slot.second != second {
                *slot = Seen {
                    key,
                    second,
                    polls: 1,
                };
                return true;
            }
            if slot.polls < PER_SECOND {
                slot.polls += 1;
                return true;
            }
            false
        })
        .unwrap_or(true);
    if !admitted {
        HELD_BACK.fetch_add(1, Ordering::Relaxed);
        crate::report::warn_once(
            &TOLD,
            format_args!(
                "a blocking call repeated at one place is reported in at most {PER_SECOND} polls \
                 a second on each thread; the others are counted \
                 (aiocop::events::repeats_held_back())"
            ),
        );
    }
    admitted
}

/// Whole seconds since the first call (a coarse clock: which second a poll falls in).
fn seconds() -> u64 {
    static BASE: OnceLock<Instant> = OnceLock::new();
    BASE.get_or_init(Instant::now).elapsed().as_secs()
}

/// How many times a poll did not record an intercepted call because that call had been reported
/// in [`PER_SECOND`] polls that second on that thread already (see the module docs).
pub fn held_back() -> u64 {
    HELD_BACK.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_is_admitted_per_second_up_to_the_limit_and_other_calls_apart() {
        let (a, b) = (key("libc::write(file /a)"), key("libc::write(file /b)"));
        assert_ne!(a, b);
        let before = held_back();
        let admitted = (0..3 * PER_SECOND).filter(|_| admit(a)).count();
        // The second may turn during the loop: at most twice the limit.
        assert!(
            (PER_SECOND as usize..=2 * PER_SECOND as usize).contains(&admitted),
            "{admitted}"
        );
        assert!(admit(b), "another call is counted apart");
        assert!(held_back() - before >= PER_SECOND as u64);
    }
}
