//! What a file descriptor is, cached per descriptor number: whether a `read` on it can block.
//!
//! Asking the kernel on every intercepted call (`fcntl(F_GETFL)` and `fstat`) would cost more than
//! the call being checked, so the answer is cached in a fixed table indexed by descriptor, and
//! forgotten when the number may start to mean something else:
//!
//! - `close`, and `dup2`/`dup3` onto it (interposed: they clear the entry, on every call, monitored
//!   or not), so a reused number is classified afresh;
//! - `fcntl(F_SETFL)` and `ioctl(FIONBIO)` on any descriptor (interposed: they move a global
//!   generation, which invalidates every entry), because the non-blocking flag belongs to the open
//!   file description, which other numbers (dups, inherited copies) share.
//!
//! What bypasses those (a raw `close` system call, rustix's `linux_raw` backend, io_uring, another
//! process changing a shared description's flags) can leave an entry stale until the number is
//! closed through the C library; descriptors numbered past the table are asked every time.

use std::sync::atomic::{AtomicU32, Ordering};

/// Descriptors below this number are cached (64 KiB of table).
const CACHED: usize = 16 * 1024;

/// What a descriptor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// `O_NONBLOCK` set on a socket, pipe, terminal or other non-file: never blocks.
    NonBlocking,
    /// A regular file or block device: disk I/O, whatever `O_NONBLOCK` says.
    File,
    /// A blocking socket.
    Socket,
    /// A blocking pipe or FIFO.
    Pipe,
    /// A blocking terminal.
    Terminal,
    /// Anything else (`/dev/null`, `/dev/urandom`, an eventfd, a directory, a closed number): not
    /// reported.
    Other,
}

impl Kind {
    const fn code(self) -> u32 {
        match self {
            Kind::NonBlocking => 1,
            Kind::File => 2,
            Kind::Socket => 3,
            Kind::Pipe => 4,
            Kind::Terminal => 5,
            Kind::Other => 6,
        }
    }

    fn from_code(code: u32) -> Option<Self> {
        Some(match code {
            1 => Kind::NonBlocking,
            2 => Kind::File,
            3 => Kind::Socket,
            4 => Kind::Pipe,
            5 => Kind::Terminal,
            6 => Kind::Other,
            _ => return None,
        })
    }

    /// Whether a read or write on it is reported.
    pub(super) fn blocks(self) -> bool {
        !matches!(self, Kind::NonBlocking | Kind::Other)
    }

    /// How the event's argument names it.
    pub(super) fn label(self) -> &'static str {
        match self {
            Kind::File => "file",
            Kind::Socket => "socket",
            Kind::Pipe => "pipe",
            Kind::Terminal => "terminal",
            Kind::NonBlocking | Kind::Other => "fd",
        }
    }
}

/// Entry per descriptor: `generation << 3 | kind code`, 0 when unknown.
static TABLE: [AtomicU32; CACHED] = [const { AtomicU32::new(0) }; CACHED];
/// Moved by every change of a non-blocking flag; entries of older generations are unknown.
static GENERATION: AtomicU32 = AtomicU32::new(0);

/// Forgets what `fd` was (it is being closed or replaced). On every call: one store.
#[inline(always)]
pub(super) fn forget(fd: libc::c_int) {
    if let Some(entry) = TABLE.get(fd as usize) {
        entry.store(0, Ordering::Relaxed);
    }
}

/// A non-blocking flag changed somewhere: every entry is stale.
#[inline]
pub(super) fn flags_changed() {
    GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// What `fd` is: from the table, or asked of the kernel and cached.
#[inline]
pub(super) fn kind(fd: libc::c_int) -> Kind {
    let generation = GENERATION.load(Ordering::Relaxed) & (u32::MAX >> 3);
    let entry = TABLE.get(fd as usize);
    if let Some(entry) = entry {
        let value = entry.load(Ordering::Relaxed);
        if value >> 3 == generation
            && let Some(kind) = Kind::from_code(value & 7)
        {
            return kind;
        }
    }
    let kind = ask(fd);
    if let Some(entry) = entry {
        entry.store(generation << 3 | kind.code(), Ordering::Relaxed);
    }
    kind
}

/// Asks the kernel what `fd` is, with raw system calls (not through the interposed functions).
#[cold]
#[inline(never)]
fn ask(fd: libc::c_int) -> Kind {
    if fd < 0 {
        return Kind::Other;
    }
    // SAFETY: `fstat` writes a `stat` into the buffer passed; `F_GETFL` takes no argument. Both
    // only report failure for a bad descriptor.
    let (stat, flags) = unsafe {
        let mut stat: libc::stat = std::mem::zeroed();
        let r = libc::syscall(libc::SYS_fstat, fd, &mut stat as *mut libc::stat);
        if r != 0 {
            return Kind::Other;
        }
        (stat, libc::syscall(libc::SYS_fcntl, fd, libc::F_GETFL))
    };
    let nonblocking = flags >= 0 && (flags as libc::c_int & libc::O_NONBLOCK) != 0;
    match stat.st_mode & libc::S_IFMT {
        libc::S_IFREG | libc::S_IFBLK => Kind::File,
        _ if nonblocking => Kind::NonBlocking,
        libc::S_IFSOCK => Kind::Socket,
        libc::S_IFIFO => Kind::Pipe,
        // Terminals and pseudo-terminals: majors 4 (tty), 5 (/dev/tty, ptmx), 136-143 (pts).
        libc::S_IFCHR if is_terminal_device(stat.st_rdev) => Kind::Terminal,
        _ => Kind::Other,
    }
}

fn is_terminal_device(rdev: libc::dev_t) -> bool {
    let major = libc::major(rdev);
    major == 4 || major == 5 || (136..=143).contains(&major)
}
