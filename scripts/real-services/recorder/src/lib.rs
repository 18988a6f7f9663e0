//! The harness's side of the set-up (not the service's): an aiocop callback writing every
//! `SlowTaskEvent` as one JSON line to the file named by `AIOCOP_EVENTS` (default
//! `aiocop-events.jsonl`), flushed per event so a killed service loses none.

use std::fmt::Write as _;
use std::fs::File;
use std::io::Write as _;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use aiocop::SlowTaskEvent;

/// A callback for `aiocop::detect_slow_tasks` that appends each event to the JSON-lines file.
///
/// # Panics
/// If the file cannot be created (the harness wants to know at start, not lose events).
pub fn jsonl_callback(service: &'static str) -> impl Fn(&SlowTaskEvent) + Send + Sync + 'static {
    // Said once at start, so a run's log shows whether C library calls are caught.
    eprintln!("aiocop: interception {}", aiocop::intercept::status());
    let path = std::env::var("AIOCOP_EVENTS").unwrap_or_else(|_| "aiocop-events.jsonl".into());
    let file = Mutex::new(
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("cannot open {path}: {e}")),
    );
    move |event: &SlowTaskEvent| {
        let line = to_json(service, event);
        let mut file: std::sync::MutexGuard<'_, File> = file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = writeln!(file, "{line}");
        let _ = file.flush();
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One event as a JSON object (hand-written: no serde in the harness).
pub fn to_json(service: &str, event: &SlowTaskEvent) -> String {
    let ts = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let function = event.function();
    let mut s = format!(
        "{{\"ts\":{ts:.3},\"service\":{},\"function\":{},\"function_at\":{},\"reason\":{},\
         \"elapsed_ms\":{:.3},\"threshold_ms\":{:.1},\"severity\":{},\"severity_level\":{},\
         \"dropped_events\":{}",
        esc(service),
        esc(function.name()),
        esc(&format!("{}:{}", function.file(), function.line())),
        esc(&event.reason().to_string()),
        event.elapsed_ms(),
        event.threshold_ms(),
        event.severity_score(),
        esc(&event.severity_level().to_string()),
        event.dropped_events(),
    );
    s.push_str(",\"context\":{");
    for (i, (k, v)) in event.context().iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{}:{}", esc(k), esc(&v.to_string()));
    }
    s.push_str("},\"blocking\":[");
    for (i, call) in event.blocking_events().iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let loc = call.location();
        let _ = write!(
            s,
            "{{\"event\":{},\"operation\":{},\"entry_point\":{},\"calling_crate\":{},\
             \"intercepted\":{},\"call_site\":{},\"function\":{},\"trace\":{}}}",
            esc(call.event()),
            esc(call.operation()),
            esc(call.entry_point()),
            call.calling_crate().map_or("null".into(), esc),
            call.is_intercepted(),
            esc(&format!("{}:{}", loc.file(), loc.line())),
            esc(call.function().name()),
            esc(&call.trace().to_string()),
        );
    }
    s.push_str("],\"cpu_samples\":[");
    for (i, sample) in event.cpu_stack_samples().iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            "{{\"entry_point\":{},\"count\":{},\"trace\":{}}}",
            esc(sample.entry_point()),
            sample.count(),
            esc(&sample.trace().to_string()),
        );
    }
    s.push_str("]}");
    s
}
