//! How a blocking call's arguments become text: each cut at [`MAX_ARGUMENT_CHARS`] characters
//! without formatting more of it than that. Used by the recorder, the probes' argument display and
//! [`format_blocking_event`](crate::format_blocking_event).

use std::fmt::{self, Write};

/// Longest text kept of one argument, in characters (as in the reference).
pub const MAX_ARGUMENT_CHARS: usize = 100;

/// A call's arguments, as the caller has them.
#[derive(Clone, Copy)]
pub(crate) enum Args<'a> {
    /// Values to format (each cut at [`MAX_ARGUMENT_CHARS`]).
    Display(&'a [&'a dyn fmt::Display]),
    /// Text already made and cut (the probes make it only while the poll keeps events whole).
    Shown(&'a [String]),
}

impl Args<'_> {
    /// Appends `a, b, c` to `out`.
    pub(crate) fn write_to(self, out: &mut String) {
        match self {
            Args::Display(args) => format_args_into(out, args),
            Args::Shown(args) => {
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(arg);
                }
            }
        }
    }
}

/// `a, b, c`, each argument cut at [`MAX_ARGUMENT_CHARS`] characters without formatting more of
/// it than that.
pub(crate) fn format_args_list(args: &[&dyn fmt::Display]) -> String {
    let mut out = String::new();
    format_args_into(&mut out, args);
    out
}

/// Appends `a, b, c` to `out` (see [`format_args_list`]).
pub(crate) fn format_args_into(out: &mut String, args: &[&dyn fmt::Display]) {
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let mut w = Truncating {
            out,
            left: MAX_ARGUMENT_CHARS,
        };
        // `Truncating` stops accepting text at the limit by returning an error; that error only
        // means "cut here".
        let _ = write!(w, "{arg}");
    }
}

struct Truncating<'a> {
    out: &'a mut String,
    left: usize,
}

impl Write for Truncating<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        match s.char_indices().nth(self.left) {
            Some((cut, _)) => {
                self.out.push_str(&s[..cut]);
                self.left = 0;
                Err(fmt::Error)
            }
            None => {
                self.left -= s.chars().count();
                self.out.push_str(s);
                Ok(())
            }
        }
    }
}
