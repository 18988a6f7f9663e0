//! Interception of blocking libc calls (aiocop's `intercept` feature): an axum app with only the
//! tower layer, no `#[monitor]` on its handlers, whose handlers block through a sync helper,
//! third-party crates (a dotenv loader, SQLite's bundled C library, a sync HTTP client), a child
//! process and a sleep. Each blocking call is an event naming the libc operation, the line of the
//! program's code that led to it, the crate that made the call, and the request id. Clean
//! handlers (tokio::fs, tokio::net, an async HTTP client) produce none; neither do reads on
//! non-blocking sockets, calls a probe or a shim already recorded, nor `spawn_blocking` threads.
//!
//! Every test of this binary shares one set-up (patched, so interception is live) and tells its
//! events apart by request id or with `collect_events`, so the tests can run in parallel.

mod event_log;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener as StdListener};
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::time::Duration;

use aiocop::intercept::InterceptStatus;
use aiocop::tower::{AiocopLayer, AxumRoute, X_REQUEST_ID};
use aiocop::{BlockingEventInfo, SlowTaskEvent};
use axum::Router;
use axum::body::Bytes;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Inline delivery: once a client has its response, the request's events are in the log.
/// Interception switched on explicitly: the workspace runs its tests with `AIOCOP_INTERCEPT=off`
/// (see .cargo/config.toml), which keeps `patch_audit_functions` from doing it.
fn setup() {
    aiocop_tests::setup_at(aiocop_tests::QUIET_THRESHOLD_MS, || {
        event_log::record_every_event();
        aiocop::intercept::enable();
    });
}

/// This file's source: an event's entry point must name a line of it that makes the call.
const SOURCE: &str = include_str!("intercept.rs");

/// A small file that exists wherever the tests run.
const A_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");

/// A fresh directory for this test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aiocop-intercept-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

// --- the application: handlers with no annotation, blocking in many ways -----------------------

/// (a) A sync helper calling `std::fs`.
fn load_config() -> usize {
    std::fs::read_to_string(A_FILE).map_or(0, |s| s.len())
}

async fn helper_fs() -> String {
    format!("{}", load_config())
}

/// (b) A third-party crate reading a file.
async fn dotenv() -> String {
    let dir = scratch("dotenv");
    let path = dir.join(".env");
    // Written outside any monitored poll: a `spawn_blocking` thread has no scope.
    let written = path.clone();
    tokio::task::spawn_blocking(move || std::fs::write(written, "A=1\nB=2\n"))
        .await
        .expect("join")
        .expect("write .env");
    let vars = dotenvy::from_path_iter(&path).map_or(0, |it| it.count());
    format!("{vars}")
}

/// (c) SQLite through rusqlite, its bundled C library writing a real database file.
async fn sqlite() -> String {
    let dir = scratch("sqlite");
    let db = dir.join("app.db");
    let conn = rusqlite::Connection::open(&db).expect("open db");
    conn.execute("CREATE TABLE t (x INTEGER)", [])
        .expect("create");
    let rows = conn
        .execute("INSERT INTO t VALUES (1)", [])
        .expect("insert");
    format!("{rows}")
}

/// (d) A sync HTTP client calling a server on loopback by name.
async fn http_sync(port: u16) -> String {
    let url = format!("http://localhost:{port}/");
    let body = ureq::get(&url)
        .call()
        .map(|mut r| r.body_mut().read_to_string());
    format!("{:?}", body.is_ok())
}

/// (e) A child process, run by a "dependency" (a module standing for one).
mod runner {
    pub(crate) fn run_true() -> bool {
        std::process::Command::new("true")
            .output()
            .is_ok_and(|o| o.status.success())
    }
}

async fn process() -> String {
    format!("{}", runner::run_true())
}

/// (f) `std::thread::sleep` in a helper.
fn nap() {
    std::thread::sleep(Duration::from_millis(3));
}

async fn sleep() -> &'static str {
    nap();
    "slept"
}

/// Clean: tokio::fs, tokio::net and an async HTTP client.
async fn clean(port: u16, own: SocketAddr) -> String {
    let text = tokio::fs::read_to_string(A_FILE).await.unwrap_or_default();
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    tokio::io::AsyncWriteExt::write_all(&mut stream, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut reply = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut reply)
        .await
        .expect("read");
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let uri = format!("http://{own}/sleep-free").parse().expect("uri");
    let status = client.get(uri).await.map(|r| r.status()).ok();
    format!("{} {} {status:?}", text.len(), reply.len())
}

fn app(http_port: u16, own: SocketAddr) -> Router {
    Router::new()
        .route("/helper", get(helper_fs))
        .route("/dotenv", get(dotenv))
        .route("/sqlite", get(sqlite))
        .route("/http", get(move || http_sync(http_port)))
        .route("/process", get(process))
        .route("/sleep", get(sleep))
        .route("/clean", get(move || clean(http_port, own)))
        .route("/sleep-free", get(|| async { "free" }))
        .route_layer(AiocopLayer::new().route_name(AxumRoute))
}

// --- servers and a client ----------------------------------------------------------------------

/// A plain HTTP/1.1 server on loopback, on its own thread: answers `ok` to every request.
fn plain_http_server() -> u16 {
    let listener = StdListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    port
}

type HttpClient = Client<HttpConnector, Empty<Bytes>>;

/// Serves the app on loopback, sends one request with `id`, and returns the reply's status.
async fn request(path: &str, id: &str) -> StatusCode {
    let http_port = plain_http_server();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app(http_port, addr))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let request = Request::get(format!("http://{addr}{path}"))
        .header(X_REQUEST_ID, id)
        .body(Empty::new())
        .expect("request");
    let response = client.request(request).await.expect("response");
    let status = response.status();
    let _ = response.into_body().collect().await;
    let _ = stop.send(());
    server.await.expect("server task").expect("server");
    status
}

/// The blocking events of the request `id`.
fn events_of(id: &str) -> Vec<BlockingEventInfo> {
    event_log::events_matching(|e: &SlowTaskEvent| e.context().get_str("request_id") == Some(id))
        .iter()
        .flat_map(|e| e.blocking_events().iter().cloned())
        .collect()
}

/// The first intercepted event named `operation` (`libc::open`) whose text contains `needle`.
fn find<'a>(
    events: &'a [BlockingEventInfo],
    operation: &str,
    needle: &str,
) -> &'a BlockingEventInfo {
    events
        .iter()
        .find(|e| e.operation() == operation && e.event().contains(needle))
        .unwrap_or_else(|| {
            let seen: Vec<String> = events.iter().map(ToString::to_string).collect();
            panic!("no `{operation}` event with `{needle}` among {seen:#?}")
        })
}

/// Asserts that `event` was intercepted, that its entry point is a line of this file, in
/// `function`, whose text contains `call`, and that `krate` made the call.
fn assert_origin(event: &BlockingEventInfo, function: &str, call: &str, krate: &str) {
    assert!(event.is_intercepted(), "{event}");
    let entry = event.entry_point();
    let mut parts = entry.splitn(3, ':');
    let (file, line, name) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    assert!(
        file.ends_with("intercept.rs"),
        "entry point {entry:?} of {event}"
    );
    assert!(
        name.contains(function),
        "entry point {entry:?} is not in `{function}`"
    );
    let line: usize = line.parse().unwrap_or_else(|_| panic!("line of {entry:?}"));
    let text = SOURCE.lines().nth(line - 1).unwrap_or("");
    assert!(
        text.contains(call),
        "line {line} ({text:?}) does not call `{call}`: {entry}"
    );
    assert_eq!(event.calling_crate(), Some(krate), "{event}");
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

// --- the tests ---------------------------------------------------------------------------------

#[test]
fn interception_is_live_and_the_executable_defines_the_symbols() {
    setup();
    assert!(
        matches!(aiocop::intercept::status(), InterceptStatus::Live { .. }),
        "{}",
        aiocop::intercept::status()
    );
    // The definition of `read` that calls in this executable bind to is in the executable itself,
    // not in the C library.
    // SAFETY: `Dl_info` is plain data (pointers and integers), valid all zero.
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    // SAFETY: looks up an address of this process; `info` is written on success.
    let found = unsafe { libc::dladdr(libc::read as *const libc::c_void, &mut info) };
    assert_ne!(found, 0, "dladdr");
    // SAFETY: `dli_fname` is a NUL-terminated path on success.
    let object = unsafe { std::ffi::CStr::from_ptr(info.dli_fname) }.to_string_lossy();
    let exe = std::env::current_exe().expect("exe");
    let exe_name = exe.file_name().expect("name").to_string_lossy();
    assert!(
        object.ends_with(&*exe_name),
        "`read` is defined in {object}, not {exe:?}"
    );
}

#[test]
fn a_sync_helper_reading_a_file() {
    setup();
    runtime().block_on(async {
        assert_eq!(request("/helper", "icpt-helper").await, StatusCode::OK);
    });
    let events = events_of("icpt-helper");
    let open = find(&events, "libc::open", "Cargo.toml");
    assert_origin(
        open,
        "load_config",
        "std::fs::read_to_string(A_FILE)",
        "intercept",
    );
    find(&events, "libc::read", "Cargo.toml");
}

#[test]
fn a_dependency_reading_a_file() {
    setup();
    runtime().block_on(async {
        assert_eq!(request("/dotenv", "icpt-dotenv").await, StatusCode::OK);
    });
    let events = events_of("icpt-dotenv");
    let open = find(&events, "libc::open", ".env");
    assert_origin(open, "dotenv", "dotenvy::from_path_iter(&path)", "dotenvy");
}

#[test]
fn sqlite_bundled_c_library_writing_a_database() {
    setup();
    runtime().block_on(async {
        assert_eq!(request("/sqlite", "icpt-sqlite").await, StatusCode::OK);
    });
    let events = events_of("icpt-sqlite");
    if std::env::var_os("SHOW_EVENTS").is_some() {
        for e in &events {
            eprintln!("{e} [{:?}]", e.calling_crate());
        }
    }
    let open = find(&events, "libc::open", "app.db");
    assert_origin(
        open,
        "sqlite",
        "rusqlite::Connection::open(&db)",
        "rusqlite",
    );
    // The C library writes the database and its journal and syncs them.
    let write = find(&events, "libc::write", "app.db");
    assert!(write.event().contains("app.db"), "{write}");
    assert_origin(write, "sqlite", "conn.execute(", "rusqlite");
    find(&events, "libc::fsync", "");
}

#[test]
fn a_sync_http_client_resolving_and_connecting() {
    setup();
    runtime().block_on(async {
        assert_eq!(request("/http", "icpt-http").await, StatusCode::OK);
    });
    let events = events_of("icpt-http");
    let lookup = find(&events, "libc::getaddrinfo", "localhost");
    assert_origin(lookup, "http_sync", ".call()", "ureq");
    let connect = find(&events, "libc::connect", "127.0.0.1:");
    assert_origin(connect, "http_sync", ".call()", "ureq");
}

#[test]
fn a_child_process_run_by_a_dependency() {
    setup();
    runtime().block_on(async {
        assert_eq!(request("/process", "icpt-process").await, StatusCode::OK);
    });
    let events = events_of("icpt-process");
    let spawn = events
        .iter()
        .find(|e| matches!(e.operation(), "libc::posix_spawn" | "libc::fork"))
        .unwrap_or_else(|| panic!("no spawn among {events:#?}"));
    assert_origin(spawn, "run_true", ".output()", "intercept");
    let wait = find(&events, "libc::waitpid", "pid");
    assert_origin(wait, "run_true", ".output()", "intercept");
}

#[test]
fn a_sleep_in_a_helper() {
    setup();
    runtime().block_on(async {
        assert_eq!(request("/sleep", "icpt-sleep").await, StatusCode::OK);
    });
    let events = events_of("icpt-sleep");
    let sleep = find(&events, "libc::clock_nanosleep", "3ms");
    assert_origin(sleep, "nap", "std::thread::sleep(", "intercept");
    assert_eq!(sleep.severity(), aiocop::WEIGHT_HEAVY);
}

#[test]
fn clean_handlers_produce_nothing() {
    setup();
    runtime().block_on(async {
        assert_eq!(request("/clean", "icpt-clean").await, StatusCode::OK);
    });
    let events = events_of("icpt-clean");
    assert!(events.is_empty(), "{events:#?}");
}

/// The operations of the events a monitored future recorded.
async fn recorded<F: std::future::Future>(future: F) -> (F::Output, Vec<String>) {
    let (out, events) = aiocop::events::collect_events(aiocop::monitored(future)).await;
    let texts = events
        .iter()
        .flat_map(|e| e.blocking_events().iter().map(|b| b.event().to_owned()))
        .collect();
    (out, texts)
}

#[test]
fn reads_on_non_blocking_sockets_are_not_recorded_and_reused_numbers_are_rechecked() {
    // In a process of its own: closing a number and opening a file must give that number back,
    // which other tests opening files at the same time would make a race.
    const TEST: &str =
        "reads_on_non_blocking_sockets_are_not_recorded_and_reused_numbers_are_rechecked";
    let output =
        aiocop_tests::in_fresh_process(TEST, &[], Duration::from_secs(60), non_blocking_reads);
    if let Some(output) = output {
        aiocop_tests::assert_succeeded(TEST, &output);
    }
}

fn non_blocking_reads() {
    setup();
    aiocop_tests::current_thread().block_on(async {
        let (a, mut b) = std::os::unix::net::UnixStream::pair().expect("pair");
        a.set_nonblocking(true).expect("non-blocking");
        b.write_all(&[7u8; 64]).expect("write");
        let (_, texts) = recorded(async {
            let mut byte = [0u8; 1];
            for _ in 0..10_000 {
                let _ = (&a).read(&mut byte);
            }
        })
        .await;
        assert!(texts.is_empty(), "non-blocking reads recorded: {texts:?}");

        // The same descriptor made blocking again: its reads block, and are recorded.
        a.set_nonblocking(false).expect("blocking");
        b.write_all(&[7u8; 1]).expect("write");
        let (_, texts) = recorded(async {
            let mut byte = [0u8; 1];
            let _ = (&a).read(&mut byte);
        })
        .await;
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert!(
            texts[0].starts_with("libc::recv(socket unix")
                || texts[0].starts_with("libc::read(socket unix"),
            "{texts:?}"
        );

        // Its number, closed and reused by a regular file: reads are disk I/O again.
        let number = a.as_raw_fd();
        drop(a);
        let file = std::fs::File::open(A_FILE).expect("open");
        assert_eq!(file.as_raw_fd(), number, "the lowest free number is reused");
        let (_, texts) = recorded(async {
            let mut byte = [0u8; 1];
            let _ = (&file).read(&mut byte);
        })
        .await;
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert!(
            texts[0].starts_with("libc::read(") && texts[0].contains("Cargo.toml"),
            "{texts:?}"
        );
        drop(b);

        // A cached non-blocking number replaced by `dup2` with a regular file: recorded again.
        let (c, _d) = std::os::unix::net::UnixStream::pair().expect("pair");
        c.set_nonblocking(true).expect("non-blocking");
        let (_, texts) = recorded(async {
            let _ = (&c).read(&mut [0u8; 1]);
        })
        .await;
        assert!(texts.is_empty(), "{texts:?}");
        // SAFETY: replaces `c`'s descriptor with a copy of the open file's; `c` owns it after.
        assert!(unsafe { libc::dup2(file.as_raw_fd(), c.as_raw_fd()) } >= 0);
        let (_, texts) = recorded(async {
            let _ = (&c).read(&mut [0u8; 1]);
        })
        .await;
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert!(texts[0].contains("Cargo.toml"), "{texts:?}");
    });
}

#[aiocop::monitor]
async fn annotated_read() -> usize {
    std::fs::read_to_string(A_FILE).map_or(0, |s| s.len())
}

#[aiocop::monitor]
async fn annotated_method(file: &mut std::fs::File) -> usize {
    let mut text = String::new();
    file.read_to_string(&mut text).map_or(0, |_| text.len())
}

#[test]
fn calls_a_probe_or_a_shim_recorded_are_not_recorded_again() {
    setup();
    aiocop_tests::current_thread().block_on(async {
        let (n, texts) = recorded(annotated_read()).await;
        assert!(n > 0);
        assert_eq!(texts.len(), 1, "one call, one event: {texts:?}");
        assert!(
            texts[0].starts_with("std::fs::read_to_string("),
            "{texts:?}"
        );

        let mut file = std::fs::File::open(A_FILE).expect("open");
        let (n, texts) = recorded(annotated_method(&mut file)).await;
        assert!(n > 0);
        assert_eq!(texts.len(), 1, "one call, one event: {texts:?}");
        assert!(
            texts[0].starts_with("std::fs::File::read_to_string"),
            "{texts:?}"
        );

        let (_, texts) = recorded(async {
            aiocop::shim::thread::sleep(Duration::from_millis(1));
        })
        .await;
        assert_eq!(texts, ["std::thread::sleep(1ms)"]);

        // A shim that resolves a host name for its event: the lookup is part of the call.
        let listener = StdListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (stream, texts) =
            recorded(async move { aiocop::shim::net::tcp_stream::connect(("localhost", port)) })
                .await;
        assert!(stream.is_ok());
        assert_eq!(texts.len(), 1, "one call, one event: {texts:?}");
        assert!(
            texts[0].starts_with("std::net::TcpStream::connect("),
            "{texts:?}"
        );
    });
}

#[test]
fn nothing_is_recorded_on_threads_without_a_scope() {
    setup();
    runtime().block_on(async {
        let (n, texts) = recorded(async {
            let blocking = tokio::task::spawn_blocking(|| {
                std::thread::sleep(Duration::from_millis(1));
                std::fs::read(A_FILE).map_or(0, |b| b.len())
            });
            let thread = std::thread::spawn(|| std::fs::read(A_FILE).map_or(0, |b| b.len()));
            let n = blocking.await.expect("join");
            n + thread.join().expect("join")
        })
        .await;
        assert!(n > 0);
        assert!(texts.is_empty(), "{texts:?}");
    });
}

#[test]
fn errno_is_what_the_c_library_left() {
    setup();
    aiocop_tests::current_thread().block_on(async {
        // A blocking, unconnected UDP socket: recording its `sendto` asks for its peer, which
        // fails (ENOTCONN); the call itself succeeds and leaves errno alone.
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
        let target = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
        let to = match target.local_addr().expect("addr") {
            SocketAddr::V4(v4) => v4,
            SocketAddr::V6(_) => unreachable!("bound on IPv4"),
        };
        let (errno, texts) = recorded(async {
            let addr = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: to.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from(*to.ip()).to_be(),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: the thread's errno; a valid buffer and address for `sendto`.
            unsafe {
                *libc::__errno_location() = 4242;
                let sent = libc::sendto(
                    socket.as_raw_fd(),
                    b"x".as_ptr().cast(),
                    1,
                    0,
                    (&addr as *const libc::sockaddr_in).cast(),
                    std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
                );
                assert_eq!(sent, 1);
                *libc::__errno_location()
            }
        })
        .await;
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert!(texts[0].starts_with("libc::send(socket"), "{texts:?}");
        assert_eq!(errno, 4242, "errno changed by recording");
    });
}

#[aiocop::monitor]
async fn blocks_in_place() -> usize {
    tokio::task::block_in_place(|| {
        std::thread::sleep(Duration::from_millis(1));
        load_config()
    })
}

#[test]
fn nothing_is_recorded_in_a_block_in_place_closure_of_an_annotated_body() {
    setup();
    runtime().block_on(async {
        let (n, texts) = recorded(blocks_in_place()).await;
        assert!(n > 0);
        assert!(texts.is_empty(), "{texts:?}");
    });
}

#[test]
fn strict_mode_fails_with_the_call_site_inside_a_helper() {
    setup();
    let joined = runtime().block_on(async {
        tokio::spawn(aiocop::raise_on_violations(aiocop::monitored(async {
            nap();
        })))
        .await
    });
    let payload = joined
        .expect_err("the violation fails the task")
        .into_panic();
    let report = aiocop::HighSeverityBlockingIo::from_panic(&*payload).expect("a strict report");
    let message = report.to_string();
    let sleep = report
        .event()
        .blocking_events()
        .iter()
        .find(|e| e.operation() == "libc::clock_nanosleep")
        .unwrap_or_else(|| panic!("no sleep in {message}"));
    assert_origin(sleep, "nap", "std::thread::sleep(", "intercept");
    assert!(message.contains(sleep.entry_point()), "{message}");
}

/// A C shared library, built now with the system's C compiler, whose one function sleeps with
/// `usleep`.
fn build_shared_library() -> PathBuf {
    let dir = scratch("shared");
    let source = dir.join("nap.c");
    std::fs::write(
        &source,
        "#include <unistd.h>\nint aiocop_test_nap(void) { return usleep(2000); }\n",
    )
    .expect("write C source");
    let library = dir.join("libnap.so");
    let status = std::process::Command::new("cc")
        .args(["-shared", "-fPIC", "-O1", "-o"])
        .arg(&library)
        .arg(&source)
        .status()
        .expect("run cc");
    assert!(status.success(), "cc failed");
    library
}

#[test]
fn a_shared_c_library_is_caught_through_exported_symbols() {
    setup();
    assert_eq!(
        aiocop::intercept::status(),
        InterceptStatus::Live {
            shared_libraries: true
        },
        "GNU ld exports the definitions a linked shared library (the C library) also defines"
    );
    let library = build_shared_library();
    let path = std::ffi::CString::new(library.to_str().expect("utf-8 path")).expect("path");
    // SAFETY: loads a library built above and looks up its one function, of type
    // `extern "C" fn() -> c_int`.
    let nap: extern "C" fn() -> libc::c_int = unsafe {
        let handle = libc::dlopen(path.as_ptr(), libc::RTLD_NOW);
        assert!(!handle.is_null(), "dlopen {library:?}");
        let symbol = libc::dlsym(handle, c"aiocop_test_nap".as_ptr());
        assert!(!symbol.is_null(), "dlsym");
        std::mem::transmute::<*mut libc::c_void, extern "C" fn() -> libc::c_int>(symbol)
    };
    aiocop_tests::current_thread().block_on(async {
        let (slept, texts) = recorded(async { nap() }).await;
        assert_eq!(slept, 0);
        assert_eq!(texts, ["libc::usleep(2ms)"]);
    });
}

/// In a fresh process with `AIOCOP_INTERCEPT` set to `value`: `patch_audit_functions` switches
/// interception on unless the variable says off, and `enable` does regardless.
fn patch_with_environment(test: &str, value: &str, expect_live_after_patch: bool) {
    let output = aiocop_tests::in_fresh_process(
        test,
        &[("AIOCOP_INTERCEPT", value)],
        Duration::from_secs(60),
        || {
            assert_eq!(aiocop::intercept::status(), InterceptStatus::Off);
            aiocop::patch_audit_functions();
            let live = matches!(aiocop::intercept::status(), InterceptStatus::Live { .. });
            assert_eq!(
                live,
                expect_live_after_patch,
                "{}",
                aiocop::intercept::status()
            );
            assert!(matches!(
                aiocop::intercept::enable(),
                InterceptStatus::Live { .. }
            ));
        },
    );
    if let Some(output) = output {
        aiocop_tests::assert_succeeded(test, &output);
    }
}

#[test]
fn patch_audit_functions_switches_interception_on() {
    patch_with_environment("patch_audit_functions_switches_interception_on", "on", true);
}

#[test]
fn the_environment_can_keep_patch_audit_functions_from_switching_it_on() {
    patch_with_environment(
        "the_environment_can_keep_patch_audit_functions_from_switching_it_on",
        "Off",
        false,
    );
}

/// The blocking calls `aiocop_tests::wait_for_child` makes (its polling sleep) for a child that
/// takes a moment: their events, recorded in a monitored poll.
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped by `wait_for_child`'s waitpid"
)]
fn wait_in_a_monitored_poll() -> Vec<BlockingEventInfo> {
    let child = std::process::Command::new("sleep")
        .arg("0.05")
        .spawn()
        .expect("spawn sleep");
    let pid = child.id() as libc::pid_t;
    aiocop_tests::current_thread().block_on(async {
        let (code, events) = aiocop::events::collect_events(aiocop::monitored(async {
            aiocop_tests::wait_for_child(pid, Duration::from_secs(20))
        }))
        .await;
        assert_eq!(code, Some(0));
        events
            .iter()
            .flat_map(|e| e.blocking_events().iter().cloned())
            .collect()
    })
}

#[test]
fn skipped_crates_are_never_the_entry_point() {
    const TEST: &str = "skipped_crates_are_never_the_entry_point";
    let output = aiocop_tests::in_fresh_process(TEST, &[], Duration::from_secs(60), || {
        setup();
        // A workspace crate is the program's own code: its frame is the entry point.
        let events = wait_in_a_monitored_poll();
        let sleep = find(&events, "libc::clock_nanosleep", "10ms");
        assert!(
            sleep.entry_point().contains("aiocop_tests::wait_for_child"),
            "{sleep}"
        );
        // Skipped, its caller here is.
        aiocop::intercept::skip_crates(&["aiocop_tests"]);
        let events = wait_in_a_monitored_poll();
        let sleep = find(&events, "libc::clock_nanosleep", "10ms");
        assert_origin(
            sleep,
            "wait_in_a_monitored_poll",
            "aiocop_tests::wait_for_child(pid",
            "aiocop_tests",
        );
    });
    if let Some(output) = output {
        aiocop_tests::assert_succeeded(TEST, &output);
    }
}
