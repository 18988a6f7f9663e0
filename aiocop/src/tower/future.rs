//! [`ResponseFuture`]: a request's response future, monitored and carrying its request id.

use std::cell::OnceCell;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{HeaderName, HeaderValue};

use crate::context::RequestId;
use crate::functions::{FunctionInfo, MonitorOptions, MonitoredFunction};
use crate::settings;

/// What a monitored request reports itself as, kept small: the future is moved and boxed by the
/// services around it, and the full site is built on the poll's stack.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Site {
    pub(crate) route: &'static str,
    pub(crate) at: &'static Location<'static>,
    pub(crate) threshold: Option<Duration>,
}

impl Site {
    #[inline]
    fn function(&self) -> MonitoredFunction {
        let options = match self.threshold {
            Some(threshold) => MonitorOptions::DEFAULT.with_threshold(threshold),
            None => MonitorOptions::DEFAULT,
        };
        MonitoredFunction::new(
            FunctionInfo::new(self.route, "", self.at.file(), self.at.line()),
            options,
        )
    }
}

pin_project_lite::pin_project! {
    /// The response future of an [`AiocopService`](super::AiocopService).
    #[must_use = "futures do nothing unless polled"]
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        // `None`: the request was not chosen for monitoring, and is polled bare.
        site: Option<Site>,
        // The header to echo the id in (`None`: request ids are off).
        header: Option<HeaderName>,
        // The id the request came with, if acceptable.
        incoming: Option<HeaderValue>,
        // Else the id made for it when first asked for (an event, `current_request_id`).
        made: OnceCell<Box<str>>,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(
        inner: F,
        site: Option<Site>,
        header: Option<HeaderName>,
        incoming: Option<HeaderValue>,
    ) -> Self {
        ResponseFuture {
            inner,
            site,
            header,
            incoming,
            made: OnceCell::new(),
        }
    }

    /// Whether this request is monitored (it was chosen, monitoring being active, on arrival).
    pub fn is_monitored(&self) -> bool {
        self.site.is_some()
    }
}

impl<F, R, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<http::Response<R>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let mut poll = {
            // Current for the whole poll, the closing of the scope included: context providers
            // and the event's context are taken then too.
            let id = this.header.is_some().then(|| {
                RequestId::new(
                    this.incoming.as_ref().map(HeaderValue::as_bytes),
                    this.made,
                    super::request_id::generate,
                )
            });
            let _published = id.as_ref().map(RequestId::publish);
            match this.site {
                Some(site) if settings::is_active() => {
                    crate::monitor::poll_in_scope(&site.function(), this.inner, cx)
                }
                _ => this.inner.poll(cx),
            }
        };
        if let Poll::Ready(Ok(response)) = &mut poll
            && let Some(header) = this.header.take()
            && let Some(id) = echoed(this.incoming.take(), this.made.take())
        {
            response.headers_mut().insert(header, id);
        }
        poll
    }
}

/// The id a response echoes: the one the request came with, or the one made for it, if any (a
/// request that reported nothing, and whose id nothing asked for, has none).
fn echoed(incoming: Option<HeaderValue>, made: Option<Box<str>>) -> Option<HeaderValue> {
    incoming.or_else(|| HeaderValue::from_str(&made?).ok())
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("site", &self.site)
            .field("incoming", &self.incoming)
            .field("made", &self.made)
            .finish_non_exhaustive()
    }
}
