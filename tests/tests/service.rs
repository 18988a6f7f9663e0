//! The tower layer in a real axum server on loopback, driven by a real HTTP client: events are
//! named by route, carry the request id (sent or generated, echoed in the response), name the
//! blocking operation and its severity, and clean requests produce none. Sampling decides per
//! request, with a seeded sampler reproducibly.
//!
//! Every test sends its own request ids and looks only at the events carrying them, so the tests
//! of this binary can run in parallel.

mod event_log;

#[global_allocator]
static ALLOCATOR: aiocop_tests::CountingAllocator = aiocop_tests::CountingAllocator;

use std::net::SocketAddr;
use std::time::Duration;

use aiocop::tower::{AiocopLayer, AxumRoute, X_REQUEST_ID};
use aiocop::{Reason, SeverityLevel, SlowTaskEvent, setup::Sampler};
use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// No poll of these tests reaches it by accident: only polls that record blocking calls, or the
/// `/cpu` route with its own threshold, produce events.
const QUIET_THRESHOLD_MS: u64 = 60_000;

/// Callbacks run inline, on the polling thread before the response is sent: once a client has
/// its response, the request's events are in the log.
fn setup() {
    aiocop_tests::setup_at(QUIET_THRESHOLD_MS, event_log::record_every_event);
}

/// The events of the request with this id.
fn events_of(request_id: &str) -> Vec<SlowTaskEvent> {
    event_log::events_matching(|e| e.context().get_str("request_id") == Some(request_id))
}

// --- the application ---------------------------------------------------------------------------

/// Does nothing blocking.
async fn clean() -> &'static str {
    tokio::time::sleep(Duration::from_millis(1)).await;
    "clean"
}

/// Blocks its worker through aiocop's audited shims (what `#[aiocop::monitor]` routes std calls
/// through), the way a handler without the attribute can opt in.
async fn blocking() -> String {
    let hosts = aiocop::shim::fs::read_to_string(A_FILE).unwrap_or_default();
    aiocop::shim::thread::sleep(Duration::from_millis(2));
    tokio::time::sleep(Duration::from_millis(1)).await;
    format!("read {} bytes", hosts.len())
}

/// A handler with the attribute: its std calls are recorded as written.
#[aiocop::monitor]
async fn greet(Path(name): Path<String>) -> String {
    let bytes = std::fs::read(A_FILE).map(|b| b.len()).unwrap_or(0);
    format!("hello {name} ({bytes})")
}

/// CPU work and no blocking call: only its duration gives it away.
async fn cpu() -> &'static str {
    let start = std::time::Instant::now();
    let mut x = 0u64;
    while start.elapsed() < Duration::from_millis(250) {
        x = std::hint::black_box(x.wrapping_add(1));
    }
    "done"
}

fn app() -> Router {
    let routes = Router::new()
        .route("/clean", get(clean))
        .route("/blocking", get(blocking))
        .route("/greet/{name}", get(greet))
        .route_layer(AiocopLayer::new().route_name(AxumRoute));
    let cpu = Router::new().route("/cpu", get(cpu)).route_layer(
        AiocopLayer::new()
            .route_name(AxumRoute)
            .threshold(Duration::from_millis(100)),
    );
    let unsampled = Router::new()
        .route("/unsampled", get(blocking))
        .route_layer(
            AiocopLayer::new()
                .route_name(AxumRoute)
                .sampler(Sampler::never()),
        );
    let sampled = Router::new().route("/sampled", get(blocking)).route_layer(
        AiocopLayer::new()
            .route_name(AxumRoute)
            .sampler(Sampler::seeded(0.3, SAMPLER_SEED).expect("rate")),
    );
    routes.merge(cpu).merge(unsampled).merge(sampled)
}

const SAMPLER_SEED: u64 = 7;

/// A file that exists wherever the tests run.
const A_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");

// --- a server and a client ---------------------------------------------------------------------

struct Server {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(app: Router) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop.await;
                })
                .await
        });
        Server {
            addr,
            shutdown: Some(shutdown),
            task,
        }
    }

    async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        self.task.await.expect("server task").expect("server");
    }
}

type HttpClient = Client<HttpConnector, Empty<Bytes>>;

fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

struct Reply {
    status: StatusCode,
    request_id: Option<String>,
    body: String,
}

async fn get_path(client: &HttpClient, addr: SocketAddr, path: &str, id: Option<&str>) -> Reply {
    let mut request = Request::get(format!("http://{addr}{path}"));
    if let Some(id) = id {
        request = request.header(X_REQUEST_ID, id);
    }
    let response = client
        .request(request.body(Empty::new()).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let request_id = response
        .headers()
        .get(X_REQUEST_ID)
        .map(|v| v.to_str().expect("ascii id").to_owned());
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Reply {
        status,
        request_id,
        body: String::from_utf8(body.to_vec()).expect("utf-8 body"),
    }
}

// --- the tests ---------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_route_reports_route_request_id_operations_and_severity() {
    setup();
    let server = Server::start(app()).await;
    let client = client();

    let reply = get_path(&client, server.addr, "/blocking", Some("svc-blocking-1")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.starts_with("read "), "{}", reply.body);
    assert_eq!(reply.request_id.as_deref(), Some("svc-blocking-1"));

    let events = events_of("svc-blocking-1");
    assert_eq!(events.len(), 1, "one blocked poll, one event: {events:#?}");
    let event = &events[0];
    assert_eq!(event.function().name(), "GET /blocking");
    assert_eq!(event.reason(), Reason::IoBlocking);
    let operations: Vec<&str> = event
        .blocking_events()
        .iter()
        .map(|e| e.operation())
        .collect();
    assert_eq!(
        operations,
        ["std::fs::read_to_string", "std::thread::sleep"]
    );
    assert_eq!(
        event.blocking_events()[0].event(),
        format!("std::fs::read_to_string({A_FILE})")
    );
    assert_eq!(event.severity_score(), 60);
    assert_eq!(event.severity_level(), SeverityLevel::High);
    assert!(!event.exceeded_threshold());

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_route_produces_no_event_and_still_gets_its_id_echoed() {
    setup();
    let server = Server::start(app()).await;
    let client = client();

    for i in 0..20 {
        let id = format!("svc-clean-{i}");
        let reply = get_path(&client, server.addr, "/clean", Some(&id)).await;
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (StatusCode::OK, "clean")
        );
        assert_eq!(reply.request_id.as_deref(), Some(id.as_str()));
    }
    // The same server reports a blocking request: the silence above is not a dead pipeline.
    get_path(&client, server.addr, "/blocking", Some("svc-clean-control")).await;
    assert_eq!(events_of("svc-clean-control").len(), 1);
    for i in 0..20 {
        let events = events_of(&format!("svc-clean-{i}"));
        assert!(events.is_empty(), "{events:#?}");
    }

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_an_id_gets_a_generated_one_in_response_and_events() {
    setup();
    let server = Server::start(app()).await;
    let client = client();

    let first = get_path(&client, server.addr, "/blocking", None).await;
    let second = get_path(
        &client,
        server.addr,
        "/blocking",
        Some("bad id with spaces"),
    )
    .await;
    let ids: Vec<String> = [first, second]
        .into_iter()
        .map(|reply| reply.request_id.expect("an id is always echoed"))
        .collect();
    assert_ne!(ids[0], ids[1]);
    for id in &ids {
        assert_eq!(id.len(), 36, "a UUID-shaped id: {id}");
        let events = events_of(id);
        assert_eq!(events.len(), 1, "{id}: {events:#?}");
        assert_eq!(events[0].function().name(), "GET /blocking");
    }

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monitored_handler_is_named_by_its_route_and_tags_its_own_calls() {
    setup();
    let server = Server::start(app()).await;
    let client = client();

    let reply = get_path(&client, server.addr, "/greet/ada", Some("svc-greet-1")).await;
    assert!(reply.body.starts_with("hello ada"), "{}", reply.body);
    let events = events_of("svc-greet-1");
    assert_eq!(events.len(), 1, "{events:#?}");
    // The route (with its parameter, not the raw path) names the event; the attribute's function
    // is where the call was made.
    assert_eq!(events[0].function().name(), "GET /greet/{name}");
    let call = &events[0].blocking_events()[0];
    assert_eq!(call.operation(), "std::fs::read");
    assert_eq!(call.function().name(), "greet");
    assert_eq!(events[0].severity_level(), SeverityLevel::Medium);

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_poll_without_blocking_calls_is_cpu_blocking_against_the_layer_threshold() {
    setup();
    let server = Server::start(app()).await;
    let client = client();

    get_path(&client, server.addr, "/cpu", Some("svc-cpu-1")).await;
    let events = events_of("svc-cpu-1");
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].function().name(), "GET /cpu");
    assert_eq!(events[0].reason(), Reason::CpuBlocking);
    assert_eq!(events[0].threshold(), Duration::from_millis(100));
    assert!(events[0].exceeded_threshold());
    assert_eq!(events[0].severity_level(), SeverityLevel::Low);

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_each_report_their_own_events() {
    setup();
    let server = Server::start(app()).await;
    let client = client();

    let requests = (0..40).map(|i| {
        let client = client.clone();
        let path = if i % 2 == 0 { "/blocking" } else { "/clean" };
        async move {
            let id = format!("svc-concurrent-{i}");
            let reply = get_path(&client, server.addr, path, Some(&id)).await;
            assert_eq!(reply.request_id.as_deref(), Some(id.as_str()));
        }
    });
    let tasks: Vec<_> = requests.map(tokio::spawn).collect();
    for task in tasks {
        task.await.expect("request task");
    }
    for i in 0..40 {
        let events = events_of(&format!("svc-concurrent-{i}"));
        if i % 2 == 0 {
            assert_eq!(events.len(), 1, "request {i}: {events:#?}");
            assert_eq!(events[0].function().name(), "GET /blocking");
            assert_eq!(events[0].blocking_events().len(), 2);
        } else {
            assert_eq!(events.len(), 0, "request {i}: {events:#?}");
        }
    }

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_the_sampler_leaves_out_are_not_monitored() {
    setup();
    let server = Server::start(app()).await;
    let client = client();

    for i in 0..10 {
        let id = format!("svc-unsampled-{i}");
        let reply = get_path(&client, server.addr, "/unsampled", Some(&id)).await;
        assert_eq!(reply.request_id.as_deref(), Some(id.as_str()));
        let events = events_of(&id);
        assert!(events.is_empty(), "{events:#?}");
    }

    // One request after another: the layer decides in arrival order, the same decisions as a
    // sampler with the same seed.
    let expected = Sampler::seeded(0.3, SAMPLER_SEED).expect("rate");
    let mut monitored = 0;
    for i in 0..200 {
        let id = format!("svc-sampled-{i}");
        get_path(&client, server.addr, "/sampled", Some(&id)).await;
        let chosen = expected.sample();
        assert_eq!(events_of(&id).len(), usize::from(chosen), "request {i}");
        monitored += usize::from(chosen);
    }
    assert!(
        (40..=80).contains(&monitored),
        "{monitored} of 200 at rate 0.3"
    );

    server.stop().await;
}

/// The guide's "wrap every view in tests" pattern: the whole app called in-process, under strict
/// mode, one request at a time. The layer monitors every handler; strict mode follows the call.
#[tokio::test]
async fn strict_mode_over_the_whole_app_fails_blocking_routes_only() {
    use tower::ServiceExt;
    setup();
    let request = |path: &str| {
        Request::get(path)
            .header(
                X_REQUEST_ID,
                format!("svc-strict{}", path.replace('/', "-")),
            )
            .body(axum::body::Body::empty())
            .expect("request")
    };

    let response = aiocop::raise_on_violations(app().oneshot(request("/clean")))
        .await
        .expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);

    let failure = tokio::spawn(aiocop::raise_on_violations(
        app().oneshot(request("/blocking")),
    ))
    .await
    .expect_err("a blocking route panics under strict mode");
    let report = aiocop::HighSeverityBlockingIo::from_panic(&*failure.into_panic())
        .expect("an aiocop report");
    assert_eq!(report.function().name(), "GET /blocking");
    assert_eq!(
        report.event().context().get_str("request_id"),
        Some("svc-strict-blocking")
    );
}

/// The layer on a plain tower service (no axum): default names (method and path), another
/// request-id header, ids turned off, and the sampler, through `collect_events`.
#[tokio::test]
async fn the_layer_wraps_any_tower_http_service() {
    use std::convert::Infallible;
    use tower::{Layer, ServiceExt, service_fn};
    setup();
    let service = service_fn(|request: Request<String>| async move {
        if request.uri().path() == "/slow" {
            aiocop::shim::thread::sleep(Duration::from_millis(1));
        }
        // Handlers can read the id too.
        let id = aiocop::tower::current_request_id().unwrap_or_default();
        Ok::<_, Infallible>(axum::http::Response::new(format!(
            "{} {id}",
            request.body()
        )))
    });
    let correlation = axum::http::HeaderName::from_static("x-correlation-id");
    let layered = AiocopLayer::new()
        .request_id_header(correlation.clone())
        .layer(service);
    let request = |path: &str, id: &str| {
        Request::post(path)
            .header(&correlation, id)
            .body("payload".to_owned())
            .expect("request")
    };

    let (response, events) =
        aiocop::events::collect_events(layered.clone().oneshot(request("/slow?x=1", "corr-1")))
            .await;
    let response = response.expect("infallible");
    assert_eq!(response.headers()[&correlation], "corr-1");
    assert!(response.headers().get(X_REQUEST_ID).is_none());
    assert_eq!(response.body(), "payload corr-1");
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].function().name(), "POST /slow");
    assert_eq!(events[0].function().file(), file!());
    assert_eq!(events[0].context().get_str("request_id"), Some("corr-1"));

    let (response, events) =
        aiocop::events::collect_events(layered.clone().oneshot(request("/fast", "corr-2"))).await;
    assert_eq!(
        response.expect("infallible").headers()[&correlation],
        "corr-2"
    );
    assert!(events.is_empty(), "{events:#?}");

    // Without ids: no header, no context entry, still monitored.
    let without_ids =
        AiocopLayer::new()
            .without_request_id()
            .layer(service_fn(|_: Request<String>| async {
                aiocop::shim::thread::sleep(Duration::from_millis(1));
                Ok::<_, Infallible>(axum::http::Response::new(String::new()))
            }));
    let (response, events) =
        aiocop::events::collect_events(without_ids.oneshot(request("/slow", "corr-3"))).await;
    let response = response.expect("infallible");
    assert!(response.headers().get(&correlation).is_none());
    assert_eq!(events.len(), 1);
    assert!(!events[0].context().contains_key("request_id"));
}

/// A request without an id whose poll blocks and then panics, under strict mode: the layer leaves
/// the poll's scope from a guard's drop, which must know the poll is unwinding: the blocking is
/// reported, not raised (a second panic while unwinding would abort the process), and the
/// handler's own panic is the one that reaches the runtime.
#[tokio::test]
async fn a_poll_that_panics_under_strict_mode_reports_its_blocking_and_keeps_its_own_panic() {
    use std::convert::Infallible;
    use tower::{Layer, ServiceExt, service_fn};
    setup();
    let service = AiocopLayer::new().without_request_id().layer(service_fn(
        |request: Request<String>| async move {
            let _ = aiocop::shim::fs::read_to_string(A_FILE);
            aiocop::shim::thread::sleep(Duration::from_millis(2));
            if request.uri().path() == "/svc-panics-in-poll" {
                panic!("the handler's own panic");
            }
            Ok::<_, Infallible>(axum::http::Response::new(String::new()))
        },
    ));
    let request = Request::get("/svc-panics-in-poll")
        .body(String::new())
        .expect("request");
    let failure = tokio::spawn(aiocop::raise_on_violations(service.oneshot(request)))
        .await
        .expect_err("the handler panics");
    let payload = failure.into_panic();
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"the handler's own panic")
    );
    let events = event_log::events_matching(|e| e.function().name() == "GET /svc-panics-in-poll");
    assert_eq!(events.len(), 1, "{events:#?}");
    assert!(!events[0].blocking_events().is_empty(), "{events:#?}");
}

/// An inner service whose `call` panics (not its future: axum's routes never do, tower services
/// may): the layer must neither drop nor free the request's state twice when the inner call
/// unwinds, nor keep it (a service behind a panic-catching layer would grow with every such
/// request). Each request carries an
/// id held on the heap and the layer a customized setting (shared behind a reference count): a
/// double drop would free either twice, which the allocator detects (the process aborts).
#[test]
fn an_inner_call_that_panics_frees_everything_once() {
    use std::convert::Infallible;
    use std::future::Ready;
    use std::task::{Context, Poll};
    use tower::{Layer, Service, ServiceExt};

    #[derive(Clone)]
    struct PanicsInCall;
    impl Service<Request<String>> for PanicsInCall {
        type Response = axum::http::Response<String>;
        type Error = Infallible;
        type Future = Ready<Result<Self::Response, Infallible>>;
        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }
        fn call(&mut self, request: Request<String>) -> Self::Future {
            if request.uri().path() == "/panic" {
                // Unwinds without the panic hook: nothing printed, so the test harness keeps no
                // message whose buffer would grow between the counts below.
                std::panic::resume_unwind(Box::new("the inner service's call panics"));
            }
            std::future::ready(Ok(axum::http::Response::new(request.into_body())))
        }
    }

    setup();
    let layer = AiocopLayer::new().threshold(Duration::from_millis(QUIET_THRESHOLD_MS));
    let mut service = layer.clone().layer(PanicsInCall);
    let request = |path: &str, i: usize| {
        // Made from a string: the value is on the heap, not a static.
        let id = axum::http::HeaderValue::from_str(&format!("svc-panics-{i}")).expect("id");
        Request::get(path)
            .header(X_REQUEST_ID, id)
            .body(format!("body {i}"))
            .expect("request")
    };
    // The same calls to the bare inner service measure what unwinding itself keeps; the layer may
    // add nothing to it.
    let kept = |service: &mut dyn FnMut(Request<String>), from: usize| {
        let before = aiocop_tests::live_bytes();
        for i in from..from + 1000 {
            let request = request("/panic", i);
            let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                service(request);
            }));
            assert!(unwound.is_err(), "the inner call panicked");
        }
        aiocop_tests::live_bytes() - before
    };
    let mut bare = PanicsInCall;
    // A first round fills whatever caches the panics use.
    kept(&mut |r| drop(service.call(r)), 0);
    let by_bare = kept(&mut |r| drop(bare.call(r)), 1000);
    let by_layer = kept(&mut |r| drop(service.call(r)), 2000);
    assert!(
        by_layer - by_bare < 4096,
        "1000 panicking calls through the layer kept {by_layer} bytes, {by_bare} without it"
    );
    // The layer and its services still work, and free what they hold once.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let response = runtime
        .block_on(service.clone().oneshot(request("/ok", 3000)))
        .expect("infallible");
    assert_eq!(response.headers()[X_REQUEST_ID], "svc-panics-3000");
    assert_eq!(response.body(), "body 3000");
    drop((service, layer, response));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_is_made_only_when_asked_for_and_then_echoed() {
    setup();
    let asks = Router::new()
        .route(
            "/asks",
            get(|| async { aiocop::tower::current_request_id().unwrap() }),
        )
        .route_layer(AiocopLayer::new().route_name(AxumRoute));
    let server = Server::start(app().merge(asks)).await;
    let client = client();

    // A clean request that came without an id, and whose id nothing asked for: none made.
    let quiet = get_path(&client, server.addr, "/clean", None).await;
    assert_eq!(quiet.status, StatusCode::OK);
    assert_eq!(quiet.request_id, None);
    // The handler asks: an id is made, and the response echoes that same id.
    let asked = get_path(&client, server.addr, "/asks", None).await;
    assert_eq!(asked.request_id.as_deref(), Some(asked.body.as_str()));
    assert_eq!(asked.body.len(), 36, "{}", asked.body);
    // An incoming id is what the handler sees and what is echoed, made or not.
    let given = get_path(&client, server.addr, "/asks", Some("svc-given-1")).await;
    assert_eq!(
        (given.body.as_str(), given.request_id.as_deref()),
        ("svc-given-1", Some("svc-given-1"))
    );

    server.stop().await;
}

/// axum routes named by route and method, on a current-thread runtime (one thread: every request
/// meets the names cached by the ones before it), more routes than the per-thread cache holds, in
/// an order that revisits each; settings made before `route_name` (a header, a threshold) kept.
#[tokio::test]
async fn axum_routes_are_named_by_route_and_method_whichever_came_before() {
    use axum::routing::post;
    use tower::ServiceExt;
    setup();
    let correlation = axum::http::HeaderName::from_static("x-correlation-id");
    let mut router = Router::new();
    for route in [
        "/r0/{x}", "/r1/{x}", "/r2/{x}", "/r3/{x}", "/r4/{x}", "/r5/{x}",
    ] {
        router = router.route(
            route,
            get(|| async {
                aiocop::shim::thread::sleep(Duration::from_millis(1));
                "got"
            })
            .merge(post(|| async {
                aiocop::shim::thread::sleep(Duration::from_millis(1));
                "posted"
            })),
        );
    }
    let router = router.route_layer(
        AiocopLayer::new()
            .request_id_header(correlation.clone())
            .threshold(Duration::from_millis(QUIET_THRESHOLD_MS))
            .route_name(AxumRoute),
    );
    // Routes and methods in turn (a route met again after others, the list of recent routes
    // overflowing), then one route with the same method several times in a row (named as the
    // last route named), then methods in turn on one route.
    let get = || axum::http::Method::GET;
    let post = || axum::http::Method::POST;
    let mut requests = Vec::new();
    for round in 0..3 {
        for i in [0, 3, 1, 4, 2, 5, 0, 5] {
            requests.push((round, i, get()));
            requests.push((round, i, post()));
        }
    }
    for method in [get(), get(), get(), post(), post(), get(), post()] {
        requests.push((3, 2, method));
    }
    requests.push((3, 4, get()));
    requests.push((3, 2, get()));
    for (round, i, method) in requests {
        {
            {
                let id = format!("svc-names-{round}-{i}-{method}");
                let request = Request::builder()
                    .method(method.clone())
                    .uri(format!("/r{i}/{round}"))
                    .header(&correlation, &id)
                    .body(String::new())
                    .expect("request");
                let (response, events) =
                    aiocop::events::collect_events(router.clone().oneshot(request)).await;
                let response = response.expect("infallible");
                assert_eq!(response.status(), StatusCode::OK);
                assert_eq!(response.headers()[&correlation], id.as_str());
                assert_eq!(events.len(), 1, "{id}: {events:#?}");
                assert_eq!(
                    events[0].function().name(),
                    format!("{method} /r{i}/{{x}}"),
                    "{id}"
                );
                assert_eq!(events[0].context().get_str("request_id"), Some(&*id));
            }
        }
    }
}

/// Ids made in one process, by several threads at once: what the layer echoed for requests whose
/// handler asked for their id, one per line.
fn make_ids_in_this_process() {
    use tower::{Layer, ServiceExt};

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .build()
        .unwrap();
    let service = AiocopLayer::new().layer(tower::service_fn(|_: Request<()>| async {
        let id = aiocop::tower::current_request_id().expect("inside the layer's poll");
        Ok::<_, std::convert::Infallible>(axum::http::Response::new(id))
    }));
    let ids = runtime.block_on(async {
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let service = service.clone();
                tokio::spawn(async move {
                    let mut ids = Vec::new();
                    for _ in 0..2_000 {
                        let response = service.clone().oneshot(Request::new(())).await.unwrap();
                        let echoed = response.headers()[X_REQUEST_ID]
                            .to_str()
                            .unwrap()
                            .to_owned();
                        assert_eq!(
                            &echoed,
                            response.body(),
                            "the echoed id is the one asked for"
                        );
                        ids.push(echoed);
                    }
                    ids
                })
            })
            .collect();
        let mut ids = Vec::new();
        for task in tasks {
            ids.extend(task.await.unwrap());
        }
        ids
    });
    // On lines of their own: libtest has written "test <name> ... " without a newline.
    println!("\n{}", ids.join("\n"));
}

#[test]
fn made_ids_are_unique_across_threads_and_processes() {
    const TEST: &str = "made_ids_are_unique_across_threads_and_processes";
    let timeout = Duration::from_secs(120);
    let Some(first) = aiocop_tests::in_fresh_process(TEST, &[], timeout, make_ids_in_this_process)
    else {
        return; // the child: it printed its ids
    };
    let second = aiocop_tests::in_fresh_process(TEST, &[], timeout, make_ids_in_this_process)
        .expect("the parent gets the child's output");
    let mut all = std::collections::HashSet::new();
    for output in [first, second] {
        aiocop_tests::assert_succeeded(TEST, &output);
        let stdout = String::from_utf8(output.stdout).unwrap();
        let ids: Vec<&str> = stdout
            .lines()
            .filter(|line| {
                line.len() == 36 && line.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit())
            })
            .collect();
        assert_eq!(ids.len(), 16_000, "every request's id, from each process");
        for id in ids {
            assert!(id.len() <= aiocop::tower::MAX_REQUEST_ID_LEN);
            assert!(all.insert(id.to_owned()), "{id} made twice");
        }
    }
    assert_eq!(all.len(), 32_000);
}
