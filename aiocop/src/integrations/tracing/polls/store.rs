//! What a [`PollLayer`](super::PollLayer) keeps per span (its fields, the site it names events
//! by), by span id, in a table of the layer's own.
//!
//! Why not the registry's span extensions, where layers usually keep such things: a span is
//! made per request, and an extension costs a heap allocation, a look-up of the span and a type
//! map's insertion when it is made, and a type map's drop and a free when it closes (about 580
//! instructions a request over the layer's own work, BENCHMARKS.md). Here the record is moved
//! into the slot its id maps to (direct-mapped: a few spans are open per worker at a time, and
//! nearly all find their slot free), or, if another span holds that slot, into a map of one of
//! 64 shards; each slot and shard under a lock nobody holds for long (taken only to move a record
//! in or out, to copy out of it or merge a recorded value into it): no look-up of the span, and
//! no allocation in the steady state of spans made and closed on one thread (a thread that only
//! makes spans others close allocates a box for each).
//!
//! A record is boxed, and the boxes are reused: a span's fields are formatted straight into a box
//! this thread had spare (no lock held: a value's `Display` may make or record spans of its own),
//! the box is moved into the table and out of it when the span closes, cleared, and kept for the
//! closing thread's next span. A record of nearly 300 bytes moved by value was copied four times
//! a span (made on the stack, into the table, out of it, dropped): ~220 instructions of `memcpy`
//! a request, almost what the table itself cost.
//!
//! Nothing runs under a slot's or shard's lock but the layer's own code (moving boxes, copying
//! out of them, merging into them), and a removed record is cleared and kept, or freed, after it
//! is released.

use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
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

/// Records a shard's table keeps room for however few spans are open (16 bytes each: an id and a
/// box).
const MIN_KEPT_CAPACITY: usize = 256;

/// Cleared records a thread keeps for its next spans (about 300 bytes each). Spans made on one
/// thread and closed on another leave the closing thread's spares full (the rest are freed) and
/// the making thread allocating: bounded either way.
const SPARES_PER_THREAD: usize = 32;

thread_local! {
    /// This thread's cleared records, for its next spans. Boxed, which clippy's `vec_box` flags:
    /// the boxes, not the records, move in and out of the table.
    #[allow(clippy::vec_box)]
    static SPARES: RefCell<Vec<Box<PollSpan>>> = const { RefCell::new(Vec::new()) };
}

/// An empty record to format a new span's fields into: one this thread had spare, or a new one.
#[inline]
pub(super) fn blank() -> Box<PollSpan> {
    // `try_`: a thread exiting, or (were an allocator to make spans) a nested use, gets a new box.
    SPARES
        .try_with(|spares| spares.try_borrow_mut().ok()?.pop())
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Clears a removed record and keeps it for this thread's next span, or frees it if the thread
/// keeps enough (or is exiting).
fn recycle(mut span: Box<PollSpan>) {
    span.clear();
    let _ = SPARES.try_with(move |spares| {
        if let Ok(mut spares) = spares.try_borrow_mut()
            && spares.len() < SPARES_PER_THREAD
        {
            spares.push(span);
        }
    });
}

impl PollSpan {
    /// Empties the record for another span (its heap text, if any, is freed).
    fn clear(&mut self) {
        self.fields.clear();
        self.site = None;
    }
}

/// A layer's spans, by id (ids are per subscriber, as a layer is).
pub(super) struct SpanStore {
    /// Where a record usually is: the slot its id maps to, if that was free when it was stored.
    slots: Box<[Slot]>,
    /// Whether a record was ever put in a slot. A layer after the `fmt` layer stores no new span
    /// (it reads that layer's text back): its spans' closes then read this one word, not a
    /// slot's line (spread over 24 KB, one a span: a cache miss a request, as measured).
    slots_used: AtomicBool,
    /// The others: maps, by id.
    shards: Box<[Shard; SHARDS]>,
}

/// Direct-mapped slots. A few spans are open per worker at a time (a request's, its children's):
/// nearly every one finds its slot free, and is stored, found and removed with one short lock and
/// no probing (a map's insertion and removal cost ~200 instructions a span). 24 bytes a slot,
/// not a cache line each: neighbouring slots used by spans on different workers at once share a
/// line (rarely: ids are spread over 1 024 slots), which 64 KB of padding would avoid.
const SLOTS: usize = 1024;

/// One span's place in the direct-mapped slots.
#[derive(Default)]
struct Slot {
    /// The id whose record `span` holds (0: none; span ids are not zero). Written under `span`'s
    /// lock; read without it only by an operation on that very id, to learn whether its record
    /// is here (see the note on `SpanStore`'s methods), and by `SpanStore::len`.
    id: AtomicU64,
    span: Mutex<Option<Box<PollSpan>>>,
}

/// One shard, on a cache line of its own: workers making spans touch only theirs.
#[repr(align(64))]
#[derive(Default)]
struct Shard {
    /// The map's length, read without the lock by a span's close and reads: most spans were
    /// never stored here (they are in their slot, or were not stored: monitoring inactive when
    /// they were made, or fields kept by the `fmt` layer).
    len: AtomicUsize,
    spans: Mutex<HashMap<u64, Box<PollSpan>, BuildHasherDefault<IdHasher>>>,
}

impl Default for SpanStore {
    fn default() -> Self {
        Self {
            slots: (0..SLOTS).map(|_| Slot::default()).collect(),
            slots_used: AtomicBool::new(false),
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

// Why an operation on span `id` may read `Slot::id`, `Shard::len` and `slots_used` without a
// lock: everything done to one span is ordered. Its record is stored when it is made (the only
// time a record goes into a slot: see `update`), before anyone else is handed the span (which
// synchronizes); its close comes after every other use of it (the registry's reference count: a
// release decrement, an acquire before the close). So what this span's own earlier operations
// wrote is seen (`slots_used` is set before its record went into a slot), and while its record
// is in its slot no other id can take the slot: reading its own id there means the record is
// there, reading another means it is not.
impl SpanStore {
    fn slot(&self, id: u64) -> &Slot {
        // Bits the shard choice (the top half) and the maps (low bits, top seven) do not use, so
        // that ids sharing a slot do not also share a shard and a map bucket.
        &self.slots[(mix(id) >> 16) as usize % SLOTS]
    }

    /// Span `id`'s slot, if its record is there (see the note above: a span's own operations only).
    #[inline]
    fn holding(&self, id: u64) -> Option<&Slot> {
        let slot = self.slot(id);
        (self.slots_used.load(Ordering::Relaxed) && slot.id.load(Ordering::Relaxed) == id)
            .then_some(slot)
    }

    fn shard(&self, id: u64) -> &Shard {
        // Middle bits of the mixed id: the map's own table uses its low bits (the bucket) and its
        // top seven (a tag per entry), which must still vary within a shard.
        &self.shards[(mix(id) >> 32) as usize % SHARDS]
    }

    /// Stores `span` as span `id`'s record: in its slot if that is free, else in its shard's map.
    /// (Ids are reused only after their span closed, which removed its record.)
    pub(super) fn insert(&self, id: u64, span: Box<PollSpan>) {
        debug_assert_ne!(id, 0, "span ids are not zero");
        let slot = self.slot(id);
        let mut held = slot.lock();
        if held.is_none() {
            if !self.slots_used.load(Ordering::Relaxed) {
                // Set once, read-only afterwards: no line bounces.
                self.slots_used.store(true, Ordering::Relaxed);
            }
            *held = Some(span);
            slot.id.store(id, Ordering::Relaxed);
            return;
        }
        drop(held);
        let shard = self.shard(id);
        let mut spans = shard.lock();
        spans.insert(id, span);
        shard.len.store(spans.len(), Ordering::Relaxed);
    }

    /// Forgets span `id` (closed). The usual close, of a span in its slot, takes the slot's lock
    /// only; of a span never stored, no lock.
    pub(super) fn remove(&self, id: u64) {
        let removed = match self.holding(id) {
            Some(slot) => {
                let mut held = slot.lock();
                slot.id.store(0, Ordering::Relaxed);
                held.take()
            }
            None => self.remove_from_shard(id),
        };
        // Cleared and kept (or freed) out of the lock.
        if let Some(span) = removed {
            recycle(span);
        }
    }

    fn remove_from_shard(&self, id: u64) -> Option<Box<PollSpan>> {
        let shard = self.shard(id);
        if shard.len.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let mut spans = shard.lock();
        let removed = spans.remove(&id);
        // A burst of open spans does not keep its table for good.
        let len = spans.len();
        if spans.capacity() > MIN_KEPT_CAPACITY && len * 4 < spans.capacity() {
            spans.shrink_to(len * 2);
        }
        shard.len.store(spans.len(), Ordering::Relaxed);
        removed
    }

    /// Runs `f` on span `id`'s record, made empty if there is none. `f` runs under a lock of the
    /// store: this module's callers give it only their own code (no formatting of values).
    ///
    /// A record made here (a span made while monitoring was inactive and recorded since, or one
    /// named at an event after the `fmt` layer, which keeps the fields) goes into a map, never a
    /// slot: slots are filled only when spans are made, so a store after the `fmt` layer never
    /// sets `slots_used`, and a record not in its slot is in a map or nowhere.
    pub(super) fn update<R>(&self, id: u64, f: impl FnOnce(&mut PollSpan) -> R) -> R {
        // Only this span's close empties its slot, and it comes after this update.
        if let Some(slot) = self.holding(id)
            && let Some(span) = slot.lock().as_mut()
        {
            return f(span);
        }
        let shard = self.shard(id);
        if let Some(span) = shard.lock().get_mut(&id) {
            return f(span);
        }
        // The new record's box taken with no lock held (it may be allocated); another update of
        // the span may have made one meanwhile.
        let fresh = blank();
        let mut spans = shard.lock();
        let (result, unused) = match spans.entry(id) {
            Entry::Occupied(entry) => (f(entry.into_mut()), Some(fresh)),
            Entry::Vacant(entry) => (f(entry.insert(fresh)), None),
        };
        shard.len.store(spans.len(), Ordering::Relaxed);
        drop(spans);
        if let Some(unused) = unused {
            recycle(unused);
        }
        result
    }

    /// Reads span `id`'s record, if any (`f` under a lock, as in [`update`](Self::update)).
    pub(super) fn read<R>(&self, id: u64, f: impl FnOnce(&PollSpan) -> R) -> Option<R> {
        // Only this span's close empties its slot, and it comes after this read.
        if let Some(slot) = self.holding(id) {
            return slot.lock().as_deref().map(f);
        }
        let shard = self.shard(id);
        if shard.len.load(Ordering::Relaxed) == 0 {
            return None;
        }
        shard.lock().get(&id).map(|span| f(span))
    }

    /// Spans stored.
    pub(super) fn len(&self) -> usize {
        let in_shards: usize = self
            .shards
            .iter()
            .map(|shard| shard.len.load(Ordering::Relaxed))
            .sum();
        self.in_slots() + in_shards
    }

    /// Spans stored in their slots.
    fn in_slots(&self) -> usize {
        self.slots
            .iter()
            .filter(|slot| slot.id.load(Ordering::Relaxed) != 0)
            .count()
    }
}

impl Slot {
    fn lock(&self) -> MutexGuard<'_, Option<Box<PollSpan>>> {
        // A panic under the lock can only come from this module's code (or a caller's `f`, which
        // leaves a whole record): the slot is still whole.
        self.span
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Shard {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Box<PollSpan>, BuildHasherDefault<IdHasher>>> {
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
            store.insert(id, blank());
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
    fn slab_like_ids_spread_over_slots_and_shards() {
        // Registry ids: small indices with a generation in the high bits.
        let store = SpanStore::default();
        for generation in 0..4u64 {
            for index in 0..1024u64 {
                store.insert((generation << 40) | (index + 1), blank());
            }
        }
        let in_slots = store.in_slots();
        // 4 096 ids over 1 024 slots: nearly every slot taken.
        assert!(in_slots > 1_000, "{in_slots} slots of 1024 used");
        let fullest = store
            .shards
            .iter()
            .map(|shard| shard.len.load(Ordering::Relaxed))
            .max()
            .unwrap_or_default();
        // The other ~3 070 over 64 shards: 48 each on average.
        assert!(fullest <= 90, "a shard holds {fullest}");
        assert_eq!(store.len(), 4_096);
    }

    /// Ids that share `first`'s slot.
    fn sharing_a_slot(store: &SpanStore, first: u64, count: usize) -> Vec<u64> {
        let slot: *const Slot = store.slot(first);
        (first + 1..)
            .filter(|&id| std::ptr::eq(store.slot(id), slot))
            .take(count)
            .collect()
    }

    #[test]
    fn ids_sharing_a_slot_are_kept_apart() {
        let store = SpanStore::default();
        let others = sharing_a_slot(&store, 1, 2);
        let (second, third) = (others[0], others[1]);
        store.insert(1, blank());
        store.update(1, |span| span.site = Some(&super::super::UNNAMED));
        // The slot is taken: the second goes to a map.
        store.insert(second, blank());
        assert_eq!(store.read(1, |span| span.site.is_some()), Some(true));
        assert_eq!(store.read(second, |span| span.site.is_some()), Some(false));
        // The slot freed: the second is still found where it is; the third takes the slot.
        store.remove(1);
        assert!(store.read(1, |_| ()).is_none());
        assert_eq!(store.read(second, |span| span.site.is_some()), Some(false));
        store.insert(third, blank());
        assert_eq!(store.slot(third).id.load(Ordering::Relaxed), third);
        store.update(third, |span| span.site = Some(&super::super::UNNAMED));
        assert_eq!(store.read(third, |span| span.site.is_some()), Some(true));
        store.update(second, |span| span.site = Some(&super::super::UNNAMED));
        assert_eq!(store.read(second, |span| span.site.is_some()), Some(true));
        assert_eq!(store.len(), 2);
        store.remove(second);
        store.remove(third);
        assert_eq!(store.len(), 0);
        assert!(store.read(second, |_| ()).is_none());
        assert!(store.read(third, |_| ()).is_none());
    }

    /// Spans `1..=count` made, then all closed.
    fn open_then_close(store: &SpanStore, count: u64) {
        for id in 1..=count {
            store.insert(id, blank());
        }
        for id in 1..=count {
            store.remove(id);
        }
    }

    #[test]
    fn a_burst_of_open_spans_gives_its_room_back() {
        let store = SpanStore::default();
        open_then_close(&store, 100_000);
        for shard in store.shards.iter() {
            let capacity = shard.lock().capacity();
            assert!(capacity <= 2 * MIN_KEPT_CAPACITY, "{capacity}");
        }
    }

    #[test]
    fn a_closed_spans_record_is_cleared_and_kept_for_the_next() {
        let store = SpanStore::default();
        let spare = || SPARES.with(|spares| spares.borrow().len());
        let mut first = blank();
        first.site = Some(&super::super::UNNAMED);
        // Past the inline entries and text: extra entries and heap text to free.
        for name in ["a", "b", "c", "d", "e", "f"] {
            first.fields.set_text_for_test(name, &"x".repeat(60));
        }
        let address: *const PollSpan = &*first;
        let before = spare();
        store.insert(1, first);
        store.remove(1);
        assert_eq!(spare(), before + 1, "the closed span's box kept");
        // The next span on this thread gets that box, empty (what clearing fields frees: see
        // `fields::tests::a_cleared_record_keeps_nothing_of_its_span`).
        let next = blank();
        assert!(std::ptr::eq(&*next, address));
        assert!(next.site.is_none() && next.fields.is_empty());
    }

    #[test]
    fn a_thread_keeps_few_spare_records() {
        let store = SpanStore::default();
        open_then_close(&store, 500);
        let spare = SPARES.with(|spares| spares.borrow().len());
        assert_eq!(spare, SPARES_PER_THREAD);
    }

    #[test]
    fn records_made_by_updates_go_to_the_maps() {
        // A layer after the `fmt` layer stores no new span; it names some at events.
        let store = SpanStore::default();
        store.update(7, |span| span.site = Some(&super::super::UNNAMED));
        assert!(!store.slots_used.load(Ordering::Relaxed), "no slot used");
        assert_eq!(store.slot(7).id.load(Ordering::Relaxed), 0);
        assert_eq!(store.read(7, |span| span.site.is_some()), Some(true));
        assert_eq!(store.len(), 1);
        store.remove(7);
        assert_eq!(store.len(), 0);
        // A span made later takes its slot; an update of another span sharing that slot, which
        // has no record, makes it in a map.
        store.insert(7, blank());
        assert!(store.slots_used.load(Ordering::Relaxed));
        let other = sharing_a_slot(&store, 7, 1)[0];
        store.update(other, |span| span.site = Some(&super::super::UNNAMED));
        assert_eq!(store.slot(7).id.load(Ordering::Relaxed), 7);
        assert_eq!(store.read(other, |span| span.site.is_some()), Some(true));
        assert_eq!(store.read(7, |span| span.site.is_some()), Some(false));
        store.remove(other);
        store.remove(7);
        assert_eq!(store.len(), 0);
    }

    #[test]
    fn threads_sharing_slots_each_find_their_own_records() {
        // Eight threads, each with 200 ids of its own, all sharing one slot: made, updated,
        // read back and closed at once.
        let store = SpanStore::default();
        let ids: Vec<u64> = std::iter::once(1)
            .chain(sharing_a_slot(&store, 1, 1_599))
            .collect();
        std::thread::scope(|scope| {
            for mine in ids.chunks(200) {
                let store = &store;
                scope.spawn(move || {
                    for round in 0..20 {
                        for &id in mine {
                            let mut span = blank();
                            span.fields.set_text_for_test("id", &id.to_string());
                            store.insert(id, span);
                        }
                        for &id in mine {
                            store.update(id, |span| {
                                span.fields.set_text_for_test("round", &round.to_string());
                            });
                        }
                        for &id in mine {
                            let read = store.read(id, |span| {
                                let (mut kept, mut kept_round) = (String::new(), String::new());
                                span.fields.write_value("id", &mut kept);
                                span.fields.write_value("round", &mut kept_round);
                                (kept, kept_round)
                            });
                            assert_eq!(read, Some((id.to_string(), round.to_string())));
                        }
                        for &id in mine {
                            store.remove(id);
                        }
                    }
                });
            }
        });
        assert_eq!(store.len(), 0);
    }
}
