// Opening files, and Read/Write/sync methods on std::fs::File whose type is evident.
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};

async fn open_and_read(path: &str) -> std::io::Result<Vec<u8>> {
    let mut file = File::open(path)?; //~ BLOCKING std::fs::File::open
    let mut buf = Vec::new();
    file.read_to_end(&mut buf)?; //~ BLOCKING std::fs::File::read_to_end
    let mut text = String::new();
    file.read_to_string(&mut text)?; //~ BLOCKING std::fs::File::read_to_string
    let mut chunk = [0u8; 16];
    file.read(&mut chunk)?; //~ BLOCKING std::fs::File::read
    file.read_exact(&mut chunk)?; //~ BLOCKING std::fs::File::read_exact
    Ok(buf)
}

async fn create_and_write(path: &str) -> std::io::Result<()> {
    let mut out = File::create(path)?; //~ BLOCKING std::fs::File::create
    out.write_all(b"hello")?; //~ BLOCKING std::fs::File::write_all
    out.write(b"!")?; //~ BLOCKING std::fs::File::write
    out.flush()?; //~ OK (File does not buffer: flush is a no-op)
    out.sync_all()?; //~ BLOCKING std::fs::File::sync_all
    out.sync_data()?; //~ BLOCKING std::fs::File::sync_data
    out.set_len(3)?; //~ BLOCKING std::fs::File::set_len
    let _meta = out.metadata()?; //~ BLOCKING std::fs::File::metadata
    Ok(())
}

async fn create_new(path: &str) -> std::io::Result<()> {
    let _f = File::create_new(path)?; //~ BLOCKING std::fs::File::create_new
    Ok(())
}

async fn options(path: &str) -> std::io::Result<()> {
    let mut f = OpenOptions::new().append(true).create(true).open(path)?; //~ BLOCKING std::fs::OpenOptions::open
    f.write_all(b"line\n")?; //~ BLOCKING std::fs::File::write_all
    let opts = OpenOptions::new(); //~ OK
    let _g = opts.open(path).unwrap(); //~ BLOCKING std::fs::OpenOptions::open
    Ok(())
}

// A typed parameter makes the receiver evident.
async fn from_param(file: &mut File, out: &mut Vec<u8>) -> std::io::Result<usize> {
    file.read_to_end(out) //~ BLOCKING std::fs::File::read_to_end
}

// A field of known type, through `self`.
struct Store {
    file: File,
    name: String,
}

impl Store {
    async fn load(&mut self) -> std::io::Result<String> {
        let mut s = String::new();
        self.file.read_to_string(&mut s)?; //~ BLOCKING std::fs::File::read_to_string
        let _n = self.name.len(); //~ OK
        Ok(s)
    }
}

// Locks on files.
async fn lock(file: &File) -> std::io::Result<()> {
    file.lock()?; //~ BLOCKING std::fs::File::lock
    file.try_lock().ok(); //~ BLOCKING std::fs::File::try_lock
    Ok(())
}

fn main() {}
