#[aiocop::monitor(deny)]
async fn cwd() -> String {
    std::env::current_dir().map(|p| p.display().to_string()).unwrap_or_default()
}

fn main() {}
