//! Names and sites made at run time (HTTP routes, task spawn locations) turned into the `'static`
//! values events carry, without leaking per request: each distinct name is stored once, and at
//! most [`MAX_INTERNED`] of them; past that, callers fall back to a generic name.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

/// How many distinct run-time names aiocop keeps, process-wide. A service has a finite set of
/// routes; a name made from unbounded input (raw URL paths with ids in them) hits this cap instead
/// of growing memory without bound.
pub(crate) const MAX_INTERNED: usize = 10_000;

/// A bounded set of leaked values, keyed by `K`.
pub(crate) struct Interner<K, V: 'static> {
    map: RwLock<Option<HashMap<K, &'static V>>>,
}

impl<K: Eq + std::hash::Hash, V> Interner<K, V> {
    pub(crate) const fn new() -> Self {
        Self {
            map: RwLock::new(None),
        }
    }

    /// The value stored for `key`, making it with `make` the first time; `None` once the set is
    /// full and `key` is not in it.
    pub(crate) fn get_or_insert<Q>(
        &self,
        key: &Q,
        to_key: impl FnOnce() -> K,
        make: impl FnOnce() -> V,
    ) -> Option<&'static V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + std::hash::Hash + ?Sized,
    {
        if let Some(found) = self
            .map
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .and_then(|map| map.get(key))
        {
            return Some(found);
        }
        let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
        let map = map.get_or_insert_with(HashMap::new);
        if let Some(found) = map.get(key) {
            return Some(found);
        }
        if map.len() >= MAX_INTERNED {
            return None;
        }
        // Leaked on purpose: at most `MAX_INTERNED` values, each kept for the process's life like
        // the static names of compiled-in monitored functions.
        let value: &'static V = Box::leak(Box::new(make()));
        map.insert(to_key(), value);
        Some(value)
    }
}

/// Interned names (routes).
#[cfg(feature = "tower")]
static NAMES: Interner<Box<str>, Box<str>> = Interner::new();

#[cfg(feature = "tower")]
/// `name` as a `&'static str` stored once per distinct name; `fallback` once [`MAX_INTERNED`]
/// names are stored.
pub(crate) fn name(name: &str, fallback: &'static str) -> &'static str {
    NAMES
        .get_or_insert(name, || Box::from(name), || Box::from(name))
        .map_or(fallback, |stored| &**stored)
}
