//! `#[async_trait]` impls and traits: `#[async_trait]` on the impl expands first, so
//! `#[aiocop::monitor]` on a method sees the sync fn returning `Box::pin(async move { .. })` that
//! it generated, and monitors that future; default bodies in the trait work the same way. The
//! blocking calls of the bodies are recorded.

#![deny(warnings)]

use std::path::PathBuf;

use aiocop_ui_tests::recorded;
use async_trait::async_trait;

#[async_trait]
trait Loader: Send + Sync {
    async fn load(&self, name: &str) -> std::io::Result<String>;
    async fn exists(&self, name: &str) -> bool;
    async fn count(&mut self) -> usize;
}

struct DirLoader {
    dir: PathBuf,
    loads: usize,
}

#[async_trait]
impl Loader for DirLoader {
    #[aiocop::monitor]
    async fn load(&self, name: &str) -> std::io::Result<String> {
        let text = std::fs::read_to_string(self.dir.join(name))?;
        Ok(text.trim().to_owned())
    }

    #[aiocop::monitor(name = "dir_exists")]
    async fn exists(&self, name: &str) -> bool {
        if name.is_empty() {
            return false;
        }
        self.dir.join(name).exists()
    }

    #[aiocop::monitor]
    async fn count(&mut self) -> usize {
        self.loads += 1;
        self.loads
    }
}

struct Fixed;

#[async_trait]
impl Loader for Fixed {
    async fn load(&self, name: &str) -> std::io::Result<String> {
        Ok(name.to_uppercase())
    }

    async fn exists(&self, _: &str) -> bool {
        true
    }

    async fn count(&mut self) -> usize {
        0
    }
}

// A default body in an `#[async_trait]` trait.
#[async_trait]
trait Sizer: Sync {
    fn path(&self) -> &std::path::Path;

    #[aiocop::monitor]
    async fn size(&self) -> u64 {
        std::fs::metadata(self.path()).map(|m| m.len()).unwrap_or(0)
    }
}

impl Sizer for DirLoader {
    fn path(&self) -> &std::path::Path {
        &self.dir
    }
}

fn main() {
    let dir = std::env::temp_dir().join(format!("aiocop-ui-at-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.txt"), " hello \n").unwrap();
    let mut loader = DirLoader {
        dir: dir.clone(),
        loads: 0,
    };

    let (_, ops) = recorded(async {
        let dynamic: &dyn Loader = &loader;
        assert_eq!(dynamic.load("a.txt").await.unwrap(), "hello");
        assert!(dynamic.exists("a.txt").await);
        assert!(!dynamic.exists("").await);
        assert_eq!(loader.count().await, 1);
        assert_eq!(Fixed.load("x").await.unwrap(), "X");
        assert!(Fixed.exists("x").await);
        assert_eq!(Fixed.count().await, 0);
        assert_eq!(loader.size().await, std::fs::metadata(&loader.dir).unwrap().len());
    });
    assert_eq!(
        ops,
        [
            "load: std::fs::read_to_string",
            "dir_exists: std::path::Path::exists",
            "size: std::fs::metadata",
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
