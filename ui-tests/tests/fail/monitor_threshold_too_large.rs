#[aiocop::monitor(threshold_ms = 100_000_000)]
async fn handler() {}

fn main() {}
