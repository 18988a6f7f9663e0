//! How the layer names a request's events.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use http::Method;

/// Names a request's events: the name its [`SlowTaskEvent`](crate::SlowTaskEvent)s report as
/// their function.
///
/// Implemented by [`MethodAndPath`] (the default), `AxumRoute` (feature `axum`) and closures from
/// `&http::Request<B>` to a `String`, `&'static str` or `Cow<'static, str>`:
///
/// ```
/// let layer = aiocop::tower::AiocopLayer::new().route_name(|request: &http::Request<String>| {
///     // One name per API version, whatever the rest of the path.
///     match request.uri().path().split('/').nth(1) {
///         Some("v1") => "api v1",
///         _ => "api",
///     }
/// });
/// # let _ = layer;
/// ```
pub trait RouteName<B> {
    /// The name of `request`'s events.
    fn route_name(&self, request: &http::Request<B>) -> Cow<'static, str>;
}

impl<B, F, N> RouteName<B> for F
where
    F: Fn(&http::Request<B>) -> N,
    N: Into<Cow<'static, str>>,
{
    fn route_name(&self, request: &http::Request<B>) -> Cow<'static, str> {
        self(request).into()
    }
}

/// The name events take once 10,000 distinct route names are stored.
pub const OTHER_ROUTE: &str = "<other route>";

/// Names requests `METHOD /path` from the request line (`GET /users/42`), without the query.
#[derive(Debug, Clone, Copy, Default)]
pub struct MethodAndPath;

impl<B> RouteName<B> for MethodAndPath {
    fn route_name(&self, request: &http::Request<B>) -> Cow<'static, str> {
        Cow::Borrowed(name_of(request.method(), request.uri().path()))
    }
}

/// How many routes each thread remembers the names of; past that it starts over.
const CACHED_PER_THREAD: usize = 1024;

thread_local! {
    /// Names already made on this thread, by route then method: a request of a known route costs
    /// a lookup, without formatting or the process-wide interner's lock.
    static NAMES: RefCell<NameCache> = RefCell::new(HashMap::default());
}

/// Route → the names made for it, one per method.
type NameCache = HashMap<Box<str>, Vec<(Method, &'static str)>, PathHash>;

/// A fast hash for the per-thread cache (FNV-1a over 8-byte words): its keys are the service's
/// own route paths, and a thread's cache is only ever read by that thread, so SipHash's
/// resistance to chosen collisions buys nothing here, while the hash is paid on every request.
type PathHash = BuildHasherDefault<WordFnv>;

#[derive(Default)]
struct WordFnv(u64);

impl Hasher for WordFnv {
    fn write(&mut self, bytes: &[u8]) {
        const PRIME: u64 = 0x0000_0100_0000_01B3;
        let mut hash = if self.0 == 0 {
            0xCBF2_9CE4_8422_2325
        } else {
            self.0
        };
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
            hash = (hash ^ word).wrapping_mul(PRIME);
        }
        for &byte in words.remainder() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(PRIME);
        }
        self.0 = hash;
    }

    fn finish(&self) -> u64 {
        // Fold the high bits in: hashbrown picks buckets from the low ones and tags from the top.
        self.0 ^ (self.0 >> 29)
    }
}

/// The interned `METHOD route` name.
fn name_of(method: &Method, route: &str) -> &'static str {
    if let Ok(Some(name)) = RECENT.try_with(|recent| {
        let (_, names) = recent.get();
        names
            .into_iter()
            .find(|name| is_name_of(name, method, route))
    }) {
        return name;
    }
    let name = lookup(method, route);
    let _ = RECENT.try_with(|recent| {
        let (next, mut names) = recent.get();
        names[next % names.len()] = name;
        recent.set((next.wrapping_add(1), names));
    });
    name
}

thread_local! {
    /// The last few names this thread handed out, checked by their text before the map: a busy
    /// route is named with a comparison or two.
    static RECENT: Cell<(usize, [&'static str; 4])> = const { Cell::new((0, [""; 4])) };
}

/// Whether `name` is `METHOD route`.
#[inline]
fn is_name_of(name: &str, method: &Method, route: &str) -> bool {
    let method = method.as_str();
    name.len() == method.len() + 1 + route.len()
        && name.ends_with(route)
        && name.starts_with(method)
        && name.as_bytes()[method.len()] == b' '
}

/// The name from this thread's map, or made (and interned) now.
fn lookup(method: &Method, route: &str) -> &'static str {
    let cached = NAMES
        .try_with(|names| {
            let names = names.try_borrow().ok()?;
            let methods = names.get(route)?;
            methods
                .iter()
                .find(|(m, _)| m == method)
                .map(|(_, name)| *name)
        })
        .ok()
        .flatten();
    if let Some(name) = cached {
        return name;
    }
    let name = crate::intern::name(&format!("{method} {route}"), OTHER_ROUTE);
    let _ = NAMES.try_with(|names| {
        if let Ok(mut names) = names.try_borrow_mut() {
            if names.len() >= CACHED_PER_THREAD {
                names.clear();
            }
            names
                .entry(Box::from(route))
                .or_default()
                .push((method.clone(), name));
        }
    });
    name
}

/// Names requests `METHOD /route` from axum's matched route (`GET /users/{id}`), which the
/// router records once it has routed the request: install the layer with `Router::route_layer`
/// (with `Router::layer` it runs before routing, and this falls back to [`MethodAndPath`]).
#[cfg(feature = "axum")]
#[derive(Debug, Clone, Copy, Default)]
pub struct AxumRoute;

#[cfg(feature = "axum")]
impl<B> RouteName<B> for AxumRoute {
    #[inline]
    fn route_name(&self, request: &http::Request<B>) -> Cow<'static, str> {
        match request.extensions().get::<axum::extract::MatchedPath>() {
            Some(route) => Cow::Borrowed(axum_name(request.method(), route)),
            None => MethodAndPath.route_name(request),
        }
    }
}

#[cfg(feature = "axum")]
thread_local! {
    /// The last few axum routes this thread named, each held with its name. axum hands every
    /// request of a route the same shared text, and holding it here keeps its address from being
    /// reused for another text while it is held: a route met again is named by comparing
    /// addresses, not text.
    static AXUM_RECENT: RefCell<AxumRecent> = const {
        RefCell::new(AxumRecent {
            next: 0,
            entries: [const { None }; 4],
        })
    };

    /// The route this thread named last (its text's address and length, its method's
    /// [`method_tag`], its name), always one that `AXUM_RECENT` holds (see `AxumRecent::drop`):
    /// a request of the same route as the last one is named with a thread-local read and three
    /// comparisons, without borrowing the list. Tag 0: nothing.
    static AXUM_LAST: Cell<(usize, usize, u8, &'static str)> = const { Cell::new((0, 0, 0, "")) };
}

#[cfg(feature = "axum")]
struct AxumRecent {
    next: usize,
    entries: [Option<(axum::extract::MatchedPath, Method, &'static str)>; 4],
}

#[cfg(feature = "axum")]
impl Drop for AxumRecent {
    /// The texts held go: so does the last route, which pointed at one of them.
    fn drop(&mut self) {
        let _ = AXUM_LAST.try_with(|last| last.set((0, 0, 0, "")));
    }
}

/// A number for each of the common methods, 0 for the others (whose text is the request's own,
/// not a static one, so that they are never the last route).
#[cfg(feature = "axum")]
#[inline]
fn method_tag(method: &Method) -> u8 {
    if method == Method::GET {
        1
    } else if method == Method::POST {
        2
    } else if method == Method::PUT {
        3
    } else if method == Method::DELETE {
        4
    } else if method == Method::PATCH {
        5
    } else if method == Method::HEAD {
        6
    } else {
        0
    }
}

/// The interned `METHOD route` name of axum's matched `route`.
#[cfg(feature = "axum")]
#[inline]
fn axum_name(method: &Method, route: &axum::extract::MatchedPath) -> &'static str {
    let text = route.as_str();
    let tag = method_tag(method);
    let key = (text.as_ptr() as usize, text.len(), tag);
    if let Ok((address, len, last_tag, name)) = AXUM_LAST.try_with(Cell::get)
        && tag != 0
        && (address, len, last_tag) == key
    {
        return name;
    }
    let held = AXUM_RECENT.try_with(|recent| {
        let recent = recent.try_borrow().ok()?;
        recent
            .entries
            .iter()
            .flatten()
            .find(|(held, held_method, _)| {
                std::ptr::eq(held.as_str(), text) && held_method == method
            })
            .map(|&(_, _, name)| name)
    });
    let name = match held {
        Ok(Some(name)) => name,
        _ => {
            let name = name_of(method, text);
            let held = AXUM_RECENT.try_with(|recent| {
                let Ok(mut recent) = recent.try_borrow_mut() else {
                    return false;
                };
                let slot = recent.next % recent.entries.len();
                recent.next = recent.next.wrapping_add(1);
                // The text dropped here (if the last holder) is freed: no user code runs. The last
                // route is this one from here on (set below), never the text dropped.
                recent.entries[slot] = Some((route.clone(), method.clone(), name));
                true
            });
            if held != Ok(true) {
                // Not held: never the last route.
                return name;
            }
            name
        }
    };
    if tag != 0 {
        let _ = AXUM_LAST.try_with(|last| last.set((key.0, key.1, key.2, name)));
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, uri: &str) -> http::Request<()> {
        http::Request::builder()
            .method(method)
            .uri(uri)
            .body(())
            .unwrap()
    }

    /// One test: the interner is process-wide, and the end of this test fills it.
    #[test]
    fn names_are_method_and_route_interned_once_and_bounded() {
        let get = MethodAndPath.route_name(&request(Method::GET, "/users/42?full=1"));
        assert_eq!(get, "GET /users/42");
        // Same text, whatever the cache that answers: the recent list, the map, or the interner.
        for _ in 0..10 {
            for (method, uri, name) in [
                (Method::GET, "/a", "GET /a"),
                (Method::POST, "/a", "POST /a"),
                (Method::GET, "/ab", "GET /ab"),
                (Method::GET, "/b", "GET /b"),
                (Method::DELETE, "/a", "DELETE /a"),
                (Method::GET, "/c", "GET /c"),
                (Method::from_bytes(b"PURGE").unwrap(), "/a", "PURGE /a"),
            ] {
                let named = MethodAndPath.route_name(&request(method, uri));
                assert_eq!(named, name);
                assert!(matches!(named, Cow::Borrowed(_)));
            }
        }
        // Interned: the same name is the same storage, from any thread.
        let here = name_of(&Method::GET, "/a").as_ptr();
        let there = std::thread::spawn(|| name_of(&Method::GET, "/a").as_ptr() as usize)
            .join()
            .unwrap();
        assert_eq!(here as usize, there);

        let closure = |r: &http::Request<()>| format!("custom {}", r.uri().path());
        assert_eq!(closure.route_name(&request(Method::GET, "/x")), "custom /x");

        // Unbounded paths stop at the cap; names stored before it keep working.
        for i in 0..crate::intern::MAX_INTERNED {
            name_of(&Method::GET, &format!("/fill/{i}"));
        }
        assert_eq!(name_of(&Method::GET, "/one/more"), OTHER_ROUTE);
        assert_eq!(name_of(&Method::POST, "/a"), "POST /a");
    }
}
