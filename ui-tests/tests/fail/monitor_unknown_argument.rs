#[aiocop::monitor(threshold = 100)]
async fn handler() {}

fn main() {}
