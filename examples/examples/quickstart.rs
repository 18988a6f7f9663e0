//! The reference's quick start in Rust: two tasks each write to a file synchronously (blocking
//! the runtime's thread) and then sleep asynchronously. aiocop reports each blocking poll.
//!
//! Run: `cargo run -p aiocop-examples --example quickstart`

use std::error::Error;
use std::io::Write;
use std::time::Duration;

fn on_slow_task(event: &aiocop::SlowTaskEvent) {
    println!("SLOW TASK DETECTED: {:.1}ms", event.elapsed_ms());
    println!("  Severity: {}", event.severity_level());
    println!("  Blocking events: {}", event.blocking_events().len());
    for evt in event.blocking_events() {
        println!("  - {} at {}", evt.event(), evt.entry_point());
    }
    if let Some(first) = event.blocking_events().first() {
        println!("  Trace of the first: {}", first.trace());
    }
}

#[aiocop::monitor]
async fn blocking_task() -> std::io::Result<()> {
    println!("Executing task...");
    // This synchronous file write blocks the runtime's thread: aiocop catches it.
    let mut file = std::fs::File::create("/dev/null")?;
    file.write_all(b"data")?;
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(5)?;
    aiocop::detect_slow_tasks(10, on_slow_task)?;
    aiocop::activate();

    let (first, second) = tokio::join!(blocking_task(), blocking_task());
    first?;
    second?;

    aiocop::deactivate();
    // With stack traces on, callbacks run on aiocop's delivery thread (symbolizing a trace takes
    // milliseconds, which must not happen on a runtime worker): wait for them before exiting.
    aiocop::delivery::flush();
    Ok(())
}
