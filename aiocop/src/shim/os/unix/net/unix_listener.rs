//! [`std::os::unix::net::UnixListener`], audited: each event names the listening path.

use std::fmt;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::net::{Incoming, SocketAddr, UnixListener, UnixStream};
use std::path::Path;

use aiocop_lints::catalog as op;

use super::{UnixAddr, path_or_fd};
use crate::shim::Lazy;

/// The listener's path, looked up only when the event is formatted.
fn local(listener: &UnixListener) -> Lazy<impl Fn(&mut fmt::Formatter<'_>) -> fmt::Result + '_> {
    Lazy::new(move |f| path_or_fd(f, [listener.local_addr()], listener.as_raw_fd()))
}

/// [`UnixListener::bind`], audited (the path).
#[track_caller]
#[inline]
pub fn bind<P: AsRef<Path>>(path: P) -> io::Result<UnixListener> {
    let path = path.as_ref();
    record!(op::STD_OS_UNIX_NET_UNIX_LISTENER_BIND, path.display());
    UnixListener::bind(path)
}

/// [`UnixListener::bind_addr`], audited (the address).
#[track_caller]
#[inline]
pub fn bind_addr(socket_addr: &SocketAddr) -> io::Result<UnixListener> {
    record!(
        op::STD_OS_UNIX_NET_UNIX_LISTENER_BIND_ADDR,
        UnixAddr(socket_addr)
    );
    UnixListener::bind_addr(socket_addr)
}

/// [`UnixListener::accept`], audited (the listening path).
#[track_caller]
#[inline]
pub fn accept(listener: &UnixListener) -> io::Result<(UnixStream, SocketAddr)> {
    record!(op::STD_OS_UNIX_NET_UNIX_LISTENER_ACCEPT, local(listener));
    listener.accept()
}

/// [`UnixListener::incoming`], audited when the iterator is made (each `next` accepts).
#[track_caller]
#[inline]
pub fn incoming(listener: &UnixListener) -> Incoming<'_> {
    record!(op::STD_OS_UNIX_NET_UNIX_LISTENER_INCOMING, local(listener));
    listener.incoming()
}
