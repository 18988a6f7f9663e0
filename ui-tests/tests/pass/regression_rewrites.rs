//! Rewrites that once broke code that compiled, or changed what it did; each function here must
//! compile under the attribute and return what it returns without it.

#![deny(warnings)]

use std::io::Read;
use std::path::Path;

use aiocop_ui_tests::recorded;

mod user {
    /// Named like `std::fs::read`, generic in its result: the probe must not pick the type.
    pub(super) fn read<T: std::str::FromStr>(s: &str) -> Result<T, T::Err> {
        s.parse()
    }

    pub(super) struct Job(pub(super) u32);

    impl Job {
        /// By value, where std's `wait` methods take `&self`/`&mut self`.
        pub(super) fn wait(self) -> u32 {
            self.0
        }

        /// By reference, returning a borrow of the receiver, where std's `join` takes `self`.
        pub(super) fn join(&self) -> &str {
            if self.0 > 1 { "many" } else { "one" }
        }

        /// Borrows its argument into the result.
        pub(super) fn recv<'a>(&self, line: &'a str) -> &'a str {
            line.trim()
        }
    }

    pub(super) fn make(n: u32) -> Job {
        Job(n)
    }

    /// Named like `std::fs::canonicalize`, returning a borrow of its argument.
    pub(super) fn canonicalize(s: &str) -> &str {
        s.trim_end_matches('/')
    }
}

use user::{canonicalize, make, read};

#[aiocop::monitor]
async fn generic_result_from_let(s: &str) -> u32 {
    let n: u32 = read(s).unwrap();
    n
}

#[aiocop::monitor]
async fn generic_result_through_try(s: &str) -> Result<u64, std::num::ParseIntError> {
    let n = read(s)?;
    Ok(n)
}

#[aiocop::monitor]
async fn generic_result_inferred_later(s: &str) -> i8 {
    let parsed = read(s);
    let value: i8 = parsed.unwrap_or(-1);
    value
}

#[aiocop::monitor]
async fn by_value_method_on_temporary(n: u32) -> u32 {
    make(n).wait()
}

#[aiocop::monitor]
async fn borrowing_method_on_temporary(n: u32) -> usize {
    let len = make(n).join().len();
    len + make(n).join().len()
}

#[aiocop::monitor]
async fn result_borrows_argument_temporary(path: &str) -> String {
    // The `format!` temporary must live to the end of the statement, as without the attribute.
    let shown = format!("[{}]", canonicalize(&format!("{path}/")));
    shown
}

#[aiocop::monitor]
async fn method_result_borrows_argument(job: &user::Job) -> usize {
    job.recv(&String::from("  padded  ")).len()
}

#[aiocop::monitor]
async fn std_temporary_receiver(path: &Path) -> std::io::Result<String> {
    let mut text = String::new();
    std::fs::File::open(path)?.read_to_string(&mut text)?;
    Ok(text)
}

#[aiocop::monitor]
async fn mutable_reference_parameter(file: &mut std::fs::File) -> std::io::Result<usize> {
    let mut buf = Vec::new();
    file.read_to_end(&mut buf)
}

#[aiocop::monitor]
async fn nested_reference_receiver(paths: &[&Path]) -> usize {
    paths.iter().filter(|p| p.exists()).count()
}

#[aiocop::monitor]
async fn calls_in_closures_and_blocks(path: &Path) -> (bool, u64) {
    let exists = |p: &Path| p.exists();
    let inner = async { std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) };
    (exists(path), inner.await)
}

#[aiocop::monitor]
async fn turbofish(path: &Path) -> std::io::Result<usize> {
    let bytes = std::fs::read::<&Path>(path)?;
    Ok(bytes.len())
}

#[aiocop::monitor]
async fn hygiene(path: &Path) -> std::io::Result<usize> {
    // Locals named like the generated ones are the user's own.
    let __aiocop_receiver = 5;
    let __aiocop_args = 6;
    let __aiocop_result = std::fs::read(path)?.len();
    Ok(__aiocop_receiver + __aiocop_args + __aiocop_result)
}

#[aiocop::monitor]
async fn macros_keep_meaning(path: &Path) -> String {
    let name = "x";
    let v = vec![0u8; 3];
    let text = format!(
        "{name}-{}-{n}",
        v.len(),
        n = std::fs::read(path).unwrap().len()
    );
    assert!(
        !text.is_empty(),
        "{}",
        std::fs::read_to_string(path).unwrap()
    );
    assert_eq!(v, [0, 0, 0]);
    text
}

#[aiocop::monitor]
async fn guard_temporaries(lock: &std::sync::Mutex<Vec<u8>>, path: &Path) -> usize {
    // The guard lives to the end of the statement, as without the attribute.
    lock.lock().unwrap().len() + std::fs::read(path).map(|b| b.len()).unwrap_or(0)
}

#[aiocop::monitor]
async fn shadowed_names(path: &Path) -> u32 {
    mod fs {
        pub(super) fn read(_: &std::path::Path) -> std::io::Result<Vec<u8>> {
            Ok(vec![1, 2, 3])
        }
    }
    fn sleep(ms: u32) -> u32 {
        ms * 2
    }
    let read = |x: u32| x + 1;
    read(1) + sleep(2) + fs::read(path).unwrap().len() as u32
}

pub(crate) fn main() {
    let path = std::env::temp_dir().join(format!("aiocop-ui-regress-{}", std::process::id()));
    std::fs::write(&path, "abc").unwrap();
    let lock = std::sync::Mutex::new(vec![1, 2]);

    let (_, ops) = recorded(async {
        assert_eq!(generic_result_from_let("5").await, 5);
        assert_eq!(generic_result_through_try("6").await, Ok(6));
        assert_eq!(generic_result_inferred_later("x").await, -1);
        assert_eq!(by_value_method_on_temporary(4).await, 4);
        assert_eq!(borrowing_method_on_temporary(2).await, 8);
        assert_eq!(result_borrows_argument_temporary("/a/b").await, "[/a/b]");
        assert_eq!(method_result_borrows_argument(&user::Job(1)).await, 6);
        assert_eq!(std_temporary_receiver(&path).await.unwrap(), "abc");
        let mut file = std::fs::File::open(&path).unwrap();
        assert_eq!(mutable_reference_parameter(&mut file).await.unwrap(), 3);
        assert_eq!(
            nested_reference_receiver(&[&path, Path::new("/nonexistent")]).await,
            1
        );
        assert_eq!(calls_in_closures_and_blocks(&path).await, (true, 3));
        assert_eq!(turbofish(&path).await.unwrap(), 3);
        assert_eq!(hygiene(&path).await.unwrap(), 14);
        assert_eq!(macros_keep_meaning(&path).await, "x-3-3");
        assert_eq!(guard_temporaries(&lock, &path).await, 5);
        assert_eq!(shadowed_names(&path).await, 9);
    });
    assert_eq!(
        ops,
        [
            "std_temporary_receiver: std::fs::File::open",
            "std_temporary_receiver: std::fs::File::read_to_string",
            "mutable_reference_parameter: std::fs::File::read_to_end",
            "nested_reference_receiver: std::path::Path::exists",
            "nested_reference_receiver: std::path::Path::exists",
            "calls_in_closures_and_blocks: std::path::Path::exists",
            "calls_in_closures_and_blocks: std::fs::metadata",
            "turbofish: std::fs::read",
            "hygiene: std::fs::read",
            // The message of a passing `assert!` is never evaluated.
            "macros_keep_meaning: std::fs::read",
            "guard_temporaries: std::fs::read",
        ]
    );
    std::fs::remove_file(&path).unwrap();
}
