//! Helpers shared by the integration tests in `tests/tests/`.
//!
//! The tests are grouped into a few binaries by what they need from their process; a test whose
//! process-wide settings differ from the rest of its binary's runs in a process of its own
//! ([`own_process!`], or [`in_fresh_process`] for a test that looks at its child from outside).
//! [`setup`] and the runtimes serve every binary that wants monitoring on the common way. Most of
//! the rest serve the `macros::routes_*` tests, which check at run time that
//! `#[aiocop::monitor]` records every catalog operation it routes, at the line of the call, and
//! that the rewritten code returns exactly what std returns. Each of those test files writes its
//! calls twice through [`twin!`]: once in a monitored async fn, once in a plain one.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use aiocop::SlowTaskEvent;
use aiocop_lints::BlockingOp;
use aiocop_lints::catalog::{CATALOG, Callee};

/// A global slow-task threshold, in milliseconds, that no poll of the tests reaches by accident,
/// even on a loaded machine: only polls that record blocking calls (or set their own threshold)
/// produce events.
pub const QUIET_THRESHOLD_MS: u64 = 60_000;

/// Turns monitoring on the same way in every test of a binary: patched, detecting blocking calls
/// without traces, with [`QUIET_THRESHOLD_MS`], so that only recorded calls make events.
pub fn setup() {
    setup_with(|| {});
}

/// Like [`setup`], with `configure` changing more process-wide settings just before monitoring is
/// turned on. Only the first call in a process runs; every test of a binary must pass the same.
pub fn setup_with(configure: impl FnOnce()) {
    setup_at(QUIET_THRESHOLD_MS, configure);
}

/// Like [`setup_with`], with the slow-task threshold at `threshold_ms`: for binaries whose tests
/// need slow polls to make events (integrations, services, runtime hooks).
pub fn setup_at(threshold_ms: u64, configure: impl FnOnce()) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        aiocop::patch_audit_functions();
        aiocop::start_blocking_io_detection(0).expect("trace depth 0 is valid");
        aiocop::detect_slow_tasks(threshold_ms, aiocop::no_callback).expect("a valid threshold");
        configure();
        aiocop::activate();
    });
}

/// The environment variable that tells a re-run test binary which test body to run for real.
const FRESH_PROCESS: &str = "AIOCOP_TEST_FRESH_PROCESS";

/// Runs `body` in a fresh process: this test binary again, running only `test` (the test's path
/// as libtest names it, e.g. `first_events_do_not_wait`), with `env` added. In that process
/// `body` runs and nothing is returned; in the calling process the child's output is returned
/// once it exits (it is killed after `timeout`, and the test fails: a hang must not hang the
/// suite). For what is decided once per process: global settings, the first event, fork, exit.
pub fn in_fresh_process(
    test: &str,
    env: &[(&str, &str)],
    timeout: std::time::Duration,
    body: impl FnOnce(),
) -> Option<std::process::Output> {
    if std::env::var(FRESH_PROCESS).as_deref() == Ok(test) {
        body();
        return None;
    }
    let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(FRESH_PROCESS, test)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("re-run the test binary");
    // Read both pipes on threads, so a chatty child cannot fill one and stall.
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut buf);
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut buf);
        buf
    });
    let deadline = std::time::Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
            panic!(
                "`{test}` in a fresh process did not finish within {timeout:?}; stderr:\n{stderr}"
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    Some(std::process::Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// The name libtest gives the test `name` of the module whose `module_path!()` is `module_path`:
/// the module path without the crate's name (a test binary's crate is named after its file).
pub fn test_name(module_path: &str, name: &str) -> String {
    match module_path.split_once("::") {
        Some((_, module)) => format!("{module}::{name}"),
        None => name.to_owned(),
    }
}

/// How long a test run by [`own_process!`] may take in its process before it counts as hung.
pub const OWN_PROCESS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(240);

/// What the process of a test run by [`own_process!`] prints once the test's body has returned:
/// the parent checks for it, so that a name that matches no test (which libtest answers by running
/// nothing, successfully) fails instead of passing without having run anything.
const BODY_RAN: &str = "aiocop-tests: the body ran: ";

/// Runs the rest of the calling test in a process of its own; see [`own_process!`], which is how
/// tests call it. Returns `None` in the test binary's own process, after the test's process
/// succeeded; in the test's process, a value to keep until the end of the test body.
pub fn in_own_process(module_path: &str, name: &str) -> Option<BodyRan> {
    let test = test_name(module_path, name);
    // libtest names the thread of a test after it (not when it runs a test on the main thread):
    // a name copied from another test would run that test in the child instead.
    let thread = std::thread::current();
    if let Some(running) = thread.name().filter(|&n| n != "main") {
        assert_eq!(running, test, "own_process! was given another test's name");
    }
    let mut in_child = false;
    let output = in_fresh_process(&test, &[], OWN_PROCESS_TIMEOUT, || in_child = true);
    if in_child {
        return Some(BodyRan(test));
    }
    let output = output.expect("the parent has the child's output");
    assert_succeeded(&test, &output);
    let marker = format!("{BODY_RAN}{test}\n");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains(&marker),
        "`{test}` ran no test body in its process:\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    None
}

/// Held by a test body running in its own process ([`own_process!`]): when the body returns
/// without panicking, dropping it tells the parent that the body ran to the end.
#[derive(Debug)]
pub struct BodyRan(String);

impl Drop for BodyRan {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            println!("{BODY_RAN}{}", self.0);
        }
    }
}

/// Runs the rest of the test in a process of its own: the first statement of a test whose module
/// needs process-wide settings other than those of the rest of its binary (a trace depth, a
/// strict default, a delivery mode, nothing patched...), or that changes them. `name` is the
/// test function's name. In the binary's own process the test then only waits for its process
/// (at most [`OWN_PROCESS_TIMEOUT`]) and fails if it failed, hung, or ran no test body; in the
/// test's process the body runs as it would in a binary of its own.
#[macro_export]
macro_rules! own_process {
    ($name:literal) => {
        let Some(_body_ran) = $crate::in_own_process(module_path!(), $name) else {
            return;
        };
    };
}

/// Asserts that the fresh process of `test` (see [`in_fresh_process`]) exited successfully,
/// showing what it printed if not.
pub fn assert_succeeded(test: &str, output: &std::process::Output) {
    assert!(
        output.status.success(),
        "{test} failed in its process ({}):\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Waits for the forked child `pid` for at most `timeout`: its exit code, or `None` if it did not
/// exit normally or had to be killed (a hang).
pub fn wait_for_child(pid: libc::pid_t, timeout: std::time::Duration) -> Option<i32> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let mut status = 0;
        // SAFETY: waiting for our own child, with a valid status pointer.
        let waited = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        assert!(waited >= 0, "waitpid failed");
        if waited == pid {
            return libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
        }
        if std::time::Instant::now() >= deadline {
            // SAFETY: signalling and reaping our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// A current-thread tokio runtime with time and I/O.
pub fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("current-thread runtime")
}

/// A runtime builder with time and I/O: multi-thread with two workers, or current-thread. For
/// tests that add hooks to the builder before building it.
pub fn runtime_builder(multi_thread: bool) -> tokio::runtime::Builder {
    let mut builder = if multi_thread {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(2);
        builder
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder.enable_all();
    builder
}

/// A multi-thread tokio runtime with `workers` worker threads, time and I/O.
pub fn multi_thread(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("multi-thread runtime")
}

/// Writes a monitored async fn and its plain twin from one body:
///
/// ```text
/// twin! {
///     async fn reads / reads_plain(fx: &Fixture) -> Vec<String> { .. }
/// }
/// ```
///
/// `reads` carries `#[aiocop::monitor]`; `reads_plain` is the same code without it, so a test
/// can check that the rewritten calls return what the std calls return.
#[macro_export]
macro_rules! twin {
    (
        $(#[doc = $doc:literal])*
        async fn $monitored:ident / $plain:ident ( $($params:tt)* ) -> $ret:ty { $($body:tt)* }
    ) => {
        $(#[doc = $doc])*
        #[aiocop::monitor]
        async fn $monitored($($params)*) -> $ret { $($body)* }

        $(#[doc = $doc])*
        async fn $plain($($params)*) -> $ret { $($body)* }
    };
}

/// Declares the tests of one area's scenarios. Each scenario is an `async fn() -> Vec<&'static
/// str>` returning the operations whose recording it asserted. Every scenario becomes a test on a
/// current-thread runtime; one more test runs them all on a multi-thread runtime and checks that
/// together they assert every routed catalog operation of the area ([`assert_area_covered`]).
#[macro_export]
macro_rules! route_tests {
    ($area:literal; $($scenario:ident),+ $(,)?) => {
        mod route_tests {
            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario().await;
                }
            )+

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn every_routed_operation_of_the_area_is_recorded_by_a_test() {
                let mut asserted: Vec<&'static str> = Vec::new();
                $(
                    asserted.extend(tokio::spawn(super::$scenario()).await.unwrap());
                )+
                $crate::assert_area_covered($area, &asserted);
            }
        }
    };
}

/// The areas the `macros::routes_*` tests split the routed operations into; area `x` is tested by
/// `tests/tests/macros/routes_x.rs`.
pub const AREAS: &[&str] = &["fs", "path", "net", "process", "thread_sync", "io_stdin"];

/// The catalog operations `#[aiocop::monitor]` routes: std operations with a shim.
pub fn routed_operations() -> impl Iterator<Item = &'static BlockingOp> {
    CATALOG.iter().filter(|op| op.shim.is_some())
}

/// The area of a routed operation, by the std module it lives in.
pub fn area_of(op: &BlockingOp) -> Option<&'static str> {
    let owner = match op.callee {
        Callee::Function { path } => path,
        Callee::Method { receiver, .. } => receiver,
    };
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| owner.starts_with(p));
    if starts(&[
        "std::fs::",
        "std::os::unix::fs::",
        "std::io::BufReader<std::fs::File>",
    ]) {
        Some("fs")
    } else if starts(&["std::path::", "std::env::"]) {
        Some("path")
    } else if starts(&["std::net::", "std::os::unix::net::"]) {
        Some("net")
    } else if starts(&["std::process::"]) {
        Some("process")
    } else if starts(&["std::thread::", "std::sync::"]) {
        Some("thread_sync")
    } else if starts(&["std::io::Stdin"]) {
        Some("io_stdin")
    } else {
        None
    }
}

/// Panics unless `asserted` (operations whose recording the tests of `area` asserted) holds every
/// routed operation of `area`, and nothing that is not a routed operation. (A test may assert an
/// operation of another area on the way, such as the `Path::read_dir` that lists a directory
/// whose `DirEntry::metadata` it reads.)
pub fn assert_area_covered(area: &str, asserted: &[&'static str]) {
    let routed: BTreeSet<&str> = routed_operations().map(|op| op.event).collect();
    let expected: BTreeSet<&str> = routed_operations()
        .filter(|op| area_of(op) == Some(area))
        .map(|op| op.event)
        .collect();
    assert!(!expected.is_empty(), "no routed operation in area {area}");
    let asserted: BTreeSet<&str> = asserted.iter().copied().collect();
    let missing: Vec<_> = expected.difference(&asserted).collect();
    assert!(
        missing.is_empty(),
        "routed {area} operations no test records: {missing:?}"
    );
    let unknown: Vec<_> = asserted.difference(&routed).collect();
    assert!(
        unknown.is_empty(),
        "asserted operations that the macro does not route: {unknown:?}"
    );
}

/// One call a test expects `#[aiocop::monitor]` to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routed {
    operation: &'static str,
    weight: u32,
    line: u32,
    text: String,
}

/// Expects `op` recorded at `line`, its event showing `args`: `name(args)`.
pub fn routed(op: &'static BlockingOp, line: u32, args: impl fmt::Display) -> Routed {
    Routed {
        operation: op.event,
        weight: op.weight,
        line,
        text: format!("{}({args})", op.event),
    }
}

/// Every blocking call `events` recorded, in order, checked against `expected`: operation, weight,
/// line and event text, each in `file`. Returns the operations asserted.
pub fn assert_routed(
    file: &str,
    events: &[SlowTaskEvent],
    expected: &[Routed],
) -> Vec<&'static str> {
    let calls: Vec<_> = events.iter().flat_map(|e| e.blocking_events()).collect();
    let recorded: Vec<Routed> = calls
        .iter()
        .map(|call| Routed {
            operation: call.operation(),
            weight: call.severity(),
            line: call.location().line(),
            text: call.event().to_owned(),
        })
        .collect();
    for (i, (got, want)) in recorded.iter().zip(expected).enumerate() {
        assert_eq!(got, want, "call {i} of {}", expected.len());
    }
    assert_eq!(recorded, expected, "recorded calls");
    for call in &calls {
        assert_eq!(call.location().file(), file, "{}", call.operation());
    }
    for event in events {
        assert_eq!(
            event.severity_score(),
            event
                .blocking_events()
                .iter()
                .map(|b| b.severity())
                .sum::<u32>()
        );
    }
    expected.iter().map(|r| r.operation).collect()
}

/// The blocking calls `events` recorded, one line each: `operation weight file:line text`, as
/// a helper process reports them to the test that runs it (see [`assert_reported`]).
pub fn report(events: &[SlowTaskEvent]) -> Vec<String> {
    events
        .iter()
        .flat_map(|e| e.blocking_events())
        .map(|call| {
            format!(
                "{} {} {}:{} {}",
                call.operation(),
                call.severity(),
                call.location().file(),
                call.location().line(),
                call.event()
            )
        })
        .collect()
}

/// Like [`assert_routed`], for calls a helper process reported with [`report`].
pub fn assert_reported(file: &str, reported: &[String], expected: &[Routed]) -> Vec<&'static str> {
    let expected_lines: Vec<String> = expected
        .iter()
        .map(|r| format!("{} {} {file}:{} {}", r.operation, r.weight, r.line, r.text))
        .collect();
    assert_eq!(reported, expected_lines, "reported calls");
    expected.iter().map(|r| r.operation).collect()
}

/// Panics unless the poll(s) recorded no blocking call.
pub fn assert_nothing_routed(events: &[SlowTaskEvent]) -> Vec<&'static str> {
    let calls: Vec<_> = events.iter().flat_map(|e| e.blocking_events()).collect();
    assert!(calls.is_empty(), "unexpected calls recorded: {calls:#?}");
    Vec::new()
}

/// The lines of a source file, for the expected line of a call marked with `// @marker`.
#[derive(Debug, Clone, Copy)]
pub struct Source(pub &'static str);

impl Source {
    /// The line holding `// @marker` (followed by a space or the end of the line); panics unless
    /// exactly one line does.
    pub fn line(&self, marker: &str) -> u32 {
        let tag = format!("// @{marker}");
        let hits: Vec<usize> = self
            .0
            .lines()
            .enumerate()
            .filter(|(_, text)| {
                text.match_indices(&tag).any(|(at, _)| {
                    text[at + tag.len()..]
                        .chars()
                        .next()
                        .is_none_or(char::is_whitespace)
                })
            })
            .map(|(index, _)| index)
            .collect();
        match hits.as_slice() {
            [index] => *index as u32 + 1,
            _ => panic!("marker @{marker} is on {} lines, not one", hits.len()),
        }
    }
}

/// A value's `Debug` text: how the twins' results are compared.
pub fn dbg(value: &impl fmt::Debug) -> String {
    format!("{value:?}")
}

/// A directory of its own for one test, removed afterwards.
#[derive(Debug)]
pub struct Fixture {
    dir: PathBuf,
}

impl Fixture {
    /// A fresh empty directory under the system's temporary directory.
    pub fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "aiocop-routes-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create the fixture's directory");
        Fixture { dir }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `name` in the directory (not created).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// A file `name` holding `contents`.
    pub fn file(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("write the fixture's file");
        path
    }

    /// `path` relative to the directory, so that results of two fixtures compare equal.
    pub fn rel(&self, path: &Path) -> String {
        match path.strip_prefix(&self.dir) {
            Ok(rest) => format!("<fx>/{}", rest.display()),
            Err(_) => path.display().to_string(),
        }
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A blocking call inside a crate the test does not annotate (this one): `#[aiocop::monitor]`
/// cannot see it, the stall watchdog's samples can. (It returns when it slept, so that an
/// optimized build cannot turn the sleep into a tail call, which would take this frame away.)
#[inline(never)]
pub fn sleep_in_a_library(duration: std::time::Duration) -> std::time::Duration {
    let start = std::time::Instant::now();
    std::thread::sleep(duration);
    start.elapsed()
}

/// An annotated function and a declared blocking one in a library crate, which a test references
/// but never runs: both are listed at run time all the same.
pub mod listed_in_a_library {
    /// Registered with its own options, so a test can check the entry arrives whole.
    #[aiocop::monitor(threshold_ms = 7, strict, allow("std::thread::sleep"))]
    pub async fn library_handler() -> u32 {
        std::thread::sleep(std::time::Duration::from_millis(1));
        7
    }

    /// Declared blocking under its own name.
    #[aiocop::blocking(weight = light, name = "library::lookup")]
    pub fn library_lookup() -> u32 {
        7
    }
}

/// The system allocator, counting what each thread allocates: a test binary that wants the counts
/// installs it (`#[global_allocator] static A: aiocop_tests::CountingAllocator =
/// aiocop_tests::CountingAllocator;`). Per thread, so other tests' threads do not disturb a count.
pub struct CountingAllocator;

thread_local! {
    /// Allocations made by this thread so far.
    static ALLOCATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// Bytes this thread allocated and has not freed (frees of other threads' blocks included).
    static LIVE_BYTES: std::cell::Cell<isize> = const { std::cell::Cell::new(0) };
}

/// Counts an allocation of `bytes` (or, negative, a free) on this thread.
fn count(allocations: u64, bytes: isize) {
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + allocations));
    let _ = LIVE_BYTES.try_with(|n| n.set(n.get() + bytes));
}

// SAFETY: every call goes to the system allocator unchanged. The counters are const-initialised
// thread-locals without destructors: touching them allocates nothing, and `try_with` leaves them
// alone on a thread being torn down.
unsafe impl std::alloc::GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        count(1, layout.size() as isize);
        // SAFETY: the caller's guarantees, passed on.
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        count(1, layout.size() as isize);
        // SAFETY: the caller's guarantees, passed on.
        unsafe { std::alloc::System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        count(1, new_size as isize - layout.size() as isize);
        // SAFETY: the caller's guarantees, passed on.
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        count(0, -(layout.size() as isize));
        // SAFETY: the caller's guarantees, passed on.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

/// Allocations this thread made so far (with [`CountingAllocator`] installed).
pub fn allocations() -> u64 {
    ALLOCATIONS.try_with(std::cell::Cell::get).unwrap_or(0)
}

/// Bytes this thread allocated and has not freed (with [`CountingAllocator`] installed).
pub fn live_bytes() -> isize {
    LIVE_BYTES.try_with(std::cell::Cell::get).unwrap_or(0)
}
