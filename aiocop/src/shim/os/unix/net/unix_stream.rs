//! [`std::os::unix::net::UnixStream`], audited: connects name the path, I/O names the socket's
//! path (the peer's, else its own).

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::{SocketAddr, UnixStream};
use std::path::Path;

use aiocop_lints::catalog as op;

use super::{UnixAddr, path_or_fd};
use crate::shim::{Bytes, Lazy};

/// The stream's path, looked up only when the event is formatted.
fn path(stream: &UnixStream) -> Lazy<impl Fn(&mut fmt::Formatter<'_>) -> fmt::Result + '_> {
    Lazy::new(move |f| {
        let addrs = [stream.peer_addr(), stream.local_addr()];
        path_or_fd(f, addrs, stream.as_raw_fd())
    })
}

/// [`UnixStream::connect`], audited (the path).
#[track_caller]
#[inline]
pub fn connect<P: AsRef<Path>>(path: P) -> io::Result<UnixStream> {
    let path = path.as_ref();
    record!(op::STD_OS_UNIX_NET_UNIX_STREAM_CONNECT, path.display());
    UnixStream::connect(path)
}

/// [`UnixStream::connect_addr`], audited (the address).
#[track_caller]
#[inline]
pub fn connect_addr(socket_addr: &SocketAddr) -> io::Result<UnixStream> {
    record!(
        op::STD_OS_UNIX_NET_UNIX_STREAM_CONNECT_ADDR,
        UnixAddr(socket_addr)
    );
    UnixStream::connect_addr(socket_addr)
}

/// [`Read::read`] on a [`UnixStream`], audited (the socket's path and the buffer's length).
#[track_caller]
#[inline]
pub fn read(stream: &mut UnixStream, buf: &mut [u8]) -> io::Result<usize> {
    record!(
        op::STD_OS_UNIX_NET_UNIX_STREAM_READ,
        path(stream),
        Bytes(buf.len())
    );
    stream.read(buf)
}

/// [`Read::read_vectored`] on a [`UnixStream`], audited (the socket's path and the buffers'
/// length).
#[track_caller]
#[inline]
pub fn read_vectored(stream: &mut UnixStream, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
    record!(
        op::STD_OS_UNIX_NET_UNIX_STREAM_READ_VECTORED,
        path(stream),
        Bytes(bufs.iter().map(|b| b.len()).sum())
    );
    stream.read_vectored(bufs)
}

/// [`Read::read_to_end`] on a [`UnixStream`], audited (the socket's path).
#[track_caller]
#[inline]
pub fn read_to_end(stream: &mut UnixStream, buf: &mut Vec<u8>) -> io::Result<usize> {
    record!(op::STD_OS_UNIX_NET_UNIX_STREAM_READ_TO_END, path(stream));
    stream.read_to_end(buf)
}

/// [`Read::read_to_string`] on a [`UnixStream`], audited (the socket's path).
#[track_caller]
#[inline]
pub fn read_to_string(stream: &mut UnixStream, buf: &mut String) -> io::Result<usize> {
    record!(op::STD_OS_UNIX_NET_UNIX_STREAM_READ_TO_STRING, path(stream));
    stream.read_to_string(buf)
}

/// [`Read::read_exact`] on a [`UnixStream`], audited (the socket's path and the buffer's
/// length).
#[track_caller]
#[inline]
pub fn read_exact(stream: &mut UnixStream, buf: &mut [u8]) -> io::Result<()> {
    record!(
        op::STD_OS_UNIX_NET_UNIX_STREAM_READ_EXACT,
        path(stream),
        Bytes(buf.len())
    );
    stream.read_exact(buf)
}

/// [`Write::write`] on a [`UnixStream`], audited (the socket's path and the buffer's length).
#[track_caller]
#[inline]
pub fn write(stream: &mut UnixStream, buf: &[u8]) -> io::Result<usize> {
    record!(
        op::STD_OS_UNIX_NET_UNIX_STREAM_WRITE,
        path(stream),
        Bytes(buf.len())
    );
    stream.write(buf)
}

/// [`Write::write_vectored`] on a [`UnixStream`], audited (the socket's path and the buffers'
/// length).
#[track_caller]
#[inline]
pub fn write_vectored(stream: &mut UnixStream, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    record!(
        op::STD_OS_UNIX_NET_UNIX_STREAM_WRITE_VECTORED,
        path(stream),
        Bytes(bufs.iter().map(|b| b.len()).sum())
    );
    stream.write_vectored(bufs)
}

/// [`Write::write_all`] on a [`UnixStream`], audited (the socket's path and the buffer's
/// length).
#[track_caller]
#[inline]
pub fn write_all(stream: &mut UnixStream, buf: &[u8]) -> io::Result<()> {
    record!(
        op::STD_OS_UNIX_NET_UNIX_STREAM_WRITE_ALL,
        path(stream),
        Bytes(buf.len())
    );
    stream.write_all(buf)
}

/// [`Write::write_fmt`] on a [`UnixStream`] (what `write!` calls), audited (the socket's path).
#[track_caller]
#[inline]
pub fn write_fmt(stream: &mut UnixStream, args: fmt::Arguments<'_>) -> io::Result<()> {
    record!(op::STD_OS_UNIX_NET_UNIX_STREAM_WRITE_FMT, path(stream));
    stream.write_fmt(args)
}
