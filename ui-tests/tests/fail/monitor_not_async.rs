#[aiocop::monitor]
fn handler() -> u32 {
    1
}

fn main() {}
