//! Request ids: taken from the request or made up, echoed in the response, and visible to code
//! (and context providers) running while the request is polled.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use http::{HeaderName, HeaderValue};

use crate::context::Context;

/// The header a request id is read from and echoed in, by default.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id taken from a request; a longer one (or one with characters other than
/// visible ASCII) is replaced by a new id.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// The context key [`request_context`] sets.
pub const REQUEST_ID_KEY: &str = "request_id";

thread_local! {
    /// The id of the request being polled on this thread. The request's future moves its id in
    /// for the poll and takes it back after, so this costs no allocation or reference count.
    static CURRENT: Cell<Option<HeaderValue>> = const { Cell::new(None) };
}

/// The id of the request being polled on this thread by an
/// [`AiocopLayer`](crate::tower::AiocopLayer) service, if any: readable from handlers, and from
/// context providers, which run inside the poll.
pub fn current_request_id() -> Option<String> {
    CURRENT
        .try_with(|current| {
            let id = current.take();
            let text = id
                .as_ref()
                .and_then(|id| id.to_str().ok())
                .map(str::to_owned);
            current.set(id);
            text
        })
        .ok()
        .flatten()
}

/// A context provider putting [`current_request_id`] under `request_id` (nothing outside a
/// request). Register it with [`register_context_provider`](crate::register_context_provider):
///
/// ```
/// aiocop::register_context_provider(aiocop::tower::request_context);
/// ```
pub fn request_context() -> Context {
    match current_request_id() {
        Some(id) => Context::new().with(REQUEST_ID_KEY, id),
        None => Context::new(),
    }
}

/// The id a request carries in `header`, if acceptable, else a new one.
pub(crate) fn of_request<B>(request: &http::Request<B>, header: &HeaderName) -> HeaderValue {
    match request.headers().get(header) {
        Some(id) if is_acceptable(id) => id.clone(),
        _ => generate(),
    }
}

fn is_acceptable(id: &HeaderValue) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_REQUEST_ID_LEN
        && bytes.iter().all(|b| b.is_ascii_graphic())
}

/// A random id shaped like a version 4 UUID. The bits come from a keyed hash (SipHash, keyed
/// from the operating system's randomness once per process) of a counter: unique within the
/// process, unpredictable enough for correlation ids, not meant as secrets.
fn generate() -> HeaderValue {
    static KEY: OnceLock<RandomState> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let key = KEY.get_or_init(RandomState::new);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut bits = u128::from(key.hash_one((n, 0u8))) << 64 | u128::from(key.hash_one((n, 1u8)));
    // Version 4, variant 10xx (RFC 9562).
    bits = (bits & !(0xF << 76)) | (0x4 << 76);
    bits = (bits & !(0x3 << 62)) | (0x2 << 62);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = [0u8; 36];
    let mut nibble = 32;
    for (i, byte) in text.iter_mut().enumerate() {
        *byte = if matches!(i, 8 | 13 | 18 | 23) {
            b'-'
        } else {
            nibble -= 1;
            HEX[((bits >> (nibble * 4)) & 0xF) as usize]
        };
    }
    // Hex digits and dashes are valid header bytes.
    HeaderValue::from_bytes(&text).unwrap_or_else(|_| HeaderValue::from_static("unknown"))
}

/// Makes a request's id current on this thread for the duration of one poll.
pub(crate) struct Current<'a> {
    slot: &'a mut Option<HeaderValue>,
    outer: Option<HeaderValue>,
}

impl<'a> Current<'a> {
    /// Moves the id in `slot` (if any) into the thread's current id.
    #[inline]
    pub(crate) fn enter(slot: &'a mut Option<HeaderValue>) -> Self {
        let outer = CURRENT.replace(slot.take());
        Current { slot, outer }
    }
}

impl Drop for Current<'_> {
    /// Moves the id back into the request, and restores the id of an enclosing request.
    fn drop(&mut self) {
        *self.slot = CURRENT.replace(self.outer.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(id: Option<&str>) -> http::Request<()> {
        let mut builder = http::Request::builder();
        if let Some(id) = id {
            builder = builder.header(X_REQUEST_ID, id);
        }
        builder.body(()).unwrap()
    }

    #[test]
    fn acceptable_ids_are_kept_and_others_replaced() {
        assert_eq!(of_request(&request(Some("req-42")), &X_REQUEST_ID), "req-42");
        let longest = "a".repeat(MAX_REQUEST_ID_LEN);
        assert_eq!(of_request(&request(Some(&longest)), &X_REQUEST_ID), &*longest);
        for bad in [None, Some(""), Some("two words"), Some(&*"a".repeat(MAX_REQUEST_ID_LEN + 1))] {
            let id = of_request(&request(bad), &X_REQUEST_ID);
            assert_ne!(Some(id.to_str().unwrap()), bad);
            assert_eq!(id.len(), 36, "{bad:?} -> {id:?}");
        }
    }

    #[test]
    fn generated_ids_are_distinct_version_4_uuids() {
        let ids: std::collections::HashSet<String> = (0..10_000)
            .map(|_| generate().to_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(100) {
            let groups: Vec<&str> = id.split('-').collect();
            assert_eq!(
                groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12],
                "{id}"
            );
            assert!(groups[2].starts_with('4'), "{id}");
            assert!(matches!(&groups[3][..1], "8" | "9" | "a" | "b"), "{id}");
            assert!(id.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()));
        }
    }

    #[test]
    fn the_current_id_is_scoped_to_the_poll_and_nests() {
        assert_eq!(current_request_id(), None);
        let mut outer = Some(HeaderValue::from_static("outer"));
        let mut inner = Some(HeaderValue::from_static("inner"));
        {
            let _outer = Current::enter(&mut outer);
            assert_eq!(current_request_id().as_deref(), Some("outer"));
            assert_eq!(request_context().get_str(REQUEST_ID_KEY), Some("outer"));
            {
                let _inner = Current::enter(&mut inner);
                assert_eq!(current_request_id().as_deref(), Some("inner"));
            }
            assert_eq!(current_request_id().as_deref(), Some("outer"));
        }
        assert_eq!(current_request_id(), None);
        assert!(request_context().is_empty());
        assert_eq!(outer, Some(HeaderValue::from_static("outer")));
        assert_eq!(inner, Some(HeaderValue::from_static("inner")));
    }
}
