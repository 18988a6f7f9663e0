// Calls with blocking-sounding names that do not block, or are not std's.
use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::Path;

struct Mailbox {
    items: Vec<u32>,
}

impl Mailbox {
    fn recv(&mut self) -> Option<u32> {
        self.items.pop()
    }

    fn exists(&self) -> bool {
        !self.items.is_empty()
    }
}

struct Config;

impl Config {
    fn read(&self) -> u32 {
        7
    }
}

fn read(x: u32) -> u32 {
    x + 1
}

fn sleep(ms: u64) -> u64 {
    ms
}

async fn user_types(mut mb: Mailbox, cfg: Config) -> u32 {
    let a = mb.recv().unwrap_or(0); //~ OK
    let b = mb.exists(); //~ OK
    let c = cfg.read(); //~ OK
    let d = read(3); //~ OK
    let e = sleep(3); //~ OK
    a + u32::from(b) + c + d + e as u32
}

async fn in_memory() -> String {
    let mut cur = Cursor::new(b"abc".to_vec());
    let mut s = String::new();
    cur.read_to_string(&mut s).unwrap(); //~ OK
    let mut bytes: &[u8] = b"xyz";
    let mut v = Vec::new();
    bytes.read_to_end(&mut v).unwrap(); //~ OK
    s
}

async fn unknown_receivers<R: Read>(mut r: R, items: Vec<String>, map: HashMap<String, u32>) {
    let mut v = Vec::new();
    r.read_to_end(&mut v).ok(); //~ OK
    let _joined = items.join(","); //~ OK
    let _ = map.get("k"); //~ OK
    let words = vec!["a", "b"];
    let _w = words.concat(); //~ OK
}

async fn path_strings(p: &Path) -> String {
    let s = p.display().to_string(); //~ OK
    let _x = p.to_str(); //~ OK
    let _e = p.starts_with("/"); //~ OK
    s
}

async fn awaited_calls(p: &str) {
    let _ = tokio::fs::read(p).await; //~ OK
    let _ = tokio::fs::metadata(p).await; //~ OK
    let _ = tokio::fs::create_dir_all(p).await; //~ OK
    let _ = tokio::task::yield_now().await; //~ OK
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), tokio::fs::read(p)).await; //~ OK
}

fn main() {}
