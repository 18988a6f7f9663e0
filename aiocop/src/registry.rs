//! A small copy-on-write list of registered closures, shared by callbacks and context providers.
//!
//! Readers take a snapshot (one lock, one `Arc` clone) and call the closures without holding the
//! lock, so a closure may register or unregister others without deadlocking.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

pub(crate) type Entries<T> = Arc<Vec<(u64, Arc<T>)>>;

pub(crate) struct Registry<T: ?Sized> {
    entries: Mutex<Option<Entries<T>>>,
}

impl<T: ?Sized> Registry<T> {
    pub(crate) const fn new() -> Self {
        Self {
            entries: Mutex::new(None),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Entries<T>>> {
        // Nothing panics while the lock is held, but a poisoned registry must still work.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn insert(&self, id: u64, value: Arc<T>) {
        let mut guard = self.lock();
        let mut next: Vec<_> = guard.as_deref().cloned().unwrap_or_default();
        next.push((id, value));
        *guard = Some(Arc::new(next));
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
