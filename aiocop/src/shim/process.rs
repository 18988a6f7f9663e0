//! [`std::process`], audited: commands are named by their command line, children by their
//! process id.

use std::ffi::OsStr;
use std::fmt;
use std::process::Command;

pub mod child;
pub mod child_stderr;
pub mod child_stdin;
pub mod child_stdout;
pub mod command;

/// A command line, `sh -c "echo hi"`, built only when the event is formatted. Environment and
/// working directory are left out: they are rarely what makes a call block, and often private.
struct CommandLine<'a>(&'a Command);

impl fmt::Display for CommandLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        word(f, self.0.get_program())?;
        for arg in self.0.get_args() {
            f.write_str(" ")?;
            word(f, arg)?;
        }
        Ok(())
    }
}

/// One word of a command line, quoted when it would not read as one word.
fn word(f: &mut fmt::Formatter<'_>, word: &OsStr) -> fmt::Result {
    let text = word.to_string_lossy();
    if text.is_empty()
        || text
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '\'')
    {
        write!(f, "{text:?}")
    } else {
        f.write_str(&text)
    }
}

/// A child process: `pid 4242`.
struct Pid(u32);

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pid {}", self.0)
    }
}
