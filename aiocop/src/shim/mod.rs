//! Audited stand-ins for std's blocking operations, one per operation of the catalog
//! (`aiocop_lints::catalog`) that std provides.
//!
//! `#[aiocop::monitor]` routes blocking std calls here; code can also call them directly. Each
//! shim has exactly the signature of the std item it stands for and does exactly what it does: it
//! calls it and returns its result. Inside a monitored poll, once
//! [`patch_audit_functions`](crate::patch_audit_functions) and
//! [`start_blocking_io_detection`](crate::start_blocking_io_detection) have been called, it first
//! records one blocking event, named as in the catalog, with the catalog's weight, the caller's
//! file and line, and its meaningful arguments (each cut at 100 characters, and left out when
//! [`set_capture_arguments(false)`](crate::setup::set_capture_arguments)). Anywhere else a shim costs
//! one thread-local read more than std.
//!
//! The modules mirror std's paths; a type becomes a module of its snake-cased name, holding its
//! associated functions and one free function per blocking method, taking the receiver first the
//! way the method takes `self`:
//!
//! | std | shim |
//! |---|---|
//! | `std::fs::read(path)` | [`shim::fs::read(path)`](fs::read) |
//! | `std::fs::File::open(path)` | [`shim::fs::file::open(path)`](fs::file::open) |
//! | `file.read_to_end(&mut buf)` | [`shim::fs::file::read_to_end(&mut file, &mut buf)`](fs::file::read_to_end) |
//! | `path.exists()` | [`shim::path::path::exists(&path)`](path::path::exists) |
//! | `handle.join()` | [`shim::thread::join_handle::join(handle)`](thread::join_handle::join) |
//!
//! ```
//! use std::time::Duration;
//! use aiocop::shim;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! aiocop::patch_audit_functions();
//! aiocop::start_blocking_io_detection(0).unwrap();
//! aiocop::activate();
//!
//! let (hosts, events) = aiocop::events::collect_events(aiocop::monitored(async {
//!     shim::thread::sleep(Duration::from_millis(1));
//!     shim::path::path::exists("/etc/hosts".as_ref())
//! }))
//! .await;
//! assert_eq!(hosts, std::path::Path::new("/etc/hosts").exists());
//! let recorded: Vec<&str> = events[0].blocking_events().iter().map(|e| e.event()).collect();
//! assert_eq!(recorded, ["std::thread::sleep(1ms)", "std::path::Path::exists(/etc/hosts)"]);
//! # }
//! ```

use std::fmt;
use std::os::fd::{AsRawFd, RawFd};

/// Records catalog operation `$op` with the arguments `$arg` if this thread is inside a monitored
/// poll. The arguments are only evaluated then, and only formatted when the event is kept, so
/// outside a poll a shim pays one thread-local read. Use inside a `#[track_caller]` shim: the
/// event's location is the shim's caller.
///
/// With the `intercept` feature, the libc calls the shim makes after recording (its std call) are
/// covered by the event until the shim returns: one call, one event.
macro_rules! record {
    ($op:expr $(, $arg:expr)* $(,)?) => {
        let in_scope = $crate::record::in_scope();
        if in_scope {
            $crate::record::record(
                $crate::record::Source::Catalog,
                $op.event,
                $op.weight,
                $crate::record::Args::Display(&[$(&$arg),*]),
                ::core::panic::Location::caller(),
            );
        }
        #[cfg(feature = "intercept")]
        let _covering = in_scope.then($crate::intercept::Covering::start);
    };
}

pub mod env;
pub mod fs;
pub mod io;
pub mod net;
pub mod os;
pub mod path;
pub mod process;
pub mod sync;
pub mod thread;

/// A file descriptor: `fd 3`.
struct Fd(RawFd);

impl Fd {
    fn of(io: &impl AsRawFd) -> Self {
        Fd(io.as_raw_fd())
    }
}

impl fmt::Display for Fd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fd {}", self.0)
    }
}

/// A buffer's length: `12 bytes`.
struct Bytes(usize);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} bytes", self.0)
    }
}

/// A value shown with its `Debug` form: durations as `100ms`.
struct Dbg<T>(T);

impl<T: fmt::Debug> fmt::Display for Dbg<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Text produced only when the event is formatted, for arguments that cost a system call
/// (`getpeername`) or an allocation to show.
struct Lazy<F>(F);

impl<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result> Lazy<F> {
    /// Takes the closure through this bound so that it is inferred for every formatter lifetime.
    fn new(f: F) -> Self {
        Lazy(f)
    }
}

impl<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result> fmt::Display for Lazy<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.0)(f)
    }
}

/// A position in a file: `at 4096`.
struct Offset(u64);

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}", self.0)
    }
}
