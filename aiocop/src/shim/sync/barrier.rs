//! [`std::sync::Barrier`], audited.

use std::sync::{Barrier, BarrierWaitResult};

use aiocop_lints::catalog as op;

/// [`Barrier::wait`], audited.
#[track_caller]
#[inline]
pub fn wait(barrier: &Barrier) -> BarrierWaitResult {
    record!(op::STD_SYNC_BARRIER_WAIT);
    barrier.wait()
}
