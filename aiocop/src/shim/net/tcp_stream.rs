//! [`std::net::TcpStream`], audited: connects name the address, I/O names the peer.

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::os::fd::AsRawFd;
use std::time::Duration;

use aiocop_lints::catalog as op;

use super::{Resolved, addr_or_fd, resolve};
use crate::shim::{Bytes, Dbg, Lazy};

/// The stream's peer, looked up only when the event is formatted.
fn peer(stream: &TcpStream) -> Lazy<impl Fn(&mut fmt::Formatter<'_>) -> fmt::Result + '_> {
    Lazy::new(move |f| addr_or_fd(f, stream.peer_addr(), stream.as_raw_fd()))
}

/// [`TcpStream::connect`], audited (the resolved addresses).
#[track_caller]
#[inline]
pub fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
    if crate::record::would_record(crate::record::Source::Catalog) {
        // Resolving the address for the event is part of the call: its libc calls are this event's.
        #[cfg(feature = "intercept")]
        let _covering = crate::intercept::Covering::start();
        let addrs = resolve(&addr);
        record!(op::STD_NET_TCP_STREAM_CONNECT, Resolved(&addrs));
        return TcpStream::connect(&addrs?[..]);
    }
    TcpStream::connect(addr)
}

/// [`TcpStream::connect_timeout`], audited (the address and the timeout).
#[track_caller]
#[inline]
pub fn connect_timeout(addr: &SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
    record!(op::STD_NET_TCP_STREAM_CONNECT_TIMEOUT, addr, Dbg(timeout));
    TcpStream::connect_timeout(addr, timeout)
}

/// [`Read::read`] on a [`TcpStream`], audited (the peer and the buffer's length).
#[track_caller]
#[inline]
pub fn read(stream: &mut TcpStream, buf: &mut [u8]) -> io::Result<usize> {
    record!(op::STD_NET_TCP_STREAM_READ, peer(stream), Bytes(buf.len()));
    stream.read(buf)
}

/// [`Read::read_vectored`] on a [`TcpStream`], audited (the peer and the buffers' length).
#[track_caller]
#[inline]
pub fn read_vectored(stream: &mut TcpStream, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
    record!(
        op::STD_NET_TCP_STREAM_READ_VECTORED,
        peer(stream),
        Bytes(bufs.iter().map(|b| b.len()).sum())
    );
    stream.read_vectored(bufs)
}

/// [`Read::read_to_end`] on a [`TcpStream`], audited (the peer).
#[track_caller]
#[inline]
pub fn read_to_end(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<usize> {
    record!(op::STD_NET_TCP_STREAM_READ_TO_END, peer(stream));
    stream.read_to_end(buf)
}

/// [`Read::read_to_string`] on a [`TcpStream`], audited (the peer).
#[track_caller]
#[inline]
pub fn read_to_string(stream: &mut TcpStream, buf: &mut String) -> io::Result<usize> {
    record!(op::STD_NET_TCP_STREAM_READ_TO_STRING, peer(stream));
    stream.read_to_string(buf)
}

/// [`Read::read_exact`] on a [`TcpStream`], audited (the peer and the buffer's length).
#[track_caller]
#[inline]
pub fn read_exact(stream: &mut TcpStream, buf: &mut [u8]) -> io::Result<()> {
    record!(
        op::STD_NET_TCP_STREAM_READ_EXACT,
        peer(stream),
        Bytes(buf.len())
    );
    stream.read_exact(buf)
}

/// [`Write::write`] on a [`TcpStream`], audited (the peer and the buffer's length).
#[track_caller]
#[inline]
pub fn write(stream: &mut TcpStream, buf: &[u8]) -> io::Result<usize> {
    record!(op::STD_NET_TCP_STREAM_WRITE, peer(stream), Bytes(buf.len()));
    stream.write(buf)
}

/// [`Write::write_vectored`] on a [`TcpStream`], audited (the peer and the buffers' length).
#[track_caller]
#[inline]
pub fn write_vectored(stream: &mut TcpStream, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    record!(
        op::STD_NET_TCP_STREAM_WRITE_VECTORED,
        peer(stream),
        Bytes(bufs.iter().map(|b| b.len()).sum())
    );
    stream.write_vectored(bufs)
}

/// [`Write::write_all`] on a [`TcpStream`], audited (the peer and the buffer's length).
#[track_caller]
#[inline]
pub fn write_all(stream: &mut TcpStream, buf: &[u8]) -> io::Result<()> {
    record!(
        op::STD_NET_TCP_STREAM_WRITE_ALL,
        peer(stream),
        Bytes(buf.len())
    );
    stream.write_all(buf)
}

/// [`Write::write_fmt`] on a [`TcpStream`] (what `write!` calls), audited (the peer).
#[track_caller]
#[inline]
pub fn write_fmt(stream: &mut TcpStream, args: fmt::Arguments<'_>) -> io::Result<()> {
    record!(op::STD_NET_TCP_STREAM_WRITE_FMT, peer(stream));
    stream.write_fmt(args)
}

/// [`TcpStream::peek`], audited (the peer and the buffer's length).
#[track_caller]
#[inline]
pub fn peek(stream: &TcpStream, buf: &mut [u8]) -> io::Result<usize> {
    record!(op::STD_NET_TCP_STREAM_PEEK, peer(stream), Bytes(buf.len()));
    stream.peek(buf)
}
