#[aiocop::test(worker_threads = 4)]
async fn one_thread_only() {}

fn main() {}
