//! What the watchdog's probes of worker threads cost a busy worker (the `runtime` feature: slow
//! polls of unannotated tasks, see docs/runtime.md). One process, the watchdog running, two
//! single-worker runtimes side by side: one plain, one instrumented with
//! `aiocop::runtime::instrument`. On each, one task runs short polls back to back (a little work,
//! then `yield_now`) for a phase, so the instrumented worker never parks and is probed every
//! sampling interval. Rounds alternate the two; per variant: polls per second, the worker's CPU
//! time per poll (its own CPU clock), and the probes sent.
//!
//! Run: `cargo bench -p aiocop --bench worker_probes --features runtime` (Linux x86_64;
//! `PHASE_SECS` sets a phase's length, default 2; `ROUNDS`, default 5).

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn main() {
    use std::time::{Duration, Instant};

    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and friends.
    }
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let phase = Duration::from_secs(env("PHASE_SECS", 2));
    let rounds = env("ROUNDS", 5);

    aiocop::watchdog::start_cpu_sampling(aiocop::watchdog::CpuSampling::new().stuck_after(None))
        .unwrap();
    aiocop::detect_slow_tasks(100, aiocop::no_callback).unwrap();
    aiocop::activate();
    let effective = aiocop::watchdog::effective_cpu_sampling().unwrap();
    println!(
        "worker probes: interval {:?}; {} rounds of {:?} per variant",
        effective.interval, rounds, phase
    );

    let runtime = |instrumented: bool| {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(1).enable_all();
        if instrumented {
            aiocop::runtime::instrument(&mut builder);
        }
        builder.build().unwrap()
    };
    let variants = [
        ("plain runtime", runtime(false)),
        ("instrument()", runtime(true)),
    ];
    // (polls, worker CPU, wall, probes) per variant, summed over rounds.
    let mut totals = [(0u64, Duration::ZERO, Duration::ZERO, 0u64); 2];
    for round in 0..rounds {
        for k in 0..2 {
            // Alternate which goes first.
            let k = if round % 2 == 0 { k } else { 1 - k };
            let (_, runtime) = &variants[k];
            let probes_before = probes_sent();
            let started = Instant::now();
            let (polls, cpu) = runtime.block_on(async move {
                tokio::spawn(async move {
                    let cpu_start = thread_cpu();
                    let start = Instant::now();
                    let mut polls = 0u64;
                    while start.elapsed() < phase {
                        let mut x = 0u64;
                        for i in 0..200 {
                            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
                        }
                        polls += 1;
                        tokio::task::yield_now().await;
                    }
                    (polls, thread_cpu() - cpu_start)
                })
                .await
                .unwrap()
            });
            let wall = started.elapsed();
            let total = &mut totals[k];
            total.0 += polls;
            total.1 += cpu;
            total.2 += wall;
            total.3 += probes_sent() - probes_before;
        }
    }
    let base_ns = totals[0].1.as_nanos() as f64 / totals[0].0 as f64;
    let [_, late, interrupted] = aiocop::__private::watchdog_signal_counters();
    println!("signals that came late: {late}; system calls a signal ended: {interrupted}");
    println!("| variant | polls/s | worker CPU per poll | vs plain | probes/s |");
    println!("|---|---:|---:|---:|---:|");
    for (k, (name, _)) in variants.iter().enumerate() {
        let (polls, cpu, wall, probes) = totals[k];
        let ns = cpu.as_nanos() as f64 / polls as f64;
        println!(
            "| {name} | {:.0} | {:.1} ns | {:.4} | {:.1} |",
            polls as f64 / wall.as_secs_f64(),
            ns,
            ns / base_ns,
            probes as f64 / wall.as_secs_f64()
        );
    }
}

/// Signals the watchdog has sent so far (probes and samples alike; nothing else samples here).
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn probes_sent() -> u64 {
    aiocop::__private::watchdog_signal_counters()[0]
}

/// This thread's CPU time.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn thread_cpu() -> std::time::Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    std::time::Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
fn main() {}
