//! [`std::sync::mpsc::SyncSender`], audited.

use std::sync::mpsc::{SendError, SyncSender};

use aiocop_lints::catalog as op;

/// [`SyncSender::send`], audited: it waits while the channel is full.
#[track_caller]
#[inline]
pub fn send<T>(sender: &SyncSender<T>, t: T) -> Result<(), SendError<T>> {
    record!(op::STD_SYNC_MPSC_SYNC_SENDER_SEND);
    sender.send(t)
}
