//! `async fn` in traits: a default body that is monitored, implementations that are monitored,
//! an implementation that overrides a monitored default, generic traits and static dispatch.

#![deny(warnings)]

use aiocop_ui_tests::recorded;

trait Repo {
    fn key(&self) -> &str;

    #[aiocop::monitor]
    async fn exists(&self) -> bool {
        std::path::Path::new(self.key()).exists()
    }

    #[aiocop::monitor]
    async fn size(&self) -> std::io::Result<u64> {
        Ok(std::fs::metadata(self.key())?.len())
    }

    async fn fetch(&self, n: usize) -> Vec<u8>;
}

struct Disk(String);
struct Memory(Vec<u8>);

impl Repo for Disk {
    fn key(&self) -> &str {
        &self.0
    }

    #[aiocop::monitor]
    async fn fetch(&self, n: usize) -> Vec<u8> {
        let mut data = std::fs::read(&self.0).unwrap_or_default();
        data.truncate(n);
        data
    }
}

impl Repo for Memory {
    fn key(&self) -> &str {
        "memory"
    }

    #[aiocop::monitor(name = "memory_exists")]
    async fn exists(&self) -> bool {
        true
    }

    #[aiocop::monitor]
    async fn fetch(&self, n: usize) -> Vec<u8> {
        self.0.iter().copied().take(n).collect()
    }
}

trait Convert<T> {
    async fn convert(&self, value: T) -> Result<String, std::num::ParseIntError>;
}

struct Doubler;

impl<T: AsRef<str>> Convert<T> for Doubler {
    #[aiocop::monitor]
    async fn convert(&self, value: T) -> Result<String, std::num::ParseIntError> {
        let n: i64 = value.as_ref().parse()?;
        Ok((n * 2).to_string())
    }
}

async fn total<R: Repo>(repo: &R) -> usize {
    repo.fetch(usize::MAX).await.len()
}

fn main() {
    let path = std::env::temp_dir().join(format!("aiocop-ui-traits-{}", std::process::id()));
    std::fs::write(&path, b"abcdef").unwrap();
    let disk = Disk(path.to_string_lossy().into_owned());
    let memory = Memory(vec![1, 2, 3]);

    let (_, ops) = recorded(async {
        assert!(disk.exists().await);
        assert_eq!(disk.size().await.unwrap(), 6);
        assert_eq!(disk.fetch(3).await, b"abc");
        assert_eq!(total(&disk).await, 6);
        assert!(memory.exists().await);
        assert!(memory.size().await.is_err());
        assert_eq!(total(&memory).await, 3);
        assert_eq!(Doubler.convert("21").await.unwrap(), "42");
        assert!(Doubler.convert(String::from("x")).await.is_err());
    });
    assert_eq!(
        ops,
        [
            "exists: std::path::Path::exists",
            "size: std::fs::metadata",
            "fetch: std::fs::read",
            "fetch: std::fs::read",
            "size: std::fs::metadata",
        ]
    );
    std::fs::remove_file(&path).unwrap();
}
