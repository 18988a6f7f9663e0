#[aiocop::monitor(threshold_ms = 0)]
async fn handler() {}

fn main() {}
