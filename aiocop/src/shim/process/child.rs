//! [`std::process::Child`], audited (the process id).

use std::io;
use std::process::{Child, ExitStatus, Output};

use aiocop_lints::catalog as op;

use super::Pid;

/// [`Child::wait`], audited.
#[track_caller]
#[inline]
pub fn wait(child: &mut Child) -> io::Result<ExitStatus> {
    record!(op::STD_PROCESS_CHILD_WAIT, Pid(child.id()));
    child.wait()
}

/// [`Child::wait_with_output`], audited.
#[track_caller]
#[inline]
pub fn wait_with_output(child: Child) -> io::Result<Output> {
    record!(op::STD_PROCESS_CHILD_WAIT_WITH_OUTPUT, Pid(child.id()));
    child.wait_with_output()
}

/// [`Child::kill`], audited.
#[track_caller]
#[inline]
pub fn kill(child: &mut Child) -> io::Result<()> {
    record!(op::STD_PROCESS_CHILD_KILL, Pid(child.id()));
    child.kill()
}
