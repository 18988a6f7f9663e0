#[aiocop::monitor]
struct Handler {
    name: String,
}

fn main() {}
