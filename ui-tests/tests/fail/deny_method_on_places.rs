//! `deny` sees a std receiver wherever it stands: at a place over a temporary, and at a place
//! known by its type alone.
use std::fs::File;

struct Conn {
    file: File,
}

impl Conn {
    fn get(&self) -> &Conn {
        self
    }
}

#[aiocop::monitor(deny)]
async fn sizes(conn: &Conn, files: &[File], i: usize) -> u64 {
    let a = conn.get().file.metadata().map(|m| m.len()).unwrap_or(0);
    let b = files[i + 1].metadata().map(|m| m.len()).unwrap_or(0);
    a + b
}

fn main() {}
