#[aiocop::monitor(deny, rewrite = false)]
async fn handler() {}

fn main() {}
