#[aiocop::blocking(weight = 5000)]
fn query() -> u32 {
    1
}

fn main() {}
