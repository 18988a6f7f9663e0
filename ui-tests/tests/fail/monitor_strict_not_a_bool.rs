#[aiocop::monitor(strict = 1)]
async fn handler() {}

fn main() {}
