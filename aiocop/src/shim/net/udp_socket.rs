//! [`std::net::UdpSocket`], audited: binds, connects and `send_to` name the resolved address,
//! the other calls the socket's peer (`send`) or local address.

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::os::fd::AsRawFd;

use aiocop_lints::catalog as op;

use super::{Resolved, addr_or_fd, resolve};
use crate::shim::{Bytes, Lazy};

/// The socket's own address, looked up only when the event is formatted.
fn local(socket: &UdpSocket) -> Lazy<impl Fn(&mut fmt::Formatter<'_>) -> fmt::Result + '_> {
    Lazy::new(move |f| addr_or_fd(f, socket.local_addr(), socket.as_raw_fd()))
}

/// The socket's connected peer, looked up only when the event is formatted.
fn peer(socket: &UdpSocket) -> Lazy<impl Fn(&mut fmt::Formatter<'_>) -> fmt::Result + '_> {
    Lazy::new(move |f| addr_or_fd(f, socket.peer_addr(), socket.as_raw_fd()))
}

/// [`UdpSocket::bind`], audited (the resolved addresses).
#[track_caller]
#[inline]
pub fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
    if crate::record::would_record(crate::record::Source::Catalog) {
        // Resolving the address for the event is part of the call: its libc calls are this event's.
        #[cfg(feature = "intercept")]
        let _covering = crate::intercept::Covering::start();
        let addrs = resolve(&addr);
        record!(op::STD_NET_UDP_SOCKET_BIND, Resolved(&addrs));
        return UdpSocket::bind(&addrs?[..]);
    }
    UdpSocket::bind(addr)
}

/// [`UdpSocket::connect`], audited (the resolved addresses).
#[track_caller]
#[inline]
pub fn connect<A: ToSocketAddrs>(socket: &UdpSocket, addr: A) -> io::Result<()> {
    if crate::record::would_record(crate::record::Source::Catalog) {
        // Resolving the address for the event is part of the call: its libc calls are this event's.
        #[cfg(feature = "intercept")]
        let _covering = crate::intercept::Covering::start();
        let addrs = resolve(&addr);
        record!(op::STD_NET_UDP_SOCKET_CONNECT, Resolved(&addrs));
        return socket.connect(&addrs?[..]);
    }
    socket.connect(addr)
}

/// [`UdpSocket::send`], audited (the peer and the buffer's length).
#[track_caller]
#[inline]
pub fn send(socket: &UdpSocket, buf: &[u8]) -> io::Result<usize> {
    record!(op::STD_NET_UDP_SOCKET_SEND, peer(socket), Bytes(buf.len()));
    socket.send(buf)
}

/// [`UdpSocket::send_to`], audited (the buffer's length and the resolved destination).
#[track_caller]
#[inline]
pub fn send_to<A: ToSocketAddrs>(socket: &UdpSocket, buf: &[u8], addr: A) -> io::Result<usize> {
    if crate::record::would_record(crate::record::Source::Catalog) {
        // Resolving the address for the event is part of the call: its libc calls are this event's.
        #[cfg(feature = "intercept")]
        let _covering = crate::intercept::Covering::start();
        let addrs = resolve(&addr);
        record!(
            op::STD_NET_UDP_SOCKET_SEND_TO,
            Bytes(buf.len()),
            Resolved(&addrs)
        );
        return socket.send_to(buf, &addrs?[..]);
    }
    socket.send_to(buf, addr)
}

/// [`UdpSocket::recv`], audited (the local address and the buffer's length).
#[track_caller]
#[inline]
pub fn recv(socket: &UdpSocket, buf: &mut [u8]) -> io::Result<usize> {
    record!(op::STD_NET_UDP_SOCKET_RECV, local(socket), Bytes(buf.len()));
    socket.recv(buf)
}

/// [`UdpSocket::recv_from`], audited (the local address and the buffer's length).
#[track_caller]
#[inline]
pub fn recv_from(socket: &UdpSocket, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
    record!(
        op::STD_NET_UDP_SOCKET_RECV_FROM,
        local(socket),
        Bytes(buf.len())
    );
    socket.recv_from(buf)
}

/// [`UdpSocket::peek`], audited (the local address and the buffer's length).
#[track_caller]
#[inline]
pub fn peek(socket: &UdpSocket, buf: &mut [u8]) -> io::Result<usize> {
    record!(op::STD_NET_UDP_SOCKET_PEEK, local(socket), Bytes(buf.len()));
    socket.peek(buf)
}

/// [`UdpSocket::peek_from`], audited (the local address and the buffer's length).
#[track_caller]
#[inline]
pub fn peek_from(socket: &UdpSocket, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
    record!(
        op::STD_NET_UDP_SOCKET_PEEK_FROM,
        local(socket),
        Bytes(buf.len())
    );
    socket.peek_from(buf)
}
