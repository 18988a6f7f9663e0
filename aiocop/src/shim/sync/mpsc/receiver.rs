//! [`std::sync::mpsc::Receiver`], audited (the timeout, where there is one).

use std::sync::mpsc::{Iter, Receiver, RecvError, RecvTimeoutError};
use std::time::Duration;

use aiocop_lints::catalog as op;

use crate::shim::Dbg;

/// [`Receiver::recv`], audited.
#[track_caller]
#[inline]
pub fn recv<T>(receiver: &Receiver<T>) -> Result<T, RecvError> {
    record!(op::STD_SYNC_MPSC_RECEIVER_RECV);
    receiver.recv()
}

/// [`Receiver::recv_timeout`], audited (the timeout).
#[track_caller]
#[inline]
pub fn recv_timeout<T>(receiver: &Receiver<T>, timeout: Duration) -> Result<T, RecvTimeoutError> {
    record!(op::STD_SYNC_MPSC_RECEIVER_RECV_TIMEOUT, Dbg(timeout));
    receiver.recv_timeout(timeout)
}

/// [`Receiver::iter`], audited when the iterator is made (each `next` waits in `recv`).
#[track_caller]
#[inline]
pub fn iter<T>(receiver: &Receiver<T>) -> Iter<'_, T> {
    record!(op::STD_SYNC_MPSC_RECEIVER_ITER);
    receiver.iter()
}
