//! [`std::env`](mod@std::env)'s working-directory functions, audited.

use std::io;
use std::path::{Path, PathBuf};

use aiocop_lints::catalog as op;

/// [`std::env::current_dir`], audited.
#[track_caller]
#[inline]
pub fn current_dir() -> io::Result<PathBuf> {
    record!(op::STD_ENV_CURRENT_DIR);
    std::env::current_dir()
}

/// [`std::env::set_current_dir`], audited (the path).
#[track_caller]
#[inline]
pub fn set_current_dir<P: AsRef<Path>>(path: P) -> io::Result<()> {
    let path = path.as_ref();
    record!(op::STD_ENV_SET_CURRENT_DIR, path.display());
    std::env::set_current_dir(path)
}
