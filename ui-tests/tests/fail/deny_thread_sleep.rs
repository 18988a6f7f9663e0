use std::thread;
use std::time::Duration;

#[aiocop::monitor(deny)]
async fn backoff(attempt: u32) {
    thread::sleep(Duration::from_millis(10 * u64::from(attempt)));
}

fn main() {}
