//! [`std::io::StdinLock`], audited: every read that misses its buffer waits for the terminal or
//! the pipe behind it.

use std::io::{self, BufRead, Lines, Read, StdinLock};

use aiocop_lints::catalog as op;

use crate::shim::Bytes;

/// [`BufRead::read_line`] on a [`StdinLock`], audited.
#[track_caller]
#[inline]
pub fn read_line(lock: &mut StdinLock<'_>, buf: &mut String) -> io::Result<usize> {
    record!(op::STD_IO_STDIN_LOCK_READ_LINE);
    lock.read_line(buf)
}

/// [`BufRead::read_until`] on a [`StdinLock`], audited.
#[track_caller]
#[inline]
pub fn read_until(lock: &mut StdinLock<'_>, byte: u8, buf: &mut Vec<u8>) -> io::Result<usize> {
    record!(op::STD_IO_STDIN_LOCK_READ_UNTIL);
    lock.read_until(byte, buf)
}

/// [`BufRead::lines`] on a [`StdinLock`], audited when the iterator is made (each `next` waits
/// for a line).
#[track_caller]
#[inline]
pub fn lines(lock: StdinLock<'_>) -> Lines<StdinLock<'_>> {
    record!(op::STD_IO_STDIN_LOCK_LINES);
    lock.lines()
}

/// [`Read::read`] on a [`StdinLock`], audited (the buffer's length).
#[track_caller]
#[inline]
pub fn read(lock: &mut StdinLock<'_>, buf: &mut [u8]) -> io::Result<usize> {
    record!(op::STD_IO_STDIN_LOCK_READ, Bytes(buf.len()));
    lock.read(buf)
}

/// [`Read::read_to_end`] on a [`StdinLock`], audited.
#[track_caller]
#[inline]
pub fn read_to_end(lock: &mut StdinLock<'_>, buf: &mut Vec<u8>) -> io::Result<usize> {
    record!(op::STD_IO_STDIN_LOCK_READ_TO_END);
    lock.read_to_end(buf)
}

/// [`Read::read_to_string`] on a [`StdinLock`], audited.
#[track_caller]
#[inline]
pub fn read_to_string(lock: &mut StdinLock<'_>, buf: &mut String) -> io::Result<usize> {
    record!(op::STD_IO_STDIN_LOCK_READ_TO_STRING);
    lock.read_to_string(buf)
}

/// [`Read::read_exact`] on a [`StdinLock`], audited (the buffer's length).
#[track_caller]
#[inline]
pub fn read_exact(lock: &mut StdinLock<'_>, buf: &mut [u8]) -> io::Result<()> {
    record!(op::STD_IO_STDIN_LOCK_READ_EXACT, Bytes(buf.len()));
    lock.read_exact(buf)
}
