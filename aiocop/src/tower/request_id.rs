//! Request ids: taken from the request or made up, echoed in the response, and visible to code
//! (and context providers) running while the request is polled.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::num::NonZeroU64;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use http::{HeaderName, HeaderValue};

use crate::context::RequestId;
use crate::request_sampling::splitmix64;

/// The key of the request id in the context of a request's events.
pub const REQUEST_ID_KEY: &str = crate::context::REQUEST_ID_KEY;

/// The id of the request being polled on this thread by an
/// [`AiocopLayer`](crate::tower::AiocopLayer) service, if any: readable from handlers and from
/// context providers, which run inside the poll. Events of the request carry it in their context
/// under [`REQUEST_ID_KEY`] without any provider.
pub fn current_request_id() -> Option<String> {
    crate::context::current_request_id()
}

/// The header a request id is read from and echoed in, by default.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// [`X_REQUEST_ID`] in a place of its own, to be borrowed.
pub(crate) static DEFAULT_HEADER: HeaderName = X_REQUEST_ID;

/// The longest request id taken from a request; a longer one (or one with characters other than
/// visible ASCII) is replaced by a new id.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// A request's id while its response future lives, published while it is polled: the id it came
/// with, or else the number of the id made for it, drawn when first asked for (an event,
/// [`current_request_id`]) and spelled only when read. Most requests of a service whose clients
/// send no ids neither make nor echo one.
pub(crate) struct Id {
    incoming: Option<HeaderValue>,
    made: Cell<Option<NonZeroU64>>,
}

impl Id {
    /// The id `request` carries in `header`, if acceptable; else one to be made when first asked
    /// for.
    ///
    /// The request's header names are scanned rather than looked up: finding a name in a
    /// `HeaderMap` hashes it, and for a name outside the standard set (`x-request-id` is one) that
    /// costs more than comparing it with each name present, where a standard name differs at its
    /// first word and another name of a different length at the length. Only a request that
    /// carries the header pays for the lookup of its value.
    #[inline]
    pub(crate) fn of_request<B>(request: &http::Request<B>, header: &HeaderName) -> Id {
        let headers = request.headers();
        let incoming = if headers.keys().any(|name| name == header) {
            headers.get(header).filter(|id| is_acceptable(id)).cloned()
        } else {
            None
        };
        Id {
            incoming,
            made: Cell::new(None),
        }
    }

    /// Whether the id came with the request (its value held, a share of the request's buffer).
    #[inline(always)]
    pub(crate) fn is_incoming(&self) -> bool {
        self.incoming.is_some()
    }

    /// Whether the response is to carry an id: the request came with one, or one was made for it.
    #[inline]
    pub(crate) fn is_set(&self) -> bool {
        self.incoming.is_some() || self.made.get().is_some()
    }

    /// The header value to echo, if any.
    pub(crate) fn header_value(&self) -> Option<HeaderValue> {
        match &self.incoming {
            Some(id) => Some(id.clone()),
            None => header_value(self.made.get()?),
        }
    }

    /// The header value to echo, if any, taken.
    pub(crate) fn into_header_value(self) -> Option<HeaderValue> {
        match self.incoming {
            Some(id) => Some(id),
            None => header_value(self.made.get()?),
        }
    }
}

impl RequestId for Id {
    fn text(&self) -> Option<String> {
        if let Some(id) = &self.incoming {
            return id.to_str().ok().map(str::to_owned);
        }
        let n = self.made.get().unwrap_or_else(|| {
            let n = next();
            self.made.set(Some(n));
            n
        });
        Some(text(n).iter().map(|&b| char::from(b)).collect())
    }
}

fn is_acceptable(id: &HeaderValue) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_REQUEST_ID_LEN
        && bytes.iter().all(|b| b.is_ascii_graphic())
}

/// The number of the next id made in this process (never zero).
fn next() -> NonZeroU64 {
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // 2^64 ids would take centuries at any request rate; past that, ids start over at 1.
    NonZeroU64::new(n).unwrap_or(NonZeroU64::MIN)
}

/// The id numbered `n`, spelled as a random version 4 UUID: the number, keyed and mixed twice with
/// SplitMix64's mixing function (a bijection, so neither half repeats within a process before
/// 2^60 ids), the keys drawn once per process from the operating system's randomness (through
/// std's `RandomState`), so two processes (or two runs of one) share no id but by a 2^-122
/// chance. Unique and unpredictable enough for correlating logs; not meant as secrets.
pub(crate) fn text(n: NonZeroU64) -> [u8; 36] {
    static KEYS: OnceLock<(u64, u64)> = OnceLock::new();
    let &(k0, k1) = KEYS.get_or_init(|| {
        let state = RandomState::new();
        (state.hash_one(0u8), state.hash_one(1u8))
    });
    let n = n.get();
    let high = splitmix64(n ^ k0);
    // Version 4 (the 13th hex digit), variant 10xx (the 17th), as RFC 9562 lays them out.
    let high = (high & !(0xF << 12)) | (0x4 << 12);
    // Another bijection of the number: two ids share neither half.
    let low = splitmix64(n ^ k1);
    let low = (low & !(0x3 << 62)) | (0x2 << 62);
    let mut digits = [0u8; 32];
    hex(high, &mut digits[..16]);
    hex(low, &mut digits[16..]);
    let mut text = [b'-'; 36];
    text[..8].copy_from_slice(&digits[..8]);
    text[9..13].copy_from_slice(&digits[8..12]);
    text[14..18].copy_from_slice(&digits[12..16]);
    text[19..23].copy_from_slice(&digits[16..20]);
    text[24..].copy_from_slice(&digits[20..]);
    text
}

/// The header value of the id numbered `n`.
pub(crate) fn header_value(n: NonZeroU64) -> Option<HeaderValue> {
    HeaderValue::from_bytes(&text(n)).ok()
}

/// Writes `value` as 16 lowercase hex digits, most significant first, a byte (two digits) at a
/// time.
fn hex(value: u64, out: &mut [u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (pair, byte) in out.chunks_exact_mut(2).zip(value.to_be_bytes()) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0xF)];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::context::{Context, add_request_id, publish};

    fn of_request(request: &http::Request<()>, header: &HeaderName) -> Option<HeaderValue> {
        let id = Id::of_request(request, header);
        assert_eq!(id.made.get(), None, "nothing made before it is asked for");
        id.incoming
    }

    fn generate() -> String {
        Id::of_request(&request(None), &X_REQUEST_ID)
            .text()
            .unwrap()
    }

    fn request(id: Option<&str>) -> http::Request<()> {
        let mut builder = http::Request::builder();
        if let Some(id) = id {
            builder = builder.header(X_REQUEST_ID, id);
        }
        builder.body(()).unwrap()
    }

    #[test]
    fn acceptable_ids_are_kept_and_others_left_out() {
        assert_eq!(
            of_request(&request(Some("req-42")), &X_REQUEST_ID).unwrap(),
            "req-42"
        );
        let longest = "a".repeat(MAX_REQUEST_ID_LEN);
        assert_eq!(
            of_request(&request(Some(&longest)), &X_REQUEST_ID).unwrap(),
            &*longest
        );
        // Found among others, whatever their names: standard ones, and ones of the same length.
        let crowded = http::Request::builder()
            .header(http::header::HOST, "localhost")
            .header("x-request-ie", "not-this-one")
            .header(http::header::ACCEPT, "*/*")
            .header(X_REQUEST_ID, "req-45")
            .header("x-forwarded-for", "10.0.0.1")
            .body(())
            .unwrap();
        assert_eq!(of_request(&crowded, &X_REQUEST_ID).unwrap(), "req-45");
        let custom = HeaderName::from_static("x-request-ie");
        assert_eq!(of_request(&crowded, &custom).unwrap(), "not-this-one");
        for bad in [
            None,
            Some(""),
            Some("two words"),
            Some(&*"a".repeat(MAX_REQUEST_ID_LEN + 1)),
        ] {
            assert_eq!(of_request(&request(bad), &X_REQUEST_ID), None, "{bad:?}");
        }
    }

    #[test]
    fn generated_ids_are_distinct_version_4_uuids() {
        let ids: std::collections::HashSet<String> = (0..10_000).map(|_| generate()).collect();
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
        let outer = Id::of_request(&request(Some("outer")), &X_REQUEST_ID);
        let inner = Id::of_request(&request(None), &X_REQUEST_ID);
        {
            let _outer = publish(&outer);
            assert_eq!(current_request_id().as_deref(), Some("outer"));
            let context = add_request_id(Context::new());
            assert_eq!(context.get_str(REQUEST_ID_KEY), Some("outer"));
            let mine = Context::new().with(REQUEST_ID_KEY, "from a provider");
            assert_eq!(add_request_id(mine.clone()), mine, "providers win");
            {
                let _inner = publish(&inner);
                let inner_made = &inner.made;
                assert!(inner_made.get().is_none(), "made only when asked for");
                let made = current_request_id().unwrap();
                let spelled = inner_made
                    .get()
                    .map(|n| String::from_utf8(text(n).to_vec()));
                assert_eq!(spelled, Some(Ok(made.clone())));
                assert_eq!(current_request_id().as_ref(), Some(&made), "made once");
                assert_eq!(inner.header_value().unwrap(), &*made, "echoed as read");
            }
            assert_eq!(current_request_id().as_deref(), Some("outer"));
        }
        assert_eq!(current_request_id(), None);
        assert!(add_request_id(Context::new()).is_empty());
    }
}
