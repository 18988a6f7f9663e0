#[aiocop::monitor(deny)]
async fn link(from: &str, to: &str) -> std::io::Result<()> {
    std::os::unix::fs::symlink(from, to)
}

fn main() {}
