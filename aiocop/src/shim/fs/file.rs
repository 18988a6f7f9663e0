//! [`std::fs::File`], audited: its associated functions name the path, its methods the file
//! descriptor (std keeps no path), and the length of the buffer where there is one.

use std::fmt;
use std::fs::{File, FileTimes, Metadata, Permissions, TryLockError};
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::os::unix::fs::{FileExt, PermissionsExt};
use std::path::Path;
use std::time::SystemTime;

use aiocop_lints::catalog as op;

use super::Mode;
use crate::shim::{Bytes, Fd, Offset};

/// [`File::open`], audited.
#[track_caller]
#[inline]
pub fn open<P: AsRef<Path>>(path: P) -> io::Result<File> {
    let path = path.as_ref();
    record!(op::STD_FS_FILE_OPEN, path.display());
    File::open(path)
}

/// [`File::create`], audited.
#[track_caller]
#[inline]
pub fn create<P: AsRef<Path>>(path: P) -> io::Result<File> {
    let path = path.as_ref();
    record!(op::STD_FS_FILE_CREATE, path.display());
    File::create(path)
}

/// [`File::create_new`], audited.
#[track_caller]
#[inline]
pub fn create_new<P: AsRef<Path>>(path: P) -> io::Result<File> {
    let path = path.as_ref();
    record!(op::STD_FS_FILE_CREATE_NEW, path.display());
    File::create_new(path)
}

/// [`File::sync_all`], audited.
#[track_caller]
#[inline]
pub fn sync_all(file: &File) -> io::Result<()> {
    record!(op::STD_FS_FILE_SYNC_ALL, Fd::of(file));
    file.sync_all()
}

/// [`File::sync_data`], audited.
#[track_caller]
#[inline]
pub fn sync_data(file: &File) -> io::Result<()> {
    record!(op::STD_FS_FILE_SYNC_DATA, Fd::of(file));
    file.sync_data()
}

/// [`File::set_len`], audited (the new length).
#[track_caller]
#[inline]
pub fn set_len(file: &File, size: u64) -> io::Result<()> {
    record!(op::STD_FS_FILE_SET_LEN, Fd::of(file), size);
    file.set_len(size)
}

/// [`File::set_permissions`], audited (the new mode).
#[track_caller]
#[inline]
pub fn set_permissions(file: &File, perm: Permissions) -> io::Result<()> {
    record!(
        op::STD_FS_FILE_SET_PERMISSIONS,
        Fd::of(file),
        Mode(perm.mode())
    );
    file.set_permissions(perm)
}

/// [`File::set_times`], audited.
#[track_caller]
#[inline]
pub fn set_times(file: &File, times: FileTimes) -> io::Result<()> {
    record!(op::STD_FS_FILE_SET_TIMES, Fd::of(file));
    file.set_times(times)
}

/// [`File::set_modified`], audited.
#[track_caller]
#[inline]
pub fn set_modified(file: &File, time: SystemTime) -> io::Result<()> {
    record!(op::STD_FS_FILE_SET_MODIFIED, Fd::of(file));
    file.set_modified(time)
}

/// [`File::metadata`], audited.
#[track_caller]
#[inline]
pub fn metadata(file: &File) -> io::Result<Metadata> {
    record!(op::STD_FS_FILE_METADATA, Fd::of(file));
    file.metadata()
}

/// [`File::lock`], audited.
#[track_caller]
#[inline]
pub fn lock(file: &File) -> io::Result<()> {
    record!(op::STD_FS_FILE_LOCK, Fd::of(file));
    file.lock()
}

/// [`File::lock_shared`], audited.
#[track_caller]
#[inline]
pub fn lock_shared(file: &File) -> io::Result<()> {
    record!(op::STD_FS_FILE_LOCK_SHARED, Fd::of(file));
    file.lock_shared()
}

/// [`File::try_lock`], audited.
#[track_caller]
#[inline]
pub fn try_lock(file: &File) -> Result<(), TryLockError> {
    record!(op::STD_FS_FILE_TRY_LOCK, Fd::of(file));
    file.try_lock()
}

/// [`File::try_lock_shared`], audited.
#[track_caller]
#[inline]
pub fn try_lock_shared(file: &File) -> Result<(), TryLockError> {
    record!(op::STD_FS_FILE_TRY_LOCK_SHARED, Fd::of(file));
    file.try_lock_shared()
}

/// [`Read::read`] on a [`File`], audited (the buffer's length).
#[track_caller]
#[inline]
pub fn read(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    record!(op::STD_FS_FILE_READ, Fd::of(file), Bytes(buf.len()));
    file.read(buf)
}

/// [`Read::read_vectored`] on a [`File`], audited (the buffers' total length).
#[track_caller]
#[inline]
pub fn read_vectored(file: &mut File, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
    record!(
        op::STD_FS_FILE_READ_VECTORED,
        Fd::of(file),
        Bytes(bufs.iter().map(|b| b.len()).sum())
    );
    file.read_vectored(bufs)
}

/// [`Read::read_to_end`] on a [`File`], audited.
#[track_caller]
#[inline]
pub fn read_to_end(file: &mut File, buf: &mut Vec<u8>) -> io::Result<usize> {
    record!(op::STD_FS_FILE_READ_TO_END, Fd::of(file));
    file.read_to_end(buf)
}

/// [`Read::read_to_string`] on a [`File`], audited.
#[track_caller]
#[inline]
pub fn read_to_string(file: &mut File, buf: &mut String) -> io::Result<usize> {
    record!(op::STD_FS_FILE_READ_TO_STRING, Fd::of(file));
    file.read_to_string(buf)
}

/// [`Read::read_exact`] on a [`File`], audited (the buffer's length).
#[track_caller]
#[inline]
pub fn read_exact(file: &mut File, buf: &mut [u8]) -> io::Result<()> {
    record!(op::STD_FS_FILE_READ_EXACT, Fd::of(file), Bytes(buf.len()));
    file.read_exact(buf)
}

/// [`Write::write`] on a [`File`], audited (the buffer's length).
#[track_caller]
#[inline]
pub fn write(file: &mut File, buf: &[u8]) -> io::Result<usize> {
    record!(op::STD_FS_FILE_WRITE, Fd::of(file), Bytes(buf.len()));
    file.write(buf)
}

/// [`Write::write_vectored`] on a [`File`], audited (the buffers' total length).
#[track_caller]
#[inline]
pub fn write_vectored(file: &mut File, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    record!(
        op::STD_FS_FILE_WRITE_VECTORED,
        Fd::of(file),
        Bytes(bufs.iter().map(|b| b.len()).sum())
    );
    file.write_vectored(bufs)
}

/// [`Write::write_all`] on a [`File`], audited (the buffer's length).
#[track_caller]
#[inline]
pub fn write_all(file: &mut File, buf: &[u8]) -> io::Result<()> {
    record!(op::STD_FS_FILE_WRITE_ALL, Fd::of(file), Bytes(buf.len()));
    file.write_all(buf)
}

/// [`Write::write_fmt`] on a [`File`] (what `write!` calls), audited.
#[track_caller]
#[inline]
pub fn write_fmt(file: &mut File, args: fmt::Arguments<'_>) -> io::Result<()> {
    record!(op::STD_FS_FILE_WRITE_FMT, Fd::of(file));
    file.write_fmt(args)
}

/// [`FileExt::read_at`] on a [`File`], audited (the buffer's length and the offset).
#[track_caller]
#[inline]
pub fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    record!(
        op::STD_FS_FILE_READ_AT,
        Fd::of(file),
        Bytes(buf.len()),
        Offset(offset)
    );
    file.read_at(buf, offset)
}

/// [`FileExt::write_at`] on a [`File`], audited (the buffer's length and the offset).
#[track_caller]
#[inline]
pub fn write_at(file: &File, buf: &[u8], offset: u64) -> io::Result<usize> {
    record!(
        op::STD_FS_FILE_WRITE_AT,
        Fd::of(file),
        Bytes(buf.len()),
        Offset(offset)
    );
    file.write_at(buf, offset)
}

/// [`FileExt::read_exact_at`] on a [`File`], audited (the buffer's length and the offset).
#[track_caller]
#[inline]
pub fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    record!(
        op::STD_FS_FILE_READ_EXACT_AT,
        Fd::of(file),
        Bytes(buf.len()),
        Offset(offset)
    );
    file.read_exact_at(buf, offset)
}

/// [`FileExt::write_all_at`] on a [`File`], audited (the buffer's length and the offset).
#[track_caller]
#[inline]
pub fn write_all_at(file: &File, buf: &[u8], offset: u64) -> io::Result<()> {
    record!(
        op::STD_FS_FILE_WRITE_ALL_AT,
        Fd::of(file),
        Bytes(buf.len()),
        Offset(offset)
    );
    file.write_all_at(buf, offset)
}
