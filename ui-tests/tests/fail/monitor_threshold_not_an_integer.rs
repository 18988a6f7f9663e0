#[aiocop::monitor(threshold_ms = "100")]
async fn handler() {}

fn main() {}
