//! The poll clock: raw TSC ticks on the hot path, converted to a `Duration` only when a poll is
//! judged. `quanta` falls back to the OS monotonic clock where the TSC is not invariant.

use std::sync::OnceLock;
use std::time::Duration;

static CLOCK: OnceLock<quanta::Clock> = OnceLock::new();

#[inline(always)]
fn clock() -> &'static quanta::Clock {
    CLOCK.get_or_init(quanta::Clock::new)
}

/// A raw clock reading.
#[derive(Clone, Copy)]
pub(crate) struct Ticks(u64);

#[inline(always)]
pub(crate) fn now() -> Ticks {
    Ticks(clock().raw())
}

impl Ticks {
    /// Time from `self` to `later`.
    #[inline]
    pub(crate) fn elapsed_until(self, later: Ticks) -> Duration {
        Duration::from_nanos(clock().delta_as_nanos(self.0, later.0))
    }
}

/// Calibrates the clock now, off the hot path.
pub(crate) fn warm_up() {
    let _ = clock();
}
