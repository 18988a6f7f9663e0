use std::thread::sleep;
use std::time::Duration;

#[aiocop::monitor(deny)]
async fn backoff() {
    sleep(Duration::from_millis(10));
}

fn main() {}
