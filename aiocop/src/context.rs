//! Context providers and the [`Context`] they return.
//!
//! A provider runs inside the monitored poll, on the thread that polls the task, so it can read
//! task- and thread-local state (the current tracing span, a request id) that is gone by the time
//! a callback looks at the event. Providers are merged in registration order; later keys win.

use std::any::Any;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::ptr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::registry::Registry;

/// One value of a [`Context`]: common scalars, or any shared value (a span handle, say) that a
/// callback can downcast.
#[derive(Clone)]
pub enum ContextValue {
    /// A string.
    Str(String),
    /// A signed integer.
    I64(i64),
    /// An unsigned integer.
    U64(u64),
    /// A float.
    F64(f64),
    /// A boolean.
    Bool(bool),
    /// Any other value, shared; get it back with [`ContextValue::downcast_ref`].
    Any(Arc<dyn Any + Send + Sync>),
}

impl ContextValue {
    /// Wraps an arbitrary value (a span handle, a user struct).
    pub fn any<T: Any + Send + Sync>(value: T) -> Self {
        ContextValue::Any(Arc::new(value))
    }

    /// The string, if this is a [`ContextValue::Str`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ContextValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is an integer that fits in an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            ContextValue::I64(v) => Some(v),
            ContextValue::U64(v) => i64::try_from(v).ok(),
            _ => None,
        }
    }

    /// The integer, if this is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            ContextValue::U64(v) => Some(v),
            ContextValue::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    /// The number as a float, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            ContextValue::F64(v) => Some(v),
            ContextValue::I64(v) => Some(v as f64),
            ContextValue::U64(v) => Some(v as f64),
            _ => None,
        }
    }

    /// The boolean, if this is a [`ContextValue::Bool`].
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            ContextValue::Bool(v) => Some(v),
            _ => None,
        }
    }

    /// The shared value, if this is a [`ContextValue::Any`] holding a `T`.
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        match self {
            ContextValue::Any(v) => (**v).downcast_ref::<T>(),
            _ => None,
        }
    }
}

impl fmt::Debug for ContextValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContextValue::Str(v) => fmt::Debug::fmt(v, f),
            ContextValue::I64(v) => fmt::Debug::fmt(v, f),
            ContextValue::U64(v) => fmt::Debug::fmt(v, f),
            ContextValue::F64(v) => fmt::Debug::fmt(v, f),
            ContextValue::Bool(v) => fmt::Debug::fmt(v, f),
            ContextValue::Any(_) => f.write_str("<opaque>"),
        }
    }
}

impl fmt::Display for ContextValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContextValue::Str(v) => f.write_str(v),
            ContextValue::I64(v) => fmt::Display::fmt(v, f),
            ContextValue::U64(v) => fmt::Display::fmt(v, f),
            ContextValue::F64(v) => fmt::Display::fmt(v, f),
            ContextValue::Bool(v) => fmt::Display::fmt(v, f),
            ContextValue::Any(_) => f.write_str("<opaque>"),
        }
    }
}

impl PartialEq for ContextValue {
    /// Scalars compare by value; [`ContextValue::Any`] values by identity.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ContextValue::Str(a), ContextValue::Str(b)) => a == b,
            (ContextValue::I64(a), ContextValue::I64(b)) => a == b,
            (ContextValue::U64(a), ContextValue::U64(b)) => a == b,
            (ContextValue::F64(a), ContextValue::F64(b)) => a == b,
            (ContextValue::Bool(a), ContextValue::Bool(b)) => a == b,
            (ContextValue::Any(a), ContextValue::Any(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

macro_rules! from_scalar {
    ($($ty:ty => $variant:ident as $as:ty),* $(,)?) => {$(
        impl From<$ty> for ContextValue {
            fn from(v: $ty) -> Self {
                ContextValue::$variant(v as $as)
            }
        }
    )*};
}

from_scalar!(
    i8 => I64 as i64, i16 => I64 as i64, i32 => I64 as i64, i64 => I64 as i64, isize => I64 as i64,
    u8 => U64 as u64, u16 => U64 as u64, u32 => U64 as u64, u64 => U64 as u64, usize => U64 as u64,
    f32 => F64 as f64, f64 => F64 as f64,
);

impl From<bool> for ContextValue {
    fn from(v: bool) -> Self {
        ContextValue::Bool(v)
    }
}

impl From<String> for ContextValue {
    fn from(v: String) -> Self {
        ContextValue::Str(v)
    }
}

impl From<&str> for ContextValue {
    fn from(v: &str) -> Self {
        ContextValue::Str(v.to_owned())
    }
}

impl From<Arc<dyn Any + Send + Sync>> for ContextValue {
    fn from(v: Arc<dyn Any + Send + Sync>) -> Self {
        ContextValue::Any(v)
    }
}

/// Key-value context attached to a [`SlowTaskEvent`](crate::SlowTaskEvent), the Rust form of the
/// reference's `event.context` dict. Keys are ordered; inserting an existing key replaces its value.
///
/// ```
/// use aiocop::Context;
/// let ctx = Context::new().with("request_id", "req-42").with("attempt", 2);
/// assert_eq!(ctx.get_str("request_id"), Some("req-42"));
/// assert_eq!(ctx.get("attempt").and_then(|v| v.as_i64()), Some(2));
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct Context {
    entries: BTreeMap<String, ContextValue>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// This context with `key` set to `value` (builder style).
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<ContextValue>) -> Self {
        self.insert(key, value);
        self
    }

    /// Sets `key` to `value`, returning the value it replaces.
    pub fn insert(
        &mut self,
        key: impl Into<String>,
        value: impl Into<ContextValue>,
    ) -> Option<ContextValue> {
        self.entries.insert(key.into(), value.into())
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.entries.get(key)
    }

    /// The value of `key` if it is a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(ContextValue::as_str)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// The entries, ordered by key.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Overlays `other` on this context: its keys win, keys it lacks keep their value here.
    pub fn merge(&mut self, other: Context) {
        self.entries.extend(other.entries);
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.entries.iter()).finish()
    }
}

impl<K: Into<String>, V: Into<ContextValue>> FromIterator<(K, V)> for Context {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut ctx = Context::new();
        ctx.extend(iter);
        ctx
    }
}

impl<K: Into<String>, V: Into<ContextValue>> Extend<(K, V)> for Context {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<'a> IntoIterator for &'a Context {
    type Item = (&'a String, &'a ContextValue);
    type IntoIter = std::collections::btree_map::Iter<'a, String, ContextValue>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

type ProviderFn = dyn Fn() -> Context + Send + Sync;

static PROVIDERS: Registry<ProviderFn> = Registry::new();
/// Mirrors `!PROVIDERS.is_empty()` so the poll path can skip providers with one relaxed load.
static HAS_PROVIDERS: AtomicBool = AtomicBool::new(false);

/// Identifies a registered context provider; pass it to [`unregister_context_provider`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProviderHandle(u64);

/// Registers a context provider. It runs on the polling thread, at the first blocking event of a
/// monitored poll (and before and after polls, for CPU-blocking events); keep it cheap and
/// non-blocking. A provider that panics is reported on stderr and skipped.
///
/// ```
/// let handle = aiocop::register_context_provider(|| aiocop::Context::new().with("service", "api"));
/// assert!(aiocop::unregister_context_provider(handle));
/// ```
pub fn register_context_provider<F>(provider: F) -> ProviderHandle
where
    F: Fn() -> Context + Send + Sync + 'static,
{
    let id = PROVIDERS.insert(Arc::new(provider));
    HAS_PROVIDERS.store(true, Ordering::Release);
    ProviderHandle(id)
}

/// Removes a provider; `false` if the handle was not (or no longer) registered.
pub fn unregister_context_provider(handle: ProviderHandle) -> bool {
    let removed = PROVIDERS.remove(handle.0);
    HAS_PROVIDERS.store(!PROVIDERS.is_empty(), Ordering::Release);
    removed
}

/// Removes every context provider.
pub fn clear_context_providers() {
    PROVIDERS.clear();
    HAS_PROVIDERS.store(false, Ordering::Release);
}

/// Whether any provider is registered: one relaxed load.
#[inline]
pub(crate) fn has_providers() -> bool {
    HAS_PROVIDERS.load(Ordering::Relaxed)
}

/// Runs every provider in registration order and merges what they return (later keys win).
pub(crate) fn capture() -> Context {
    let mut ctx = Context::new();
    PROVIDERS.call_each("context provider", |provider| ctx.merge(provider()));
    ctx
}

/// Joins the fork handler: the registry's lock is held across a fork.
pub(crate) fn join_fork() {
    crate::fork::join(
        crate::fork::Rank::Providers,
        crate::fork::Participant::lock(|| PROVIDERS.hold()),
    );
}

/// The key of the request id in the context of a request's events.
pub(crate) const REQUEST_ID_KEY: &str = "request_id";

thread_local! {
    /// The id of the request being polled on this thread (`None`: none), published by the tower
    /// layer's response future for the duration of its poll: a poll pays two thread-local writes.
    static REQUEST_ID: Cell<Option<*const dyn RequestId>> = const { Cell::new(None) };
}

/// The id of the request being polled on this thread, if any (see the tower layer's
/// `current_request_id`): the one it came with, or one made now if it has none yet.
pub(crate) fn current_request_id() -> Option<String> {
    let current = REQUEST_ID.try_with(Cell::get).ok()??;
    // SAFETY: `REQUEST_ID` holds a pointer only while a `Published` guard lives on this thread,
    // and the guard borrows the id it points to for its whole life (see `publish`).
    unsafe { &*current }.text()
}

/// `context` with the current request id under [`REQUEST_ID_KEY`], unless a context provider set
/// that key already (providers win, as later providers do over earlier ones).
pub(crate) fn add_request_id(mut context: Context) -> Context {
    if !context.contains_key(REQUEST_ID_KEY)
        && let Some(id) = current_request_id()
    {
        context.insert(REQUEST_ID_KEY, id);
    }
    context
}

/// A request's id while the request is polled, kept by whoever polls it (the tower layer's
/// response future, which keeps the id the request came with, or the number of one made for it
/// when first asked for): published as it is, by address, so a poll builds nothing to publish it,
/// and spelled only when read.
pub(crate) trait RequestId {
    /// The id's text (made now if the request has none yet), or none.
    fn text(&self) -> Option<String>;
}

/// Makes `id` the thread's current request id until the guard is dropped.
#[cfg_attr(not(feature = "tower"), allow(dead_code))]
#[inline]
pub(crate) fn publish<'a>(id: &'a (dyn RequestId + 'static)) -> Published<'a> {
    let outer = REQUEST_ID.replace(Some(ptr::from_ref(id)));
    Published {
        outer,
        _id: PhantomData,
    }
}

/// A published [`RequestId`]: crate-internal, and only ever a local of a poll, never leaked or
/// forgotten, so the pointer it publishes never outlives the id it borrows (unwinding drops it
/// too).
#[cfg_attr(not(feature = "tower"), allow(dead_code))]
pub(crate) struct Published<'a> {
    outer: Option<*const dyn RequestId>,
    _id: PhantomData<&'a dyn RequestId>,
}

impl Drop for Published<'_> {
    /// Restores the id of an enclosing request, or none.
    #[inline]
    fn drop(&mut self) {
        REQUEST_ID.set(self.outer);
    }
}
