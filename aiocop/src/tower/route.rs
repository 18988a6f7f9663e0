//! How the layer names a request's events.

use std::borrow::Cow;

/// Names a request's events: the name its [`SlowTaskEvent`](crate::SlowTaskEvent)s report as
/// their function.
///
/// Implemented by [`MethodAndPath`] (the default), [`AxumRoute`](crate::tower::AxumRoute) (feature
/// `axum`) and closures from `&http::Request<B>` to a `String`, `&'static str` or
/// `Cow<'static, str>`:
///
/// ```
/// let layer = aiocop::tower::AiocopLayer::new().route_name(|request: &http::Request<String>| {
///     // One name per API version, whatever the rest of the path.
///     match request.uri().path().split('/').nth(1) {
///         Some("v1") => "api v1",
///         _ => "api",
///     }
/// });
/// # let _ = layer;
/// ```
pub trait RouteName<B> {
    /// The name of `request`'s events.
    fn route_name(&self, request: &http::Request<B>) -> Cow<'static, str>;
}

impl<B, F, N> RouteName<B> for F
where
    F: Fn(&http::Request<B>) -> N,
    N: Into<Cow<'static, str>>,
{
    fn route_name(&self, request: &http::Request<B>) -> Cow<'static, str> {
        self(request).into()
    }
}

/// The name events take once 10,000 distinct route names are stored.
pub const OTHER_ROUTE: &str = "<other route>";

/// Names requests `METHOD /path` from the request line (`GET /users/42`), without the query.
#[derive(Debug, Clone, Copy, Default)]
pub struct MethodAndPath;

impl<B> RouteName<B> for MethodAndPath {
    fn route_name(&self, request: &http::Request<B>) -> Cow<'static, str> {
        Cow::Owned(format!("{} {}", request.method(), request.uri().path()))
    }
}

/// Names requests `METHOD /route` from axum's matched route (`GET /users/{id}`), which the
/// router records once it has routed the request: install the layer with `Router::route_layer`
/// (with `Router::layer` it runs before routing, and this falls back to [`MethodAndPath`]).
#[cfg(feature = "axum")]
#[derive(Debug, Clone, Copy, Default)]
pub struct AxumRoute;

#[cfg(feature = "axum")]
impl<B> RouteName<B> for AxumRoute {
    fn route_name(&self, request: &http::Request<B>) -> Cow<'static, str> {
        match request.extensions().get::<axum::extract::MatchedPath>() {
            Some(route) => Cow::Owned(format!("{} {}", request.method(), route.as_str())),
            None => MethodAndPath.route_name(request),
        }
    }
}
