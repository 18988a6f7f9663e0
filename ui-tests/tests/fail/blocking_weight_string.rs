#[aiocop::blocking(weight = "heavy")]
fn query() -> u32 {
    1
}

fn main() {}
