//! [`std::net::TcpListener`], audited: each event names the listening address.

use std::fmt;
use std::io;
use std::net::{Incoming, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::os::fd::AsRawFd;

use aiocop_lints::catalog as op;

use super::{Resolved, addr_or_fd, resolve};
use crate::shim::Lazy;

/// The listener's address, looked up only when the event is formatted.
fn local(listener: &TcpListener) -> Lazy<impl Fn(&mut fmt::Formatter<'_>) -> fmt::Result + '_> {
    Lazy::new(move |f| addr_or_fd(f, listener.local_addr(), listener.as_raw_fd()))
}

/// [`TcpListener::bind`], audited (the resolved addresses).
#[track_caller]
#[inline]
pub fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
    if crate::record::would_record(crate::record::Source::Catalog) {
        // Resolving the address for the event is part of the call: its libc calls are this event's.
        #[cfg(feature = "intercept")]
        let _covering = crate::intercept::Covering::start();
        let addrs = resolve(&addr);
        record!(op::STD_NET_TCP_LISTENER_BIND, Resolved(&addrs));
        return TcpListener::bind(&addrs?[..]);
    }
    TcpListener::bind(addr)
}

/// [`TcpListener::accept`], audited.
#[track_caller]
#[inline]
pub fn accept(listener: &TcpListener) -> io::Result<(TcpStream, SocketAddr)> {
    record!(op::STD_NET_TCP_LISTENER_ACCEPT, local(listener));
    listener.accept()
}

/// [`TcpListener::incoming`], audited when the iterator is made (each `next` accepts).
#[track_caller]
#[inline]
pub fn incoming(listener: &TcpListener) -> Incoming<'_> {
    record!(op::STD_NET_TCP_LISTENER_INCOMING, local(listener));
    listener.incoming()
}
