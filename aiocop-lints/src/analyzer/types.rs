//! Receiver types, as far as the source makes them evident: what std constructors and a few
//! builder methods return, the deref chain method calls go through, and declared types
//! (`p: &Path`, `file: File`, `-> io::Result<Self>`) turned into full paths.
//!
//! This is type knowledge, not a list of blocking operations: which methods block is the
//! catalog's business, this module only says that `File::open(p)?` is a `std::fs::File`.

use syn::{GenericArgument, PathArguments, Type};

use super::resolve::{Resolver, path_segments};

/// A type as far as the analyzer knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    Unknown,
    /// A named type with its generic arguments: `std::fs::File`, `Result<T>`, `std::sync::Arc<T>`.
    Named(String, Vec<Ty>),
    Tuple(Vec<Ty>),
}

pub(crate) const RESULT: &str = "Result";
/// Slices and arrays (`[T]`, `[T; N]`): one type argument, the element.
pub(crate) const SLICE: &str = "[]";
pub(crate) const OPTION: &str = "Option";

impl Ty {
    pub(crate) fn named(path: &str) -> Ty {
        Ty::Named(path.to_string(), Vec::new())
    }

    /// The type after `?`, `.unwrap()` or `.expect(..)`.
    pub(crate) fn unwrapped(self) -> Ty {
        match self {
            Ty::Named(name, mut args) if name == RESULT || name == OPTION => {
                if args.is_empty() {
                    Ty::Unknown
                } else {
                    args.swap_remove(0)
                }
            }
            other => other,
        }
    }

    /// The type written with its generic arguments (`std::io::BufReader<std::fs::File>`),
    /// when it has some and all of them are known.
    pub(crate) fn full_name(&self) -> Option<String> {
        match self {
            Ty::Named(name, args) if !args.is_empty() => {
                let args: Option<Vec<String>> = args
                    .iter()
                    .map(|a| a.full_name().or_else(|| a.path().map(str::to_string)))
                    .collect();
                Some(format!("{name}<{}>", args?.join(", ")))
            }
            _ => None,
        }
    }

    pub(crate) fn path(&self) -> Option<&str> {
        match self {
            Ty::Named(name, _) => Some(name),
            _ => None,
        }
    }

    pub(crate) fn arg(&self, i: usize) -> Ty {
        match self {
            Ty::Named(_, args) => args.get(i).cloned().unwrap_or(Ty::Unknown),
            _ => Ty::Unknown,
        }
    }

    /// The type a method call reaches after one auto-deref step.
    pub(crate) fn deref(&self) -> Option<Ty> {
        let name = self.path()?;
        let target = match name {
            "std::path::PathBuf" => Ty::named("std::path::Path"),
            "std::string::String" => Ty::named("str"),
            "std::ffi::OsString" => Ty::named("std::ffi::OsStr"),
            "std::vec::Vec" => Ty::Named(SLICE.to_string(), vec![self.arg(0)]),
            _ if DEREF_TO_ARG.contains(&name) => self.arg(0),
            _ => return None,
        };
        (target != Ty::Unknown).then_some(target)
    }
}

/// Smart pointers and guards that deref to their first type argument, and buffered wrappers
/// whose reads and writes reach the wrapped value.
const DEREF_TO_ARG: &[&str] = &[
    "std::sync::Arc",
    "std::rc::Rc",
    "std::boxed::Box",
    "std::borrow::Cow",
    "std::sync::MutexGuard",
    "std::sync::RwLockReadGuard",
    "std::sync::RwLockWriteGuard",
    "std::cell::Ref",
    "std::cell::RefMut",
    "std::io::BufReader",
    "std::io::BufWriter",
    "std::io::LineWriter",
];

/// Return types of std (and tokio runtime) functions whose results are commonly used as
/// receivers. `R<T>` is `Result<T>`, `$0` the first argument's type.
const FUNCTIONS: &[(&str, &str)] = &[
    ("std::fs::File::open", "R<std::fs::File>"),
    ("std::fs::File::create", "R<std::fs::File>"),
    ("std::fs::File::create_new", "R<std::fs::File>"),
    ("std::fs::File::options", "std::fs::OpenOptions"),
    ("std::fs::OpenOptions::new", "std::fs::OpenOptions"),
    ("std::fs::read_dir", "R<std::fs::ReadDir>"),
    ("std::net::TcpStream::connect", "R<std::net::TcpStream>"),
    (
        "std::net::TcpStream::connect_timeout",
        "R<std::net::TcpStream>",
    ),
    ("std::net::TcpListener::bind", "R<std::net::TcpListener>"),
    ("std::net::UdpSocket::bind", "R<std::net::UdpSocket>"),
    (
        "std::os::unix::net::UnixStream::connect",
        "R<std::os::unix::net::UnixStream>",
    ),
    (
        "std::os::unix::net::UnixListener::bind",
        "R<std::os::unix::net::UnixListener>",
    ),
    (
        "std::os::unix::net::UnixDatagram::bind",
        "R<std::os::unix::net::UnixDatagram>",
    ),
    ("std::process::Command::new", "std::process::Command"),
    ("std::io::stdin", "std::io::Stdin"),
    ("std::io::stdout", "std::io::Stdout"),
    ("std::io::stderr", "std::io::Stderr"),
    ("std::thread::spawn", "std::thread::JoinHandle"),
    ("std::thread::Builder::new", "std::thread::Builder"),
    (
        "std::sync::mpsc::channel",
        "(std::sync::mpsc::Sender, std::sync::mpsc::Receiver)",
    ),
    (
        "std::sync::mpsc::sync_channel",
        "(std::sync::mpsc::SyncSender, std::sync::mpsc::Receiver)",
    ),
    ("std::sync::Mutex::new", "std::sync::Mutex<$0>"),
    ("std::sync::RwLock::new", "std::sync::RwLock<$0>"),
    ("std::sync::Condvar::new", "std::sync::Condvar"),
    ("std::sync::Barrier::new", "std::sync::Barrier"),
    ("std::sync::Arc::new", "std::sync::Arc<$0>"),
    ("std::rc::Rc::new", "std::rc::Rc<$0>"),
    ("std::boxed::Box::new", "std::boxed::Box<$0>"),
    ("std::io::BufReader::new", "std::io::BufReader<$0>"),
    ("std::io::BufWriter::new", "std::io::BufWriter<$0>"),
    ("std::io::Cursor::new", "std::io::Cursor"),
    ("std::path::Path::new", "std::path::Path"),
    ("std::path::PathBuf::from", "std::path::PathBuf"),
    ("std::path::PathBuf::new", "std::path::PathBuf"),
    ("std::env::current_dir", "R<std::path::PathBuf>"),
    ("std::env::home_dir", "Option<std::path::PathBuf>"),
    ("std::fs::canonicalize", "R<std::path::PathBuf>"),
    ("std::fs::read_link", "R<std::path::PathBuf>"),
    ("tempfile::tempfile", "R<std::fs::File>"),
    ("tempfile::tempdir", "R<tempfile::TempDir>"),
    ("tempfile::TempDir::new", "R<tempfile::TempDir>"),
    ("tempfile::NamedTempFile::new", "R<tempfile::NamedTempFile>"),
    (
        "reqwest::blocking::Client::new",
        "reqwest::blocking::Client",
    ),
    (
        "reqwest::blocking::Client::builder",
        "reqwest::blocking::ClientBuilder",
    ),
    ("postgres::Client::connect", "R<postgres::Client>"),
    ("rusqlite::Connection::open", "R<rusqlite::Connection>"),
    (
        "rusqlite::Connection::open_in_memory",
        "R<rusqlite::Connection>",
    ),
    ("redis::Client::open", "R<redis::Client>"),
    ("ureq::get", "ureq::Request"),
    ("ureq::post", "ureq::Request"),
    ("config::Config::builder", "config::ConfigBuilder"),
    ("std::env::temp_dir", "std::path::PathBuf"),
    ("tokio::runtime::Runtime::new", "R<tokio::runtime::Runtime>"),
    (
        "tokio::runtime::Builder::new_multi_thread",
        "tokio::runtime::Builder",
    ),
    (
        "tokio::runtime::Builder::new_current_thread",
        "tokio::runtime::Builder",
    ),
    ("tokio::runtime::Handle::current", "tokio::runtime::Handle"),
    ("tokio::fs::File::open", "R<tokio::fs::File>"),
    ("tokio::fs::File::create", "R<tokio::fs::File>"),
    ("tokio::net::TcpStream::connect", "R<tokio::net::TcpStream>"),
    (
        "tokio::net::TcpListener::bind",
        "R<tokio::net::TcpListener>",
    ),
    (
        "tokio::sync::mpsc::channel",
        "(tokio::sync::mpsc::Sender, tokio::sync::mpsc::Receiver)",
    ),
    (
        "tokio::sync::mpsc::unbounded_channel",
        "(tokio::sync::mpsc::UnboundedSender, tokio::sync::mpsc::UnboundedReceiver)",
    ),
];

/// Return types of methods: (receiver type, method, returned type); `$self` is the receiver's
/// type and `$T` its first type argument.
const METHODS: &[(&str, &str, &str)] = &[
    ("std::fs::OpenOptions", "read", "$self"),
    ("std::fs::OpenOptions", "write", "$self"),
    ("std::fs::OpenOptions", "append", "$self"),
    ("std::fs::OpenOptions", "truncate", "$self"),
    ("std::fs::OpenOptions", "create", "$self"),
    ("std::fs::OpenOptions", "create_new", "$self"),
    ("std::fs::OpenOptions", "mode", "$self"),
    ("std::fs::OpenOptions", "custom_flags", "$self"),
    ("std::fs::OpenOptions", "open", "R<std::fs::File>"),
    ("std::fs::File", "try_clone", "R<std::fs::File>"),
    ("std::fs::DirEntry", "path", "std::path::PathBuf"),
    ("std::fs::DirBuilder", "recursive", "$self"),
    ("std::fs::DirBuilder", "mode", "$self"),
    ("std::io::Stdin", "lines", "std::io::Lines"),
    (
        "std::net::TcpListener",
        "accept",
        "R<(std::net::TcpStream, std::net::SocketAddr)>",
    ),
    ("std::net::TcpListener", "incoming", "std::net::Incoming"),
    ("std::net::TcpStream", "try_clone", "R<std::net::TcpStream>"),
    (
        "std::os::unix::net::UnixListener",
        "accept",
        "R<(std::os::unix::net::UnixStream, std::os::unix::net::SocketAddr)>",
    ),
    ("std::process::Command", "arg", "$self"),
    ("std::process::Command", "args", "$self"),
    ("std::process::Command", "env", "$self"),
    ("std::process::Command", "envs", "$self"),
    ("std::process::Command", "env_remove", "$self"),
    ("std::process::Command", "env_clear", "$self"),
    ("std::process::Command", "current_dir", "$self"),
    ("std::process::Command", "stdin", "$self"),
    ("std::process::Command", "stdout", "$self"),
    ("std::process::Command", "stderr", "$self"),
    ("std::process::Command", "spawn", "R<std::process::Child>"),
    ("std::io::Stdin", "lock", "std::io::StdinLock"),
    ("std::sync::Mutex", "lock", "R<std::sync::MutexGuard<$T>>"),
    (
        "std::sync::RwLock",
        "read",
        "R<std::sync::RwLockReadGuard<$T>>",
    ),
    (
        "std::sync::RwLock",
        "write",
        "R<std::sync::RwLockWriteGuard<$T>>",
    ),
    ("std::thread::Builder", "name", "$self"),
    ("std::thread::Builder", "stack_size", "$self"),
    (
        "std::thread::Builder",
        "spawn",
        "R<std::thread::JoinHandle>",
    ),
    ("std::path::Path", "join", "std::path::PathBuf"),
    ("std::path::Path", "to_path_buf", "std::path::PathBuf"),
    ("std::path::Path", "with_extension", "std::path::PathBuf"),
    ("std::path::Path", "parent", "Option<std::path::Path>"),
    ("std::path::Path", "canonicalize", "R<std::path::PathBuf>"),
    ("std::path::Path", "read_link", "R<std::path::PathBuf>"),
    // Collections and their iterators (`$U` is the second type argument).
    (SLICE, "iter", "std::slice::Iter<$T>"),
    (SLICE, "iter_mut", "std::slice::Iter<$T>"),
    (SLICE, "first", "Option<$T>"),
    (SLICE, "last", "Option<$T>"),
    (SLICE, "get", "Option<$T>"),
    ("std::vec::Vec", "into_iter", "std::vec::IntoIter<$T>"),
    ("std::vec::Vec", "pop", "Option<$T>"),
    ("std::collections::VecDeque", "iter", "std::slice::Iter<$T>"),
    ("std::collections::VecDeque", "front", "Option<$T>"),
    ("std::collections::VecDeque", "back", "Option<$T>"),
    ("std::collections::VecDeque", "pop_front", "Option<$T>"),
    ("std::collections::HashMap", "get", "Option<$U>"),
    ("std::collections::HashMap", "get_mut", "Option<$U>"),
    ("std::collections::HashMap", "remove", "Option<$U>"),
    (
        "std::collections::HashMap",
        "values",
        "std::slice::Iter<$U>",
    ),
    (
        "std::collections::HashMap",
        "iter",
        "std::collections::hash_map::Iter<$T, $U>",
    ),
    ("std::collections::BTreeMap", "get", "Option<$U>"),
    (
        "std::collections::BTreeMap",
        "values",
        "std::slice::Iter<$U>",
    ),
    (
        "std::collections::BTreeMap",
        "iter",
        "std::collections::hash_map::Iter<$T, $U>",
    ),
    // Conversions out of tokio and common dependencies into std types.
    ("tokio::fs::File", "into_std", "std::fs::File"),
    ("tokio::fs::File", "try_into_std", "R<std::fs::File>"),
    (
        "tokio::net::TcpStream",
        "into_std",
        "R<std::net::TcpStream>",
    ),
    (
        "tokio::net::TcpListener",
        "into_std",
        "R<std::net::TcpListener>",
    ),
    (
        "tokio::net::UdpSocket",
        "into_std",
        "R<std::net::UdpSocket>",
    ),
    ("tempfile::NamedTempFile", "as_file", "std::fs::File"),
    ("tempfile::NamedTempFile", "as_file_mut", "std::fs::File"),
    ("tempfile::NamedTempFile", "reopen", "R<std::fs::File>"),
    ("tempfile::NamedTempFile", "path", "std::path::Path"),
    ("tempfile::TempDir", "path", "std::path::Path"),
    (
        "reqwest::blocking::ClientBuilder",
        "build",
        "R<reqwest::blocking::Client>",
    ),
    (
        "reqwest::blocking::Client",
        "get",
        "reqwest::blocking::RequestBuilder",
    ),
    (
        "reqwest::blocking::Client",
        "post",
        "reqwest::blocking::RequestBuilder",
    ),
    (
        "reqwest::blocking::Client",
        "put",
        "reqwest::blocking::RequestBuilder",
    ),
    (
        "reqwest::blocking::Client",
        "delete",
        "reqwest::blocking::RequestBuilder",
    ),
    (
        "reqwest::blocking::Client",
        "request",
        "reqwest::blocking::RequestBuilder",
    ),
    ("reqwest::blocking::RequestBuilder", "header", "$self"),
    ("reqwest::blocking::RequestBuilder", "headers", "$self"),
    ("reqwest::blocking::RequestBuilder", "json", "$self"),
    ("reqwest::blocking::RequestBuilder", "body", "$self"),
    ("reqwest::blocking::RequestBuilder", "query", "$self"),
    ("reqwest::blocking::RequestBuilder", "form", "$self"),
    ("reqwest::blocking::RequestBuilder", "timeout", "$self"),
    ("reqwest::blocking::RequestBuilder", "bearer_auth", "$self"),
    ("ureq::Request", "set", "$self"),
    ("ureq::Request", "query", "$self"),
    ("config::ConfigBuilder", "add_source", "$self"),
    (
        "config::ConfigBuilder",
        "set_default",
        "R<config::ConfigBuilder>",
    ),
    (
        "config::ConfigBuilder",
        "set_override",
        "R<config::ConfigBuilder>",
    ),
    ("tokio::runtime::Builder", "enable_all", "$self"),
    ("tokio::runtime::Builder", "enable_io", "$self"),
    ("tokio::runtime::Builder", "enable_time", "$self"),
    ("tokio::runtime::Builder", "worker_threads", "$self"),
    (
        "tokio::runtime::Builder",
        "build",
        "R<tokio::runtime::Runtime>",
    ),
    (
        "tokio::runtime::Runtime",
        "handle",
        "tokio::runtime::Handle",
    ),
];

/// Public fields of std types: (type, field, field type).
const FIELDS: &[(&str, &str, &str)] = &[
    (
        "std::process::Child",
        "stdin",
        "Option<std::process::ChildStdin>",
    ),
    (
        "std::process::Child",
        "stdout",
        "Option<std::process::ChildStdout>",
    ),
    (
        "std::process::Child",
        "stderr",
        "Option<std::process::ChildStderr>",
    ),
];

/// Methods that return their receiver's type whatever it is (`take` and `as_mut` on an
/// `Option` keep the `Option`).
const SAME_TYPE_METHODS: &[&str] = &[
    "clone", "to_owned", "by_ref", "as_ref", "as_mut", "borrow", "take",
];

/// The type of a public field of a std type.
pub(crate) fn field_type(ty: &str, field: &str) -> Ty {
    FIELDS
        .iter()
        .find(|(t, f, _)| *t == ty && *f == field)
        .map(|(_, _, spec)| parse_spec(spec, &Ty::Unknown, &[]))
        .unwrap_or(Ty::Unknown)
}

/// Methods that unwrap a `Result` or an `Option`.
pub(crate) const UNWRAP_METHODS: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or_default",
    "unwrap_unchecked",
    "unwrap_or_else",
    "unwrap_or",
];

/// Associated functions of std types that conventionally return `Self` (or `io::Result<Self>`).
const SELF_CONSTRUCTORS: &[&str] = &["new", "open", "create", "connect", "bind", "from"];

/// Whether the type table knows this full path (so a glob import can bring it in).
pub(crate) fn knows(path: &str) -> bool {
    FUNCTIONS.iter().any(|(p, _)| {
        *p == path || (p.starts_with(path) && p.as_bytes().get(path.len()) == Some(&b':'))
    })
}

/// What calling the function at `path` returns, given its arguments' types.
pub(crate) fn function_returns(path: &str, args: &[Ty]) -> Ty {
    if let Some((_, spec)) = FUNCTIONS.iter().find(|(p, _)| *p == path) {
        return parse_spec(spec, &Ty::Unknown, args);
    }
    // `std::x::Type::new(..)` and friends, of std or of any dependency: `Type` (unwrapping
    // leaves it as is). The convention holds across crates, and a type only matters when the
    // catalog, the configuration or a dependency summary has methods on it.
    if let Some((ty, name)) = path.rsplit_once("::") {
        let is_type = ty
            .rsplit("::")
            .next()
            .and_then(|s| s.chars().next())
            .is_some_and(char::is_uppercase);
        if is_type && ty.contains("::") && SELF_CONSTRUCTORS.contains(&name) {
            return Ty::named(ty);
        }
    }
    Ty::Unknown
}

/// What calling `method` on a receiver of type `recv` returns, for std types.
pub(crate) fn method_returns(recv: &Ty, method: &str) -> Ty {
    if SAME_TYPE_METHODS.contains(&method) {
        return recv.clone();
    }
    if UNWRAP_METHODS.contains(&method) {
        return recv.clone().unwrapped();
    }
    if is_iterator(recv) {
        if ITERATOR_SAME_ITEM.contains(&method) {
            return recv.clone();
        }
        match method {
            "enumerate" => return Ty::Named(ENUMERATE.to_string(), vec![recv.clone()]),
            "next" | "last" | "nth" | "find" | "min" | "max" | "next_back" => {
                return Ty::Named(OPTION.to_string(), vec![item_type(recv)]);
            }
            _ => {}
        }
    }
    let mut current = Some(recv.clone());
    let mut steps = 0;
    while let Some(ty) = current {
        if let Some(name) = ty.path()
            && let Some((_, _, spec)) = METHODS.iter().find(|(r, m, _)| *r == name && *m == method)
        {
            return parse_spec(spec, &ty, &[]);
        }
        steps += 1;
        current = if steps < 8 { ty.deref() } else { None };
    }
    Ty::Unknown
}

/// `iter.enumerate()`: its argument is the enumerated iterator.
const ENUMERATE: &str = "std::iter::Enumerate";

/// Iterator methods whose result yields the same items.
const ITERATOR_SAME_ITEM: &[&str] = &[
    "rev",
    "skip",
    "take",
    "filter",
    "peekable",
    "chain",
    "step_by",
    "skip_while",
    "take_while",
    "by_ref",
    "fuse",
    "inspect",
    "cloned",
    "copied",
    "into_iter",
    "iter",
];

/// Iterator methods whose closure argument receives the items (`map(|p| ..)`), or, on an
/// `Option` or a `Result`, the wrapped value.
pub(crate) const CLOSURE_TAKES_ITEM: &[&str] = &[
    "map",
    "for_each",
    "filter",
    "filter_map",
    "flat_map",
    "any",
    "all",
    "find",
    "position",
    "inspect",
    "take_while",
    "skip_while",
    "map_while",
    "find_map",
    "and_then",
    "is_some_and",
    "is_ok_and",
    "is_none_or",
    "map_or",
    "map_or_else",
    "try_for_each",
];

fn is_iterator(ty: &Ty) -> bool {
    matches!(
        ty.path(),
        Some(
            "std::slice::Iter"
                | "std::vec::IntoIter"
                | "std::collections::hash_map::Iter"
                | "std::net::Incoming"
                | "std::fs::ReadDir"
                | ENUMERATE
        )
    )
}

/// The type an iteration over a value of type `ty` yields (`for s in listener.incoming()`,
/// `for dir in &self.dirs`); for an `Option` or a `Result`, the value it holds.
pub(crate) fn item_type(ty: &Ty) -> Ty {
    match ty.path() {
        Some("std::net::Incoming") => parse_spec("R<std::net::TcpStream>", ty, &[]),
        Some("std::fs::ReadDir") => parse_spec("R<std::fs::DirEntry>", ty, &[]),
        Some(
            "std::vec::Vec"
            | SLICE
            | "std::slice::Iter"
            | "std::vec::IntoIter"
            | "std::collections::VecDeque"
            | "std::collections::HashSet"
            | "std::collections::BTreeSet"
            | OPTION
            | RESULT,
        ) => ty.arg(0),
        Some(
            "std::collections::HashMap"
            | "std::collections::BTreeMap"
            | "std::collections::hash_map::Iter",
        ) => Ty::Tuple(vec![ty.arg(0), ty.arg(1)]),
        Some(ENUMERATE) => Ty::Tuple(vec![Ty::named("usize"), item_type(&ty.arg(0))]),
        _ => match ty.deref() {
            // `Box<[T]>`, `Arc<Vec<T>>`: iterate what they point to.
            Some(inner) if inner != *ty => item_type(&inner),
            _ => Ty::Unknown,
        },
    }
}

/// The type `value[index]` has: a collection's element, a map's value.
pub(crate) fn index_type(ty: &Ty) -> Ty {
    let mut current = Some(ty.clone());
    let mut steps = 0;
    while let Some(t) = current {
        match t.path() {
            Some("std::vec::Vec" | SLICE | "std::collections::VecDeque") => return t.arg(0),
            Some("std::collections::HashMap" | "std::collections::BTreeMap") => return t.arg(1),
            _ => {}
        }
        steps += 1;
        current = if steps < 8 { t.deref() } else { None };
    }
    Ty::Unknown
}

/// Parses a return-type spec: `R<T>`, `Option<T>`, `(A, B)`, `path<Args>`, `$self`, `$T`, `$0`.
fn parse_spec(spec: &str, recv: &Ty, args: &[Ty]) -> Ty {
    let spec = spec.trim();
    if spec == "$self" {
        return recv.clone();
    }
    if spec == "$T" {
        return recv.arg(0);
    }
    if spec == "$U" {
        return recv.arg(1);
    }
    if let Some(i) = spec.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()) {
        return args.get(i).cloned().unwrap_or(Ty::Unknown);
    }
    if let Some(inner) = spec.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        return Ty::Tuple(
            split_top(inner)
                .into_iter()
                .map(|s| parse_spec(s, recv, args))
                .collect(),
        );
    }
    if let Some(open) = spec.find('<') {
        let name = &spec[..open];
        let inner = &spec[open + 1..spec.len() - 1];
        let args = split_top(inner)
            .into_iter()
            .map(|s| parse_spec(s, recv, args))
            .collect();
        let name = if name == "R" { RESULT } else { name };
        return Ty::Named(name.to_string(), args);
    }
    Ty::named(spec)
}

/// Splits on commas outside angle brackets and parentheses.
fn split_top(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '<' | '(' => depth += 1,
            '>' | ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Types the prelude names without an import.
fn prelude(name: &str) -> Option<&'static str> {
    Some(match name {
        "Box" => "std::boxed::Box",
        "String" => "std::string::String",
        "Vec" => "std::vec::Vec",
        "str" => "str",
        _ => return None,
    })
}

/// The [`Ty`] of a declared type, resolved where it was written.
pub(crate) fn from_syn(ty: &Type, resolver: &Resolver<'_>) -> Ty {
    match ty {
        Type::Reference(r) => from_syn(&r.elem, resolver),
        Type::Paren(p) => from_syn(&p.elem, resolver),
        Type::Group(g) => from_syn(&g.elem, resolver),
        Type::Tuple(t) => Ty::Tuple(t.elems.iter().map(|e| from_syn(e, resolver)).collect()),
        Type::Slice(t) => Ty::Named(SLICE.to_string(), vec![from_syn(&t.elem, resolver)]),
        Type::Array(t) => Ty::Named(SLICE.to_string(), vec![from_syn(&t.elem, resolver)]),
        Type::Path(p) if p.qself.is_none() => {
            let segs = path_segments(&p.path);
            let Some(last) = p.path.segments.last() else {
                return Ty::Unknown;
            };
            let args: Vec<Ty> = match &last.arguments {
                PathArguments::AngleBracketed(a) => a
                    .args
                    .iter()
                    .filter_map(|arg| match arg {
                        GenericArgument::Type(t) => Some(from_syn(t, resolver)),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let name = last.ident.to_string();
            // `Result`, `io::Result`, `anyhow::Result`...: all unwrap the same way.
            if name == RESULT || name == OPTION {
                return Ty::Named(name, args);
            }
            if segs.len() == 1
                && let Some(p) = prelude(&name)
                && resolver.resolve(&segs).is_none_or(|r| r == segs)
            {
                return Ty::Named(p.to_string(), args);
            }
            match resolver.resolve(&segs) {
                Some(full) => Ty::Named(full.join("::"), args),
                None => Ty::Unknown,
            }
        }
        _ => Ty::Unknown,
    }
}
