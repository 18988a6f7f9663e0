// Reading stdin, and trivial environment calls.
use std::io::{self, Read};

async fn prompt() -> String {
    let mut line = String::new();
    io::stdin().read_line(&mut line).unwrap(); //~ BLOCKING std::io::Stdin::read_line
    let stdin = std::io::stdin();
    let mut all = String::new();
    stdin.read_to_string(&mut all).unwrap(); //~ BLOCKING std::io::Stdin::read_to_string
    line
}

async fn env() -> std::io::Result<()> {
    let _cwd = std::env::current_dir()?; //~ TRIVIAL std::env::current_dir
    let _abs = std::path::absolute("x")?; //~ TRIVIAL std::path::absolute
    let _var = std::env::var("HOME"); //~ OK
    Ok(())
}

fn main() {}
