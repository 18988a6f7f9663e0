#[aiocop::monitor(rewrite)]
async fn handler() {}

fn main() {}
