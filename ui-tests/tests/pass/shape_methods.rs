//! Methods with every receiver: `self`, `&self`, `&mut self`, `mut self`, `Box<Self>`,
//! `Pin<&mut Self>`, `Arc<Self>`, `Rc<Self>`, `self: &Self`, and associated functions; inherent and
//! trait impls, on a generic type too.

#![deny(warnings)]

use std::fs::File;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use aiocop_ui_tests::recorded;

struct Store {
    path: PathBuf,
    writes: u32,
}

impl Store {
    #[aiocop::monitor]
    async fn new(path: PathBuf) -> Self {
        Store { path, writes: 0 }
    }

    #[aiocop::monitor]
    async fn load(&self) -> std::io::Result<String> {
        let mut text = String::new();
        File::open(&self.path)?.read_to_string(&mut text)?;
        Ok(text)
    }

    #[aiocop::monitor]
    async fn append(&mut self, line: &str) -> std::io::Result<u32> {
        let mut file = std::fs::OpenOptions::new().append(true).open(&self.path)?;
        writeln!(file, "{line}")?;
        self.writes += 1;
        Ok(self.writes)
    }

    #[aiocop::monitor]
    async fn into_path(self) -> PathBuf {
        self.path
    }

    #[aiocop::monitor]
    async fn renamed(mut self, name: &str) -> Self {
        self.path.set_file_name(name);
        self
    }

    #[aiocop::monitor]
    async fn boxed(self: Box<Self>) -> u32 {
        self.writes
    }

    #[aiocop::monitor]
    async fn pinned(self: Pin<&mut Self>) -> u32 {
        self.get_mut().writes += 10;
        10
    }

    #[aiocop::monitor]
    async fn shared(self: Arc<Self>) -> bool {
        self.path.exists()
    }

    #[aiocop::monitor]
    async fn counted(self: Rc<Self>) -> usize {
        Rc::strong_count(&self)
    }

    #[aiocop::monitor]
    async fn explicit_ref(self: &Self) -> u32 {
        self.writes
    }

    #[aiocop::monitor]
    async fn with_lifetime<'a>(&'a self, suffix: &'a str) -> (&'a PathBuf, &'a str) {
        (&self.path, suffix)
    }
}

trait Describe {
    fn describe(&self) -> impl std::future::Future<Output = String>;
}

impl Describe for Store {
    #[aiocop::monitor]
    async fn describe(&self) -> String {
        format!("{} ({} writes)", self.path.display(), self.writes)
    }
}

struct Wrapper<T>(T);

impl<T: Clone + Send + std::fmt::Debug> Wrapper<T> {
    #[aiocop::monitor]
    async fn get(&self) -> T {
        self.0.clone()
    }

    #[aiocop::monitor]
    async fn map<U, F>(self, f: F) -> Wrapper<U>
    where
        F: FnOnce(T) -> U,
    {
        Wrapper(f(self.0))
    }

    #[aiocop::monitor]
    async fn show(&self) -> String {
        format!("{:?}", self.0)
    }
}

fn main() {
    let dir = std::env::temp_dir().join(format!("aiocop-ui-methods-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("store.txt");
    std::fs::write(&path, "first\n").unwrap();

    let (_, ops) = recorded(async {
        let mut store = Store::new(path.clone()).await;
        assert_eq!(store.load().await.unwrap(), "first\n");
        assert_eq!(store.append("second").await.unwrap(), 1);
        assert_eq!(store.load().await.unwrap(), "first\nsecond\n");
        assert_eq!(Pin::new(&mut store).pinned().await, 10);
        assert_eq!(store.explicit_ref().await, 11);
        assert_eq!(store.with_lifetime("x").await, (&path, "x"));
        assert!(store.describe().await.ends_with("store.txt (11 writes)"));
        let store = store.renamed("store.txt").await;
        assert!(Arc::new(Store::new(store.path.clone()).await).shared().await);
        assert_eq!(Rc::new(Store::new(path.clone()).await).counted().await, 1);
        assert_eq!(Box::new(Store { path: path.clone(), writes: 3 }).boxed().await, 3);
        assert_eq!(store.into_path().await, path);

        let w = Wrapper(vec![1, 2]);
        assert_eq!(w.get().await, vec![1, 2]);
        assert_eq!(w.show().await, "[1, 2]");
        assert_eq!(w.map(|v| v.len()).await.0, 2);
    });
    assert_eq!(
        ops,
        [
            "load: std::fs::File::open",
            "load: std::fs::File::read_to_string",
            "append: std::fs::OpenOptions::open",
            "append: std::fs::File::write_fmt",
            "load: std::fs::File::open",
            "load: std::fs::File::read_to_string",
            "shared: std::path::Path::exists",
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
