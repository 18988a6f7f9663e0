//! [`AiocopLayer`] and the service it wraps around yours.

use std::borrow::Cow;
use std::fmt;
use std::panic::Location;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::HeaderName;
use tower_layer::Layer;
use tower_service::Service;

use super::future::{RequestState, ResponseFuture};
use super::request_id::{DEFAULT_HEADER, Id, X_REQUEST_ID};
use super::route::{MethodAndPath, OTHER_ROUTE, RouteName};
use crate::request_sampling::Sampler;
use crate::settings;

/// A tower layer monitoring every request of the service it wraps; see the
/// [module docs](crate::tower).
///
/// ```
/// # use std::time::Duration;
/// let config = aiocop::setup::Config::from_vars([("AIOCOP_SAMPLE_RATE", "0.1")])?;
/// let layer = aiocop::tower::AiocopLayer::new()
///     .sampler(config.sampler()) // monitor one request in ten
///     .threshold(Duration::from_millis(50)); // requests' own slow-poll threshold
/// # let _ = layer;
/// # Ok::<(), aiocop::setup::EnvError>(())
/// ```
#[derive(Clone)]
pub struct AiocopLayer<N = MethodAndPath> {
    settings: Settings<N>,
}

#[derive(Clone)]
struct Settings<N> {
    route_name: N,
    /// Where the layer was made: the file and line events report.
    at: &'static Location<'static>,
    /// Whether request ids are on, and in which header (the header's name is in `custom`).
    ids: Ids,
    /// What the layer changed from its defaults (a sampler, a header, a threshold), shared: axum
    /// clones the service for every request, and a layer with its defaults then copies two words
    /// and counts no reference.
    custom: Option<Arc<Custom>>,
}

#[derive(Clone, Copy, PartialEq)]
enum Ids {
    Off,
    /// In [`X_REQUEST_ID`].
    Default,
    /// In [`Custom::header`].
    Custom,
}

#[derive(Clone, Default)]
pub(super) struct Custom {
    /// `None`: every request.
    sampler: Option<Sampler>,
    pub(super) header: Option<HeaderName>,
    pub(super) threshold: Option<Duration>,
}

impl<N> Settings<N> {
    fn custom(&mut self) -> &mut Custom {
        Arc::make_mut(self.custom.get_or_insert_with(Arc::default))
    }

    /// The header ids are read from and echoed in, if ids are on.
    #[inline]
    fn id_header(&self) -> Option<&HeaderName> {
        match self.ids {
            Ids::Off => None,
            Ids::Default => Some(&DEFAULT_HEADER),
            Ids::Custom => Some(
                self.custom
                    .as_ref()
                    .and_then(|custom| custom.header.as_ref())
                    .unwrap_or(&DEFAULT_HEADER),
            ),
        }
    }

    /// Whether to monitor the request arriving now.
    #[inline]
    fn sample(&self) -> bool {
        match self
            .custom
            .as_ref()
            .and_then(|custom| custom.sampler.as_ref())
        {
            Some(sampler) => sampler.sample(),
            None => true,
        }
    }

    #[inline]
    fn threshold(&self) -> Option<Duration> {
        self.custom.as_ref().and_then(|custom| custom.threshold)
    }
}

impl AiocopLayer {
    /// A layer monitoring every request (while monitoring is active), naming events by method and
    /// path, with request ids in `x-request-id`. Events report the file and line of this call.
    #[track_caller]
    pub fn new() -> Self {
        AiocopLayer {
            settings: Settings {
                route_name: MethodAndPath,
                at: Location::caller(),
                ids: Ids::Default,
                custom: None,
            },
        }
    }
}

impl Default for AiocopLayer {
    #[track_caller]
    fn default() -> Self {
        AiocopLayer::new()
    }
}

impl<N> AiocopLayer<N> {
    /// This layer naming events with `route_name` (see [`RouteName`]).
    pub fn route_name<M>(self, route_name: M) -> AiocopLayer<M> {
        let Settings {
            at, ids, custom, ..
        } = self.settings;
        AiocopLayer {
            settings: Settings {
                route_name,
                at,
                ids,
                custom,
            },
        }
    }

    /// This layer monitoring the requests `sampler` chooses.
    pub fn sampler(mut self, sampler: Sampler) -> Self {
        self.settings.custom().sampler = Some(sampler);
        self
    }

    /// This layer reading and echoing request ids in `header` instead of `x-request-id`.
    pub fn request_id_header(mut self, header: HeaderName) -> Self {
        if header == X_REQUEST_ID {
            self.settings.ids = Ids::Default;
        } else {
            self.settings.custom().header = Some(header);
            self.settings.ids = Ids::Custom;
        }
        self
    }

    /// This layer without request ids (no header echoed, no [`current_request_id`](super::current_request_id)).
    pub fn without_request_id(mut self) -> Self {
        self.settings.ids = Ids::Off;
        self
    }

    /// This layer judging requests' polls against `threshold` instead of the global threshold.
    pub fn threshold(mut self, threshold: Duration) -> Self {
        self.settings.custom().threshold = Some(threshold);
        self
    }
}

impl<S, N: Clone> Layer<S> for AiocopLayer<N> {
    type Service = AiocopService<S, N>;

    fn layer(&self, inner: S) -> Self::Service {
        AiocopService {
            inner,
            settings: self.settings.clone(),
        }
    }
}

impl<N> fmt::Debug for AiocopLayer<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let custom = self.settings.custom.as_deref();
        f.debug_struct("AiocopLayer")
            .field(
                "sampler",
                &custom.and_then(|custom| custom.sampler.as_ref()),
            )
            .field("request_id", &self.settings.id_header())
            .field("threshold", &self.settings.threshold())
            .finish_non_exhaustive()
    }
}

/// The service [`AiocopLayer`] wraps around `S`.
#[derive(Clone)]
pub struct AiocopService<S, N = MethodAndPath> {
    inner: S,
    settings: Settings<N>,
}

impl<S, N> AiocopService<S, N> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, unwrapped.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, N, B, R> Service<http::Request<B>> for AiocopService<S, N>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    N: RouteName<B>,
{
    type Response = http::Response<R>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    /// Small enough to be inlined where axum calls it, so that the inner service's future is
    /// written straight into the response future: the per-request decisions are made out of line.
    #[inline]
    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let state = self.settings.prepare(&request);
        if state.owns_resources() {
            // Should the inner call panic, `state` is dropped on the way out.
            return ResponseFuture::owning(state, || self.inner.call(request));
        }
        ResponseFuture::new(state, || self.inner.call(request))
    }
}

impl<N> Settings<N> {
    /// What the layer keeps of `request`: whether it is monitored and under which name, its id.
    #[inline]
    fn prepare<B>(&self, request: &http::Request<B>) -> RequestState
    where
        N: RouteName<B>,
    {
        let id = self
            .id_header()
            .map(|header| Id::of_request(request, header));
        // Decided once per request: concurrent requests do not race on a global switch.
        let name = (settings::is_active() && self.sample()).then(|| {
            match self.route_name.route_name(request) {
                Cow::Borrowed(name) => name,
                Cow::Owned(name) => crate::intern::name(&name, OTHER_ROUTE),
            }
        });
        RequestState {
            name,
            at: self.at,
            // What the future reads of a customized layer (a threshold, a header), shared: a
            // layer with its defaults counts no reference.
            custom: self.custom.clone(),
            id,
        }
    }
}

impl<S: fmt::Debug, N> fmt::Debug for AiocopService<S, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AiocopService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}
