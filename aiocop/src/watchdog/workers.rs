//! Slow polls of unannotated tasks on stable tokio: the watchdog's probes of worker threads.
//!
//! Tokio's stable hooks show when a worker wakes up and parks (see `crate::runtime`), never where
//! one poll ends and the next begins, and a busy worker runs thousands of healthy polls between
//! two parks. So the watchdog probes each worker whose stretch has run longer than the sampling
//! interval, every interval: a signal (the same timer-driven signal the stack samples use, so a
//! thread in a system call is never interrupted) whose handler reads two things on the worker,
//! the id of the task being polled and tokio's cooperative budget of the poll, and takes one unit
//! of that budget for good (the mark, see `coop::probe_and_mark`).
//!
//! Two consecutive probes saw **the same poll** when they found the same task and the second found
//! exactly the budget the first left: a new poll starts from a full budget (128), so it would
//! have to have used exactly the right number of units to look the same; across the five or more
//! probes a report needs, chance agreement does not happen. A run of such probes spanning the
//! slow-task threshold is a slow poll: reported when the run ends (the next probe sees another
//! poll, the worker parks, or a monitored poll starts), as a [`WorkerStall`] with the stack copies
//! taken once the run was half the threshold long. A run still going past the stuck-poll limit is
//! reported as a [`StuckPoll`](super::StuckPoll) of the worker while it runs, once.
//!
//! What it catches: a poll that runs user code for longer than the threshold plus about two
//! sampling intervals (it is seen from its first probe on, and reported with the time seen, a
//! lower bound), in any task or `block_on` future of an instrumented runtime, without
//! annotations. What it misses: a poll shorter than that; a poll that waits in the kernel the
//! whole time (it is never probed: a blocking call the probes, shims or the interception know is
//! reported as such, a lock or an unknown system call is not); a poll that keeps using tokio
//! resources between probes (its budget moves: the run breaks, never a false report), or that has
//! used up its budget (every such poll shows the same empty budget); a worker
//! whose probes the kernel cannot deliver. What it never does: report a worker that runs many
//! short polls, whatever their number, or a task that yields and is polled again at once.

use std::time::Duration;

use crate::clock::{self, Ticks};
use crate::coop::{Budget, WorkerProbe};
use crate::functions::FunctionInfo;
use crate::trace::Trace;

/// Sampling intervals without an answer from a worker after which its run is over as far as can
/// be told (the thread waits in the kernel, or left the runtime).
pub(crate) const STALE_INTERVALS: u32 = 4;

/// A slow poll seen on a worker (see the module docs).
#[derive(Debug)]
pub(crate) struct WorkerStall {
    /// How long the poll was seen running: from its first probe to its last.
    pub(crate) elapsed: Duration,
    /// The threshold it went past.
    pub(crate) threshold: Duration,
    /// The tokio task polled, if a task was (`block_on` futures have no id).
    pub(crate) task: Option<u64>,
    /// The worker thread's name.
    pub(crate) thread: Option<String>,
    /// Stack copies of the poll, unwound.
    pub(crate) samples: Vec<Trace>,
}

/// Where stalls go, and the worker's descriptor for stuck-poll reports: set by `crate::runtime`
/// when it instruments a runtime (the watchdog knows no events).
static SINK: std::sync::OnceLock<(fn(WorkerStall), FunctionInfo)> = std::sync::OnceLock::new();

/// Sets where stalls go and how stuck polls of workers are named (first call wins: there is one
/// sink).
pub(crate) fn set_sink(sink: fn(WorkerStall), worker: FunctionInfo) {
    let _ = SINK.set((sink, worker));
}

fn report(stall: WorkerStall) {
    if let Some((sink, _)) = SINK.get() {
        sink(stall);
    }
}

/// The worker's descriptor, once a runtime is instrumented.
pub(crate) fn worker_function() -> Option<FunctionInfo> {
    SINK.get().map(|(_, worker)| *worker)
}

/// One probe's answer, as the runs take it.
pub(crate) struct Seen {
    /// The stretch probed.
    pub(crate) stretch: u64,
    /// What the probe read.
    pub(crate) probe: WorkerProbe,
    /// When.
    pub(crate) at: Ticks,
    /// The stack, if the probe copied it.
    pub(crate) trace: Option<Trace>,
}

/// A run of probes that saw the same poll.
struct Run {
    slot: usize,
    stretch: u64,
    task: Option<u64>,
    /// The budget the last probe left.
    left: u8,
    first: Ticks,
    last: Ticks,
    samples: Vec<Trace>,
    /// Whether the run was reported stuck (once per run).
    stuck: bool,
}

impl Run {
    fn span(&self) -> Duration {
        Duration::from_nanos(self.first.nanos_until(self.last))
    }
}

/// The watchdog's runs, one per probed worker at most.
#[derive(Default)]
pub(crate) struct Runs {
    runs: Vec<Run>,
}

impl Runs {
    /// Whether the probe now asked of `slot`'s worker should copy the stack: its current run has
    /// reached `arm_after`.
    pub(crate) fn wants_stack(&self, slot: usize, arm_after: Duration) -> bool {
        self.runs
            .iter()
            .any(|run| run.slot == slot && run.span() >= arm_after)
    }

    /// Takes in a probe of `slot`'s worker: extends the worker's run if the probe saw the same
    /// poll, else ends it (reporting it if it was slow) and starts another. `thread` names the
    /// worker for a report.
    /// Returns the run's length and its last stack the first time it goes past `stuck_after`
    /// (the poll is still running: a stuck poll, see [`StuckPoll`](super::StuckPoll)).
    pub(crate) fn observe(
        &mut self,
        slot: usize,
        seen: Seen,
        max_samples: usize,
        stuck_after: Option<Duration>,
        thread: impl FnOnce() -> Option<String>,
    ) -> Option<(Duration, Trace)> {
        let Seen {
            stretch,
            probe,
            at,
            trace,
        } = seen;
        // Units found by this probe, one of which it took (nothing else continues or starts a
        // run: an exhausted budget tells nothing, every poll that used its budget up shows 0).
        let found = match probe.budget {
            Budget::Marked(found) => Some(found),
            Budget::Outside | Budget::Exhausted => None,
        };
        if let Some(run) = self.runs.iter_mut().find(|run| run.slot == slot)
            && let Some(found) = found
            && run.stretch == stretch
            && run.task == probe.task
            && run.left == found
        {
            run.left = found - 1;
            run.last = at;
            let stuck = stuck_after.filter(|limit| !run.stuck && run.span() >= *limit);
            let stuck = match (stuck, &trace) {
                (Some(_), Some(trace)) => {
                    run.stuck = true;
                    Some((run.span(), trace.clone()))
                }
                _ => None,
            };
            if let Some(trace) = trace
                && run.samples.len() < max_samples
            {
                run.samples.push(trace);
            }
            return stuck;
        }
        self.end(slot, thread);
        if let Some(found) = found {
            self.runs.push(Run {
                slot,
                stretch,
                task: probe.task,
                left: found - 1,
                first: at,
                last: at,
                samples: trace.into_iter().collect(),
                stuck: false,
            });
        }
        None
    }

    /// Ends `slot`'s run if no probe extended it for `stale`.
    pub(crate) fn end_if_stale(
        &mut self,
        slot: usize,
        stale: Duration,
        thread: impl FnOnce() -> Option<String>,
    ) {
        let now = clock::now();
        if self
            .runs
            .iter()
            .any(|run| run.slot == slot && Duration::from_nanos(run.last.nanos_until(now)) >= stale)
        {
            self.end(slot, thread);
        }
    }

    /// Ends `slot`'s run, if any (its stretch is over, or a monitored poll runs), reporting it if
    /// it was slow.
    pub(crate) fn end(&mut self, slot: usize, thread: impl FnOnce() -> Option<String>) {
        let Some(k) = self.runs.iter().position(|run| run.slot == slot) else {
            return;
        };
        let run = self.runs.swap_remove(k);
        let threshold = crate::settings::slow_task_threshold();
        let elapsed = run.span();
        if elapsed >= threshold && clock::calibrated() {
            report(WorkerStall {
                elapsed,
                threshold,
                task: run.task,
                thread: thread(),
                samples: run.samples,
            });
        }
    }
}
