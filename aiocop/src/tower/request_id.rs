//! Request ids: taken from the request or made up, echoed in the response, and visible to code
//! (and context providers) running while the request is polled.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::num::NonZeroU64;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use http::{HeaderName, HeaderValue};

use crate::context::IdMaker;
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

/// The longest request id taken from a request; a longer one (or one with characters other than
/// visible ASCII) is replaced by a new id.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// The header a layer reads and echoes ids in. The default is a variant of its own: the service
/// and each request's future carry it, and axum clones the service for every request, so the
/// default costs no reference count or clone of a header name's storage.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum IdHeader {
    /// Request ids off.
    Off,
    /// [`X_REQUEST_ID`].
    Default,
    /// Another header.
    Custom(HeaderName),
}

impl IdHeader {
    /// Whether request ids are on.
    #[inline]
    pub(crate) fn is_on(&self) -> bool {
        !matches!(self, IdHeader::Off)
    }

    /// The header's name, if ids are on.
    pub(crate) fn name(self) -> Option<HeaderName> {
        match self {
            IdHeader::Off => None,
            IdHeader::Default => Some(X_REQUEST_ID),
            IdHeader::Custom(name) => Some(name),
        }
    }

    /// The id a request carries in this header, if acceptable (else the request gets one made
    /// for it when first asked for: see [`MAKER`]).
    ///
    /// The request's few headers are scanned rather than looked up: finding a name in a
    /// `HeaderMap` hashes it, and for a name outside the standard set (`x-request-id` is one) that
    /// costs more than comparing it with each header present, where a standard name differs at
    /// its first word and another name of a different length at the length.
    #[inline]
    pub(crate) fn of_request<B>(&self, request: &http::Request<B>) -> Option<HeaderValue> {
        let wanted = match self {
            IdHeader::Off => return None,
            IdHeader::Default => &X_REQUEST_ID,
            IdHeader::Custom(name) => name,
        };
        request
            .headers()
            .iter()
            .find(|(name, _)| *name == wanted)
            .map(|(_, id)| id)
            .filter(|id| is_acceptable(id))
            .cloned()
    }
}

fn is_acceptable(id: &HeaderValue) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_REQUEST_ID_LEN
        && bytes.iter().all(|b| b.is_ascii_graphic())
}

/// How the layer makes ids: a number drawn when a request's id is first asked for, spelled only
/// when read.
pub(crate) static MAKER: IdMaker = IdMaker {
    make: next,
    text: |n| text(n).iter().map(|&b| char::from(b)).collect(),
};

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
    use std::cell::Cell;

    use crate::context::{Context, RequestId, add_request_id};

    fn of_request(request: &http::Request<()>, header: &HeaderName) -> Option<HeaderValue> {
        IdHeader::Custom(header.clone()).of_request(request)
    }

    fn generate() -> String {
        (MAKER.text)(next())
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
        // The default header is the same header.
        assert_eq!(
            IdHeader::Default
                .of_request(&request(Some("req-43")))
                .unwrap(),
            "req-43"
        );
        assert_eq!(IdHeader::Off.of_request(&request(Some("req-44"))), None);
        // Found among others, whatever their names: standard ones, and ones of the same length.
        let crowded = http::Request::builder()
            .header(http::header::HOST, "localhost")
            .header("x-request-ie", "not-this-one")
            .header(http::header::ACCEPT, "*/*")
            .header(X_REQUEST_ID, "req-45")
            .header("x-forwarded-for", "10.0.0.1")
            .body(())
            .unwrap();
        assert_eq!(IdHeader::Default.of_request(&crowded).unwrap(), "req-45");
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
        let (outer_made, inner_made) = (Cell::new(None), Cell::new(None));
        let outer = RequestId::new(Some(b"outer"), &outer_made, &MAKER);
        let inner = RequestId::new(None, &inner_made, &MAKER);
        {
            let _outer = outer.publish();
            assert_eq!(current_request_id().as_deref(), Some("outer"));
            let context = add_request_id(Context::new());
            assert_eq!(context.get_str(REQUEST_ID_KEY), Some("outer"));
            let mine = Context::new().with(REQUEST_ID_KEY, "from a provider");
            assert_eq!(add_request_id(mine.clone()), mine, "providers win");
            assert!(
                outer_made.get().is_none(),
                "an incoming id is used as it is"
            );
            {
                let _inner = inner.publish();
                assert!(inner_made.get().is_none(), "made only when asked for");
                let made = current_request_id().unwrap();
                assert_eq!(inner_made.get().map(MAKER.text), Some(made.clone()));
                assert_eq!(current_request_id(), Some(made), "made once");
            }
            assert_eq!(current_request_id().as_deref(), Some("outer"));
        }
        assert_eq!(current_request_id(), None);
        assert!(add_request_id(Context::new()).is_empty());
    }
}
