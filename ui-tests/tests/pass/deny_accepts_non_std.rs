//! `#[aiocop::monitor(deny)]` rejects only std's blocking calls: the same method names on other
//! types, tokio's async functions, offloaded closures and the user's own functions named like
//! std's all compile, and behave as without the attribute.

#![deny(warnings)]

use std::io::{Cursor, Read};

use aiocop_ui_tests::recorded;

struct Mailbox(Vec<u32>);

impl Mailbox {
    fn recv(&mut self) -> Option<u32> {
        self.0.pop()
    }

    fn exists(&self) -> bool {
        !self.0.is_empty()
    }
}

struct Task(u32);

impl Task {
    fn join(self) -> u32 {
        self.0
    }

    fn wait(&self) -> u32 {
        self.0 * 2
    }
}

mod store {
    pub(super) fn read(key: &str) -> Option<&'static str> {
        (key == "k").then_some("v")
    }
}

#[aiocop::monitor(deny)]
async fn in_memory(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    Cursor::new(bytes).read_to_end(&mut out)?;
    let mut slice = bytes;
    let mut again = Vec::new();
    slice.read_to_end(&mut again)?;
    out.extend(again);
    Ok(out)
}

#[aiocop::monitor(deny)]
async fn user_types(mut mailbox: Mailbox) -> (Option<u32>, bool, u32, u32) {
    let got = mailbox.recv();
    (got, mailbox.exists(), Task(3).join(), Task(4).wait())
}

#[aiocop::monitor(deny)]
async fn tokio_calls(path: &std::path::Path) -> std::io::Result<usize> {
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    let bytes = tokio::fs::read(path).await?;
    let exists = tokio::fs::try_exists(path).await?;
    Ok(bytes.len() + usize::from(exists))
}

#[aiocop::monitor(deny)]
async fn offloaded(path: std::path::PathBuf) -> std::io::Result<usize> {
    let text = tokio::task::spawn_blocking(move || std::fs::read_to_string(path))
        .await
        .map_err(std::io::Error::other)??;
    Ok(text.len())
}

#[aiocop::monitor(deny)]
async fn own_function() -> Option<&'static str> {
    store::read("k")
}

pub(crate) fn main() {
    let path = std::env::temp_dir().join(format!("aiocop-ui-deny-{}", std::process::id()));
    std::fs::write(&path, "four").unwrap();
    let (_, ops) = recorded(async {
        assert_eq!(in_memory(b"ab").await.unwrap(), b"abab");
        assert_eq!(user_types(Mailbox(vec![1, 2])).await, (Some(2), true, 3, 8));
        assert_eq!(tokio_calls(&path).await.unwrap(), 5);
        assert_eq!(offloaded(path.clone()).await.unwrap(), 4);
        assert_eq!(own_function().await, Some("v"));
    });
    assert!(ops.is_empty(), "{ops:?}");
    std::fs::remove_file(&path).unwrap();
}
