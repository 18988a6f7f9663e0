//! The per-poll guard: [`Monitored`], the future every `#[aiocop::monitor]` body is wrapped in, and
//! the static description of a monitored function.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::mem::MaybeUninit;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::config;
use crate::scope;

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
    options: MonitorOptions,
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
/// assert!(aiocop::monitored_functions().any(|f| f.info().name() == "listed_future"));
/// ```
pub fn monitored_functions() -> impl Iterator<Item = &'static MonitoredFunction> {
    crate::static_list::monitored()
}

pin_project_lite::pin_project! {
    /// A future whose every poll is timed, and whose blocking calls are recorded, while monitoring is
    /// active. When monitoring is inactive a poll costs one relaxed atomic load more than the bare
    /// poll.
    ///
    /// Build one with `#[aiocop::monitor]`, [`monitored`](crate::monitored()),
    /// [`monitored!`](crate::monitored!) or [`FutureExt::monitored`].
    #[must_use = "futures do nothing unless polled"]
    pub struct Monitored<F> {
        #[pin]
        inner: F,
        site: MonitoredFunction,
    }
}

impl<F> Monitored<F> {
    /// Wraps `inner`, described by `site`. Used by the macros; most code calls
    /// [`monitored`](crate::monitored()) or [`FutureExt::monitored`].
    pub const fn new(inner: F, site: MonitoredFunction) -> Self {
        Self { inner, site }
    }

    /// This future with its own slow-poll threshold.
    pub const fn with_threshold(mut self, threshold: Duration) -> Self {
        self.site.options = self.site.options.with_threshold(threshold);
        self
    }

    /// This future with strict mode forced on (its high-severity polls panic).
    pub const fn with_strict(mut self, strict: bool) -> Self {
        self.site.options = self.site.options.with_strict(strict);
        self
    }

    /// This future with the named operations not recorded.
    pub const fn with_allow(mut self, allow: &'static [&'static str]) -> Self {
        self.site.options = self.site.options.with_allow(allow);
        self
    }

    /// What this future reports itself as.
    pub const fn site(&self) -> &MonitoredFunction {
        &self.site
    }

    /// The wrapped future.
    pub fn into_inner(self) -> F {
        self.inner
    }
}

impl<F: Future> Future for Monitored<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        if !config::is_active() {
            return this.inner.poll(cx);
        }
        poll_in_scope(this.site, this.inner, cx)
    }
}

/// Polls `inner` once inside a scope of `site` (monitoring being active): the one guard sequence
/// of every monitored future ([`Monitored`], the tower layer's response future).
#[inline]
pub(crate) fn poll_in_scope<F: Future>(
    site: &MonitoredFunction,
    inner: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<F::Output> {
    let mut frame = MaybeUninit::uninit();
    let entered = scope::enter(site, &mut frame);
    let output = inner.poll(cx);
    entered.exit();
    output
}

impl<F: fmt::Debug> fmt::Debug for Monitored<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Monitored")
            .field("inner", &self.inner)
            .field("site", &self.site)
            .finish()
    }
}

/// Wraps a future (a spawned task, an async block) so its polls are monitored, reporting itself
/// as `<async block>` at the caller's file and line.
///
/// For a named entry that also appears in [`monitored_functions`], use
/// [`monitored!`](crate::monitored!); for a name without registration, [`FutureExt::monitored_as`].
///
/// ```
/// # async fn work() {}
/// # async fn run() {
/// let output = aiocop::monitored(async { work().await }).await;
/// # }
/// ```
#[track_caller]
pub fn monitored<F: IntoFuture>(future: F) -> Monitored<F::IntoFuture> {
    let at = Location::caller();
    Monitored::new(future.into_future(), caller_site("<async block>", at))
}

fn caller_site(name: &'static str, at: &'static Location<'static>) -> MonitoredFunction {
    MonitoredFunction::new(
        FunctionInfo::new(name, "", at.file(), at.line()),
        MonitorOptions::DEFAULT,
    )
}

/// Monitoring as a method on any future.
pub trait FutureExt: IntoFuture + Sized {
    /// Same as [`monitored`](crate::monitored()).
    #[track_caller]
    fn monitored(self) -> Monitored<Self::IntoFuture> {
        let at = Location::caller();
        Monitored::new(self.into_future(), caller_site("<async block>", at))
    }

    /// Monitors this future under `name` (events report it as their function).
    ///
    /// ```
    /// use aiocop::FutureExt;
    /// # async fn fetch_user() {}
    /// # async fn run() {
    /// tokio::spawn(fetch_user().monitored_as("fetch_user"));
    /// # }
    /// ```
    #[track_caller]
    fn monitored_as(self, name: &'static str) -> Monitored<Self::IntoFuture> {
        let at = Location::caller();
        Monitored::new(self.into_future(), caller_site(name, at))
    }
}

impl<F: IntoFuture> FutureExt for F {}

/// Wraps a future in a [`Monitored`] guard described by a static entry (module path, file, line,
/// and an optional name) that [`monitored_functions`] lists.
///
/// ```
/// # async fn load() -> u32 { 7 }
/// # async fn run() {
/// let n = aiocop::monitored!("load_config", load()).await;
/// let m = aiocop::monitored!(async { n + 1 }).await;
/// # }
/// ```
#[macro_export]
macro_rules! monitored {
    ($name:literal, $future:expr $(,)?) => {{
        $crate::__aiocop_register!(monitored: __AIOCOP_SITE = $crate::MonitoredFunction::new(
            $crate::FunctionInfo::new(
                $name,
                ::core::module_path!(),
                ::core::file!(),
                ::core::line!(),
            ),
            $crate::MonitorOptions::DEFAULT,
        ));
        $crate::Monitored::new(
            ::core::future::IntoFuture::into_future($future),
            __AIOCOP_SITE,
        )
    }};
    ($future:expr $(,)?) => {
        $crate::monitored!("<async block>", $future)
    };
}
