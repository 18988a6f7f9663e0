#[aiocop::blocking(weight = heavy)]
struct Query;

fn main() {}
