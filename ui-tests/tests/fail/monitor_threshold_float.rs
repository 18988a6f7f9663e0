#[aiocop::monitor(threshold_ms = 2.5)]
async fn handler() {}

fn main() {}
