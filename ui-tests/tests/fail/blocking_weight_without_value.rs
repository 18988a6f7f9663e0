#[aiocop::blocking(weight)]
fn query() -> u32 {
    1
}

fn main() {}
