#[aiocop::monitor(allow())]
async fn handler() {}

fn main() {}
