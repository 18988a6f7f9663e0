//! [`std::path`], audited: the methods of [`Path`] that touch the file system,
//! and [`absolute`].

use std::io;
use std::path::{Path, PathBuf};

use aiocop_lints::catalog as op;

// Mirrors `std::path::Path`: the type's methods live in a module named after it.
#[allow(clippy::module_inception)]
pub mod path;

/// [`std::path::absolute`], audited.
#[track_caller]
#[inline]
pub fn absolute<P: AsRef<Path>>(path: P) -> io::Result<PathBuf> {
    let path = path.as_ref();
    record!(op::STD_PATH_ABSOLUTE, path.display());
    std::path::absolute(path)
}
