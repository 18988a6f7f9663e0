//! Worker threads as non-blocking threads, on stable tokio: every blocking call made by any task
//! of a runtime is recorded, with no annotation, through tokio's stable thread hooks.
//!
//! Needs the `runtime` feature. One call on the runtime's `Builder`:
//!
//! ```
//! # #[cfg(feature = "runtime")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut builder = tokio::runtime::Builder::new_multi_thread();
//! builder.enable_all();
//! aiocop::runtime::instrument(&mut builder);
//! let runtime = builder.build()?;
//!
//! aiocop::start_blocking_io_detection(0)?;
//! aiocop::activate();
//! runtime.block_on(async {
//!     // No `#[aiocop::monitor]`, no `.monitored()`: the worker running the task is watched.
//!     tokio::spawn(async { aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[&"/etc/hosts"]) })
//!         .await
//! })?;
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "runtime"))]
//! # fn main() {}
//! ```
//!
//! # What is monitored, and how events read
//!
//! - A worker thread is watched from the moment it starts (or, on the current-thread runtime, the
//!   first time `block_on` wakes from a park) for each stretch between waking up and parking
//!   again. Inside a stretch, every blocking call made in the poll of a task is recorded: shims,
//!   probes, [`audit`](crate::audit()), and with the `intercept` feature the C library calls of
//!   any code.
//! - Tokio's stable hooks do not see task polls: an event covers one **stretch** of a worker (all
//!   the blocking calls between two parks), reported when the worker parks. Its
//!   [`function`](crate::SlowTaskEvent::function) is [`WORKER_NAME`]; each blocking call carries
//!   its call site (and, with a trace depth, its stack). A stretch is not one poll, and a busy
//!   worker that never parks is healthy: the event's `elapsed` is the time its calls blocked,
//!   known for intercepted calls (timed around the C library's function,
//!   [`BlockingEventInfo::duration`](crate::BlockingEventInfo::duration)). Context providers run
//!   at the stretch's first blocking call.
//! - **Slow CPU work in any task** (Linux x86_64, with the stall watchdog running, as
//!   [`detect_slow_tasks`](crate::detect_slow_tasks) starts it): the watchdog probes each worker
//!   whose stretch runs longer than its sampling interval, and tells one long poll from many
//!   short ones by tokio's cooperative budget, which a new poll starts afresh. A poll seen
//!   running for longer than the slow-task threshold is reported once it is over, as a
//!   [`CpuBlocking`](crate::Reason::CpuBlocking) event of [`WORKER_NAME`] with the stack
//!   samples taken while it ran (they name the busy function), the task's id in the context
//!   (`tokio.task_id`, absent for a `block_on` future) and the worker's name (`thread.name`);
//!   its `elapsed` is the time the poll was seen running, a lower bound. The event is delivered
//!   from the watchdog's thread. A busy worker running short polls is never reported, however
//!   many. What this sees and misses is listed in docs/runtime.md. Not under
//!   `--cfg tokio_unstable`, where `aiocop::runtime_hooks` times every poll instead.
//! - Monitored futures inside (`#[aiocop::monitor]` functions, `monitored()`, the tower layer's
//!   requests) open their own scope, as without this module: their blocking calls are in their
//!   own events, named by their function and with the tower layer's request id, with their own
//!   thresholds and strict mode.
//! - Never recorded: `spawn_blocking` closures, `block_in_place` closures, and the scheduler's
//!   own work between polls (the driver's waits for I/O and timers). Tokio runs each poll with a
//!   constrained cooperative budget and everything else without one: a call is recorded only
//!   under a constrained budget. So a task polled inside `tokio::task::unconstrained` is not
//!   watched, and a future driven by `Handle::block_on` inside a `spawn_blocking` closure is (on a
//!   thread that once ran a worker, its event comes when that thread stops).
//! - On the current-thread runtime the future given to `block_on` runs on the worker too: its
//!   blocking calls count as the worker's. On the multi-thread runtime it runs on the calling
//!   thread, which is not a worker.
//! - The hooks never panic, whatever strict mode says: [`run_strict`] is the strict form.
//!
//! `#[tokio::main]` cannot take a builder hook: write the runtime out instead (see
//! docs/runtime.md).
//!
//! # Tests
//!
//! `#[aiocop::test]` in place of `#[tokio::test]` runs a test on a strict runtime ([`run_strict`]):
//! a high-severity blocking call made by the test's code, in its body, a spawned task or a
//! dependency, fails the test with the report and call site.
//!
//! ```
//! # #[cfg(feature = "runtime")]
//! # mod tests {
//! #[aiocop::test]
//! async fn reads_its_fixture_without_blocking() {
//!     let text = tokio::fs::read_to_string("Cargo.toml").await.unwrap();
//!     assert!(!text.is_empty());
//! }
//!
//! #[aiocop::test(flavor = "multi_thread", worker_threads = 2)]
//! async fn returns_a_result() -> std::io::Result<()> {
//!     tokio::spawn(async { tokio::task::yield_now().await }).await?;
//!     Ok(())
//! }
//! # }
//! # fn main() {}
//! ```
//!
//! On a runtime with tokio's unstable poll hooks, `aiocop::runtime_hooks` sees each poll and
//! makes this module unnecessary there. A tracing span's poll on a watched worker (see
//! `integrations::tracing::PollLayer`) is timed on its own, and the blocking calls made in it are
//! reported in its event, not the worker's.
//!
//! [`instrument`] sets the builder's `on_thread_start`, `on_thread_stop`, `on_thread_park` and
//! `on_thread_unpark` callbacks (tokio keeps one of each). To keep hooks of your own, call
//! [`worker_started`], [`worker_stopped`], [`worker_parked`] and [`worker_unparked`] from them.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::runtime::Builder;

use crate::collect::{self, Watcher};
use crate::event::SlowTaskEvent;
use crate::functions::{FunctionInfo, MonitorOptions, MonitoredFunction};
use crate::scope::detached;
use crate::settings;
use crate::strict;

/// The name events of worker stretches carry.
pub const WORKER_NAME: &str = "<tokio worker>";

/// A worker stretch, reporting.
static WORKER: MonitoredFunction = MonitoredFunction::new(
    FunctionInfo::new(WORKER_NAME, "", "<tokio worker>", 0),
    MonitorOptions::DEFAULT,
);

/// Sets the builder's thread hooks so that every blocking call made in a task on its worker
/// threads is recorded (see the module docs). Replaces thread hooks set earlier on `builder`.
pub fn instrument(builder: &mut Builder) -> &mut Builder {
    report_stalls();
    builder
        .on_thread_start(worker_started)
        .on_thread_stop(worker_stopped)
        .on_thread_park(worker_parked)
        .on_thread_unpark(worker_unparked)
}

/// aiocop's `on_thread_start` hook: tokio starts its workers (and its blocking pool's threads,
/// which record nothing: see the module docs) running, before any park.
pub fn worker_started() {
    open(&WORKER);
}

/// aiocop's `on_thread_stop` hook: reports the thread's last stretch.
pub fn worker_stopped() {
    detached::close();
}

/// aiocop's `on_thread_park` hook: the worker is about to wait for work; reports its stretch.
pub fn worker_parked() {
    detached::close();
}

/// aiocop's `on_thread_unpark` hook: the worker woke up and runs tasks again.
pub fn worker_unparked() {
    open(&WORKER);
}

/// Slow polls the watchdog sees on workers become events of [`WORKER_NAME`].
fn report_stalls() {
    #[cfg(worker_probes)]
    crate::watchdog::workers::set_sink(
        |stall| crate::emit::emit_worker_stall(&WORKER, stall),
        *WORKER.info(),
    );
}

fn open(site: &'static MonitoredFunction) {
    if settings::is_active() {
        detached::open_worker(site);
    }
}

/// The most violations [`run_strict`] keeps (it reports the first).
const KEPT_VIOLATIONS: usize = 16;

/// Runs `future` to completion on a runtime built from `builder`, with every worker watched as
/// [`instrument`] does, strictly: if a task blocked with high severity (the blocking calls of a
/// worker's stretch, or of a monitored poll on a worker such as a tower layer's request, scoring
/// high: see [`SeverityLevel`](crate::SeverityLevel) and
/// [`set_violation_rule`](crate::strict::set_violation_rule)), it panics with the full report of
/// the first such event, call sites included, once `future` has returned and the runtime has
/// shut down: the test fails. `future` itself is watched too, on either runtime (on the
/// multi-thread runtime it runs on the calling thread); set-up before the call and assertions
/// after it are not.
///
/// Monitoring must be set up (the reference's steps: `start_blocking_io_detection`, `activate`);
/// this function changes no global setting. It panics also if the runtime cannot be built, and
/// replaces thread hooks set earlier on `builder`.
///
/// ```
/// # #[cfg(feature = "runtime")]
/// # fn main() {
/// # aiocop::start_blocking_io_detection(0).unwrap();
/// # aiocop::activate();
/// let answer = aiocop::runtime::run_strict(
///     tokio::runtime::Builder::new_multi_thread().enable_all(),
///     async { tokio::spawn(async { 42 }).await.unwrap() },
/// );
/// assert_eq!(answer, 42);
/// # }
/// # #[cfg(not(feature = "runtime"))]
/// # fn main() {}
/// ```
pub fn run_strict<F: Future>(builder: &mut Builder, future: F) -> F::Output {
    report_stalls();
    let violations: Arc<Mutex<Vec<SlowTaskEvent>>> = Arc::default();
    let watcher: Watcher = {
        let violations = Arc::clone(&violations);
        Arc::new(move |event: &SlowTaskEvent| {
            if strict::is_violation(event, true) {
                // Held only to push or take an event: never long, never by aiocop's threads.
                let mut kept = violations.lock().unwrap_or_else(PoisonError::into_inner);
                if kept.len() < KEPT_VIOLATIONS {
                    kept.push(event.clone());
                }
            }
        })
    };
    let watch = |watcher: &Watcher| {
        let watcher = Arc::clone(watcher);
        move || {
            if !collect::watches_thread(&watcher) {
                collect::watch_thread(Some(Arc::clone(&watcher)));
            }
            worker_unparked();
        }
    };
    builder
        .on_thread_start(watch(&watcher))
        .on_thread_unpark(watch(&watcher))
        .on_thread_park(worker_parked)
        .on_thread_stop(worker_stopped);
    let runtime = match builder.build() {
        Ok(runtime) => runtime,
        Err(error) => panic!("aiocop::runtime::run_strict: cannot build the runtime: {error}"),
    };
    // On the current-thread runtime this thread is the worker; on the multi-thread runtime it
    // polls `future`: watched either way, from the first poll on.
    let previous = collect::watch_thread(Some(Arc::clone(&watcher)));
    worker_unparked();
    let output = runtime.block_on(future);
    // Its last stretch ends here.
    worker_parked();
    collect::watch_thread(previous);
    // Joins the worker threads: each reports its last stretch as it stops.
    drop(runtime);
    let first = violations
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .drain(..)
        .next();
    if let Some(event) = first {
        strict::raise(event);
    }
    output
}
