//! [`std::fs`], audited: each event names its path(s).

use std::fs::{self, Metadata, Permissions, ReadDir};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use aiocop_lints::catalog as op;

use super::Bytes;

pub mod dir_builder;
pub mod dir_entry;
pub mod file;
pub mod open_options;

/// Permission bits: `mode 0o644`.
struct Mode(u32);

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "mode {:#o}", self.0 & 0o7777)
    }
}

/// [`std::fs::read`], audited.
#[track_caller]
#[inline]
pub fn read<P: AsRef<Path>>(path: P) -> io::Result<Vec<u8>> {
    let path = path.as_ref();
    record!(op::STD_FS_READ, path.display());
    fs::read(path)
}

/// [`std::fs::read_to_string`], audited.
#[track_caller]
#[inline]
pub fn read_to_string<P: AsRef<Path>>(path: P) -> io::Result<String> {
    let path = path.as_ref();
    record!(op::STD_FS_READ_TO_STRING, path.display());
    fs::read_to_string(path)
}

/// [`std::fs::write`], audited (the path and the length of the contents).
#[track_caller]
#[inline]
pub fn write<P: AsRef<Path>, C: AsRef<[u8]>>(path: P, contents: C) -> io::Result<()> {
    let path = path.as_ref();
    let contents = contents.as_ref();
    record!(op::STD_FS_WRITE, path.display(), Bytes(contents.len()));
    fs::write(path, contents)
}

/// [`std::fs::copy`], audited.
#[track_caller]
#[inline]
pub fn copy<P: AsRef<Path>, Q: AsRef<Path>>(from: P, to: Q) -> io::Result<u64> {
    let (from, to) = (from.as_ref(), to.as_ref());
    record!(op::STD_FS_COPY, from.display(), to.display());
    fs::copy(from, to)
}

/// [`std::fs::rename`], audited.
#[track_caller]
#[inline]
pub fn rename<P: AsRef<Path>, Q: AsRef<Path>>(from: P, to: Q) -> io::Result<()> {
    let (from, to) = (from.as_ref(), to.as_ref());
    record!(op::STD_FS_RENAME, from.display(), to.display());
    fs::rename(from, to)
}

/// [`std::fs::remove_file`], audited.
#[track_caller]
#[inline]
pub fn remove_file<P: AsRef<Path>>(path: P) -> io::Result<()> {
    let path = path.as_ref();
    record!(op::STD_FS_REMOVE_FILE, path.display());
    fs::remove_file(path)
}

/// [`std::fs::remove_dir`], audited.
#[track_caller]
#[inline]
pub fn remove_dir<P: AsRef<Path>>(path: P) -> io::Result<()> {
    let path = path.as_ref();
    record!(op::STD_FS_REMOVE_DIR, path.display());
    fs::remove_dir(path)
}

/// [`std::fs::remove_dir_all`], audited.
#[track_caller]
#[inline]
pub fn remove_dir_all<P: AsRef<Path>>(path: P) -> io::Result<()> {
    let path = path.as_ref();
    record!(op::STD_FS_REMOVE_DIR_ALL, path.display());
    fs::remove_dir_all(path)
}

/// [`std::fs::create_dir`], audited.
#[track_caller]
#[inline]
pub fn create_dir<P: AsRef<Path>>(path: P) -> io::Result<()> {
    let path = path.as_ref();
    record!(op::STD_FS_CREATE_DIR, path.display());
    fs::create_dir(path)
}

/// [`std::fs::create_dir_all`], audited.
#[track_caller]
#[inline]
pub fn create_dir_all<P: AsRef<Path>>(path: P) -> io::Result<()> {
    let path = path.as_ref();
    record!(op::STD_FS_CREATE_DIR_ALL, path.display());
    fs::create_dir_all(path)
}

/// [`std::fs::hard_link`], audited.
#[track_caller]
#[inline]
pub fn hard_link<P: AsRef<Path>, Q: AsRef<Path>>(original: P, link: Q) -> io::Result<()> {
    let (original, link) = (original.as_ref(), link.as_ref());
    record!(op::STD_FS_HARD_LINK, original.display(), link.display());
    fs::hard_link(original, link)
}

/// [`std::fs::read_dir`], audited.
#[track_caller]
#[inline]
pub fn read_dir<P: AsRef<Path>>(path: P) -> io::Result<ReadDir> {
    let path = path.as_ref();
    record!(op::STD_FS_READ_DIR, path.display());
    fs::read_dir(path)
}

/// [`std::fs::set_permissions`], audited (the path and the new mode).
#[track_caller]
#[inline]
pub fn set_permissions<P: AsRef<Path>>(path: P, perm: Permissions) -> io::Result<()> {
    let path = path.as_ref();
    record!(
        op::STD_FS_SET_PERMISSIONS,
        path.display(),
        Mode(perm.mode())
    );
    fs::set_permissions(path, perm)
}

/// [`std::fs::metadata`], audited.
#[track_caller]
#[inline]
pub fn metadata<P: AsRef<Path>>(path: P) -> io::Result<Metadata> {
    let path = path.as_ref();
    record!(op::STD_FS_METADATA, path.display());
    fs::metadata(path)
}

/// [`std::fs::symlink_metadata`], audited.
#[track_caller]
#[inline]
pub fn symlink_metadata<P: AsRef<Path>>(path: P) -> io::Result<Metadata> {
    let path = path.as_ref();
    record!(op::STD_FS_SYMLINK_METADATA, path.display());
    fs::symlink_metadata(path)
}

/// [`std::fs::canonicalize`], audited.
#[track_caller]
#[inline]
pub fn canonicalize<P: AsRef<Path>>(path: P) -> io::Result<PathBuf> {
    let path = path.as_ref();
    record!(op::STD_FS_CANONICALIZE, path.display());
    fs::canonicalize(path)
}

/// [`std::fs::read_link`], audited.
#[track_caller]
#[inline]
pub fn read_link<P: AsRef<Path>>(path: P) -> io::Result<PathBuf> {
    let path = path.as_ref();
    record!(op::STD_FS_READ_LINK, path.display());
    fs::read_link(path)
}

/// [`std::fs::exists`], audited.
#[track_caller]
#[inline]
pub fn exists<P: AsRef<Path>>(path: P) -> io::Result<bool> {
    let path = path.as_ref();
    record!(op::STD_FS_EXISTS, path.display());
    fs::exists(path)
}
