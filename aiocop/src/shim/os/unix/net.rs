//! [`std::os::unix::net`], audited: connects and binds name the socket path, I/O names the
//! socket's peer or own path.

use std::fmt;
use std::io;
use std::os::fd::RawFd;
use std::os::unix::net::SocketAddr;

pub mod unix_datagram;
pub mod unix_listener;
pub mod unix_stream;

/// A Unix socket address: its path, else std's description (`"name" (abstract)`).
struct UnixAddr<'a>(&'a SocketAddr);

impl fmt::Display for UnixAddr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_pathname() {
            Some(path) => write!(f, "{}", path.display()),
            None => write!(f, "{:?}", self.0),
        }
    }
}

/// The first of `addrs` that has a path, else the file descriptor (unnamed sockets, such as the
/// client side of a stream or the accepted side of a listener, have none).
fn path_or_fd(
    f: &mut fmt::Formatter<'_>,
    addrs: impl IntoIterator<Item = io::Result<SocketAddr>>,
    fd: RawFd,
) -> fmt::Result {
    for addr in addrs.into_iter().flatten() {
        if let Some(path) = addr.as_pathname() {
            return write!(f, "{}", path.display());
        }
    }
    write!(f, "fd {fd}")
}
