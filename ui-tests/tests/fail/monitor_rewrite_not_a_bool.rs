#[aiocop::monitor(rewrite = "no")]
async fn handler() {}

fn main() {}
