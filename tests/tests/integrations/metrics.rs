//! The `metrics` integration against metrics-exporter-prometheus: the exporter serves `/metrics`
//! on a loopback port, and the test scrapes it with a plain HTTP GET.
//!
//! Metrics are process-wide and every monitored poll of the process reaches the callback, so the
//! whole scenario is one test, run in a process of its own (`own_process!`): it knows every event
//! that was recorded.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use aiocop::SlowTaskEvent;
use aiocop::integrations::metrics::{
    HISTOGRAM_BUCKETS, MetricsCallback, SEVERITY_SCORE, SEVERITY_SCORE_BUCKETS, SLOW_TASKS_TOTAL,
    TASK_DURATION_BUCKETS_MS, TASK_DURATION_MS,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};

const THRESHOLD_MS: u64 = 20;

/// Starts the exporter on a free loopback port, on its own thread and runtime.
fn start_exporter() -> SocketAddr {
    let mut last_error = None;
    for _ in 0..5 {
        let addr = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap();
        let mut builder = PrometheusBuilder::new().with_http_listener(addr);
        for (name, buckets) in HISTOGRAM_BUCKETS {
            builder = builder
                .set_buckets_for_metric(Matcher::Full(name.to_owned()), buckets)
                .unwrap();
        }
        // The port was free a moment ago; another process may have taken it since.
        match builder.install() {
            Ok(()) => return addr,
            Err(e) => last_error = Some(e),
        }
    }
    panic!("could not start the exporter: {last_error:?}");
}

/// `GET /metrics` over a plain TCP connection; the body of a 200 response.
fn scrape(addr: SocketAddr) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8(response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, rest) = body.split_once("\r\n").expect("chunk size line");
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
}

/// A series: metric name and labels (sorted), as in the exposition format.
type Series = (String, BTreeMap<String, String>);

/// Parses the text exposition format's samples (comments skipped).
fn parse(text: &str) -> BTreeMap<Series, f64> {
    let mut samples = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (series, value) = line.rsplit_once(' ').unwrap();
        let value: f64 = value.parse().unwrap();
        let (name, labels) = match series.split_once('{') {
            None => (series.to_owned(), BTreeMap::new()),
            Some((name, rest)) => (name.to_owned(), parse_labels(rest.trim_end_matches('}'))),
        };
        samples.insert((name, labels), value);
    }
    samples
}

fn parse_labels(mut text: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    while !text.is_empty() {
        let (key, rest) = text.split_once("=\"").unwrap();
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let end = loop {
            match chars.next().unwrap() {
                (_, '\\') => value.push(chars.next().unwrap().1),
                (i, '"') => break i,
                (_, c) => value.push(c),
            }
        };
        labels.insert(key.to_owned(), value);
        text = rest[end + 1..].trim_start_matches(',');
    }
    labels
}

fn series(name: &str, labels: &[(&str, &str)]) -> Series {
    (
        name.to_owned(),
        labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

fn get(samples: &BTreeMap<Series, f64>, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples.get(&series(name, labels)).copied()
}

/// Checks a histogram's buckets (cumulative, every configured bound plus `+Inf`), sum and count
/// against the observations.
fn assert_histogram(
    samples: &BTreeMap<Series, f64>,
    name: &str,
    labels: &[(&str, &str)],
    bounds: &[f64],
    observations: &[f64],
) {
    let bucket = format!("{name}_bucket");
    for bound in bounds {
        let le = bound.to_string();
        let mut with_le = labels.to_vec();
        with_le.push(("le", &le));
        let expected = observations.iter().filter(|v| **v <= *bound).count() as f64;
        assert_eq!(
            get(samples, &bucket, &with_le),
            Some(expected),
            "{bucket}{labels:?} le={le}, observations {observations:?}"
        );
    }
    let mut inf = labels.to_vec();
    inf.push(("le", "+Inf"));
    assert_eq!(get(samples, &bucket, &inf), Some(observations.len() as f64));
    let buckets_rendered = samples
        .keys()
        .filter(|(n, l)| {
            n == &bucket
                && l.len() == labels.len() + 1
                && labels
                    .iter()
                    .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
        })
        .count();
    assert_eq!(
        buckets_rendered,
        bounds.len() + 1,
        "exactly the configured bounds and +Inf"
    );
    assert_eq!(
        get(samples, &format!("{name}_count"), labels),
        Some(observations.len() as f64)
    );
    let sum = get(samples, &format!("{name}_sum"), labels).unwrap();
    let expected_sum: f64 = observations.iter().sum();
    assert!(
        (sum - expected_sum).abs() < 1e-6,
        "{name}_sum {sum} != {expected_sum}"
    );
}

fn busy_wait(duration: Duration) {
    let start = Instant::now();
    while start.elapsed() < duration {
        std::hint::spin_loop();
    }
}

/// Runs the scenario's monitored tasks and returns every event they produced.
async fn blocking_workload(dir: &std::path::Path) -> Vec<SlowTaskEvent> {
    let path = dir.join("data.bin");
    std::fs::write(&path, vec![7u8; 4096]).unwrap();
    let mut events = Vec::new();
    for _ in 0..2 {
        let ((), mut e) =
            aiocop::events::collect_events(aiocop::monitored!("metrics_high_handler", async {
                aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"40ms"]);
                std::thread::sleep(Duration::from_millis(40));
            }))
            .await;
        events.append(&mut e);
    }
    let (len, mut e) =
        aiocop::events::collect_events(aiocop::monitored!("metrics_medium_handler", async {
            aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[&path.display()]);
            let data = std::fs::read(&path).unwrap();
            // Unrecorded blocking on top, so the poll exceeds the threshold.
            std::thread::sleep(Duration::from_millis(30));
            data.len()
        }))
        .await;
    assert_eq!(len, 4096);
    events.append(&mut e);
    let (len, mut e) =
        aiocop::events::collect_events(aiocop::monitored!("metrics_quick_handler", async {
            aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[&path.display()]);
            std::fs::read(&path).unwrap().len()
        }))
        .await;
    assert_eq!(len, 4096);
    events.append(&mut e);
    let ((), mut e) =
        aiocop::events::collect_events(aiocop::monitored!("metrics_cpu_handler", async {
            busy_wait(Duration::from_millis(30));
        }))
        .await;
    events.append(&mut e);
    events
}

#[test]
fn prometheus_endpoint_serves_the_guides_metrics() {
    aiocop_tests::own_process!("prometheus_endpoint_serves_the_guides_metrics");
    let addr = start_exporter();
    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(0).unwrap();
    aiocop::detect_slow_tasks(THRESHOLD_MS, aiocop::no_callback).unwrap();
    MetricsCallback::new().register();
    aiocop::activate();

    let dir = std::env::temp_dir().join(format!("aiocop-metrics-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let events = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let dir = dir.clone();
            tokio::spawn(async move { blocking_workload(&dir).await })
                .await
                .unwrap()
        });
    std::fs::remove_dir_all(&dir).unwrap();

    // What the workload was built to produce (the quick read stays under the threshold).
    let by_function = |name: &str| -> Vec<&SlowTaskEvent> {
        events
            .iter()
            .filter(|e| e.function().name() == name)
            .collect()
    };
    assert_eq!(events.len(), 5);
    assert_eq!(by_function("metrics_high_handler").len(), 2);
    assert!(
        events
            .iter()
            .all(|e| e.exceeded_threshold() != (e.function().name() == "metrics_quick_handler"))
    );

    let text = scrape(addr);
    let samples = parse(&text);

    // Help texts and types, from describe_metrics() and the bucket configuration.
    assert!(
        text.contains("# HELP aiocop_slow_tasks_total Total number of slow tasks detected"),
        "{text}"
    );
    assert!(
        text.contains("# TYPE aiocop_task_duration_milliseconds histogram"),
        "{text}"
    );
    assert!(
        text.contains("# TYPE aiocop_severity_score histogram"),
        "{text}"
    );

    // Counter: slow tasks only, by severity_level and reason.
    let counter = |level: &str, reason: &str| {
        get(
            &samples,
            SLOW_TASKS_TOTAL,
            &[("severity_level", level), ("reason", reason)],
        )
    };
    assert_eq!(counter("high", "io_blocking"), Some(2.0), "{text}");
    assert_eq!(counter("medium", "io_blocking"), Some(1.0), "{text}");
    assert_eq!(counter("low", "cpu_blocking"), Some(1.0), "{text}");
    let counter_series = samples
        .keys()
        .filter(|(n, _)| n == SLOW_TASKS_TOTAL)
        .count();
    assert_eq!(counter_series, 3, "the quick read is not counted: {text}");

    // Duration histogram: every event, by exceeded_threshold, on the guide's buckets.
    let elapsed = |exceeded: bool| -> Vec<f64> {
        events
            .iter()
            .filter(|e| e.exceeded_threshold() == exceeded)
            .map(SlowTaskEvent::elapsed_ms)
            .collect()
    };
    assert_eq!(elapsed(true).len(), 4);
    assert!(elapsed(true).iter().all(|ms| *ms >= THRESHOLD_MS as f64));
    assert_eq!(
        TASK_DURATION_BUCKETS_MS,
        [10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0]
    );
    assert_histogram(
        &samples,
        TASK_DURATION_MS,
        &[("exceeded_threshold", "true")],
        TASK_DURATION_BUCKETS_MS,
        &elapsed(true),
    );
    assert_histogram(
        &samples,
        TASK_DURATION_MS,
        &[("exceeded_threshold", "false")],
        TASK_DURATION_BUCKETS_MS,
        &elapsed(false),
    );

    // Severity score histogram: non-zero scores only (not the CPU-bound task), no labels.
    assert_eq!(
        SEVERITY_SCORE_BUCKETS,
        [1.0, 10.0, 25.0, 50.0, 100.0, 200.0]
    );
    assert_histogram(
        &samples,
        SEVERITY_SCORE,
        &[],
        SEVERITY_SCORE_BUCKETS,
        &[50.0, 50.0, 10.0, 10.0],
    );

    // The optional `function` label: a separate set of series.
    let high = by_function("metrics_high_handler")[0];
    MetricsCallback::new().function_label(true).record(high);
    let samples = parse(&scrape(addr));
    let function = ("function", "integrations::metrics::metrics_high_handler");
    assert_eq!(
        get(
            &samples,
            SLOW_TASKS_TOTAL,
            &[
                ("severity_level", "high"),
                ("reason", "io_blocking"),
                function
            ]
        ),
        Some(1.0)
    );
    assert_eq!(
        get(&samples, &format!("{SEVERITY_SCORE}_count"), &[function]),
        Some(1.0)
    );
    assert_eq!(
        get(
            &samples,
            &format!("{TASK_DURATION_MS}_count"),
            &[("exceeded_threshold", "true"), function]
        ),
        Some(1.0)
    );
    // The unlabelled series are unchanged.
    assert_eq!(
        get(
            &samples,
            SLOW_TASKS_TOTAL,
            &[("severity_level", "high"), ("reason", "io_blocking")]
        ),
        Some(2.0)
    );
}
