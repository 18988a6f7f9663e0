//! [`std::sync::Condvar`], audited (the timeout, where there is one).

use std::sync::{Condvar, LockResult, MutexGuard, WaitTimeoutResult};
use std::time::Duration;

use aiocop_lints::catalog as op;

use crate::shim::Dbg;

/// [`Condvar::wait`], audited.
#[track_caller]
#[inline]
pub fn wait<'a, T>(condvar: &Condvar, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
    record!(op::STD_SYNC_CONDVAR_WAIT);
    condvar.wait(guard)
}

/// [`Condvar::wait_while`], audited.
#[track_caller]
#[inline]
pub fn wait_while<'a, T, F>(
    condvar: &Condvar,
    guard: MutexGuard<'a, T>,
    condition: F,
) -> LockResult<MutexGuard<'a, T>>
where
    F: FnMut(&mut T) -> bool,
{
    record!(op::STD_SYNC_CONDVAR_WAIT_WHILE);
    condvar.wait_while(guard, condition)
}

/// [`Condvar::wait_timeout`], audited (the timeout).
#[track_caller]
#[inline]
pub fn wait_timeout<'a, T>(
    condvar: &Condvar,
    guard: MutexGuard<'a, T>,
    dur: Duration,
) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
    record!(op::STD_SYNC_CONDVAR_WAIT_TIMEOUT, Dbg(dur));
    condvar.wait_timeout(guard, dur)
}

/// [`Condvar::wait_timeout_while`], audited (the timeout).
#[track_caller]
#[inline]
pub fn wait_timeout_while<'a, T, F>(
    condvar: &Condvar,
    guard: MutexGuard<'a, T>,
    dur: Duration,
    condition: F,
) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)>
where
    F: FnMut(&mut T) -> bool,
{
    record!(op::STD_SYNC_CONDVAR_WAIT_TIMEOUT_WHILE, Dbg(dur));
    condvar.wait_timeout_while(guard, dur, condition)
}
