//! [`std::fs::DirEntry`], audited.

use std::fs::{DirEntry, Metadata};
use std::{fmt, io};

use aiocop_lints::catalog as op;

/// The entry's full path, built only when the event is formatted.
struct EntryPath<'a>(&'a DirEntry);

impl fmt::Display for EntryPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.path().display(), f)
    }
}

/// [`DirEntry::metadata`], audited (the entry's path).
#[track_caller]
#[inline]
pub fn metadata(entry: &DirEntry) -> io::Result<Metadata> {
    record!(op::STD_FS_DIR_ENTRY_METADATA, EntryPath(entry));
    entry.metadata()
}
