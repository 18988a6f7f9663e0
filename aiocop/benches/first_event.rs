//! What the first traced events of a fresh process cost the worker that records them, against
//! warm ones; and what a callback that panics costs per event.
//!
//! Run: `cargo bench -p aiocop --bench first_event` (add `-- <processes>` to change the number
//! of fresh processes, default 5).
//!
//! Each fresh process turns on detection with trace depth 20 and the default delivery (the
//! delivery thread symbolizes), then runs 40 monitored polls, each recording one blocking call,
//! on a current-thread runtime, and times each poll: that time is how long every other task of the
//! runtime waited. The first polls are the ones that used to wait for symbolization: the delivery
//! thread loads debug information for the first event while the worker captures the next traces.
//! Printed per process: the slowest of the first 5 polls ("cold") and the median of the last 20
//! ("warm"), in microseconds.

use std::future::Future;
use std::pin::pin;
use std::process::Command;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

const CHILD: &str = "AIOCOP_BENCH_FIRST_EVENT_CHILD";
const POLLS: usize = 40;

fn poll_once<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("completes in one poll"),
    }
}

#[aiocop::monitor]
async fn handler(i: usize) {
    aiocop::audit("std::fs::read", aiocop::WEIGHT_HEAVY, &[&i]);
}

fn child() {
    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(20).unwrap();
    aiocop::detect_slow_tasks(60_000, |_| {}).unwrap();
    aiocop::activate();
    let mut times = Vec::with_capacity(POLLS);
    for i in 0..POLLS {
        let start = Instant::now();
        poll_once(handler(i));
        times.push(start.elapsed());
        // Room for the delivery thread to run, as a worker's other tasks would leave it.
        std::thread::sleep(Duration::from_millis(2));
    }
    aiocop::delivery::flush();
    let cold = times[..5].iter().max().unwrap();
    let mut warm = times[POLLS - 20..].to_vec();
    warm.sort();
    if std::env::var_os("AIOCOP_BENCH_VERBOSE").is_some() {
        eprintln!("{:?}", &times[..8]);
    }
    println!("{} {}", cold.as_micros(), warm[10].as_micros());
}

/// Per-event cost of a slow-task callback that panics, inline delivery: the panic is caught,
/// reported (rate-limited) and its payload dropped.
fn panicking_callback() {
    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(0).unwrap();
    aiocop::detect_slow_tasks(60_000, aiocop::no_callback).unwrap();
    aiocop::delivery::set_mode(aiocop::delivery::Delivery::Inline);
    aiocop::activate();
    let run = |n: usize| {
        let start = Instant::now();
        for i in 0..n {
            poll_once(handler(i));
        }
        start.elapsed() / n as u32
    };
    let quiet = run(2000);
    let handle = aiocop::register_slow_task_callback(|_| panic!("a buggy callback"));
    let panicking = run(2000);
    aiocop::unregister_slow_task_callback(handle);
    println!(
        "per event: callback-free {:.1} µs, panicking callback {:.1} µs (+{:.1} µs)",
        quiet.as_nanos() as f64 / 1e3,
        panicking.as_nanos() as f64 / 1e3,
        (panicking.as_nanos() as f64 - quiet.as_nanos() as f64) / 1e3
    );
}

fn main() {
    match std::env::var(CHILD).as_deref() {
        Ok("first") => return child(),
        Ok("panic") => return panicking_callback(),
        _ => {}
    }
    // `cargo bench` passes `--bench`; a number among the arguments sets the process count.
    let processes: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5);
    let exe = std::env::current_exe().expect("bench binary");
    println!("first traced events of a fresh process (depth 20), per process: cold / warm");
    let mut ratios = Vec::new();
    for _ in 0..processes {
        let out = Command::new(&exe).env(CHILD, "first").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().unwrap());
        let (cold, warm) = (fields.next().unwrap(), fields.next().unwrap());
        println!(
            "  cold {cold:>7} µs   warm {warm:>5} µs   ratio {:.1}",
            cold as f64 / warm.max(1) as f64
        );
        ratios.push(cold as f64 / warm.max(1) as f64);
    }
    ratios.sort_by(f64::total_cmp);
    println!("median cold/warm ratio: {:.1}", ratios[ratios.len() / 2]);
    let out = Command::new(&exe).env(CHILD, "panic").output().unwrap();
    print!("{}", String::from_utf8_lossy(&out.stdout));
}
