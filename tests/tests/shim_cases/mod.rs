//! One case per audited shim: a closure that calls the shim exactly once, checks that it did
//! what std does on real files, sockets, processes and threads, and says where the call was made
//! and which arguments the event must show. The `shims` tests run the table inside monitored
//! polls, outside them, without auditing and without argument capture.

#![allow(dead_code, unreachable_pub)]

use std::fmt;
use std::path::PathBuf;

use aiocop::{FutureExt, SlowTaskEvent};
use aiocop_lints::BlockingOp;

/// `(value, Site)`: the value of a shim call and the file and line it was made on. Keep the call
/// on the line of `at!(`.
macro_rules! at {
    ($call:expr) => {
        ($call, $crate::shim_cases::Site::new(file!(), line!()))
    };
}

pub mod fs;
pub mod io;
pub mod net;
pub mod process;
pub mod sync;
pub mod thread;

/// The name the cases' monitored future reports (the `function` of each entry point).
pub const FUNCTION: &str = "shim_case";

/// Where a shim was called.
#[derive(Debug, Clone, Copy)]
pub struct Site {
    pub file: &'static str,
    pub line: u32,
}

impl Site {
    pub fn new(file: &'static str, line: u32) -> Self {
        Site { file, line }
    }

    /// The event must show these arguments: `name(args)`.
    pub fn args(self, args: impl fmt::Display) -> Expect {
        Expect {
            site: self,
            args: args.to_string(),
        }
    }

    /// The event has no argument: `name()`.
    pub fn no_args(self) -> Expect {
        self.args("")
    }
}

/// What a case expects of its event.
#[derive(Debug)]
pub struct Expect {
    pub site: Site,
    pub args: String,
}

pub type Run = fn(&Fixture) -> Expect;

/// How a case is run.
pub enum How {
    /// In this process.
    Here(Run),
    /// In the `stdin_shims` helper process, whose standard input the test controls
    /// (`shims/stdin.rs`).
    Stdin,
}

pub struct Case {
    pub shim: &'static str,
    pub how: How,
}

impl Case {
    pub fn here(shim: &'static str, run: Run) -> Self {
        Case {
            shim,
            how: How::Here(run),
        }
    }

    pub fn stdin(shim: &'static str) -> Self {
        Case {
            shim,
            how: How::Stdin,
        }
    }

    /// The catalog entry of this case's shim.
    pub fn op(&self) -> &'static BlockingOp {
        aiocop_lints::catalog::find_shim(self.shim)
            .unwrap_or_else(|| panic!("{} has no catalog entry", self.shim))
    }
}

/// Every case.
pub fn all() -> Vec<Case> {
    let mut cases = Vec::new();
    cases.extend(fs::cases());
    cases.extend(io::cases());
    cases.extend(net::cases());
    cases.extend(process::cases());
    cases.extend(sync::cases());
    cases.extend(thread::cases());
    cases
}

/// The cases run in this process.
pub fn here() -> impl Iterator<Item = (&'static BlockingOp, Run)> {
    all().into_iter().filter_map(|case| match case.how {
        How::Here(run) => Some((case.op(), run)),
        How::Stdin => None,
    })
}

/// Asserts that a loop over [`here`] ran every shim's case (`ran`: the shims it ran), so that a
/// negative check inside it cannot pass over an empty or partial list.
pub fn assert_every_case_here_ran(ran: &std::collections::BTreeSet<&str>) {
    let expected: std::collections::BTreeSet<&str> = aiocop_lints::catalog::with_shims()
        .filter_map(|op| op.shim)
        .filter(|shim| !io::STDIN_SHIMS.contains(shim))
        .collect();
    assert_eq!(*ran, expected);
}

pub use aiocop_tests::Fixture;

/// Runs `run` inside a monitored future; returns what it expects and the events it caused.
pub async fn run_monitored(run: Run) -> (Expect, Vec<SlowTaskEvent>) {
    let fixture = Fixture::new();
    aiocop::events::collect_events(async { run(&fixture) }.monitored_as(FUNCTION)).await
}

/// Runs `run` outside any monitored future; returns the events it caused.
pub async fn run_unmonitored(run: Run) -> Vec<SlowTaskEvent> {
    let fixture = Fixture::new();
    aiocop::events::collect_events(async { run(&fixture) })
        .await
        .1
}

/// The text an event of `op` shows for `args`.
pub fn event_text(op: &BlockingOp, args: &str, capture: bool) -> String {
    if capture {
        format!("{}({args})", op.event)
    } else {
        op.event.to_owned()
    }
}

/// The poll produced exactly one event, holding exactly one blocking call: `op`, with its catalog
/// weight, the expected text, and the call site of the case as entry point.
pub fn assert_recorded(op: &BlockingOp, expect: &Expect, events: &[SlowTaskEvent], capture: bool) {
    assert_eq!(events.len(), 1, "{}: {events:#?}", op.event);
    let event = &events[0];
    let calls = event.blocking_events();
    assert_eq!(calls.len(), 1, "{}: {calls:#?}", op.event);
    let call = &calls[0];
    assert_eq!(call.operation(), op.event);
    assert_eq!(call.event(), event_text(op, &expect.args, capture));
    assert_eq!(call.severity(), op.weight, "{}", op.event);
    assert_eq!(event.severity_score(), op.weight, "{}", op.event);
    assert_eq!(
        (call.location().file(), call.location().line()),
        (expect.site.file, expect.site.line),
        "{}",
        op.event
    );
    assert_eq!(
        call.entry_point(),
        format!("{}:{}:{FUNCTION}", expect.site.file, expect.site.line)
    );
    assert_eq!(event.function().name(), FUNCTION);
}

/// A TCP listener on a free loopback port, and its address.
pub fn tcp_listener() -> (std::net::TcpListener, std::net::SocketAddr) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("local address");
    (listener, addr)
}

/// A connected pair of TCP streams on loopback: (client, server side).
pub fn tcp_pair() -> (std::net::TcpStream, std::net::TcpStream) {
    let (listener, addr) = tcp_listener();
    let client = std::net::TcpStream::connect(addr).expect("connect on loopback");
    let (server, _) = listener.accept().expect("accept on loopback");
    (client, server)
}

/// Two UDP sockets on loopback, not connected.
pub fn udp_sockets() -> (std::net::UdpSocket, std::net::UdpSocket) {
    let a = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind loopback");
    let b = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind loopback");
    (a, b)
}

/// Two UDP sockets on loopback, each connected to the other.
pub fn udp_pair() -> (std::net::UdpSocket, std::net::UdpSocket) {
    let (a, b) = udp_sockets();
    a.connect(b.local_addr().unwrap()).expect("connect");
    b.connect(a.local_addr().unwrap()).expect("connect");
    (a, b)
}

/// A connected pair of Unix streams in `fixture`'s directory: (client, server side, socket path).
pub fn unix_pair(
    fixture: &Fixture,
) -> (
    std::os::unix::net::UnixStream,
    std::os::unix::net::UnixStream,
    PathBuf,
) {
    let path = fixture.path("stream.sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).expect("bind a Unix socket");
    let client = std::os::unix::net::UnixStream::connect(&path).expect("connect");
    let (server, _) = listener.accept().expect("accept");
    (client, server, path)
}

/// Two Unix datagram sockets bound in `fixture`'s directory, not connected: (a, b, a's path, b's
/// path).
pub fn unix_datagrams(
    fixture: &Fixture,
) -> (
    std::os::unix::net::UnixDatagram,
    std::os::unix::net::UnixDatagram,
    PathBuf,
    PathBuf,
) {
    let (a_path, b_path) = (fixture.path("a.sock"), fixture.path("b.sock"));
    let a = std::os::unix::net::UnixDatagram::bind(&a_path).expect("bind a Unix socket");
    let b = std::os::unix::net::UnixDatagram::bind(&b_path).expect("bind a Unix socket");
    (a, b, a_path, b_path)
}
