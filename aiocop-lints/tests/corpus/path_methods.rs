// std::path::Path methods that touch the file system, on receivers of evident type.
use std::path::{Path, PathBuf};

async fn checks(p: &Path) -> bool {
    let a = p.exists(); //~ BLOCKING std::path::Path::exists
    let b = p.is_file(); //~ BLOCKING std::path::Path::is_file
    let c = p.is_dir(); //~ BLOCKING std::path::Path::is_dir
    let d = p.is_symlink(); //~ BLOCKING std::path::Path::is_symlink
    let e = p.try_exists().unwrap_or(false); //~ BLOCKING std::path::Path::try_exists
    let _m = p.metadata(); //~ BLOCKING std::path::Path::metadata
    let _s = p.symlink_metadata(); //~ BLOCKING std::path::Path::symlink_metadata
    let _c = p.canonicalize(); //~ BLOCKING std::path::Path::canonicalize
    let _l = p.read_link(); //~ BLOCKING std::path::Path::read_link
    let _d = p.read_dir(); //~ BLOCKING std::path::Path::read_dir
    a && b && c && d && e
}

async fn constructed() -> bool {
    Path::new("/etc/hosts").exists() //~ BLOCKING std::path::Path::exists
}

async fn through_pathbuf(base: PathBuf) -> bool {
    let config = base.join("config.toml"); //~ OK
    config.is_file() //~ BLOCKING std::path::Path::is_file
}

async fn pure_path_methods(p: &Path) -> Option<String> {
    let _parent = p.parent(); //~ OK
    let _ext = p.extension(); //~ OK
    let joined = p.join("x"); //~ OK
    joined.file_name().map(|n| n.to_string_lossy().into_owned()) //~ OK
}

fn main() {}
