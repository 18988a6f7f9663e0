//! How a probed call shows its arguments: by value for a closed set of types worth showing
//! (paths, strings, durations, socket addresses, numbers, permissions, byte buffers by length),
//! by their source text otherwise.
//!
//! The generated code calls [`arg`] once per argument, a generic function whose type parameter
//! has no bound: the argument's type is looked up at run time, by its `TypeId` (lifetimes
//! erased), and only when a probe records. Choosing at compile time instead, by autoref
//! specialisation over an impl per shown type and reference level, made type checking slower by
//! about 0.8 ms per argument of every rewritten call in a debug build (a quarter of the macro's
//! whole build-time cost on BENCHMARKS.md's 200-handler crate), and could not compile where the
//! argument's type was still being inferred.

use std::any::TypeId;
use std::borrow::Cow;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// The text of an argument of a probed call, if a probe would keep it right now (see
/// [`shown`](super::shown)): its value if its type is one worth showing (or a reference to one),
/// else `source`, the argument as written. Otherwise an empty string, which allocates nothing.
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn arg<T: ?Sized>(value: &T, source: &'static str) -> String {
    if !super::showing() {
        return String::new();
    }
    text_of(value, source)
}

/// The text of an argument that is not read again (evaluating it twice could change what the
/// code does): `source`, if a probe would keep it right now; else an empty string.
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn source(source: &'static str) -> String {
    if !super::showing() {
        return String::new();
    }
    source.to_owned()
}

/// What [`arg`] shows.
fn text_of<T: ?Sized>(value: &T, source: &'static str) -> String {
    let erased: *const &T = &value;
    // SAFETY: `show` reads through `erased` only as a `&K` whose `K` has the type id of `T`, so
    // `K` is `T` but for lifetimes, which a type id does not see and which `show` does not let
    // escape (the text it returns borrows nothing); `erased` points at `value`, alive for the
    // call.
    let shown = unsafe { show(typeid::of::<T>(), erased.cast()) };
    shown
        .or_else(|| byte_array_len(std::any::type_name::<T>()).map(|n| format!("{n} bytes")))
        .unwrap_or_else(|| source.to_owned())
}

/// Shows the value behind `value`, a pointer to a `&K` where `K` is the type of id `id`, if `K`
/// is a type worth showing.
///
/// # Safety
///
/// `value` must point at a live `&K` for the `K` whose type id (lifetimes erased) is `id`.
unsafe fn show(id: TypeId, value: *const ()) -> Option<String> {
    let table = table();
    let index = table.binary_search_by_key(&id, |(key, _)| *key).ok()?;
    // SAFETY: the entry's function was registered under `id`: it reads `value` as a `&K` of
    // exactly that type, which the caller guarantees.
    Some(unsafe { (table[index].1)(value) })
}

/// Reads a `*const ()` that points at a `&K` for one `K`, and shows the `K`.
type Shower = unsafe fn(*const ()) -> String;

/// The shown types and references to them (`K`, `&K`, `&&K`, `&mut K`), by type id.
fn table() -> &'static [(TypeId, Shower)] {
    static TABLE: OnceLock<Vec<(TypeId, Shower)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = shown_types();
        table.sort_by_key(|(id, _)| *id);
        table
    })
}

/// `shown_types()`: the table's entries, each type shown by the expression after it.
macro_rules! shown_types {
    ($($ty:ty => |$v:ident| $show:expr;)*) => {
        fn shown_types() -> Vec<(TypeId, Shower)> {
            let mut table: Vec<(TypeId, Shower)> = Vec::new();
            $({
                #[allow(clippy::ptr_arg)] // one signature for every shown type
                fn text_of($v: &$ty) -> String {
                    $show
                }
                // Each of these is registered under the type id of the type behind the `&` it
                // reads `p` as, and is called only for such a pointer (see `show`).
                unsafe fn by_value(p: *const ()) -> String {
                    // SAFETY: `p` points at a live `&$ty`.
                    text_of(unsafe { *p.cast::<&$ty>() })
                }
                unsafe fn by_ref(p: *const ()) -> String {
                    // SAFETY: `p` points at a live `&&$ty`.
                    text_of(unsafe { *p.cast::<&&$ty>() })
                }
                unsafe fn by_ref_ref(p: *const ()) -> String {
                    // SAFETY: `p` points at a live `&&&$ty`.
                    text_of(unsafe { **p.cast::<&&&$ty>() })
                }
                unsafe fn by_mut(p: *const ()) -> String {
                    // SAFETY: `p` points at a live `&&mut $ty`, read here through a shared
                    // reference only.
                    text_of(unsafe { &**p.cast::<&&mut $ty>() })
                }
                table.push((typeid::of::<$ty>(), by_value));
                table.push((typeid::of::<&$ty>(), by_ref));
                table.push((typeid::of::<&&$ty>(), by_ref_ref));
                table.push((typeid::of::<&mut $ty>(), by_mut));
            })*
            table
        }
    };
}

fn text(value: &dyn fmt::Display) -> String {
    crate::text::format_args_list(&[value])
}

fn debug_text(value: &dyn fmt::Debug) -> String {
    text(&format_args!("{value:?}"))
}

shown_types! {
    str => |v| text(&v);
    String => |v| text(&v);
    Path => |v| text(&v.display());
    PathBuf => |v| text(&v.display());
    OsStr => |v| text(&v.display());
    OsString => |v| text(&v.display());
    Cow<'_, str> => |v| text(&v);
    Cow<'_, Path> => |v| text(&v.display());
    Duration => |v| debug_text(v);
    SocketAddr => |v| text(v);
    SocketAddrV4 => |v| text(v);
    SocketAddrV6 => |v| text(v);
    IpAddr => |v| text(v);
    Ipv4Addr => |v| text(v);
    Ipv6Addr => |v| text(v);
    (&str, u16) => |v| text(&format_args!("{}:{}", v.0, v.1));
    (String, u16) => |v| text(&format_args!("{}:{}", v.0, v.1));
    (IpAddr, u16) => |v| text(&format_args!("{}:{}", v.0, v.1));
    (Ipv4Addr, u16) => |v| text(&format_args!("{}:{}", v.0, v.1));
    u16 => |v| text(v);
    u32 => |v| text(v);
    u64 => |v| text(v);
    usize => |v| text(v);
    i32 => |v| text(v);
    i64 => |v| text(v);
    bool => |v| text(v);
    [u8] => |v| format!("{} bytes", v.len());
    Vec<u8> => |v| format!("{} bytes", v.len());
    std::fs::Permissions => |v| debug_text(v);
}

/// `N` for `[u8; N]` behind any number of `&` / `&mut`, from the type's name (only ever shown,
/// so a name in another format just shows the source text instead).
fn byte_array_len(type_name: &str) -> Option<usize> {
    let mut name = type_name;
    loop {
        if let Some(rest) = name.strip_prefix("&mut ") {
            name = rest;
        } else if let Some(rest) = name.strip_prefix('&') {
            name = rest;
        } else {
            break;
        }
    }
    name.strip_prefix("[u8; ")?.strip_suffix(']')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_types_show_their_value_through_references() {
        let path = Path::new("/tmp/x");
        assert_eq!(text_of(&path, "path"), "/tmp/x");
        assert_eq!(text_of(&&path, "path"), "/tmp/x");
        assert_eq!(text_of(path, "path"), "/tmp/x");
        let owned = PathBuf::from("/etc/hosts");
        assert_eq!(text_of(&owned, "owned"), "/etc/hosts");
        assert_eq!(text_of(&"a.txt", "name"), "a.txt");
        assert_eq!(text_of("a.txt", "name"), "a.txt");
        let mut text = String::from("t");
        assert_eq!(text_of(&&mut text, "text"), "t");
        assert_eq!(text_of(&Duration::from_millis(5), "d"), "5ms");
        assert_eq!(text_of(&("localhost", 80u16), "addr"), "localhost:80");
        assert_eq!(text_of(&7u64, "n"), "7");
        assert_eq!(text_of(&Cow::Borrowed("c"), "c"), "c");
    }

    #[test]
    fn byte_buffers_show_their_length() {
        assert_eq!(text_of(&[0u8; 16], "buf"), "16 bytes");
        assert_eq!(text_of(&&[0u8; 3], "buf"), "3 bytes");
        assert_eq!(text_of(&vec![1u8, 2], "v"), "2 bytes");
        assert_eq!(text_of(&b"abcd"[..], "s"), "4 bytes");
    }

    #[test]
    fn other_types_show_their_source_text() {
        struct Opaque;
        assert_eq!(text_of(&Opaque, "make_opaque()"), "make_opaque()");
        assert_eq!(text_of(&[0u16; 4], "words"), "words");
        assert_eq!(text_of(&3.5f64, "x"), "x");
        // A type that merely looks like a shown one is not read as it.
        assert_eq!(text_of(&vec![1u16], "v"), "v");
    }

    #[test]
    fn every_table_entry_is_one_type() {
        let table = table();
        assert!(
            table.windows(2).all(|w| w[0].0 < w[1].0),
            "duplicate type ids"
        );
        assert_eq!(table.len(), 29 * 4);
    }
}
