//! [`std::thread`], audited: sleeps and timeouts name their duration, joins the thread.

use std::fmt;
use std::thread::{Scope, Thread};
use std::time::Duration;

use aiocop_lints::catalog as op;

use super::Dbg;

pub mod join_handle;
pub mod scoped_join_handle;

/// A thread: its name, else its id (`ThreadId(7)`).
struct ThreadLabel<'a>(&'a Thread);

impl fmt::Display for ThreadLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{:?}", self.0.id()),
        }
    }
}

/// [`std::thread::sleep`], audited (the duration: `100ms`).
#[track_caller]
#[inline]
pub fn sleep(dur: Duration) {
    record!(op::STD_THREAD_SLEEP, Dbg(dur));
    std::thread::sleep(dur)
}

/// [`std::thread::park`], audited.
#[track_caller]
#[inline]
pub fn park() {
    record!(op::STD_THREAD_PARK);
    std::thread::park()
}

/// [`std::thread::park_timeout`], audited (the timeout).
#[track_caller]
#[inline]
pub fn park_timeout(dur: Duration) {
    record!(op::STD_THREAD_PARK_TIMEOUT, Dbg(dur));
    std::thread::park_timeout(dur)
}

/// [`std::thread::scope`], audited: it returns only once every thread of the scope has finished.
#[track_caller]
#[inline]
pub fn scope<'env, F, T>(f: F) -> T
where
    F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> T,
{
    record!(op::STD_THREAD_SCOPE);
    std::thread::scope(f)
}
