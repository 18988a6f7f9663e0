//! What the stall watchdog costs its own thread: CPU time per second of wall time while no
//! monitored poll runs (it wakes every idle interval), while short monitored polls run all the
//! time (it wakes every sampling interval and looks), while it samples a long poll blocked in a
//! system call (per sample: two looks at `/proc`, a stack copy with `process_vm_readv`, an unwind;
//! no signal), and while it samples a long CPU-bound poll (per sample: a look at `/proc`, a timer
//! on the thread's CPU clock whose signal's handler copies the stack, an unwind). Measured with the
//! watchdog thread's own CPU clock.
//!
//! Run: `cargo bench -p aiocop --bench watchdog` (Linux x86_64; `PHASE_SECS` sets the length of
//! each phase, default 5).

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn main() {
    use std::time::{Duration, Instant};

    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and friends.
    }
    let secs: u64 = std::env::var("PHASE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let phase = Duration::from_secs(secs);

    aiocop::watchdog::start_cpu_sampling(
        aiocop::watchdog::CpuSampling::new()
            .max_samples_per_poll(aiocop::watchdog::MAX_SAMPLES_PER_POLL)
            .stuck_after(None),
    )
    .unwrap();
    aiocop::detect_slow_tasks(30, aiocop::no_callback).unwrap();
    aiocop::activate();
    let effective = aiocop::watchdog::effective_cpu_sampling().unwrap();
    let clock = thread_cpu_clock("aiocop-watchdog");
    let cpu = || read_clock(clock);
    println!(
        "watchdog: interval {:?}, arm {:?}, idle interval {:?}; {secs} s per phase",
        effective.interval, effective.arm_after, effective.idle_interval
    );

    // 1. Idle: nothing monitored runs. Side by side, the floor: a thread that does nothing but
    // sleep the same interval in a loop (what a wake-up costs the kernel on this machine).
    let floor_interval = effective.idle_interval;
    std::thread::Builder::new()
        .name("sleep-floor".into())
        .spawn(move || {
            loop {
                std::thread::sleep(floor_interval);
            }
        })
        .unwrap();
    let floor_clock = thread_cpu_clock("sleep-floor");
    let floor_cpu = || read_clock(floor_clock);
    let (before, floor_before) = (cpu(), floor_cpu());
    std::thread::sleep(phase);
    let (idle, floor) = (cpu() - before, floor_cpu() - floor_before);
    let wakes = phase.as_secs_f64() / effective.idle_interval.as_secs_f64();
    println!(
        "idle:          {:>8.1} us CPU per s ({:.3} % of a core), {:.2} us per wake",
        idle.as_secs_f64() * 1e6 / phase.as_secs_f64(),
        idle.as_secs_f64() * 100.0 / phase.as_secs_f64(),
        idle.as_secs_f64() * 1e6 / wakes
    );
    println!(
        "sleep floor:   {:>8.1} us CPU per s ({:.3} % of a core), {:.2} us per wake",
        floor.as_secs_f64() * 1e6 / phase.as_secs_f64(),
        floor.as_secs_f64() * 100.0 / phase.as_secs_f64(),
        floor.as_secs_f64() * 1e6 / wakes
    );

    // 2. Busy: a runtime polls short monitored futures back to back.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let before = cpu();
    let polls = runtime.block_on(async {
        let end = Instant::now() + phase;
        let mut polls = 0u64;
        while Instant::now() < end {
            aiocop::monitored(tokio::task::yield_now()).await;
            polls += 2;
        }
        polls
    });
    let busy = cpu() - before;
    println!(
        "short polls:   {:>8.1} us CPU per s ({:.3} % of a core), {polls} polls",
        busy.as_secs_f64() * 1e6 / phase.as_secs_f64(),
        busy.as_secs_f64() * 100.0 / phase.as_secs_f64(),
    );

    // 3. Sampling a blocked poll: it sleeps for the whole phase; the watchdog samples it every
    // interval, without a signal.
    let before = cpu();
    let (_, events) = runtime.block_on(aiocop::events::collect_events(aiocop::monitored(async {
        std::thread::sleep(phase);
    })));
    report_sampling("sampling, blocked:", cpu() - before, phase, &events);

    // 4. Sampling a CPU-bound poll: it spins for the whole phase; each sample is a signal.
    let before = cpu();
    let (_, events) = runtime.block_on(aiocop::events::collect_events(aiocop::monitored(async {
        let end = Instant::now() + phase;
        while Instant::now() < end {
            std::hint::spin_loop();
        }
    })));
    report_sampling("sampling, CPU:", cpu() - before, phase, &events);
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn report_sampling(
    label: &str,
    cpu: std::time::Duration,
    phase: std::time::Duration,
    events: &[aiocop::SlowTaskEvent],
) {
    let samples: usize = events
        .iter()
        .flat_map(|e| e.cpu_stack_samples())
        .map(|s| s.count())
        .sum();
    println!(
        "{label:<19}{:>8.1} us CPU per s ({:.3} % of a core), {samples} samples, {:.1} us per sample",
        cpu.as_secs_f64() * 1e6 / phase.as_secs_f64(),
        cpu.as_secs_f64() * 100.0 / phase.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / samples.max(1) as f64
    );
}

/// The CPU-time clock of the thread named `name` (Linux encodes a thread's CPU clock as
/// `(!tid << 3) | 6`, what `pthread_getcpuclockid` returns).
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn thread_cpu_clock(name: &str) -> libc::clockid_t {
    // The thread may still be starting.
    for _ in 0..100 {
        for entry in std::fs::read_dir("/proc/self/task").unwrap() {
            let path = entry.unwrap().path();
            let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
            if comm.trim() == name {
                let tid: libc::clockid_t =
                    path.file_name().unwrap().to_str().unwrap().parse().unwrap();
                return (!tid << 3) | 6;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("no thread named {name}");
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn read_clock(clock: libc::clockid_t) -> std::time::Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid clock id for a thread of this process, and a valid timespec.
    assert_eq!(unsafe { libc::clock_gettime(clock, &mut ts) }, 0);
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
fn main() {
    eprintln!("the watchdog samples stacks on Linux x86_64 only");
}
