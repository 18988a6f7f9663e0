//! Interception of blocking C library calls: whatever code makes them (std, any crate, C code
//! compiled into the program), inside a monitored poll, with no annotation.
//!
//! With the `intercept` feature on Linux x86_64, aiocop defines the blocking libc functions
//! (`read`, `open64`, `clock_nanosleep`, `connect`, `getaddrinfo`, …; the list is
//! [`aiocop_lints::catalog::LIBC_CATALOG`]) as `#[no_mangle]` symbols of the executable, the way
//! an allocator crate replaces `malloc`. The linker binds every call in the executable to them
//! (static objects come before shared libraries); each finds the C library's own function with
//! `dlsym(RTLD_NEXT, ..)` and calls it.
//!
//! The cost when nothing is monitored: one thread-local read (the thread's open scope, the one
//! [`audit`](crate::audit()) reads) and a call through a function pointer. Inside a monitored
//! poll, after [`enable`] (or [`patch_audit_functions`](crate::patch_audit_functions)), a call
//! that can block becomes a blocking event named after the libc function with its meaningful
//! argument (`libc::open(/etc/hosts)`, `libc::connect(127.0.0.1:8080)`,
//! `libc::clock_nanosleep(10ms)`), whose entry point is the innermost frame of the program's own
//! code ([`BlockingEventInfo::entry_point`](crate::BlockingEventInfo::entry_point)) and which
//! names the crate that made the call
//! ([`BlockingEventInfo::calling_crate`](crate::BlockingEventInfo::calling_crate)). Both are
//! found from raw return addresses, symbolized off the runtime's threads.
//!
//! Never recorded: calls on non-blocking descriptors, calls aiocop makes itself, calls made while
//! a shim or a `#[monitor]` probe runs the std call it already recorded, anything outside a
//! monitored poll. See `docs/interception.md` for what is caught, how, and what is not.

use std::cell::Cell;
use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};

pub use crate::origin::skip_crates;

#[cfg(all(feature = "intercept", target_os = "linux", target_arch = "x86_64"))]
mod fds;
#[cfg(all(feature = "intercept", target_os = "linux", target_arch = "x86_64"))]
mod next;
#[cfg(all(feature = "intercept", target_os = "linux", target_arch = "x86_64"))]
mod symbols;

/// Whether blocking libc calls are intercepted; see [`status`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterceptStatus {
    /// Intercepting: calls made inside monitored polls are recorded.
    Live {
        /// Whether shared libraries' calls are caught too: the executable exports the
        /// interposed symbols dynamically (see `docs/interception.md`, "Shared libraries").
        shared_libraries: bool,
    },
    /// Compiled in, not switched on yet: call [`enable`] or
    /// [`patch_audit_functions`](crate::patch_audit_functions).
    Off,
    /// aiocop was built without its `intercept` feature.
    NotCompiled,
    /// Interception exists for Linux x86_64 only.
    UnsupportedPlatform,
    /// A statically linked executable: there is no C library behind the interposed symbols to
    /// find with `dlsym`.
    StaticBinary,
    /// A call did not reach aiocop's definition (another definition won, e.g. an `LD_PRELOAD`
    /// library or a linker script): named by its symbol.
    NotInterposed(&'static str),
}

impl fmt::Display for InterceptStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InterceptStatus::Live {
                shared_libraries: true,
            } => f.write_str("live (executable and shared libraries)"),
            InterceptStatus::Live {
                shared_libraries: false,
            } => f.write_str("live (executable; shared libraries' calls not caught)"),
            InterceptStatus::Off => f.write_str("compiled in, not enabled"),
            InterceptStatus::NotCompiled => {
                f.write_str("not compiled in (aiocop's `intercept` feature is off)")
            }
            InterceptStatus::UnsupportedPlatform => {
                f.write_str("unsupported platform (Linux x86_64 only)")
            }
            InterceptStatus::StaticBinary => {
                f.write_str("static executable: no C library to forward to")
            }
            InterceptStatus::NotInterposed(symbol) => {
                write!(f, "`{symbol}` is not interposed: calls do not reach aiocop")
            }
        }
    }
}

/// [`InterceptStatus`] as stored: what `enable` found.
static STATE: AtomicU8 = AtomicU8::new(OFF);
const OFF: u8 = 0;
const LIVE: u8 = 1;
const LIVE_SHARED: u8 = 2;
const STATIC_BINARY: u8 = 3;
const NOT_INTERPOSED: u8 = 4;
/// The symbol `enable` found not interposed.
static NOT_INTERPOSED_SYMBOL: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// Whether interception is live, and if not, why. Never fails, never changes anything.
pub fn status() -> InterceptStatus {
    if !cfg!(feature = "intercept") {
        return InterceptStatus::NotCompiled;
    }
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return InterceptStatus::UnsupportedPlatform;
    }
    match STATE.load(Ordering::Acquire) {
        LIVE => InterceptStatus::Live {
            shared_libraries: false,
        },
        LIVE_SHARED => InterceptStatus::Live {
            shared_libraries: true,
        },
        STATIC_BINARY => InterceptStatus::StaticBinary,
        NOT_INTERPOSED => {
            InterceptStatus::NotInterposed(NOT_INTERPOSED_SYMBOL.get().copied().unwrap_or("?"))
        }
        _ => InterceptStatus::Off,
    }
}

/// Switches interception on (idempotent) and returns [`status`]: resolves the C library's
/// functions now, then checks with a probe call through std that calls really reach aiocop.
/// [`patch_audit_functions`](crate::patch_audit_functions) calls it when the feature is compiled
/// in. Elsewhere it only returns why interception is unavailable; nothing else changes.
pub fn enable() -> InterceptStatus {
    #[cfg(all(feature = "intercept", target_os = "linux", target_arch = "x86_64"))]
    {
        let state = symbols::switch_on();
        if let Err(symbol) = state {
            let _ = NOT_INTERPOSED_SYMBOL.set(symbol);
        }
        let stored = match state {
            Ok(true) => LIVE_SHARED,
            Ok(false) => LIVE,
            Err("dlsym") => STATIC_BINARY,
            Err(_) => NOT_INTERPOSED,
        };
        STATE.store(stored, Ordering::Release);
    }
    status()
}

/// The environment variable that keeps [`patch_audit_functions`](crate::patch_audit_functions)
/// from switching interception on: `0`, `off`, `false` or `no` (any case). A switch for operators
/// (interception compiled in, left off without a rebuild); [`enable`] ignores it.
pub const ENV_INTERCEPT: &str = "AIOCOP_INTERCEPT";

/// Whether [`ENV_INTERCEPT`] lets `patch_audit_functions` switch interception on.
#[cfg_attr(not(feature = "intercept"), allow(dead_code))]
pub(crate) fn wanted_by_environment() -> bool {
    std::env::var(ENV_INTERCEPT).map_or(true, |value| {
        !matches!(
            value.trim().to_ascii_lowercase().as_str(),
            "0" | "off" | "false" | "no"
        )
    })
}

/// Switches interception off: calls go straight to the C library again (inside monitored polls
/// too). [`enable`] switches it back on.
pub fn disable() {
    let _ = STATE.compare_exchange(LIVE, OFF, Ordering::AcqRel, Ordering::Relaxed);
    let _ = STATE.compare_exchange(LIVE_SHARED, OFF, Ordering::AcqRel, Ordering::Relaxed);
}

/// Whether intercepted calls are recorded right now (checked only inside a monitored poll).
#[cfg_attr(
    not(all(feature = "intercept", target_os = "linux", target_arch = "x86_64")),
    allow(dead_code)
)]
#[inline]
fn is_live() -> bool {
    matches!(STATE.load(Ordering::Relaxed), LIVE | LIVE_SHARED)
}

thread_local! {
    /// Set while aiocop itself works on this thread (recording an intercepted call, a probe's
    /// enable check), and in a child forked from this thread: calls then go straight through.
    /// Const-initialised, no destructor: readable in a signal handler, during thread exit, in a
    /// forked child.
    static BUSY: Cell<bool> = const { Cell::new(false) };
    /// The scope (its address) in which a shim or a probe recorded a std call that is running
    /// now: the libc calls it makes are that event, not new ones. Null when none.
    static COVERED: Cell<usize> = const { Cell::new(0) };
}

#[cfg(feature = "intercept")]
/// Marks the std call a shim or a probe just recorded (or is about to make) as running: libc calls
/// on this thread are its own until [`uncover`] (or another monitored poll's scope opens).
#[inline]
pub(crate) fn cover() {
    COVERED.set(crate::scope::current_id());
}

#[cfg(feature = "intercept")]
/// Ends [`cover`].
#[inline]
pub(crate) fn uncover() {
    COVERED.set(0);
}

#[cfg(feature = "intercept")]
/// Covers a shim's std call for as long as it lives: made by the shims' `record!` after
/// recording, dropped when the shim returns.
pub(crate) struct Covering(());

#[cfg(feature = "intercept")]
impl Covering {
    /// Covers until dropped, if a monitored poll is open (the caller checked).
    #[inline]
    pub(crate) fn start() -> Self {
        cover();
        Covering(())
    }
}

#[cfg(feature = "intercept")]
impl Drop for Covering {
    #[inline]
    fn drop(&mut self) {
        uncover();
    }
}

/// Whether a libc call now belongs to a shim's or a probe's recorded call.
#[cfg_attr(
    not(all(feature = "intercept", target_os = "linux", target_arch = "x86_64")),
    allow(dead_code)
)]
#[inline]
fn covered() -> bool {
    let covered = COVERED.get();
    covered != 0 && covered == crate::scope::current_id()
}

/// Runs `f` with interception off on this thread (aiocop's own work).
#[cfg_attr(
    not(all(feature = "intercept", target_os = "linux", target_arch = "x86_64")),
    allow(dead_code)
)]
#[inline]
fn busy<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            BUSY.set(self.0);
        }
    }
    let _reset = Reset(BUSY.replace(true));
    f()
}

/// The one entry from interception into aiocop's recording path (see `record`): records libc
/// operation `op` with its arguments into this thread's open scope; `identity`, when given, tells
/// this call's arguments from others' without formatting them (see `repeats`).
#[cfg_attr(
    not(all(feature = "intercept", target_os = "linux", target_arch = "x86_64")),
    allow(dead_code)
)]
#[cold]
#[inline(never)]
fn record(
    op: &'static aiocop_lints::catalog::LibcOp,
    args: &[&dyn fmt::Display],
    identity: Option<u64>,
) {
    crate::record::record_intercepted(op.event, op.weight, args, identity);
}
