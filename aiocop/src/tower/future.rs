//! [`ResponseFuture`]: a request's response future, monitored and carrying its request id.

use std::fmt;
use std::future::Future;
use std::mem::MaybeUninit;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::layer::Custom;
use super::request_id::{Id, X_REQUEST_ID};
use crate::context;
use crate::functions::{FunctionInfo, MonitorOptions, MonitoredFunction};
use crate::settings;

pin_project_lite::pin_project! {
    /// The response future of an [`AiocopService`](super::AiocopService).
    // `repr(C)`, the inner future first, at the offset axum's wrappers of this future have
    // theirs: measured 10 to 20 instructions a request fewer than the default layout, which put
    // the state first.
    #[must_use = "futures do nothing unless polled"]
    #[repr(C)]
    pub struct ResponseFuture<F> {
        #[pin]
        pub(super) inner: F,
        pub(super) state: RequestState,
    }
}

/// What the layer keeps of a request while its response future lives: a few words, because axum
/// builds the response future on the stack and then moves it into a box (a larger future is a
/// larger copy for every request).
pub(crate) struct RequestState {
    /// The name the request's polls report, decided when it arrived; `None`: the request was not
    /// chosen for monitoring, and is polled bare.
    pub(super) name: Option<&'static str>,
    /// Where the layer was made: the file and line events report.
    pub(super) at: &'static Location<'static>,
    /// What a customized layer changed (a threshold, a header); `None` for the defaults.
    pub(super) custom: Option<Arc<Custom>>,
    /// The request's id; `None`: request ids off.
    pub(super) id: Option<Id>,
}

impl RequestState {
    /// Whether dropping this state frees anything: the layer's shared settings, an incoming id
    /// (a share of the request's buffer).
    #[inline(always)]
    pub(super) fn owns_resources(&self) -> bool {
        self.custom.is_some() || self.id.as_ref().is_some_and(Id::is_incoming)
    }

    /// What a poll of the request reports itself as: built on the polling frame's stack (a dozen
    /// words written), not kept in the future for every request.
    #[inline(always)]
    fn site(&self, name: &'static str) -> MonitoredFunction {
        let options = match self.custom.as_ref().and_then(|custom| custom.threshold) {
            Some(threshold) => MonitorOptions::DEFAULT.with_threshold(threshold),
            None => MonitorOptions::DEFAULT,
        };
        MonitoredFunction::new(
            FunctionInfo::new(name, "", self.at.file(), self.at.line()),
            options,
        )
    }

    /// The header the id is echoed in.
    fn id_header(&self) -> http::HeaderName {
        self.custom
            .as_ref()
            .and_then(|custom| custom.header.clone())
            .unwrap_or(X_REQUEST_ID)
    }
}

impl<F> ResponseFuture<F> {
    /// The response future of a request whose state is `state` and whose inner future `inner`
    /// makes.
    ///
    /// Built as a struct expression (or with the inner future written before the state), the
    /// inner future goes to a temporary and is copied again with axum's wrappers: some 90
    /// instructions a request. Written after the state, straight into its field, it is not; but
    /// only as long as the call making it has nothing of its own to drop should it panic (a
    /// call that may unwind into a drop is not written in place). So the in-place write is taken
    /// only for a state that owns nothing (the defaults, no incoming id: should the inner
    /// service's `call` panic, there is nothing to drop or leak); a state holding the layer's
    /// shared settings or an incoming id goes through [`owning`](Self::owning), and is dropped if
    /// that call unwinds. Telling the two apart costs about 75 instructions a request (with two
    /// ways of making the response future, it is no longer made right where axum wants it): the
    /// price of never leaking a request's state.
    #[inline(always)]
    pub(super) fn new(state: RequestState, inner: impl FnOnce() -> F) -> Self {
        debug_assert!(!state.owns_resources(), "see `owning`");
        let mut future = MaybeUninit::<Self>::uninit();
        let at = future.as_mut_ptr();
        // SAFETY: both fields are written, each once, before the value is read; `at` points into
        // `future`, alive and unaliased here. If `inner` panics, `future` (a `MaybeUninit`)
        // drops nothing, and the state written owns nothing that would need dropping (the
        // caller checked: `RequestState::owns_resources`).
        unsafe {
            std::ptr::addr_of_mut!((*at).state).write(state);
            std::ptr::addr_of_mut!((*at).inner).write(inner());
            future.assume_init()
        }
    }

    /// The response future of a state that owns something: made whole, out of line, so that
    /// `state` is dropped as usual should `inner` panic.
    #[cold]
    #[inline(never)]
    pub(super) fn owning(state: RequestState, inner: impl FnOnce() -> F) -> Self {
        let inner = inner();
        ResponseFuture { inner, state }
    }

    /// Whether this request is monitored (it was chosen, monitoring being active, on arrival).
    pub fn is_monitored(&self) -> bool {
        self.state.name.is_some()
    }
}

impl<F, R, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<http::Response<R>, E>>,
{
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let projected = self.project();
        let (inner, state) = (projected.inner, projected.state);
        let Some(id) = &state.id else {
            // Nothing to publish or echo: the inner poll writes this poll's output.
            return poll_without_id(state.name, state, inner, cx);
        };
        let mut poll = {
            // Current for the whole poll, the closing of the scope included: context providers
            // and the event's context are taken then too.
            let _published = context::publish(id);
            match state.name {
                // The output is held for the echo anyway: the scope is left inline.
                Some(name) if settings::is_active() => {
                    crate::monitor::poll_in_scope(&state.site(name), inner, cx)
                }
                _ => inner.poll(cx),
            }
        };
        // A request that came without an id, reported nothing and whose id nothing asked for is
        // answered without one.
        if let Poll::Ready(Ok(response)) = &mut poll
            && state.id.as_ref().is_some_and(Id::is_set)
        {
            echo(response, state);
        }
        poll
    }
}

/// Polls the future of a request without an id, in a scope of its own if the request is monitored
/// (`name`) and monitoring still active. The scope is left when its guard drops, after the inner
/// poll has written its output where this function's caller wants it (no copy: 32 instructions
/// fewer than leaving it inline and returning the output held).
#[inline(always)]
fn poll_without_id<F: Future>(
    name: Option<&'static str>,
    state: &RequestState,
    inner: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<F::Output> {
    let Some(name) = name.filter(|_| settings::is_active()) else {
        return inner.poll(cx);
    };
    let site = state.site(name);
    let mut frame = MaybeUninit::uninit();
    let _entered = crate::scope::enter(&site, &mut frame).left_on_drop();
    inner.poll(cx)
}

/// Echoes the id the request came with, or the one made for it, once (out of line: most requests
/// of a service whose clients send no ids echo nothing).
#[inline(never)]
fn echo<R>(response: &mut http::Response<R>, state: &mut RequestState) {
    if let Some(value) = state.id.take().and_then(Id::into_header_value) {
        response.headers_mut().insert(state.id_header(), value);
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.state.id.as_ref().and_then(Id::header_value);
        f.debug_struct("ResponseFuture")
            .field("route", &self.state.name)
            .field("request_id", &id)
            .finish_non_exhaustive()
    }
}
