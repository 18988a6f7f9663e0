//! Free functions: unit, values, `?`, early `return`, `impl Trait` arguments and returns,
//! generics with where clauses and lifetimes. Each returns what it returned without the attribute,
//! and the blocking std calls inside are recorded.

#![deny(warnings)]

use std::fmt::Display;
use std::io;
use std::path::{Path, PathBuf};

use aiocop_ui_tests::recorded;

#[aiocop::monitor]
async fn unit() {}

#[aiocop::monitor]
async fn value() -> u32 {
    42
}

#[aiocop::monitor]
pub async fn read_len(path: &Path) -> io::Result<usize> {
    let bytes = std::fs::read(path)?;
    Ok(bytes.len())
}

#[aiocop::monitor]
async fn early(n: i32) -> Result<&'static str, String> {
    if n < 0 {
        return Err(format!("negative: {n}"));
    }
    if n == 0 {
        return Ok("zero");
    }
    Ok("positive")
}

#[aiocop::monitor]
async fn display_all(items: impl IntoIterator<Item = impl Display>) -> String {
    items
        .into_iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

#[aiocop::monitor]
async fn evens(limit: u32) -> impl Iterator<Item = u32> {
    (0..limit).filter(|n| n % 2 == 0)
}

#[aiocop::monitor]
async fn try_in_impl_trait(path: &Path) -> io::Result<impl Display> {
    let text = std::fs::read_to_string(path)?;
    Ok(text.lines().count())
}

#[aiocop::monitor]
async fn longest<'a, 'b: 'a>(a: &'a str, b: &'b str) -> &'a str {
    if a.len() >= b.len() { a } else { b }
}

#[aiocop::monitor]
async fn sum_where<T, I>(items: I) -> T
where
    T: std::iter::Sum<T> + Copy,
    I: IntoIterator<Item = T> + Send,
{
    items.into_iter().sum()
}

#[aiocop::monitor]
async fn generic_path<P: AsRef<Path>>(dir: P, name: &str) -> PathBuf {
    dir.as_ref().join(name)
}

#[aiocop::monitor]
async fn const_generic<const N: usize>(values: [u8; N]) -> usize {
    values.len() * N
}

#[aiocop::monitor]
async fn never_returns_early(flag: bool) -> Option<u8> {
    let value = if flag { Some(1) } else { None }?;
    Some(value + 1)
}

#[aiocop::monitor]
async fn mut_param(mut count: u32) -> u32 {
    count += 1;
    count
}

#[aiocop::monitor]
async fn pattern_param((a, b): (u32, u32), [c, d]: [u32; 2]) -> u32 {
    a + b + c + d
}

#[aiocop::monitor]
async fn boxed_dyn(path: &Path) -> Result<u64, Box<dyn std::error::Error + Send + Sync>> {
    let meta = std::fs::metadata(path)?;
    let n: u64 = "7".parse()?;
    Ok(meta.len() + n)
}

fn main() {
    let dir = std::env::temp_dir().join(format!("aiocop-ui-free-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("data.txt");
    std::fs::write(&file, "one\ntwo\nthree\n").unwrap();

    let (out, ops) = recorded(async {
        unit().await;
        assert_eq!(value().await, 42);
        assert_eq!(read_len(&file).await.unwrap(), 14);
        assert_eq!(early(-1).await, Err("negative: -1".to_owned()));
        assert_eq!(early(0).await, Ok("zero"));
        assert_eq!(early(3).await, Ok("positive"));
        assert_eq!(display_all([1, 2, 3]).await, "1,2,3");
        assert_eq!(evens(7).await.collect::<Vec<_>>(), vec![0, 2, 4, 6]);
        assert_eq!(try_in_impl_trait(&file).await.unwrap().to_string(), "3");
        assert!(try_in_impl_trait(&dir.join("missing")).await.is_err());
        assert_eq!(longest("ab", "abc").await, "abc");
        assert_eq!(sum_where(vec![1.5, 2.5]).await, 4.0);
        assert_eq!(generic_path("/tmp", "x").await, PathBuf::from("/tmp/x"));
        assert_eq!(const_generic([1, 2, 3]).await, 9);
        assert_eq!(never_returns_early(true).await, Some(2));
        assert_eq!(never_returns_early(false).await, None);
        assert_eq!(mut_param(1).await, 2);
        assert_eq!(pattern_param((1, 2), [3, 4]).await, 10);
        assert_eq!(boxed_dyn(&file).await.unwrap(), 21);
        "done"
    });
    assert_eq!(out, "done");
    assert_eq!(
        ops,
        [
            "read_len: std::fs::read",
            "try_in_impl_trait: std::fs::read_to_string",
            "try_in_impl_trait: std::fs::read_to_string",
            "boxed_dyn: std::fs::metadata",
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
