use std::path::PathBuf;

#[aiocop::monitor(deny)]
async fn present(dir: PathBuf) -> bool {
    dir.join("index.html").exists()
}

fn main() {}
