// Every way a `use` declaration can bring a blocking function into scope.
use std::fs as f;
use std::fs::{self as filesystem, read_to_string as slurp};
use std::io::prelude::*;
use std::net::{TcpStream as Conn, *};
use std::{process::Command, thread::{self, sleep as snooze}};

async fn renamed_module(p: &str) {
    let _ = f::read(p); //~ BLOCKING std::fs::read
    let _ = filesystem::remove_file(p); //~ BLOCKING std::fs::remove_file
}

async fn renamed_function(p: &str) {
    let _ = slurp(p); //~ BLOCKING std::fs::read_to_string
}

async fn nested_group() {
    snooze(std::time::Duration::from_millis(1)); //~ BLOCKING std::thread::sleep
    thread::sleep(std::time::Duration::from_millis(1)); //~ BLOCKING std::thread::sleep
    let _ = Command::new("id").output(); //~ BLOCKING std::process::Command::output
}

async fn renamed_type(addr: &str) {
    let mut c = Conn::connect(addr).unwrap(); //~ BLOCKING std::net::TcpStream::connect
    c.write_all(b"x").unwrap(); //~ BLOCKING std::net::TcpStream::write_all
}

const ADDR: &str = "localhost:0";

async fn glob_type() {
    let _l = TcpListener::bind(ADDR); //~ TRIVIAL std::net::TcpListener::bind
}

async fn block_level_imports(p: &str) {
    use std::fs::*;
    let _ = read(p); //~ BLOCKING std::fs::read
    let _ = metadata(p); //~ BLOCKING std::fs::metadata
    {
        use std::fs::write as put;
        let _ = put(p, "x"); //~ BLOCKING std::fs::write
    }
}

mod inner {
    use std::fs;

    pub async fn module_scoped(p: &str) {
        let _ = fs::read(p); //~ BLOCKING std::fs::read
        let _ = super::f::copy(p, "b"); //~ BLOCKING std::fs::copy
        let _ = crate::f::rename(p, "c"); //~ BLOCKING std::fs::rename
    }

    pub mod deeper {
        pub async fn through_super(p: &str) {
            let _ = super::super::slurp(p); //~ BLOCKING std::fs::read_to_string
            let _ = self::helper(); //~ OK
        }

        fn helper() -> u8 {
            0
        }
    }
}

// A re-export inside the crate.
mod reexport {
    pub use std::fs::read_dir as list;
}

async fn through_reexport(p: &str) {
    let _ = reexport::list(p); //~ BLOCKING std::fs::read_dir
    let _ = crate::reexport::list(p); //~ BLOCKING std::fs::read_dir
}

// Look-alikes resolved to other crates.
async fn tokio_modules(p: &str) {
    use tokio::fs;
    let _ = fs::read(p).await; //~ OK
    let _ = fs::read_to_string(p).await; //~ OK
    {
        use tokio::fs::File;
        let _f = File::open(p).await; //~ OK
    }
}

async fn unimported_file(p: &str) {
    // Without an import `File` is not known to be std's.
    let _f = File::open(p); //~ OK
}

fn main() {}
