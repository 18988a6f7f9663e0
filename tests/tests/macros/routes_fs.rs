//! `#[aiocop::monitor]` on real files: every routed `std::fs`, `std::os::unix::fs` and
//! `BufReader<File>` operation, written the way users write it, is recorded with its catalog name
//! and weight at the line of the call, and returns what the same code returns unannotated.

use std::fs::{File, Permissions};
use std::io::{BufRead, BufReader, IoSlice, IoSliceMut, Read, Write};
use std::os::unix::fs::{FileExt, MetadataExt, PermissionsExt};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aiocop::events::collect_events;
use aiocop_lints::catalog::*;
use aiocop_tests::{
    Fixture, Source, assert_nothing_routed, assert_routed, dbg, route_tests, routed, setup, twin,
};

const FILE: &str = "tests/tests/macros/routes_fs.rs";
const SRC: Source = Source(include_str!("routes_fs.rs"));

fn at(marker: &str) -> u32 {
    SRC.line(marker)
}

twin! {
    /// The free functions of `std::fs` and `std::os::unix::fs`, by full path, through `use
    /// std::fs` and imported by name.
    async fn fs_functions / fs_functions_plain(fx: &Fixture) -> std::io::Result<Vec<String>> {
        use std::fs;
        use std::fs::copy;
        use std::os::unix::fs::{chown, fchown, lchown, symlink};
        let (a, b, c) = (fx.path("a.txt"), fx.path("b.txt"), fx.path("c.txt"));
        let (dir, tree) = (fx.path("d"), fx.path("t/u/v"));
        let link = fx.path("link");
        let mut out = Vec::new();
        std::fs::write(&a, "hello")?; // @write
        out.push(dbg(&fs::read(&a))); // @read
        let text = fs::read_to_string(&a)?; // @read_to_string
        out.push(text);
        out.push(dbg(&copy(&a, &b))); // @copy
        fs::rename(&b, &c)?; // @rename
        fs::hard_link(&c, &b)?; // @hard_link
        fs::remove_file(&b)?; // @remove_file
        fs::create_dir(&dir)?; // @create_dir
        fs::remove_dir(&dir)?; // @remove_dir
        fs::create_dir_all(&tree)?; // @create_dir_all
        fs::remove_dir_all(fx.path("t"))?; // @remove_dir_all
        let mut names: Vec<String> = fs::read_dir(fx.dir())? // @read_dir
            .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<Result<_, _>>()?;
        names.sort();
        out.push(dbg(&names));
        fs::set_permissions(&c, Permissions::from_mode(0o600))?; // @set_permissions
        let meta = fs::metadata(&c)?; // @metadata
        out.push(dbg(&(meta.len(), meta.permissions().mode() & 0o777)));
        symlink(&c, &link)?; // @symlink
        let link_meta = fs::symlink_metadata(&link)?; // @symlink_metadata
        out.push(dbg(&link_meta.file_type().is_symlink()));
        let canonical = fs::canonicalize(fx.dir().join(".").join("c.txt"))?; // @canonicalize
        out.push(dbg(&(canonical.is_absolute(), canonical.file_name())));
        out.push(fx.rel(&fs::read_link(&link)?)); // @read_link
        out.push(dbg(&fs::exists(&a))); // @exists
        chown(&c, Some(meta.uid()), None)?; // @chown
        let file = File::open(&c)?; // @open_for_fchown
        fchown(&file, None, Some(meta.gid()))?; // @fchown
        lchown(&link, None, None)?; // @lchown
        out.push(dbg(&fs::read("/nonexistent/aiocop/x").map_err(|e| e.kind()))); // @read_missing
        Ok(out)
    }
}

async fn fs_functions_are_recorded() -> Vec<&'static str> {
    setup();
    let fx = Fixture::new();
    let (out, events) = collect_events(fs_functions(&fx)).await;
    let plain = fs_functions_plain(&Fixture::new()).await;
    assert_eq!(dbg(&out), dbg(&plain));
    let out = out.unwrap();
    assert_eq!(out[0], dbg(&Ok::<_, ()>(b"hello".to_vec())));
    assert_eq!(out[1], "hello");
    assert_eq!(out[3], r#"["a.txt", "c.txt"]"#);
    assert_eq!(out[4], "(5, 384)");
    let (a, b, c) = (fx.path("a.txt"), fx.path("b.txt"), fx.path("c.txt"));
    let (dir, tree, link) = (fx.path("d"), fx.path("t/u/v"), fx.path("link"));
    let (a, b, c) = (a.display(), b.display(), c.display());
    let (dir, tree, link) = (dir.display(), tree.display(), link.display());
    assert_routed(
        FILE,
        &events,
        &[
            routed(&STD_FS_WRITE, at("write"), format!("{a}, hello")),
            routed(&STD_FS_READ, at("read"), &a),
            routed(&STD_FS_READ_TO_STRING, at("read_to_string"), &a),
            routed(&STD_FS_COPY, at("copy"), format!("{a}, {b}")),
            routed(&STD_FS_RENAME, at("rename"), format!("{b}, {c}")),
            routed(&STD_FS_HARD_LINK, at("hard_link"), format!("{c}, {b}")),
            routed(&STD_FS_REMOVE_FILE, at("remove_file"), &b),
            routed(&STD_FS_CREATE_DIR, at("create_dir"), &dir),
            routed(&STD_FS_REMOVE_DIR, at("remove_dir"), &dir),
            routed(&STD_FS_CREATE_DIR_ALL, at("create_dir_all"), &tree),
            routed(
                &STD_FS_REMOVE_DIR_ALL,
                at("remove_dir_all"),
                "fx.path(\"t\")",
            ),
            routed(&STD_FS_READ_DIR, at("read_dir"), "fx.dir()"),
            routed(
                &STD_FS_SET_PERMISSIONS,
                at("set_permissions"),
                format!("{c}, Permissions::from_mode(0o600)"),
            ),
            routed(&STD_FS_METADATA, at("metadata"), &c),
            routed(
                &STD_OS_UNIX_FS_SYMLINK,
                at("symlink"),
                format!("{c}, {link}"),
            ),
            routed(&STD_FS_SYMLINK_METADATA, at("symlink_metadata"), &link),
            routed(
                &STD_FS_CANONICALIZE,
                at("canonicalize"),
                "fx.dir().join(\".\").join(\"c.txt\")",
            ),
            routed(&STD_FS_READ_LINK, at("read_link"), &link),
            routed(&STD_FS_EXISTS, at("exists"), &a),
            routed(
                &STD_OS_UNIX_FS_CHOWN,
                at("chown"),
                format!("{c}, Some(meta.uid()), None"),
            ),
            routed(&STD_FS_FILE_OPEN, at("open_for_fchown"), &c),
            routed(
                &STD_OS_UNIX_FS_FCHOWN,
                at("fchown"),
                "&file, None, Some(meta.gid())",
            ),
            routed(
                &STD_OS_UNIX_FS_LCHOWN,
                at("lchown"),
                format!("{link}, None, None"),
            ),
            routed(&STD_FS_READ, at("read_missing"), "/nonexistent/aiocop/x"),
        ],
    )
}

twin! {
    /// `File`'s own methods, `OpenOptions::open`, `DirBuilder::create`, `DirEntry::metadata`.
    async fn file_handles / file_handles_plain(fx: &Fixture) -> std::io::Result<Vec<String>> {
        use std::fs::{DirBuilder, FileTimes, OpenOptions};
        let p = fx.path("h.txt");
        let mut out = Vec::new();
        let file = File::create(&p)?; // @create
        out.push(dbg(&File::create_new(&p).map_err(|e| e.kind()))); // @create_new
        let mut options = OpenOptions::new();
        options.read(true).write(true);
        let rw = options.open(&p)?; // @options_open
        rw.set_len(3)?; // @set_len
        rw.sync_all()?; // @sync_all
        rw.sync_data()?; // @sync_data
        let perms = Permissions::from_mode(0o640);
        rw.set_permissions(perms)?; // @file_set_permissions
        let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        rw.set_times(FileTimes::new().set_accessed(when))?; // @set_times
        rw.set_modified(when)?; // @set_modified
        let meta = file.metadata()?; // @file_metadata
        out.push(dbg(&(meta.len(), meta.permissions().mode() & 0o777, meta.modified()? == when)));
        file.lock()?; // @lock
        out.push(dbg(&rw.try_lock_shared())); // @try_lock_shared
        file.unlock()?;
        file.lock_shared()?; // @lock_shared
        out.push(dbg(&rw.try_lock())); // @try_lock
        file.unlock()?;
        let made = fx.path("made/deeper");
        DirBuilder::new().recursive(true).create(&made)?; // @dir_builder_create
        let parent = fx.path("made");
        for entry in parent.read_dir()? { // @path_read_dir
            let entry = entry?;
            out.push(dbg(&entry.metadata()?.is_dir())); // @dir_entry_metadata
        }
        Ok(out)
    }
}

async fn file_handles_are_recorded() -> Vec<&'static str> {
    setup();
    let fx = Fixture::new();
    let (out, events) = collect_events(file_handles(&fx)).await;
    let plain = file_handles_plain(&Fixture::new()).await;
    assert_eq!(dbg(&out), dbg(&plain));
    assert_eq!(
        out.unwrap(),
        [
            r#"Err(AlreadyExists)"#,
            "(3, 416, true)",
            r#"Err("WouldBlock")"#,
            r#"Err("WouldBlock")"#,
            "true",
        ]
    );
    let p = fx.path("h.txt");
    let p = p.display();
    let made = fx.path("made/deeper");
    let parent = fx.path("made");
    assert_routed(
        FILE,
        &events,
        &[
            routed(&STD_FS_FILE_CREATE, at("create"), &p),
            routed(&STD_FS_FILE_CREATE_NEW, at("create_new"), &p),
            routed(&STD_FS_OPEN_OPTIONS_OPEN, at("options_open"), &p),
            routed(&STD_FS_FILE_SET_LEN, at("set_len"), 3),
            routed(&STD_FS_FILE_SYNC_ALL, at("sync_all"), ""),
            routed(&STD_FS_FILE_SYNC_DATA, at("sync_data"), ""),
            routed(
                &STD_FS_FILE_SET_PERMISSIONS,
                at("file_set_permissions"),
                dbg(&Permissions::from_mode(0o640)),
            ),
            routed(
                &STD_FS_FILE_SET_TIMES,
                at("set_times"),
                "FileTimes::new().set_accessed(when)",
            ),
            routed(&STD_FS_FILE_SET_MODIFIED, at("set_modified"), "when"),
            routed(&STD_FS_FILE_METADATA, at("file_metadata"), ""),
            routed(&STD_FS_FILE_LOCK, at("lock"), ""),
            routed(&STD_FS_FILE_TRY_LOCK_SHARED, at("try_lock_shared"), ""),
            routed(&STD_FS_FILE_LOCK_SHARED, at("lock_shared"), ""),
            routed(&STD_FS_FILE_TRY_LOCK, at("try_lock"), ""),
            routed(
                &STD_FS_DIR_BUILDER_CREATE,
                at("dir_builder_create"),
                made.display(),
            ),
            routed(
                &STD_PATH_PATH_READ_DIR,
                at("path_read_dir"),
                parent.display(),
            ),
            routed(&STD_FS_DIR_ENTRY_METADATA, at("dir_entry_metadata"), ""),
        ],
    )
}

/// A file inside a struct, read through a field.
struct Store {
    file: File,
}

twin! {
    /// `Read`, `Write` and `FileExt` on a `File`, through a place, a temporary, `&File`, `&mut
    /// File`, `Box<File>`, `Arc<File>`, a struct field, and `write!`/`writeln!`.
    async fn file_io / file_io_plain(fx: &Fixture) -> std::io::Result<Vec<String>> {
        let p = fx.path("io.txt");
        let mut out = Vec::new();
        let mut file = File::create(&p)?; // @io_create
        file.write_all(b"hello world\n")?; // @write_all
        out.push(dbg(&file.write(b"abc"))); // @file_write
        let n = file.write_vectored(&[IoSlice::new(b"de"), IoSlice::new(b"f\n")])?; // @write_vectored
        out.push(dbg(&n));
        write!(file, "{}-{}", 4, 2)?; // @write_macro
        writeln!(file)?; // @writeln_macro
        drop(file);
        let mut file = File::open(&p)?; // @io_open
        let mut head = [0u8; 5];
        out.push(dbg(&(file.read(&mut head)?, head))); // @file_read
        file.read_exact(&mut head[..1])?; // @read_exact
        let (mut a, mut b) = ([0u8; 2], [0u8; 3]);
        let n = file.read_vectored(&mut [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)])?; // @read_vectored
        out.push(dbg(&(n, a, b)));
        let by_ref: &mut File = &mut file;
        let mut rest = String::new();
        by_ref.read_to_string(&mut rest)?; // @file_read_to_string
        out.push(rest);
        let mut bytes = Vec::new();
        File::open(&p)?.read_to_end(&mut bytes)?; // @temp_read_to_end
        out.push(dbg(&bytes.len()));
        let mut shared = Arc::new(File::open(&p)?); // @arc_open
        let mut at = [0u8; 5];
        shared.read_at(&mut at, 6)?; // @read_at
        out.push(dbg(&at));
        shared.read_exact_at(&mut at, 0)?; // @read_exact_at
        out.push(dbg(&(shared.read(&mut at)?, at))); // @arc_read
        out.push(dbg(&(&*shared).read(&mut at))); // @ref_read
        let writer = std::fs::OpenOptions::new().write(true).open(&p)?; // @io_options_open
        out.push(dbg(&writer.write_at(b"H", 0))); // @write_at
        writer.write_all_at(b"W", 6)?; // @write_all_at
        let mut boxed = Box::new(File::open(&p)?); // @box_open
        bytes.clear();
        boxed.read_to_end(&mut bytes)?; // @box_read_to_end
        out.push(String::from_utf8_lossy(&bytes).into_owned());
        let mut store = Store { file: File::open(&p)? }; // @field_open
        let mut first = [0u8; 1];
        store.file.read_exact(&mut first)?; // @field_read_exact
        out.push(dbg(&first));
        out.push(dbg(&File::open(fx.path("missing")).map_err(|e| e.kind()))); // @open_missing
        Ok(out)
    }
}

async fn file_io_is_recorded() -> Vec<&'static str> {
    setup();
    let fx = Fixture::new();
    let (out, events) = collect_events(file_io(&fx)).await;
    let plain = file_io_plain(&Fixture::new()).await;
    assert_eq!(dbg(&out), dbg(&plain));
    let out = out.unwrap();
    assert_eq!(out[0], "Ok(3)");
    assert_eq!(out[2], r#"(5, [104, 101, 108, 108, 111])"#);
    assert_eq!(out[4], "\nabcdef\n4-2\n");
    assert_eq!(out[5], "23");
    assert_eq!(out[10], "Hello World\nabcdef\n4-2\n");
    assert_eq!(out[12], "Err(NotFound)");
    let p = fx.path("io.txt");
    let p = p.display();
    let missing = "fx.path(\"missing\")";
    assert_routed(
        FILE,
        &events,
        &[
            routed(&STD_FS_FILE_CREATE, at("io_create"), &p),
            routed(&STD_FS_FILE_WRITE_ALL, at("write_all"), ""),
            routed(&STD_FS_FILE_WRITE, at("file_write"), ""),
            routed(&STD_FS_FILE_WRITE_VECTORED, at("write_vectored"), ""),
            routed(&STD_FS_FILE_WRITE_FMT, at("write_macro"), ""),
            routed(&STD_FS_FILE_WRITE_FMT, at("writeln_macro"), ""),
            routed(&STD_FS_FILE_OPEN, at("io_open"), &p),
            routed(&STD_FS_FILE_READ, at("file_read"), ""),
            routed(&STD_FS_FILE_READ_EXACT, at("read_exact"), ""),
            routed(&STD_FS_FILE_READ_VECTORED, at("read_vectored"), ""),
            routed(&STD_FS_FILE_READ_TO_STRING, at("file_read_to_string"), ""),
            routed(&STD_FS_FILE_OPEN, at("temp_read_to_end"), &p),
            routed(&STD_FS_FILE_READ_TO_END, at("temp_read_to_end"), ""),
            routed(&STD_FS_FILE_OPEN, at("arc_open"), &p),
            routed(&STD_FS_FILE_READ_AT, at("read_at"), ""),
            routed(&STD_FS_FILE_READ_EXACT_AT, at("read_exact_at"), ""),
            routed(&STD_FS_FILE_READ, at("arc_read"), ""),
            routed(&STD_FS_FILE_READ, at("ref_read"), ""),
            routed(&STD_FS_OPEN_OPTIONS_OPEN, at("io_options_open"), &p),
            routed(&STD_FS_FILE_WRITE_AT, at("write_at"), ""),
            routed(&STD_FS_FILE_WRITE_ALL_AT, at("write_all_at"), ""),
            routed(&STD_FS_FILE_OPEN, at("box_open"), &p),
            routed(&STD_FS_FILE_READ_TO_END, at("box_read_to_end"), ""),
            routed(&STD_FS_FILE_OPEN, at("field_open"), &p),
            routed(&STD_FS_FILE_READ_EXACT, at("field_read_exact"), ""),
            routed(&STD_FS_FILE_OPEN, at("open_missing"), missing),
        ],
    )
}

twin! {
    /// `BufRead` and `Read` on a `BufReader<File>`.
    async fn buffered / buffered_plain(fx: &Fixture) -> std::io::Result<Vec<String>> {
        let p = fx.file("lines.txt", b"one\ntwo\nthree\nfour\n");
        let mut out = Vec::new();
        let mut reader = BufReader::new(File::open(&p)?); // @buf_open
        let mut line = String::new();
        reader.read_line(&mut line)?; // @read_line
        let mut until = Vec::new();
        reader.read_until(b'o', &mut until)?; // @read_until
        let mut two = [0u8; 2];
        out.push(dbg(&(reader.read(&mut two)?, two))); // @buf_read
        reader.read_exact(&mut two)?; // @buf_read_exact
        let mut rest = String::new();
        reader.read_to_string(&mut rest)?; // @buf_read_to_string
        out.push(dbg(&(line, until, two, rest)));
        let mut all = Vec::new();
        BufReader::new(File::open(&p)?).read_to_end(&mut all)?; // @buf_read_to_end
        out.push(dbg(&all.len()));
        let reader = BufReader::new(File::open(&p)?); // @lines_open
        let lines: Vec<String> = reader.lines().collect::<Result<_, _>>()?; // @lines
        out.push(dbg(&lines));
        Ok(out)
    }
}

async fn buffered_reads_are_recorded() -> Vec<&'static str> {
    setup();
    let fx = Fixture::new();
    let (out, events) = collect_events(buffered(&fx)).await;
    let plain = buffered_plain(&Fixture::new()).await;
    assert_eq!(dbg(&out), dbg(&plain));
    assert_eq!(
        out.unwrap(),
        [
            "(2, [10, 116])",
            r#"("one\n", [116, 119, 111], [104, 114], "ee\nfour\n")"#,
            "19",
            r#"["one", "two", "three", "four"]"#,
        ]
    );
    let p = fx.path("lines.txt");
    let p = p.display();
    assert_routed(
        FILE,
        &events,
        &[
            routed(&STD_FS_FILE_OPEN, at("buf_open"), &p),
            routed(&STD_IO_BUF_READER_FILE_READ_LINE, at("read_line"), ""),
            routed(&STD_IO_BUF_READER_FILE_READ_UNTIL, at("read_until"), ""),
            routed(&STD_IO_BUF_READER_FILE_READ, at("buf_read"), ""),
            routed(&STD_IO_BUF_READER_FILE_READ_EXACT, at("buf_read_exact"), ""),
            routed(
                &STD_IO_BUF_READER_FILE_READ_TO_STRING,
                at("buf_read_to_string"),
                "",
            ),
            routed(&STD_FS_FILE_OPEN, at("buf_read_to_end"), &p),
            routed(
                &STD_IO_BUF_READER_FILE_READ_TO_END,
                at("buf_read_to_end"),
                "",
            ),
            routed(&STD_FS_FILE_OPEN, at("lines_open"), &p),
            routed(&STD_IO_BUF_READER_FILE_LINES, at("lines"), ""),
        ],
    )
}

/// A user type whose methods are named like the file system's.
struct Disk {
    blocks: Vec<u8>,
}

impl Disk {
    fn open(&self, _path: &str) -> std::io::Result<usize> {
        Ok(self.blocks.len())
    }
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.blocks.len());
        buf[..n].copy_from_slice(&self.blocks[..n]);
        Ok(n)
    }
    fn read_to_end(&mut self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
        buf.extend_from_slice(&self.blocks);
        Ok(self.blocks.len())
    }
    fn metadata(&self) -> usize {
        self.blocks.len()
    }
    fn sync_all(&self) -> std::io::Result<()> {
        Ok(())
    }
    fn set_len(&mut self, len: usize) {
        self.blocks.resize(len, 0);
    }
    fn lock(&self) -> bool {
        true
    }
    fn create(&self, _path: &str) -> bool {
        false
    }
    fn lines(&self) -> usize {
        1
    }
    fn read_line(&self, line: &mut String) -> usize {
        line.push('x');
        1
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.blocks.extend_from_slice(buf);
        Ok(())
    }
}

/// A user function with a std function's name and a different result type.
fn copy(from: u8, to: u8) -> u16 {
    u16::from(from) + u16::from(to)
}

#[aiocop::monitor]
async fn fs_look_alikes(fx: &Fixture) -> std::io::Result<Vec<String>> {
    let p = fx.file("look.txt", b"abc");
    let mut out = Vec::new();
    out.push(dbg(&tokio::fs::read(&p).await?));
    let opening = tokio::fs::File::open(&p);
    let mut tokio_file = opening.await?;
    let meta = tokio_file.metadata();
    out.push(dbg(&meta.await?.len()));
    let mut text = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut tokio_file, &mut text).await?;
    out.push(text);
    let mut options = tokio::fs::OpenOptions::new();
    let opening = options.read(true).open(&p);
    let mut again = opening.await?;
    let mut buf = Vec::new();
    let reading = tokio::io::AsyncReadExt::read_to_end(&mut again, &mut buf);
    out.push(dbg(&reading.await?));
    let mut cursor = std::io::Cursor::new(b"xyz".to_vec());
    let mut into = String::new();
    cursor.read_to_string(&mut into)?;
    let mut slice: &[u8] = b"12";
    let mut two = [0u8; 2];
    slice.read_exact(&mut two)?;
    let mut sink = Vec::new();
    sink.write_all(b"out")?;
    write!(sink, "{}", 1)?;
    std::io::sink().write_all(b"gone")?;
    let mut lines = std::io::Cursor::new("a\nb\n").lines();
    out.push(dbg(&(into, two, sink, lines.next().transpose()?)));
    let mut disk = Disk {
        blocks: b"disk".to_vec(),
    };
    let mut head = [0u8; 2];
    let mut all = Vec::new();
    let mut line = String::new();
    disk.set_len(3);
    disk.write_all(b"!")?;
    out.push(dbg(&(
        disk.open("x")?,
        disk.read(&mut head)?,
        disk.read_to_end(&mut all)?,
        disk.metadata(),
        disk.sync_all()?,
        disk.lock(),
        disk.create("y"),
        disk.lines(),
        disk.read_line(&mut line),
        copy(1, 2),
    )));
    Ok(out)
}

async fn fs_look_alikes_record_nothing() -> Vec<&'static str> {
    setup();
    let fx = Fixture::new();
    let (out, events) = collect_events(fs_look_alikes(&fx)).await;
    assert_eq!(
        out.unwrap(),
        [
            "[97, 98, 99]",
            "3",
            "abc",
            "3",
            r#"("xyz", [49, 50], [111, 117, 116, 49], Some("a"))"#,
            "(4, 2, 4, 4, (), true, false, 1, 1, 3)",
        ]
    );
    assert_nothing_routed(&events)
}

route_tests!(
    "fs";
    fs_functions_are_recorded,
    file_handles_are_recorded,
    file_io_is_recorded,
    buffered_reads_are_recorded,
    fs_look_alikes_record_nothing,
);
