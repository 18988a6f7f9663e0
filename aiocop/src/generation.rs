//! The process generation: 0 in the process that loaded aiocop, one more in each forked child.
//! State tied to a thread of aiocop's (the delivery queue) belongs to one generation; the fork
//! handler ([`fork`](crate::fork)) starts the next one in the child.

use std::sync::atomic::{AtomicU64, Ordering};

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// This process's generation.
pub(crate) fn current() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// In a forked child, before anything else of aiocop's runs there: starts its generation.
#[cfg_attr(not(unix), allow(dead_code))]
pub(crate) fn advance() {
    GENERATION.fetch_add(1, Ordering::AcqRel);
}
