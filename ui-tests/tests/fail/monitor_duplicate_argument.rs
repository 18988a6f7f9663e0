#[aiocop::monitor(name = "a", threshold_ms = 5, name = "b")]
async fn handler() {}

fn main() {}
