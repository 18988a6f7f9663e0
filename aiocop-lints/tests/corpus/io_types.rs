// Receivers reached through std constructors, fields and wrappers.
use std::fs::{self, DirBuilder, File};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

async fn buffered(path: &str) -> io::Result<usize> {
    let file = File::open(path)?; //~ BLOCKING std::fs::File::open
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    reader.read_line(&mut line)?; //~ BLOCKING std::io::BufReader<std::fs::File>::read_line
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest)?; //~ BLOCKING std::io::BufReader<std::fs::File>::read_to_end
    let in_memory = BufReader::new(&b"a\nb"[..]);
    let n = in_memory.lines().count(); //~ OK
    Ok(line.len() + rest.len() + n)
}

async fn formatted(mut file: File, mut text: String) -> io::Result<()> {
    write!(file, "{}", 42)?; //~ BLOCKING std::fs::File::write_fmt
    writeln!(file, "done")?; //~ BLOCKING std::fs::File::write_fmt
    use std::fmt::Write as _;
    write!(text, "{}", 1).ok(); //~ OK
    Ok(())
}

async fn child_pipes() -> io::Result<String> {
    // A method call is reported where its name is.
    let mut child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?; //~ BLOCKING std::process::Command::spawn
    child.stdin.take().unwrap().write_all(b"hi")?; //~ BLOCKING std::process::ChildStdin::write_all
    let mut out = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out)?; //~ BLOCKING std::process::ChildStdout::read_to_string
    Ok(out)
}

async fn directories(root: &std::path::Path) -> io::Result<u64> {
    DirBuilder::new().recursive(true).create(root.join("a/b"))?; //~ BLOCKING std::fs::DirBuilder::create
    let mut total = 0;
    for entry in fs::read_dir(root)? { //~ BLOCKING std::fs::read_dir
        let entry = entry?;
        total += entry.metadata()?.len(); //~ BLOCKING std::fs::DirEntry::metadata
        let _name = entry.file_name(); //~ OK
    }
    Ok(total)
}

async fn stdin_lock() -> io::Result<String> {
    let mut line = String::new();
    io::stdin().lock().read_line(&mut line)?; //~ BLOCKING std::io::StdinLock::read_line
    for l in io::stdin().lines() { //~ BLOCKING std::io::Stdin::lines
        let _ = l;
    }
    Ok(line)
}

async fn receiver_iteration(rx: std::sync::mpsc::Receiver<u8>) -> u32 {
    let mut sum = 0;
    for v in rx.iter() { //~ BLOCKING std::sync::mpsc::Receiver::iter
        sum += u32::from(v);
    }
    sum
}

async fn udp_peek(socket: std::net::UdpSocket) {
    let mut buf = [0u8; 8];
    let _ = socket.peek(&mut buf); //~ BLOCKING std::net::UdpSocket::peek
}

// tokio's blocking_* methods block the worker they run on.
async fn tokio_blocking(
    rx: &mut tokio::sync::mpsc::Receiver<u8>,
    lock: &tokio::sync::Mutex<u8>,
    tx: tokio::sync::mpsc::Sender<u8>,
) {
    let _ = rx.blocking_recv(); //~ BLOCKING tokio::sync::mpsc::Receiver::blocking_recv
    let _g = lock.blocking_lock(); //~ BLOCKING tokio::sync::Mutex::blocking_lock
    let _ = tx.blocking_send(1); //~ BLOCKING tokio::sync::mpsc::Sender::blocking_send
    let _ = tx.send(2).await; //~ OK
}

fn main() {}
