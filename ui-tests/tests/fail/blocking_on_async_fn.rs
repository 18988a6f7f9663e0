#[aiocop::blocking(weight = heavy)]
async fn query() -> u32 {
    1
}

fn main() {}
