// Same-crate sync functions that block, called from async code.
use std::time::Duration;

fn load_config() -> String {
    std::fs::read_to_string("app.toml").unwrap_or_default() //~ OK
}

async fn handler() -> String {
    load_config() //~ BLOCKING handler → load_config → std::fs::read_to_string
}

// Two levels deep.
fn parse_settings() -> usize {
    load_config().len() //~ OK
}

async fn startup() -> usize {
    parse_settings() //~ BLOCKING startup → parse_settings → load_config → std::fs::read_to_string
}

// The heaviest operation wins.
fn mixed() {
    let _ = std::fs::metadata("x"); //~ OK
    std::thread::sleep(Duration::from_millis(1)); //~ OK
}

async fn calls_mixed() {
    mixed(); //~ BLOCKING calls_mixed → mixed → std::thread::sleep
}

// Cycles terminate.
fn ping(n: u32) -> u32 {
    if n == 0 {
        std::thread::sleep(Duration::from_millis(1)); //~ OK
        0
    } else {
        pong(n - 1) //~ OK
    }
}

fn pong(n: u32) -> u32 {
    ping(n) //~ OK
}

async fn cyclic() -> u32 {
    pong(3) //~ BLOCKING cyclic → pong → ping → std::thread::sleep
}

// Methods of crate types.
struct Repo {
    path: String,
}

impl Repo {
    fn new(path: &str) -> Self {
        Repo { path: path.to_string() }
    }

    fn load(&self) -> Vec<u8> {
        std::fs::read(&self.path).unwrap_or_default() //~ OK
    }

    fn len(&self) -> usize {
        self.path.len()
    }

    async fn serve(&self) -> usize {
        let data = self.load(); //~ BLOCKING Repo::serve → Repo::load → std::fs::read
        data.len() + self.len() //~ OK
    }

    async fn serve_assoc(&self) -> usize {
        Self::load(self).len() //~ BLOCKING Repo::serve_assoc → Repo::load → std::fs::read
    }
}

async fn with_repo() -> usize {
    let repo = Repo::new("db");
    let v = repo.load(); //~ BLOCKING with_repo → Repo::load → std::fs::read
    v.len() + repo.len() //~ OK
}

// Sync functions that do not block are fine, and so are blocking ones never called from async.
fn pure(x: u32) -> u32 {
    x * 2
}

fn only_from_sync() {
    std::thread::sleep(Duration::from_millis(1)); //~ OK
}

async fn calls_pure() -> u32 {
    pure(2) //~ OK
}

// A chain through a module.
mod storage {
    pub fn save(data: &[u8]) {
        std::fs::write("out.bin", data).ok(); //~ OK
    }

    pub fn save_twice(data: &[u8]) {
        save(data); //~ OK
        self::save(data); //~ OK
    }
}

async fn persist(data: Vec<u8>) {
    storage::save_twice(&data); //~ BLOCKING persist → storage::save_twice → storage::save → std::fs::write
}

// A chain inside an async block.
fn background() {
    let _fut = async {
        load_config(); //~ BLOCKING background (async block) → load_config → std::fs::read_to_string
    };
    only_from_sync();
}

// A blocking helper offloaded correctly.
async fn offloaded() {
    let _ = tokio::task::spawn_blocking(load_config).await; //~ OK
    let _ = tokio::task::spawn_blocking(|| load_config()).await; //~ OK
}

fn main() {}
