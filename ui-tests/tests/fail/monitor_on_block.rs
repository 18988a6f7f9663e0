async fn run() {
    #[aiocop::monitor]
    {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

fn main() {}
