//! [`std::process::Command`], audited (the command line).

use std::io;
use std::process::{Child, Command, ExitStatus, Output};

use aiocop_lints::catalog as op;

use super::CommandLine;

/// [`Command::output`], audited.
#[track_caller]
#[inline]
pub fn output(command: &mut Command) -> io::Result<Output> {
    record!(op::STD_PROCESS_COMMAND_OUTPUT, CommandLine(command));
    command.output()
}

/// [`Command::status`], audited.
#[track_caller]
#[inline]
pub fn status(command: &mut Command) -> io::Result<ExitStatus> {
    record!(op::STD_PROCESS_COMMAND_STATUS, CommandLine(command));
    command.status()
}

/// [`Command::spawn`], audited.
#[track_caller]
#[inline]
pub fn spawn(command: &mut Command) -> io::Result<Child> {
    record!(op::STD_PROCESS_COMMAND_SPAWN, CommandLine(command));
    command.spawn()
}
