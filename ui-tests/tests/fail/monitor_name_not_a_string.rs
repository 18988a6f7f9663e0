#[aiocop::monitor(name = handler)]
async fn handler() {}

fn main() {}
