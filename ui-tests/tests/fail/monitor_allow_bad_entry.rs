#[aiocop::monitor(allow(42))]
async fn handler() {}

fn main() {}
