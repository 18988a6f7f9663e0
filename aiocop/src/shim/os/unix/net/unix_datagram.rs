//! [`std::os::unix::net::UnixDatagram`], audited: binds, connects and `send_to` name the path,
//! the other calls the socket's peer or own path.

use std::fmt;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::path::Path;

use aiocop_lints::catalog as op;

use super::{UnixAddr, path_or_fd};
use crate::shim::{Bytes, Lazy};

/// The socket's own path, looked up only when the event is formatted.
fn local(socket: &UnixDatagram) -> Lazy<impl Fn(&mut fmt::Formatter<'_>) -> fmt::Result + '_> {
    Lazy::new(move |f| path_or_fd(f, [socket.local_addr()], socket.as_raw_fd()))
}

/// The socket's connected peer's path, looked up only when the event is formatted.
fn peer(socket: &UnixDatagram) -> Lazy<impl Fn(&mut fmt::Formatter<'_>) -> fmt::Result + '_> {
    Lazy::new(move |f| path_or_fd(f, [socket.peer_addr()], socket.as_raw_fd()))
}

/// [`UnixDatagram::bind`], audited (the path).
#[track_caller]
#[inline]
pub fn bind<P: AsRef<Path>>(path: P) -> io::Result<UnixDatagram> {
    let path = path.as_ref();
    record!(op::STD_OS_UNIX_NET_UNIX_DATAGRAM_BIND, path.display());
    UnixDatagram::bind(path)
}

/// [`UnixDatagram::bind_addr`], audited (the address).
#[track_caller]
#[inline]
pub fn bind_addr(socket_addr: &SocketAddr) -> io::Result<UnixDatagram> {
    record!(
        op::STD_OS_UNIX_NET_UNIX_DATAGRAM_BIND_ADDR,
        UnixAddr(socket_addr)
    );
    UnixDatagram::bind_addr(socket_addr)
}

/// [`UnixDatagram::connect`], audited (the path).
#[track_caller]
#[inline]
pub fn connect<P: AsRef<Path>>(socket: &UnixDatagram, path: P) -> io::Result<()> {
    let path = path.as_ref();
    record!(op::STD_OS_UNIX_NET_UNIX_DATAGRAM_CONNECT, path.display());
    socket.connect(path)
}

/// [`UnixDatagram::connect_addr`], audited (the address).
#[track_caller]
#[inline]
pub fn connect_addr(socket: &UnixDatagram, socket_addr: &SocketAddr) -> io::Result<()> {
    record!(
        op::STD_OS_UNIX_NET_UNIX_DATAGRAM_CONNECT_ADDR,
        UnixAddr(socket_addr)
    );
    socket.connect_addr(socket_addr)
}

/// [`UnixDatagram::send`], audited (the peer's path and the buffer's length).
#[track_caller]
#[inline]
pub fn send(socket: &UnixDatagram, buf: &[u8]) -> io::Result<usize> {
    record!(
        op::STD_OS_UNIX_NET_UNIX_DATAGRAM_SEND,
        peer(socket),
        Bytes(buf.len())
    );
    socket.send(buf)
}

/// [`UnixDatagram::send_to`], audited (the buffer's length and the destination path).
#[track_caller]
#[inline]
pub fn send_to<P: AsRef<Path>>(socket: &UnixDatagram, buf: &[u8], path: P) -> io::Result<usize> {
    let path = path.as_ref();
    record!(
        op::STD_OS_UNIX_NET_UNIX_DATAGRAM_SEND_TO,
        Bytes(buf.len()),
        path.display()
    );
    socket.send_to(buf, path)
}

/// [`UnixDatagram::send_to_addr`], audited (the buffer's length and the destination).
#[track_caller]
#[inline]
pub fn send_to_addr(
    socket: &UnixDatagram,
    buf: &[u8],
    socket_addr: &SocketAddr,
) -> io::Result<usize> {
    record!(
        op::STD_OS_UNIX_NET_UNIX_DATAGRAM_SEND_TO_ADDR,
        Bytes(buf.len()),
        UnixAddr(socket_addr)
    );
    socket.send_to_addr(buf, socket_addr)
}

/// [`UnixDatagram::recv`], audited (the socket's path and the buffer's length).
#[track_caller]
#[inline]
pub fn recv(socket: &UnixDatagram, buf: &mut [u8]) -> io::Result<usize> {
    record!(
        op::STD_OS_UNIX_NET_UNIX_DATAGRAM_RECV,
        local(socket),
        Bytes(buf.len())
    );
    socket.recv(buf)
}

/// [`UnixDatagram::recv_from`], audited (the socket's path and the buffer's length).
#[track_caller]
#[inline]
pub fn recv_from(socket: &UnixDatagram, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
    record!(
        op::STD_OS_UNIX_NET_UNIX_DATAGRAM_RECV_FROM,
        local(socket),
        Bytes(buf.len())
    );
    socket.recv_from(buf)
}
