trait Db {
    #[aiocop::blocking]
    fn query(&self) -> u32;
}

fn main() {}
