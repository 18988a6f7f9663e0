//! Helper process for `tests/macros/routes_io_stdin.rs`: reads this process's standard input the
//! way users write it, inside a `#[aiocop::monitor]` async fn or its unannotated twin, and
//! prints what the calls returned and what was recorded.
//!
//! Usage: `stdin_routes <case> <monitored|plain>`. Output: one `result <debug>` line, then one
//! `call <operation weight file:line text>` line per recorded call.

use std::io::{self, BufRead, Read};
use std::process::ExitCode;

use aiocop_tests::{dbg, report, setup, twin};

twin! {
    /// `Stdin` and `StdinLock` methods, one after the other on one input, then the rest as a
    /// string.
    async fn stdin_and_lock / stdin_and_lock_plain() -> io::Result<Vec<String>> {
        let mut line = String::new();
        io::stdin().read_line(&mut line)?; // @stdin_read_line
        let mut input = io::stdin();
        let mut four = [0u8; 4];
        input.read_exact(&mut four)?; // @stdin_read_exact
        let mut one = [0u8; 1];
        let n = input.read(&mut one)?; // @stdin_read
        let mut lock = input.lock();
        let mut second = String::new();
        lock.read_line(&mut second)?; // @lock_read_line
        let mut until = Vec::new();
        lock.read_until(b' ', &mut until)?; // @lock_read_until
        let mut two = [0u8; 2];
        lock.read_exact(&mut two)?; // @lock_read_exact
        let mut three = [0u8; 3];
        let m = lock.read(&mut three)?; // @lock_read
        drop(lock);
        let from_stdin = io::stdin().lines().next().transpose()?; // @stdin_lines
        let from_lock = io::stdin().lock().lines().next().transpose()?; // @lock_lines
        let mut rest = String::new();
        io::stdin().read_to_string(&mut rest)?; // @stdin_read_to_string
        Ok(vec![
            dbg(&(line, four, n, one)),
            dbg(&(second, until, two, m, three)),
            dbg(&(from_stdin, from_lock, rest)),
        ])
    }
}

twin! {
    /// `Stdin::read_to_end`.
    async fn stdin_to_end / stdin_to_end_plain() -> io::Result<Vec<String>> {
        let mut all = Vec::new();
        let n = io::stdin().read_to_end(&mut all)?; // @stdin_read_to_end
        Ok(vec![dbg(&(n, all.len()))])
    }
}

twin! {
    /// `StdinLock::read_to_end`.
    async fn lock_to_end / lock_to_end_plain() -> io::Result<Vec<String>> {
        let mut lock = io::stdin().lock();
        let mut all = Vec::new();
        let n = lock.read_to_end(&mut all)?; // @lock_read_to_end
        Ok(vec![dbg(&(n, all.len()))])
    }
}

twin! {
    /// `StdinLock::read_to_string`, through `&mut`.
    async fn lock_to_string / lock_to_string_plain() -> io::Result<Vec<String>> {
        let mut lock = io::stdin().lock();
        let by_ref = &mut lock;
        let mut text = String::new();
        by_ref.read_to_string(&mut text)?; // @lock_read_to_string
        Ok(vec![text])
    }
}

/// A user type whose methods are named like `Stdin`'s.
struct Console {
    typed: Vec<&'static str>,
}

impl Console {
    fn lock(&self) -> &Self {
        self
    }
    fn read_line(&self, buf: &mut String) -> usize {
        buf.push_str(self.typed[0]);
        1
    }
    fn read_to_string(&mut self, buf: &mut String) -> usize {
        buf.push_str(&self.typed.concat());
        self.typed.len()
    }
    fn lines(self) -> std::vec::IntoIter<&'static str> {
        self.typed.into_iter()
    }
}

/// Reads through tokio's stdin, a `Cursor` and a user type: nothing std blocks on.
#[aiocop::monitor]
async fn stdin_look_alikes() -> io::Result<Vec<String>> {
    let (first, rest) = {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt};
        let mut reader = tokio::io::BufReader::new(tokio::io::stdin());
        let mut first = String::new();
        let reading = reader.read_line(&mut first);
        reading.await?;
        let mut rest = String::new();
        reader.read_to_string(&mut rest).await?;
        (first, rest)
    };
    let in_memory = io::Cursor::new("a\nb\n").lines().count();
    let mut console = Console {
        typed: vec!["x", "y"],
    };
    let mut line = String::new();
    let mut all = String::new();
    let counts = (
        console.lock().read_line(&mut line),
        console.read_to_string(&mut all),
    );
    let typed: Vec<_> = console.lines().collect();
    Ok(vec![
        dbg(&(first, rest.lines().count(), in_memory)),
        dbg(&(counts, line, all, typed)),
    ])
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [case, mode] = args.as_slice() else {
        eprintln!("usage: stdin_routes <case> <monitored|plain>");
        return ExitCode::from(2);
    };
    setup();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("no runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let monitored = mode == "monitored";
    let (result, events) = runtime.block_on(async {
        match (case.as_str(), monitored) {
            ("stdin_and_lock", true) => {
                Some(aiocop::events::collect_events(stdin_and_lock()).await)
            }
            ("stdin_and_lock", false) => Some((stdin_and_lock_plain().await, Vec::new())),
            ("stdin_to_end", true) => Some(aiocop::events::collect_events(stdin_to_end()).await),
            ("stdin_to_end", false) => Some((stdin_to_end_plain().await, Vec::new())),
            ("lock_to_end", true) => Some(aiocop::events::collect_events(lock_to_end()).await),
            ("lock_to_end", false) => Some((lock_to_end_plain().await, Vec::new())),
            ("lock_to_string", true) => {
                Some(aiocop::events::collect_events(lock_to_string()).await)
            }
            ("lock_to_string", false) => Some((lock_to_string_plain().await, Vec::new())),
            ("look_alikes", true) => {
                Some(aiocop::events::collect_events(stdin_look_alikes()).await)
            }
            _ => None,
        }
        .map_or((None, Vec::new()), |(result, events)| {
            (Some(result), events)
        })
    });
    let Some(result) = result else {
        eprintln!("unknown case {case}");
        return ExitCode::from(2);
    };
    println!("result {}", dbg(&result));
    for call in report(&events) {
        println!("call {call}");
    }
    ExitCode::SUCCESS
}
