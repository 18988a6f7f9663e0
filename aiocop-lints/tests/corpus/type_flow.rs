// Receivers whose std type flows from somewhere else: loop variables, indexing, tuple and
// struct patterns, fields through Cow/Box/Arc/Option/Result, closure parameters, and the return
// types of the crate's functions, of std and of common dependencies.
use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::thread::JoinHandle;

struct Roots {
    dirs: Vec<PathBuf>,
    cow: Cow<'static, Path>,
    boxed: Box<Path>,
    shared: Arc<PathBuf>,
    maybe: Option<PathBuf>,
    log: Option<File>,
    opened: std::io::Result<File>,
    by_name: HashMap<String, PathBuf>,
}

impl Roots {
    async fn find(&self, name: &str) -> bool {
        for dir in &self.dirs {
            if dir.join(name).is_dir() { //~ BLOCKING std::path::Path::is_dir
                return true;
            }
        }
        for dir in self.dirs.iter().rev() {
            let _ = dir.exists(); //~ BLOCKING std::path::Path::exists
        }
        for (i, dir) in self.dirs.iter().enumerate() {
            let _ = (i, dir.is_file()); //~ BLOCKING std::path::Path::is_file
        }
        false
    }

    async fn indexed(&self, dirs: &[PathBuf], names: Vec<String>, fixed: [PathBuf; 2]) -> bool {
        let _ = names[0].len(); //~ OK
        let _ = fixed[1].exists(); //~ BLOCKING std::path::Path::exists
        let _ = self.dirs[0].metadata(); //~ BLOCKING std::path::Path::metadata
        let _ = self.by_name["etc"].is_dir(); //~ BLOCKING std::path::Path::is_dir
        dirs[0].exists() //~ BLOCKING std::path::Path::exists
    }

    async fn fields(&mut self) -> std::io::Result<()> {
        let _ = self.cow.exists(); //~ BLOCKING std::path::Path::exists
        let _ = self.boxed.is_dir(); //~ BLOCKING std::path::Path::is_dir
        let _ = self.shared.metadata(); //~ BLOCKING std::path::Path::metadata
        if let Some(p) = &self.maybe {
            let _ = p.exists(); //~ BLOCKING std::path::Path::exists
        }
        let _ = self.maybe.as_ref().unwrap().exists(); //~ BLOCKING std::path::Path::exists
        if let Some(f) = &self.log {
            f.sync_all()?; //~ BLOCKING std::fs::File::sync_all
        }
        if let Some(f) = self.log.as_mut() {
            f.sync_data()?; //~ BLOCKING std::fs::File::sync_data
        }
        if let Ok(f) = &self.opened {
            f.sync_all()?; //~ BLOCKING std::fs::File::sync_all
        }
        let _ = self.by_name.get("etc").unwrap().exists(); //~ BLOCKING std::path::Path::exists
        let _ = self.dirs.first().map(|d| d.is_dir()); //~ BLOCKING std::path::Path::is_dir
        Ok(())
    }
}

fn spawn_worker() -> (JoinHandle<()>, Receiver<u8>) {
    let (_tx, rx) = std::sync::mpsc::channel();
    (std::thread::spawn(|| {}), rx)
}

struct Worker {
    handle: JoinHandle<()>,
    inbox: Receiver<u8>,
    name: String,
}

async fn patterns(w: Worker, pairs: Vec<(String, File)>) {
    let (handle, rx) = spawn_worker();
    let _ = rx.recv(); //~ BLOCKING std::sync::mpsc::Receiver::recv
    let _ = handle.join(); //~ BLOCKING std::thread::JoinHandle::join
    let pair = (std::thread::spawn(|| {}), 1);
    let (h2, _n) = pair;
    let _ = h2.join(); //~ BLOCKING std::thread::JoinHandle::join
    let Worker { handle, inbox: messages, name } = w;
    let _ = messages.recv(); //~ BLOCKING std::sync::mpsc::Receiver::recv
    let _ = name.len(); //~ OK
    let _ = handle.join(); //~ BLOCKING std::thread::JoinHandle::join
    for (_name, file) in &pairs {
        let _ = file.sync_all(); //~ BLOCKING std::fs::File::sync_all
    }
}

async fn closure_params(paths: Vec<PathBuf>, maybe: Option<PathBuf>) {
    paths.iter().for_each(|p| {
        let _ = p.exists(); //~ BLOCKING std::path::Path::exists
    });
    let _n = paths.iter().filter(|p| p.is_file()).count(); //~ BLOCKING std::path::Path::is_file
    let _any = paths.iter().any(|p| p.join("x").exists()); //~ BLOCKING std::path::Path::exists
    let _m = maybe.map(|p| p.is_dir()); //~ BLOCKING std::path::Path::is_dir
    let typed = |p: &Path| p.exists(); //~ BLOCKING std::path::Path::exists
    let _ = typed(Path::new("x"));
    let _lens: Vec<usize> = paths.iter().map(|p| p.as_os_str().len()).collect(); //~ OK
}

async fn returned(t: tokio::fs::File, s: tokio::net::TcpStream) -> std::io::Result<()> {
    let std_file = t.into_std().await;
    std_file.sync_all()?; //~ BLOCKING std::fs::File::sync_all
    let stream = s.into_std()?;
    let _ = stream.peek(&mut [0u8; 4]); //~ BLOCKING std::net::TcpStream::peek
    let real = std::fs::canonicalize("x")?; //~ BLOCKING std::fs::canonicalize
    let _ = real.is_dir(); //~ BLOCKING std::path::Path::is_dir
    let temp = tempfile::NamedTempFile::new()?; //~ BLOCKING tempfile::NamedTempFile::new
    temp.as_file().sync_all()?; //~ BLOCKING std::fs::File::sync_all
    let dir = tempfile::tempdir()?; //~ BLOCKING tempfile::tempdir
    let _ = dir.path().join("x").exists(); //~ BLOCKING std::path::Path::exists
    Ok(())
}

fn main() {}

// Blocking functions of common dependencies (a built-in table; the dependency's source is not
// read) and receivers of their types.
async fn dependencies(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let _body = reqwest::blocking::get(url)?.text()?; //~ BLOCKING reqwest::blocking::get
    let client = reqwest::blocking::Client::new();
    let _r = client.get(url).header("a", "b").send()?; //~ BLOCKING reqwest::blocking::RequestBuilder::send
    let mut db = postgres::Client::connect("host=db", postgres::NoTls)?; //~ BLOCKING postgres::Client::connect
    let _rows = db.query("SELECT 1", &[])?; //~ BLOCKING postgres::Client::query
    let conn = rusqlite::Connection::open("x.db")?; //~ BLOCKING rusqlite::Connection::open
    conn.execute("DELETE FROM t", [])?; //~ BLOCKING rusqlite::Connection::execute
    let _settings = config::Config::builder()
        .add_source(config::File::with_name("app"))
        .build()?; //~ BLOCKING config::ConfigBuilder::build
    // Async clients and look-alike names are not reported.
    let _ok = reqwest::get(url).await?; //~ OK
    let other = reqwest::Client::new();
    let _ok2 = other.get(url).send().await?; //~ OK
    Ok(())
}
