#[aiocop::monitor(deny = "all")]
async fn handler() {}

fn main() {}
