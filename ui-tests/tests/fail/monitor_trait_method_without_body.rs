trait Repo {
    #[aiocop::monitor]
    async fn load(&self) -> Vec<u8>;
}

fn main() {}
