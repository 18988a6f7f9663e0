#[aiocop::allow_blocking(reason = startup)]
fn load_config() -> String {
    String::new()
}

fn main() {}
