//! What a monitored poll reports: [`SlowTaskEvent`] and the [`BlockingEventInfo`]s inside it.

use std::fmt;
use std::panic::Location;
use std::time::Duration;

use crate::context::Context;
use crate::functions::FunctionInfo;
use crate::severity::SeverityLevel;
use crate::trace::Trace;

/// Why a [`SlowTaskEvent`] was produced. Displays as `"io_blocking"` or `"cpu_blocking"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The poll recorded blocking calls, whether or not it exceeded the threshold.
    IoBlocking,
    /// The poll took at least the threshold without recording any blocking call: CPU work, or a
    /// blocking call aiocop does not know.
    CpuBlocking,
}

impl Reason {
    /// `"io_blocking"` or `"cpu_blocking"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::IoBlocking => "io_blocking",
            Reason::CpuBlocking => "cpu_blocking",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl PartialEq<&str> for Reason {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A blocking call as the recorder stored it, before formatting.
#[derive(Debug, Clone)]
pub(crate) struct RawBlockingEvent {
    pub(crate) operation: &'static str,
    /// The event's text, `operation(args)` (or `operation` alone when arguments are not captured),
    /// built once when the call is recorded.
    pub(crate) text: String,
    pub(crate) weight: u32,
    pub(crate) location: &'static Location<'static>,
    pub(crate) function: FunctionInfo,
    pub(crate) trace: Trace,
    /// Where an intercepted libc call came from (see `intercept`); `None` for calls recorded at
    /// their call site.
    pub(crate) origin: Option<crate::origin::Origin>,
    /// How long the call took, in nanoseconds: known for intercepted calls, timed around the C
    /// library's function once it returns; `None` for calls recorded before they run.
    pub(crate) duration_ns: Option<u64>,
}

/// The [`BlockingEventInfo`] aiocop would record for a call to `operation` with `args`, made here
/// (the caller's location) in `function`, without recording anything: the reference's
/// `format_blocking_event`, for tools that feed their own events to callbacks or compare with
/// aiocop's. The text is `operation(args)` (each argument cut at
/// [`MAX_ARGUMENT_CHARS`](crate::operations::MAX_ARGUMENT_CHARS) characters), or `operation`
/// without arguments; the entry point is `file:line:function`; there is no trace.
///
/// ```
/// use aiocop::functions::FunctionInfo;
///
/// let handler = FunctionInfo::new("handler", "my_crate::api", "src/api.rs", 12);
/// let info = aiocop::format_blocking_event("std::fs::read", aiocop::WEIGHT_MODERATE, &[&"/etc/hosts"], &handler);
/// assert_eq!(info.event(), "std::fs::read(/etc/hosts)");
/// assert!(info.entry_point().ends_with(":handler"));
/// ```
#[track_caller]
pub fn format_blocking_event(
    operation: &'static str,
    weight: u32,
    args: &[&dyn fmt::Display],
    function: &FunctionInfo,
) -> BlockingEventInfo {
    let mut text = String::from(operation);
    if !args.is_empty() {
        text.push('(');
        crate::text::format_args_into(&mut text, args);
        text.push(')');
    }
    RawBlockingEvent {
        operation,
        text,
        weight,
        location: Location::caller(),
        function: *function,
        trace: Trace::empty(),
        origin: None,
        duration_ns: None,
    }
    .into_info()
}

impl RawBlockingEvent {
    /// The [`BlockingEventInfo`] of this event, reusing its text.
    pub(crate) fn into_info(self) -> BlockingEventInfo {
        // An intercepted call's entry point is symbolized when first read, never here (on the
        // runtime's thread).
        let entry_point = match self.origin {
            Some(_) => String::new(),
            None => format!(
                "{}:{}:{}",
                self.location.file(),
                self.location.line(),
                self.function.name()
            ),
        };
        BlockingEventInfo {
            event: self.text,
            entry_point,
            trace: self.trace,
            severity: self.weight,
            operation: self.operation,
            location: self.location,
            function: self.function,
            origin: self.origin,
            duration: self.duration_ns.map(Duration::from_nanos),
        }
    }
}

/// One blocking call inside a slow poll.
#[derive(Debug, Clone)]
pub struct BlockingEventInfo {
    event: String,
    entry_point: String,
    trace: Trace,
    severity: u32,
    operation: &'static str,
    location: &'static Location<'static>,
    function: FunctionInfo,
    origin: Option<crate::origin::Origin>,
    duration: Option<Duration>,
}

impl BlockingEventInfo {
    /// The call with its arguments, each cut at 100 characters: `std::fs::File::open(/etc/hosts)`.
    pub fn event(&self) -> &str {
        &self.event
    }

    /// The stack at the call, innermost first, `file:line:function` frames joined by ` <- `,
    /// aiocop's and the executor's frames left out. Empty at trace depth 0.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Where the call was made: `file:line:function`, `function` being the innermost monitored
    /// function. Known from the call site, so present at any trace depth.
    ///
    /// For a libc call caught by interception (the `intercept` feature), the innermost frame of
    /// the program's own code on the call's stack (not the C library, std, aiocop, tokio, mio,
    /// futures, crates from the Cargo registry, nor [`skip_crates`](crate::intercept::skip_crates)),
    /// `function` being that frame's function: symbolized when first read.
    pub fn entry_point(&self) -> &str {
        match &self.origin {
            Some(origin) => origin.entry_point(),
            None => &self.entry_point,
        }
    }

    /// For a libc call caught by interception, the crate whose code called the C library (or
    /// called the C code that did): `dotenvy`, `rusqlite`, `std` never. `None` for calls recorded
    /// at their call site (shims, probes, [`audit`](crate::audit())). Symbolized when first read.
    pub fn calling_crate(&self) -> Option<&str> {
        self.origin
            .as_ref()
            .and_then(|origin| origin.calling_crate())
    }

    /// Whether interception caught this call (rather than a shim, a probe or [`audit`](crate::audit())).
    pub fn is_intercepted(&self) -> bool {
        self.origin.is_some()
    }

    /// How long the call took: known for a call caught by interception (timed around the C
    /// library's function), `None` for calls recorded at their call site (shims, probes,
    /// [`audit`](crate::audit())), which are recorded before they run.
    pub fn duration(&self) -> Option<Duration> {
        self.duration
    }

    /// The event's weight (see [`WEIGHT_HEAVY`](crate::WEIGHT_HEAVY) and friends).
    pub fn severity(&self) -> u32 {
        self.severity
    }

    /// The operation's name without arguments: `std::fs::File::open`.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The call site.
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// The innermost monitored function the call ran in.
    pub fn function(&self) -> &FunctionInfo {
        &self.function
    }
}

impl fmt::Display for BlockingEventInfo {
    /// `event at entry_point (weight N)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at {} (weight {})",
            self.event,
            self.entry_point(),
            self.severity
        )
    }
}

/// Where a slow poll spent its time, from the stall watchdog's stack samples: one entry per
/// distinct stack, with the number of samples that found it. See
/// [`SlowTaskEvent::cpu_stack_samples`].
#[derive(Debug, Clone)]
pub struct CpuStackSample {
    trace: Trace,
    count: usize,
}

impl CpuStackSample {
    /// The sampled stack, innermost frame first, aiocop's own frames left out; displays like
    /// [`BlockingEventInfo::trace`].
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The innermost frame of the program's own code (see [`Trace::entry_point`]): for a CPU
    /// loop, the function looping; for a call blocking in the C library, the function calling it.
    pub fn entry_point(&self) -> &str {
        self.trace.entry_point()
    }

    /// How many samples found this stack.
    pub fn count(&self) -> usize {
        self.count
    }
}

/// The samples of a poll, aggregated into [`CpuStackSample`]s when first read (aiocop's delivery
/// thread symbolizes them as they are taken, so they are usually ready by then).
#[derive(Debug, Clone, Default)]
pub(crate) struct StackSamples {
    raw: Vec<Trace>,
    aggregated: std::sync::OnceLock<Vec<CpuStackSample>>,
}

impl StackSamples {
    pub(crate) fn new(raw: Vec<Trace>) -> Self {
        StackSamples {
            raw,
            aggregated: std::sync::OnceLock::new(),
        }
    }

    /// Identical stacks (as symbolized: samples at different instructions of one line are one
    /// stack) merged, most frequent first; ties keep the order they were first seen in.
    pub(crate) fn aggregated(&self) -> &[CpuStackSample] {
        self.aggregated.get_or_init(|| {
            let mut merged: Vec<CpuStackSample> = Vec::new();
            for trace in &self.raw {
                match merged
                    .iter_mut()
                    .find(|m| m.trace.resolve() == trace.resolve())
                {
                    Some(m) => m.count += 1,
                    None => merged.push(CpuStackSample {
                        trace: trace.clone(),
                        count: 1,
                    }),
                }
            }
            merged.sort_by_key(|m| std::cmp::Reverse(m.count));
            merged
        })
    }
}

/// Everything one monitored poll did, handed to callbacks when the poll recorded blocking calls or
/// took at least the threshold. Immutable once built.
#[derive(Debug, Clone)]
pub struct SlowTaskEvent {
    pub(crate) elapsed: Duration,
    pub(crate) threshold: Duration,
    pub(crate) severity_score: u32,
    pub(crate) reason: Reason,
    pub(crate) blocking_events: Vec<BlockingEventInfo>,
    pub(crate) dropped_events: usize,
    pub(crate) context: Context,
    pub(crate) function: FunctionInfo,
    pub(crate) cpu_samples: StackSamples,
}

impl SlowTaskEvent {
    /// How long the poll took.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// How long the poll took, in milliseconds.
    pub fn elapsed_ms(&self) -> f64 {
        self.elapsed.as_secs_f64() * 1e3
    }

    /// The threshold the poll was judged against.
    pub fn threshold(&self) -> Duration {
        self.threshold
    }

    /// The threshold, in milliseconds.
    pub fn threshold_ms(&self) -> f64 {
        self.threshold.as_secs_f64() * 1e3
    }

    /// Whether the poll took at least the threshold.
    pub fn exceeded_threshold(&self) -> bool {
        self.elapsed >= self.threshold
    }

    /// Sum of the weights of every blocking event of the poll (those beyond the per-poll cap
    /// included); 0 for CPU blocking.
    pub fn severity_score(&self) -> u32 {
        self.severity_score
    }

    /// The level of [`severity_score`](Self::severity_score).
    pub fn severity_level(&self) -> SeverityLevel {
        crate::severity::get_severity_level_from_score(self.severity_score)
    }

    /// Why the event was produced.
    pub fn reason(&self) -> Reason {
        self.reason
    }

    /// The recorded blocking calls, in call order (at most the per-poll cap).
    pub fn blocking_events(&self) -> &[BlockingEventInfo] {
        &self.blocking_events
    }

    /// How many blocking calls were counted beyond the per-poll cap and not kept.
    pub fn dropped_events(&self) -> usize {
        self.dropped_events
    }

    /// The context providers' values: captured at the first blocking call for
    /// [`Reason::IoBlocking`], before and after the poll (after wins) for
    /// [`Reason::CpuBlocking`].
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The monitored function whose poll this was (the outermost one on the thread).
    pub fn function(&self) -> &FunctionInfo {
        &self.function
    }

    /// Where the poll spent its time, from the stall watchdog's stack samples (see
    /// [`start_cpu_sampling`](crate::watchdog::start_cpu_sampling)): distinct stacks, most frequent first.
    /// Empty when the watchdog does not run or the poll ended before it was armed.
    ///
    /// Blocking events say which known calls the poll made; samples say where the time went,
    /// including CPU work and blocking calls aiocop cannot see (inside sync helpers or
    /// third-party crates).
    ///
    /// aiocop's delivery thread symbolizes samples as the watchdog takes them, so reading them is
    /// cheap wherever callbacks run (a reader that comes first symbolizes what is left).
    pub fn cpu_stack_samples(&self) -> &[CpuStackSample] {
        self.cpu_samples.aggregated()
    }

    /// Symbolizes every trace now, on the calling thread (aiocop's delivery thread does this before
    /// calling callbacks).
    pub fn resolve_traces(&self) {
        for e in &self.blocking_events {
            e.trace.resolve();
            if let Some(origin) = &e.origin {
                origin.resolve();
            }
        }
        self.cpu_samples.aggregated();
    }
}

impl fmt::Display for SlowTaskEvent {
    /// A multi-line report: the headline, then one line per blocking event.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} in {}: {:.1} ms (threshold {:.1} ms{}), severity {} (score {})",
            self.reason,
            self.function,
            self.elapsed_ms(),
            self.threshold_ms(),
            if self.exceeded_threshold() {
                ", exceeded"
            } else {
                ""
            },
            self.severity_level(),
            self.severity_score,
        )?;
        for e in &self.blocking_events {
            write!(f, "\n  - {e}")?;
        }
        if self.dropped_events > 0 {
            write!(
                f,
                "\n  ... and {} more blocking events not kept",
                self.dropped_events
            )?;
        }
        if let Some(top) = self.cpu_stack_samples().first() {
            let total: usize = self.cpu_stack_samples().iter().map(|s| s.count).sum();
            write!(
                f,
                "\n  hottest stack ({} of {total} samples) at {}",
                top.count,
                top.entry_point()
            )?;
        }
        if !self.context.is_empty() {
            write!(f, "\n  context: {:?}", self.context)?;
        }
        Ok(())
    }
}

/// The severity score of a list of blocking events: the sum of their weights (saturating).
///
/// A [`SlowTaskEvent`](crate::SlowTaskEvent)'s own score also counts the events that were dropped
/// beyond the per-poll cap, so it can exceed this sum over its stored events.
pub fn calculate_io_severity_score(events: &[BlockingEventInfo]) -> u32 {
    events
        .iter()
        .fold(0u32, |sum, e| sum.saturating_add(e.severity()))
}
