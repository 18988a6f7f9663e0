// Every blocking `std::fs` function, called by full path from async functions.
use std::path::Path;

async fn reads(p: &Path) -> std::io::Result<()> {
    let _bytes = std::fs::read(p)?; //~ BLOCKING std::fs::read
    let _text = std::fs::read_to_string(p)?; //~ BLOCKING std::fs::read_to_string
    for entry in std::fs::read_dir(p)? { //~ BLOCKING std::fs::read_dir
        let _ = entry;
    }
    Ok(())
}

async fn writes(p: &Path, q: &Path) -> std::io::Result<()> {
    std::fs::write(p, b"data")?; //~ BLOCKING std::fs::write
    std::fs::copy(p, q)?; //~ BLOCKING std::fs::copy
    std::fs::rename(p, q)?; //~ BLOCKING std::fs::rename
    std::fs::hard_link(p, q)?; //~ BLOCKING std::fs::hard_link
    std::fs::remove_file(q)?; //~ BLOCKING std::fs::remove_file
    Ok(())
}

async fn directories(p: &Path) -> std::io::Result<()> {
    std::fs::create_dir(p)?; //~ BLOCKING std::fs::create_dir
    std::fs::create_dir_all(p.join("a/b"))?; //~ BLOCKING std::fs::create_dir_all
    std::fs::remove_dir(p.join("a/b"))?; //~ BLOCKING std::fs::remove_dir
    std::fs::remove_dir_all(p)?; //~ BLOCKING std::fs::remove_dir_all
    Ok(())
}

async fn metadata(p: &Path) -> std::io::Result<bool> {
    let m = std::fs::metadata(p)?; //~ BLOCKING std::fs::metadata
    let l = std::fs::symlink_metadata(p)?; //~ BLOCKING std::fs::symlink_metadata
    let c = std::fs::canonicalize(p)?; //~ BLOCKING std::fs::canonicalize
    let t = std::fs::read_link(p)?; //~ BLOCKING std::fs::read_link
    std::fs::set_permissions(p, m.permissions())?; //~ BLOCKING std::fs::set_permissions
    let e = std::fs::exists(p)?; //~ BLOCKING std::fs::exists
    Ok(l.is_file() && c == t && e)
}

#[cfg(unix)]
async fn links(p: &Path, q: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(p, q) //~ BLOCKING std::os::unix::fs::symlink
}

// The same calls in sync functions never called from async code are fine.
fn sync_reads(p: &Path) -> std::io::Result<String> {
    std::fs::create_dir_all(p)?; //~ OK
    std::fs::read_to_string(p) //~ OK
}

fn main() {
    let _ = sync_reads(Path::new("x"));
}
