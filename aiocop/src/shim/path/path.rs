//! The methods of [`std::path::Path`] that touch the file system, audited (the path). A
//! [`PathBuf`] reaches them through `&PathBuf` → `&Path` deref coercion.

use std::fs::{Metadata, ReadDir};
use std::io;
use std::path::{Path, PathBuf};

use aiocop_lints::catalog as op;

/// [`Path::exists`], audited.
#[track_caller]
#[inline]
pub fn exists(path: &Path) -> bool {
    record!(op::STD_PATH_PATH_EXISTS, path.display());
    path.exists()
}

/// [`Path::try_exists`], audited.
#[track_caller]
#[inline]
pub fn try_exists(path: &Path) -> io::Result<bool> {
    record!(op::STD_PATH_PATH_TRY_EXISTS, path.display());
    path.try_exists()
}

/// [`Path::is_file`], audited.
#[track_caller]
#[inline]
pub fn is_file(path: &Path) -> bool {
    record!(op::STD_PATH_PATH_IS_FILE, path.display());
    path.is_file()
}

/// [`Path::is_dir`], audited.
#[track_caller]
#[inline]
pub fn is_dir(path: &Path) -> bool {
    record!(op::STD_PATH_PATH_IS_DIR, path.display());
    path.is_dir()
}

/// [`Path::is_symlink`], audited.
#[track_caller]
#[inline]
pub fn is_symlink(path: &Path) -> bool {
    record!(op::STD_PATH_PATH_IS_SYMLINK, path.display());
    path.is_symlink()
}

/// [`Path::metadata`], audited.
#[track_caller]
#[inline]
pub fn metadata(path: &Path) -> io::Result<Metadata> {
    record!(op::STD_PATH_PATH_METADATA, path.display());
    path.metadata()
}

/// [`Path::symlink_metadata`], audited.
#[track_caller]
#[inline]
pub fn symlink_metadata(path: &Path) -> io::Result<Metadata> {
    record!(op::STD_PATH_PATH_SYMLINK_METADATA, path.display());
    path.symlink_metadata()
}

/// [`Path::canonicalize`], audited.
#[track_caller]
#[inline]
pub fn canonicalize(path: &Path) -> io::Result<PathBuf> {
    record!(op::STD_PATH_PATH_CANONICALIZE, path.display());
    path.canonicalize()
}

/// [`Path::read_link`], audited.
#[track_caller]
#[inline]
pub fn read_link(path: &Path) -> io::Result<PathBuf> {
    record!(op::STD_PATH_PATH_READ_LINK, path.display());
    path.read_link()
}

/// [`Path::read_dir`], audited.
#[track_caller]
#[inline]
pub fn read_dir(path: &Path) -> io::Result<ReadDir> {
    record!(op::STD_PATH_PATH_READ_DIR, path.display());
    path.read_dir()
}
