#[aiocop::monitor(allow(std::fs::raed))]
async fn handler() {}

fn main() {}
