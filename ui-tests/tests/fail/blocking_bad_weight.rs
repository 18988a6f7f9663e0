#[aiocop::blocking(weight = huge)]
fn query() -> u32 {
    1
}

fn main() {}
