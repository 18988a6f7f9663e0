//! The interposed C library functions: `#[no_mangle]` definitions in the executable, which the
//! linker prefers to the C library's for every call made in the executable.
//!
//! Each is, when no monitored poll is open on the thread: one thread-local read (the thread's
//! open scope) and a call through the C library's function pointer. Inside a monitored poll it
//! first asks, out of line, whether the call can block (`gate` and the `on_*` functions), records
//! it if so, and restores `errno` before making the real call, so the caller sees exactly what the
//! C library did.
//!
//! The variadic functions (`open`, `openat`, `fcntl`, `ioctl`) are defined with their one optional
//! argument as a plain integer: on x86_64 Linux variadic integer and pointer arguments travel in
//! the same registers as fixed ones, so the definition reads what the caller passed and forwards
//! it unchanged.

#![allow(clippy::missing_safety_doc)]

use std::ffi::{CStr, c_char, c_int, c_uint, c_ulong, c_void};
use std::fmt;
use std::time::Duration;

use aiocop_lints::catalog as op;
use aiocop_lints::catalog::LibcOp;
use libc::{
    addrinfo, clockid_t, epoll_event, fd_set, hostent, iovec, mode_t, msghdr, nfds_t, off_t, pid_t,
    pollfd, siginfo_t, sigset_t, size_t, sockaddr, socklen_t, ssize_t, timespec, timeval,
};

use super::fds::{self, Kind};
use super::next::Real;

/// `errno`, saved around aiocop's work.
fn errno_location() -> *mut c_int {
    // SAFETY: always valid for the calling thread.
    unsafe { libc::__errno_location() }
}

/// Runs `f` (aiocop's recording) with `errno` and interception left as the caller had them.
#[inline(never)]
fn quietly(f: impl FnOnce()) {
    let errno = errno_location();
    // SAFETY: the thread's own errno.
    let saved = unsafe { *errno };
    super::busy(f);
    // SAFETY: as above.
    unsafe { *errno = saved };
}

/// Whether a call inside a monitored poll may be recorded: interception live, not aiocop's own
/// call, not part of a call a shim or a probe recorded.
#[inline]
fn gate() -> bool {
    super::is_live() && !super::BUSY.get() && !super::covered()
}

/// Records `op` with one argument.
fn hit(op: &'static LibcOp, arg: &dyn fmt::Display) {
    quietly(|| super::record(op, &[arg], None));
}

/// Records `op` on a descriptor: known for repeats by the descriptor and its kind, so that a call
/// held back never names its file (a system call).
fn hit_fd(op: &'static LibcOp, fd: c_int, kind: Kind) {
    let identity = (u64::from(fd as u32) << 8) | kind as u64;
    quietly(|| super::record(op, &[&FdText(fd, kind)], Some(identity)));
}

/// Records `op` without arguments.
fn hit_bare(op: &'static LibcOp) {
    quietly(|| super::record(op, &[], None));
}

/// A C string argument (a path, a host): shown up to the length aiocop keeps.
struct CText(*const c_char);

impl fmt::Display for CText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_null() {
            return f.write_str("null");
        }
        // SAFETY: the C caller passed a NUL-terminated string; it lives for the call.
        let text = unsafe { CStr::from_ptr(self.0) };
        f.write_str(&text.to_string_lossy())
    }
}

/// A descriptor: its kind and what it is open on (`file /tmp/x`, `socket 127.0.0.1:80`).
struct FdText(c_int, Kind);

impl fmt::Display for FdText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let FdText(fd, kind) = *self;
        if kind == Kind::Socket
            && let Some(peer) = peer_of(fd)
        {
            return write!(f, "socket {peer}");
        }
        let mut link = [0u8; 512];
        let proc_path = format!("/proc/self/fd/{fd}\0");
        // SAFETY: `readlinkat` writes at most `link.len()` bytes into `link`; the path is
        // NUL-terminated. A raw system call: not through the interposed functions.
        let n = unsafe {
            libc::syscall(
                libc::SYS_readlinkat,
                libc::AT_FDCWD,
                proc_path.as_ptr(),
                link.as_mut_ptr(),
                link.len(),
            )
        };
        match usize::try_from(n) {
            Ok(n) if n > 0 && kind == Kind::File => {
                write!(f, "{}", String::from_utf8_lossy(&link[..n]))
            }
            _ => write!(f, "{} fd {fd}", kind.label()),
        }
    }
}

/// The address a connected socket talks to.
fn peer_of(fd: c_int) -> Option<String> {
    // SAFETY: `sockaddr_storage` is plain data; `getpeername` writes at most `len` bytes of it.
    unsafe {
        let mut storage: libc::sockaddr_storage = std::mem::zeroed();
        let mut len = std::mem::size_of::<libc::sockaddr_storage>() as socklen_t;
        let r = libc::syscall(
            libc::SYS_getpeername,
            fd,
            &mut storage as *mut _ as *mut sockaddr,
            &mut len,
        );
        (r == 0).then(|| address_text(&storage as *const _ as *const sockaddr, len))?
    }
}

/// `127.0.0.1:80`, `[::1]:80`, `unix /run/x.sock`.
fn address_text(addr: *const sockaddr, len: socklen_t) -> Option<String> {
    if addr.is_null() || (len as usize) < std::mem::size_of::<libc::sa_family_t>() {
        return None;
    }
    // SAFETY: the caller's address, `len` bytes long, of the family it says.
    unsafe {
        match c_int::from((*addr).sa_family) {
            libc::AF_INET if len as usize >= std::mem::size_of::<libc::sockaddr_in>() => {
                let a = &*(addr as *const libc::sockaddr_in);
                let ip = std::net::Ipv4Addr::from(u32::from_be(a.sin_addr.s_addr));
                Some(format!("{ip}:{}", u16::from_be(a.sin_port)))
            }
            libc::AF_INET6 if len as usize >= std::mem::size_of::<libc::sockaddr_in6>() => {
                let a = &*(addr as *const libc::sockaddr_in6);
                let ip = std::net::Ipv6Addr::from(a.sin6_addr.s6_addr);
                Some(format!("[{ip}]:{}", u16::from_be(a.sin6_port)))
            }
            libc::AF_UNIX => {
                let a = &*(addr as *const libc::sockaddr_un);
                let path: Vec<u8> = a
                    .sun_path
                    .iter()
                    .take_while(|&&c| c != 0)
                    .map(|&c| c as u8)
                    .collect();
                if path.is_empty() {
                    Some("unix (unnamed)".to_owned())
                } else {
                    Some(format!("unix {}", String::from_utf8_lossy(&path)))
                }
            }
            _ => None,
        }
    }
}

/// A sleep's duration (`10ms`).
struct Sleep(Duration);

impl fmt::Display for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

fn duration_of(ts: *const timespec) -> Option<Duration> {
    if ts.is_null() {
        return None;
    }
    // SAFETY: the caller's timespec.
    let ts = unsafe { *ts };
    Some(Duration::new(
        u64::try_from(ts.tv_sec).unwrap_or(0),
        u32::try_from(ts.tv_nsec).unwrap_or(0),
    ))
}

// ---- What each call checks, inside a monitored poll (out of line) ----

#[inline]
fn on_sleep(op: &'static LibcOp, duration: Option<Duration>) {
    if gate() && duration.is_none_or(|d| !d.is_zero()) {
        hit(op, &Sleep(duration.unwrap_or_default()));
    }
}

#[inline]
fn on_path(op: &'static LibcOp, path: *const c_char) {
    if gate() {
        hit(op, &CText(path));
    }
}

/// A call on a path that is really on a descriptor (`fstatat(fd, "", .., AT_EMPTY_PATH)`) is
/// `fstat`: cheap, not recorded.
#[inline]
fn on_path_not_empty(op: &'static LibcOp, path: *const c_char) {
    // SAFETY: the caller's NUL-terminated path.
    if gate() && !path.is_null() && unsafe { *path } != 0 {
        hit(op, &CText(path));
    }
}

#[inline]
fn on_fd(op: &'static LibcOp, fd: c_int) {
    // The descriptor first: a non-blocking one (the common case inside a poll) is decided by two
    // loads from the cache, before the thread-local checks.
    if !super::is_live() {
        return;
    }
    let kind = fds::kind(fd);
    if kind.blocks() && gate() {
        hit_fd(op, fd, kind);
    }
}

/// A socket call with `flags`: `MSG_DONTWAIT` never blocks.
#[inline]
fn on_socket_io(op: &'static LibcOp, fd: c_int, flags: c_int) {
    if flags & libc::MSG_DONTWAIT == 0 {
        on_fd(op, fd);
    }
}

#[inline]
fn on_connect(fd: c_int, addr: *const sockaddr, len: socklen_t) {
    if super::is_live() && fds::kind(fd).blocks() && gate() {
        let text = address_text(addr, len).unwrap_or_else(|| format!("fd {fd}"));
        hit(&op::LIBC_CONNECT, &text);
    }
}

#[inline]
fn on_always(op: &'static LibcOp) {
    if gate() {
        hit_bare(op);
    }
}

#[inline]
fn on_pid(op: &'static LibcOp, pid: pid_t, options: c_int) {
    if gate() && options & libc::WNOHANG == 0 {
        hit(op, &format_args!("pid {pid}"));
    }
}

/// A wait for readiness with a timeout in milliseconds (negative: forever).
#[inline]
fn on_timeout_ms(op: &'static LibcOp, timeout_ms: c_int) {
    if gate() && timeout_ms != 0 {
        if timeout_ms < 0 {
            hit(op, &"no timeout");
        } else {
            hit(op, &format_args!("{timeout_ms}ms"));
        }
    }
}

/// A wait for readiness with an optional timeout (null: forever).
#[inline]
fn on_timeout(op: &'static LibcOp, timeout: Option<Duration>, forever: bool) {
    if gate() {
        match timeout {
            _ if forever => hit(op, &"no timeout"),
            Some(d) if !d.is_zero() => hit(op, &Sleep(d)),
            _ => {}
        }
    }
}

fn timeval_duration(tv: *const timeval) -> Option<Duration> {
    if tv.is_null() {
        return None;
    }
    // SAFETY: the caller's timeval.
    let tv = unsafe { *tv };
    Some(Duration::new(
        u64::try_from(tv.tv_sec).unwrap_or(0),
        u32::try_from(tv.tv_usec).unwrap_or(0).saturating_mul(1000),
    ))
}

/// The child of `fork`: nothing is recorded on its thread (it may only call async-signal-safe
/// functions until it execs, and its scope belongs to the parent).
fn in_forked_child() {
    super::BUSY.set(true);
}

/// Sets `errno` and returns `ret`: the answer of a function the C library does not have.
fn unavailable<T>(ret: T) -> T {
    // SAFETY: the thread's own errno.
    unsafe { *errno_location() = libc::ENOSYS };
    ret
}

/// A raw system call's result as the C wrapper returns it.
fn sys(ret: libc::c_long) -> c_int {
    ret as c_int
}

/// Defines each interposed function: the fast path, the check inside a monitored poll
/// (`check`), what runs on every call (`always`, for the descriptor cache), and the fallback when
/// the C library lacks the function. `ALL` lists every function with its C library counterpart.
macro_rules! interpose {
    ($(
        fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty {
            $(always: $always:block)?
            check: $check:block
            fallback: $fallback:expr;
            $(after: |$result:ident| $after:block)?
        }
    )*) => {
        #[allow(non_upper_case_globals)]
        mod real {
            $(
                pub(super) static $name: super::Real = super::Real::new(
                    match ::std::ffi::CStr::from_bytes_with_nul(
                        concat!(stringify!($name), "\0").as_bytes()
                    ) {
                        Ok(name) => name,
                        Err(_) => panic!("symbol name"),
                    },
                );
            )*
        }

        $(
            #[doc = concat!("Interposed `", stringify!($name), "` (see the module docs).")]
            #[unsafe(no_mangle)]
            pub(super) unsafe extern "C" fn $name($($arg: $ty),*) -> $ret {
                /// The C library's function (or the fallback), with the caller's arguments.
                #[inline(always)]
                unsafe fn forward($($arg: $ty),*) -> $ret {
                    let real = real::$name.resolved();
                    if real.is_null() {
                        // SAFETY: as in the caller.
                        return unsafe { unresolved($($arg),*) };
                    }
                    // SAFETY: as below.
                    unsafe { call(real, $($arg),*) }
                }

                /// Not resolved yet (a call before interception was switched on): resolves,
                /// else falls back. Out of line, like the check.
                #[cold]
                #[inline(never)]
                #[allow(unused_unsafe)]
                unsafe extern "C" fn unresolved($($arg: $ty),*) -> $ret {
                    let real = real::$name.resolve();
                    if real.is_null() {
                        // SAFETY: a raw system call with the caller's arguments, or a constant.
                        return unsafe { $fallback };
                    }
                    // SAFETY: as below.
                    unsafe { call(real, $($arg),*) }
                }

                /// Calls `real`, the C library's definition of this very function, found by name,
                /// with this signature; with the caller's arguments, unchanged.
                #[inline(always)]
                #[allow(clippy::too_many_arguments)]
                unsafe fn call(real: *mut c_void, $($arg: $ty),*) -> $ret {
                    type RealFn = unsafe extern "C" fn($($ty),*) -> $ret;
                    // SAFETY: `real` has this type (see above).
                    let real = unsafe { std::mem::transmute::<*mut c_void, RealFn>(real) };
                    // SAFETY: the caller's arguments, forwarded unchanged.
                    let result = unsafe { real($($arg),*) };
                    $(
                        let $result = result;
                        $after
                    )?
                    result
                }

                /// Inside a monitored poll: the check, then the call. Out of line, so the fast
                /// path keeps the caller's arguments in their registers and ends in a jump.
                #[cold]
                #[inline(never)]
                unsafe extern "C" fn checked($($arg: $ty),*) -> $ret {
                    $check
                    // A call the check recorded is timed (the clock is read without a system
                    // call, and leaves errno alone).
                    let Some(pending) = crate::scope::take_intercepted() else {
                        // SAFETY: as in the caller.
                        return unsafe { forward($($arg),*) };
                    };
                    let start = crate::clock::now();
                    // SAFETY: as in the caller.
                    let result = unsafe { forward($($arg),*) };
                    let took = start.nanos_until(crate::clock::now());
                    quietly(|| crate::scope::finish_intercepted(pending, took));
                    result
                }

                $($always)?
                if crate::record::in_scope() {
                    // SAFETY: as in the caller.
                    return unsafe { checked($($arg),*) };
                }
                // SAFETY: the caller's arguments, forwarded unchanged.
                unsafe { forward($($arg),*) }
            }
        )*

        /// Every interposed function: its C library counterpart and its own address.
        /// (The addresses keep every definition linked: `enable` reads this table.)
        pub(super) static ALL: &[(&Real, unsafe extern "C" fn())] = &[$((
            &real::$name,
            // SAFETY: only compared as an address, never called through this type.
            unsafe {
                std::mem::transmute::<unsafe extern "C" fn($($ty),*) -> $ret, unsafe extern "C" fn()>($name)
            },
        )),*];
    };
}

interpose! {
    // ---- Sleeps ----
    fn nanosleep(req: *const timespec, rem: *mut timespec) -> c_int {
        check: { on_sleep(&op::LIBC_NANOSLEEP, duration_of(req)) }
        fallback: sys(libc::syscall(libc::SYS_nanosleep, req, rem));
    }
    fn clock_nanosleep(clock: clockid_t, flags: c_int, req: *const timespec, rem: *mut timespec) -> c_int {
        check: {
            let duration = if flags & libc::TIMER_ABSTIME != 0 { None } else { duration_of(req) };
            on_sleep(&op::LIBC_CLOCK_NANOSLEEP, duration)
        }
        fallback: -(libc::syscall(libc::SYS_clock_nanosleep, clock, flags, req, rem) as c_int);
    }
    fn usleep(usec: c_uint) -> c_int {
        check: { on_sleep(&op::LIBC_USLEEP, Some(Duration::from_micros(usec.into()))) }
        fallback: unavailable(-1);
    }
    fn sleep(seconds: c_uint) -> c_uint {
        check: { on_sleep(&op::LIBC_SLEEP, Some(Duration::from_secs(seconds.into()))) }
        fallback: unavailable(seconds);
    }

    // ---- Opening, metadata ----
    fn open(path: *const c_char, flags: c_int, mode: c_uint) -> c_int {
        check: { on_path(&op::LIBC_OPEN, path) }
        fallback: sys(libc::syscall(libc::SYS_openat, libc::AT_FDCWD, path, flags, mode));
    }
    fn open64(path: *const c_char, flags: c_int, mode: c_uint) -> c_int {
        check: { on_path(&op::LIBC_OPEN, path) }
        fallback: sys(libc::syscall(libc::SYS_openat, libc::AT_FDCWD, path, flags, mode));
    }
    fn openat(dirfd: c_int, path: *const c_char, flags: c_int, mode: c_uint) -> c_int {
        check: { on_path(&op::LIBC_OPEN, path) }
        fallback: sys(libc::syscall(libc::SYS_openat, dirfd, path, flags, mode));
    }
    fn openat64(dirfd: c_int, path: *const c_char, flags: c_int, mode: c_uint) -> c_int {
        check: { on_path(&op::LIBC_OPEN, path) }
        fallback: sys(libc::syscall(libc::SYS_openat, dirfd, path, flags, mode));
    }
    fn creat(path: *const c_char, mode: mode_t) -> c_int {
        check: { on_path(&op::LIBC_OPEN, path) }
        fallback: sys(libc::syscall(libc::SYS_creat, path, mode));
    }
    fn creat64(path: *const c_char, mode: mode_t) -> c_int {
        check: { on_path(&op::LIBC_OPEN, path) }
        fallback: sys(libc::syscall(libc::SYS_creat, path, mode));
    }
    fn stat(path: *const c_char, buf: *mut libc::stat) -> c_int {
        check: { on_path(&op::LIBC_STAT, path) }
        fallback: sys(libc::syscall(libc::SYS_newfstatat, libc::AT_FDCWD, path, buf, 0));
    }
    fn stat64(path: *const c_char, buf: *mut libc::stat64) -> c_int {
        check: { on_path(&op::LIBC_STAT, path) }
        fallback: sys(libc::syscall(libc::SYS_newfstatat, libc::AT_FDCWD, path, buf, 0));
    }
    fn lstat(path: *const c_char, buf: *mut libc::stat) -> c_int {
        check: { on_path(&op::LIBC_STAT, path) }
        fallback: sys(libc::syscall(libc::SYS_newfstatat, libc::AT_FDCWD, path, buf, libc::AT_SYMLINK_NOFOLLOW));
    }
    fn lstat64(path: *const c_char, buf: *mut libc::stat64) -> c_int {
        check: { on_path(&op::LIBC_STAT, path) }
        fallback: sys(libc::syscall(libc::SYS_newfstatat, libc::AT_FDCWD, path, buf, libc::AT_SYMLINK_NOFOLLOW));
    }
    fn fstatat(dirfd: c_int, path: *const c_char, buf: *mut libc::stat, flags: c_int) -> c_int {
        check: { on_path_not_empty(&op::LIBC_STAT, path) }
        fallback: sys(libc::syscall(libc::SYS_newfstatat, dirfd, path, buf, flags));
    }
    fn fstatat64(dirfd: c_int, path: *const c_char, buf: *mut libc::stat64, flags: c_int) -> c_int {
        check: { on_path_not_empty(&op::LIBC_STAT, path) }
        fallback: sys(libc::syscall(libc::SYS_newfstatat, dirfd, path, buf, flags));
    }
    fn statx(dirfd: c_int, path: *const c_char, flags: c_int, mask: c_uint, buf: *mut libc::statx) -> c_int {
        check: { on_path_not_empty(&op::LIBC_STAT, path) }
        fallback: sys(libc::syscall(libc::SYS_statx, dirfd, path, flags, mask, buf));
    }
    fn access(path: *const c_char, mode: c_int) -> c_int {
        check: { on_path(&op::LIBC_ACCESS, path) }
        fallback: sys(libc::syscall(libc::SYS_faccessat, libc::AT_FDCWD, path, mode));
    }
    fn faccessat(dirfd: c_int, path: *const c_char, mode: c_int, flags: c_int) -> c_int {
        check: { on_path(&op::LIBC_ACCESS, path) }
        fallback: sys(libc::syscall(libc::SYS_faccessat2, dirfd, path, mode, flags));
    }

    // ---- Reading and writing ----
    fn read(fd: c_int, buf: *mut c_void, count: size_t) -> ssize_t {
        check: { on_fd(&op::LIBC_READ, fd) }
        fallback: libc::syscall(libc::SYS_read, fd, buf, count) as ssize_t;
    }
    fn pread(fd: c_int, buf: *mut c_void, count: size_t, offset: off_t) -> ssize_t {
        check: { on_fd(&op::LIBC_READ, fd) }
        fallback: libc::syscall(libc::SYS_pread64, fd, buf, count, offset) as ssize_t;
    }
    fn pread64(fd: c_int, buf: *mut c_void, count: size_t, offset: off_t) -> ssize_t {
        check: { on_fd(&op::LIBC_READ, fd) }
        fallback: libc::syscall(libc::SYS_pread64, fd, buf, count, offset) as ssize_t;
    }
    fn readv(fd: c_int, iov: *const iovec, count: c_int) -> ssize_t {
        check: { on_fd(&op::LIBC_READ, fd) }
        fallback: libc::syscall(libc::SYS_readv, fd, iov, count) as ssize_t;
    }
    fn preadv(fd: c_int, iov: *const iovec, count: c_int, offset: off_t) -> ssize_t {
        check: { on_fd(&op::LIBC_READ, fd) }
        fallback: libc::syscall(libc::SYS_preadv, fd, iov, count, offset, 0) as ssize_t;
    }
    fn preadv64(fd: c_int, iov: *const iovec, count: c_int, offset: off_t) -> ssize_t {
        check: { on_fd(&op::LIBC_READ, fd) }
        fallback: libc::syscall(libc::SYS_preadv, fd, iov, count, offset, 0) as ssize_t;
    }
    fn write(fd: c_int, buf: *const c_void, count: size_t) -> ssize_t {
        check: { on_fd(&op::LIBC_WRITE, fd) }
        fallback: libc::syscall(libc::SYS_write, fd, buf, count) as ssize_t;
    }
    fn pwrite(fd: c_int, buf: *const c_void, count: size_t, offset: off_t) -> ssize_t {
        check: { on_fd(&op::LIBC_WRITE, fd) }
        fallback: libc::syscall(libc::SYS_pwrite64, fd, buf, count, offset) as ssize_t;
    }
    fn pwrite64(fd: c_int, buf: *const c_void, count: size_t, offset: off_t) -> ssize_t {
        check: { on_fd(&op::LIBC_WRITE, fd) }
        fallback: libc::syscall(libc::SYS_pwrite64, fd, buf, count, offset) as ssize_t;
    }
    fn writev(fd: c_int, iov: *const iovec, count: c_int) -> ssize_t {
        check: { on_fd(&op::LIBC_WRITE, fd) }
        fallback: libc::syscall(libc::SYS_writev, fd, iov, count) as ssize_t;
    }
    fn pwritev(fd: c_int, iov: *const iovec, count: c_int, offset: off_t) -> ssize_t {
        check: { on_fd(&op::LIBC_WRITE, fd) }
        fallback: libc::syscall(libc::SYS_pwritev, fd, iov, count, offset, 0) as ssize_t;
    }
    fn pwritev64(fd: c_int, iov: *const iovec, count: c_int, offset: off_t) -> ssize_t {
        check: { on_fd(&op::LIBC_WRITE, fd) }
        fallback: libc::syscall(libc::SYS_pwritev, fd, iov, count, offset, 0) as ssize_t;
    }
    fn fsync(fd: c_int) -> c_int {
        always: {
            if fd == PROBE_FD {
                probe_seen();
            }
        }
        check: { on_fd(&op::LIBC_FSYNC, fd) }
        fallback: sys(libc::syscall(libc::SYS_fsync, fd));
    }
    fn fdatasync(fd: c_int) -> c_int {
        check: { on_fd(&op::LIBC_FSYNC, fd) }
        fallback: sys(libc::syscall(libc::SYS_fdatasync, fd));
    }

    // ---- File-system changes ----
    fn rename(from: *const c_char, to: *const c_char) -> c_int {
        check: { on_path(&op::LIBC_RENAME, from) }
        fallback: sys(libc::syscall(libc::SYS_renameat2, libc::AT_FDCWD, from, libc::AT_FDCWD, to, 0));
    }
    fn renameat(from_dir: c_int, from: *const c_char, to_dir: c_int, to: *const c_char) -> c_int {
        check: { on_path(&op::LIBC_RENAME, from) }
        fallback: sys(libc::syscall(libc::SYS_renameat2, from_dir, from, to_dir, to, 0));
    }
    fn renameat2(from_dir: c_int, from: *const c_char, to_dir: c_int, to: *const c_char, flags: c_uint) -> c_int {
        check: { on_path(&op::LIBC_RENAME, from) }
        fallback: sys(libc::syscall(libc::SYS_renameat2, from_dir, from, to_dir, to, flags));
    }
    fn unlink(path: *const c_char) -> c_int {
        check: { on_path(&op::LIBC_UNLINK, path) }
        fallback: sys(libc::syscall(libc::SYS_unlinkat, libc::AT_FDCWD, path, 0));
    }
    fn unlinkat(dirfd: c_int, path: *const c_char, flags: c_int) -> c_int {
        check: { on_path(&op::LIBC_UNLINK, path) }
        fallback: sys(libc::syscall(libc::SYS_unlinkat, dirfd, path, flags));
    }
    fn mkdir(path: *const c_char, mode: mode_t) -> c_int {
        check: { on_path(&op::LIBC_MKDIR, path) }
        fallback: sys(libc::syscall(libc::SYS_mkdirat, libc::AT_FDCWD, path, mode));
    }
    fn mkdirat(dirfd: c_int, path: *const c_char, mode: mode_t) -> c_int {
        check: { on_path(&op::LIBC_MKDIR, path) }
        fallback: sys(libc::syscall(libc::SYS_mkdirat, dirfd, path, mode));
    }
    fn rmdir(path: *const c_char) -> c_int {
        check: { on_path(&op::LIBC_RMDIR, path) }
        fallback: sys(libc::syscall(libc::SYS_unlinkat, libc::AT_FDCWD, path, libc::AT_REMOVEDIR));
    }
    fn opendir(path: *const c_char) -> *mut libc::DIR {
        check: { on_path(&op::LIBC_OPENDIR, path) }
        fallback: unavailable(std::ptr::null_mut());
    }
    fn readdir(dir: *mut libc::DIR) -> *mut libc::dirent {
        check: { on_always(&op::LIBC_READDIR) }
        fallback: unavailable(std::ptr::null_mut());
    }
    fn readdir64(dir: *mut libc::DIR) -> *mut libc::dirent64 {
        check: { on_always(&op::LIBC_READDIR) }
        fallback: unavailable(std::ptr::null_mut());
    }
    fn ftruncate(fd: c_int, length: off_t) -> c_int {
        check: { on_fd(&op::LIBC_FTRUNCATE, fd) }
        fallback: sys(libc::syscall(libc::SYS_ftruncate, fd, length));
    }
    fn ftruncate64(fd: c_int, length: off_t) -> c_int {
        check: { on_fd(&op::LIBC_FTRUNCATE, fd) }
        fallback: sys(libc::syscall(libc::SYS_ftruncate, fd, length));
    }
    fn truncate(path: *const c_char, length: off_t) -> c_int {
        check: { on_path(&op::LIBC_FTRUNCATE, path) }
        fallback: sys(libc::syscall(libc::SYS_truncate, path, length));
    }
    fn truncate64(path: *const c_char, length: off_t) -> c_int {
        check: { on_path(&op::LIBC_FTRUNCATE, path) }
        fallback: sys(libc::syscall(libc::SYS_truncate, path, length));
    }
    fn flock(fd: c_int, operation: c_int) -> c_int {
        check: {
            if operation & libc::LOCK_NB == 0 && operation & libc::LOCK_UN == 0 {
                on_fd(&op::LIBC_FLOCK, fd)
            }
        }
        fallback: sys(libc::syscall(libc::SYS_flock, fd, operation));
    }
    fn fcntl(fd: c_int, cmd: c_int, arg: c_ulong) -> c_int {
        always: { fcntl_changes(cmd) }
        check: { on_fcntl(fd, cmd) }
        fallback: sys(libc::syscall(libc::SYS_fcntl, fd, cmd, arg));
    }
    fn fcntl64(fd: c_int, cmd: c_int, arg: c_ulong) -> c_int {
        always: { fcntl_changes(cmd) }
        check: { on_fcntl(fd, cmd) }
        fallback: sys(libc::syscall(libc::SYS_fcntl, fd, cmd, arg));
    }
    fn ioctl(fd: c_int, request: c_ulong, arg: c_ulong) -> c_int {
        always: {
            if request == libc::FIONBIO {
                fds::flags_changed();
            }
        }
        check: {}
        fallback: sys(libc::syscall(libc::SYS_ioctl, fd, request, arg));
    }
    fn close(fd: c_int) -> c_int {
        always: { fds::forget(fd) }
        check: {}
        fallback: sys(libc::syscall(libc::SYS_close, fd));
    }
    fn dup2(old: c_int, new: c_int) -> c_int {
        always: { fds::forget(new) }
        check: {}
        fallback: sys(libc::syscall(libc::SYS_dup2, old, new));
    }
    fn dup3(old: c_int, new: c_int, flags: c_int) -> c_int {
        always: { fds::forget(new) }
        check: {}
        fallback: sys(libc::syscall(libc::SYS_dup3, old, new, flags));
    }
    fn sendfile(out_fd: c_int, in_fd: c_int, offset: *mut off_t, count: size_t) -> ssize_t {
        check: { on_fd(&op::LIBC_SENDFILE, in_fd) }
        fallback: libc::syscall(libc::SYS_sendfile, out_fd, in_fd, offset, count) as ssize_t;
    }
    fn sendfile64(out_fd: c_int, in_fd: c_int, offset: *mut off_t, count: size_t) -> ssize_t {
        check: { on_fd(&op::LIBC_SENDFILE, in_fd) }
        fallback: libc::syscall(libc::SYS_sendfile, out_fd, in_fd, offset, count) as ssize_t;
    }
    fn copy_file_range(fd_in: c_int, off_in: *mut off_t, fd_out: c_int, off_out: *mut off_t, len: size_t, flags: c_uint) -> ssize_t {
        check: { on_fd(&op::LIBC_COPY_FILE_RANGE, fd_in) }
        fallback: libc::syscall(libc::SYS_copy_file_range, fd_in, off_in, fd_out, off_out, len, flags) as ssize_t;
    }

    // ---- Sockets ----
    fn connect(fd: c_int, addr: *const sockaddr, len: socklen_t) -> c_int {
        check: { on_connect(fd, addr, len) }
        fallback: sys(libc::syscall(libc::SYS_connect, fd, addr, len));
    }
    fn accept(fd: c_int, addr: *mut sockaddr, len: *mut socklen_t) -> c_int {
        check: { on_fd(&op::LIBC_ACCEPT, fd) }
        fallback: sys(libc::syscall(libc::SYS_accept, fd, addr, len));
    }
    fn accept4(fd: c_int, addr: *mut sockaddr, len: *mut socklen_t, flags: c_int) -> c_int {
        check: { on_fd(&op::LIBC_ACCEPT, fd) }
        fallback: sys(libc::syscall(libc::SYS_accept4, fd, addr, len, flags));
    }
    fn recv(fd: c_int, buf: *mut c_void, len: size_t, flags: c_int) -> ssize_t {
        check: { on_socket_io(&op::LIBC_RECV, fd, flags) }
        fallback: libc::syscall(libc::SYS_recvfrom, fd, buf, len, flags, 0, 0) as ssize_t;
    }
    fn recvfrom(fd: c_int, buf: *mut c_void, len: size_t, flags: c_int, addr: *mut sockaddr, alen: *mut socklen_t) -> ssize_t {
        check: { on_socket_io(&op::LIBC_RECV, fd, flags) }
        fallback: libc::syscall(libc::SYS_recvfrom, fd, buf, len, flags, addr, alen) as ssize_t;
    }
    fn recvmsg(fd: c_int, msg: *mut msghdr, flags: c_int) -> ssize_t {
        check: { on_socket_io(&op::LIBC_RECV, fd, flags) }
        fallback: libc::syscall(libc::SYS_recvmsg, fd, msg, flags) as ssize_t;
    }
    fn send(fd: c_int, buf: *const c_void, len: size_t, flags: c_int) -> ssize_t {
        check: { on_socket_io(&op::LIBC_SEND, fd, flags) }
        fallback: libc::syscall(libc::SYS_sendto, fd, buf, len, flags, 0, 0) as ssize_t;
    }
    fn sendto(fd: c_int, buf: *const c_void, len: size_t, flags: c_int, addr: *const sockaddr, alen: socklen_t) -> ssize_t {
        check: { on_socket_io(&op::LIBC_SEND, fd, flags) }
        fallback: libc::syscall(libc::SYS_sendto, fd, buf, len, flags, addr, alen) as ssize_t;
    }
    fn sendmsg(fd: c_int, msg: *const msghdr, flags: c_int) -> ssize_t {
        check: { on_socket_io(&op::LIBC_SEND, fd, flags) }
        fallback: libc::syscall(libc::SYS_sendmsg, fd, msg, flags) as ssize_t;
    }

    // ---- Name resolution ----
    fn getaddrinfo(node: *const c_char, service: *const c_char, hints: *const addrinfo, res: *mut *mut addrinfo) -> c_int {
        check: { on_path(&op::LIBC_GETADDRINFO, node) }
        fallback: libc::EAI_SYSTEM;
    }
    fn gethostbyname(name: *const c_char) -> *mut hostent {
        check: { on_path(&op::LIBC_GETHOSTBYNAME, name) }
        fallback: std::ptr::null_mut();
    }
    fn gethostbyname2(name: *const c_char, af: c_int) -> *mut hostent {
        check: { on_path(&op::LIBC_GETHOSTBYNAME, name) }
        fallback: std::ptr::null_mut();
    }
    fn gethostbyname_r(name: *const c_char, ret: *mut hostent, buf: *mut c_char, buflen: size_t, result: *mut *mut hostent, h_errnop: *mut c_int) -> c_int {
        check: { on_path(&op::LIBC_GETHOSTBYNAME, name) }
        fallback: libc::ENOSYS;
    }
    fn gethostbyname2_r(name: *const c_char, af: c_int, ret: *mut hostent, buf: *mut c_char, buflen: size_t, result: *mut *mut hostent, h_errnop: *mut c_int) -> c_int {
        check: { on_path(&op::LIBC_GETHOSTBYNAME, name) }
        fallback: libc::ENOSYS;
    }

    // ---- Processes ----
    fn fork() -> pid_t {
        check: { on_always(&op::LIBC_FORK) }
        fallback: unavailable(-1);
        after: |pid| {
            if pid == 0 {
                in_forked_child();
            }
        }
    }
    fn posix_spawn(pid: *mut pid_t, path: *const c_char, actions: *const c_void, attr: *const c_void, argv: *const *mut c_char, envp: *const *mut c_char) -> c_int {
        check: { on_path(&op::LIBC_POSIX_SPAWN, path) }
        fallback: libc::ENOSYS;
    }
    fn posix_spawnp(pid: *mut pid_t, file: *const c_char, actions: *const c_void, attr: *const c_void, argv: *const *mut c_char, envp: *const *mut c_char) -> c_int {
        check: { on_path(&op::LIBC_POSIX_SPAWN, file) }
        fallback: libc::ENOSYS;
    }
    fn wait(status: *mut c_int) -> pid_t {
        check: { on_pid(&op::LIBC_WAITPID, -1, 0) }
        fallback: libc::syscall(libc::SYS_wait4, -1, status, 0, 0) as pid_t;
    }
    fn waitpid(pid: pid_t, status: *mut c_int, options: c_int) -> pid_t {
        check: { on_pid(&op::LIBC_WAITPID, pid, options) }
        fallback: libc::syscall(libc::SYS_wait4, pid, status, options, 0) as pid_t;
    }
    fn wait4(pid: pid_t, status: *mut c_int, options: c_int, rusage: *mut libc::rusage) -> pid_t {
        check: { on_pid(&op::LIBC_WAITPID, pid, options) }
        fallback: libc::syscall(libc::SYS_wait4, pid, status, options, rusage) as pid_t;
    }
    fn waitid(idtype: libc::idtype_t, id: libc::id_t, info: *mut siginfo_t, options: c_int) -> c_int {
        check: { on_pid(&op::LIBC_WAITPID, id as pid_t, options) }
        fallback: sys(libc::syscall(libc::SYS_waitid, idtype, id, info, options, 0));
    }

    // ---- Waiting for readiness ----
    fn poll(fds: *mut pollfd, nfds: nfds_t, timeout: c_int) -> c_int {
        check: { on_timeout_ms(&op::LIBC_POLL, timeout) }
        fallback: sys(libc::syscall(libc::SYS_poll, fds, nfds, timeout));
    }
    fn ppoll(fds: *mut pollfd, nfds: nfds_t, timeout: *const timespec, sigmask: *const sigset_t) -> c_int {
        check: { on_timeout(&op::LIBC_POLL, duration_of(timeout), timeout.is_null()) }
        fallback: sys(libc::syscall(libc::SYS_ppoll, fds, nfds, timeout, sigmask, 8));
    }
    fn select(nfds: c_int, readfds: *mut fd_set, writefds: *mut fd_set, errorfds: *mut fd_set, timeout: *mut timeval) -> c_int {
        check: { on_timeout(&op::LIBC_POLL, timeval_duration(timeout), timeout.is_null()) }
        fallback: sys(libc::syscall(libc::SYS_select, nfds, readfds, writefds, errorfds, timeout));
    }
    fn pselect(nfds: c_int, readfds: *mut fd_set, writefds: *mut fd_set, errorfds: *mut fd_set, timeout: *const timespec, sigmask: *const sigset_t) -> c_int {
        check: { on_timeout(&op::LIBC_POLL, duration_of(timeout), timeout.is_null()) }
        fallback: unavailable(-1);
    }
    fn epoll_wait(epfd: c_int, events: *mut epoll_event, maxevents: c_int, timeout: c_int) -> c_int {
        check: { on_timeout_ms(&op::LIBC_POLL, timeout) }
        fallback: sys(libc::syscall(libc::SYS_epoll_wait, epfd, events, maxevents, timeout));
    }
    fn epoll_pwait(epfd: c_int, events: *mut epoll_event, maxevents: c_int, timeout: c_int, sigmask: *const sigset_t) -> c_int {
        check: { on_timeout_ms(&op::LIBC_POLL, timeout) }
        fallback: sys(libc::syscall(libc::SYS_epoll_pwait, epfd, events, maxevents, timeout, sigmask, 8));
    }
}

/// `fcntl` commands that change what the descriptor cache knows.
#[inline(always)]
fn fcntl_changes(cmd: c_int) {
    if cmd == libc::F_SETFL {
        fds::flags_changed();
    }
}

#[inline]
fn on_fcntl(fd: c_int, cmd: c_int) {
    if cmd == libc::F_SETLKW || cmd == libc::F_OFD_SETLKW {
        on_fd(&op::LIBC_FCNTL_LOCK, fd);
    }
}

/// A descriptor number no process has open (far above any `RLIMIT_NOFILE`): `enable`'s probe
/// calls `fsync` on it through std and watches for it here.
const PROBE_FD: c_int = c_int::MAX - 7;
static PROBE_SEEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[cold]
#[inline(never)]
fn probe_seen() {
    PROBE_SEEN.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Resolves every C library function and checks that std's calls reach the interposed ones.
/// `Ok(shared)`: live, and whether shared libraries' calls are caught too; `Err(symbol)`: the
/// symbol that failed (`"dlsym"` when the C library itself cannot be found).
pub(super) fn switch_on() -> Result<bool, &'static str> {
    for (real, defined) in ALL {
        real.resolve();
        // The C library's function must not be this one (it would call itself).
        if real.resolved() as usize == *defined as usize {
            return Err(real.name());
        }
    }
    if real::read.resolved().is_null() || real::clock_nanosleep.resolved().is_null() {
        return Err("dlsym");
    }
    // The probe: std's `File::sync_all` calls `fsync`, which must be ours. The descriptor is
    // never open: the call fails with EBADF, and `into_raw_fd` keeps std from closing it.
    PROBE_SEEN.store(false, std::sync::atomic::Ordering::Relaxed);
    {
        use std::os::fd::{FromRawFd, IntoRawFd};
        // SAFETY: the file is only used for one `fsync` on a number that is not open (EBADF) and
        // released without being closed.
        let file = unsafe { std::fs::File::from_raw_fd(PROBE_FD) };
        let _ = file.sync_all();
        let _ = file.into_raw_fd();
    }
    if !PROBE_SEEN.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(real::fsync.name());
    }
    // Shared libraries bind to the executable's definition only if it exports it dynamically.
    // SAFETY: a lookup by NUL-terminated name.
    let global = unsafe { libc::dlsym(libc::RTLD_DEFAULT, c"read".as_ptr()) };
    Ok(std::ptr::eq(global.cast_const(), read as *const c_void))
}
