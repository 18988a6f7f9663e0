//! Where an intercepted call came from: the innermost frame of the program's own code, and the
//! crate that made the call. Both come from raw return addresses captured on the runtime's thread
//! and are symbolized later, by whoever reads them first (aiocop's delivery thread by default).

use std::sync::{Arc, OnceLock, PoisonError, RwLock};

/// Frames captured per intercepted call, whatever the trace depth: enough to climb from the C
/// library through std and a dependency or two to the program's code.
pub(crate) const ORIGIN_FRAMES: usize = 48;

/// Crates whose frames are never the entry point: the runtime and its I/O layers, whose calls are
/// made for the program.
const RUNTIME_CRATES: &[&str] = &[
    "tokio",
    "tokio_util",
    "mio",
    "futures",
    "futures_util",
    "futures_core",
    "futures_executor",
    "libc",
    "backtrace",
];

/// Crate prefixes the user asked to skip (see [`skip_crates`]).
static SKIPPED: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Crate name prefixes whose frames are never the entry point of an intercepted call, on top of
/// std, aiocop, tokio, mio, futures and the crates of the Cargo registry: e.g. a client vendored in
/// the workspace (`["vendored_db"]`), so events point at the code that calls it. Replaces any
/// previous list; read when events are symbolized.
pub fn skip_crates<S: AsRef<str>>(prefixes: &[S]) {
    let list = prefixes.iter().map(|p| p.as_ref().to_owned()).collect();
    *SKIPPED.write().unwrap_or_else(PoisonError::into_inner) = list;
}

/// The raw return addresses of an intercepted call, resolved once into its origin.
#[derive(Clone)]
pub(crate) struct Origin {
    inner: Arc<Inner>,
}

struct Inner {
    ips: Box<[usize]>,
    resolved: OnceLock<Resolved>,
}

struct Resolved {
    entry_point: String,
    calling_crate: Option<String>,
}

impl std::fmt::Debug for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.inner.resolved.get() {
            Some(r) => std::fmt::Debug::fmt(&r.entry_point, f),
            None => write!(f, "<{} unresolved frames>", self.inner.ips.len()),
        }
    }
}

impl Origin {
    /// The origin of a call whose stack is `ips` (innermost first).
    pub(crate) fn new(ips: Box<[usize]>) -> Self {
        Origin {
            inner: Arc::new(Inner {
                ips,
                resolved: OnceLock::new(),
            }),
        }
    }

    fn resolved(&self) -> &Resolved {
        self.inner.resolved.get_or_init(|| resolve(&self.inner.ips))
    }

    /// `file:line:function` of the innermost frame of the program's own code.
    pub(crate) fn entry_point(&self) -> &str {
        &self.resolved().entry_point
    }

    /// The crate of the innermost Rust frame outside std and aiocop: the crate that called the C
    /// library (or the C code that did).
    pub(crate) fn calling_crate(&self) -> Option<&str> {
        self.resolved().calling_crate.as_deref()
    }

    /// Symbolizes now (on aiocop's delivery thread).
    pub(crate) fn resolve(&self) {
        self.resolved();
    }
}

fn resolve(ips: &[usize]) -> Resolved {
    let skipped = SKIPPED
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let frames = crate::trace::frames_of(ips);
    let mut calling_crate = None;
    let mut entry = None;
    let mut first_rust = None;
    for frame in &frames {
        let Some(name) = frame.name.as_deref() else {
            continue;
        };
        let Some(krate) = crate_of(name) else {
            // C code (the C library, a bundled C library): not the program's Rust code.
            continue;
        };
        if is_toolchain(krate, frame.file.as_deref()) {
            continue;
        }
        if calling_crate.is_none() {
            calling_crate = Some(krate.to_owned());
        }
        first_rust.get_or_insert(frame);
        let skip = RUNTIME_CRATES.contains(&krate)
            || skipped.iter().any(|p| krate.starts_with(p.as_str()))
            || frame.file.as_deref().is_some_and(is_dependency_source);
        if !skip {
            entry = Some(frame);
            break;
        }
    }
    let entry_point = entry
        .or(first_rust)
        .or(frames.first())
        .map(|frame| frame.display())
        .unwrap_or_default();
    Resolved {
        entry_point,
        calling_crate,
    }
}

/// The crate of a demangled Rust name (`<rusqlite::Connection as X>::f` → `rusqlite`); `None`
/// for a C symbol.
fn crate_of(name: &str) -> Option<&str> {
    let path = name.trim_start_matches(['<', '&', '*']);
    let path = path
        .strip_prefix("mut ")
        .or_else(|| path.strip_prefix("const "))
        .unwrap_or(path);
    let end = path.find("::")?;
    let krate = &path[..end];
    (!krate.is_empty() && krate.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(krate)
}

fn is_toolchain(krate: &str, file: Option<&str>) -> bool {
    matches!(krate, "std" | "core" | "alloc" | "aiocop")
        || file.is_some_and(|file| {
            file.starts_with("/rustc/")
                || file.contains("/rustlib/src/rust/library/")
                || file.starts_with("library/")
        })
}

/// A dependency's source: a crate from the Cargo registry or a git dependency.
fn is_dependency_source(file: &str) -> bool {
    file.contains("/.cargo/registry/")
        || file.contains("/.cargo/git/")
        || file.contains("/cargo/registry/src/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crates_of_names() {
        assert_eq!(crate_of("rusqlite::Connection::execute"), Some("rusqlite"));
        assert_eq!(
            crate_of("<rusqlite::Connection as core::fmt::Debug>::fmt"),
            Some("rusqlite")
        );
        assert_eq!(
            crate_of("<&mut std::fs::File as std::io::Read>::read"),
            Some("std")
        );
        assert_eq!(crate_of("sqlite3VdbeExec"), None);
        assert!(is_toolchain("core", None));
        assert!(is_dependency_source(
            "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/dotenvy-0.15.7/src/lib.rs"
        ));
    }
}
