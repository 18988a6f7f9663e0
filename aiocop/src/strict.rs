//! Strict mode ("raise on violations"): a high-severity poll panics, so tests fail on blocking
//! code.
//!
//! The switch is scoped to the current thread, or to a task when set inside
//! [`raise_on_violations`]; a process-wide default covers everything else. The panic payload is a
//! `String` (the full report), so `#[should_panic(expected = "...")]` matches it; the typed report
//! is recovered with [`HighSeverityBlockingIo::from_panic`].

use std::any::Any;
use std::cell::Cell;
use std::collections::VecDeque;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use crate::event::{BlockingEventInfo, SlowTaskEvent};
use crate::functions::FunctionInfo;
use crate::severity::SeverityLevel;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Switch {
    Inherit,
    On,
    Off,
}

thread_local! {
    static SWITCH: Cell<Switch> = const { Cell::new(Switch::Inherit) };
}

static DEFAULT_ON: AtomicBool = AtomicBool::new(false);
static RULE: AtomicU8 = AtomicU8::new(ViolationRule::HighSeverity as u8);

/// Turns strict mode on for the current thread, or for the current task inside
/// [`raise_on_violations`].
pub fn enable_raise_on_violations() {
    SWITCH.set(Switch::On);
}

/// Turns strict mode off for the current thread (or task inside [`raise_on_violations`]), even if
/// the process-wide default is on.
pub fn disable_raise_on_violations() {
    SWITCH.set(Switch::Off);
}

/// Whether a high-severity poll on this thread (or task) panics now.
pub fn is_raise_on_violations_enabled() -> bool {
    match SWITCH.get() {
        Switch::On => true,
        Switch::Off => false,
        Switch::Inherit => DEFAULT_ON.load(Ordering::Relaxed),
    }
}

/// The process-wide default for threads and tasks that have not chosen (off unless set).
pub fn set_raise_on_violations_default(enabled: bool) {
    DEFAULT_ON.store(enabled, Ordering::Relaxed);
}

/// When strict mode panics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum ViolationRule {
    /// Whenever a poll's severity is high, fast or slow: deterministic in tests.
    #[default]
    HighSeverity = 0,
    /// Only when a poll's severity is high and it also took at least the threshold (the Python
    /// library's rule).
    HighSeverityAndSlow = 1,
}

/// Chooses when strict mode panics.
pub fn set_violation_rule(rule: ViolationRule) {
    RULE.store(rule as u8, Ordering::Relaxed);
}

/// When strict mode panics.
pub fn violation_rule() -> ViolationRule {
    match RULE.load(Ordering::Relaxed) {
        1 => ViolationRule::HighSeverityAndSlow,
        _ => ViolationRule::HighSeverity,
    }
}

/// Whether `event` must panic, strict mode being on for the task (`forced`: the monitored function
/// asked for it).
pub(crate) fn is_violation(event: &SlowTaskEvent, forced: bool) -> bool {
    (forced || is_raise_on_violations_enabled())
        && event.severity_level() == SeverityLevel::High
        && match violation_rule() {
            ViolationRule::HighSeverity => true,
            ViolationRule::HighSeverityAndSlow => event.exceeded_threshold(),
        }
}

/// Strict mode on for every poll of `future` (task-scoped: the setting travels with the future
/// across threads, and [`enable_raise_on_violations`] / [`disable_raise_on_violations`] called
/// inside it stay inside it).
///
/// ```should_panic
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// aiocop::activate();
/// aiocop::start_blocking_io_detection(0).unwrap();
/// aiocop::raise_on_violations(aiocop::monitored(async {
///     aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"10ms"]);
/// }))
/// .await; // panics: high-severity blocking I/O
/// # }
/// ```
pub fn raise_on_violations<F: IntoFuture>(future: F) -> RaiseOnViolations<F::IntoFuture> {
    RaiseOnViolations {
        inner: future.into_future(),
        switch: Switch::On,
    }
}

pin_project_lite::pin_project! {
    /// Future returned by [`raise_on_violations`].
    #[must_use = "futures do nothing unless polled"]
    #[derive(Debug)]
    pub struct RaiseOnViolations<F> {
        #[pin]
        inner: F,
        switch: Switch,
    }
}

impl<F: Future> Future for RaiseOnViolations<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let inner = this.inner;
        let outer = SWITCH.replace(*this.switch);
        // Restore the thread's switch and keep the task's own, even if the poll panics.
        struct Restore<'a> {
            outer: Switch,
            task: &'a mut Switch,
        }
        impl Drop for Restore<'_> {
            fn drop(&mut self) {
                *self.task = SWITCH.replace(self.outer);
            }
        }
        let _restore = Restore {
            outer,
            task: this.switch,
        };
        inner.poll(cx)
    }
}

/// Turns strict mode on for the current thread until dropped, then restores the previous setting.
///
/// The guard is `!Send`: it cannot be held across an `.await` in a task that may move between
/// threads; use [`raise_on_violations`] there.
pub fn raise_on_violations_guard() -> RaiseOnViolationsGuard {
    RaiseOnViolationsGuard {
        previous: SWITCH.replace(Switch::On),
        _not_send: PhantomData,
    }
}

/// Guard returned by [`raise_on_violations_guard`].
#[must_use = "strict mode ends when the guard is dropped"]
#[derive(Debug)]
pub struct RaiseOnViolationsGuard {
    previous: Switch,
    _not_send: PhantomData<*const ()>,
}

impl Drop for RaiseOnViolationsGuard {
    fn drop(&mut self) {
        SWITCH.set(self.previous);
    }
}

/// The report of a strict-mode violation: a monitored poll whose blocking calls scored high.
///
/// The panic payload is the `String` returned by [`message`](Self::message); recover this value
/// from a caught payload with [`from_panic`](Self::from_panic).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// aiocop::activate();
/// aiocop::start_blocking_io_detection(0).unwrap();
/// let task = tokio::spawn(aiocop::raise_on_violations(aiocop::monitored(async {
///     aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"10ms"]);
/// })));
/// let payload = task.await.unwrap_err().into_panic();
/// let report = aiocop::HighSeverityBlockingIo::from_panic(&*payload).unwrap();
/// assert_eq!(report.severity_score(), 50);
/// assert_eq!(report.events()[0].event(), "std::thread::sleep(10ms)");
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct HighSeverityBlockingIo {
    id: u64,
    event: SlowTaskEvent,
}

const MARKER: &str = "(aiocop violation #";
/// How many reports `from_panic` can still find; older ones are forgotten.
const KEPT_REPORTS: usize = 64;
static NEXT_ID: AtomicU64 = AtomicU64::new(1);
static RECENT: Mutex<VecDeque<Arc<HighSeverityBlockingIo>>> = Mutex::new(VecDeque::new());

impl HighSeverityBlockingIo {
    pub(crate) fn new(event: SlowTaskEvent) -> Arc<Self> {
        let report = Arc::new(Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            event,
        });
        let mut recent = RECENT.lock().unwrap_or_else(PoisonError::into_inner);
        if recent.len() == KEPT_REPORTS {
            recent.pop_front();
        }
        recent.push_back(report.clone());
        report
    }

    /// The typed report behind a strict-mode panic payload (from `catch_unwind`,
    /// `JoinError::into_panic`, a panic hook), if it is one and is among the 64 most recent.
    pub fn from_panic(payload: &(dyn Any + Send)) -> Option<Arc<HighSeverityBlockingIo>> {
        let message = crate::report::panic_message(payload);
        let start = message.find(MARKER)? + MARKER.len();
        let digits = message[start..].split(')').next()?;
        let id: u64 = digits.parse().ok()?;
        RECENT
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|r| r.id == id)
            .cloned()
    }

    /// The poll's severity score.
    pub fn severity_score(&self) -> u32 {
        self.event.severity_score()
    }

    /// The poll's severity level (always high under the default rule).
    pub fn severity_level(&self) -> SeverityLevel {
        self.event.severity_level()
    }

    /// How long the poll took.
    pub fn elapsed(&self) -> Duration {
        self.event.elapsed()
    }

    /// How long the poll took, in milliseconds.
    pub fn elapsed_ms(&self) -> f64 {
        self.event.elapsed_ms()
    }

    /// The threshold the poll was judged against.
    pub fn threshold(&self) -> Duration {
        self.event.threshold()
    }

    /// The blocking calls of the poll.
    pub fn events(&self) -> &[BlockingEventInfo] {
        self.event.blocking_events()
    }

    /// The monitored function whose poll it was.
    pub fn function(&self) -> &FunctionInfo {
        self.event.function()
    }

    /// The whole event.
    pub fn event(&self) -> &SlowTaskEvent {
        &self.event
    }

    /// The panic message: the full report.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for HighSeverityBlockingIo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "aiocop: high-severity blocking I/O in an async poll {MARKER}{})",
            self.id
        )?;
        write!(f, "{}", self.event)
    }
}

impl std::error::Error for HighSeverityBlockingIo {}

/// Panics with the report of `event`.
pub(crate) fn raise(event: SlowTaskEvent) -> ! {
    let report = HighSeverityBlockingIo::new(event);
    std::panic::panic_any(report.message())
}
