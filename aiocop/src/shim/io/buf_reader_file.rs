//! [`std::io::BufReader`] over a [`File`], audited (the file descriptor): the buffered reads of a
//! file, line by line or whole.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Lines, Read};

use aiocop_lints::catalog as op;

use crate::shim::{Bytes, Fd};

/// [`BufRead::read_line`] on a [`BufReader<File>`], audited.
#[track_caller]
#[inline]
pub fn read_line(reader: &mut BufReader<File>, buf: &mut String) -> io::Result<usize> {
    record!(
        op::STD_IO_BUF_READER_FILE_READ_LINE,
        Fd::of(reader.get_ref())
    );
    reader.read_line(buf)
}

/// [`BufRead::read_until`] on a [`BufReader<File>`], audited.
#[track_caller]
#[inline]
pub fn read_until(reader: &mut BufReader<File>, byte: u8, buf: &mut Vec<u8>) -> io::Result<usize> {
    record!(
        op::STD_IO_BUF_READER_FILE_READ_UNTIL,
        Fd::of(reader.get_ref())
    );
    reader.read_until(byte, buf)
}

/// [`BufRead::lines`] on a [`BufReader<File>`], audited when the iterator is made (each `next`
/// reads the file).
#[track_caller]
#[inline]
pub fn lines(reader: BufReader<File>) -> Lines<BufReader<File>> {
    record!(op::STD_IO_BUF_READER_FILE_LINES, Fd::of(reader.get_ref()));
    reader.lines()
}

/// [`Read::read`] on a [`BufReader<File>`], audited (the buffer's length).
#[track_caller]
#[inline]
pub fn read(reader: &mut BufReader<File>, buf: &mut [u8]) -> io::Result<usize> {
    record!(
        op::STD_IO_BUF_READER_FILE_READ,
        Fd::of(reader.get_ref()),
        Bytes(buf.len())
    );
    reader.read(buf)
}

/// [`Read::read_to_end`] on a [`BufReader<File>`], audited.
#[track_caller]
#[inline]
pub fn read_to_end(reader: &mut BufReader<File>, buf: &mut Vec<u8>) -> io::Result<usize> {
    record!(
        op::STD_IO_BUF_READER_FILE_READ_TO_END,
        Fd::of(reader.get_ref())
    );
    reader.read_to_end(buf)
}

/// [`Read::read_to_string`] on a [`BufReader<File>`], audited.
#[track_caller]
#[inline]
pub fn read_to_string(reader: &mut BufReader<File>, buf: &mut String) -> io::Result<usize> {
    record!(
        op::STD_IO_BUF_READER_FILE_READ_TO_STRING,
        Fd::of(reader.get_ref())
    );
    reader.read_to_string(buf)
}

/// [`Read::read_exact`] on a [`BufReader<File>`], audited (the buffer's length).
#[track_caller]
#[inline]
pub fn read_exact(reader: &mut BufReader<File>, buf: &mut [u8]) -> io::Result<()> {
    record!(
        op::STD_IO_BUF_READER_FILE_READ_EXACT,
        Fd::of(reader.get_ref()),
        Bytes(buf.len())
    );
    reader.read_exact(buf)
}
