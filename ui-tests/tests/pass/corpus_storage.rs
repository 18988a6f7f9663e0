//! Corpus: database and cache code (trait objects, generics, lifetimes), and a file server mixing
//! `tokio::fs` and `std::fs`. Every function compiles under the attribute and returns what it
//! returns without it; the std calls are recorded, tokio's are not.

#![deny(warnings)]

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::hash::Hash;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use aiocop_ui_tests::recorded;

trait Store: Send + Sync {
    fn get(&self, key: &str) -> Option<String>;
    fn put(&self, key: &str, value: String);
}

#[derive(Default)]
struct MemStore(Mutex<HashMap<String, String>>);

impl Store for MemStore {
    fn get(&self, key: &str) -> Option<String> {
        self.0.lock().unwrap().get(key).cloned()
    }

    fn put(&self, key: &str, value: String) {
        self.0.lock().unwrap().insert(key.to_owned(), value);
    }
}

struct Cache<K, V> {
    entries: HashMap<K, V>,
    misses: u32,
}

impl<K: Hash + Eq + Clone + Send, V: Clone + Send> Cache<K, V> {
    #[aiocop::monitor]
    async fn get_or_load<F, Fut>(&mut self, key: K, load: F) -> V
    where
        F: FnOnce(K) -> Fut + Send,
        Fut: std::future::Future<Output = V> + Send,
    {
        if let Some(v) = self.entries.get(&key) {
            return v.clone();
        }
        self.misses += 1;
        let value = load(key.clone()).await;
        self.entries.insert(key, value.clone());
        value
    }

    #[aiocop::monitor]
    async fn invalidate(&mut self, key: &K) -> bool {
        self.entries.remove(key).is_some()
    }
}

struct Repo {
    store: Arc<dyn Store>,
    journal: PathBuf,
}

impl Repo {
    #[aiocop::monitor]
    async fn save(&self, key: &str, value: &str) -> io::Result<()> {
        self.store.put(key, value.to_owned());
        let mut journal = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.journal)?;
        writeln!(journal, "put {key}={value}")?;
        journal.sync_data()?;
        Ok(())
    }

    #[aiocop::monitor]
    async fn load<'a>(&self, key: &'a str) -> Result<(&'a str, String), String> {
        match self.store.get(key) {
            Some(v) => Ok((key, v)),
            None => Err(format!("missing {key}")),
        }
    }

    #[aiocop::monitor]
    async fn replay(&self) -> io::Result<usize> {
        let reader = BufReader::new(File::open(&self.journal)?);
        let mut count = 0;
        for line in reader.lines() {
            let line = line?;
            if let Some((key, value)) = line.strip_prefix("put ").and_then(|kv| kv.split_once('='))
            {
                self.store.put(key, value.to_owned());
                count += 1;
            }
        }
        Ok(count)
    }
}

#[aiocop::monitor]
async fn count_rows(store: &dyn Store, keys: &[&str]) -> usize {
    keys.iter().filter(|k| store.get(k).is_some()).count()
}

#[aiocop::monitor]
async fn first_present<S: Store + ?Sized>(
    store: &S,
    keys: impl IntoIterator<Item = &'static str>,
) -> Option<String> {
    keys.into_iter().find_map(|k| store.get(k))
}

struct FileServer {
    root: PathBuf,
}

impl FileServer {
    #[aiocop::monitor]
    async fn serve(&self, rel: &str) -> io::Result<Vec<u8>> {
        let path = self.root.join(rel);
        // Async read of the body; a sync stat first (recorded).
        let meta = fs::metadata(&path)?;
        if meta.is_dir() {
            return Err(io::Error::new(io::ErrorKind::IsADirectory, rel.to_owned()));
        }
        tokio::fs::read(&path).await
    }

    #[aiocop::monitor]
    async fn listing(&self) -> io::Result<Vec<String>> {
        let mut names: Vec<String> = fs::read_dir(&self.root)?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Ok(names)
    }

    #[aiocop::monitor]
    async fn store_async(&self, rel: &str, data: &[u8]) -> io::Result<u64> {
        let path = self.root.join(rel);
        let fut = tokio::fs::write(&path, data);
        fut.await?;
        let meta = tokio::fs::metadata(&path).await?;
        Ok(meta.len())
    }

    #[aiocop::monitor]
    async fn head(&self, rel: &str, n: usize) -> io::Result<String> {
        let mut file = File::open(self.root.join(rel))?;
        let mut buf = vec![0; n];
        let read = file.read(&mut buf)?;
        buf.truncate(read);
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    #[aiocop::monitor]
    async fn remove(&self, rel: &str) -> io::Result<bool> {
        let path = self.root.join(rel);
        if path.exists() {
            fs::remove_file(&path)?;
            return Ok(true);
        }
        Ok(false)
    }
}

pub(crate) fn main() {
    let root = std::env::temp_dir().join(format!("aiocop-ui-storage-{}", std::process::id()));
    fs::create_dir_all(&root).unwrap();
    fs::write(root.join("a.txt"), "alpha").unwrap();
    let repo = Repo {
        store: Arc::new(MemStore::default()),
        journal: root.join("journal.log"),
    };
    let server = FileServer { root: root.clone() };

    let (_, ops) = recorded(async {
        let mut cache: Cache<u32, String> = Cache {
            entries: HashMap::new(),
            misses: 0,
        };
        assert_eq!(
            cache
                .get_or_load(1, |k| async move { format!("v{k}") })
                .await,
            "v1"
        );
        assert_eq!(
            cache.get_or_load(1, |_| async { unreachable!() }).await,
            "v1"
        );
        assert_eq!(cache.misses, 1);
        assert!(cache.invalidate(&1).await);

        repo.save("k", "v").await.unwrap();
        assert_eq!(repo.load("k").await, Ok(("k", "v".to_owned())));
        assert_eq!(repo.load("x").await, Err("missing x".to_owned()));
        assert_eq!(repo.replay().await.unwrap(), 1);
        assert_eq!(count_rows(&*repo.store, &["k", "x"]).await, 1);
        assert_eq!(first_present(&MemStore::default(), ["a"]).await, None);

        assert_eq!(server.serve("a.txt").await.unwrap(), b"alpha");
        assert_eq!(server.store_async("b.txt", b"beta").await.unwrap(), 4);
        assert_eq!(server.head("b.txt", 2).await.unwrap(), "be");
        assert_eq!(
            server.listing().await.unwrap(),
            ["a.txt", "b.txt", "journal.log"]
        );
        assert!(server.remove("b.txt").await.unwrap());
        assert!(!server.remove("b.txt").await.unwrap());
    });
    let ops: Vec<&str> = ops.iter().map(String::as_str).collect();
    assert_eq!(
        ops,
        [
            "save: std::fs::OpenOptions::open",
            "save: std::fs::File::write_fmt",
            "save: std::fs::File::sync_data",
            "replay: std::fs::File::open",
            "replay: std::io::BufReader<std::fs::File>::lines",
            "serve: std::fs::metadata",
            "head: std::fs::File::open",
            "head: std::fs::File::read",
            "listing: std::fs::read_dir",
            "remove: std::path::Path::exists",
            "remove: std::fs::remove_file",
            "remove: std::path::Path::exists",
        ]
    );
    fs::remove_dir_all(&root).unwrap();
}
