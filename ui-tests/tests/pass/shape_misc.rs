//! Other shapes: recursion through `Box::pin`, `?` with `From` conversions, early returns from
//! loops and matches, `unsafe async fn`, attributes kept (`#[must_use]`, docs, `#[inline]`,
//! `#[allow]`), raw identifiers, `pub(crate)`, `extern "Rust"`, `-> !`, and `#[aiocop::monitor]`
//! together with `#[aiocop::allow_blocking]`.

#![deny(warnings)]

#![deny(unused_must_use)]

use std::future::Future;
use std::pin::Pin;

use aiocop_ui_tests::recorded;

#[derive(Debug, PartialEq)]
enum AppError {
    Io(std::io::ErrorKind),
    Parse(String),
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::Io(e.kind())
    }
}

impl From<std::num::ParseIntError> for AppError {
    fn from(e: std::num::ParseIntError) -> Self {
        AppError::Parse(e.to_string())
    }
}

/// Sums the numbers in a file.
#[aiocop::monitor]
#[must_use = "the sum is the point"]
#[inline]
pub(crate) async fn sum_file(path: &std::path::Path) -> Result<i64, AppError> {
    let text = std::fs::read_to_string(path)?;
    let mut total = 0;
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        if line == "stop" {
            return Ok(total);
        }
        total += line.trim().parse::<i64>()?;
    }
    Ok(total)
}

#[aiocop::monitor]
fn fib(n: u32) -> Pin<Box<dyn Future<Output = u64> + Send>> {
    Box::pin(async move {
        if n < 2 {
            return u64::from(n);
        }
        fib(n - 1).await + fib(n - 2).await
    })
}

#[aiocop::monitor]
async fn depth(n: u32) -> u32 {
    if n == 0 {
        return 0;
    }
    Box::pin(depth(n - 1)).await + 1
}

/// Reads through a raw pointer.
///
/// # Safety
/// `ptr` must be valid for reads.
#[aiocop::monitor]
async unsafe fn read_raw(ptr: *const u32) -> u32 {
    // SAFETY: the caller guarantees `ptr` is valid.
    unsafe { *ptr }
}

#[aiocop::monitor]
async fn r#match(r#type: &str) -> &str {
    match r#type {
        "fn" => "function",
        other => other,
    }
}

#[aiocop::monitor]
#[allow(clippy::needless_return)]
async fn first_even(values: &[u32]) -> Option<u32> {
    let mut i = 0;
    loop {
        let v = *values.get(i)?;
        if v % 2 == 0 {
            break Some(v);
        }
        i += 1;
    }
}

#[aiocop::monitor]
async fn labelled(grid: &[Vec<u8>]) -> Option<(usize, usize)> {
    'rows: for (r, row) in grid.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if *cell == 0 {
                continue 'rows;
            }
            if *cell == 9 {
                return Some((r, c));
            }
        }
    }
    None
}

#[aiocop::monitor]
async fn never_ok() -> Result<std::convert::Infallible, String> {
    Err("always".to_owned())
}

#[aiocop::monitor]
#[aiocop::allow_blocking(reason = "start-up configuration read, before serving")]
async fn allowed_read(path: &std::path::Path) -> std::io::Result<usize> {
    Ok(std::fs::read(path)?.len())
}

/// Never returns: reads its configuration, then waits forever (`-> !`).
#[aiocop::monitor]
async fn serve_forever(path: &std::path::Path) -> ! {
    let _config = std::fs::read(path);
    loop {
        std::future::pending::<()>().await;
    }
}

/// `-> !` whose last expression takes its type from the return type.
#[aiocop::monitor]
async fn wait_forever() -> ! {
    std::future::pending().await
}

/// An inner attribute at the top of the body applies to the function, as without the macro.
#[aiocop::monitor]
async fn with_inner_attribute() -> u32 {
    #![allow(unused_variables)]
    let unused = 1;
    2
}

/// A literal receiver stays a promoted constant: the iterator borrows it past the statement.
#[aiocop::monitor]
async fn promoted() -> i32 {
    let it = [1, 2, 3].iter();
    it.sum()
}

/// Diverges through its last expression.
#[aiocop::monitor]
async fn give_up(reason: &str) -> ! {
    panic!("giving up: {reason}")
}

fn main() {
    let path = std::env::temp_dir().join(format!("aiocop-ui-misc-{}", std::process::id()));
    std::fs::write(&path, "# numbers\n1\n2\nstop\n100\n").unwrap();
    let bad = std::env::temp_dir().join(format!("aiocop-ui-misc-bad-{}", std::process::id()));
    std::fs::write(&bad, "1\nx\n").unwrap();

    let (_, ops) = recorded(async {
        assert_eq!(sum_file(&path).await, Ok(3));
        assert_eq!(
            sum_file(&bad).await,
            Err(AppError::Parse("invalid digit found in string".to_owned()))
        );
        assert_eq!(
            sum_file(std::path::Path::new("/nonexistent/aiocop")).await,
            Err(AppError::Io(std::io::ErrorKind::NotFound))
        );
        assert_eq!(fib(10).await, 55);
        assert_eq!(depth(5).await, 5);
        let value = 7;
        // SAFETY: `&value` is valid for reads.
        assert_eq!(unsafe { read_raw(&value) }.await, 7);
        assert_eq!(r#match("fn").await, "function");
        assert_eq!(first_even(&[1, 3, 4]).await, Some(4));
        assert_eq!(first_even(&[1]).await, None);
        assert_eq!(labelled(&[vec![1, 0, 9], vec![1, 9]]).await, Some((1, 1)));
        assert_eq!(never_ok().await, Err("always".to_owned()));
        assert_eq!(allowed_read(&path).await.unwrap(), 23);
        let served = tokio::time::timeout(
            std::time::Duration::from_millis(5),
            serve_forever(&path),
        )
        .await;
        assert!(served.is_err(), "a `-> !` function never completes");
        let _never_called = give_up;
        let waited =
            tokio::time::timeout(std::time::Duration::from_millis(5), wait_forever()).await;
        assert!(waited.is_err());
        assert_eq!(with_inner_attribute().await, 2);
        assert_eq!(promoted().await, 6);
    });
    // `allowed_read` is allowed to block: nothing recorded for it.
    assert_eq!(
        ops,
        [
            "sum_file: std::fs::read_to_string",
            "sum_file: std::fs::read_to_string",
            "sum_file: std::fs::read_to_string",
            "serve_forever: std::fs::read",
        ]
    );
    assert!(aiocop::functions::monitored_functions().any(|f| f.info().name() == "match"));
    std::fs::remove_file(&path).unwrap();
    std::fs::remove_file(&bad).unwrap();
}
