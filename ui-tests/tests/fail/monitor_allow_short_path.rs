#[aiocop::monitor(allow(std::thread::sleep, fs::read_to_string))]
async fn handler() {}

fn main() {}
