//! Stack traces of blocking calls: captured as raw instruction pointers on the hot path,
//! symbolized later (through a process-wide cache) by whoever first reads them.
//!
//! Symbolizing the first time costs milliseconds (debug info is loaded), which is exactly the kind
//! of stall aiocop reports; that is why capture never resolves and why, with traces on, events are
//! delivered from aiocop's own thread by default (see [`Delivery`](crate::delivery::Delivery)).

use std::collections::HashMap;
use std::ffi::c_void;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// Frames captured beyond the requested depth, so that aiocop's own frames (filtered out when
/// resolving) do not eat into it.
const OWN_FRAME_SLACK: usize = 8;

/// A captured stack trace; see [`BlockingEventInfo::trace`](crate::BlockingEventInfo::trace).
///
/// Displays as `file:line:function` frames, innermost first, joined by ` <- `.
#[derive(Clone, Default)]
pub struct Trace {
    inner: Option<Arc<Captured>>,
}

struct Captured {
    ips: Box<[usize]>,
    depth: usize,
    resolved: OnceLock<Resolved>,
}

/// A symbolized trace.
struct Resolved {
    text: String,
    /// Where in `text` the innermost frame of the program's own code is (see
    /// [`Trace::entry_point`]).
    entry: std::ops::Range<usize>,
}

impl Trace {
    pub(crate) const fn empty() -> Self {
        Trace { inner: None }
    }

    /// Captures up to `depth` frames of the current stack, unresolved. Frames whose stack pointer
    /// is at or below `own_frames_below` (aiocop's capture machinery) are skipped; the walk stops
    /// at the first frame above `executor_above` (the poll that opened the scope, and the executor
    /// beyond it). Zero disables either bound.
    #[inline(never)]
    pub(crate) fn capture(depth: usize, own_frames_below: usize, executor_above: usize) -> Self {
        if depth == 0 {
            return Trace::empty();
        }
        let limit = depth + OWN_FRAME_SLACK;
        let mut ips = Vec::with_capacity(limit);
        walk_stack(|frame| {
            let sp = frame.sp() as usize;
            if sp != 0 {
                if sp <= own_frames_below {
                    return true;
                }
                if executor_above != 0 && sp > executor_above {
                    return false;
                }
            }
            ips.push(frame.ip() as usize);
            ips.len() < limit
        });
        Trace::from_ips(ips, depth)
    }

    /// A trace of instruction pointers already captured (innermost first), to be symbolized with
    /// up to `depth` frames.
    pub(crate) fn from_ips(ips: Vec<usize>, depth: usize) -> Self {
        Trace {
            inner: Some(Arc::new(Captured {
                ips: ips.into_boxed_slice(),
                depth,
                resolved: OnceLock::new(),
            })),
        }
    }

    /// The captured instruction pointers, innermost first.
    pub(crate) fn ips(&self) -> &[usize] {
        self.inner.as_ref().map_or(&[], |c| &c.ips)
    }

    /// Whether no frames were captured (trace depth 0).
    pub fn is_empty(&self) -> bool {
        self.inner.as_ref().is_none_or(|c| c.ips.is_empty())
    }

    /// The text, if already symbolized; never symbolizes.
    pub fn resolved(&self) -> Option<&str> {
        match &self.inner {
            None => Some(""),
            Some(c) => c.resolved.get().map(|r| r.text.as_str()),
        }
    }

    /// The text, symbolizing now (on this thread) if that has not happened yet.
    pub fn resolve(&self) -> &str {
        self.symbolized().map_or("", |r| r.text.as_str())
    }

    fn symbolized(&self) -> Option<&Resolved> {
        let c = self.inner.as_ref()?;
        Some(c.resolved.get_or_init(|| symbolize(&c.ips, c.depth)))
    }

    /// The innermost frame of the program's own code, as `file:line:function`: the first frame
    /// that is neither the Rust standard library nor a system library without debug information
    /// (the C library, the vDSO). Third-party crates count as the program's code. Falls back to
    /// the innermost frame; empty for an empty trace.
    pub fn entry_point(&self) -> &str {
        self.symbolized().map_or("", |r| &r.text[r.entry.clone()])
    }

    /// The symbolized frames, innermost first.
    pub fn frames(&self) -> Vec<&str> {
        let text = self.resolve();
        if text.is_empty() {
            Vec::new()
        } else {
            text.split(FRAME_SEPARATOR).collect()
        }
    }
}

/// Walks a few frames once, so the unwinder's first look at the loaded modules happens at set-up
/// rather than in the first poll that records a trace.
pub(crate) fn warm_up() {
    let mut frames = 0;
    walk_stack(|_| {
        frames += 1;
        frames < 4
    });
}

/// Walks the current thread's stack without taking the backtrace crate's process-wide lock.
///
/// `backtrace::trace` takes that lock, and `backtrace::resolve` holds it while it loads debug
/// information: hundreds of milliseconds the first time, on the delivery thread. Taking it here
/// would make a runtime worker wait for aiocop's own symbolization, the very stall aiocop reports.
/// The lock exists for unwinders that are not thread-safe (Windows' dbghelp); the unwinders of
/// Unix platforms (libgcc's or libunwind's `_Unwind_Backtrace`) are, so there the walk runs
/// unsynchronized and a worker never waits for a thread that symbolizes.
#[inline(always)]
fn walk_stack(walk: impl FnMut(&backtrace::Frame) -> bool) {
    #[cfg(unix)]
    // SAFETY: `trace_unsynchronized` asks that no other thread walk or symbolize concurrently
    // with a non-thread-safe unwinder. On Unix the unwinder is `_Unwind_Backtrace`, which is
    // thread-safe (it locks what it shares, the registered frame tables, itself); the symbolizer's
    // state, which the lock also guards, is never touched by a walk.
    unsafe {
        backtrace::trace_unsynchronized(walk)
    }
    #[cfg(not(unix))]
    backtrace::trace(walk)
}

const FRAME_SEPARATOR: &str = " <- ";

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.resolve())
    }
}

impl fmt::Debug for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.inner, self.resolved()) {
            (_, Some(text)) => fmt::Debug::fmt(text, f),
            (Some(c), None) => write!(f, "<{} unresolved frames>", c.ips.len()),
            (None, None) => f.write_str("\"\""),
        }
    }
}

impl PartialEq for Trace {
    fn eq(&self, other: &Self) -> bool {
        self.resolve() == other.resolve()
    }
}

/// One source-level frame of an instruction pointer (inlining gives several per pointer).
struct Symbol {
    name: Option<String>,
    file: Option<String>,
    line: Option<u32>,
    /// aiocop's own code, left out of traces.
    own: bool,
}

type SymbolCache = HashMap<usize, Arc<[Symbol]>>;

/// Instruction pointer → symbols. Bounded by the program's code size.
static CACHE: Mutex<Option<SymbolCache>> = Mutex::new(None);
/// Held around each `backtrace::resolve`, never together with `CACHE`: a fork waits for it (see
/// [`fork`](crate::fork)), so no child inherits the backtrace crate's lock held by a thread that
/// symbolizes, which would stop every symbolization in the child.
static SYMBOLIZE: Mutex<()> = Mutex::new(());

/// Joins the fork handler: symbolization and its cache are held across a fork (in that order).
pub(crate) fn join_fork() {
    crate::fork::join(
        crate::fork::Rank::Symbolization,
        crate::fork::Participant::lock(hold_for_fork),
    );
}

fn hold_for_fork() -> Box<dyn std::any::Any> {
    let symbolize = SYMBOLIZE.lock().unwrap_or_else(PoisonError::into_inner);
    let cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    // Dropped in the reverse order of taking: the cache first.
    Box::new((cache, symbolize))
}

fn symbols_of(ip: usize) -> Arc<[Symbol]> {
    if let Some(hit) = CACHE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .and_then(|c| c.get(&ip))
    {
        return hit.clone();
    }
    let mut found = Vec::new();
    // A return address points after the call; look up the call instruction itself.
    let lookup = ip.saturating_sub(1) as *mut c_void;
    let symbolizing = SYMBOLIZE.lock().unwrap_or_else(PoisonError::into_inner);
    backtrace::resolve(lookup, |sym| {
        let name = sym.name().map(|n| format!("{n:#}"));
        let own = is_own_frame(name.as_deref(), sym.filename());
        found.push(Symbol {
            name,
            file: sym.filename().map(display_path),
            line: sym.lineno(),
            own,
        });
    });
    drop(symbolizing);
    let symbols: Arc<[Symbol]> = found.into();
    CACHE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(HashMap::new)
        .insert(ip, symbols.clone());
    symbols
}

fn display_path(path: &std::path::Path) -> String {
    static CWD: OnceLock<Option<std::path::PathBuf>> = OnceLock::new();
    let cwd = CWD.get_or_init(|| std::env::current_dir().ok());
    cwd.as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// aiocop's own frames (the shim, `audit`, the poll guard) are not the user's code. In optimized
/// builds, code inlined into the caller's frame has a bare name (`record`, `run<R, F>`), so its
/// source file decides.
fn is_own_frame(name: Option<&str>, file: Option<&std::path::Path>) -> bool {
    const OWN_SOURCES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let own_name = name.is_some_and(|name| {
        // `<aiocop::..>`, `<&aiocop::..>`, `<&mut aiocop::..>` are trait impls on aiocop's types.
        let name = name.trim_start_matches(['<', '&']);
        let name = name.strip_prefix("mut ").unwrap_or(name);
        name.starts_with("aiocop::") || name.starts_with("backtrace::")
    });
    own_name || file.is_some_and(|file| file.starts_with(OWN_SOURCES))
}

/// The guard of the poll that opened the scope: what lies outside it is the executor's, even when
/// inlined into the same machine frame as the user's code.
fn is_scope_boundary(sym: &Symbol) -> bool {
    sym.own
        && sym.name.as_deref().is_some_and(|n| {
            // `aiocop::monitor::poll_in_scope` (the guard every monitored future polls through,
            // where the scope lives), `<aiocop::monitor::Monitored<F> as ..Future>::poll`, or the
            // bare `poll` of its body inlined elsewhere.
            let n = n.trim_start_matches('<');
            n.starts_with("aiocop::monitor::poll_in_scope")
                || n.starts_with("aiocop::monitor::Monitored")
                || n.starts_with("poll<")
        })
}

/// One source-level frame of a captured stack, symbolized: what interception's entry point
/// search looks at (see `intercept::origin`).
pub(crate) struct FrameView {
    pub(crate) name: Option<String>,
    pub(crate) file: Option<String>,
    pub(crate) line: Option<u32>,
    ip: usize,
}

impl FrameView {
    /// A frame as symbolization gives it, for the entry point search's tests.
    #[cfg(test)]
    pub(crate) fn for_test(name: &str, file: Option<&str>, line: u32) -> Self {
        FrameView {
            name: Some(name.to_owned()),
            file: file.map(str::to_owned),
            line: Some(line),
            ip: 0,
        }
    }

    /// A copy, for the tests (a symbolized frame is never copied otherwise).
    #[cfg(test)]
    pub(crate) fn clone_for_test(&self) -> Self {
        FrameView {
            name: self.name.clone(),
            file: self.file.clone(),
            line: self.line,
            ip: self.ip,
        }
    }

    /// `file:line:function`, as in traces.
    pub(crate) fn display(&self) -> String {
        format_frame(
            &Symbol {
                name: self.name.clone(),
                file: self.file.clone(),
                line: self.line,
                own: false,
            },
            self.ip,
        )
    }
}

/// The source-level frames of `ips`, innermost first, up to the poll guard that opened the scope,
/// aiocop's own frames left out. Symbolizes (through the cache): never on a runtime worker.
pub(crate) fn frames_of(ips: &[usize]) -> Vec<FrameView> {
    user_frames(ips)
        .iter()
        .filter_map(|(symbols, i, ip)| match symbols.get(*i) {
            None => Some(FrameView {
                name: None,
                file: None,
                line: None,
                ip: *ip,
            }),
            Some(sym) if sym.own => None,
            Some(sym) => Some(FrameView {
                name: sym.name.clone(),
                file: sym.file.clone(),
                line: sym.line,
                ip: *ip,
            }),
        })
        .collect()
}

/// Every source-level frame of `ips` (inlining gives several per instruction pointer), innermost
/// first, as (the address's symbols, which of them, the address), up to the outermost poll guard:
/// past it lies the executor (it may share a machine frame with the user's code when inlined).
/// Nested guards are skipped.
fn user_frames(ips: &[usize]) -> Vec<(Arc<[Symbol]>, usize, usize)> {
    let mut all: Vec<(Arc<[Symbol]>, usize, usize)> = Vec::new();
    for &ip in ips {
        let symbols = symbols_of(ip);
        for i in 0..symbols.len().max(1) {
            all.push((symbols.clone(), i, ip));
        }
    }
    let end = all
        .iter()
        .rposition(|(symbols, i, _)| symbols.get(*i).is_some_and(is_scope_boundary))
        .unwrap_or(all.len());
    all.truncate(end);
    all
}

fn symbolize(ips: &[usize], depth: usize) -> Resolved {
    let frames: Vec<(String, bool)> = user_frames(ips)
        .iter()
        .filter_map(|(symbols, i, ip)| match symbols.get(*i) {
            None => Some((format!("{ip:#x}"), false)),
            Some(sym) if sym.own => None,
            Some(sym) => Some((format_frame(sym, *ip), is_program_frame(sym))),
        })
        .take(depth)
        .collect();
    let mut text = String::new();
    let mut entry = None;
    for (n, (frame, program)) in frames.iter().enumerate() {
        if n > 0 {
            text.push_str(FRAME_SEPARATOR);
        }
        let start = text.len();
        text.push_str(frame);
        if *program && entry.is_none() {
            entry = Some(start..text.len());
        }
    }
    let entry = entry.unwrap_or_else(|| 0..frames.first().map_or(0, |(f, _)| f.len()));
    Resolved { text, entry }
}

/// Whether a frame is the program's own code (its crates and their dependencies): Rust code
/// outside the toolchain's libraries. C libraries (the C library, the vDSO) and std are not.
fn is_program_frame(sym: &Symbol) -> bool {
    const TOOLCHAIN_CRATES: [&str; 3] = ["std::", "core::", "alloc::"];
    let Some(name) = sym.name.as_deref() else {
        return false;
    };
    let path = name.trim_start_matches(['<', '&']);
    // Code inlined into its caller in an optimized build is named bare (`{async_fn#0}`): Rust when
    // its source file is.
    let rust = name.contains("::") || sym.file.as_deref().is_some_and(|f| f.ends_with(".rs"));
    let toolchain_name = TOOLCHAIN_CRATES.iter().any(|c| path.starts_with(c));
    let toolchain_file = sym.file.as_deref().is_some_and(|file| {
        file.starts_with("/rustc/")
            || file.contains("/rustlib/src/rust/library/")
            || file.starts_with("library/")
    });
    rust && !toolchain_name && !toolchain_file
}

fn format_frame(sym: &Symbol, ip: usize) -> String {
    let name = sym.name.as_deref().unwrap_or("?");
    match (&sym.file, sym.line) {
        (Some(file), Some(line)) => format!("{file}:{line}:{name}"),
        (Some(file), None) => format!("{file}:?:{name}"),
        _ if sym.name.is_some() => name.to_owned(),
        _ => format!("{ip:#x}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sym(name: &str, file: Option<&str>) -> Symbol {
        Symbol {
            name: Some(name.to_owned()),
            file: file.map(str::to_owned),
            line: Some(1),
            own: false,
        }
    }

    /// An optimized build names inlined code bare: a CPU sample's loop in the program
    /// (`{async_fn#0}` in its source file) is the program's frame, found before the executor's.
    #[test]
    fn bare_inlined_frames_in_rust_files_are_program_frames() {
        assert!(is_program_frame(&sym(
            "{async_fn#0}",
            Some("/work/svc/src/inject.rs")
        )));
        assert!(is_program_frame(&sym(
            "tokio::runtime::task::core::Core::poll",
            None
        )));
        assert!(!is_program_frame(&sym(
            "wrapping_mul",
            Some("/rustc/5980761/library/core/src/num/uint_macros.rs")
        )));
        assert!(!is_program_frame(&sym(
            "sqlite3VdbeExec",
            Some("/work/sqlite3.c")
        )));
        assert!(!is_program_frame(&sym("clock_nanosleep", None)));
    }
}
