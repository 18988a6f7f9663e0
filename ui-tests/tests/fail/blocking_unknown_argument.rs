#[aiocop::blocking(weight = light, category = "db")]
fn query() -> u32 {
    1
}

fn main() {}
