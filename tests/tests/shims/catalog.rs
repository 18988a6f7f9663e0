//! Every audited shim, inside a monitored poll: one event with the catalog's name and weight, the
//! meaningful arguments, and the caller's file and line as entry point; outside a poll, nothing.
//! Each case also checks that the shim did what std does, on real files, sockets, processes and
//! threads. And the catalog and the shims match one to one.

use crate::shim_cases;

use std::collections::BTreeSet;
use std::path::Path;

use aiocop::FutureExt;
use aiocop_lints::catalog::{self, CATALOG, Callee};
use aiocop_tests::{current_thread, multi_thread, setup};
use shim_cases::{Run, assert_recorded, run_monitored, run_unmonitored};

fn check_all(cases: Vec<shim_cases::Case>) {
    setup();
    current_thread().block_on(async {
        for case in cases {
            let op = case.op();
            if let shim_cases::How::Here(run) = case.how {
                let (expect, events) = run_monitored(run).await;
                assert_recorded(op, &expect, &events, true);
            }
        }
    });
}

#[test]
fn fs_path_and_env_shims_record_their_event() {
    check_all(shim_cases::fs::cases());
}

#[test]
fn net_shims_record_their_event() {
    check_all(shim_cases::net::cases());
}

#[test]
fn process_shims_record_their_event() {
    check_all(shim_cases::process::cases());
}

#[test]
fn thread_shims_record_their_event() {
    check_all(shim_cases::thread::cases());
}

#[test]
fn sync_shims_record_their_event() {
    check_all(shim_cases::sync::cases());
}

#[test]
fn every_shim_records_on_a_multi_thread_runtime() {
    setup();
    multi_thread(2).block_on(async {
        let tasks: Vec<_> = shim_cases::here()
            .map(|(op, run)| (op, tokio::spawn(run_monitored(run))))
            .collect();
        for (op, task) in tasks {
            let (expect, events) = task.await.unwrap();
            assert_recorded(op, &expect, &events, true);
        }
    });
}

#[test]
fn shims_record_nothing_outside_a_monitored_poll() {
    setup();
    current_thread().block_on(async {
        assert!(!aiocop::operations::is_auditing());
        for (op, run) in shim_cases::here() {
            let events = run_unmonitored(run).await;
            assert!(events.is_empty(), "{}: {events:#?}", op.event);
        }
    });
}

#[test]
fn shims_record_nothing_on_threads_a_monitored_poll_starts() {
    setup();
    current_thread().block_on(async {
        for (op, run) in shim_cases::here() {
            let fixture = shim_cases::Fixture::new();
            let run: Run = run;
            let ((), events) = aiocop::events::collect_events(
                async {
                    std::thread::scope(|s| {
                        s.spawn(|| run(&fixture)).join().unwrap();
                    });
                }
                .monitored_as(shim_cases::FUNCTION),
            )
            .await;
            // A poll slowed down by the machine's load may still be reported as CPU-bound;
            // what must not happen is a recorded blocking call.
            let recorded: Vec<_> = events.iter().flat_map(|e| e.blocking_events()).collect();
            assert!(recorded.is_empty(), "{}: {recorded:#?}", op.event);
        }
    });
}

#[test]
fn long_arguments_are_cut_at_100_characters() {
    setup();
    let long = format!("/{}", "d".repeat(149));
    let (result, events) = current_thread().block_on(aiocop::events::collect_events(
        async { aiocop::shim::fs::metadata(&long) }.monitored_as("long"),
    ));
    assert!(result.is_err());
    let text = events[0].blocking_events()[0].event().to_owned();
    assert_eq!(text, format!("std::fs::metadata({})", &long[..100]));
}

#[test]
fn resolving_shims_return_what_std_returns_inside_a_poll() {
    setup();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    // Nothing can listen on port 0, so connecting there fails the same way every time (a port
    // freed by a listener could be taken by a test running in parallel between the two calls).
    let closed: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
    let no_addrs: &[std::net::SocketAddr] = &[];
    let (results, events) = current_thread().block_on(aiocop::events::collect_events(
        async {
            use aiocop::shim::net::{tcp_stream, udp_socket};
            let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            let pairs = vec![
                (
                    tcp_stream::connect(closed).map(drop),
                    std::net::TcpStream::connect(closed).map(drop),
                ),
                (
                    tcp_stream::connect("127.0.0.1:notaport").map(drop),
                    std::net::TcpStream::connect("127.0.0.1:notaport").map(drop),
                ),
                (
                    tcp_stream::connect(no_addrs).map(drop),
                    std::net::TcpStream::connect(no_addrs).map(drop),
                ),
                (
                    tcp_stream::connect(("127.0.0.1", listener.local_addr().unwrap().port()))
                        .map(drop),
                    std::net::TcpStream::connect(listener.local_addr().unwrap()).map(drop),
                ),
                (
                    udp_socket::send_to(&udp, b"x", no_addrs).map(drop),
                    udp.send_to(b"x", no_addrs).map(drop),
                ),
                (
                    udp_socket::connect(&udp, "127.0.0.1:notaport"),
                    udp.connect("127.0.0.1:notaport"),
                ),
            ];
            pairs
                .into_iter()
                .map(|(shim, std)| {
                    (
                        shim.map_err(|e| (e.kind(), e.to_string())),
                        std.map_err(|e| (e.kind(), e.to_string())),
                    )
                })
                .collect::<Vec<_>>()
        }
        .monitored_as("resolving"),
    ));
    for (shim, std) in &results {
        assert_eq!(shim, std);
    }
    assert!(results[0].0.is_err() && results[3].0.is_ok());
    let texts: Vec<&str> = events[0]
        .blocking_events()
        .iter()
        .map(|e| e.event())
        .collect();
    assert_eq!(texts[0], format!("std::net::TcpStream::connect({closed})"));
    assert!(
        texts[1].starts_with("std::net::TcpStream::connect(unresolved: "),
        "{}",
        texts[1]
    );
    assert_eq!(texts[2], "std::net::TcpStream::connect([])");
    assert_eq!(
        texts[3],
        format!(
            "std::net::TcpStream::connect({})",
            listener.local_addr().unwrap()
        )
    );
    assert_eq!(texts[4], "std::net::UdpSocket::send_to(1 bytes, [])");
}

/// `module::path::function` for every `pub fn` of aiocop's shim sources.
fn shim_functions_in_source() -> BTreeSet<String> {
    fn walk(dir: &Path, module: &[String], found: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                let mut inner = module.to_vec();
                inner.push(stem);
                walk(&path, &inner, found);
                continue;
            }
            let mut this = module.to_vec();
            if stem != "mod" {
                this.push(stem);
            }
            for line in std::fs::read_to_string(&path).unwrap().lines() {
                if let Some(rest) = line.strip_prefix("pub fn ") {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    let mut full = this.clone();
                    full.push(name);
                    found.insert(full.join("::"));
                }
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../aiocop/src/shim");
    let mut found = BTreeSet::new();
    walk(&root, &[], &mut found);
    found
}

#[test]
fn catalog_shims_and_cases_match_one_to_one() {
    let in_catalog: BTreeSet<String> = catalog::with_shims()
        .map(|op| op.shim.unwrap().to_owned())
        .collect();
    let in_source = shim_functions_in_source();
    assert!(in_source.len() > 100, "{in_source:?}");
    let without_entry: Vec<_> = in_source.difference(&in_catalog).collect();
    assert!(
        without_entry.is_empty(),
        "shims without a catalog entry: {without_entry:?}"
    );
    let without_shim: Vec<_> = in_catalog.difference(&in_source).collect();
    assert!(
        without_shim.is_empty(),
        "catalog shims that do not exist: {without_shim:?}"
    );

    let cases: Vec<String> = shim_cases::all()
        .iter()
        .map(|c| c.shim.to_owned())
        .collect();
    let tested: BTreeSet<String> = cases.iter().cloned().collect();
    assert_eq!(tested.len(), cases.len(), "a shim has two cases");
    let untested: Vec<_> = in_catalog.difference(&tested).collect();
    assert!(
        untested.is_empty(),
        "shims without a test case: {untested:?}"
    );
    let unknown: Vec<_> = tested.difference(&in_catalog).collect();
    assert!(
        unknown.is_empty(),
        "cases of shims not in the catalog: {unknown:?}"
    );

    // Every std operation the macro can route has a shim; the executor traps have none.
    for op in CATALOG {
        let std_path = match op.callee {
            Callee::Function { path } => path,
            Callee::Method { receiver, .. } => receiver,
        };
        assert_eq!(
            op.shim.is_some(),
            std_path.starts_with("std::"),
            "{}",
            op.event
        );
    }
}

#[test]
fn patched_functions_are_the_catalog_operations_with_shims() {
    setup();
    let patched = aiocop::get_patched_functions();
    let expected: Vec<&str> = catalog::with_shims().map(|op| op.event).collect();
    assert_eq!(patched, expected);
    assert!(patched.contains(&"std::fs::File::read_to_end"));
    assert!(!patched.contains(&"futures::executor::block_on"));
}
