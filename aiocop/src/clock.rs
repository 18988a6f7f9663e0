//! The poll clock. On x86_64 with an invariant TSC a reading is one `rdtsc` (a few ns, inlined);
//! elsewhere it is `Instant::now()`. Readings are converted to time only when a poll is judged.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::Instant;

const UNCALIBRATED: u8 = 0;
const TSC: u8 = 1;
const OS: u8 = 2;

/// Which source readings come from. Set once, by `calibration()`, before any reading is taken in
/// that mode, and never changed afterwards, so both readings of one poll use the same source.
static MODE: AtomicU8 = AtomicU8::new(UNCALIBRATED);

struct Calibration {
    /// Nanoseconds per reading unit: per TSC tick, or 1.0 for the OS clock.
    ns_per_unit: f64,
    /// Origin of OS-clock readings.
    base: Instant,
}

static CALIBRATION: OnceLock<Calibration> = OnceLock::new();

/// `Calibration::ns_per_unit` in 32.32 fixed point, readable with one relaxed load once
/// calibrated: integer conversion is a multiply and a shift, float conversion a dozen instructions.
static NS_PER_UNIT_FIXED: AtomicU64 = AtomicU64::new(0);
const FIXED_SHIFT: u32 = 32;

fn calibration() -> &'static Calibration {
    CALIBRATION.get_or_init(|| {
        let base = Instant::now();
        let calibration = match tsc_ns_per_tick() {
            Some(ns_per_unit) => {
                MODE.store(TSC, Ordering::Relaxed);
                Calibration { ns_per_unit, base }
            }
            None => {
                MODE.store(OS, Ordering::Relaxed);
                Calibration {
                    ns_per_unit: 1.0,
                    base,
                }
            }
        };
        let fixed = (calibration.ns_per_unit * (1u64 << FIXED_SHIFT) as f64) as u64;
        NS_PER_UNIT_FIXED.store(fixed, Ordering::Relaxed);
        calibration
    })
}

#[cfg(target_arch = "x86_64")]
#[cfg_attr(not(debug_assertions), inline(always))]
fn rdtsc() -> u64 {
    // SAFETY: `rdtsc` exists on every x86_64 CPU and only reads the time-stamp counter.
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// Measures the TSC against the OS clock over one millisecond, if the TSC is invariant (constant
/// rate, ticking in every power state), which makes it a sound clock across cores.
#[cfg(all(target_arch = "x86_64", not(miri)))]
fn tsc_ns_per_tick() -> Option<f64> {
    const INVARIANT_TSC: u32 = 1 << 8;
    let max_extended = core::arch::x86_64::__cpuid(0x8000_0000).eax;
    if max_extended < 0x8000_0007
        || core::arch::x86_64::__cpuid(0x8000_0007).edx & INVARIANT_TSC == 0
    {
        return None;
    }
    let (t0, i0) = (rdtsc(), Instant::now());
    while i0.elapsed() < std::time::Duration::from_millis(1) {
        std::hint::spin_loop();
    }
    let (t1, i1) = (rdtsc(), Instant::now());
    let ticks = t1.checked_sub(t0).filter(|&t| t > 0)?;
    Some((i1 - i0).as_nanos() as f64 / ticks as f64)
}

#[cfg(any(not(target_arch = "x86_64"), miri))]
fn tsc_ns_per_tick() -> Option<f64> {
    None
}

/// A raw clock reading.
#[derive(Clone, Copy)]
pub(crate) struct Ticks(u64);

#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn now() -> Ticks {
    #[cfg(target_arch = "x86_64")]
    if MODE.load(Ordering::Relaxed) == TSC {
        return Ticks(rdtsc());
    }
    now_slow()
}

#[inline(never)]
fn now_slow() -> Ticks {
    let calibration = calibration();
    #[cfg(target_arch = "x86_64")]
    if MODE.load(Ordering::Relaxed) == TSC {
        return Ticks(rdtsc());
    }
    Ticks(calibration.base.elapsed().as_nanos() as u64)
}

impl Ticks {
    /// A placeholder reading, overwritten before use.
    pub(crate) const ZERO: Ticks = Ticks(0);

    /// The reading as a non-zero number: the id under which the watchdog knows a poll.
    #[inline(always)]
    pub(crate) fn id(self) -> u64 {
        self.0.max(1)
    }

    /// The reading a poll id was made from.
    pub(crate) fn from_id(id: u64) -> Ticks {
        Ticks(id)
    }

    /// Nanoseconds from `self` to `later` (zero if the clock went backwards).
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn nanos_until(self, later: Ticks) -> u64 {
        let units = later.0.saturating_sub(self.0);
        // Both readings were taken after calibration (see `MODE`), so the factor is set.
        let fixed = NS_PER_UNIT_FIXED.load(Ordering::Relaxed);
        let nanos = (u128::from(units) * u128::from(fixed)) >> FIXED_SHIFT;
        u64::try_from(nanos).unwrap_or(u64::MAX)
    }
}

/// Whether readings can be taken and converted (the clock has been calibrated).
pub(crate) fn calibrated() -> bool {
    MODE.load(Ordering::Relaxed) != UNCALIBRATED
}

/// Calibrates the clock now (about a millisecond, once), off the hot path.
pub(crate) fn warm_up() {
    let _ = calibration();
}
