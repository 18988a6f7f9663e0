//! A small copy-on-write list of registered closures, shared by slow-task callbacks, context
//! providers and stuck-poll callbacks: ids for their handles, and calls isolated from panics.
//!
//! Readers take a snapshot (one lock, one `Arc` clone) and call the closures without holding the
//! lock, so a closure may register or unregister others without deadlocking.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::isolate;

pub(crate) type Entries<T> = Arc<Vec<(u64, Arc<T>)>>;

pub(crate) struct Registry<T: ?Sized> {
    entries: Mutex<Option<Entries<T>>>,
    next_id: AtomicU64,
}

impl<T: ?Sized> Registry<T> {
    pub(crate) const fn new() -> Self {
        Self {
            entries: Mutex::new(None),
            next_id: AtomicU64::new(1),
        }
    }

    /// Calls `call` with every entry, in registration order, each isolated from the others'
    /// panics (see [`isolate`]): a panic is reported on stderr as `"{what} #{id} panicked at ..:
    /// .."` (rate-limited) and the rest run.
    pub(crate) fn call_each(&self, what: &str, mut call: impl FnMut(&T)) {
        for (id, entry) in self.snapshot().iter() {
            isolate::call(
                |line| {
                    use std::fmt::Write as _;
                    let _ = write!(line, "{what} #{id}");
                },
                || call(entry),
            );
        }
    }

    /// Holds the lock until the returned guard is dropped: for [`fork`](crate::fork), so that a
    /// child is never forked while another thread holds it.
    pub(crate) fn hold(&'static self) -> Box<dyn std::any::Any>
    where
        T: 'static,
    {
        Box::new(self.lock())
    }

    fn lock(&self) -> MutexGuard<'_, Option<Entries<T>>> {
        // Nothing panics while the lock is held, but a poisoned registry must still work.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `value` under a fresh id, which it returns.
    pub(crate) fn insert(&self, value: Arc<T>) -> u64 {
        isolate::install_quiet_hook();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut guard = self.lock();
        let mut next: Vec<_> = guard.as_deref().cloned().unwrap_or_default();
        next.push((id, value));
        *guard = Some(Arc::new(next));
        id
    }

    pub(crate) fn remove(&self, id: u64) -> bool {
        let mut guard = self.lock();
        let Some(current) = guard.as_deref() else {
            return false;
        };
        if !current.iter().any(|(i, _)| *i == id) {
            return false;
        }
        let next: Vec<_> = current.iter().filter(|(i, _)| *i != id).cloned().collect();
        *guard = (!next.is_empty()).then(|| Arc::new(next));
        true
    }

    pub(crate) fn clear(&self) {
        *self.lock() = None;
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.lock().is_none()
    }

    pub(crate) fn snapshot(&self) -> Entries<T> {
        self.lock().clone().unwrap_or_default()
    }
}
