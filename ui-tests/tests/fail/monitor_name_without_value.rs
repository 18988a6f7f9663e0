#[aiocop::monitor(name)]
async fn handler() {}

fn main() {}
