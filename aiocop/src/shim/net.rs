//! [`std::net`], audited: connects, binds and sends name the (resolved) addresses, socket I/O
//! names the socket's peer or local address.

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

use aiocop_lints::catalog as op;

pub mod tcp_listener;
pub mod tcp_stream;
pub mod udp_socket;

/// [`ToSocketAddrs::to_socket_addrs`] (name resolution), audited. The event carries no argument:
/// a `ToSocketAddrs` need not be printable, and resolving it twice to show the result would
/// double the lookup.
#[track_caller]
#[inline]
pub fn to_socket_addrs<A: ToSocketAddrs + ?Sized>(addr: &A) -> io::Result<A::Iter> {
    record!(op::STD_NET_TO_SOCKET_ADDRS_TO_SOCKET_ADDRS);
    addr.to_socket_addrs()
}

/// Resolves the address of a recording shim once; the shim then hands std the resolved list,
/// which std connects to (or binds, or sends to) exactly as it would have after resolving.
fn resolve<A: ToSocketAddrs>(addr: &A) -> io::Result<Vec<SocketAddr>> {
    Ok(addr.to_socket_addrs()?.collect())
}

/// The addresses a shim resolved: `127.0.0.1:80`, `[127.0.0.1:80, [::1]:80]`, or why there are
/// none.
struct Resolved<'a>(&'a io::Result<Vec<SocketAddr>>);

impl fmt::Display for Resolved<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Ok(addrs) if addrs.len() == 1 => write!(f, "{}", addrs[0]),
            Ok(addrs) => {
                f.write_str("[")?;
                for (i, addr) in addrs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{addr}")?;
                }
                f.write_str("]")
            }
            Err(e) => write!(f, "unresolved: {e}"),
        }
    }
}

/// A socket's address, or its file descriptor when it has none (`getpeername` on an
/// unconnected socket).
fn addr_or_fd(
    f: &mut fmt::Formatter<'_>,
    addr: io::Result<SocketAddr>,
    fd: std::os::fd::RawFd,
) -> fmt::Result {
    match addr {
        Ok(addr) => write!(f, "{addr}"),
        Err(_) => write!(f, "fd {fd}"),
    }
}
