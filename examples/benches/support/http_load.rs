//! The load generator both HTTP benchmarks drive their servers with (`http_throughput` and
//! `http_zero_annotation`, each including this file as a module): keep-alive HTTP/1.1 connections
//! from a current-thread runtime, windows measured for request rate and for the CPU time the
//! server's threads spent, rounds that rotate the variants' order, and medians of per-round
//! ratios. One copy, so that the two benches' figures are taken the same way and stay comparable.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

/// Keep-alive connections a window is driven with.
const CONNECTIONS: usize = 32;

/// The run's shape, from the environment: `AIOCOP_BENCH_ROUNDS` (default 10) rounds of
/// `AIOCOP_BENCH_SECONDS` (default 1) seconds a variant, or, with `AIOCOP_BENCH_SLICE_MS` set,
/// rounds of one slice of that many milliseconds a variant (see [`measure_interleaved`]).
pub(crate) struct Settings {
    pub(crate) rounds: usize,
    pub(crate) window: Duration,
    pub(crate) slice: Option<Duration>,
}

impl Settings {
    pub(crate) fn from_env() -> Self {
        Self {
            rounds: env_number("AIOCOP_BENCH_ROUNDS", 10) as usize,
            window: Duration::from_millis(env_number("AIOCOP_BENCH_SECONDS", 1) * 1000),
            slice: std::env::var_os("AIOCOP_BENCH_SLICE_MS")
                .map(|_| Duration::from_millis(env_number("AIOCOP_BENCH_SLICE_MS", 200))),
        }
    }
}

/// A positive number from the environment variable `name`, `default` when unset or not one.
fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// For instruction counts (the benches/*-instructions.sh scripts under valgrind): the variant
/// `AIOCOP_BENCH_VARIANT` names, if set, and the `AIOCOP_BENCH_REQUESTS` (default 1000)
/// sequential requests to drive it with.
pub(crate) fn single_variant() -> Option<(usize, u64)> {
    let variant = std::env::var("AIOCOP_BENCH_VARIANT").ok()?;
    let i = variant
        .parse()
        .expect("AIOCOP_BENCH_VARIANT: a variant's index");
    Some((i, env_number("AIOCOP_BENCH_REQUESTS", 1000)))
}

/// Registers a slow-task callback that only counts (threshold 30 ms, as a service would set it):
/// the callback's cost is part of what is measured. Returns the count, which a bench prints at the
/// end (`report_events`).
pub(crate) fn count_slow_task_events() -> Arc<AtomicU64> {
    let events = Arc::new(AtomicU64::new(0));
    let counted = events.clone();
    aiocop::detect_slow_tasks(30, move |_: &aiocop::SlowTaskEvent| {
        counted.fetch_add(1, Ordering::Relaxed);
    })
    .expect("threshold");
    events
}

/// Prints how many slow-task events `count_slow_task_events`'s callback saw.
pub(crate) fn report_events(events: &AtomicU64) {
    println!(
        "events reported during the run: {} (the handler never blocks)",
        events.load(Ordering::Relaxed)
    );
}

/// Serves `app` on `server` at a fresh loopback port and returns the address.
pub(crate) fn serve(server: &Runtime, app: Router) -> SocketAddr {
    server.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        addr
    })
}

/// The load generator's runtime: one thread (the caller's), so that its work is told apart from
/// the server's by thread.
pub(crate) fn client_runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime")
}

/// What one window measured.
pub(crate) struct Sample {
    /// Responses per second.
    pub(crate) rate: f64,
    /// CPU time the server's threads spent per response, in nanoseconds.
    pub(crate) cpu_per_request: f64,
}

/// One variant to measure: the address it is served on and the name of its server's threads.
pub(crate) struct Target<'a> {
    pub(crate) addr: SocketAddr,
    pub(crate) thread: &'a str,
    /// Other threads whose CPU time counts with the server's while this target is measured:
    /// aiocop's own ([`AIOCOP_THREADS`]) for a monitored variant.
    pub(crate) helpers: &'a [&'a str],
}

/// The threads aiocop runs in a monitored process (the stall watchdog, the event delivery).
pub(crate) const AIOCOP_THREADS: &[&str] = &["aiocop-watchdog", "aiocop-delivery"];

/// Warms every target up, then measures each `settings.rounds` times, rotating the order from
/// round to round so that machine noise spreads evenly over the variants. `prepare(i)` runs
/// before each window of target `i` (to switch monitoring on or off for it). Returns each
/// target's samples, one a round.
pub(crate) fn measure(
    client: &Runtime,
    targets: &[Target<'_>],
    settings: &Settings,
    prepare: impl Fn(usize),
) -> Vec<Vec<Sample>> {
    if let Some(slice) = settings.slice {
        return measure_interleaved(client, targets, settings.rounds, slice, prepare);
    }
    println!(
        "{} variants, {} rounds of {} ms each, {CONNECTIONS} connections",
        targets.len(),
        settings.rounds,
        settings.window.as_millis()
    );
    // Warm-up: connections, allocator, branch predictors, whatever is interned on first use.
    for (i, target) in targets.iter().enumerate() {
        prepare(i);
        load(client, target, Duration::from_millis(300));
    }
    let mut samples: Vec<Vec<Sample>> = targets.iter().map(|_| Vec::new()).collect();
    for round in 0..settings.rounds {
        for k in 0..targets.len() {
            let i = (round + k) % targets.len();
            prepare(i);
            samples[i].push(load(client, &targets[i], settings.window));
        }
    }
    samples
}

/// As [`measure`], in short slices: every target keeps its `CONNECTIONS` connections open for
/// the whole run, and only the target whose slice it is sends requests. A round gives each
/// target one slice of `slice` (rotating the order), after `SETTLE` for the previous target's
/// requests in flight to finish. The other work on a shared machine comes and goes over seconds:
/// slices a fraction of a second apart see the same of it, where one-second windows of three
/// variants did not (per-round ratios spread over ±15 %). `prepare(i)` runs before each slice
/// of target `i`.
fn measure_interleaved(
    client: &Runtime,
    targets: &[Target<'_>],
    rounds: usize,
    slice: Duration,
    prepare: impl Fn(usize),
) -> Vec<Vec<Sample>> {
    println!(
        "{} variants, {rounds} rounds of one {} ms slice each, {CONNECTIONS} connections each kept open",
        targets.len(),
        slice.as_millis()
    );
    client.block_on(async {
        let (turn, _) = tokio::sync::watch::channel(usize::MAX);
        let done: Vec<Arc<AtomicU64>> = targets.iter().map(|_| Arc::default()).collect();
        let mut workers = Vec::new();
        for (me, (target, done)) in targets.iter().zip(&done).enumerate() {
            for c in 0..CONNECTIONS {
                let (addr, done, mut turn) = (target.addr, done.clone(), turn.subscribe());
                workers.push(tokio::spawn(async move {
                    let (mut sender, driver) = connect(addr).await;
                    let mut n = c as u64;
                    loop {
                        let now = *turn.borrow_and_update();
                        if now == usize::MAX - 1 {
                            break;
                        }
                        if now != me {
                            if turn.changed().await.is_err() {
                                break;
                            }
                            continue;
                        }
                        n += CONNECTIONS as u64;
                        exchange(&mut sender, n).await;
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    drop(sender);
                    let _ = driver.await;
                }));
            }
        }
        let mut samples: Vec<Vec<Sample>> = targets.iter().map(|_| Vec::new()).collect();
        // Warm-up rounds, not kept.
        for round in 0..rounds + 3 {
            for k in 0..targets.len() {
                let i = (round + k) % targets.len();
                prepare(i);
                turn.send_replace(i);
                tokio::time::sleep(SETTLE).await;
                let (first, start, cpu_start) = (
                    done[i].load(Ordering::Relaxed),
                    Instant::now(),
                    threads_cpu_ns(&targets[i]),
                );
                tokio::time::sleep(slice).await;
                let counted = done[i].load(Ordering::Relaxed) - first;
                let elapsed = start.elapsed();
                let cpu = threads_cpu_ns(&targets[i])
                    .zip(cpu_start)
                    .map(|(end, start)| end - start);
                if round >= 3 {
                    samples[i].push(Sample {
                        rate: counted as f64 / elapsed.as_secs_f64(),
                        cpu_per_request: cpu
                            .map_or(f64::NAN, |ns| ns as f64 / counted.max(1) as f64),
                    });
                }
            }
        }
        turn.send_replace(usize::MAX - 1);
        for worker in workers {
            worker.await.expect("load worker");
        }
        samples
    })
}

/// How long a slice of [`measure_interleaved`] waits for the previous target's requests in
/// flight before it counts.
const SETTLE: Duration = Duration::from_millis(20);

/// `f(sample, baseline's sample)` for each round of variant `i` against the baseline measured in
/// the same round, as (min, median, max) over rounds: a burst of load from elsewhere on the
/// machine hits a round, not a variant.
pub(crate) fn paired(
    samples: &[Vec<Sample>],
    i: usize,
    baseline: usize,
    f: impl Fn(&Sample, &Sample) -> f64,
) -> (f64, f64, f64) {
    let mut ratios: Vec<f64> = per_round(samples, i, baseline, f).collect();
    let med = median(&mut ratios);
    (ratios[0], med, ratios[ratios.len() - 1])
}

/// `f(sample, baseline's sample)` for each round of variant `i`, in round order.
fn per_round<'a>(
    samples: &'a [Vec<Sample>],
    i: usize,
    baseline: usize,
    f: impl Fn(&Sample, &Sample) -> f64 + 'a,
) -> impl Iterator<Item = f64> + 'a {
    samples[i]
        .iter()
        .zip(&samples[baseline])
        .map(move |(s, base)| f(s, base))
}

/// The geometric mean over rounds of `f(sample, baseline's sample)` (as [`paired`]), trimmed of
/// the 2.5 % highest and lowest, with its 95 % confidence interval (normal approximation on the
/// logarithms): (low, mean, high). The median
/// says where most rounds fall; the interval says how well the rounds pin the ratio down (two
/// runs of 120 rounds differ by about 1 % in their medians on a shared 2-core machine).
pub(crate) fn paired_mean(
    samples: &[Vec<Sample>],
    i: usize,
    baseline: usize,
    f: impl Fn(&Sample, &Sample) -> f64,
) -> (f64, f64, f64) {
    let mut logs: Vec<f64> = per_round(samples, i, baseline, f)
        .map(f64::ln)
        .filter(|log| log.is_finite())
        .collect();
    // Trimmed, 2.5 % each side: a window in which one server got almost no requests through (a
    // stall of the machine) gives a ratio of thousands, which would swamp the mean.
    logs.sort_by(f64::total_cmp);
    let trim = logs.len() / 40;
    let logs = &logs[trim..logs.len() - trim];
    let n = logs.len() as f64;
    let mean = logs.iter().sum::<f64>() / n;
    let variance = if logs.len() > 1 {
        logs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    let half = 1.96 * (variance / n).sqrt();
    ((mean - half).exp(), mean.exp(), (mean + half).exp())
}

/// The median request rate and the median server CPU per request (in µs) of one variant.
pub(crate) fn medians(samples: &[Sample]) -> (f64, f64) {
    let mut rates: Vec<f64> = samples.iter().map(|s| s.rate).collect();
    let mut cpu: Vec<f64> = samples.iter().map(|s| s.cpu_per_request).collect();
    (median(&mut rates), median(&mut cpu) / 1e3)
}

/// Sorts `values` and returns their median.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The `n`th request: a user id out of 10,000, so that paths vary a little.
fn request(n: u64) -> Request<Empty<Bytes>> {
    Request::get(format!("/users/{}", n % 10_000))
        .header("host", "localhost")
        .body(Empty::new())
        .expect("request")
}

/// Sends `requests` requests one after another on one connection.
pub(crate) fn sequential(client: &Runtime, addr: SocketAddr, requests: u64) {
    client.block_on(async {
        let stream = TcpStream::connect(addr).await.expect("connect");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        let driver = tokio::spawn(connection);
        for n in 0..requests {
            exchange(&mut sender, n).await;
        }
        drop(sender);
        let _ = driver.await;
    });
}

/// CPU time consumed so far by `target`'s server threads and helpers, in nanoseconds (Linux's
/// `/proc/self/task/*/schedstat`; `None` elsewhere, or when no server thread is found).
fn threads_cpu_ns(target: &Target<'_>) -> Option<u64> {
    let (mut server, mut helpers) = (None, 0);
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path();
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        let name = name.trim_end();
        let is_server = name == target.thread;
        if !is_server && !target.helpers.contains(&name) {
            continue;
        }
        let schedstat = std::fs::read_to_string(path.join("schedstat")).ok()?;
        let on_cpu: u64 = schedstat.split_whitespace().next()?.parse().ok()?;
        if is_server {
            server = Some(server.unwrap_or(0) + on_cpu);
        } else {
            helpers += on_cpu;
        }
    }
    server.map(|server| server + helpers)
}

/// A keep-alive HTTP/1.1 connection to `addr`: its sender, and the task driving it.
async fn connect(
    addr: SocketAddr,
) -> (
    hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
    tokio::task::JoinHandle<hyper::Result<()>>,
) {
    let stream = TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    (sender, tokio::spawn(connection))
}

/// Sends the `n`th request on `sender` and reads the whole response.
async fn exchange(sender: &mut hyper::client::conn::http1::SendRequest<Empty<Bytes>>, n: u64) {
    sender.ready().await.expect("ready");
    let response = sender.send_request(request(n)).await.expect("response");
    assert!(response.status().is_success());
    response.into_body().collect().await.expect("body");
}

/// Drives `target` with `CONNECTIONS` keep-alive connections for `window`.
fn load(client: &Runtime, target: &Target<'_>, window: Duration) -> Sample {
    let addr = target.addr;
    client.block_on(async {
        let done = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let mut workers = Vec::new();
        for c in 0..CONNECTIONS {
            let (done, stop) = (done.clone(), stop.clone());
            workers.push(tokio::spawn(async move {
                let (mut sender, driver) = connect(addr).await;
                let mut n = c as u64;
                while !stop.load(Ordering::Relaxed) {
                    n += CONNECTIONS as u64;
                    exchange(&mut sender, n).await;
                    done.fetch_add(1, Ordering::Relaxed);
                }
                drop(sender);
                let _ = driver.await;
            }));
        }
        // Connections are set up by now; count from here.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (first, start, cpu_start) = (
            done.load(Ordering::Relaxed),
            Instant::now(),
            threads_cpu_ns(target),
        );
        tokio::time::sleep(window).await;
        let counted = done.load(Ordering::Relaxed) - first;
        let elapsed = start.elapsed();
        let cpu = threads_cpu_ns(target)
            .zip(cpu_start)
            .map(|(end, start)| end - start);
        stop.store(true, Ordering::Relaxed);
        for worker in workers {
            worker.await.expect("load worker");
        }
        Sample {
            rate: counted as f64 / elapsed.as_secs_f64(),
            cpu_per_request: cpu.map_or(f64::NAN, |ns| ns as f64 / counted.max(1) as f64),
        }
    })
}
