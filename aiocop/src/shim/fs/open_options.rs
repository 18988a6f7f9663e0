//! [`std::fs::OpenOptions`], audited.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

use aiocop_lints::catalog as op;

/// [`OpenOptions::open`], audited (the path).
#[track_caller]
#[inline]
pub fn open<P: AsRef<Path>>(options: &OpenOptions, path: P) -> io::Result<File> {
    let path = path.as_ref();
    record!(op::STD_FS_OPEN_OPTIONS_OPEN, path.display());
    options.open(path)
}
