#[aiocop::monitor(threshold_ms = -5)]
async fn handler() {}

fn main() {}
