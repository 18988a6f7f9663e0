//! The cost of interception (the `intercept` feature): an interposed libc call outside any
//! monitored poll against the C library's own function (`read` of 1 byte from `/dev/zero`,
//! `clock_nanosleep` of zero), and a read on a non-blocking socket inside a monitored poll
//! (checked and not recorded) against the same read through the C library's function.
//!
//! Run: `cargo bench -p aiocop --features intercept --bench intercept`. For instruction counts
//! (repeatable where wall time is noisy): `cargo bench -p aiocop --features intercept --bench
//! intercept --no-run`, then `AIOCOP_BENCH_VARIANT=<variant> valgrind --tool=callgrind <binary>`
//! with a variant of `read_interposed`, `read_real`, `sleep_interposed`, `sleep_real`,
//! `socket_interposed`, `socket_real` (each makes 1,000,000 calls).

use std::ffi::{c_int, c_void};
use std::future::Future;
use std::hint::black_box;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};

type ReadFn = unsafe extern "C" fn(c_int, *mut c_void, usize) -> isize;
type SleepFn = unsafe extern "C" fn(
    libc::clockid_t,
    c_int,
    *const libc::timespec,
    *mut libc::timespec,
) -> c_int;

/// The C library's own functions: `dlsym(RTLD_NEXT, ..)` from the executable skips its
/// interposed definitions.
fn real_read() -> ReadFn {
    // SAFETY: looks up libc's `read`, whose type is `ReadFn`.
    unsafe { std::mem::transmute(libc::dlsym(libc::RTLD_NEXT, c"read".as_ptr())) }
}

fn real_sleep() -> SleepFn {
    // SAFETY: looks up libc's `clock_nanosleep`, whose type is `SleepFn`.
    unsafe { std::mem::transmute(libc::dlsym(libc::RTLD_NEXT, c"clock_nanosleep".as_ptr())) }
}

/// Calls the interposed `read` (what every `libc::read` in this executable binds to).
fn interposed_read() -> ReadFn {
    libc::read
}

fn interposed_sleep() -> SleepFn {
    libc::clock_nanosleep
}

const ZERO: libc::timespec = libc::timespec {
    tv_sec: 0,
    tv_nsec: 0,
};

fn read_calls(read: ReadFn, fd: c_int, n: u64) {
    let mut byte = 0u8;
    for _ in 0..n {
        // SAFETY: a one-byte buffer on an open descriptor.
        black_box(unsafe { read(black_box(fd), (&raw mut byte).cast(), 1) });
    }
}

fn sleep_calls(sleep: SleepFn, n: u64) {
    for _ in 0..n {
        // SAFETY: a zero relative sleep.
        black_box(unsafe {
            sleep(
                libc::CLOCK_MONOTONIC,
                0,
                black_box(&ZERO),
                std::ptr::null_mut(),
            )
        });
    }
}

/// Runs `f` inside one monitored poll (a scope open), for `n` calls.
fn in_monitored_poll(f: impl FnOnce()) {
    let mut f = Some(f);
    let mut future = Box::pin(aiocop::monitored(std::future::poll_fn(move |_| {
        if let Some(f) = f.take() {
            f();
        }
        Poll::Ready(())
    })));
    let mut cx = Context::from_waker(Waker::noop());
    let _ = future.as_mut().poll(&mut cx);
}

/// A non-blocking socket with nothing to read: every read fails with EAGAIN at once.
fn empty_nonblocking_socket() -> (UnixStream, UnixStream) {
    let (a, b) = UnixStream::pair().expect("socket pair");
    a.set_nonblocking(true).expect("non-blocking");
    (a, b)
}

fn setup() {
    let status = aiocop::intercept::enable();
    assert!(
        matches!(status, aiocop::intercept::InterceptStatus::Live { .. }),
        "{status}"
    );
    aiocop::start_blocking_io_detection(0).expect("depth 0");
    aiocop::watchdog::stop_cpu_sampling();
    aiocop::detect_slow_tasks(60_000, aiocop::no_callback).expect("threshold");
    aiocop::activate();
}

fn bench(c: &mut Criterion) {
    setup();
    let zero = std::fs::File::open("/dev/zero").expect("/dev/zero");
    let zfd = zero.as_raw_fd();
    let (socket, _peer) = empty_nonblocking_socket();
    let sfd = socket.as_raw_fd();

    let mut group = c.benchmark_group("intercept");
    group.bench_function("read 1 byte of /dev/zero, libc", |b| {
        b.iter(|| read_calls(real_read(), zfd, 1))
    });
    group.bench_function("read 1 byte of /dev/zero, interposed, no scope", |b| {
        b.iter(|| read_calls(interposed_read(), zfd, 1))
    });
    group.bench_function("clock_nanosleep(0), libc", |b| {
        b.iter(|| sleep_calls(real_sleep(), 1))
    });
    group.bench_function("clock_nanosleep(0), interposed, no scope", |b| {
        b.iter(|| sleep_calls(interposed_sleep(), 1))
    });
    for (name, read) in [
        (
            "non-blocking socket read in a monitored poll, libc",
            real_read(),
        ),
        (
            "non-blocking socket read in a monitored poll, interposed",
            interposed_read(),
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut took = Duration::ZERO;
                in_monitored_poll(|| {
                    let start = Instant::now();
                    read_calls(read, sfd, iters);
                    took = start.elapsed();
                });
                took
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);

const CALLS: u64 = 1_000_000;

/// Wall time per call, interposed against the C library's function, in alternating rounds of
/// 20,000 calls: the fastest round of each (a system call's time on a shared machine varies by
/// far more than the difference, and the minimum is what the code costs when nothing disturbs it).
fn paired(zero: &std::fs::File, socket: &UnixStream) {
    const ROUNDS: usize = 400;
    const N: u64 = 20_000;
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        f();
        start.elapsed().as_nanos() as f64 / N as f64
    };
    type Case<'a> = (&'a str, Box<dyn Fn() + 'a>, Box<dyn Fn() + 'a>);
    let (zfd, sfd) = (zero.as_raw_fd(), socket.as_raw_fd());
    let cases: [Case<'_>; 3] = [
        (
            "read 1 byte of /dev/zero, no scope",
            Box::new(move || read_calls(real_read(), zfd, N)),
            Box::new(move || read_calls(interposed_read(), zfd, N)),
        ),
        (
            "clock_nanosleep(0), no scope",
            Box::new(|| sleep_calls(real_sleep(), N / 100)),
            Box::new(|| sleep_calls(interposed_sleep(), N / 100)),
        ),
        (
            "non-blocking socket read in a monitored poll",
            Box::new(move || in_monitored_poll(|| read_calls(real_read(), sfd, N))),
            Box::new(move || in_monitored_poll(|| read_calls(interposed_read(), sfd, N))),
        ),
    ];
    for (name, real, interposed) in &cases {
        let (mut best_real, mut best_interposed) = (f64::MAX, f64::MAX);
        let rounds = if name.starts_with("clock") {
            20
        } else {
            ROUNDS
        };
        for _ in 0..rounds {
            best_real = best_real.min(time(real));
            best_interposed = best_interposed.min(time(interposed));
        }
        if name.starts_with("clock") {
            // A hundredth of the calls: scale the per-call figures back.
            best_real *= 100.0;
            best_interposed *= 100.0;
        }
        println!(
            "{name}: libc {best_real:.1} ns, interposed {best_interposed:.1} ns, over {:+.1} ns",
            best_interposed - best_real
        );
    }
}

fn main() {
    let Ok(variant) = std::env::var("AIOCOP_BENCH_VARIANT") else {
        benches();
        Criterion::default().configure_from_args().final_summary();
        return;
    };
    setup();
    let zero = std::fs::File::open("/dev/zero").expect("/dev/zero");
    let (socket, _peer) = empty_nonblocking_socket();
    match variant.as_str() {
        "read_interposed" => read_calls(interposed_read(), zero.as_raw_fd(), CALLS),
        "read_real" => read_calls(real_read(), zero.as_raw_fd(), CALLS),
        "sleep_interposed" => sleep_calls(interposed_sleep(), CALLS),
        "sleep_real" => sleep_calls(real_sleep(), CALLS),
        "socket_interposed" => {
            in_monitored_poll(|| read_calls(interposed_read(), socket.as_raw_fd(), CALLS))
        }
        "socket_real" => in_monitored_poll(|| read_calls(real_read(), socket.as_raw_fd(), CALLS)),
        "paired" => paired(&zero, &socket),
        other => {
            eprintln!("unknown variant {other:?}");
            std::process::exit(2);
        }
    }
}
