#[aiocop::allow_blocking(reason = "start-up only", until = "v2")]
fn load_config() -> String {
    String::new()
}

fn main() {}
