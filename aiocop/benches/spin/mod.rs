//! The futures the poll benchmarks poll: they never complete and do a trivial amount of work per
//! poll, so they can be polled any number of times.

use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Increments a counter and returns `Pending`.
pub(crate) struct Spin(pub(crate) u64);

impl Future for Spin {
    type Output = ();
    #[inline(never)]
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        self.0 = black_box(self.0.wrapping_add(1));
        Poll::Pending
    }
}

/// Like [`Spin`], announcing `audits` blocking calls per poll.
#[allow(dead_code)] // used by one of the benches that include this module
pub(crate) struct AuditingSpin {
    pub(crate) polls: u64,
    pub(crate) audits: usize,
}

#[allow(dead_code)]
impl AuditingSpin {
    pub(crate) fn new(audits: usize) -> Self {
        AuditingSpin { polls: 0, audits }
    }
}

impl Future for AuditingSpin {
    type Output = ();
    #[inline(never)]
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        self.polls = black_box(self.polls.wrapping_add(1));
        for _ in 0..self.audits {
            aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[&"/etc/hosts"]);
        }
        Poll::Pending
    }
}
