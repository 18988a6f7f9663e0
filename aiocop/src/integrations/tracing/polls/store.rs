//! What a [`PollLayer`](super::PollLayer) keeps per span (its fields, the site it names events
//! by), by span id, in a map of the layer's own.
//!
//! Why not the registry's span extensions, where layers usually keep such things: a span is
//! made per request, and an extension costs a heap allocation, a look-up of the span and a type
//! map's insertion when it is made, and a type map's drop and a free when it closes (about 580
//! instructions a request over the layer's own work, BENCHMARKS.md). Here the record is moved
//! into a table bucket under a lock nobody else holds for long (a shard of the map, chosen by the
//! span id, taken only to move a record in or out or to copy it): no allocation once the table
//! has grown to the number of spans open at once, no look-up of the span.
//!
//! Nothing runs under a shard's lock but the layer's own code (moving records, copying them out):
//! values are formatted before the lock is taken (a value's `Display` may make or record spans
//! of its own), and a removed record is dropped after it is released.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::fields::SpanFields;
use crate::functions::MonitoredFunction;

/// What a layer keeps on each span.
#[derive(Default)]
pub(super) struct PollSpan {
    /// The fields recorded so far, for the context and the name.
    pub(super) fields: SpanFields,
    /// The site it names events by, once looked up (reset when a name field is recorded).
    pub(super) site: Option<&'static MonitoredFunction>,
}

/// Shards: spans made at once on different workers rarely share one.
const SHARDS: usize = 64;

/// Records a shard's table keeps room for however few spans are open (about 280 bytes each).
const MIN_KEPT_CAPACITY: usize = 256;

/// A layer's spans, by id (ids are per subscriber, as a layer is).
pub(super) struct SpanStore {
    shards: Box<[Shard; SHARDS]>,
}

/// One shard, on a cache line of its own: workers making spans touch only theirs.
#[repr(align(64))]
#[derive(Default)]
struct Shard {
    /// The map's length, read without the lock by a span's close: most spans closed were never
    /// stored (monitoring inactive when they were made, or kept by the `fmt` layer).
    len: AtomicUsize,
    spans: Mutex<HashMap<u64, PollSpan, BuildHasherDefault<IdHasher>>>,
}

impl Default for SpanStore {
    fn default() -> Self {
        Self {
            shards: Box::new(std::array::from_fn(|_| Shard::default())),
        }
    }
}

impl std::fmt::Debug for SpanStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpanStore")
            .field("spans", &self.len())
            .finish()
    }
}

impl SpanStore {
    fn shard(&self, id: u64) -> &Shard {
        // Middle bits of the mixed id: the map's own table uses its low bits (the bucket) and its
        // top seven (a tag per entry), which must still vary within a shard.
        &self.shards[(mix(id) >> 32) as usize % SHARDS]
    }

    /// Stores `span` as span `id`'s record (a record left by an earlier span of the same id is
    /// replaced: ids are reused only after their span closed).
    pub(super) fn insert(&self, id: u64, span: PollSpan) {
        let shard = self.shard(id);
        let mut spans = shard.lock();
        spans.insert(id, span);
        shard.len.store(spans.len(), Ordering::Relaxed);
    }

    /// Forgets span `id` (closed). The usual close, of a span never stored, takes no lock.
    pub(super) fn remove(&self, id: u64) {
        let shard = self.shard(id);
        // A span's close is ordered after everything done to it: after its making (whoever
        // closes it was handed the span, which synchronizes), and after any later record or
        // naming on another thread (the registry's reference count: a release decrement, an
        // acquire before the close). So a record stored for it is counted here.
        if shard.len.load(Ordering::Relaxed) == 0 {
            return;
        }
        let removed = {
            let mut spans = shard.lock();
            let removed = spans.remove(&id);
            // A burst of open spans does not keep its table for good.
            let len = spans.len();
            if spans.capacity() > MIN_KEPT_CAPACITY && len * 4 < spans.capacity() {
                spans.shrink_to(len * 2);
            }
            shard.len.store(spans.len(), Ordering::Relaxed);
            removed
        };
        // Dropped (and its heap text freed) out of the lock.
        drop(removed);
    }

    /// Runs `f` on span `id`'s record, made empty if there is none. `f` runs under the shard's
    /// lock: this module's callers give it only their own code (no formatting of values).
    pub(super) fn update<R>(&self, id: u64, f: impl FnOnce(&mut PollSpan) -> R) -> R {
        let shard = self.shard(id);
        let mut spans = shard.lock();
        let result = f(spans.entry(id).or_default());
        shard.len.store(spans.len(), Ordering::Relaxed);
        result
    }

    /// Reads span `id`'s record, if any (`f` under the lock, as in [`update`](Self::update)).
    pub(super) fn read<R>(&self, id: u64, f: impl FnOnce(&PollSpan) -> R) -> Option<R> {
        let shard = self.shard(id);
        if shard.len.load(Ordering::Relaxed) == 0 {
            return None;
        }
        shard.lock().get(&id).map(f)
    }

    /// Spans stored.
    pub(super) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| shard.len.load(Ordering::Relaxed))
            .sum()
    }
}

impl Shard {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, PollSpan, BuildHasherDefault<IdHasher>>> {
        // A panic under the lock can only come from this module's code between two consistent
        // states of the map: the map is still whole.
        self.spans
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Spreads an id's bits over the whole word (ids are slab indices: their low bits repeat).
#[inline]
fn mix(id: u64) -> u64 {
    let product = id.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    product ^ (product >> 29)
}

/// The map's hasher: span ids are already unique, only their bits need spreading.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed here; any other input still hashes consistently.
        for byte in bytes {
            self.0 = mix(self.0 ^ u64::from(*byte));
        }
    }

    fn write_u64(&mut self, id: u64) {
        self.0 = mix(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_kept_by_id_until_removed() {
        let store = SpanStore::default();
        for id in 1..=1_000u64 {
            store.insert(
                id,
                PollSpan {
                    site: None,
                    ..PollSpan::default()
                },
            );
        }
        assert_eq!(store.len(), 1_000);
        store.update(7, |span| span.site = Some(&super::super::UNNAMED));
        assert_eq!(
            store.read(7, |span| span.site.is_some()),
            Some(true),
            "the record updated in place"
        );
        assert_eq!(store.read(8, |span| span.site.is_some()), Some(false));
        for id in 1..=1_000u64 {
            store.remove(id);
        }
        assert_eq!(store.len(), 0);
        assert!(store.read(7, |_| ()).is_none());
        // Removing what was never stored is a no-op.
        store.remove(5_000);
        assert_eq!(store.len(), 0);
    }

    #[test]
    fn shards_are_used_evenly_by_slab_like_ids() {
        // Registry ids: small indices with a generation in the high bits.
        let store = SpanStore::default();
        for generation in 0..4u64 {
            for index in 0..256u64 {
                store.insert((generation << 40) | (index + 1), PollSpan::default());
            }
        }
        let fullest = store
            .shards
            .iter()
            .map(|shard| shard.len.load(Ordering::Relaxed))
            .max()
            .unwrap_or_default();
        // 1 024 ids over 64 shards: 16 each on average.
        assert!(fullest <= 40, "a shard holds {fullest} of 1024");
    }

    #[test]
    fn a_burst_of_open_spans_gives_its_room_back() {
        let store = SpanStore::default();
        for id in 1..=100_000u64 {
            store.insert(id, PollSpan::default());
        }
        for id in 1..=100_000u64 {
            store.remove(id);
        }
        for shard in store.shards.iter() {
            let capacity = shard.lock().capacity();
            assert!(capacity <= 2 * MIN_KEPT_CAPACITY, "{capacity}");
        }
    }
}
