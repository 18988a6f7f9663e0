#[aiocop::blocking(name = "")]
fn query() -> u32 {
    1
}

fn main() {}
