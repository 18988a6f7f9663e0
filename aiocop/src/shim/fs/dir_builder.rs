//! [`std::fs::DirBuilder`], audited.

use std::fs::DirBuilder;
use std::io;
use std::path::Path;

use aiocop_lints::catalog as op;

/// [`DirBuilder::create`], audited (the path).
#[track_caller]
#[inline]
pub fn create<P: AsRef<Path>>(builder: &DirBuilder, path: P) -> io::Result<()> {
    let path = path.as_ref();
    record!(op::STD_FS_DIR_BUILDER_CREATE, path.display());
    builder.create(path)
}
