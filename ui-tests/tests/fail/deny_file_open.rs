use std::fs::File;

#[aiocop::monitor(deny)]
async fn open(path: &str) -> std::io::Result<File> {
    File::open(path)
}

fn main() {}
