//! Monitoring an HTTP service without annotating its handlers: a tower [`Layer`](AiocopLayer)
//! (feature `tower`) that monitors every request's response future, names its events by route,
//! gives each request an id that callbacks see, and monitors a configurable fraction of requests.
//!
//! It works for any tower `Service<http::Request<B>, Response = http::Response<R>>`: axum, tonic,
//! hyper services built with tower, and so on.
//!
//! ```
//! # #[cfg(feature = "axum")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use axum::{Router, routing::get};
//!
//! aiocop::patch_audit_functions();
//! aiocop::start_blocking_io_detection(0)?;
//! aiocop::detect_slow_tasks(30, |event: &aiocop::SlowTaskEvent| {
//!     let request_id = event.context().get_str("request_id").unwrap_or("unknown");
//!     println!("[{request_id}] {} blocked: {}", event.function().name(), event.severity_level());
//! })?;
//!
//! let app: Router = Router::new()
//!     .route("/users/{id}", get(|| async { "user" }))
//!     // `route_layer`: the layer runs after routing, so events are named `GET /users/{id}`.
//!     .route_layer(aiocop::tower::AiocopLayer::new().route_name(aiocop::tower::AxumRoute));
//! # let _ = app;
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "axum"))]
//! # fn main() {}
//! ```
//!
//! # What each request gets
//!
//! - **Monitoring.** Every poll of the request's response future is a monitored poll (as if the
//!   handler were `#[aiocop::monitor]`ed); an `#[aiocop::monitor]` handler inside it tags the
//!   blocking events it causes with its own name. Whether a request is monitored is decided when
//!   it arrives: monitoring active ([`activate`](crate::activate)) and chosen by the layer's
//!   [`Sampler`](crate::setup::Sampler). A request not chosen is polled bare.
//! - **A name.** Events report the route as their [`function`](crate::SlowTaskEvent::function)
//!   name: `GET /users/42` by default ([`MethodAndPath`]); `GET /users/{id}` with `AxumRoute`
//!   (feature `axum`) under axum's `route_layer`; anything with a closure (see [`RouteName`]).
//!   Names are stored once each, for the life of the process, up to 10,000 distinct names; beyond
//!   that, events are named [`OTHER_ROUTE`]. With raw paths holding ids, prefer a route name
//!   without them.
//! - **An id.** The request's `x-request-id` header (1 to 128 visible ASCII characters) is its
//!   id; a request without one gets a random UUID-shaped id the first time one is needed: when
//!   one of its events is built, or code asks [`current_request_id`] (handlers, your own context
//!   providers). The id is echoed in the response's `x-request-id` header, and is in the context
//!   of the request's events under `request_id` (no provider to register; a provider setting that
//!   key wins). A request that came without an id, reported nothing and whose id nothing asked
//!   for is answered without one: making and echoing an id for every request was most of the
//!   layer's cost. Made ids are unique across threads and processes (a per-process random key,
//!   from the operating system, mixed with a counter).

mod future;
mod layer;
pub(crate) mod request_id;
mod route;

pub use future::ResponseFuture;
pub use layer::{AiocopLayer, AiocopService};
pub use request_id::{MAX_REQUEST_ID_LEN, REQUEST_ID_KEY, X_REQUEST_ID, current_request_id};
#[cfg(feature = "axum")]
pub use route::AxumRoute;
pub use route::{MethodAndPath, OTHER_ROUTE, RouteName};
