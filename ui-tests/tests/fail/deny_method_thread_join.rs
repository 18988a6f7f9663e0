#[aiocop::monitor(deny)]
async fn compute() -> u64 {
    let handle = std::thread::spawn(|| (1..=20u64).product::<u64>());
    handle.join().unwrap_or(0)
}

fn main() {}
