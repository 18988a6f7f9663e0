//! [`std::thread::JoinHandle`], audited (the thread's name or id).

use std::thread::{JoinHandle, Result};

use aiocop_lints::catalog as op;

use super::ThreadLabel;

/// [`JoinHandle::join`], audited.
#[track_caller]
#[inline]
pub fn join<T>(handle: JoinHandle<T>) -> Result<T> {
    record!(
        op::STD_THREAD_JOIN_HANDLE_JOIN,
        ThreadLabel(handle.thread())
    );
    handle.join()
}
