#[aiocop::allow_blocking(reason = "")]
fn load_config() -> String {
    String::new()
}

fn main() {}
