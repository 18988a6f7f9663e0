#[aiocop::monitor(allow = "std::fs::read")]
async fn handler() {}

fn main() {}
