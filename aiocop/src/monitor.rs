//! The per-poll guard: [`Monitored`], the future every `#[aiocop::monitor]` body is wrapped in, and
//! the ways to wrap a future in it.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::mem::MaybeUninit;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::functions::{FunctionInfo, MonitorOptions, MonitoredFunction};
use crate::scope;
use crate::settings;

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
        if !settings::is_active() {
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
/// For a named entry that also appears in [`monitored_functions`](crate::functions::monitored_functions), use
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
/// and an optional name) that [`monitored_functions`](crate::functions::monitored_functions) lists.
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
        $crate::__aiocop_register!(monitored: __AIOCOP_SITE = $crate::__private::MonitoredFunction::new(
            $crate::__private::FunctionInfo::new(
                $name,
                ::core::module_path!(),
                ::core::file!(),
                ::core::line!(),
            ),
            $crate::__private::MonitorOptions::DEFAULT,
        ));
        $crate::__private::Monitored::new(
            ::core::future::IntoFuture::into_future($future),
            __AIOCOP_SITE,
        )
    }};
    ($future:expr $(,)?) => {
        $crate::monitored!("<async block>", $future)
    };
}
