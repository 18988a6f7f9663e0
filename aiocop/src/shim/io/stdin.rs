//! [`std::io::Stdin`], audited: every read waits for the terminal or the pipe behind it.

use std::io::{self, Lines, Read, Stdin, StdinLock};

use aiocop_lints::catalog as op;

use crate::shim::Bytes;

/// [`Stdin::read_line`], audited.
#[track_caller]
#[inline]
pub fn read_line(stdin: &Stdin, buf: &mut String) -> io::Result<usize> {
    record!(op::STD_IO_STDIN_READ_LINE);
    stdin.read_line(buf)
}

/// [`Stdin::lines`], audited when the iterator is made (each `next` waits for a line).
#[track_caller]
#[inline]
pub fn lines(stdin: Stdin) -> Lines<StdinLock<'static>> {
    record!(op::STD_IO_STDIN_LINES);
    stdin.lines()
}

/// [`Read::read`] on [`Stdin`], audited (the buffer's length).
#[track_caller]
#[inline]
pub fn read(stdin: &mut Stdin, buf: &mut [u8]) -> io::Result<usize> {
    record!(op::STD_IO_STDIN_READ, Bytes(buf.len()));
    stdin.read(buf)
}

/// [`Read::read_to_end`] on [`Stdin`], audited.
#[track_caller]
#[inline]
pub fn read_to_end(stdin: &mut Stdin, buf: &mut Vec<u8>) -> io::Result<usize> {
    record!(op::STD_IO_STDIN_READ_TO_END);
    stdin.read_to_end(buf)
}

/// [`Read::read_to_string`] on [`Stdin`], audited.
#[track_caller]
#[inline]
pub fn read_to_string(stdin: &mut Stdin, buf: &mut String) -> io::Result<usize> {
    record!(op::STD_IO_STDIN_READ_TO_STRING);
    stdin.read_to_string(buf)
}

/// [`Read::read_exact`] on [`Stdin`], audited (the buffer's length).
#[track_caller]
#[inline]
pub fn read_exact(stdin: &mut Stdin, buf: &mut [u8]) -> io::Result<()> {
    record!(op::STD_IO_STDIN_READ_EXACT, Bytes(buf.len()));
    stdin.read_exact(buf)
}
