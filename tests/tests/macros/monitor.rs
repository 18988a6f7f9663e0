//! `#[aiocop::monitor]`, `#[aiocop::blocking]` and `#[aiocop::allow_blocking]` at run time: what
//! is recorded, where, and that the annotated code behaves exactly as before.

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use aiocop::{SlowTaskEvent, events::collect_events};
use aiocop_tests::setup;

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aiocop-macro-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// `(event text, line)` of every blocking event, in order.
fn recorded(events: &[SlowTaskEvent]) -> Vec<(String, u32)> {
    events
        .iter()
        .flat_map(|e| e.blocking_events())
        .map(|b| (b.event().to_owned(), b.location().line()))
        .collect()
}

#[aiocop::monitor]
async fn read_config(path: &Path) -> std::io::Result<String> {
    let text = std::fs::read_to_string(path)?; // LINE_READ
    Ok(text)
}

#[tokio::test]
async fn path_call_is_recorded_at_its_line_with_its_argument() {
    setup();
    let path = temp_file("config.toml", "port = 80");
    let (text, events) = collect_events(read_config(&path)).await;
    assert_eq!(text.unwrap(), "port = 80");
    let line = line_of("LINE_READ");
    assert_eq!(
        recorded(&events),
        [(format!("std::fs::read_to_string({})", path.display()), line)]
    );
    let info = &events[0].blocking_events()[0];
    assert_eq!(
        info.entry_point(),
        format!("tests/tests/macros/monitor.rs:{line}:read_config")
    );
    assert_eq!(info.severity(), aiocop::WEIGHT_MODERATE);
    assert_eq!(events[0].function().name(), "read_config");
}

#[tokio::test]
async fn errors_are_unchanged_by_the_rewrite() {
    setup();
    let missing = Path::new("/nonexistent/aiocop/config.toml");
    let expected = std::fs::read_to_string(missing).unwrap_err();
    let (result, events) = collect_events(read_config(missing)).await;
    let err = result.unwrap_err();
    assert_eq!(err.kind(), expected.kind());
    assert_eq!(err.to_string(), expected.to_string());
    // The call happened and blocked, even though it failed.
    assert_eq!(recorded(&events).len(), 1);
}

use std::fs::File;
use std::thread;

#[aiocop::monitor]
async fn imported_names(path: &Path) -> std::io::Result<usize> {
    let mut file = File::open(path)?; // LINE_OPEN
    let mut text = String::new();
    file.read_to_string(&mut text)?; // LINE_READ_TO_STRING
    thread::sleep(Duration::from_millis(1)); // LINE_SLEEP
    let exists = path.exists(); // LINE_EXISTS
    assert!(exists);
    Ok(text.len())
}

#[tokio::test]
async fn imported_paths_and_methods_are_recorded_by_type() {
    setup();
    let path = temp_file("imported.txt", "hello");
    let (n, events) = collect_events(imported_names(&path)).await;
    assert_eq!(n.unwrap(), 5);
    assert_eq!(
        recorded(&events),
        [
            (
                format!("std::fs::File::open({})", path.display()),
                line_of("LINE_OPEN")
            ),
            (
                "std::fs::File::read_to_string()".to_owned(),
                line_of("LINE_READ_TO_STRING")
            ),
            (
                "std::thread::sleep(Duration::from_millis(1))".to_owned(),
                line_of("LINE_SLEEP")
            ),
            (
                format!("std::path::Path::exists({})", path.display()),
                line_of("LINE_EXISTS")
            ),
        ]
    );
    assert_eq!(events[0].severity_score(), 10 + 10 + 50 + 1);
}

/// A user type whose methods are named like std's blocking ones.
struct Mailbox(Vec<u32>);

impl Mailbox {
    fn recv(&mut self) -> Option<u32> {
        self.0.pop()
    }
    fn exists(&self) -> bool {
        !self.0.is_empty()
    }
    fn join(self) -> usize {
        self.0.len()
    }
}

mod fs {
    //! A local module named like std's.
    pub(crate) fn read(path: &str) -> Vec<u8> {
        path.as_bytes().to_vec()
    }
}

#[aiocop::monitor]
async fn look_alikes(path: PathBuf) -> (usize, Vec<u8>, Option<u32>, bool, usize, String) {
    let bytes = tokio::fs::read(&path).await.unwrap();
    let pending = tokio::fs::read_to_string(&path);
    let text = pending.await.unwrap();
    tokio::time::sleep(Duration::from_millis(1)).await;
    let mut cursor = Cursor::new(vec![1u8, 2, 3]);
    let mut buf = Vec::new();
    cursor.read_to_end(&mut buf).unwrap();
    let mut out = Vec::new();
    out.write_all(b"abc").unwrap();
    let mut mailbox = Mailbox(vec![7]);
    let got = mailbox.recv();
    let exists = Mailbox(vec![1]).exists();
    let joined = Mailbox(vec![1, 2]).join();
    let read = |n: usize| n * 2;
    let doubled = read(bytes.len());
    let local = fs::read("abc");
    (
        doubled,
        local,
        got,
        exists,
        joined + buf.len() + out.len(),
        text,
    )
}

#[tokio::test]
async fn look_alikes_record_nothing() {
    setup();
    let path = temp_file("look.txt", "xyz");
    let (out, events) = collect_events(look_alikes(path)).await;
    assert_eq!(
        out,
        (
            6,
            b"abc".to_vec(),
            Some(7),
            true,
            2 + 3 + 3,
            "xyz".to_owned()
        )
    );
    assert!(
        events.iter().all(|e| e.blocking_events().is_empty()),
        "unexpected events: {events:?}"
    );
}

#[aiocop::monitor(strict)]
async fn strict_sleeper() {
    std::thread::sleep(Duration::from_millis(1));
}

#[tokio::test]
async fn strict_functions_panic_on_high_severity() {
    setup();
    let task = tokio::spawn(strict_sleeper());
    let payload = task.await.unwrap_err().into_panic();
    let report = aiocop::HighSeverityBlockingIo::from_panic(&*payload).expect("typed report");
    assert_eq!(report.severity_score(), aiocop::WEIGHT_HEAVY);
    assert_eq!(report.function().name(), "strict_sleeper");
    assert!(
        aiocop::HighSeverityBlockingIo::from_panic(&*payload)
            .unwrap()
            .message()
            .contains("std::thread::sleep")
    );
}

#[aiocop::monitor(threshold_ms = 1)]
async fn cpu_bound_with_own_threshold() -> u64 {
    let start = std::time::Instant::now();
    let mut x = 0u64;
    while start.elapsed() < Duration::from_millis(5) {
        x = x.wrapping_add(1);
    }
    x
}

#[tokio::test]
async fn threshold_ms_overrides_the_global_threshold() {
    setup();
    // The global threshold is 60 s (`aiocop_tests::QUIET_THRESHOLD_MS`); this function's is 1 ms.
    let (_, events) = collect_events(cpu_bound_with_own_threshold()).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].reason(), aiocop::Reason::CpuBlocking);
    assert_eq!(events[0].threshold(), Duration::from_millis(1));
    assert!(events[0].exceeded_threshold());
}

#[aiocop::monitor(allow(std::thread::sleep))]
async fn allowed_sleep(path: &Path) -> bool {
    std::thread::sleep(Duration::from_millis(1));
    path.exists()
}

#[tokio::test]
async fn allow_suppresses_only_the_named_operations() {
    setup();
    let path = temp_file("allowed.txt", "");
    let (exists, events) = collect_events(allowed_sleep(&path)).await;
    assert!(exists);
    let ops: Vec<&str> = events
        .iter()
        .flat_map(|e| e.blocking_events())
        .map(|b| b.operation())
        .collect();
    assert_eq!(ops, ["std::path::Path::exists"]);
}

#[aiocop::monitor(rewrite = false)]
async fn timed_only() {
    std::thread::sleep(Duration::from_millis(1));
}

/// The same, with a threshold its sleep exceeds: the poll is still timed.
#[aiocop::monitor(rewrite = false, threshold_ms = 1)]
async fn timed_only_slow() {
    std::thread::sleep(Duration::from_millis(5));
}

#[tokio::test]
async fn rewrite_false_records_no_calls() {
    setup();
    let (_, events) = collect_events(timed_only()).await;
    assert!(events.is_empty(), "{events:?}");
    // No event above could also mean no monitoring at all: the guard must still time the poll,
    // and report it as CPU blocking, the sleep not being recorded.
    let (_, events) = collect_events(timed_only_slow()).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].function().name(), "timed_only_slow");
    assert_eq!(events[0].reason(), aiocop::Reason::CpuBlocking);
    assert!(events[0].blocking_events().is_empty());
    assert!(events[0].exceeded_threshold());
}

#[aiocop::blocking(weight = heavy)]
fn legacy_query(sql: &str) -> usize {
    sql.len()
}

#[aiocop::blocking(weight = light, name = "cache::probe")]
fn cache_probe() -> Option<u8> {
    None
}

#[aiocop::monitor]
async fn uses_blocking_functions() -> usize {
    let n = legacy_query("SELECT 1"); // LINE_LEGACY
    assert!(cache_probe().is_none()); // LINE_CACHE
    n
}

#[tokio::test]
async fn blocking_functions_record_every_call_at_the_caller() {
    setup();
    let (n, events) = collect_events(uses_blocking_functions()).await;
    assert_eq!(n, 8);
    assert_eq!(
        recorded(&events),
        [
            (
                "macros::monitor::legacy_query()".to_owned(),
                line_of("LINE_LEGACY")
            ),
            ("cache::probe()".to_owned(), line_of("LINE_CACHE")),
        ]
    );
    assert_eq!(events[0].severity_score(), 51);
    let dict = aiocop::get_blocking_events_dict();
    assert_eq!(dict["macros::monitor::legacy_query"], aiocop::WEIGHT_HEAVY);
    assert_eq!(dict["cache::probe"], aiocop::WEIGHT_LIGHT);
}

#[aiocop::allow_blocking(reason = "reads a small embedded config once at start-up")]
fn load_defaults(path: &Path) -> bool {
    aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[&path.display()]);
    path.exists()
}

#[aiocop::monitor]
async fn calls_allowed_function(path: &Path) -> bool {
    load_defaults(path)
}

/// `load_defaults` without the attribute.
fn load_defaults_unallowed(path: &Path) -> bool {
    aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[&path.display()]);
    path.exists()
}

#[aiocop::monitor]
async fn calls_unallowed_function(path: &Path) -> bool {
    load_defaults_unallowed(path)
}

#[tokio::test]
async fn allow_blocking_suppresses_recording_inside_the_function() {
    setup();
    let path = temp_file("defaults.txt", "");
    let (exists, events) = collect_events(calls_allowed_function(&path)).await;
    assert!(exists);
    assert!(events.is_empty(), "{events:?}");
    // The same calls without `allow_blocking` are recorded: the silence above is the attribute's.
    let (exists, events) = collect_events(calls_unallowed_function(&path)).await;
    assert!(exists);
    let ops: Vec<(&str, &str)> = events
        .iter()
        .flat_map(|e| e.blocking_events())
        .map(|b| (b.operation(), b.function().name()))
        .collect();
    assert_eq!(ops, [("std::fs::read", "calls_unallowed_function")]);
}

#[aiocop::monitor]
async fn inner_reader(path: &Path) -> usize {
    std::fs::read(path).unwrap().len()
}

#[aiocop::monitor]
async fn outer_handler(path: PathBuf) -> usize {
    let n = inner_reader(&path).await;
    std::thread::sleep(Duration::from_millis(1));
    n
}

#[tokio::test]
async fn nested_monitored_functions_give_one_event_tagged_by_function() {
    setup();
    let path = temp_file("nested.txt", "12345");
    let (n, events) = collect_events(outer_handler(path)).await;
    assert_eq!(n, 5);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].function().name(), "outer_handler");
    let by_function: Vec<(&str, &str)> = events[0]
        .blocking_events()
        .iter()
        .map(|b| (b.operation(), b.function().name()))
        .collect();
    assert_eq!(
        by_function,
        [
            ("std::fs::read", "inner_reader"),
            ("std::thread::sleep", "outer_handler")
        ]
    );
}

#[test]
fn annotated_functions_are_listed_with_their_location() {
    let entry = aiocop::functions::monitored_functions()
        .find(|f| f.info().name() == "read_config")
        .expect("registered");
    assert_eq!(entry.info().module_path(), "macros::monitor");
    assert_eq!(entry.info().file(), "tests/tests/macros/monitor.rs");
    assert_eq!(entry.info().line(), line_of("async fn read_config"));
    let strict = aiocop::functions::monitored_functions()
        .find(|f| f.info().name() == "strict_sleeper")
        .unwrap();
    assert!(strict.options().strict());
    let timed = aiocop::functions::monitored_functions()
        .find(|f| f.info().name() == "cpu_bound_with_own_threshold")
        .unwrap();
    assert_eq!(timed.options().threshold(), Some(Duration::from_millis(1)));
}

#[test]
fn functions_of_other_crates_are_listed_whole_without_being_called() {
    // Referenced (so that the linker keeps them, as a program keeps what it uses), never run.
    use aiocop_tests::listed_in_a_library::{library_handler, library_lookup};
    std::hint::black_box(library_lookup as fn() -> u32);
    drop(std::hint::black_box(library_handler()));
    let entry = aiocop::functions::monitored_functions()
        .find(|f| f.info().name() == "library_handler")
        .expect("registered by the library crate");
    assert_eq!(
        entry.info().module_path(),
        "aiocop_tests::listed_in_a_library"
    );
    assert_eq!(entry.info().file(), "tests/src/lib.rs");
    assert_eq!(entry.options().threshold(), Some(Duration::from_millis(7)));
    assert!(entry.options().strict());
    assert_eq!(entry.options().allow(), ["std::thread::sleep"]);
    // Each listed once, however many crates register.
    let mut names: Vec<_> = aiocop::functions::monitored_functions()
        .map(|f| (f.info().file(), f.info().line(), f.info().name()))
        .collect();
    let listed = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), listed, "{names:?}");
    assert_eq!(
        aiocop::get_blocking_events_dict()["library::lookup"],
        aiocop::WEIGHT_LIGHT
    );
}

/// The line of this file containing `marker` (where it appears after code, or the fn header).
fn line_of(marker: &str) -> u32 {
    let source = include_str!("monitor.rs");
    let index = source
        .lines()
        .position(|l| l.contains(marker) && !l.contains("line_of("))
        .unwrap_or_else(|| panic!("marker {marker} not found"));
    index as u32 + 1
}

/// Sets its flag when dropped.
struct DropFlag<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for DropFlag<'_> {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[aiocop::monitor]
async fn ignores_its_guard(
    _: DropFlag<'_>,
    (_, flag): (u8, &std::sync::atomic::AtomicBool),
) -> bool {
    // Like an `async fn`'s, a `_` argument lives in the future until the body has run.
    flag.load(std::sync::atomic::Ordering::SeqCst)
}

#[tokio::test]
async fn arguments_bound_to_wildcards_are_dropped_after_the_body_as_in_an_async_fn() {
    let flag = std::sync::atomic::AtomicBool::new(false);
    let dropped_before_body = ignores_its_guard(DropFlag(&flag), (1, &flag)).await;
    assert!(!dropped_before_body);
    assert!(flag.load(std::sync::atomic::Ordering::SeqCst));
}
