#[aiocop::monitor(allow(serde_json::from_str))]
async fn handler() {}

fn main() {}
