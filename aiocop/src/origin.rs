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
    resolve_frames(&crate::trace::frames_of(ips), &skipped)
}

/// The entry point and calling crate of a symbolized stack (innermost first).
fn resolve_frames(frames: &[crate::trace::FrameView], skipped: &[String]) -> Resolved {
    // `Some(None)`: the first Rust frame outside the toolchain was found, its crate unknown.
    let mut calling_crate: Option<Option<String>> = None;
    let mut entry = None;
    let mut first_rust = None;
    for frame in frames {
        let Some(name) = frame.name.as_deref() else {
            continue;
        };
        let file = frame.file.as_deref();
        let krate = match crate_of(name) {
            Some(krate) => Some(krate.to_owned()),
            // Code inlined into its caller in an optimized build is named bare (`{async_fn#0}`,
            // `read<&str>`): Rust all the same when its source file is, its crate then read from a
            // dependency's path (unknown for the program's own files).
            None if file.is_some_and(is_rust_source) => file.and_then(dependency_crate),
            // C code (the C library, a bundled C library): not the program's Rust code.
            None => continue,
        };
        if is_toolchain(krate.as_deref().unwrap_or(""), file) {
            continue;
        }
        if calling_crate.is_none() {
            calling_crate = Some(krate.clone());
        }
        first_rust.get_or_insert(frame);
        let skip = krate.as_deref().is_some_and(|krate| {
            RUNTIME_CRATES.contains(&krate) || skipped.iter().any(|p| krate.starts_with(p.as_str()))
        }) || file.is_some_and(is_dependency_source);
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
        calling_crate: calling_crate.flatten(),
    }
}

/// A Rust source file (a C library built with debug information has `.c` files).
fn is_rust_source(file: &str) -> bool {
    file.ends_with(".rs")
}

/// The crate of a file in the Cargo registry's sources (`…/registry/src/<index>/tracing-subscriber-0.3.23/src/…`
/// → `tracing_subscriber`); `None` elsewhere.
fn dependency_crate(file: &str) -> Option<String> {
    let (_, rest) = file.split_once("/registry/src/")?;
    let package = rest.split('/').nth(1)?;
    // `<name>-<version>`: the version is the last `-` part that starts with a digit.
    let (name, _) = package
        .match_indices('-')
        .map(|(i, _)| package.split_at(i))
        .find(|(_, version)| version[1..].starts_with(|c: char| c.is_ascii_digit()))?;
    Some(name.replace('-', "_"))
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

    fn frame(name: &str, file: &str) -> crate::trace::FrameView {
        crate::trace::FrameView::for_test(name, (!file.is_empty()).then_some(file), 1)
    }

    const REGISTRY: &str = "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f";

    /// An optimized build (release with line tables): std's frames named in full, the program's
    /// inlined frames bare. The entry point is the program's frame, not std's innermost one.
    #[test]
    fn bare_inlined_frames_of_the_program_are_the_entry_point() {
        let frames = [
            frame("open64", ""),
            frame(
                "<std::sys::fs::unix::File>::open_c::{closure#0}",
                "/rustc/5980761/library/std/src/sys/fs/unix.rs",
            ),
            frame("read<&str>", "/rustc/5980761/library/std/src/fs.rs"),
            frame("{async_block#0}", "/work/svc/src/cmd/get.rs"),
            frame(
                "poll<mini_redis::cmd::get::{impl#0}::apply::{async_fn#0}>",
                &format!("{REGISTRY}/tracing-0.1.44/src/instrument.rs"),
            ),
        ];
        let resolved = resolve_frames(&frames, &[]);
        assert_eq!(
            resolved.entry_point,
            "/work/svc/src/cmd/get.rs:1:{async_block#0}"
        );
        // The program's crate is not in a bare name: unknown, never the dependency further out.
        assert_eq!(resolved.calling_crate, None);
    }

    /// A bare-named frame of a dependency (the `fmt` layer writing a log line) names the crate
    /// from its path and is passed over for the program's frame further out.
    #[test]
    fn bare_inlined_frames_of_a_dependency_are_skipped() {
        let frames = [
            frame(
                "<std::sys::fd::unix::FileDesc>::write",
                "/rustc/5980761/library/std/src/sys/fd/unix.rs",
            ),
            frame(
                "{closure#0}<tracing_subscriber::layer::layered::Layered<X>>",
                &format!("{REGISTRY}/tracing-subscriber-0.3.23/src/fmt/fmt_layer.rs"),
            ),
            frame("{async_fn#0}", "/work/svc/src/server.rs"),
        ];
        let resolved = resolve_frames(&frames, &[]);
        assert_eq!(
            resolved.entry_point,
            "/work/svc/src/server.rs:1:{async_fn#0}"
        );
        assert_eq!(
            resolved.calling_crate.as_deref(),
            Some("tracing_subscriber")
        );
        // A bare-named C function with a C source file stays C code.
        let c_frames = [
            frame("sqlite3VdbeExec", "/work/sqlite3.c"),
            frames[2].clone_for_test(),
        ];
        assert_eq!(
            resolve_frames(&c_frames, &[]).entry_point,
            "/work/svc/src/server.rs:1:{async_fn#0}"
        );
    }

    #[test]
    fn crates_of_registry_paths() {
        let file = |package: &str| format!("{REGISTRY}/{package}/src/lib.rs");
        assert_eq!(
            dependency_crate(&file("tracing-subscriber-0.3.23")).as_deref(),
            Some("tracing_subscriber")
        );
        assert_eq!(dependency_crate(&file("h2-0.4.12")).as_deref(), Some("h2"));
        assert_eq!(
            dependency_crate(&file("x25519-dalek-2.0.0-rc.3")).as_deref(),
            Some("x25519_dalek")
        );
        assert_eq!(dependency_crate("/work/svc/src/main.rs"), None);
    }
}
