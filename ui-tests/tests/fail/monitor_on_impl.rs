struct Service;

#[aiocop::monitor]
impl Service {
    async fn call(&self) {}
}

fn main() {}
