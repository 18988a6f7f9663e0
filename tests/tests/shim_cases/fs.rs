//! Cases of `aiocop::shim::{fs, path, env, os::unix::fs}` and `io::buf_reader_file`.

use std::fs::{self, DirBuilder, File, FileTimes, OpenOptions, Permissions, TryLockError};
use std::io::{BufRead, BufReader, IoSlice, IoSliceMut, Read};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::{Duration, SystemTime};

use aiocop::shim;

use super::Case;

fn fd(file: &File) -> String {
    format!("fd {}", file.as_raw_fd())
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

pub fn cases() -> Vec<Case> {
    let mut cases = free_functions();
    cases.extend(file());
    cases.extend(path_methods());
    cases.extend(buffered());
    cases
}

fn free_functions() -> Vec<Case> {
    vec![
        Case::here("fs::read", |fx| {
            let p = fx.file("a", b"hello");
            let (r, site) = at!(shim::fs::read(&p));
            assert_eq!(r.unwrap(), fs::read(&p).unwrap());
            site.args(p.display())
        }),
        Case::here("fs::read_to_string", |fx| {
            let p = fx.file("a", b"hello");
            let (r, site) = at!(shim::fs::read_to_string(&p));
            assert_eq!(r.unwrap(), fs::read_to_string(&p).unwrap());
            site.args(p.display())
        }),
        Case::here("fs::write", |fx| {
            let p = fx.path("a");
            let (r, site) = at!(shim::fs::write(&p, "abc"));
            r.unwrap();
            assert_eq!(fs::read(&p).unwrap(), b"abc");
            site.args(format!("{}, 3 bytes", p.display()))
        }),
        Case::here("fs::copy", |fx| {
            let (from, to) = (fx.file("a", b"hello"), fx.path("b"));
            let (r, site) = at!(shim::fs::copy(&from, &to));
            assert_eq!(r.unwrap(), 5);
            assert_eq!(fs::read(&to).unwrap(), b"hello");
            site.args(format!("{}, {}", from.display(), to.display()))
        }),
        Case::here("fs::rename", |fx| {
            let (from, to) = (fx.file("a", b"x"), fx.path("b"));
            let (r, site) = at!(shim::fs::rename(&from, &to));
            r.unwrap();
            assert!(!from.exists() && to.exists());
            site.args(format!("{}, {}", from.display(), to.display()))
        }),
        Case::here("fs::remove_file", |fx| {
            let p = fx.file("a", b"x");
            let (r, site) = at!(shim::fs::remove_file(&p));
            r.unwrap();
            assert!(!p.exists());
            site.args(p.display())
        }),
        Case::here("fs::remove_dir", |fx| {
            let p = fx.path("d");
            fs::create_dir(&p).unwrap();
            let (r, site) = at!(shim::fs::remove_dir(&p));
            r.unwrap();
            assert!(!p.exists());
            site.args(p.display())
        }),
        Case::here("fs::remove_dir_all", |fx| {
            let p = fx.path("d");
            fs::create_dir_all(p.join("e/f")).unwrap();
            fs::write(p.join("e/f/g"), b"x").unwrap();
            let (r, site) = at!(shim::fs::remove_dir_all(&p));
            r.unwrap();
            assert!(!p.exists());
            site.args(p.display())
        }),
        Case::here("fs::create_dir", |fx| {
            let p = fx.path("d");
            let (r, site) = at!(shim::fs::create_dir(&p));
            r.unwrap();
            assert!(p.is_dir());
            site.args(p.display())
        }),
        Case::here("fs::create_dir_all", |fx| {
            let p = fx.path("d/e/f");
            let (r, site) = at!(shim::fs::create_dir_all(&p));
            r.unwrap();
            assert!(p.is_dir());
            site.args(p.display())
        }),
        Case::here("fs::hard_link", |fx| {
            let (original, link) = (fx.file("a", b"x"), fx.path("b"));
            let (r, site) = at!(shim::fs::hard_link(&original, &link));
            r.unwrap();
            assert_eq!(
                fs::metadata(&link).unwrap().ino(),
                fs::metadata(&original).unwrap().ino()
            );
            site.args(format!("{}, {}", original.display(), link.display()))
        }),
        Case::here("fs::read_dir", |fx| {
            fx.file("a", b"");
            fx.file("b", b"");
            let (r, site) = at!(shim::fs::read_dir(fx.dir()));
            let mut listed: Vec<String> = r
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            listed.sort();
            assert_eq!(listed, names(fx.dir()));
            site.args(fx.dir().display())
        }),
        Case::here("fs::set_permissions", |fx| {
            let p = fx.file("a", b"");
            let (r, site) = at!(shim::fs::set_permissions(&p, Permissions::from_mode(0o600)));
            r.unwrap();
            assert_eq!(mode(&p), 0o600);
            site.args(format!("{}, mode 0o600", p.display()))
        }),
        Case::here("fs::metadata", |fx| {
            let p = fx.file("a", b"four");
            let (r, site) = at!(shim::fs::metadata(&p));
            assert_eq!(r.unwrap().len(), 4);
            site.args(p.display())
        }),
        Case::here("fs::symlink_metadata", |fx| {
            let link = fx.path("l");
            std::os::unix::fs::symlink(fx.file("a", b""), &link).unwrap();
            let (r, site) = at!(shim::fs::symlink_metadata(&link));
            assert!(r.unwrap().file_type().is_symlink());
            site.args(link.display())
        }),
        Case::here("fs::canonicalize", |fx| {
            let p = fx.file("a", b"");
            let dotted = fx.dir().join(".").join("a");
            let (r, site) = at!(shim::fs::canonicalize(&dotted));
            assert_eq!(r.unwrap(), fs::canonicalize(&p).unwrap());
            site.args(dotted.display())
        }),
        Case::here("fs::read_link", |fx| {
            let (target, link) = (fx.file("a", b""), fx.path("l"));
            std::os::unix::fs::symlink(&target, &link).unwrap();
            let (r, site) = at!(shim::fs::read_link(&link));
            assert_eq!(r.unwrap(), target);
            site.args(link.display())
        }),
        Case::here("fs::exists", |fx| {
            let p = fx.path("missing");
            let (r, site) = at!(shim::fs::exists(&p));
            assert!(!r.unwrap());
            site.args(p.display())
        }),
        Case::here("fs::open_options::open", |fx| {
            let p = fx.path("a");
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            let (r, site) = at!(shim::fs::open_options::open(&options, &p));
            r.unwrap();
            assert!(options.open(&p).is_err(), "create_new honoured");
            site.args(p.display())
        }),
        Case::here("fs::dir_builder::create", |fx| {
            let p = fx.path("d/e");
            let mut builder = DirBuilder::new();
            builder.recursive(true);
            let (r, site) = at!(shim::fs::dir_builder::create(&builder, &p));
            r.unwrap();
            assert!(p.is_dir());
            site.args(p.display())
        }),
        Case::here("fs::dir_entry::metadata", |fx| {
            let p = fx.file("a", b"abc");
            let entry = fs::read_dir(fx.dir()).unwrap().next().unwrap().unwrap();
            let (r, site) = at!(shim::fs::dir_entry::metadata(&entry));
            assert_eq!(r.unwrap().len(), 3);
            site.args(p.display())
        }),
        Case::here("os::unix::fs::symlink", |fx| {
            let (original, link) = (fx.file("a", b""), fx.path("l"));
            let (r, site) = at!(shim::os::unix::fs::symlink(&original, &link));
            r.unwrap();
            assert_eq!(fs::read_link(&link).unwrap(), original);
            site.args(format!("{}, {}", original.display(), link.display()))
        }),
        Case::here("os::unix::fs::chown", |fx| {
            let p = fx.file("a", b"");
            let uid = fs::metadata(&p).unwrap().uid();
            let (r, site) = at!(shim::os::unix::fs::chown(&p, Some(uid), None));
            r.unwrap();
            assert_eq!(fs::metadata(&p).unwrap().uid(), uid);
            site.args(format!("{}, uid {uid}, gid -", p.display()))
        }),
        Case::here("os::unix::fs::fchown", |fx| {
            let file = File::open(fx.file("a", b"")).unwrap();
            let gid = file.metadata().unwrap().gid();
            let (r, site) = at!(shim::os::unix::fs::fchown(&file, None, Some(gid)));
            r.unwrap();
            site.args(format!("{}, uid -, gid {gid}", fd(&file)))
        }),
        Case::here("os::unix::fs::lchown", |fx| {
            let link = fx.path("l");
            std::os::unix::fs::symlink(fx.path("dangling"), &link).unwrap();
            let (r, site) = at!(shim::os::unix::fs::lchown(&link, None, None));
            r.unwrap();
            site.args(format!("{}, uid -, gid -", link.display()))
        }),
        Case::here("env::current_dir", |_| {
            let (r, site) = at!(shim::env::current_dir());
            assert_eq!(r.unwrap(), std::env::current_dir().unwrap());
            site.no_args()
        }),
        Case::here("env::set_current_dir", |_| {
            // The directory the process is already in: other tests running in parallel must
            // not see it change.
            let cwd = std::env::current_dir().unwrap();
            let (r, site) = at!(shim::env::set_current_dir(&cwd));
            r.unwrap();
            assert_eq!(std::env::current_dir().unwrap(), cwd);
            site.args(cwd.display())
        }),
        Case::here("path::absolute", |_| {
            let (r, site) = at!(shim::path::absolute("some/relative"));
            assert_eq!(r.unwrap(), std::path::absolute("some/relative").unwrap());
            site.args("some/relative")
        }),
    ]
}

fn file() -> Vec<Case> {
    vec![
        Case::here("fs::file::open", |fx| {
            let p = fx.file("a", b"hello");
            let (r, site) = at!(shim::fs::file::open(&p));
            let mut text = String::new();
            r.unwrap().read_to_string(&mut text).unwrap();
            assert_eq!(text, "hello");
            site.args(p.display())
        }),
        Case::here("fs::file::create", |fx| {
            let p = fx.file("a", b"old contents");
            let (r, site) = at!(shim::fs::file::create(&p));
            r.unwrap();
            assert_eq!(fs::read(&p).unwrap(), b"", "truncated");
            site.args(p.display())
        }),
        Case::here("fs::file::create_new", |fx| {
            let p = fx.path("a");
            let (r, site) = at!(shim::fs::file::create_new(&p));
            r.unwrap();
            assert_eq!(
                File::create_new(&p).unwrap_err().kind(),
                std::io::ErrorKind::AlreadyExists
            );
            site.args(p.display())
        }),
        Case::here("fs::file::sync_all", |fx| {
            let f = File::create(fx.path("a")).unwrap();
            let (r, site) = at!(shim::fs::file::sync_all(&f));
            r.unwrap();
            site.args(fd(&f))
        }),
        Case::here("fs::file::sync_data", |fx| {
            let f = File::create(fx.path("a")).unwrap();
            let (r, site) = at!(shim::fs::file::sync_data(&f));
            r.unwrap();
            site.args(fd(&f))
        }),
        Case::here("fs::file::set_len", |fx| {
            let p = fx.file("a", b"hello");
            let f = OpenOptions::new().write(true).open(&p).unwrap();
            let (r, site) = at!(shim::fs::file::set_len(&f, 2));
            r.unwrap();
            assert_eq!(fs::read(&p).unwrap(), b"he");
            site.args(format!("{}, 2", fd(&f)))
        }),
        Case::here("fs::file::set_permissions", |fx| {
            let p = fx.file("a", b"");
            let f = File::open(&p).unwrap();
            let (r, site) = at!(shim::fs::file::set_permissions(
                &f,
                Permissions::from_mode(0o640)
            ));
            r.unwrap();
            assert_eq!(mode(&p), 0o640);
            site.args(format!("{}, mode 0o640", fd(&f)))
        }),
        Case::here("fs::file::set_times", |fx| {
            let p = fx.file("a", b"");
            let f = OpenOptions::new().write(true).open(&p).unwrap();
            let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
            let (r, site) = at!(shim::fs::file::set_times(
                &f,
                FileTimes::new().set_modified(when)
            ));
            r.unwrap();
            assert_eq!(fs::metadata(&p).unwrap().modified().unwrap(), when);
            site.args(fd(&f))
        }),
        Case::here("fs::file::set_modified", |fx| {
            let p = fx.file("a", b"");
            let f = OpenOptions::new().write(true).open(&p).unwrap();
            let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_234_567_890);
            let (r, site) = at!(shim::fs::file::set_modified(&f, when));
            r.unwrap();
            assert_eq!(fs::metadata(&p).unwrap().modified().unwrap(), when);
            site.args(fd(&f))
        }),
        Case::here("fs::file::metadata", |fx| {
            let f = File::open(fx.file("a", b"four")).unwrap();
            let (r, site) = at!(shim::fs::file::metadata(&f));
            assert_eq!(r.unwrap().len(), 4);
            site.args(fd(&f))
        }),
        Case::here("fs::file::lock", |fx| {
            let p = fx.file("a", b"");
            let (f, other) = (File::open(&p).unwrap(), File::open(&p).unwrap());
            let (r, site) = at!(shim::fs::file::lock(&f));
            r.unwrap();
            assert!(matches!(
                other.try_lock_shared(),
                Err(TryLockError::WouldBlock)
            ));
            site.args(fd(&f))
        }),
        Case::here("fs::file::lock_shared", |fx| {
            let p = fx.file("a", b"");
            let (f, other) = (File::open(&p).unwrap(), File::open(&p).unwrap());
            let (r, site) = at!(shim::fs::file::lock_shared(&f));
            r.unwrap();
            assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
            other.try_lock_shared().unwrap();
            site.args(fd(&f))
        }),
        Case::here("fs::file::try_lock", |fx| {
            let p = fx.file("a", b"");
            let (f, other) = (File::open(&p).unwrap(), File::open(&p).unwrap());
            other.lock_shared().unwrap();
            let (r, site) = at!(shim::fs::file::try_lock(&f));
            assert!(matches!(r, Err(TryLockError::WouldBlock)));
            site.args(fd(&f))
        }),
        Case::here("fs::file::try_lock_shared", |fx| {
            let p = fx.file("a", b"");
            let (f, other) = (File::open(&p).unwrap(), File::open(&p).unwrap());
            other.lock_shared().unwrap();
            let (r, site) = at!(shim::fs::file::try_lock_shared(&f));
            r.unwrap();
            site.args(fd(&f))
        }),
        Case::here("fs::file::read", |fx| {
            let mut f = File::open(fx.file("a", b"hello")).unwrap();
            let mut buf = [0u8; 3];
            let (r, site) = at!(shim::fs::file::read(&mut f, &mut buf));
            assert_eq!((r.unwrap(), &buf), (3, b"hel"));
            site.args(format!("{}, 3 bytes", fd(&f)))
        }),
        Case::here("fs::file::read_vectored", |fx| {
            let mut f = File::open(fx.file("a", b"hello")).unwrap();
            let (mut a, mut b) = ([0u8; 2], [0u8; 3]);
            let mut bufs = [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)];
            let (r, site) = at!(shim::fs::file::read_vectored(&mut f, &mut bufs));
            assert_eq!(r.unwrap(), 5);
            assert_eq!((&a, &b), (b"he", b"llo"));
            site.args(format!("{}, 5 bytes", fd(&f)))
        }),
        Case::here("fs::file::read_to_end", |fx| {
            let mut f = File::open(fx.file("a", b"hello")).unwrap();
            let mut buf = b"> ".to_vec();
            let (r, site) = at!(shim::fs::file::read_to_end(&mut f, &mut buf));
            assert_eq!((r.unwrap(), buf.as_slice()), (5, &b"> hello"[..]));
            site.args(fd(&f))
        }),
        Case::here("fs::file::read_to_string", |fx| {
            let mut f = File::open(fx.file("a", b"hello")).unwrap();
            let mut buf = String::new();
            let (r, site) = at!(shim::fs::file::read_to_string(&mut f, &mut buf));
            assert_eq!((r.unwrap(), buf.as_str()), (5, "hello"));
            site.args(fd(&f))
        }),
        Case::here("fs::file::read_exact", |fx| {
            let mut f = File::open(fx.file("a", b"hi")).unwrap();
            let mut buf = [0u8; 3];
            let (r, site) = at!(shim::fs::file::read_exact(&mut f, &mut buf));
            assert_eq!(r.unwrap_err().kind(), std::io::ErrorKind::UnexpectedEof);
            site.args(format!("{}, 3 bytes", fd(&f)))
        }),
        Case::here("fs::file::write", |fx| {
            let p = fx.path("a");
            let mut f = File::create(&p).unwrap();
            let (r, site) = at!(shim::fs::file::write(&mut f, b"hello"));
            assert_eq!(r.unwrap(), 5);
            assert_eq!(fs::read(&p).unwrap(), b"hello");
            site.args(format!("{}, 5 bytes", fd(&f)))
        }),
        Case::here("fs::file::write_vectored", |fx| {
            let p = fx.path("a");
            let mut f = File::create(&p).unwrap();
            let bufs = [IoSlice::new(b"he"), IoSlice::new(b"llo")];
            let (r, site) = at!(shim::fs::file::write_vectored(&mut f, &bufs));
            assert_eq!(r.unwrap(), 5);
            assert_eq!(fs::read(&p).unwrap(), b"hello");
            site.args(format!("{}, 5 bytes", fd(&f)))
        }),
        Case::here("fs::file::write_all", |fx| {
            let p = fx.path("a");
            let mut f = File::create(&p).unwrap();
            let (r, site) = at!(shim::fs::file::write_all(&mut f, b"hello"));
            r.unwrap();
            assert_eq!(fs::read(&p).unwrap(), b"hello");
            site.args(format!("{}, 5 bytes", fd(&f)))
        }),
        Case::here("fs::file::write_fmt", |fx| {
            let p = fx.path("a");
            let mut f = File::create(&p).unwrap();
            let (r, site) = at!(shim::fs::file::write_fmt(
                &mut f,
                format_args!("{}-{}", 4, 2)
            ));
            r.unwrap();
            assert_eq!(fs::read(&p).unwrap(), b"4-2");
            site.args(fd(&f))
        }),
        Case::here("fs::file::read_at", |fx| {
            let f = File::open(fx.file("a", b"hello")).unwrap();
            let mut buf = [0u8; 3];
            let (r, site) = at!(shim::fs::file::read_at(&f, &mut buf, 2));
            assert_eq!((r.unwrap(), &buf), (3, b"llo"));
            site.args(format!("{}, 3 bytes, at 2", fd(&f)))
        }),
        Case::here("fs::file::write_at", |fx| {
            let p = fx.file("a", b"hello");
            let f = OpenOptions::new().write(true).open(&p).unwrap();
            let (r, site) = at!(shim::fs::file::write_at(&f, b"LL", 2));
            assert_eq!(r.unwrap(), 2);
            assert_eq!(fs::read(&p).unwrap(), b"heLLo");
            site.args(format!("{}, 2 bytes, at 2", fd(&f)))
        }),
        Case::here("fs::file::read_exact_at", |fx| {
            let f = File::open(fx.file("a", b"hello")).unwrap();
            let mut buf = [0u8; 2];
            let (r, site) = at!(shim::fs::file::read_exact_at(&f, &mut buf, 3));
            r.unwrap();
            assert_eq!(&buf, b"lo");
            site.args(format!("{}, 2 bytes, at 3", fd(&f)))
        }),
        Case::here("fs::file::write_all_at", |fx| {
            let p = fx.file("a", b"hello");
            let f = OpenOptions::new().write(true).open(&p).unwrap();
            let (r, site) = at!(shim::fs::file::write_all_at(&f, b"J", 0));
            r.unwrap();
            assert_eq!(fs::read(&p).unwrap(), b"Jello");
            site.args(format!("{}, 1 bytes, at 0", fd(&f)))
        }),
    ]
}

fn path_methods() -> Vec<Case> {
    vec![
        Case::here("path::path::exists", |fx| {
            let p = fx.file("a", b"");
            let (r, site) = at!(shim::path::path::exists(&p));
            assert!(r);
            site.args(p.display())
        }),
        Case::here("path::path::try_exists", |fx| {
            let p = fx.path("missing");
            let (r, site) = at!(shim::path::path::try_exists(&p));
            assert!(!r.unwrap());
            site.args(p.display())
        }),
        Case::here("path::path::is_file", |fx| {
            let (r, site) = at!(shim::path::path::is_file(fx.dir()));
            assert!(!r);
            site.args(fx.dir().display())
        }),
        Case::here("path::path::is_dir", |fx| {
            let (r, site) = at!(shim::path::path::is_dir(fx.dir()));
            assert!(r);
            site.args(fx.dir().display())
        }),
        Case::here("path::path::is_symlink", |fx| {
            let link = fx.path("l");
            std::os::unix::fs::symlink(fx.path("dangling"), &link).unwrap();
            let (r, site) = at!(shim::path::path::is_symlink(&link));
            assert!(r);
            site.args(link.display())
        }),
        Case::here("path::path::metadata", |fx| {
            let p = fx.file("a", b"four");
            let (r, site) = at!(shim::path::path::metadata(&p));
            assert_eq!(r.unwrap().len(), 4);
            site.args(p.display())
        }),
        Case::here("path::path::symlink_metadata", |fx| {
            let link = fx.path("l");
            std::os::unix::fs::symlink(fx.path("dangling"), &link).unwrap();
            let (r, site) = at!(shim::path::path::symlink_metadata(&link));
            assert!(r.unwrap().file_type().is_symlink());
            site.args(link.display())
        }),
        Case::here("path::path::canonicalize", |fx| {
            let p = fx.path("missing");
            let (r, site) = at!(shim::path::path::canonicalize(&p));
            assert_eq!(
                r.unwrap_err().raw_os_error(),
                p.canonicalize().unwrap_err().raw_os_error()
            );
            site.args(p.display())
        }),
        Case::here("path::path::read_link", |fx| {
            let (target, link) = (fx.path("t"), fx.path("l"));
            std::os::unix::fs::symlink(&target, &link).unwrap();
            let (r, site) = at!(shim::path::path::read_link(&link));
            assert_eq!(r.unwrap(), target);
            site.args(link.display())
        }),
        Case::here("path::path::read_dir", |fx| {
            fx.file("only", b"");
            let (r, site) = at!(shim::path::path::read_dir(fx.dir()));
            let listed: Vec<_> = r.unwrap().map(|e| e.unwrap().file_name()).collect();
            assert_eq!(listed, ["only"]);
            site.args(fx.dir().display())
        }),
    ]
}

fn buffered() -> Vec<Case> {
    fn reader(fx: &super::Fixture) -> BufReader<File> {
        BufReader::new(File::open(fx.file("lines", b"one\ntwo\n")).unwrap())
    }
    fn fd_of(reader: &BufReader<File>) -> String {
        fd(reader.get_ref())
    }
    vec![
        Case::here("io::buf_reader_file::read_line", |fx| {
            let mut r = reader(fx);
            let mut line = String::new();
            let (n, site) = at!(shim::io::buf_reader_file::read_line(&mut r, &mut line));
            assert_eq!((n.unwrap(), line.as_str()), (4, "one\n"));
            site.args(fd_of(&r))
        }),
        Case::here("io::buf_reader_file::read_until", |fx| {
            let mut r = reader(fx);
            let mut buf = Vec::new();
            let (n, site) = at!(shim::io::buf_reader_file::read_until(
                &mut r, b'e', &mut buf
            ));
            assert_eq!((n.unwrap(), buf.as_slice()), (3, &b"one"[..]));
            site.args(fd_of(&r))
        }),
        Case::here("io::buf_reader_file::lines", |fx| {
            let r = reader(fx);
            let fd = fd_of(&r);
            let (lines, site) = at!(shim::io::buf_reader_file::lines(r));
            let lines: Vec<String> = lines.map(Result::unwrap).collect();
            assert_eq!(lines, ["one", "two"]);
            site.args(fd)
        }),
        Case::here("io::buf_reader_file::read", |fx| {
            let mut r = reader(fx);
            let mut buf = [0u8; 2];
            let (n, site) = at!(shim::io::buf_reader_file::read(&mut r, &mut buf));
            assert_eq!((n.unwrap(), &buf), (2, b"on"));
            assert_eq!(
                r.fill_buf().unwrap(),
                b"e\ntwo\n",
                "the rest stays buffered"
            );
            site.args(format!("{}, 2 bytes", fd_of(&r)))
        }),
        Case::here("io::buf_reader_file::read_to_end", |fx| {
            let mut r = reader(fx);
            let mut buf = Vec::new();
            let (n, site) = at!(shim::io::buf_reader_file::read_to_end(&mut r, &mut buf));
            assert_eq!((n.unwrap(), buf.as_slice()), (8, &b"one\ntwo\n"[..]));
            site.args(fd_of(&r))
        }),
        Case::here("io::buf_reader_file::read_to_string", |fx| {
            let mut r = reader(fx);
            let mut text = String::new();
            let (n, site) = at!(shim::io::buf_reader_file::read_to_string(&mut r, &mut text));
            assert_eq!((n.unwrap(), text.as_str()), (8, "one\ntwo\n"));
            site.args(fd_of(&r))
        }),
        Case::here("io::buf_reader_file::read_exact", |fx| {
            let mut r = reader(fx);
            let mut buf = [0u8; 5];
            let (n, site) = at!(shim::io::buf_reader_file::read_exact(&mut r, &mut buf));
            n.unwrap();
            assert_eq!(&buf, b"one\nt");
            site.args(format!("{}, 5 bytes", fd_of(&r)))
        }),
    ]
}
