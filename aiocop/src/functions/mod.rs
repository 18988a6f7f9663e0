//! What aiocop knows about the code it watches, fixed at compile time: the monitored functions and
//! futures ([`MonitoredFunction`]: name, place, per-function options) and the functions declared
//! blocking ([`BlockingFunction`]). Plain descriptors: nothing here records or polls.

use std::fmt;
use std::time::Duration;

mod list;

/// Where a monitored future comes from: its name, module, file and line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FunctionInfo {
    name: &'static str,
    module_path: &'static str,
    file: &'static str,
    line: u32,
}

impl FunctionInfo {
    /// Describes a function or future; `module_path` may be empty when unknown.
    pub const fn new(
        name: &'static str,
        module_path: &'static str,
        file: &'static str,
        line: u32,
    ) -> Self {
        Self {
            name,
            module_path,
            file,
            line,
        }
    }

    /// The function's name (or the name given to a monitored future).
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The module path (`my_crate::handlers`), empty when unknown.
    pub const fn module_path(&self) -> &'static str {
        self.module_path
    }

    /// The source file of the definition.
    pub const fn file(&self) -> &'static str {
        self.file
    }

    /// The line of the definition.
    pub const fn line(&self) -> u32 {
        self.line
    }
}

impl fmt::Display for FunctionInfo {
    /// `module::name (file:line)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.module_path.is_empty() {
            write!(f, "{}::", self.module_path)?;
        }
        write!(f, "{} ({}:{})", self.name, self.file, self.line)
    }
}

/// Per-function settings of a monitored function (what `#[monitor(threshold_ms = .., strict,
/// allow(..))]` sets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonitorOptions {
    threshold: Option<Duration>,
    /// `threshold` in nanoseconds (saturating): what each poll compares with.
    threshold_ns: u64,
    strict: bool,
    allow: &'static [&'static str],
}

impl MonitorOptions {
    /// No overrides: the global threshold, no forced strict mode, nothing allowed.
    pub const DEFAULT: MonitorOptions = MonitorOptions {
        threshold: None,
        threshold_ns: 0,
        strict: false,
        allow: &[],
    };

    /// These options with the slow-poll threshold of this function set to `threshold`.
    pub const fn with_threshold(mut self, threshold: Duration) -> Self {
        self.threshold = Some(threshold);
        let nanos = threshold.as_nanos();
        self.threshold_ns = if nanos > u64::MAX as u128 {
            u64::MAX
        } else {
            nanos as u64
        };
        self
    }

    /// These options with strict mode forced on for this function's polls.
    pub const fn with_strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// These options with the named blocking operations (event names such as
    /// `"std::thread::sleep"`) not recorded while this function runs.
    pub const fn with_allow(mut self, allow: &'static [&'static str]) -> Self {
        self.allow = allow;
        self
    }

    /// The threshold override, if any.
    pub const fn threshold(&self) -> Option<Duration> {
        self.threshold
    }

    /// The threshold override in nanoseconds, if any.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) const fn threshold_ns(&self) -> Option<u64> {
        match self.threshold {
            Some(_) => Some(self.threshold_ns),
            None => None,
        }
    }

    /// Whether strict mode is forced for this function.
    pub const fn strict(&self) -> bool {
        self.strict
    }

    /// The operations not recorded inside this function.
    pub const fn allow(&self) -> &'static [&'static str] {
        self.allow
    }

    pub(crate) fn allows(&self, operation: &str) -> bool {
        self.allow.contains(&operation)
    }
}

impl Default for MonitorOptions {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A monitored function: what it is and how it is monitored.
///
/// Every `#[aiocop::monitor]` function (and every [`monitored!`](crate::monitored!) future)
/// registers one in a static list at compile time; [`monitored_functions`] lists them at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonitoredFunction {
    info: FunctionInfo,
    /// Settable by the guard's builder methods ([`Monitored::with_threshold`](crate::Monitored::with_threshold) and others).
    pub(crate) options: MonitorOptions,
}

impl MonitoredFunction {
    /// Describes a monitored function.
    pub const fn new(info: FunctionInfo, options: MonitorOptions) -> Self {
        Self { info, options }
    }

    /// Name, module, file and line.
    pub const fn info(&self) -> &FunctionInfo {
        &self.info
    }

    /// Per-function settings.
    pub const fn options(&self) -> &MonitorOptions {
        &self.options
    }
}

/// Every monitored function of the program: those annotated with `#[aiocop::monitor]` and the
/// futures wrapped with [`monitored!`](crate::monitored!), in no particular order, whether they
/// have run or not.
///
/// Registration happens at compile time. The linker keeps only the parts of a library crate the
/// program refers to, so a library's function that nothing in the program calls or names may be
/// missing (it could never run either).
///
/// ```
/// # async fn handler() {}
/// let _future = aiocop::monitored!("listed_future", handler());
/// assert!(aiocop::functions::monitored_functions().any(|f| f.info().name() == "listed_future"));
/// ```
pub fn monitored_functions() -> impl Iterator<Item = &'static MonitoredFunction> {
    list::monitored()
}

/// A function marked `#[aiocop::blocking]`: every call records an event named `event` with
/// `weight`. Registered at compile time; [`get_blocking_events_dict`](crate::get_blocking_events_dict)
/// lists it.
#[derive(Debug)]
pub struct BlockingFunction {
    event: &'static str,
    weight: u32,
}

impl BlockingFunction {
    /// Describes a blocking function (used by the macro).
    pub const fn new(event: &'static str, weight: u32) -> Self {
        Self { event, weight }
    }

    /// The event name its calls record.
    pub const fn event(&self) -> &'static str {
        self.event
    }

    /// The weight its calls record.
    pub const fn weight(&self) -> u32 {
        self.weight
    }
}

/// Every `#[aiocop::blocking]` function of the program.
pub fn blocking_functions() -> impl Iterator<Item = &'static BlockingFunction> {
    list::blocking()
}
