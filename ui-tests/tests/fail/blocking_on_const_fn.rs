#[aiocop::blocking]
const fn query() -> u32 {
    1
}

fn main() {}
