//! Severity weights, thresholds and the two scoring functions of the reference.
//!
//! A poll's severity score is the sum of the weights of the blocking events it recorded; the
//! level follows from the score alone.

use std::fmt;

/// Weight of an operation that blocks for an unbounded or long time (sleep, connect, DNS, waiting
/// on a child process or another thread).
pub const WEIGHT_HEAVY: u32 = 50;
/// Weight of an operation that usually completes quickly but touches the disk or network (open,
/// read, write, directory listings).
pub const WEIGHT_MODERATE: u32 = 10;
/// Weight of a cheap metadata operation (stat, exists, file locks, kill).
pub const WEIGHT_LIGHT: u32 = 1;
/// Weight of an operation that practically never blocks (current dir, bind).
pub const WEIGHT_TRIVIAL: u32 = 0;

/// Scores at or above this are [`SeverityLevel::High`].
pub const THRESHOLD_HIGH: u32 = 50;
/// Scores at or above this (and below [`THRESHOLD_HIGH`]) are [`SeverityLevel::Medium`].
pub const THRESHOLD_MEDIUM: u32 = 10;
/// The smallest score of a poll that recorded anything of weight; scores below are `Low` too.
pub const THRESHOLD_LOW: u32 = 1;

/// How bad a slow poll is, derived from its severity score.
///
/// Displays as `"low"`, `"medium"` or `"high"`, the strings of the Python library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SeverityLevel {
    /// Score below [`THRESHOLD_MEDIUM`]: informational.
    Low,
    /// Score at least [`THRESHOLD_MEDIUM`]: may cause trouble under load.
    Medium,
    /// Score at least [`THRESHOLD_HIGH`]: likely to cause noticeable latency.
    High,
}

impl SeverityLevel {
    /// The level's name: `"low"`, `"medium"` or `"high"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SeverityLevel::Low => "low",
            SeverityLevel::Medium => "medium",
            SeverityLevel::High => "high",
        }
    }
}

impl fmt::Display for SeverityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl PartialEq<&str> for SeverityLevel {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Maps a severity score to its level: high at [`THRESHOLD_HIGH`] or more, medium at
/// [`THRESHOLD_MEDIUM`] or more, low otherwise.
///
/// ```
/// use aiocop::{get_severity_level_from_score, SeverityLevel};
/// assert_eq!(get_severity_level_from_score(50), SeverityLevel::High);
/// assert_eq!(get_severity_level_from_score(10), SeverityLevel::Medium);
/// assert_eq!(get_severity_level_from_score(9), SeverityLevel::Low);
/// ```
pub const fn get_severity_level_from_score(score: u32) -> SeverityLevel {
    if score >= THRESHOLD_HIGH {
        SeverityLevel::High
    } else if score >= THRESHOLD_MEDIUM {
        SeverityLevel::Medium
    } else {
        SeverityLevel::Low
    }
}
