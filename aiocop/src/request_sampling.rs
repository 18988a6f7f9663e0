//! [`Sampler`]: which requests (or any units of work) to monitor, at a configured rate.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::ConfigError;

/// Decides, one unit of work at a time (a request, say), whether to monitor it, so that a given
/// fraction is monitored: the gradual rollout of the Python guide, without switching monitoring on
/// and off globally (which concurrent requests would race on).
///
/// Decisions come from a SplitMix64 sequence over one shared atomic counter: lock-free, and
/// reproducible with [`Sampler::seeded`] (the same seed gives the same sequence of decisions).
/// Clones share the sequence. Rates 0 and 1 decide without touching the counter.
///
/// ```
/// let sampler = aiocop::setup::Sampler::seeded(0.25, 42)?;
/// let monitored = (0..10_000).filter(|_| sampler.sample()).count();
/// assert!((2_300..=2_700).contains(&monitored));
/// # Ok::<(), aiocop::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Sampler {
    rate: f64,
    decide: Decide,
}

#[derive(Clone)]
enum Decide {
    Always,
    Never,
    /// Sample when the next output is below `cutoff` (out of 2^64).
    Below {
        cutoff: u64,
        state: Arc<AtomicU64>,
    },
}

/// SplitMix64's increment (2^64 / golden ratio).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

impl Sampler {
    /// Monitors every unit of work.
    pub fn always() -> Self {
        Sampler {
            rate: 1.0,
            decide: Decide::Always,
        }
    }

    /// Monitors nothing.
    pub fn never() -> Self {
        Sampler {
            rate: 0.0,
            decide: Decide::Never,
        }
    }

    /// Monitors a fraction `rate` (from 0 to 1) of the units of work, chosen at random (seeded
    /// from the operating system's randomness, through std's `RandomState`).
    ///
    /// # Errors
    /// [`ConfigError::InvalidSampleRate`] for a rate outside 0..=1 or not a number.
    pub fn new(rate: f64) -> Result<Self, ConfigError> {
        Self::seeded(rate, RandomState::new().hash_one(0x5eed_u64))
    }

    /// Like [`Sampler::new`], with a fixed seed: the same seed gives the same decisions, in order.
    ///
    /// # Errors
    /// As [`Sampler::new`].
    pub fn seeded(rate: f64, seed: u64) -> Result<Self, ConfigError> {
        if !(0.0..=1.0).contains(&rate) {
            return Err(ConfigError::InvalidSampleRate {
                rate: rate.to_string(),
            });
        }
        let decide = if rate == 1.0 {
            Decide::Always
        } else if rate == 0.0 {
            Decide::Never
        } else {
            // `rate < 1`, so the product is below 2^64 and the conversion exact enough (a rate
            // is a 53-bit fraction).
            let cutoff = (rate * 18_446_744_073_709_551_616.0) as u64;
            Decide::Below {
                cutoff,
                state: Arc::new(AtomicU64::new(seed)),
            }
        };
        Ok(Sampler { rate, decide })
    }

    /// The configured rate.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Whether to monitor the next unit of work.
    #[inline]
    pub fn sample(&self) -> bool {
        match &self.decide {
            Decide::Always => true,
            Decide::Never => false,
            Decide::Below { cutoff, state } => {
                splitmix64(
                    state
                        .fetch_add(GAMMA, Ordering::Relaxed)
                        .wrapping_add(GAMMA),
                ) < *cutoff
            }
        }
    }
}

impl Default for Sampler {
    /// [`Sampler::always`].
    fn default() -> Self {
        Sampler::always()
    }
}

impl fmt::Debug for Sampler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sampler").field("rate", &self.rate).finish()
    }
}

/// SplitMix64's output function (Steele, Lea and Flood, 2014): a bijection on `u64`.
#[inline]
pub(crate) fn splitmix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fraction(sampler: &Sampler, n: usize) -> f64 {
        (0..n).filter(|_| sampler.sample()).count() as f64 / n as f64
    }

    #[test]
    fn rates_hold_within_two_percent_over_ten_thousand_decisions() {
        for (i, rate) in [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99]
            .into_iter()
            .enumerate()
        {
            let sampler = Sampler::seeded(rate, 1234 + i as u64).unwrap();
            let got = fraction(&sampler, 10_000);
            assert!((got - rate).abs() <= 0.02, "rate {rate}: sampled {got}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_decisions_and_clones_share_them() {
        let a = Sampler::seeded(0.3, 99).unwrap();
        let b = Sampler::seeded(0.3, 99).unwrap();
        let first: Vec<bool> = (0..1_000).map(|_| a.sample()).collect();
        let second: Vec<bool> = (0..1_000).map(|_| b.sample()).collect();
        assert_eq!(first, second);
        let other_seed = Sampler::seeded(0.3, 100).unwrap();
        let other: Vec<bool> = (0..1_000).map(|_| other_seed.sample()).collect();
        assert_ne!(first, other, "a different seed decides differently");

        let c = Sampler::seeded(0.3, 99).unwrap();
        let clone = c.clone();
        let interleaved: Vec<bool> = (0..1_000)
            .map(|i| {
                if i % 2 == 0 {
                    c.sample()
                } else {
                    clone.sample()
                }
            })
            .collect();
        assert_eq!(interleaved, first, "clones continue one sequence");
    }

    #[test]
    fn bounds_decide_without_randomness_and_bad_rates_are_rejected() {
        assert!((0..1_000).all(|_| Sampler::seeded(1.0, 5).unwrap().sample()));
        assert!(!(0..1_000).any(|_| Sampler::seeded(0.0, 5).unwrap().sample()));
        assert!(Sampler::always().sample());
        assert!(!Sampler::never().sample());
        for bad in [1.5, -0.1, f64::NAN, f64::INFINITY] {
            let err = Sampler::new(bad).unwrap_err();
            assert!(
                matches!(err, ConfigError::InvalidSampleRate { .. }),
                "{bad}: {err:?}"
            );
            assert!(err.to_string().contains("between 0 and 1"), "{err}");
        }
        // Unseeded samplers differ from run to run, but still hold their rate (6 standard
        // deviations of margin: this does not fail by chance).
        assert!((fraction(&Sampler::new(0.5).unwrap(), 10_000) - 0.5).abs() <= 0.03);
    }
}
