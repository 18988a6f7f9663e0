//! `#[aiocop::monitor]` on `Path` methods and `std::env`/`std::path` functions: each routed call is
//! recorded with the path it touched, at the line of the call, through `Path`, `PathBuf`,
//! references, smart pointers and closure arguments, and returns what the same code returns
//! unannotated.

use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use aiocop::events::collect_events;
use aiocop_lints::catalog::*;
use aiocop_tests::{
    Fixture, Source, assert_nothing_routed, assert_routed, dbg, route_tests, routed, setup, twin,
};

const FILE: &str = "tests/tests/macros/routes_path.rs";
const SRC: Source = Source(include_str!("routes_path.rs"));

fn at(marker: &str) -> u32 {
    SRC.line(marker)
}

twin! {
    /// Every routed `Path` method, on a `PathBuf` place, a `&Path` parameter, a temporary
    /// `Path::new(..)`, `Box<Path>`, `Arc<PathBuf>`, `Rc<Path>` and `&&PathBuf` in a closure.
    async fn path_methods / path_methods_plain(fx: &Fixture, dir: &Path) -> std::io::Result<Vec<String>> {
        let (file, link) = (fx.path("f.txt"), fx.path("link"));
        let missing = fx.path("missing");
        let exists = file.exists(); // @exists
        let mut out = vec![dbg(&exists)];
        out.push(dbg(&missing.try_exists())); // @try_exists
        out.push(dbg(&dir.is_file())); // @is_file
        out.push(dbg(&dir.is_dir())); // @is_dir
        out.push(dbg(&link.is_symlink())); // @is_symlink
        out.push(dbg(&file.metadata()?.len())); // @metadata
        let meta = link.symlink_metadata()?; // @symlink_metadata
        out.push(dbg(&meta.file_type().is_symlink()));
        let canonical = link.canonicalize()?; // @canonicalize
        out.push(dbg(&canonical.file_name()));
        out.push(fx.rel(&link.read_link()?)); // @read_link
        let mut names: Vec<_> = dir.read_dir()?.map(|e| e.map(|e| e.file_name())).collect::<Result<_, _>>()?; // @read_dir
        names.sort();
        out.push(dbg(&names));
        out.push(dbg(&Path::new("/nonexistent/aiocop").exists())); // @temporary
        let boxed: Box<Path> = file.clone().into_boxed_path();
        out.push(dbg(&boxed.is_file())); // @boxed
        let shared = Arc::new(file.clone());
        out.push(dbg(&shared.metadata().map(|m| m.is_file()))); // @arc
        let counted: Rc<Path> = Rc::from(dir);
        out.push(dbg(&counted.try_exists())); // @rc
        let paths = [file.clone(), missing.clone()];
        let existing: Vec<String> = paths.iter().filter(|p| p.exists()).map(|p| fx.rel(p)).collect(); // @closure
        out.push(dbg(&existing));
        out.push(dbg(&missing.canonicalize().map_err(|e| e.kind()))); // @canonicalize_missing
        Ok(out)
    }
}

/// A directory holding `f.txt` and a symbolic link `link` to it.
fn with_link() -> Fixture {
    let fx = Fixture::new();
    fx.file("f.txt", b"four");
    std::os::unix::fs::symlink("f.txt", fx.path("link")).unwrap();
    fx
}

async fn path_methods_are_recorded() -> Vec<&'static str> {
    setup();
    let fx = with_link();
    let (out, events) = collect_events(path_methods(&fx, fx.dir())).await;
    let other = with_link();
    let plain = path_methods_plain(&other, other.dir()).await;
    assert_eq!(dbg(&out), dbg(&plain));
    assert_eq!(
        out.unwrap(),
        [
            "true",
            "Ok(false)",
            "false",
            "true",
            "true",
            "4",
            "true",
            r#"Some("f.txt")"#,
            "f.txt",
            r#"["f.txt", "link"]"#,
            "false",
            "true",
            "Ok(true)",
            "Ok(true)",
            r#"["<fx>/f.txt"]"#,
            "Err(NotFound)",
        ]
    );
    let (file, link, missing) = (fx.path("f.txt"), fx.path("link"), fx.path("missing"));
    let (file, link, missing) = (file.display(), link.display(), missing.display());
    let dir = fx.dir().display();
    assert_routed(
        FILE,
        &events,
        &[
            routed(&STD_PATH_PATH_EXISTS, at("exists"), &file),
            routed(&STD_PATH_PATH_TRY_EXISTS, at("try_exists"), &missing),
            routed(&STD_PATH_PATH_IS_FILE, at("is_file"), &dir),
            routed(&STD_PATH_PATH_IS_DIR, at("is_dir"), &dir),
            routed(&STD_PATH_PATH_IS_SYMLINK, at("is_symlink"), &link),
            routed(&STD_PATH_PATH_METADATA, at("metadata"), &file),
            routed(
                &STD_PATH_PATH_SYMLINK_METADATA,
                at("symlink_metadata"),
                &link,
            ),
            routed(&STD_PATH_PATH_CANONICALIZE, at("canonicalize"), &link),
            routed(&STD_PATH_PATH_READ_LINK, at("read_link"), &link),
            routed(&STD_PATH_PATH_READ_DIR, at("read_dir"), &dir),
            routed(
                &STD_PATH_PATH_EXISTS,
                at("temporary"),
                "/nonexistent/aiocop",
            ),
            routed(&STD_PATH_PATH_IS_FILE, at("boxed"), &file),
            routed(&STD_PATH_PATH_METADATA, at("arc"), &file),
            routed(&STD_PATH_PATH_TRY_EXISTS, at("rc"), &dir),
            routed(&STD_PATH_PATH_EXISTS, at("closure"), &file),
            routed(&STD_PATH_PATH_EXISTS, at("closure"), &missing),
            routed(
                &STD_PATH_PATH_CANONICALIZE,
                at("canonicalize_missing"),
                &missing,
            ),
        ],
    )
}

twin! {
    /// `std::env::current_dir`, `std::env::set_current_dir` and `std::path::absolute`.
    async fn env_functions / env_functions_plain() -> std::io::Result<Vec<String>> {
        use std::env;
        use std::path::absolute;
        let cwd = std::env::current_dir()?; // @current_dir
        // The directory the process is already in: other tests running in parallel must not
        // see it change.
        env::set_current_dir(&cwd)?; // @set_current_dir
        let resolved = absolute("some/relative")?; // @absolute
        let empty = std::path::absolute("").map_err(|e| e.kind()); // @absolute_empty
        Ok(vec![
            dbg(&(cwd == Path::new(env!("CARGO_MANIFEST_DIR")))),
            dbg(&(resolved == cwd.join("some/relative"))),
            dbg(&empty),
        ])
    }
}

async fn env_functions_are_recorded() -> Vec<&'static str> {
    setup();
    let (out, events) = collect_events(env_functions()).await;
    let plain = env_functions_plain().await;
    assert_eq!(dbg(&out), dbg(&plain));
    assert_eq!(out.unwrap(), ["true", "true", "Err(InvalidInput)"]);
    let cwd = std::env::current_dir().unwrap();
    assert_routed(
        FILE,
        &events,
        &[
            routed(&STD_ENV_CURRENT_DIR, at("current_dir"), ""),
            routed(
                &STD_ENV_SET_CURRENT_DIR,
                at("set_current_dir"),
                cwd.display(),
            ),
            routed(&STD_PATH_ABSOLUTE, at("absolute"), "some/relative"),
            routed(&STD_PATH_ABSOLUTE, at("absolute_empty"), ""),
        ],
    )
}

/// A user type whose methods are named like `Path`'s.
struct Key(&'static str);

impl Key {
    fn exists(&self) -> bool {
        !self.0.is_empty()
    }
    fn is_file(&self) -> bool {
        self.0.contains('.')
    }
    fn is_dir(&self) -> bool {
        self.0.ends_with('/')
    }
    fn metadata(&self) -> usize {
        self.0.len()
    }
    fn canonicalize(&self) -> String {
        self.0.to_lowercase()
    }
    fn read_dir(&self) -> Vec<&'static str> {
        self.0.split('/').collect()
    }
}

/// A user function with a std function's name and a different result type.
fn current_dir() -> &'static str {
    "/virtual"
}

#[aiocop::monitor]
async fn path_look_alikes(
    fx: &Fixture,
    absolute: impl Fn(&str) -> std::io::Result<PathBuf>,
) -> std::io::Result<Vec<String>> {
    let p = fx.file("look.txt", b"abc");
    let key = Key("A/b.txt");
    let exists = tokio::fs::try_exists(&p).await?;
    let meta = tokio::fs::metadata(&p);
    let len = meta.await?.len();
    let canonical = tokio::fs::canonicalize(&p).await?;
    let joined = Path::new("a").join("b");
    Ok(vec![
        dbg(&(exists, len, canonical.file_name())),
        dbg(&(key.exists(), key.is_file(), key.is_dir(), key.metadata())),
        dbg(&(key.canonicalize(), key.read_dir())),
        dbg(&(current_dir(), absolute("x")?, joined, p.file_name())),
    ])
}

async fn path_look_alikes_record_nothing() -> Vec<&'static str> {
    setup();
    let fx = Fixture::new();
    let (out, events) =
        collect_events(path_look_alikes(&fx, |s| Ok(PathBuf::from("/mem").join(s)))).await;
    assert_eq!(
        out.unwrap(),
        [
            r#"(true, 3, Some("look.txt"))"#,
            "(true, true, false, 7)",
            r#"("a/b.txt", ["A", "b.txt"])"#,
            r#"("/virtual", "/mem/x", "a/b", Some("look.txt"))"#,
        ]
    );
    assert_nothing_routed(&events)
}

route_tests!(
    "path";
    path_methods_are_recorded,
    env_functions_are_recorded,
    path_look_alikes_record_nothing,
);
