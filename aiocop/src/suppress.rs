//! `#[aiocop::allow_blocking]` at run time: blocking calls made while an allowed function runs are
//! not recorded.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

thread_local! {
    /// How many allowed functions are running on this thread (they may nest).
    static ALLOWED: Cell<u32> = const { Cell::new(0) };
}

/// Whether blocking calls are currently allowed on this thread.
#[inline]
pub(crate) fn is_allowed() -> bool {
    ALLOWED.get() > 0
}

/// Allows blocking calls on this thread until dropped (used by `#[aiocop::allow_blocking]` on a
/// sync function).
#[derive(Debug)]
#[must_use = "blocking is allowed only while the guard lives"]
pub struct AllowBlockingGuard {
    _not_send: std::marker::PhantomData<*const ()>,
}

impl AllowBlockingGuard {
    /// Starts allowing.
    #[inline]
    pub fn new() -> Self {
        ALLOWED.set(ALLOWED.get().saturating_add(1));
        AllowBlockingGuard {
            _not_send: std::marker::PhantomData,
        }
    }
}

impl Default for AllowBlockingGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for AllowBlockingGuard {
    #[inline]
    fn drop(&mut self) {
        ALLOWED.set(ALLOWED.get().saturating_sub(1));
    }
}

/// A future whose polls allow blocking calls (used by `#[aiocop::allow_blocking]` on an async fn).
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct AllowBlocking<F> {
    inner: F,
}

impl<F> AllowBlocking<F> {
    /// Wraps `inner`.
    pub const fn new(inner: F) -> Self {
        Self { inner }
    }
}

impl<F: Future> Future for AllowBlocking<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `inner` is structurally pinned and never moved out of a pinned `AllowBlocking`.
        let inner = unsafe { self.map_unchecked_mut(|s| &mut s.inner) };
        let _allowed = AllowBlockingGuard::new();
        inner.poll(cx)
    }
}
