#[aiocop::monitor(strict(true))]
async fn handler() {}

fn main() {}
