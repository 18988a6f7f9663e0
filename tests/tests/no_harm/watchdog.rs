//! The stall watchdog never changes what the code it samples does (issue 13, item 2), survives a
//! fork, and can be stopped from its own thread (items 3 and 4).
//!
//! Each test runs its scenario in a fresh process (`aiocop_tests::in_fresh_process`):
//! the watchdog's settings are process-wide, and one scenario stops it.
//!
//! - `blocked_calls_return_what_they_return_unsampled`: a TCP read with a read timeout, a UDP
//!   `recv` with a timeout, `usleep`, `nanosleep` and `poll(300)`, each inside a monitored poll
//!   sampled every 5 ms for its 300 ms, return exactly what they return with the watchdog stopped,
//!   in 100 of 100 runs per call (4 threads per call, each on its own current-thread runtime, all
//!   20 at once: about 8 s); and every poll still gets samples naming the call's function (the
//!   signal-free path works, it does not just skip).
//! - `a_call_right_after_a_sampled_poll_is_not_interrupted`: 3,600 CPU-bound monitored polls of
//!   5 ms (4 threads), sampled by signals every millisecond, each followed at once by `poll(1 ms)`
//!   outside any monitored poll: none returns EINTR, and no signal interrupts any system call
//!   (the handler counts those), while signals do come after their poll ended (printed).
//! - `a_forked_child_samples_its_own_polls`: a process whose watchdog samples runtime threads forks
//!   repeatedly; each child samples a blocked and a CPU-bound poll of its own (stuck reports and
//!   samples naming the child's functions), or fails with an exit status (a hang fails on timeout).
//! - `stop_cpu_sampling_works_from_a_stuck_poll_callback`: it returns, the watchdog stops, and it
//!   starts again.

#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use std::hint::black_box;
use std::io::{ErrorKind, Read};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aiocop::{FutureExt, SlowTaskEvent, watchdog::CpuSampling, watchdog::CpuSamplingStatus};

/// A scenario taking longer than this hangs.
const CHILD_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `scenario` in a fresh process (this test binary, filtered to the test `name` of this
/// module), in this module's turn ([`crate::take_turn`]), or, in that process, runs it.
fn in_fresh_process(name: &str, scenario: fn()) {
    let _turn = crate::take_turn(module_path!());
    let name = &aiocop_tests::test_name(module_path!(), name);
    if let Some(output) = aiocop_tests::in_fresh_process(name, &[], CHILD_TIMEOUT, scenario) {
        println!("{}", String::from_utf8_lossy(&output.stdout));
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        aiocop_tests::assert_succeeded(name, &output);
    }
}

/// What a call returned: an I/O result's kind, or a C return value with `errno` when it is -1
/// (and for `nanosleep`, the time it says remained, in nanoseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Io(Result<usize, ErrorKind>),
    C {
        value: i64,
        errno: i32,
    },
    Sleep {
        value: i64,
        errno: i32,
        remaining: i64,
    },
}

impl Outcome {
    fn c(value: i64) -> Outcome {
        let errno = if value == -1 {
            std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
        } else {
            0
        };
        Outcome::C { value, errno }
    }
}

const CALL: Duration = Duration::from_millis(300);

/// Sockets, a pipe: what the calls wait on, with no data ever coming.
struct Endpoints {
    tcp: TcpStream,
    _tcp_peer: TcpStream,
    udp: UdpSocket,
    pipe: OwnedFd,
    _pipe_writer: OwnedFd,
}

impl Endpoints {
    /// `poll` on the pipe, where no data ever comes, for 1 ms: what it returned if that is not
    /// the plain timeout (0), which it always is unsampled.
    fn poll_pipe_1ms(&self) -> Option<Outcome> {
        let mut fd = libc::pollfd {
            fd: self.pipe.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let outcome = Outcome::c(i64::from(unsafe { libc::poll(&mut fd, 1, 1) }));
        (outcome != (Outcome::C { value: 0, errno: 0 })).then_some(outcome)
    }

    fn new() -> Endpoints {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let tcp = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (tcp_peer, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(CALL)).unwrap();
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        udp.set_read_timeout(Some(CALL)).unwrap();
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for the two descriptors.
        assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
        // SAFETY: both were just opened, and are owned here only.
        let (pipe, writer) =
            unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        Endpoints {
            tcp,
            _tcp_peer: tcp_peer,
            udp,
            pipe,
            _pipe_writer: writer,
        }
    }
}

#[inline(never)]
fn tcp_read_with_timeout(endpoints: &Endpoints) -> Outcome {
    let mut buffer = [0u8; 16];
    Outcome::Io((&endpoints.tcp).read(&mut buffer).map_err(|e| e.kind()))
}

#[inline(never)]
fn udp_recv_with_timeout(endpoints: &Endpoints) -> Outcome {
    let mut buffer = [0u8; 16];
    Outcome::Io(endpoints.udp.recv(&mut buffer).map_err(|e| e.kind()))
}

#[inline(never)]
fn libc_usleep(_: &Endpoints) -> Outcome {
    // SAFETY: no preconditions.
    Outcome::c(i64::from(unsafe { libc::usleep(CALL.as_micros() as u32) }))
}

#[inline(never)]
fn libc_nanosleep(_: &Endpoints) -> Outcome {
    let request = libc::timespec {
        tv_sec: 0,
        tv_nsec: CALL.as_nanos() as i64,
    };
    let mut remaining = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: valid timespecs.
    let value = unsafe { libc::nanosleep(&request, &mut remaining) };
    let Outcome::C { value, errno } = Outcome::c(i64::from(value)) else {
        unreachable!()
    };
    // Interrupted, it would say how much was left; finished, it writes nothing.
    Outcome::Sleep {
        value,
        errno,
        remaining: remaining.tv_sec * 1_000_000_000 + remaining.tv_nsec,
    }
}

#[inline(never)]
fn libc_poll_300(endpoints: &Endpoints) -> Outcome {
    let mut fd = libc::pollfd {
        fd: endpoints.pipe.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    Outcome::c(i64::from(unsafe {
        libc::poll(&mut fd, 1, CALL.as_millis() as i32)
    }))
}

type Case = (&'static str, fn(&Endpoints) -> Outcome);

const CASES: [Case; 5] = [
    ("tcp_read_with_timeout", tcp_read_with_timeout),
    ("udp_recv_with_timeout", udp_recv_with_timeout),
    ("libc_usleep", libc_usleep),
    ("libc_nanosleep", libc_nanosleep),
    ("libc_poll_300", libc_poll_300),
];

/// Runs `case` once in a monitored poll; returns what it returned, how long it took, and the
/// poll's events.
fn run_case(
    runtime: &tokio::runtime::Runtime,
    endpoints: &Endpoints,
    (name, call): Case,
) -> (Outcome, Duration, Vec<SlowTaskEvent>) {
    runtime.block_on(async {
        let ((outcome, took), events) = aiocop::events::collect_events(
            async {
                let start = Instant::now();
                let outcome = call(endpoints);
                (outcome, start.elapsed())
            }
            .monitored_as(name),
        )
        .await;
        (outcome, took, events)
    })
}

const THREADS_PER_CASE: usize = 4;
const RUNS_PER_CASE: usize = 100;

fn blocked_calls() {
    // Baseline first, with the watchdog stopped.
    aiocop::watchdog::stop_cpu_sampling();
    aiocop::detect_slow_tasks(100, aiocop::no_callback).unwrap();
    aiocop::activate();
    let runtime = aiocop_tests::current_thread();
    let endpoints = Endpoints::new();
    let baseline: Vec<Outcome> = CASES
        .iter()
        .map(|case| run_case(&runtime, &endpoints, *case).0)
        .collect();
    assert_eq!(
        baseline,
        [
            Outcome::Io(Err(ErrorKind::WouldBlock)),
            Outcome::Io(Err(ErrorKind::WouldBlock)),
            Outcome::C { value: 0, errno: 0 },
            Outcome::Sleep {
                value: 0,
                errno: 0,
                remaining: 0
            },
            Outcome::C { value: 0, errno: 0 },
        ]
    );

    aiocop::watchdog::start_cpu_sampling(
        CpuSampling::new()
            .interval(Duration::from_millis(5))
            .arm_after(Duration::from_millis(1))
            .max_samples_per_poll(aiocop::watchdog::MAX_SAMPLES_PER_POLL)
            .stuck_after(None),
    )
    .unwrap();
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let samples = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..CASES.len() * THREADS_PER_CASE)
        .map(|i| {
            let case = CASES[i % CASES.len()];
            let expected = baseline[i % CASES.len()];
            let failures = failures.clone();
            let samples = samples.clone();
            std::thread::spawn(move || {
                let runtime = aiocop_tests::current_thread();
                let endpoints = Endpoints::new();
                for run in 0..RUNS_PER_CASE / THREADS_PER_CASE {
                    let (outcome, took, events) = run_case(&runtime, &endpoints, case);
                    let mut failed = Vec::new();
                    if outcome != expected {
                        failed.push(format!("returned {outcome:?}, not {expected:?}"));
                    }
                    if took < CALL - Duration::from_millis(5) {
                        failed.push(format!("returned after {took:?}"));
                    }
                    match events.as_slice() {
                        [event] => {
                            let taken = event.cpu_stack_samples();
                            let count: usize = taken.iter().map(|s| s.count()).sum();
                            samples.fetch_add(count, Ordering::Relaxed);
                            if count < 5 || !taken[0].entry_point().contains(case.0) {
                                failed.push(format!(
                                    "{count} samples, the most frequent at {:?}: {}",
                                    taken.first().map(|s| s.entry_point()),
                                    taken
                                        .first()
                                        .map(|s| s.trace().to_string())
                                        .unwrap_or_default()
                                ));
                            }
                        }
                        other => failed.push(format!("{} events", other.len())),
                    }
                    if !failed.is_empty() {
                        failures.lock().unwrap().push(format!(
                            "{} run {run}: {}",
                            case.0,
                            failed.join("; ")
                        ));
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let failures = failures.lock().unwrap();
    let [sent, late, interrupted] = aiocop::__private::watchdog_signal_counters();
    println!(
        "{} runs, {} samples; {sent} signals requested, {late} late, {interrupted} system calls \
         interrupted",
        CASES.len() * RUNS_PER_CASE,
        samples.load(Ordering::Relaxed)
    );
    assert!(
        failures.is_empty(),
        "{} of {} runs differ:\n{}",
        failures.len(),
        CASES.len() * RUNS_PER_CASE,
        failures.join("\n")
    );
    assert_eq!(interrupted, 0, "signals interrupted system calls");
}

#[test]
fn blocked_calls_return_what_they_return_unsampled() {
    in_fresh_process(
        "blocked_calls_return_what_they_return_unsampled",
        blocked_calls,
    );
}

/// Pure CPU work for `duration`, in a function of its own.
#[inline(never)]
fn burn_cpu(duration: Duration) -> u64 {
    let deadline = Instant::now() + duration;
    let mut acc = 0u64;
    while Instant::now() < deadline {
        for i in 0..1_000u64 {
            acc = black_box(acc.wrapping_mul(31).wrapping_add(i));
        }
    }
    acc
}

const RACE_ITERATIONS: usize = 3_600;
const RACE_THREADS: usize = 4;

fn poll_end_race() {
    aiocop::watchdog::start_cpu_sampling(
        CpuSampling::new()
            .interval(Duration::from_millis(1))
            .arm_after(Duration::ZERO)
            .max_samples_per_poll(aiocop::watchdog::MAX_SAMPLES_PER_POLL)
            .stuck_after(None),
    )
    .unwrap();
    // No poll is slow enough to make an event: nothing at the end of a poll waits for a sample
    // under way (the end is as quick as it gets).
    aiocop::detect_slow_tasks(60_000, aiocop::no_callback).unwrap();
    aiocop::activate();
    let [sent_before, late_before, _] = aiocop::__private::watchdog_signal_counters();
    let threads: Vec<_> = (0..RACE_THREADS)
        .map(|_| {
            std::thread::spawn(move || {
                let endpoints = Endpoints::new();
                let mut failed = Vec::new();
                aiocop_tests::current_thread().block_on(async {
                    for _ in 0..RACE_ITERATIONS / RACE_THREADS {
                        async { burn_cpu(Duration::from_millis(5)) }
                            .monitored_as("burst")
                            .await;
                        // Right after the poll ended, outside any monitored poll.
                        failed.extend(endpoints.poll_pipe_1ms());
                    }
                });
                failed
            })
        })
        .collect();
    let failed: Vec<Outcome> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert_unharmed(
        &format!("{RACE_ITERATIONS} iterations, right after a monitored poll"),
        [sent_before, late_before],
        &failed,
    );
}

/// Prints what the watchdog's signals did since `[sent, late]` were read, and asserts that every
/// `poll(1 ms)` call returned what it returns unsampled (`failed` lists those that did not), that
/// no signal ended a system call, and that signals were sent at all.
fn assert_unharmed(what: &str, [sent_before, late_before]: [u64; 2], failed: &[Outcome]) {
    let [sent, late, interrupted] = aiocop::__private::watchdog_signal_counters();
    let (sent, late) = (sent - sent_before, late - late_before);
    println!(
        "{what}: {sent} signals requested, {late} came after their poll or stretch ended, \
         {interrupted} system calls interrupted; {} poll(1 ms) calls failed",
        failed.len()
    );
    assert!(failed.is_empty(), "{what}: poll() returned {failed:?}");
    assert_eq!(interrupted, 0, "{what}: signals interrupted system calls");
    assert!(
        sent > 0,
        "{what}: no signal, the signal path was not exercised"
    );
}

#[test]
fn a_call_right_after_a_sampled_poll_is_not_interrupted() {
    in_fresh_process(
        "a_call_right_after_a_sampled_poll_is_not_interrupted",
        poll_end_race,
    );
}

/// Probes of busy workers (the `runtime` feature): tasks that burn CPU and make short system calls
/// with timeouts in the same polls, on an instrumented runtime, probed every millisecond. Every
/// call returns what it returns unprobed, and no signal ends one.
#[cfg(feature = "runtime")]
fn busy_workers_probed() {
    aiocop::watchdog::start_cpu_sampling(
        CpuSampling::new()
            .interval(Duration::from_millis(1))
            .stuck_after(None),
    )
    .unwrap();
    aiocop::detect_slow_tasks(60_000, aiocop::no_callback).unwrap();
    aiocop::activate();
    let [sent_before, late_before, _] = aiocop::__private::watchdog_signal_counters();
    let mut builder = aiocop_tests::runtime_builder(true);
    aiocop::runtime::instrument(&mut builder);
    let runtime = builder.build().unwrap();
    let failed: Vec<Outcome> = runtime.block_on(async {
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                tokio::spawn(async {
                    let endpoints = Endpoints::new();
                    let mut failed = Vec::new();
                    for _ in 0..150 {
                        burn_cpu(Duration::from_millis(2));
                        // In the same poll, on a probed worker.
                        failed.extend(endpoints.poll_pipe_1ms());
                        tokio::task::yield_now().await;
                    }
                    failed
                })
            })
            .collect();
        let mut failed = Vec::new();
        for task in tasks {
            failed.extend(task.await.unwrap());
        }
        failed
    });
    drop(runtime);
    assert_unharmed(
        "busy workers probed every millisecond",
        [sent_before, late_before],
        &failed,
    );
}

#[cfg(feature = "runtime")]
#[test]
fn calls_on_a_probed_busy_worker_are_never_interrupted() {
    in_fresh_process(
        "calls_on_a_probed_busy_worker_are_never_interrupted",
        busy_workers_probed,
    );
}

const FORKS: usize = 6;
const FORK_TIMEOUT: Duration = Duration::from_secs(30);

#[inline(never)]
fn child_sleeps() {
    std::thread::sleep(Duration::from_millis(400));
}

/// Long enough past the stuck limit for a timer tick to find the thread running on a loaded
/// machine (a running thread is sampled at such ticks only).
#[inline(never)]
fn child_burns() {
    burn_cpu(Duration::from_millis(700));
}

/// In a forked child: a blocked and a CPU-bound monitored poll on a fresh runtime each get a
/// stuck report and samples naming their function. Returns the failures.
fn forked_child_checks() -> Vec<String> {
    let stuck: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
    {
        let stuck = stuck.clone();
        aiocop::watchdog::register_stuck_poll_callback(move |report| {
            stuck.lock().unwrap().push((
                report.function().name().to_owned(),
                report.trace().is_empty(),
            ));
        });
    }
    let runtime = aiocop_tests::current_thread();
    let mut failures = Vec::new();
    for (name, work) in [
        ("child_sleeps", child_sleeps as fn()),
        ("child_burns", child_burns),
    ] {
        let (_, events) = runtime.block_on(aiocop::events::collect_events(
            async { work() }.monitored_as(name),
        ));
        let reported = stuck
            .lock()
            .unwrap()
            .iter()
            .any(|(f, empty)| f == name && !empty);
        if !reported {
            failures.push(format!(
                "{name}: no stuck report ({:?})",
                stuck.lock().unwrap()
            ));
        }
        match events.as_slice() {
            [event] => {
                let samples = event.cpu_stack_samples();
                if samples.is_empty() || !samples[0].trace().to_string().contains(name) {
                    failures.push(format!(
                        "{name}: samples {:?}",
                        samples
                            .iter()
                            .map(|s| s.trace().to_string())
                            .collect::<Vec<_>>()
                    ));
                }
            }
            other => failures.push(format!("{name}: {} events", other.len())),
        }
    }
    if aiocop::watchdog::cpu_sampling_status() != CpuSamplingStatus::Running {
        failures.push(format!(
            "status {:?}",
            aiocop::watchdog::cpu_sampling_status()
        ));
    }
    if !failures.is_empty() {
        failures.push(format!(
            "signals [requested, late, interrupted]: {:?}",
            aiocop::__private::watchdog_signal_counters()
        ));
    }
    failures
}

fn fork_scenario() {
    aiocop::watchdog::start_cpu_sampling(
        CpuSampling::new()
            .interval(Duration::from_millis(5))
            .arm_after(Duration::from_millis(100))
            .max_samples_per_poll(aiocop::watchdog::MAX_SAMPLES_PER_POLL)
            .stuck_after(Some(Duration::from_millis(250))),
    )
    .unwrap();
    aiocop::detect_slow_tasks(150, aiocop::no_callback).unwrap();
    aiocop::activate();
    // This thread runs monitored polls (it has a slot, with this process's thread id), sampled:
    // reading the samples loads the symbolizer's tables once, here, rather than in every child.
    let runtime = aiocop_tests::current_thread();
    for (name, work) in [
        ("child_sleeps", child_sleeps as fn()),
        ("child_burns", child_burns),
    ] {
        let (_, events) = runtime.block_on(aiocop::events::collect_events(
            async { work() }.monitored_as(name),
        ));
        assert!(!events[0].cpu_stack_samples().is_empty());
    }
    // Runtime threads keep the watchdog busy looking at polls younger than its arming delay (none
    // sampled: the delivery thread stays idle, and with it the symbolizer's locks, which are not
    // the watchdog's to keep consistent across a fork). They sleep rather than spin, leaving the
    // processors to the children.
    let stop = Arc::new(AtomicBool::new(false));
    let busy: Vec<_> = (0..2)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let runtime = aiocop_tests::current_thread();
                while !stop.load(Ordering::Relaxed) {
                    runtime.block_on(
                        async { std::thread::sleep(Duration::from_millis(30)) }
                            .monitored_as("parent_busy"),
                    );
                }
            })
        })
        .collect();
    aiocop::delivery::flush();
    for fork in 0..FORKS {
        std::thread::sleep(Duration::from_millis(7 * fork as u64));
        // SAFETY: the child only runs the checks and leaves with `_exit`.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let failures = std::panic::catch_unwind(forked_child_checks)
                .unwrap_or_else(|_| vec!["panicked".into()]);
            for failure in &failures {
                eprintln!("child {fork}: {failure}");
            }
            // SAFETY: ends the child without running the test harness's exit path.
            unsafe { libc::_exit(i32::from(!failures.is_empty())) };
        }
        assert_eq!(
            aiocop_tests::wait_for_child(pid, FORK_TIMEOUT),
            Some(0),
            "forked child {fork} failed or hung"
        );
    }
    stop.store(true, Ordering::Relaxed);
    for thread in busy {
        thread.join().unwrap();
    }
}

#[test]
fn a_forked_child_samples_its_own_polls() {
    in_fresh_process("a_forked_child_samples_its_own_polls", fork_scenario);
}

#[inline(never)]
fn stuck_sleeper() {
    std::thread::sleep(Duration::from_millis(300));
}

fn stop_in_callback() {
    aiocop::watchdog::start_cpu_sampling(
        CpuSampling::new()
            .interval(Duration::from_millis(5))
            .arm_after(Duration::from_millis(1))
            .stuck_after(Some(Duration::from_millis(50))),
    )
    .unwrap();
    aiocop::detect_slow_tasks(100, aiocop::no_callback).unwrap();
    aiocop::activate();
    static CALLED: AtomicUsize = AtomicUsize::new(0);
    static RETURNED: AtomicBool = AtomicBool::new(false);
    let handle = aiocop::watchdog::register_stuck_poll_callback(|_| {
        CALLED.fetch_add(1, Ordering::SeqCst);
        aiocop::watchdog::stop_cpu_sampling();
        RETURNED.store(true, Ordering::SeqCst);
    });
    let runtime = aiocop_tests::current_thread();
    runtime.block_on(async { stuck_sleeper() }.monitored_as("stuck_sleeper"));
    assert_eq!(CALLED.load(Ordering::SeqCst), 1, "one stuck report");
    assert!(
        RETURNED.load(Ordering::SeqCst),
        "stop_cpu_sampling did not return"
    );
    assert_eq!(
        aiocop::watchdog::cpu_sampling_status(),
        CpuSamplingStatus::Stopped
    );
    aiocop::watchdog::unregister_stuck_poll_callback(handle);

    // It starts again, and samples.
    aiocop::watchdog::start_cpu_sampling(
        CpuSampling::new()
            .interval(Duration::from_millis(5))
            .arm_after(Duration::from_millis(1))
            .stuck_after(None),
    )
    .unwrap();
    let (_, events) = runtime.block_on(aiocop::events::collect_events(
        async { burn_cpu(Duration::from_millis(400)) }.monitored_as("after_restart"),
    ));
    assert_eq!(events.len(), 1);
    let samples = events[0].cpu_stack_samples();
    assert!(
        !samples.is_empty() && samples[0].trace().to_string().contains("burn_cpu"),
        "{:?}",
        samples
            .iter()
            .map(|s| s.trace().to_string())
            .collect::<Vec<_>>()
    );
}

#[test]
fn stop_cpu_sampling_works_from_a_stuck_poll_callback() {
    in_fresh_process(
        "stop_cpu_sampling_works_from_a_stuck_poll_callback",
        stop_in_callback,
    );
}
