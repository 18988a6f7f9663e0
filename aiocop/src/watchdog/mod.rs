//! The stall watchdog: a thread that samples the stack of monitored polls running longer than an
//! arming delay (the samples go on their [`SlowTaskEvent`](crate::SlowTaskEvent) as
//! [`cpu_stack_samples`](crate::SlowTaskEvent::cpu_stack_samples)), and reports polls stuck past a
//! limit while they are still stuck ([`StuckPoll`]).
//!
//! Samples show what the macro cannot: CPU work, and blocking calls inside sync helpers or
//! third-party crates. The hot path pays two relaxed stores per poll (see its `slot` module); everything else
//! happens on the watchdog thread, and on the sampled thread only inside a poll already older than
//! the arming delay.
//!
//! Supported on Linux x86_64 ([`cpu_sampling_status`] says why not elsewhere). Sampling never
//! makes a system call of the sampled thread fail or return early: a thread blocked in the kernel
//! (a `read` with a timeout, `poll`, `nanosleep`, a lock) is sampled without being interrupted,
//! from `/proc` and a copy of its stack; only a thread running inside the poll being sampled gets
//! a real-time signal (the highest one no one handles), from a timer on its own CPU-time clock,
//! which Linux delivers as the thread returns to user code, never inside a system call (see
//! `capture::signal`).
//!
//! A child forked while the watchdog runs gets a watchdog of its own at its first monitored poll
//! (or first call of the watchdog's functions); see `fork`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::clock::{self, Ticks};
use crate::error::ConfigError;
use crate::report;
use crate::settings::{self, MAX_TRACE_DEPTH};
use crate::trace::Trace;

mod capture;
pub(crate) mod fork;

/// Joins the fork handler: the stuck-poll callbacks' registry lock is held across a fork.
pub(crate) fn join_stuck_callbacks_to_fork() {
    crate::fork::join(
        crate::fork::Rank::StuckCallbacks,
        crate::fork::Participant::lock(stuck::hold_for_fork),
    );
}
pub(crate) mod slot;
mod stuck;
#[cfg(worker_probes)]
pub(crate) mod workers;

use capture::{Capture, Capturer};
pub use stuck::{
    StuckPoll, StuckPollHandle, clear_stuck_poll_callbacks, register_stuck_poll_callback,
    unregister_stuck_poll_callback,
};

/// The watchdog never sleeps less than this, whatever the settings say: it must not spin.
const MIN_SLEEP: Duration = Duration::from_millis(1);
/// The derived idle interval is at most this.
const MAX_DERIVED_IDLE: Duration = Duration::from_millis(50);
/// The derived arming delay is at least this.
const MIN_DERIVED_ARM: Duration = Duration::from_millis(1);
/// Largest accepted [`CpuSampling::max_samples_per_poll`].
pub const MAX_SAMPLES_PER_POLL: usize = 1024;
/// Largest accepted interval, idle interval or arming delay.
const MAX_SETTING: Duration = Duration::from_secs(3600);

/// Settings of the stall watchdog, for [`start_cpu_sampling`]. The defaults are the reference's.
///
/// ```
/// use std::time::Duration;
///
/// let settings = aiocop::watchdog::CpuSampling::new()
///     .interval(Duration::from_millis(5))
///     .arm_after(Duration::from_millis(10))
///     .stuck_after(Some(Duration::from_secs(2)));
/// assert_ne!(settings, aiocop::watchdog::CpuSampling::default());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpuSampling {
    interval: Duration,
    arm_after: Option<Duration>,
    idle_interval: Option<Duration>,
    max_samples_per_poll: usize,
    trace_depth: usize,
    stuck_after: Option<Duration>,
}

impl Default for CpuSampling {
    fn default() -> Self {
        Self::new()
    }
}

impl CpuSampling {
    /// The defaults: sample every 10 ms, arm at half the slow-task threshold (following it when
    /// it changes), idle interval derived from those, 32 samples per poll, 20 frames per sample,
    /// stuck polls reported after 1 s.
    pub const fn new() -> Self {
        CpuSampling {
            interval: Duration::from_millis(10),
            arm_after: None,
            idle_interval: None,
            max_samples_per_poll: 32,
            trace_depth: 20,
            stuck_after: Some(Duration::from_secs(1)),
        }
    }

    /// Time between two samples of a running poll (default 10 ms; never under 1 ms in effect).
    pub const fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Age a poll must reach before it is sampled; shorter polls are never signalled. Default:
    /// half the slow-task threshold (at least 1 ms), recomputed when the threshold changes, so
    /// sampling starts around the middle of any poll that goes on to be slow.
    pub const fn arm_after(mut self, arm_after: Duration) -> Self {
        self.arm_after = Some(arm_after);
        self
    }

    /// Time between two looks while no monitored poll runs: trades idle CPU for how late a fresh
    /// poll is first seen. Default: `min(50 ms, max(arming delay, interval))`, so a poll is first
    /// looked at no later than its arming age, and the watchdog never wakes more often idle than
    /// busy.
    pub const fn idle_interval(mut self, idle_interval: Duration) -> Self {
        self.idle_interval = Some(idle_interval);
        self
    }

    /// Samples kept per poll at most (default 32).
    pub const fn max_samples_per_poll(mut self, max: usize) -> Self {
        self.max_samples_per_poll = max;
        self
    }

    /// Frames kept per sample, aiocop's own left out (default 20).
    pub const fn trace_depth(mut self, depth: usize) -> Self {
        self.trace_depth = depth;
        self
    }

    /// A poll running longer than this is reported as a [`StuckPoll`] while it runs, once
    /// (default 1 s; `None`: never).
    pub const fn stuck_after(mut self, limit: Option<Duration>) -> Self {
        self.stuck_after = limit;
        self
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |setting: &'static str, value: String, expected: String| {
            Err(ConfigError::InvalidCpuSampling {
                setting,
                value,
                expected,
            })
        };
        let durations = [
            ("interval", Some(self.interval)),
            ("arm_after", self.arm_after),
            ("idle_interval", self.idle_interval),
        ];
        for (setting, value) in durations {
            if let Some(value) = value.filter(|v| *v > MAX_SETTING) {
                return invalid(
                    setting,
                    format!("{value:?}"),
                    format!("at most {MAX_SETTING:?}"),
                );
            }
        }
        let counts = [
            (
                "max_samples_per_poll",
                self.max_samples_per_poll,
                MAX_SAMPLES_PER_POLL,
            ),
            ("trace_depth", self.trace_depth, MAX_TRACE_DEPTH),
        ];
        for (setting, value, max) in counts {
            if !(1..=max).contains(&value) {
                return invalid(setting, value.to_string(), format!("between 1 and {max}"));
            }
        }
        if let Some(stuck) = self.stuck_after.filter(|s| *s < MIN_SLEEP) {
            return invalid(
                "stuck_after",
                format!("{stuck:?}"),
                format!("at least {MIN_SLEEP:?}"),
            );
        }
        Ok(())
    }

    /// The values in effect with the slow-task threshold at `threshold`.
    fn effective(&self, threshold: Duration) -> EffectiveCpuSampling {
        let arm_after = self
            .arm_after
            .unwrap_or_else(|| (threshold / 2).max(MIN_DERIVED_ARM));
        let idle_interval = self
            .idle_interval
            .unwrap_or_else(|| arm_after.max(self.interval).min(MAX_DERIVED_IDLE));
        EffectiveCpuSampling {
            interval: self.interval,
            arm_after,
            idle_interval,
            max_samples_per_poll: self.max_samples_per_poll,
            trace_depth: self.trace_depth,
            stuck_after: self.stuck_after,
        }
    }
}

/// The watchdog's settings as they apply right now (derived values computed from the current
/// slow-task threshold); see [`effective_cpu_sampling`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EffectiveCpuSampling {
    /// Time between two samples of a running poll.
    pub interval: Duration,
    /// Age a poll must reach before it is sampled.
    pub arm_after: Duration,
    /// Time between two looks while no monitored poll runs.
    pub idle_interval: Duration,
    /// Samples kept per poll at most.
    pub max_samples_per_poll: usize,
    /// Frames kept per sample.
    pub trace_depth: usize,
    /// Age at which a running poll is reported stuck.
    pub stuck_after: Option<Duration>,
}

/// Whether the watchdog runs; see [`cpu_sampling_status`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CpuSamplingStatus {
    /// Sampling.
    Running,
    /// Not started, or stopped.
    Stopped,
    /// Cannot run on this platform or in this process; says why.
    Unavailable(String),
}

/// Set while the watchdog thread runs.
static RUNNING: AtomicBool = AtomicBool::new(false);

#[inline]
pub(crate) fn is_running() -> bool {
    RUNNING.load(Ordering::Relaxed)
}

struct Control {
    watchdog: Option<Watchdog>,
    /// Set by [`stop_cpu_sampling`]: [`detect_slow_tasks`](crate::detect_slow_tasks) then leaves
    /// the watchdog off.
    disabled: bool,
    unavailable: Option<String>,
    /// In a child forked while the watchdog ran: the settings to start it again with at first
    /// use (see [`fork`]).
    restart: Option<CpuSampling>,
}

struct Watchdog {
    settings: CpuSampling,
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: JoinHandle<()>,
    /// The process that started it: a forked child has no watchdog thread.
    pid: u32,
}

static CONTROL: Mutex<Control> = Mutex::new(Control {
    watchdog: None,
    disabled: false,
    unavailable: None,
    restart: None,
});

fn control() -> MutexGuard<'static, Control> {
    CONTROL.lock().unwrap_or_else(PoisonError::into_inner)
}

static WARNED_START: AtomicBool = AtomicBool::new(false);

/// Starts the stall watchdog with `settings`.
///
/// [`detect_slow_tasks`](crate::detect_slow_tasks) starts it with the defaults unless
/// [`stop_cpu_sampling`] was called first; call this before it to choose other settings.
/// Idempotent: while the watchdog runs, a repeated call changes nothing and warns once on stderr
/// (stop it first to change settings).
///
/// ```
/// use std::time::Duration;
///
/// match aiocop::watchdog::start_cpu_sampling(aiocop::watchdog::CpuSampling::new().interval(Duration::from_millis(5))) {
///     Ok(()) => assert!(aiocop::watchdog::is_cpu_sampling_started()),
///     Err(aiocop::ConfigError::CpuSamplingUnavailable { reason }) => eprintln!("{reason}"),
///     Err(other) => panic!("{other}"),
/// }
/// ```
///
/// # Errors
/// [`ConfigError::InvalidCpuSampling`] for a setting out of range;
/// [`ConfigError::CpuSamplingUnavailable`] where stacks cannot be sampled (other platforms, no
/// free signal, no thread). Nothing is started then.
pub fn start_cpu_sampling(settings: CpuSampling) -> Result<(), ConfigError> {
    settings.validate()?;
    start(settings, true)
}

/// Starts the watchdog with the defaults if nothing says otherwise (called by
/// `detect_slow_tasks`); where it cannot run, it only records why.
pub(crate) fn auto_start() {
    fork::restart_if_forked();
    let mut control = control();
    if control.disabled {
        return;
    }
    let _ = start_with(&mut control, CpuSampling::new(), false);
}

fn start(settings: CpuSampling, explicit: bool) -> Result<(), ConfigError> {
    fork::restart_if_forked();
    start_with(&mut control(), settings, explicit)
}

fn start_with(
    control: &mut Control,
    settings: CpuSampling,
    explicit: bool,
) -> Result<(), ConfigError> {
    fork::register();
    control.restart = None;
    if let Some(running) = &control.watchdog {
        if running.pid == std::process::id() {
            if explicit {
                report::warn_once(
                    &WARNED_START,
                    format_args!(
                        "start_cpu_sampling() called while the watchdog runs; settings unchanged \
                         (stop_cpu_sampling first to change them)"
                    ),
                );
            }
            return Ok(());
        }
        // Forked without the fork handlers (a raw `clone`): the thread stayed in the parent, and
        // its handle must not be detached or joined here.
        if let Some(stale) = control.watchdog.take() {
            std::mem::forget(stale);
        }
    }
    let capturer = match Capturer::new() {
        Ok(capturer) => capturer,
        Err(reason) => {
            control.unavailable = Some(reason.clone());
            return Err(ConfigError::CpuSamplingUnavailable { reason });
        }
    };
    let stop = Arc::new((Mutex::new(false), Condvar::new()));
    let thread = {
        let stop = stop.clone();
        let settings = settings.clone();
        std::thread::Builder::new()
            .name("aiocop-watchdog".into())
            .spawn(move || {
                let mut watch = Watch {
                    capturer,
                    #[cfg(worker_probes)]
                    runs: workers::Runs::default(),
                };
                run(settings, &mut watch, &stop)
            })
    };
    let thread = match thread {
        Ok(thread) => thread,
        Err(e) => {
            let reason = format!("could not start the watchdog thread: {e}");
            control.unavailable = Some(reason.clone());
            return Err(ConfigError::CpuSamplingUnavailable { reason });
        }
    };
    control.watchdog = Some(Watchdog {
        settings,
        stop,
        thread,
        pid: std::process::id(),
    });
    control.disabled = false;
    control.unavailable = None;
    RUNNING.store(true, Ordering::Relaxed);
    Ok(())
}

/// Stops the watchdog (waiting for its thread to finish its round) and keeps
/// [`detect_slow_tasks`](crate::detect_slow_tasks) from starting it; the reference's
/// `cpu_sampling=False`. [`start_cpu_sampling`] starts it again.
///
/// Works from any thread. From the watchdog's own thread (a [stuck-poll
/// callback](register_stuck_poll_callback)) it does not wait: the watchdog stops as soon as the
/// callback returns, and takes no further sample.
pub fn stop_cpu_sampling() {
    let watchdog = {
        let mut control = control();
        control.disabled = true;
        control.restart = None;
        control.watchdog.take()
    };
    let Some(watchdog) = watchdog else {
        return;
    };
    RUNNING.store(false, Ordering::Relaxed);
    let (stopped, wake) = &*watchdog.stop;
    *stopped.lock().unwrap_or_else(PoisonError::into_inner) = true;
    wake.notify_all();
    if watchdog.pid != std::process::id() {
        // Forked without the fork handlers: the thread stayed in the parent.
        std::mem::forget(watchdog.thread);
    } else if watchdog.thread.thread().id() == std::thread::current().id() {
        // Called by the watchdog itself: joining would wait for this very call. The thread
        // sees the stop when the callback returns, and ends (its handle detaches it).
    } else {
        let _ = watchdog.thread.join();
    }
}

/// Whether the watchdog runs (the reference's `is_cpu_sampling_started`).
pub fn is_cpu_sampling_started() -> bool {
    cpu_sampling_status() == CpuSamplingStatus::Running
}

/// Whether the watchdog runs, and if it cannot, why.
pub fn cpu_sampling_status() -> CpuSamplingStatus {
    fork::restart_if_forked();
    let control = control();
    match (&control.watchdog, &control.unavailable) {
        (Some(w), _) if w.pid == std::process::id() => CpuSamplingStatus::Running,
        (_, Some(reason)) => CpuSamplingStatus::Unavailable(reason.clone()),
        _ => CpuSamplingStatus::Stopped,
    }
}

/// The running watchdog's settings as they apply now, derived values included; `None` when it
/// does not run.
///
/// ```
/// # if aiocop::watchdog::start_cpu_sampling(aiocop::watchdog::CpuSampling::new()).is_ok() {
/// aiocop::setup::set_slow_task_threshold_ms(100).unwrap();
/// let effective = aiocop::watchdog::effective_cpu_sampling().unwrap();
/// assert_eq!(effective.arm_after, std::time::Duration::from_millis(50));
/// # }
/// ```
pub fn effective_cpu_sampling() -> Option<EffectiveCpuSampling> {
    fork::restart_if_forked();
    let control = control();
    let watchdog = control.watchdog.as_ref()?;
    (watchdog.pid == std::process::id())
        .then(|| watchdog.settings.effective(settings::slow_task_threshold()))
}

/// `[signals requested, signals that came after their poll ended, system calls a signal ended
/// with EINTR]` since the process started (the last should stay 0; see `capture::signal`). For
/// aiocop's own tests and benchmarks.
pub(crate) fn signal_counters() -> [u64; 3] {
    capture::counters()
}

/// The samples the watchdog took of this thread's poll `poll`, which has just ended (a slow-poll
/// event is being built for it). Never waits.
pub(crate) fn take_samples(poll: u64) -> Vec<Trace> {
    if !is_running() {
        return Vec::new();
    }
    let slot = slot::mine();
    if slot.is_null() {
        return Vec::new();
    }
    // A signal still to come for this poll would only find it over.
    capture::poll_ended(slot, poll);
    // SAFETY: slots are never freed.
    unsafe { &*slot }.take_samples(poll)
}

/// What the watchdog thread keeps from round to round.
struct Watch {
    capturer: Capturer,
    /// Runs of probes of worker threads (see [`workers`]).
    #[cfg(worker_probes)]
    runs: workers::Runs,
}

/// The watchdog thread.
fn run(settings: CpuSampling, watch: &mut Watch, stop: &(Mutex<bool>, Condvar)) {
    let mut sleep = settings
        .effective(settings::slow_task_threshold())
        .idle_interval;
    loop {
        if wait(stop, sleep.max(MIN_SLEEP)) {
            return;
        }
        let effective = settings.effective(settings::slow_task_threshold());
        let Some(busy) = round(&effective, watch, stop) else {
            return;
        };
        sleep = if busy {
            effective.interval
        } else {
            effective.idle_interval
        };
    }
}

/// Probes `slot`'s worker if it is in a stretch older than the sampling interval (see
/// [`workers`]); `false` if it is not, its run (if any) then ended.
#[cfg(worker_probes)]
fn probe_worker(
    settings: &EffectiveCpuSampling,
    watch: &mut Watch,
    slot: &'static slot::Slot,
) -> bool {
    let key = std::ptr::from_ref(slot) as usize;
    let thread = || slot.state().thread_name.clone();
    let stretch = slot.stretch();
    let probing = stretch != 0
        && clock::calibrated()
        && Duration::from_nanos(Ticks::from_id(stretch).nanos_until(clock::now()))
            >= settings.interval;
    if !probing {
        watch.runs.end(key, thread);
        return false;
    }
    let copy = watch.runs.wants_stack(key, settings.arm_after);
    match watch.capturer.probe(slot, stretch, copy) {
        capture::Probe::Answered(answer) => {
            let trace = answer.ips.map(|ips| {
                let trace = Trace::from_ips(ips, settings.trace_depth);
                // Symbolized off the worker and the watchdog, as the samples of monitored polls are.
                crate::delivery::resolve_later(trace.clone());
                trace
            });
            let seen = workers::Seen {
                stretch,
                probe: answer.probe,
                at: answer.at,
                trace,
            };
            let stuck = watch.runs.observe(
                key,
                seen,
                settings.max_samples_per_poll,
                settings.stuck_after,
                thread,
            );
            if let (Some((elapsed, trace)), Some(function), Some(limit)) =
                (stuck, workers::worker_function(), settings.stuck_after)
            {
                stuck::report(&StuckPoll {
                    function,
                    elapsed,
                    limit,
                    thread: slot.state().thread_name.clone(),
                    trace,
                });
            }
        }
        // The thread waits in the kernel. A run it does not extend for long is over as far as can be
        // told: a `block_on` returned, or the poll blocked (a poll that runs again later starts a new
        // run).
        capture::Probe::Blocked => {
            watch
                .runs
                .end_if_stale(key, settings.interval * workers::STALE_INTERVALS, thread);
        }
        capture::Probe::Waiting => {}
    }
    true
}

/// Whether the watchdog was told to stop.
fn stopped((stopped, _): &(Mutex<bool>, Condvar)) -> bool {
    *stopped.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Sleeps `duration` or until stopped; `true` if stopped.
fn wait((stopped, wake): &(Mutex<bool>, Condvar), duration: Duration) -> bool {
    let guard = stopped.lock().unwrap_or_else(PoisonError::into_inner);
    let (guard, _) = wake
        .wait_timeout_while(guard, duration, |stopped| !*stopped)
        .unwrap_or_else(PoisonError::into_inner);
    *guard
}

/// One look at every thread; `true` if a monitored poll was running, `None` if a stuck-poll
/// callback stopped the watchdog (nothing more may be sampled: a new watchdog may be running).
fn round(
    settings: &EffectiveCpuSampling,
    watch: &mut Watch,
    stop: &(Mutex<bool>, Condvar),
) -> Option<bool> {
    let mut busy = false;
    for slot in slot::all() {
        let poll = slot.poll();
        #[cfg(worker_probes)]
        if poll == 0 && probe_worker(settings, watch, slot) {
            busy = true;
            // A stuck-poll callback may have stopped the watchdog.
            if stopped(stop) {
                return None;
            }
            continue;
        }
        let capturer = &mut watch.capturer;
        if poll == 0 || !clock::calibrated() {
            capturer.forget(slot);
            continue;
        }
        busy = true;
        // A monitored poll on a worker ends the run of probes there (it reports itself).
        #[cfg(worker_probes)]
        watch.runs.end(std::ptr::from_ref(slot) as usize, || {
            slot.state().thread_name.clone()
        });
        let age = Duration::from_nanos(Ticks::from_id(poll).nanos_until(clock::now()));
        let (samples, stuck_reported) = {
            let state = slot.state();
            let samples = if state.samples_poll == poll {
                state.samples.len()
            } else {
                0
            };
            (samples, state.stuck_poll == poll)
        };
        let sample_due = age >= settings.arm_after && samples < settings.max_samples_per_poll;
        // The limit this poll just went past, if it has not been reported yet.
        let stuck = settings
            .stuck_after
            .filter(|limit| age >= *limit && !stuck_reported);
        if !sample_due && stuck.is_none() {
            capturer.forget(slot);
            continue;
        }
        let Capture::Taken(captured) = capturer.capture(slot, poll) else {
            continue;
        };
        let trace = Trace::from_ips(captured.ips, settings.trace_depth);
        if sample_due {
            slot.push_sample(poll, trace.clone(), settings.max_samples_per_poll);
        }
        // Symbolized on the delivery thread, off the runtime's and the watchdog's (the first
        // symbolization loads debug information, which must not delay the next samples): the
        // poll's event finds the text ready.
        if sample_due {
            crate::delivery::resolve_later(trace.clone());
        }
        if let Some(limit) = stuck {
            let thread = {
                let mut state = slot.state();
                state.stuck_poll = poll;
                state.thread_name.clone()
            };
            stuck::report(&StuckPoll {
                function: captured.function,
                elapsed: age,
                limit,
                thread,
                trace,
            });
            if stopped(stop) {
                return None;
            }
        }
    }
    Some(busy)
}
