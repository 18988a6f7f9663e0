//! [`std::os::unix::fs`], audited: each event names its path(s) or file descriptor.

use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::fs as unix_fs;
use std::path::Path;
use std::{fmt, io};

use aiocop_lints::catalog as op;

use crate::shim::Fd;

/// A new owner: `uid 1000` / `gid -` (unchanged).
struct Id(&'static str, Option<u32>);

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(id) => write!(f, "{} {id}", self.0),
            None => write!(f, "{} -", self.0),
        }
    }
}

/// [`std::os::unix::fs::symlink`], audited.
#[track_caller]
#[inline]
pub fn symlink<P: AsRef<Path>, Q: AsRef<Path>>(original: P, link: Q) -> io::Result<()> {
    let (original, link) = (original.as_ref(), link.as_ref());
    record!(
        op::STD_OS_UNIX_FS_SYMLINK,
        original.display(),
        link.display()
    );
    unix_fs::symlink(original, link)
}

/// [`std::os::unix::fs::chown`], audited.
#[track_caller]
#[inline]
pub fn chown<P: AsRef<Path>>(dir: P, uid: Option<u32>, gid: Option<u32>) -> io::Result<()> {
    let dir = dir.as_ref();
    record!(
        op::STD_OS_UNIX_FS_CHOWN,
        dir.display(),
        Id("uid", uid),
        Id("gid", gid)
    );
    unix_fs::chown(dir, uid, gid)
}

/// [`std::os::unix::fs::fchown`], audited.
#[track_caller]
#[inline]
pub fn fchown<F: AsFd>(fd: F, uid: Option<u32>, gid: Option<u32>) -> io::Result<()> {
    let borrowed = fd.as_fd();
    record!(
        op::STD_OS_UNIX_FS_FCHOWN,
        Fd(borrowed.as_raw_fd()),
        Id("uid", uid),
        Id("gid", gid)
    );
    unix_fs::fchown(borrowed, uid, gid)
}

/// [`std::os::unix::fs::lchown`], audited.
#[track_caller]
#[inline]
pub fn lchown<P: AsRef<Path>>(dir: P, uid: Option<u32>, gid: Option<u32>) -> io::Result<()> {
    let dir = dir.as_ref();
    record!(
        op::STD_OS_UNIX_FS_LCHOWN,
        dir.display(),
        Id("uid", uid),
        Id("gid", gid)
    );
    unix_fs::lchown(dir, uid, gid)
}
