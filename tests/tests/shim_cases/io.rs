//! Cases of `aiocop::shim::io::{stdin, stdin_lock}`: they read the process's standard input, so
//! `shims/stdin.rs` runs them in the `stdin_shims` helper process. (`io::buf_reader_file` is in
//! `fs.rs`.)

use super::Case;

/// The stdin shims the helper knows, in the order it lists them.
pub const STDIN_SHIMS: &[&str] = &[
    "io::stdin::read_line",
    "io::stdin::lines",
    "io::stdin::read",
    "io::stdin::read_to_end",
    "io::stdin::read_to_string",
    "io::stdin::read_exact",
    "io::stdin_lock::read_line",
    "io::stdin_lock::read_until",
    "io::stdin_lock::lines",
    "io::stdin_lock::read",
    "io::stdin_lock::read_to_end",
    "io::stdin_lock::read_to_string",
    "io::stdin_lock::read_exact",
];

pub fn cases() -> Vec<Case> {
    STDIN_SHIMS.iter().map(|&shim| Case::stdin(shim)).collect()
}
