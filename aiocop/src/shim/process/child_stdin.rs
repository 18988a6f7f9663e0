//! [`std::process::ChildStdin`], audited (the pipe's file descriptor).

use std::io::{self, Write};
use std::process::ChildStdin;

use aiocop_lints::catalog as op;

use crate::shim::{Bytes, Fd};

/// [`Write::write`] on a [`ChildStdin`], audited (the buffer's length).
#[track_caller]
#[inline]
pub fn write(pipe: &mut ChildStdin, buf: &[u8]) -> io::Result<usize> {
    record!(
        op::STD_PROCESS_CHILD_STDIN_WRITE,
        Fd::of(pipe),
        Bytes(buf.len())
    );
    pipe.write(buf)
}

/// [`Write::write_all`] on a [`ChildStdin`], audited (the buffer's length).
#[track_caller]
#[inline]
pub fn write_all(pipe: &mut ChildStdin, buf: &[u8]) -> io::Result<()> {
    record!(
        op::STD_PROCESS_CHILD_STDIN_WRITE_ALL,
        Fd::of(pipe),
        Bytes(buf.len())
    );
    pipe.write_all(buf)
}
