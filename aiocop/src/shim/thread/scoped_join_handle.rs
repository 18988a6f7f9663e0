//! [`std::thread::ScopedJoinHandle`], audited (the thread's name or id).

use std::thread::{Result, ScopedJoinHandle};

use aiocop_lints::catalog as op;

use super::ThreadLabel;

/// [`ScopedJoinHandle::join`], audited.
#[track_caller]
#[inline]
pub fn join<T>(handle: ScopedJoinHandle<'_, T>) -> Result<T> {
    record!(
        op::STD_THREAD_SCOPED_JOIN_HANDLE_JOIN,
        ThreadLabel(handle.thread())
    );
    handle.join()
}
