//! Closed-loop load generator: `CONNS` connections, each sending its next request as soon as the
//! previous answer is in, for `SECS` seconds; prints one JSON line
//! `{"ops":N,"errors":E,"secs":S,"ops_per_s":R}`.
//!
//! ```text
//! realsvc-loadgen redis 127.0.0.1:6379 CONNS SECS   # mini-redis's own client: SET, GET, every
//!                                                   # 10th op also PUBLISH and PING
//! realsvc-loadgen http  http://127.0.0.1:3000/ CONNS SECS [get|post]
//! ```
//! It runs on a current-thread runtime (one core), leaving the rest to the service.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

type Counter = Arc<AtomicU64>;

async fn redis_conn(addr: String, id: usize, until: Instant, ops: Counter, errors: Counter) {
    let mut client = match mini_redis::clients::Client::connect(&addr).await {
        Ok(client) => client,
        Err(_) => {
            errors.fetch_add(1, Ordering::Relaxed);
            return;
        }
    };
    let mut i = 0u64;
    while Instant::now() < until {
        let key = format!("key-{id}-{}", i % 100);
        let ok = client.set(&key, Bytes::from_static(b"value")).await.is_ok()
            && client.get(&key).await.is_ok()
            && (!i.is_multiple_of(10)
                || (client
                    .publish("news", Bytes::from_static(b"m"))
                    .await
                    .is_ok()
                    && client.ping(None).await.is_ok()));
        if ok {
            ops.fetch_add(if i.is_multiple_of(10) { 4 } else { 2 }, Ordering::Relaxed);
        } else {
            errors.fetch_add(1, Ordering::Relaxed);
            return;
        }
        i += 1;
    }
}

async fn http_conn(url: String, post: bool, until: Instant, ops: Counter, errors: Counter) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let uri: hyper::Uri = url.parse().expect("a valid URL");
    while Instant::now() < until {
        let request = hyper::Request::builder()
            .method(if post { "POST" } else { "GET" })
            .uri(uri.clone())
            .body(Empty::new())
            .expect("a valid request");
        let ok = match client.request(request).await {
            Ok(response) => {
                let good = response.status().is_success();
                response.into_body().collect().await.is_ok() && good
            }
            Err(_) => false,
        };
        if ok {
            ops.fetch_add(1, Ordering::Relaxed);
        } else {
            errors.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!(
            "usage: {} redis|http ADDR_OR_URL CONNS SECS [get|post]",
            args[0]
        );
        std::process::exit(2);
    }
    let conns: usize = args[3].parse().expect("CONNS: a number");
    let secs: f64 = args[4].parse().expect("SECS: a number");
    let post = args.get(5).is_some_and(|m| m == "post");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let (ops, errors) = (Counter::default(), Counter::default());
    let start = Instant::now();
    let until = start + Duration::from_secs_f64(secs);
    rt.block_on(async {
        let mut tasks = Vec::new();
        for id in 0..conns {
            let (ops, errors, target) = (ops.clone(), errors.clone(), args[2].clone());
            tasks.push(match args[1].as_str() {
                "redis" => tokio::spawn(redis_conn(target, id, until, ops, errors)),
                _ => tokio::spawn(http_conn(target, post, until, ops, errors)),
            });
        }
        for task in tasks {
            let _ = task.await;
        }
    });
    let elapsed = start.elapsed().as_secs_f64();
    let ops = ops.load(Ordering::Relaxed);
    println!(
        "{{\"ops\":{ops},\"errors\":{},\"secs\":{elapsed:.3},\"ops_per_s\":{:.1}}}",
        errors.load(Ordering::Relaxed),
        ops as f64 / elapsed
    );
}
