//! [`ResponseFuture`]: a request's response future, monitored and carrying its request id.

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::num::NonZeroU64;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{HeaderName, HeaderValue};

use super::request_id::{self, IdHeader};
use crate::context::RequestId;
use crate::functions::MonitoredFunction;
use crate::settings;

pin_project_lite::pin_project! {
    /// The response future of an [`AiocopService`](super::AiocopService).
    #[must_use = "futures do nothing unless polled"]
    pub struct ResponseFuture<F> {
        // Built in place by `AiocopService::call`: the inner future is written where it lives,
        // not moved in after.
        #[pin]
        pub(super) inner: F,
        pub(super) state: RequestState,
    }
}

/// What the layer keeps of a request while its response future lives.
pub(crate) struct RequestState {
    // What the request's polls report themselves as, built once when it arrives; `None`: the
    // request was not chosen for monitoring, and is polled bare.
    pub(super) site: Option<MonitoredFunction>,
    // The header to echo the id in (or request ids are off).
    pub(super) header: IdHeader,
    // The id the request came with, if acceptable.
    pub(super) incoming: Option<HeaderValue>,
    // Else the number of the id made for it when first asked for (an event,
    // `current_request_id`), spelled when read.
    pub(super) made: Cell<Option<NonZeroU64>>,
}

impl<F> ResponseFuture<F> {
    /// Whether this request is monitored (it was chosen, monitoring being active, on arrival).
    pub fn is_monitored(&self) -> bool {
        self.state.site.is_some()
    }
}

impl<F, R, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<http::Response<R>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let projected = self.project();
        let (inner, this) = (projected.inner, projected.state);
        let mut poll = {
            // Current for the whole poll, the closing of the scope included: context providers
            // and the event's context are taken then too.
            let id = this.header.is_on().then(|| {
                RequestId::new(
                    this.incoming.as_ref().map(HeaderValue::as_bytes),
                    &this.made,
                    &request_id::MAKER,
                )
            });
            let _published = id.as_ref().map(RequestId::publish);
            match &this.site {
                Some(site) if settings::is_active() => {
                    crate::monitor::poll_in_scope(site, inner, cx)
                }
                _ => inner.poll(cx),
            }
        };
        // A request that came without an id, reported nothing and whose id nothing asked for is
        // answered without one (request ids off: neither is ever set).
        if let Poll::Ready(Ok(response)) = &mut poll
            && (this.incoming.is_some() || this.made.get().is_some())
            && let Some(header) = std::mem::replace(&mut this.header, IdHeader::Off).name()
        {
            echo(response, header, this.incoming.take(), this.made.get());
        }
        poll
    }
}

/// Echoes the id the request came with, or the one made for it (out of line: most requests of a
/// service whose clients send no ids echo nothing).
#[inline(never)]
fn echo<R>(
    response: &mut http::Response<R>,
    header: HeaderName,
    incoming: Option<HeaderValue>,
    made: Option<NonZeroU64>,
) {
    if let Some(id) = incoming.or_else(|| request_id::header_value(made?)) {
        response.headers_mut().insert(header, id);
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("site", &self.state.site)
            .field("incoming", &self.state.incoming)
            .field("made", &self.state.made)
            .finish_non_exhaustive()
    }
}
