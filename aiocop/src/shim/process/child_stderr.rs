//! [`std::process::ChildStderr`], audited (the pipe's file descriptor).

use std::io::{self, Read};
use std::process::ChildStderr;

use aiocop_lints::catalog as op;

use crate::shim::{Bytes, Fd};

/// [`Read::read`] on a [`ChildStderr`], audited (the buffer's length).
#[track_caller]
#[inline]
pub fn read(pipe: &mut ChildStderr, buf: &mut [u8]) -> io::Result<usize> {
    record!(
        op::STD_PROCESS_CHILD_STDERR_READ,
        Fd::of(pipe),
        Bytes(buf.len())
    );
    pipe.read(buf)
}

/// [`Read::read_to_end`] on a [`ChildStderr`], audited.
#[track_caller]
#[inline]
pub fn read_to_end(pipe: &mut ChildStderr, buf: &mut Vec<u8>) -> io::Result<usize> {
    record!(op::STD_PROCESS_CHILD_STDERR_READ_TO_END, Fd::of(pipe));
    pipe.read_to_end(buf)
}

/// [`Read::read_to_string`] on a [`ChildStderr`], audited.
#[track_caller]
#[inline]
pub fn read_to_string(pipe: &mut ChildStderr, buf: &mut String) -> io::Result<usize> {
    record!(op::STD_PROCESS_CHILD_STDERR_READ_TO_STRING, Fd::of(pipe));
    pipe.read_to_string(buf)
}

/// [`Read::read_exact`] on a [`ChildStderr`], audited (the buffer's length).
#[track_caller]
#[inline]
pub fn read_exact(pipe: &mut ChildStderr, buf: &mut [u8]) -> io::Result<()> {
    record!(
        op::STD_PROCESS_CHILD_STDERR_READ_EXACT,
        Fd::of(pipe),
        Bytes(buf.len())
    );
    pipe.read_exact(buf)
}
