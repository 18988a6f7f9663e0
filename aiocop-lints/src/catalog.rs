//! One table of every known blocking operation: what to call it, how heavy it is, how the code
//! reaches it (a path or a method on a std type), and what to use instead in async code.
//!
//! The macro rewrites the calls listed here, the runtime reports them under their `event` names
//! with their weights, and the linter reports them with their `alternative`.
//!
//! Every entry is also a named constant ([`STD_FS_READ`], [`STD_PATH_PATH_EXISTS`], …), so code
//! that knows which operation it performs (aiocop's shims) takes its name and weight without a
//! search. [`CATALOG`] lists them all.
//!
//! # Coverage and weights
//!
//! The table covers std's blocking surface on Unix — the file system (including `Path` methods
//! that touch it and `std::os::unix::fs`), `Read`/`Write` on files, sockets, pipes and stdin, the
//! network (including name resolution), processes, threads and the blocking sync primitives — plus
//! the executor traps that block a runtime worker on another future (`block_on` and tokio's
//! `blocking_*` methods). The weights follow the classes of the Python library:
//!
//! - [`WEIGHT_HEAVY`] (50): waits without a bound on something outside the thread: a sleep, a
//!   connect, a name lookup, an `accept`, a child process, another thread, a channel, a condition
//!   variable, a barrier, an advisory file lock, the terminal.
//! - [`WEIGHT_MODERATE`] (10): usually quick but goes to the disk or the network: open, read,
//!   write, directory listings, file mutations, socket and pipe I/O.
//! - [`WEIGHT_LIGHT`] (1): one cheap metadata system call: stat, exists, canonicalize, readlink,
//!   `try_lock`, `kill`.
//! - [`WEIGHT_TRIVIAL`] (0): practically never blocks (current directory, bind); reported so the
//!   call is visible, without moving the score.
//!
//! Two deliberate departures from a literal reading of the classes:
//!
//! - `File::lock` and `File::lock_shared` are heavy, not light like `try_lock`: they wait for
//!   another process to release the lock, with no bound, exactly like `Condvar::wait`.
//! - `Mutex::lock`, `RwLock::read`/`write` and `OnceLock`/`LazyLock` initialisation are **not**
//!   listed. tokio's own guidance is to use `std::sync::Mutex` in async code for short critical
//!   sections; their wait is bounded by another thread's critical section, not by I/O. Listing
//!   them, even at weight 0, would turn every poll that takes a lock into an `io_blocking` event
//!   and bury the real findings. Holding a guard across `.await` is a different problem (clippy's
//!   `await_holding_lock`).
//!
//! Receivers that dereference to a listed one (`PathBuf` to `Path`) reach the same entries; the
//! table names the type that defines the method.
//!
//! # Types for the runtime's probes
//!
//! Each entry with a shim also carries the Rust types aiocop's probes match on
//! ([`BlockingOp::probe_types`]): a function's result type, written in its entry, and a method's
//! receiver types, from [`RECEIVER_TYPES`]. aiocop's probe table (`aiocop/src/probe/table.rs`)
//! is generated from them by the test `aiocop-lints/tests/probe_table.rs`, which fails while the
//! file is stale; after changing the catalog, regenerate it with
//! `AIOCOP_BLESS=1 cargo test -p aiocop-lints --test probe_table`.

/// Weight of an operation that blocks for an unbounded or long time.
pub const WEIGHT_HEAVY: u32 = 50;
/// Weight of an operation that usually completes quickly but touches the disk or network.
pub const WEIGHT_MODERATE: u32 = 10;
/// Weight of a cheap metadata operation.
pub const WEIGHT_LIGHT: u32 = 1;
/// Weight of an operation that practically never blocks.
pub const WEIGHT_TRIVIAL: u32 = 0;

// Short names for the table below.
const HEAVY: u32 = WEIGHT_HEAVY;
const MODERATE: u32 = WEIGHT_MODERATE;
const LIGHT: u32 = WEIGHT_LIGHT;
const TRIVIAL: u32 = WEIGHT_TRIVIAL;

/// The kind of resource an operation waits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Sleeping the thread.
    Sleep,
    /// Opening, reading, writing, creating or removing files and directories.
    File,
    /// Reading file-system metadata (stat, exists, canonicalize).
    FsMetadata,
    /// Socket connect, accept, send and receive.
    Network,
    /// Name resolution.
    Dns,
    /// Spawning and waiting for child processes.
    Process,
    /// Waiting on threads, channels, condition variables, barriers.
    SyncPrimitive,
    /// Reading the process's standard input.
    Stdin,
    /// Running a future to completion on the current thread (`block_on`).
    Executor,
}

impl Category {
    /// The category's name as the linter prints it: `sleep`, `file`, `fs-metadata`, `network`,
    /// `dns`, `process`, `sync-primitive`, `stdin`, `executor`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::Sleep => "sleep",
            Category::File => "file",
            Category::FsMetadata => "fs-metadata",
            Category::Network => "network",
            Category::Dns => "dns",
            Category::Process => "process",
            Category::SyncPrimitive => "sync-primitive",
            Category::Stdin => "stdin",
            Category::Executor => "executor",
        }
    }
}

/// How code reaches an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Callee {
    /// A free function or associated function called by path, given in full:
    /// `std::fs::read`, `std::fs::File::open`, `std::thread::sleep`.
    Function {
        /// The full path.
        path: &'static str,
    },
    /// A method called on a value of a std type.
    Method {
        /// The full path of the receiver's type: `std::fs::File`, `std::path::Path`.
        receiver: &'static str,
        /// The method's name: `read_to_end`, `exists`.
        method: &'static str,
        /// The trait the method belongs to, if it is a trait method: `std::io::Read`.
        via_trait: Option<&'static str>,
    },
}

/// One known blocking operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockingOp {
    /// The event name recorded at run time: the std path of the function, or
    /// `receiver::method` for methods (`std::fs::File::read_to_end`).
    pub event: &'static str,
    /// How code reaches it.
    pub callee: Callee,
    /// Severity weight: [`WEIGHT_HEAVY`], [`WEIGHT_MODERATE`], [`WEIGHT_LIGHT`] or
    /// [`WEIGHT_TRIVIAL`].
    pub weight: u32,
    /// What it waits on.
    pub category: Category,
    /// What to use instead in async code (`tokio::fs::read`, `tokio::time::sleep`,
    /// `tokio::task::spawn_blocking`).
    pub alternative: &'static str,
    /// The audited shim under `aiocop::shim`, if there is one, as a path relative to
    /// `aiocop::shim`: `fs::read`, `fs::file::open`, `fs::file::read_to_end`.
    ///
    /// Shims mirror std's paths, a type becoming a module of its snake-cased name: the
    /// associated function `std::fs::File::open` is `aiocop::shim::fs::file::open`, the free
    /// function `std::os::unix::fs::symlink` is `aiocop::shim::os::unix::fs::symlink`. A method
    /// shim is a free function taking the receiver first, the way the std method takes `self`
    /// (see [`BlockingOp::self_kind`]), followed by the method's own parameters:
    /// `aiocop::shim::fs::file::read_to_end(&mut file, &mut buf)`.
    pub shim: Option<&'static str>,
    /// For a method, how it takes `self`, which is how its shim takes the receiver; `None` for a
    /// function.
    pub self_kind: Option<SelfKind>,
    /// For a method, whether it returns `()` or a `Result` of `()` (`File::lock`,
    /// `Write::write_all`): code that unwraps the result and uses it as a value with fields or
    /// methods (`mutex.lock().unwrap().insert(..)`) is calling some other type's method of the same
    /// name. Always false for functions.
    pub returns_unit: bool,
    /// For a method with a shim, how many arguments a call passes besides the receiver: a call
    /// of the same name with another count is some other type's method (`path.join("x")` is not
    /// `JoinHandle::join()`). `None` for functions and where unknown.
    pub arity: Option<u8>,
    /// The name of the entry's constant in this module (`STD_FS_READ`): code generated from the
    /// catalog (aiocop's probe table) refers to the entry by it.
    pub name: &'static str,
    /// The Rust types aiocop's probe for this operation matches on: a function's result type
    /// (written in its entry), or a method's receiver types (looked up in [`RECEIVER_TYPES`]).
    /// Empty where the catalog knows none: operations without a shim.
    pub probe_types: &'static [ProbeType],
}

/// A Rust type a probe matches on, as aiocop's generated probe table writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProbeType {
    /// The generic parameters the type is written with, comma-separated, lifetimes first: `""`,
    /// `"T"`, `"'s, T"`. A parameter that is a type (not a lifetime) means no constant stands for
    /// every instance of the type (see [`ProbeType::is_generic_over_a_type`]).
    pub generics: &'static str,
    /// The type, using those parameters: `std::io::Result<Vec<u8>>`,
    /// `std::thread::JoinHandle<T>`.
    pub ty: &'static str,
    /// For a receiver: whether events show the receiver's value (a path, a command, an address)
    /// as the call's first argument. Always false for a function's result type.
    pub described: bool,
}

impl ProbeType {
    /// Whether one of the type's generic parameters is a type rather than a lifetime
    /// (`Receiver<T>`, not `StdinLock<'l>`).
    pub fn is_generic_over_a_type(&self) -> bool {
        self.generics
            .split(',')
            .map(str::trim)
            .any(|param| !param.is_empty() && !param.starts_with('\''))
    }

    /// The same type, written with these generic parameters (for [`RECEIVER_TYPES`]).
    const fn over(self, generics: &'static str) -> ProbeType {
        ProbeType { generics, ..self }
    }
}

/// How a method takes its receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SelfKind {
    /// `&self`: the shim takes `&Receiver`.
    Ref,
    /// `&mut self`: the shim takes `&mut Receiver`.
    RefMut,
    /// `self`: the shim takes the receiver by value.
    Value,
}

/// Declares one named constant per entry and [`CATALOG`] listing them all, so the list cannot
/// miss a constant.
///
/// An entry is `NAME = function("path", returns "Result type")` (`returns ["T"] "T"` for a result
/// generic over `T`; no `returns` without a shim) or `NAME = method(SelfKind "receiver",
/// "method" [via "trait"] [, returns ()] [, args N])`, then the weight, category, alternative and
/// shim.
macro_rules! catalog {
    ($(
        $(#[$note:meta])*
        $name:ident = $kind:ident ( $($callee:tt)* ) $weight:ident $category:ident
            $alternative:literal $shim:expr;
    )*) => {
        $(
            define_op!(
                $(#[$note])* $name = $kind ( $($callee)* ) $weight $category $alternative $shim
            );
        )*

        /// Every known blocking operation.
        pub static CATALOG: &[BlockingOp] = &[$($name),*];
    };
}

macro_rules! define_op {
    (
        $(#[$note:meta])* $name:ident =
        function($path:literal $(, returns $([$generics:literal])? $result:literal)?)
        $weight:ident $category:ident $alternative:literal $shim:expr
    ) => {
        #[doc = concat!(
            "`", $path, "`: weight ", stringify!($weight), ", ", stringify!($category), "."
        )]
        $(#[$note])*
        pub const $name: BlockingOp = BlockingOp {
            event: $path,
            callee: Callee::Function { path: $path },
            weight: $weight,
            category: Category::$category,
            alternative: $alternative,
            shim: $shim,
            self_kind: None,
            returns_unit: false,
            arity: None,
            name: stringify!($name),
            probe_types: result_type!($($([$generics])? $result)?),
        };
    };
    (
        $(#[$note:meta])* $name:ident =
        method(
            $self_kind:ident $receiver:literal, $method:literal $(via $via:literal)?
            $(, returns $unit:tt)? $(, args $arity:literal)?
        )
        $weight:ident $category:ident $alternative:literal $shim:expr
    ) => {
        #[doc = concat!(
            "`", $receiver, "::", $method, "`: weight ", stringify!($weight), ", ",
            stringify!($category), "."
        )]
        $(#[$note])*
        pub const $name: BlockingOp = BlockingOp {
            event: concat!($receiver, "::", $method),
            callee: Callee::Method {
                receiver: $receiver,
                method: $method,
                via_trait: via!($($via)?),
            },
            weight: $weight,
            category: Category::$category,
            alternative: $alternative,
            shim: $shim,
            self_kind: Some(SelfKind::$self_kind),
            returns_unit: returns_unit!($($unit)?),
            arity: arity!($($arity)?),
            name: stringify!($name),
            probe_types: receiver_types($receiver),
        };
    };
}

/// `returns ()` marks a method returning `()` or a `Result` of `()`.
macro_rules! returns_unit {
    () => {
        false
    };
    (()) => {
        true
    };
}

/// `returns "Type"` (or `returns ["T"] "T"`, with generic parameters): a function's result type.
macro_rules! result_type {
    () => {
        &[]
    };
    ($result:literal) => {
        &[ProbeType {
            generics: "",
            ty: $result,
            described: false,
        }]
    };
    ([$generics:literal] $result:literal) => {
        &[ProbeType {
            generics: $generics,
            ty: $result,
            described: false,
        }]
    };
}

/// `args N`: the method's argument count.
macro_rules! arity {
    () => {
        None
    };
    ($n:literal) => {
        Some($n)
    };
}

macro_rules! via {
    () => {
        None
    };
    ($via:literal) => {
        Some($via)
    };
}

catalog! {
    // std::fs: free functions
    STD_FS_READ = function("std::fs::read", returns "std::io::Result<Vec<u8>>")
        MODERATE File "tokio::fs::read(path).await" Some("fs::read");
    STD_FS_READ_TO_STRING = function("std::fs::read_to_string", returns "std::io::Result<String>")
        MODERATE File "tokio::fs::read_to_string(path).await" Some("fs::read_to_string");
    STD_FS_WRITE = function("std::fs::write", returns "std::io::Result<()>")
        MODERATE File "tokio::fs::write(path, contents).await" Some("fs::write");
    STD_FS_COPY = function("std::fs::copy", returns "std::io::Result<u64>")
        MODERATE File "tokio::fs::copy(from, to).await" Some("fs::copy");
    STD_FS_RENAME = function("std::fs::rename", returns "std::io::Result<()>")
        MODERATE File "tokio::fs::rename(from, to).await" Some("fs::rename");
    STD_FS_REMOVE_FILE = function("std::fs::remove_file", returns "std::io::Result<()>")
        MODERATE File "tokio::fs::remove_file(path).await" Some("fs::remove_file");
    STD_FS_REMOVE_DIR = function("std::fs::remove_dir", returns "std::io::Result<()>")
        MODERATE File "tokio::fs::remove_dir(path).await" Some("fs::remove_dir");
    /// Walks and deletes a whole tree: unbounded in the tree's size.
    STD_FS_REMOVE_DIR_ALL = function("std::fs::remove_dir_all", returns "std::io::Result<()>")
        HEAVY File "tokio::fs::remove_dir_all(path).await" Some("fs::remove_dir_all");
    STD_FS_CREATE_DIR = function("std::fs::create_dir", returns "std::io::Result<()>")
        MODERATE File "tokio::fs::create_dir(path).await" Some("fs::create_dir");
    STD_FS_CREATE_DIR_ALL = function("std::fs::create_dir_all", returns "std::io::Result<()>")
        MODERATE File "tokio::fs::create_dir_all(path).await" Some("fs::create_dir_all");
    STD_FS_HARD_LINK = function("std::fs::hard_link", returns "std::io::Result<()>")
        MODERATE File "tokio::fs::hard_link(original, link).await" Some("fs::hard_link");
    STD_FS_READ_DIR = function("std::fs::read_dir", returns "std::io::Result<std::fs::ReadDir>")
        MODERATE File "tokio::fs::read_dir(path).await" Some("fs::read_dir");
    STD_FS_SET_PERMISSIONS = function("std::fs::set_permissions", returns "std::io::Result<()>")
        MODERATE File "tokio::fs::set_permissions(path, perm).await" Some("fs::set_permissions");
    STD_FS_METADATA = function("std::fs::metadata", returns "std::io::Result<std::fs::Metadata>")
        LIGHT FsMetadata "tokio::fs::metadata(path).await" Some("fs::metadata");
    STD_FS_SYMLINK_METADATA = function("std::fs::symlink_metadata", returns "std::io::Result<std::fs::Metadata>")
        LIGHT FsMetadata "tokio::fs::symlink_metadata(path).await" Some("fs::symlink_metadata");
    STD_FS_CANONICALIZE = function("std::fs::canonicalize", returns "std::io::Result<std::path::PathBuf>")
        LIGHT FsMetadata "tokio::fs::canonicalize(path).await" Some("fs::canonicalize");
    STD_FS_READ_LINK = function("std::fs::read_link", returns "std::io::Result<std::path::PathBuf>")
        LIGHT FsMetadata "tokio::fs::read_link(path).await" Some("fs::read_link");
    STD_FS_EXISTS = function("std::fs::exists", returns "std::io::Result<bool>")
        LIGHT FsMetadata "tokio::fs::try_exists(path).await" Some("fs::exists");

    // std::fs::File, OpenOptions, DirBuilder, DirEntry
    STD_FS_FILE_OPEN = function("std::fs::File::open", returns "std::io::Result<std::fs::File>")
        MODERATE File "tokio::fs::File::open(path).await" Some("fs::file::open");
    STD_FS_FILE_CREATE = function("std::fs::File::create", returns "std::io::Result<std::fs::File>")
        MODERATE File "tokio::fs::File::create(path).await" Some("fs::file::create");
    STD_FS_FILE_CREATE_NEW = function("std::fs::File::create_new", returns "std::io::Result<std::fs::File>")
        MODERATE File "tokio::fs::File::create_new(path).await" Some("fs::file::create_new");
    STD_FS_OPEN_OPTIONS_OPEN = method(Ref "std::fs::OpenOptions", "open", args 1)
        MODERATE File "tokio::fs::OpenOptions::open(path).await" Some("fs::open_options::open");
    STD_FS_DIR_BUILDER_CREATE = method(Ref "std::fs::DirBuilder", "create", args 1)
        MODERATE File "tokio::fs::DirBuilder::create(path).await" Some("fs::dir_builder::create");
    STD_FS_DIR_ENTRY_METADATA = method(Ref "std::fs::DirEntry", "metadata", args 0)
        LIGHT FsMetadata "tokio::fs::DirEntry::metadata(..).await" Some("fs::dir_entry::metadata");
    STD_FS_FILE_SYNC_ALL = method(Ref "std::fs::File", "sync_all", returns (), args 0)
        MODERATE File "tokio::fs::File::sync_all(..).await" Some("fs::file::sync_all");
    STD_FS_FILE_SYNC_DATA = method(Ref "std::fs::File", "sync_data", returns (), args 0)
        MODERATE File "tokio::fs::File::sync_data(..).await" Some("fs::file::sync_data");
    STD_FS_FILE_SET_LEN = method(Ref "std::fs::File", "set_len", returns (), args 1)
        MODERATE File "tokio::fs::File::set_len(..).await" Some("fs::file::set_len");
    STD_FS_FILE_SET_PERMISSIONS = method(Ref "std::fs::File", "set_permissions", returns (), args 1)
        MODERATE File "tokio::fs::File::set_permissions(..).await" Some("fs::file::set_permissions");
    STD_FS_FILE_SET_TIMES = method(Ref "std::fs::File", "set_times", returns (), args 1)
        MODERATE File "tokio::task::spawn_blocking(move || file.set_times(times)).await" Some("fs::file::set_times");
    STD_FS_FILE_SET_MODIFIED = method(Ref "std::fs::File", "set_modified", returns (), args 1)
        MODERATE File "tokio::task::spawn_blocking(move || file.set_modified(time)).await" Some("fs::file::set_modified");
    STD_FS_FILE_METADATA = method(Ref "std::fs::File", "metadata", args 0)
        LIGHT FsMetadata "tokio::fs::File::metadata(..).await" Some("fs::file::metadata");
    /// Heavy, unlike `try_lock`: waits for another process to release the lock, without a bound.
    STD_FS_FILE_LOCK = method(Ref "std::fs::File", "lock", returns (), args 0)
        HEAVY File "tokio::task::spawn_blocking(move || file.lock()).await" Some("fs::file::lock");
    /// Heavy, unlike `try_lock_shared`: waits for an exclusive holder to release the lock.
    STD_FS_FILE_LOCK_SHARED = method(Ref "std::fs::File", "lock_shared", returns (), args 0)
        HEAVY File "tokio::task::spawn_blocking(move || file.lock_shared()).await" Some("fs::file::lock_shared");
    STD_FS_FILE_TRY_LOCK = method(Ref "std::fs::File", "try_lock", returns (), args 0)
        LIGHT File "tokio::task::spawn_blocking(move || file.try_lock()).await" Some("fs::file::try_lock");
    STD_FS_FILE_TRY_LOCK_SHARED = method(Ref "std::fs::File", "try_lock_shared", returns (), args 0)
        LIGHT File "tokio::task::spawn_blocking(move || file.try_lock_shared()).await" Some("fs::file::try_lock_shared");
    STD_FS_FILE_READ = method(RefMut "std::fs::File", "read" via "std::io::Read", args 1)
        MODERATE File "tokio::io::AsyncReadExt::read on a tokio::fs::File" Some("fs::file::read");
    STD_FS_FILE_READ_VECTORED = method(RefMut "std::fs::File", "read_vectored" via "std::io::Read", args 1)
        MODERATE File "tokio::io::AsyncReadExt::read on a tokio::fs::File" Some("fs::file::read_vectored");
    STD_FS_FILE_READ_TO_END = method(RefMut "std::fs::File", "read_to_end" via "std::io::Read", args 1)
        MODERATE File "tokio::io::AsyncReadExt::read_to_end on a tokio::fs::File" Some("fs::file::read_to_end");
    STD_FS_FILE_READ_TO_STRING = method(RefMut "std::fs::File", "read_to_string" via "std::io::Read", args 1)
        MODERATE File "tokio::io::AsyncReadExt::read_to_string on a tokio::fs::File" Some("fs::file::read_to_string");
    STD_FS_FILE_READ_EXACT = method(RefMut "std::fs::File", "read_exact" via "std::io::Read", returns (), args 1)
        MODERATE File "tokio::io::AsyncReadExt::read_exact on a tokio::fs::File" Some("fs::file::read_exact");
    STD_FS_FILE_WRITE = method(RefMut "std::fs::File", "write" via "std::io::Write", args 1)
        MODERATE File "tokio::io::AsyncWriteExt::write on a tokio::fs::File" Some("fs::file::write");
    STD_FS_FILE_WRITE_VECTORED = method(RefMut "std::fs::File", "write_vectored" via "std::io::Write", args 1)
        MODERATE File "tokio::io::AsyncWriteExt::write_vectored on a tokio::fs::File" Some("fs::file::write_vectored");
    STD_FS_FILE_WRITE_ALL = method(RefMut "std::fs::File", "write_all" via "std::io::Write", returns (), args 1)
        MODERATE File "tokio::io::AsyncWriteExt::write_all on a tokio::fs::File" Some("fs::file::write_all");
    STD_FS_FILE_WRITE_FMT = method(RefMut "std::fs::File", "write_fmt" via "std::io::Write", returns (), args 1)
        MODERATE File "tokio::io::AsyncWriteExt::write_all (of the formatted text) on a tokio::fs::File" Some("fs::file::write_fmt");
    STD_FS_FILE_READ_AT = method(Ref "std::fs::File", "read_at" via "std::os::unix::fs::FileExt", args 2)
        MODERATE File "tokio::task::spawn_blocking(move || file.read_at(buf, offset)).await" Some("fs::file::read_at");
    STD_FS_FILE_WRITE_AT = method(Ref "std::fs::File", "write_at" via "std::os::unix::fs::FileExt", args 2)
        MODERATE File "tokio::task::spawn_blocking(move || file.write_at(buf, offset)).await" Some("fs::file::write_at");
    STD_FS_FILE_READ_EXACT_AT = method(Ref "std::fs::File", "read_exact_at" via "std::os::unix::fs::FileExt", returns (), args 2)
        MODERATE File "tokio::task::spawn_blocking(move || file.read_exact_at(buf, offset)).await" Some("fs::file::read_exact_at");
    STD_FS_FILE_WRITE_ALL_AT = method(Ref "std::fs::File", "write_all_at" via "std::os::unix::fs::FileExt", returns (), args 2)
        MODERATE File "tokio::task::spawn_blocking(move || file.write_all_at(buf, offset)).await" Some("fs::file::write_all_at");

    // std::os::unix::fs
    STD_OS_UNIX_FS_SYMLINK = function("std::os::unix::fs::symlink", returns "std::io::Result<()>")
        MODERATE File "tokio::fs::symlink(original, link).await" Some("os::unix::fs::symlink");
    STD_OS_UNIX_FS_CHOWN = function("std::os::unix::fs::chown", returns "std::io::Result<()>")
        MODERATE File "tokio::task::spawn_blocking(move || std::os::unix::fs::chown(..)).await" Some("os::unix::fs::chown");
    STD_OS_UNIX_FS_FCHOWN = function("std::os::unix::fs::fchown", returns "std::io::Result<()>")
        MODERATE File "tokio::task::spawn_blocking(move || std::os::unix::fs::fchown(..)).await" Some("os::unix::fs::fchown");
    STD_OS_UNIX_FS_LCHOWN = function("std::os::unix::fs::lchown", returns "std::io::Result<()>")
        MODERATE File "tokio::task::spawn_blocking(move || std::os::unix::fs::lchown(..)).await" Some("os::unix::fs::lchown");

    // std::path::Path: methods that touch the file system
    STD_PATH_PATH_EXISTS = method(Ref "std::path::Path", "exists", args 0)
        LIGHT FsMetadata "tokio::fs::try_exists(path).await" Some("path::path::exists");
    STD_PATH_PATH_TRY_EXISTS = method(Ref "std::path::Path", "try_exists", args 0)
        LIGHT FsMetadata "tokio::fs::try_exists(path).await" Some("path::path::try_exists");
    STD_PATH_PATH_IS_FILE = method(Ref "std::path::Path", "is_file", args 0)
        LIGHT FsMetadata "tokio::fs::metadata(path).await.is_ok_and(|m| m.is_file())" Some("path::path::is_file");
    STD_PATH_PATH_IS_DIR = method(Ref "std::path::Path", "is_dir", args 0)
        LIGHT FsMetadata "tokio::fs::metadata(path).await.is_ok_and(|m| m.is_dir())" Some("path::path::is_dir");
    STD_PATH_PATH_IS_SYMLINK = method(Ref "std::path::Path", "is_symlink", args 0)
        LIGHT FsMetadata "tokio::fs::symlink_metadata(path).await.is_ok_and(|m| m.is_symlink())" Some("path::path::is_symlink");
    STD_PATH_PATH_METADATA = method(Ref "std::path::Path", "metadata", args 0)
        LIGHT FsMetadata "tokio::fs::metadata(path).await" Some("path::path::metadata");
    STD_PATH_PATH_SYMLINK_METADATA = method(Ref "std::path::Path", "symlink_metadata", args 0)
        LIGHT FsMetadata "tokio::fs::symlink_metadata(path).await" Some("path::path::symlink_metadata");
    STD_PATH_PATH_CANONICALIZE = method(Ref "std::path::Path", "canonicalize", args 0)
        LIGHT FsMetadata "tokio::fs::canonicalize(path).await" Some("path::path::canonicalize");
    STD_PATH_PATH_READ_LINK = method(Ref "std::path::Path", "read_link", args 0)
        LIGHT FsMetadata "tokio::fs::read_link(path).await" Some("path::path::read_link");
    STD_PATH_PATH_READ_DIR = method(Ref "std::path::Path", "read_dir", args 0)
        MODERATE File "tokio::fs::read_dir(path).await" Some("path::path::read_dir");

    // std::env and std::path: the working directory
    STD_ENV_CURRENT_DIR = function("std::env::current_dir", returns "std::io::Result<std::path::PathBuf>")
        TRIVIAL FsMetadata "read it once at start-up, or tokio::task::spawn_blocking" Some("env::current_dir");
    STD_ENV_SET_CURRENT_DIR = function("std::env::set_current_dir", returns "std::io::Result<()>")
        LIGHT FsMetadata "pass absolute paths instead of changing the process-wide directory" Some("env::set_current_dir");
    STD_PATH_ABSOLUTE = function("std::path::absolute", returns "std::io::Result<std::path::PathBuf>")
        TRIVIAL FsMetadata "read the current directory once at start-up, or tokio::task::spawn_blocking" Some("path::absolute");

    // std::net
    /// Resolves host names with `getaddrinfo`, whatever the implementing type (`str`, `String`,
    /// `(&str, u16)`, …): the receiver here is the trait itself.
    STD_NET_TO_SOCKET_ADDRS_TO_SOCKET_ADDRS = method(Ref "std::net::ToSocketAddrs", "to_socket_addrs" via "std::net::ToSocketAddrs", args 0)
        HEAVY Dns "tokio::net::lookup_host(addr).await" Some("net::to_socket_addrs");
    STD_NET_TCP_STREAM_CONNECT = function("std::net::TcpStream::connect", returns "std::io::Result<std::net::TcpStream>")
        HEAVY Network "tokio::net::TcpStream::connect(addr).await" Some("net::tcp_stream::connect");
    STD_NET_TCP_STREAM_CONNECT_TIMEOUT = function("std::net::TcpStream::connect_timeout", returns "std::io::Result<std::net::TcpStream>")
        HEAVY Network "tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await" Some("net::tcp_stream::connect_timeout");
    STD_NET_TCP_STREAM_READ = method(RefMut "std::net::TcpStream", "read" via "std::io::Read", args 1)
        MODERATE Network "tokio::io::AsyncReadExt::read on a tokio::net::TcpStream" Some("net::tcp_stream::read");
    STD_NET_TCP_STREAM_READ_VECTORED = method(RefMut "std::net::TcpStream", "read_vectored" via "std::io::Read", args 1)
        MODERATE Network "tokio::io::AsyncReadExt::read on a tokio::net::TcpStream" Some("net::tcp_stream::read_vectored");
    STD_NET_TCP_STREAM_READ_TO_END = method(RefMut "std::net::TcpStream", "read_to_end" via "std::io::Read", args 1)
        MODERATE Network "tokio::io::AsyncReadExt::read_to_end on a tokio::net::TcpStream" Some("net::tcp_stream::read_to_end");
    STD_NET_TCP_STREAM_READ_TO_STRING = method(RefMut "std::net::TcpStream", "read_to_string" via "std::io::Read", args 1)
        MODERATE Network "tokio::io::AsyncReadExt::read_to_string on a tokio::net::TcpStream" Some("net::tcp_stream::read_to_string");
    STD_NET_TCP_STREAM_READ_EXACT = method(RefMut "std::net::TcpStream", "read_exact" via "std::io::Read", returns (), args 1)
        MODERATE Network "tokio::io::AsyncReadExt::read_exact on a tokio::net::TcpStream" Some("net::tcp_stream::read_exact");
    STD_NET_TCP_STREAM_WRITE = method(RefMut "std::net::TcpStream", "write" via "std::io::Write", args 1)
        MODERATE Network "tokio::io::AsyncWriteExt::write on a tokio::net::TcpStream" Some("net::tcp_stream::write");
    STD_NET_TCP_STREAM_WRITE_VECTORED = method(RefMut "std::net::TcpStream", "write_vectored" via "std::io::Write", args 1)
        MODERATE Network "tokio::io::AsyncWriteExt::write_vectored on a tokio::net::TcpStream" Some("net::tcp_stream::write_vectored");
    STD_NET_TCP_STREAM_WRITE_ALL = method(RefMut "std::net::TcpStream", "write_all" via "std::io::Write", returns (), args 1)
        MODERATE Network "tokio::io::AsyncWriteExt::write_all on a tokio::net::TcpStream" Some("net::tcp_stream::write_all");
    STD_NET_TCP_STREAM_WRITE_FMT = method(RefMut "std::net::TcpStream", "write_fmt" via "std::io::Write", returns (), args 1)
        MODERATE Network "tokio::io::AsyncWriteExt::write_all (of the formatted text) on a tokio::net::TcpStream" Some("net::tcp_stream::write_fmt");
    STD_NET_TCP_STREAM_PEEK = method(Ref "std::net::TcpStream", "peek", args 1)
        MODERATE Network "tokio::net::TcpStream::peek(..).await" Some("net::tcp_stream::peek");
    STD_NET_TCP_LISTENER_BIND = function("std::net::TcpListener::bind", returns "std::io::Result<std::net::TcpListener>")
        TRIVIAL Network "tokio::net::TcpListener::bind(addr).await" Some("net::tcp_listener::bind");
    STD_NET_TCP_LISTENER_ACCEPT = method(Ref "std::net::TcpListener", "accept", args 0)
        HEAVY Network "tokio::net::TcpListener::accept(..).await" Some("net::tcp_listener::accept");
    /// Recorded when the iterator is made: every `next` on it blocks in `accept`.
    STD_NET_TCP_LISTENER_INCOMING = method(Ref "std::net::TcpListener", "incoming", args 0)
        HEAVY Network "loop over tokio::net::TcpListener::accept(..).await" Some("net::tcp_listener::incoming");
    STD_NET_UDP_SOCKET_BIND = function("std::net::UdpSocket::bind", returns "std::io::Result<std::net::UdpSocket>")
        TRIVIAL Network "tokio::net::UdpSocket::bind(addr).await" Some("net::udp_socket::bind");
    /// Light: connecting a datagram socket only sets its default peer (a host name is still resolved).
    STD_NET_UDP_SOCKET_CONNECT = method(Ref "std::net::UdpSocket", "connect", args 1)
        LIGHT Network "tokio::net::UdpSocket::connect(addr).await" Some("net::udp_socket::connect");
    STD_NET_UDP_SOCKET_SEND = method(Ref "std::net::UdpSocket", "send", args 1)
        MODERATE Network "tokio::net::UdpSocket::send(..).await" Some("net::udp_socket::send");
    STD_NET_UDP_SOCKET_SEND_TO = method(Ref "std::net::UdpSocket", "send_to", args 2)
        MODERATE Network "tokio::net::UdpSocket::send_to(..).await" Some("net::udp_socket::send_to");
    STD_NET_UDP_SOCKET_RECV = method(Ref "std::net::UdpSocket", "recv", args 1)
        MODERATE Network "tokio::net::UdpSocket::recv(..).await" Some("net::udp_socket::recv");
    STD_NET_UDP_SOCKET_RECV_FROM = method(Ref "std::net::UdpSocket", "recv_from", args 1)
        MODERATE Network "tokio::net::UdpSocket::recv_from(..).await" Some("net::udp_socket::recv_from");
    STD_NET_UDP_SOCKET_PEEK = method(Ref "std::net::UdpSocket", "peek", args 1)
        MODERATE Network "tokio::net::UdpSocket::peek(..).await" Some("net::udp_socket::peek");
    STD_NET_UDP_SOCKET_PEEK_FROM = method(Ref "std::net::UdpSocket", "peek_from", args 1)
        MODERATE Network "tokio::net::UdpSocket::peek_from(..).await" Some("net::udp_socket::peek_from");

    // std::os::unix::net
    STD_OS_UNIX_NET_UNIX_STREAM_CONNECT = function("std::os::unix::net::UnixStream::connect", returns "std::io::Result<std::os::unix::net::UnixStream>")
        HEAVY Network "tokio::net::UnixStream::connect(path).await" Some("os::unix::net::unix_stream::connect");
    STD_OS_UNIX_NET_UNIX_STREAM_CONNECT_ADDR = function("std::os::unix::net::UnixStream::connect_addr", returns "std::io::Result<std::os::unix::net::UnixStream>")
        HEAVY Network "tokio::net::UnixStream::connect(path).await" Some("os::unix::net::unix_stream::connect_addr");
    STD_OS_UNIX_NET_UNIX_STREAM_READ = method(RefMut "std::os::unix::net::UnixStream", "read" via "std::io::Read", args 1)
        MODERATE Network "tokio::io::AsyncReadExt::read on a tokio::net::UnixStream" Some("os::unix::net::unix_stream::read");
    STD_OS_UNIX_NET_UNIX_STREAM_READ_VECTORED = method(RefMut "std::os::unix::net::UnixStream", "read_vectored" via "std::io::Read", args 1)
        MODERATE Network "tokio::io::AsyncReadExt::read on a tokio::net::UnixStream" Some("os::unix::net::unix_stream::read_vectored");
    STD_OS_UNIX_NET_UNIX_STREAM_READ_TO_END = method(RefMut "std::os::unix::net::UnixStream", "read_to_end" via "std::io::Read", args 1)
        MODERATE Network "tokio::io::AsyncReadExt::read_to_end on a tokio::net::UnixStream" Some("os::unix::net::unix_stream::read_to_end");
    STD_OS_UNIX_NET_UNIX_STREAM_READ_TO_STRING = method(RefMut "std::os::unix::net::UnixStream", "read_to_string" via "std::io::Read", args 1)
        MODERATE Network "tokio::io::AsyncReadExt::read_to_string on a tokio::net::UnixStream" Some("os::unix::net::unix_stream::read_to_string");
    STD_OS_UNIX_NET_UNIX_STREAM_READ_EXACT = method(RefMut "std::os::unix::net::UnixStream", "read_exact" via "std::io::Read", returns (), args 1)
        MODERATE Network "tokio::io::AsyncReadExt::read_exact on a tokio::net::UnixStream" Some("os::unix::net::unix_stream::read_exact");
    STD_OS_UNIX_NET_UNIX_STREAM_WRITE = method(RefMut "std::os::unix::net::UnixStream", "write" via "std::io::Write", args 1)
        MODERATE Network "tokio::io::AsyncWriteExt::write on a tokio::net::UnixStream" Some("os::unix::net::unix_stream::write");
    STD_OS_UNIX_NET_UNIX_STREAM_WRITE_VECTORED = method(RefMut "std::os::unix::net::UnixStream", "write_vectored" via "std::io::Write", args 1)
        MODERATE Network "tokio::io::AsyncWriteExt::write_vectored on a tokio::net::UnixStream" Some("os::unix::net::unix_stream::write_vectored");
    STD_OS_UNIX_NET_UNIX_STREAM_WRITE_ALL = method(RefMut "std::os::unix::net::UnixStream", "write_all" via "std::io::Write", returns (), args 1)
        MODERATE Network "tokio::io::AsyncWriteExt::write_all on a tokio::net::UnixStream" Some("os::unix::net::unix_stream::write_all");
    STD_OS_UNIX_NET_UNIX_STREAM_WRITE_FMT = method(RefMut "std::os::unix::net::UnixStream", "write_fmt" via "std::io::Write", returns (), args 1)
        MODERATE Network "tokio::io::AsyncWriteExt::write_all (of the formatted text) on a tokio::net::UnixStream" Some("os::unix::net::unix_stream::write_fmt");
    STD_OS_UNIX_NET_UNIX_LISTENER_BIND = function("std::os::unix::net::UnixListener::bind", returns "std::io::Result<std::os::unix::net::UnixListener>")
        TRIVIAL Network "tokio::net::UnixListener::bind(path)" Some("os::unix::net::unix_listener::bind");
    STD_OS_UNIX_NET_UNIX_LISTENER_BIND_ADDR = function("std::os::unix::net::UnixListener::bind_addr", returns "std::io::Result<std::os::unix::net::UnixListener>")
        TRIVIAL Network "tokio::net::UnixListener::bind(path)" Some("os::unix::net::unix_listener::bind_addr");
    STD_OS_UNIX_NET_UNIX_LISTENER_ACCEPT = method(Ref "std::os::unix::net::UnixListener", "accept", args 0)
        HEAVY Network "tokio::net::UnixListener::accept(..).await" Some("os::unix::net::unix_listener::accept");
    /// Recorded when the iterator is made: every `next` on it blocks in `accept`.
    STD_OS_UNIX_NET_UNIX_LISTENER_INCOMING = method(Ref "std::os::unix::net::UnixListener", "incoming", args 0)
        HEAVY Network "loop over tokio::net::UnixListener::accept(..).await" Some("os::unix::net::unix_listener::incoming");
    STD_OS_UNIX_NET_UNIX_DATAGRAM_BIND = function("std::os::unix::net::UnixDatagram::bind", returns "std::io::Result<std::os::unix::net::UnixDatagram>")
        TRIVIAL Network "tokio::net::UnixDatagram::bind(path)" Some("os::unix::net::unix_datagram::bind");
    STD_OS_UNIX_NET_UNIX_DATAGRAM_BIND_ADDR = function("std::os::unix::net::UnixDatagram::bind_addr", returns "std::io::Result<std::os::unix::net::UnixDatagram>")
        TRIVIAL Network "tokio::net::UnixDatagram::bind(path)" Some("os::unix::net::unix_datagram::bind_addr");
    STD_OS_UNIX_NET_UNIX_DATAGRAM_CONNECT = method(Ref "std::os::unix::net::UnixDatagram", "connect", args 1)
        LIGHT Network "tokio::net::UnixDatagram::connect(path)" Some("os::unix::net::unix_datagram::connect");
    STD_OS_UNIX_NET_UNIX_DATAGRAM_CONNECT_ADDR = method(Ref "std::os::unix::net::UnixDatagram", "connect_addr", args 1)
        LIGHT Network "tokio::net::UnixDatagram::connect(path)" Some("os::unix::net::unix_datagram::connect_addr");
    STD_OS_UNIX_NET_UNIX_DATAGRAM_SEND = method(Ref "std::os::unix::net::UnixDatagram", "send", args 1)
        MODERATE Network "tokio::net::UnixDatagram::send(..).await" Some("os::unix::net::unix_datagram::send");
    STD_OS_UNIX_NET_UNIX_DATAGRAM_SEND_TO = method(Ref "std::os::unix::net::UnixDatagram", "send_to", args 2)
        MODERATE Network "tokio::net::UnixDatagram::send_to(..).await" Some("os::unix::net::unix_datagram::send_to");
    STD_OS_UNIX_NET_UNIX_DATAGRAM_SEND_TO_ADDR = method(Ref "std::os::unix::net::UnixDatagram", "send_to_addr", args 2)
        MODERATE Network "tokio::net::UnixDatagram::send_to(..).await" Some("os::unix::net::unix_datagram::send_to_addr");
    STD_OS_UNIX_NET_UNIX_DATAGRAM_RECV = method(Ref "std::os::unix::net::UnixDatagram", "recv", args 1)
        MODERATE Network "tokio::net::UnixDatagram::recv(..).await" Some("os::unix::net::unix_datagram::recv");
    STD_OS_UNIX_NET_UNIX_DATAGRAM_RECV_FROM = method(Ref "std::os::unix::net::UnixDatagram", "recv_from", args 1)
        MODERATE Network "tokio::net::UnixDatagram::recv_from(..).await" Some("os::unix::net::unix_datagram::recv_from");

    // std::process
    STD_PROCESS_COMMAND_OUTPUT = method(RefMut "std::process::Command", "output", args 0)
        HEAVY Process "tokio::process::Command::output(..).await" Some("process::command::output");
    STD_PROCESS_COMMAND_STATUS = method(RefMut "std::process::Command", "status", args 0)
        HEAVY Process "tokio::process::Command::status(..).await" Some("process::command::status");
    /// Heavy: forking and executing a program takes milliseconds.
    STD_PROCESS_COMMAND_SPAWN = method(RefMut "std::process::Command", "spawn", args 0)
        HEAVY Process "tokio::process::Command::spawn(..), then .wait().await" Some("process::command::spawn");
    STD_PROCESS_CHILD_WAIT = method(RefMut "std::process::Child", "wait", args 0)
        HEAVY Process "tokio::process::Child::wait(..).await" Some("process::child::wait");
    STD_PROCESS_CHILD_WAIT_WITH_OUTPUT = method(Value "std::process::Child", "wait_with_output", args 0)
        HEAVY Process "tokio::process::Child::wait_with_output(..).await" Some("process::child::wait_with_output");
    STD_PROCESS_CHILD_KILL = method(RefMut "std::process::Child", "kill", returns (), args 0)
        LIGHT Process "tokio::process::Child::kill(..).await" Some("process::child::kill");
    STD_PROCESS_CHILD_STDOUT_READ = method(RefMut "std::process::ChildStdout", "read" via "std::io::Read", args 1)
        MODERATE Process "tokio::io::AsyncReadExt::read on a tokio::process::ChildStdout" Some("process::child_stdout::read");
    STD_PROCESS_CHILD_STDOUT_READ_TO_END = method(RefMut "std::process::ChildStdout", "read_to_end" via "std::io::Read", args 1)
        MODERATE Process "tokio::io::AsyncReadExt::read_to_end on a tokio::process::ChildStdout" Some("process::child_stdout::read_to_end");
    STD_PROCESS_CHILD_STDOUT_READ_TO_STRING = method(RefMut "std::process::ChildStdout", "read_to_string" via "std::io::Read", args 1)
        MODERATE Process "tokio::io::AsyncReadExt::read_to_string on a tokio::process::ChildStdout" Some("process::child_stdout::read_to_string");
    STD_PROCESS_CHILD_STDOUT_READ_EXACT = method(RefMut "std::process::ChildStdout", "read_exact" via "std::io::Read", returns (), args 1)
        MODERATE Process "tokio::io::AsyncReadExt::read_exact on a tokio::process::ChildStdout" Some("process::child_stdout::read_exact");
    STD_PROCESS_CHILD_STDERR_READ = method(RefMut "std::process::ChildStderr", "read" via "std::io::Read", args 1)
        MODERATE Process "tokio::io::AsyncReadExt::read on a tokio::process::ChildStderr" Some("process::child_stderr::read");
    STD_PROCESS_CHILD_STDERR_READ_TO_END = method(RefMut "std::process::ChildStderr", "read_to_end" via "std::io::Read", args 1)
        MODERATE Process "tokio::io::AsyncReadExt::read_to_end on a tokio::process::ChildStderr" Some("process::child_stderr::read_to_end");
    STD_PROCESS_CHILD_STDERR_READ_TO_STRING = method(RefMut "std::process::ChildStderr", "read_to_string" via "std::io::Read", args 1)
        MODERATE Process "tokio::io::AsyncReadExt::read_to_string on a tokio::process::ChildStderr" Some("process::child_stderr::read_to_string");
    STD_PROCESS_CHILD_STDERR_READ_EXACT = method(RefMut "std::process::ChildStderr", "read_exact" via "std::io::Read", returns (), args 1)
        MODERATE Process "tokio::io::AsyncReadExt::read_exact on a tokio::process::ChildStderr" Some("process::child_stderr::read_exact");
    STD_PROCESS_CHILD_STDIN_WRITE = method(RefMut "std::process::ChildStdin", "write" via "std::io::Write", args 1)
        MODERATE Process "tokio::io::AsyncWriteExt::write on a tokio::process::ChildStdin" Some("process::child_stdin::write");
    STD_PROCESS_CHILD_STDIN_WRITE_ALL = method(RefMut "std::process::ChildStdin", "write_all" via "std::io::Write", returns (), args 1)
        MODERATE Process "tokio::io::AsyncWriteExt::write_all on a tokio::process::ChildStdin" Some("process::child_stdin::write_all");

    // std::thread
    STD_THREAD_SLEEP = function("std::thread::sleep", returns "()")
        HEAVY Sleep "tokio::time::sleep(dur).await" Some("thread::sleep");
    STD_THREAD_PARK = function("std::thread::park", returns "()")
        HEAVY SyncPrimitive "tokio::sync::Notify::notified(..).await" Some("thread::park");
    STD_THREAD_PARK_TIMEOUT = function("std::thread::park_timeout", returns "()")
        HEAVY SyncPrimitive "tokio::time::timeout(dur, notify.notified()).await" Some("thread::park_timeout");
    /// Returns only after every thread spawned in the scope has finished.
    STD_THREAD_SCOPE = function("std::thread::scope", returns ["T"] "T")
        HEAVY SyncPrimitive "tokio::task::spawn_blocking(move || std::thread::scope(..)).await" Some("thread::scope");
    STD_THREAD_JOIN_HANDLE_JOIN = method(Value "std::thread::JoinHandle", "join", args 0)
        HEAVY SyncPrimitive "tokio::task::spawn_blocking(..).await, or a tokio::sync::oneshot channel" Some("thread::join_handle::join");
    STD_THREAD_SCOPED_JOIN_HANDLE_JOIN = method(Value "std::thread::ScopedJoinHandle", "join", args 0)
        HEAVY SyncPrimitive "tokio::task::spawn_blocking(..).await" Some("thread::scoped_join_handle::join");

    // std::sync
    STD_SYNC_MPSC_RECEIVER_RECV = method(Ref "std::sync::mpsc::Receiver", "recv", args 0)
        HEAVY SyncPrimitive "tokio::sync::mpsc::Receiver::recv(..).await" Some("sync::mpsc::receiver::recv");
    STD_SYNC_MPSC_RECEIVER_RECV_TIMEOUT = method(Ref "std::sync::mpsc::Receiver", "recv_timeout", args 1)
        HEAVY SyncPrimitive "tokio::time::timeout(dur, rx.recv()).await on a tokio::sync::mpsc::Receiver" Some("sync::mpsc::receiver::recv_timeout");
    /// Recorded when the iterator is made: every `next` on it blocks in `recv`.
    STD_SYNC_MPSC_RECEIVER_ITER = method(Ref "std::sync::mpsc::Receiver", "iter", args 0)
        HEAVY SyncPrimitive "while let Some(v) = rx.recv().await on a tokio::sync::mpsc::Receiver" Some("sync::mpsc::receiver::iter");
    /// Blocks while the bounded channel is full.
    STD_SYNC_MPSC_SYNC_SENDER_SEND = method(Ref "std::sync::mpsc::SyncSender", "send", args 1)
        HEAVY SyncPrimitive "tokio::sync::mpsc::Sender::send(..).await" Some("sync::mpsc::sync_sender::send");
    STD_SYNC_CONDVAR_WAIT = method(Ref "std::sync::Condvar", "wait", args 1)
        HEAVY SyncPrimitive "tokio::sync::Notify::notified(..).await" Some("sync::condvar::wait");
    STD_SYNC_CONDVAR_WAIT_WHILE = method(Ref "std::sync::Condvar", "wait_while", args 2)
        HEAVY SyncPrimitive "tokio::sync::Notify::notified(..).await" Some("sync::condvar::wait_while");
    STD_SYNC_CONDVAR_WAIT_TIMEOUT = method(Ref "std::sync::Condvar", "wait_timeout", args 2)
        HEAVY SyncPrimitive "tokio::sync::Notify::notified(..).await" Some("sync::condvar::wait_timeout");
    STD_SYNC_CONDVAR_WAIT_TIMEOUT_WHILE = method(Ref "std::sync::Condvar", "wait_timeout_while", args 3)
        HEAVY SyncPrimitive "tokio::sync::Notify::notified(..).await" Some("sync::condvar::wait_timeout_while");
    STD_SYNC_BARRIER_WAIT = method(Ref "std::sync::Barrier", "wait", args 0)
        HEAVY SyncPrimitive "tokio::sync::Barrier::wait(..).await" Some("sync::barrier::wait");

    // std::io: standard input and buffered file reads
    STD_IO_STDIN_READ_LINE = method(Ref "std::io::Stdin", "read_line", args 1)
        HEAVY Stdin "tokio::io::AsyncBufReadExt::read_line on tokio::io::BufReader::new(tokio::io::stdin())" Some("io::stdin::read_line");
    /// Recorded when the iterator is made: every `next` on it waits for a line.
    STD_IO_STDIN_LINES = method(Value "std::io::Stdin", "lines", args 0)
        HEAVY Stdin "tokio::io::AsyncBufReadExt::lines on tokio::io::BufReader::new(tokio::io::stdin())" Some("io::stdin::lines");
    STD_IO_STDIN_READ = method(RefMut "std::io::Stdin", "read" via "std::io::Read", args 1)
        HEAVY Stdin "tokio::io::AsyncReadExt::read on tokio::io::stdin()" Some("io::stdin::read");
    STD_IO_STDIN_READ_TO_END = method(RefMut "std::io::Stdin", "read_to_end" via "std::io::Read", args 1)
        HEAVY Stdin "tokio::io::AsyncReadExt::read_to_end on tokio::io::stdin()" Some("io::stdin::read_to_end");
    STD_IO_STDIN_READ_TO_STRING = method(RefMut "std::io::Stdin", "read_to_string" via "std::io::Read", args 1)
        HEAVY Stdin "tokio::io::AsyncReadExt::read_to_string on tokio::io::stdin()" Some("io::stdin::read_to_string");
    STD_IO_STDIN_READ_EXACT = method(RefMut "std::io::Stdin", "read_exact" via "std::io::Read", returns (), args 1)
        HEAVY Stdin "tokio::io::AsyncReadExt::read_exact on tokio::io::stdin()" Some("io::stdin::read_exact");
    STD_IO_STDIN_LOCK_READ_LINE = method(RefMut "std::io::StdinLock", "read_line" via "std::io::BufRead", args 1)
        HEAVY Stdin "tokio::io::AsyncBufReadExt::read_line on tokio::io::BufReader::new(tokio::io::stdin())" Some("io::stdin_lock::read_line");
    STD_IO_STDIN_LOCK_READ_UNTIL = method(RefMut "std::io::StdinLock", "read_until" via "std::io::BufRead", args 2)
        HEAVY Stdin "tokio::io::AsyncBufReadExt::read_until on tokio::io::BufReader::new(tokio::io::stdin())" Some("io::stdin_lock::read_until");
    /// Recorded when the iterator is made: every `next` on it waits for a line.
    STD_IO_STDIN_LOCK_LINES = method(Value "std::io::StdinLock", "lines" via "std::io::BufRead", args 0)
        HEAVY Stdin "tokio::io::AsyncBufReadExt::lines on tokio::io::BufReader::new(tokio::io::stdin())" Some("io::stdin_lock::lines");
    STD_IO_STDIN_LOCK_READ = method(RefMut "std::io::StdinLock", "read" via "std::io::Read", args 1)
        HEAVY Stdin "tokio::io::AsyncReadExt::read on tokio::io::stdin()" Some("io::stdin_lock::read");
    STD_IO_STDIN_LOCK_READ_TO_END = method(RefMut "std::io::StdinLock", "read_to_end" via "std::io::Read", args 1)
        HEAVY Stdin "tokio::io::AsyncReadExt::read_to_end on tokio::io::stdin()" Some("io::stdin_lock::read_to_end");
    STD_IO_STDIN_LOCK_READ_TO_STRING = method(RefMut "std::io::StdinLock", "read_to_string" via "std::io::Read", args 1)
        HEAVY Stdin "tokio::io::AsyncReadExt::read_to_string on tokio::io::stdin()" Some("io::stdin_lock::read_to_string");
    STD_IO_STDIN_LOCK_READ_EXACT = method(RefMut "std::io::StdinLock", "read_exact" via "std::io::Read", returns (), args 1)
        HEAVY Stdin "tokio::io::AsyncReadExt::read_exact on tokio::io::stdin()" Some("io::stdin_lock::read_exact");
    STD_IO_BUF_READER_FILE_READ_LINE = method(RefMut "std::io::BufReader<std::fs::File>", "read_line" via "std::io::BufRead", args 1)
        MODERATE File "tokio::io::AsyncBufReadExt::read_line on a tokio::io::BufReader<tokio::fs::File>" Some("io::buf_reader_file::read_line");
    STD_IO_BUF_READER_FILE_READ_UNTIL = method(RefMut "std::io::BufReader<std::fs::File>", "read_until" via "std::io::BufRead", args 2)
        MODERATE File "tokio::io::AsyncBufReadExt::read_until on a tokio::io::BufReader<tokio::fs::File>" Some("io::buf_reader_file::read_until");
    /// Recorded when the iterator is made: its `next` reads the file.
    STD_IO_BUF_READER_FILE_LINES = method(Value "std::io::BufReader<std::fs::File>", "lines" via "std::io::BufRead", args 0)
        MODERATE File "tokio::io::AsyncBufReadExt::lines on a tokio::io::BufReader<tokio::fs::File>" Some("io::buf_reader_file::lines");
    STD_IO_BUF_READER_FILE_READ = method(RefMut "std::io::BufReader<std::fs::File>", "read" via "std::io::Read", args 1)
        MODERATE File "tokio::io::AsyncReadExt::read on a tokio::io::BufReader<tokio::fs::File>" Some("io::buf_reader_file::read");
    STD_IO_BUF_READER_FILE_READ_TO_END = method(RefMut "std::io::BufReader<std::fs::File>", "read_to_end" via "std::io::Read", args 1)
        MODERATE File "tokio::io::AsyncReadExt::read_to_end on a tokio::io::BufReader<tokio::fs::File>" Some("io::buf_reader_file::read_to_end");
    STD_IO_BUF_READER_FILE_READ_TO_STRING = method(RefMut "std::io::BufReader<std::fs::File>", "read_to_string" via "std::io::Read", args 1)
        MODERATE File "tokio::io::AsyncReadExt::read_to_string on a tokio::io::BufReader<tokio::fs::File>" Some("io::buf_reader_file::read_to_string");
    STD_IO_BUF_READER_FILE_READ_EXACT = method(RefMut "std::io::BufReader<std::fs::File>", "read_exact" via "std::io::Read", returns (), args 1)
        MODERATE File "tokio::io::AsyncReadExt::read_exact on a tokio::io::BufReader<tokio::fs::File>" Some("io::buf_reader_file::read_exact");

    // Executor traps: blocking a runtime worker on another future. No shim: the linter reports
    // them, and tokio's own `block_on` panics inside a runtime anyway.
    FUTURES_EXECUTOR_BLOCK_ON = function("futures::executor::block_on")
        HEAVY Executor "`.await` the future instead" None;
    TOKIO_RUNTIME_RUNTIME_BLOCK_ON = method(Ref "tokio::runtime::Runtime", "block_on")
        HEAVY Executor "`.await` the future instead" None;
    TOKIO_RUNTIME_HANDLE_BLOCK_ON = method(Ref "tokio::runtime::Handle", "block_on")
        HEAVY Executor "`.await` the future instead" None;
    FUTURES_LITE_FUTURE_BLOCK_ON = function("futures_lite::future::block_on")
        HEAVY Executor "`.await` the future instead" None;
    POLLSTER_BLOCK_ON = function("pollster::block_on")
        HEAVY Executor "`.await` the future instead" None;
    SMOL_BLOCK_ON = function("smol::block_on")
        HEAVY Executor "`.await` the future instead" None;
    ASYNC_STD_TASK_BLOCK_ON = function("async_std::task::block_on")
        HEAVY Executor "`.await` the future instead" None;
    TOKIO_SYNC_MPSC_RECEIVER_BLOCKING_RECV = method(RefMut "tokio::sync::mpsc::Receiver", "blocking_recv")
        HEAVY Executor "tokio::sync::mpsc::Receiver::recv(..).await" None;
    TOKIO_SYNC_MPSC_UNBOUNDED_RECEIVER_BLOCKING_RECV = method(RefMut "tokio::sync::mpsc::UnboundedReceiver", "blocking_recv")
        HEAVY Executor "tokio::sync::mpsc::UnboundedReceiver::recv(..).await" None;
    TOKIO_SYNC_MPSC_SENDER_BLOCKING_SEND = method(Ref "tokio::sync::mpsc::Sender", "blocking_send")
        HEAVY Executor "tokio::sync::mpsc::Sender::send(..).await" None;
    TOKIO_SYNC_ONESHOT_RECEIVER_BLOCKING_RECV = method(Value "tokio::sync::oneshot::Receiver", "blocking_recv")
        HEAVY Executor "`.await` the tokio::sync::oneshot::Receiver" None;
    TOKIO_SYNC_MUTEX_BLOCKING_LOCK = method(Ref "tokio::sync::Mutex", "blocking_lock")
        HEAVY Executor "tokio::sync::Mutex::lock(..).await" None;
    TOKIO_SYNC_RWLOCK_BLOCKING_READ = method(Ref "tokio::sync::RwLock", "blocking_read")
        HEAVY Executor "tokio::sync::RwLock::read(..).await" None;
    TOKIO_SYNC_RWLOCK_BLOCKING_WRITE = method(Ref "tokio::sync::RwLock", "blocking_write")
        HEAVY Executor "tokio::sync::RwLock::write(..).await" None;
}

/// Every known blocking operation.
pub fn operations() -> &'static [BlockingOp] {
    CATALOG
}

/// The operation recorded under `event`.
pub fn find_event(event: &str) -> Option<&'static BlockingOp> {
    CATALOG.iter().find(|op| op.event == event)
}

/// The function operation with exactly this full path (`std::fs::read`).
pub fn find_function(path: &str) -> Option<&'static BlockingOp> {
    CATALOG
        .iter()
        .find(|op| matches!(op.callee, Callee::Function { path: p } if p == path))
}

/// The method operation on exactly this receiver type (`std::fs::File`, `read_to_end`).
pub fn find_method(receiver: &str, method: &str) -> Option<&'static BlockingOp> {
    CATALOG.iter().find(|op| {
        matches!(op.callee, Callee::Method { receiver: r, method: m, .. } if r == receiver && m == method)
    })
}

/// The method operations with this method name, on any receiver.
pub fn methods_named(method: &str) -> impl Iterator<Item = &'static BlockingOp> + '_ {
    CATALOG
        .iter()
        .filter(move |op| matches!(op.callee, Callee::Method { method: m, .. } if m == method))
}

/// Catalog operations that never wait, whatever the catalog's runtime weight says: a UDP or
/// Unix datagram `connect` only records the peer address. The linter treats them as trivial.
pub const NEVER_WAITS: &[&str] = &[
    "std::net::UdpSocket::connect",
    "std::os::unix::net::UnixDatagram::connect",
];

/// The executors' and libraries' calls that run a closure argument on another thread.
/// Functions named as in [`OFFLOADING_NAMES`] are recognised by name wherever they come from.
pub const KNOWN_OFFLOADERS: &[&str] = &[
    "tokio::task::spawn_blocking",
    "tokio::task::block_in_place",
    "actix_web::web::block",
    "actix_rt::task::spawn_blocking",
    "async_std::task::spawn_blocking",
    "smol::unblock",
    "blocking::unblock",
    "rayon::spawn",
    "std::thread::spawn",
];

/// Last path segments of calls that run a closure argument off the async worker, whoever
/// defines them.
pub const OFFLOADING_NAMES: &[&str] = &[
    "spawn_blocking",
    "block_in_place",
    "spawn",
    "spawn_scoped",
    "unblock",
];

/// The Rust types each receiver of a catalog method stands for, as aiocop's probes match them:
/// the receiver's own type with its generic parameters, then any type that reaches its methods by
/// deref (`PathBuf` for `Path`); for a trait (`ToSocketAddrs`), the implementors whose method
/// blocks. Each method entry takes its [`BlockingOp::probe_types`] from here.
///
/// This is the one place that says which receivers are generic over a type: `#[aiocop::monitor]`
/// tells a std receiver from a look-alike at run time by comparing its type with constants, which
/// optimized builds fold away, and no constant stands for every instance of `Receiver<T>`, so
/// methods one of these types has are told apart by trait selection at compile time instead (see
/// [`probed_by_traits`]).
pub const RECEIVER_TYPES: &[(&str, &[ProbeType])] = &[
    ("std::fs::OpenOptions", &[plain("std::fs::OpenOptions")]),
    ("std::fs::DirBuilder", &[plain("std::fs::DirBuilder")]),
    ("std::fs::DirEntry", &[plain("std::fs::DirEntry")]),
    ("std::fs::File", &[plain("std::fs::File")]),
    // A `PathBuf` reaches `Path`'s methods by deref; events show the path.
    (
        "std::path::Path",
        &[
            described("std::path::Path"),
            described("std::path::PathBuf"),
        ],
    ),
    // `to_socket_addrs` resolves names only for these implementors; events show the address.
    (
        "std::net::ToSocketAddrs",
        &[
            described("str"),
            described("String"),
            described("(&'h str, u16)").over("'h"),
            described("(String, u16)"),
        ],
    ),
    ("std::net::TcpStream", &[plain("std::net::TcpStream")]),
    ("std::net::TcpListener", &[plain("std::net::TcpListener")]),
    ("std::net::UdpSocket", &[plain("std::net::UdpSocket")]),
    (
        "std::os::unix::net::UnixStream",
        &[plain("std::os::unix::net::UnixStream")],
    ),
    (
        "std::os::unix::net::UnixListener",
        &[plain("std::os::unix::net::UnixListener")],
    ),
    (
        "std::os::unix::net::UnixDatagram",
        &[plain("std::os::unix::net::UnixDatagram")],
    ),
    // Events show the command line.
    (
        "std::process::Command",
        &[described("std::process::Command")],
    ),
    ("std::process::Child", &[plain("std::process::Child")]),
    (
        "std::process::ChildStdout",
        &[plain("std::process::ChildStdout")],
    ),
    (
        "std::process::ChildStderr",
        &[plain("std::process::ChildStderr")],
    ),
    (
        "std::process::ChildStdin",
        &[plain("std::process::ChildStdin")],
    ),
    (
        "std::thread::JoinHandle",
        &[plain("std::thread::JoinHandle<T>").over("T")],
    ),
    (
        "std::thread::ScopedJoinHandle",
        &[plain("std::thread::ScopedJoinHandle<'s, T>").over("'s, T")],
    ),
    (
        "std::sync::mpsc::Receiver",
        &[plain("std::sync::mpsc::Receiver<T>").over("T")],
    ),
    (
        "std::sync::mpsc::SyncSender",
        &[plain("std::sync::mpsc::SyncSender<T>").over("T")],
    ),
    ("std::sync::Condvar", &[plain("std::sync::Condvar")]),
    ("std::sync::Barrier", &[plain("std::sync::Barrier")]),
    ("std::io::Stdin", &[plain("std::io::Stdin")]),
    (
        "std::io::StdinLock",
        &[plain("std::io::StdinLock<'l>").over("'l")],
    ),
    (
        "std::io::BufReader<std::fs::File>",
        &[plain("std::io::BufReader<std::fs::File>")],
    ),
];

/// A receiver type whose value events do not show.
const fn plain(ty: &'static str) -> ProbeType {
    ProbeType {
        generics: "",
        ty,
        described: false,
    }
}

/// A receiver type whose value events show as the call's first argument.
const fn described(ty: &'static str) -> ProbeType {
    ProbeType {
        described: true,
        ..plain(ty)
    }
}

/// The types [`RECEIVER_TYPES`] lists for `receiver`, or none. A `const fn`, so that each method
/// entry's constant carries its receiver types.
const fn receiver_types(receiver: &str) -> &'static [ProbeType] {
    let mut i = 0;
    while i < RECEIVER_TYPES.len() {
        if str_eq(RECEIVER_TYPES[i].0, receiver) {
            return RECEIVER_TYPES[i].1;
        }
        i += 1;
    }
    &[]
}

/// `a == b`, usable in a `const fn`.
const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether calls of the method `method` are probed by trait selection: some catalog receiver of
/// a method of that name is generic over a type (see [`RECEIVER_TYPES`]).
pub fn probed_by_traits(method: &str) -> bool {
    methods_named(method).any(|op| op.probe_types.iter().any(ProbeType::is_generic_over_a_type))
}

/// The operation whose shim is at this path under `aiocop::shim` (`fs::file::open`).
pub fn find_shim(shim: &str) -> Option<&'static BlockingOp> {
    CATALOG.iter().find(|op| op.shim == Some(shim))
}

/// The operations aiocop has an audited shim for.
pub fn with_shims() -> impl Iterator<Item = &'static BlockingOp> {
    CATALOG.iter().filter(|op| op.shim.is_some())
}

/// A C library function that blocks, caught with no annotation by aiocop's `intercept` feature
/// (see `docs/interception.md`): whatever calls it (std, any crate, C code compiled into the
/// program) inside a monitored poll is recorded under [`LibcOp::event`].
///
/// These entries are not rewritten by the macro nor reported by the linter (a libc call is not a
/// path in Rust source); they share the weight classes and categories of [`CATALOG`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LibcOp {
    /// The event name recorded at run time: `libc::` and the family's first symbol (`libc::read`).
    pub event: &'static str,
    /// The C symbols recorded under this event (`read`, `pread64`, `readv`, …).
    pub symbols: &'static [&'static str],
    /// Severity weight, in the classes of [`CATALOG`].
    pub weight: u32,
    /// What it waits on.
    pub category: Category,
    /// What to use instead in async code.
    pub alternative: &'static str,
    /// When the call is recorded, if not always: the descriptors and arguments that make it
    /// blocking.
    pub when: &'static str,
}

/// Declares one named constant per libc entry and [`LIBC_CATALOG`] listing them all.
macro_rules! libc_catalog {
    ($(
        $(#[$note:meta])*
        $name:ident = $event:literal [$($symbol:literal),+] $weight:ident $category:ident
            $alternative:literal, $when:literal;
    )*) => {
        $(
            #[doc = concat!(
                "`", $event, "`: weight ", stringify!($weight), ", ", stringify!($category), "."
            )]
            $(#[$note])*
            pub const $name: LibcOp = LibcOp {
                event: $event,
                symbols: &[$($symbol),+],
                weight: $weight,
                category: Category::$category,
                alternative: $alternative,
                when: $when,
            };
        )*

        /// Every blocking C library function the `intercept` feature catches.
        pub static LIBC_CATALOG: &[LibcOp] = &[$($name),*];
    };
}

libc_catalog! {
    LIBC_NANOSLEEP = "libc::nanosleep" ["nanosleep"]
        HEAVY Sleep "tokio::time::sleep(dur).await", "a non-zero duration";
    /// `std::thread::sleep` on Linux.
    LIBC_CLOCK_NANOSLEEP = "libc::clock_nanosleep" ["clock_nanosleep"]
        HEAVY Sleep "tokio::time::sleep(dur).await", "a non-zero duration";
    LIBC_USLEEP = "libc::usleep" ["usleep"]
        HEAVY Sleep "tokio::time::sleep(dur).await", "a non-zero duration";
    LIBC_SLEEP = "libc::sleep" ["sleep"]
        HEAVY Sleep "tokio::time::sleep(dur).await", "a non-zero duration";
    LIBC_OPEN = "libc::open" ["open", "open64", "openat", "openat64", "creat", "creat64"]
        MODERATE File "tokio::fs::File::open(path).await", "always";
    LIBC_STAT = "libc::stat" ["stat", "stat64", "lstat", "lstat64", "fstatat", "fstatat64", "statx"]
        LIGHT FsMetadata "tokio::fs::metadata(path).await", "a path (not `fstat` of an open descriptor)";
    LIBC_ACCESS = "libc::access" ["access", "faccessat"]
        LIGHT FsMetadata "tokio::fs::try_exists(path).await", "always";
    LIBC_READ = "libc::read" ["read", "pread", "pread64", "readv", "preadv", "preadv64"]
        MODERATE File "tokio::fs, tokio::net or tokio::io::unix::AsyncFd", "a regular file or block device, or a blocking socket, pipe or terminal";
    LIBC_WRITE = "libc::write" ["write", "pwrite", "pwrite64", "writev", "pwritev", "pwritev64"]
        MODERATE File "tokio::fs, tokio::net or tokio::io::unix::AsyncFd", "a regular file or block device, or a blocking socket, pipe or terminal";
    LIBC_FSYNC = "libc::fsync" ["fsync", "fdatasync"]
        MODERATE File "tokio::fs::File::sync_all(..).await", "always";
    LIBC_RENAME = "libc::rename" ["rename", "renameat", "renameat2"]
        MODERATE File "tokio::fs::rename(from, to).await", "always";
    LIBC_UNLINK = "libc::unlink" ["unlink", "unlinkat"]
        MODERATE File "tokio::fs::remove_file(path).await", "always";
    LIBC_MKDIR = "libc::mkdir" ["mkdir", "mkdirat"]
        MODERATE File "tokio::fs::create_dir(path).await", "always";
    LIBC_RMDIR = "libc::rmdir" ["rmdir"]
        MODERATE File "tokio::fs::remove_dir(path).await", "always";
    LIBC_OPENDIR = "libc::opendir" ["opendir"]
        MODERATE File "tokio::fs::read_dir(path).await", "always";
    LIBC_READDIR = "libc::readdir" ["readdir", "readdir64"]
        LIGHT File "tokio::fs::ReadDir::next_entry(..).await", "always";
    LIBC_FTRUNCATE = "libc::ftruncate" ["ftruncate", "ftruncate64", "truncate", "truncate64"]
        MODERATE File "tokio::fs::File::set_len(..).await", "always";
    LIBC_FLOCK = "libc::flock" ["flock"]
        HEAVY File "tokio::task::spawn_blocking(move || file.lock()).await", "without LOCK_NB";
    LIBC_FCNTL_LOCK = "libc::fcntl" ["fcntl", "fcntl64"]
        HEAVY File "tokio::task::spawn_blocking with the lock taken there", "F_SETLKW or F_OFD_SETLKW (a waiting lock)";
    LIBC_SENDFILE = "libc::sendfile" ["sendfile", "sendfile64"]
        MODERATE File "tokio::io::copy(&mut file, &mut socket).await", "always";
    LIBC_COPY_FILE_RANGE = "libc::copy_file_range" ["copy_file_range"]
        MODERATE File "tokio::fs::copy(from, to).await", "always";
    LIBC_CONNECT = "libc::connect" ["connect"]
        HEAVY Network "tokio::net::TcpStream::connect(addr).await", "a blocking socket";
    LIBC_ACCEPT = "libc::accept" ["accept", "accept4"]
        HEAVY Network "tokio::net::TcpListener::accept(..).await", "a blocking socket";
    LIBC_RECV = "libc::recv" ["recv", "recvfrom", "recvmsg"]
        MODERATE Network "tokio::net sockets", "a blocking socket without MSG_DONTWAIT";
    LIBC_SEND = "libc::send" ["send", "sendto", "sendmsg"]
        MODERATE Network "tokio::net sockets", "a blocking socket without MSG_DONTWAIT";
    LIBC_GETADDRINFO = "libc::getaddrinfo" ["getaddrinfo"]
        HEAVY Dns "tokio::net::lookup_host(addr).await", "always";
    LIBC_GETHOSTBYNAME = "libc::gethostbyname" ["gethostbyname", "gethostbyname2", "gethostbyname_r", "gethostbyname2_r"]
        HEAVY Dns "tokio::net::lookup_host(addr).await", "always";
    LIBC_FORK = "libc::fork" ["fork"]
        HEAVY Process "tokio::process::Command", "always";
    LIBC_POSIX_SPAWN = "libc::posix_spawn" ["posix_spawn", "posix_spawnp"]
        HEAVY Process "tokio::process::Command", "always";
    LIBC_WAITPID = "libc::waitpid" ["wait", "waitpid", "wait4", "waitid"]
        HEAVY Process "tokio::process::Child::wait(..).await", "without WNOHANG";
    LIBC_POLL = "libc::poll" ["poll", "ppoll", "select", "pselect", "epoll_wait", "epoll_pwait"]
        MODERATE Network "tokio::io::unix::AsyncFd", "a non-zero timeout";
}

/// The libc operation recorded under `event` (`libc::read`).
pub fn find_libc_event(event: &str) -> Option<&'static LibcOp> {
    LIBC_CATALOG.iter().find(|op| op.event == event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_method_with_a_shim_has_an_arity_and_functions_none() {
        for op in CATALOG {
            match op.callee {
                Callee::Method { .. } if op.shim.is_some() => {
                    assert!(op.arity.is_some(), "{}: add `args N`", op.event);
                }
                Callee::Function { .. } => assert_eq!(op.arity, None, "{}", op.event),
                Callee::Method { .. } => {}
            }
        }
    }

    #[test]
    fn routed_operations_carry_their_probe_types_and_only_those() {
        for op in CATALOG {
            match (op.callee, op.shim) {
                (Callee::Function { .. }, Some(_)) => {
                    assert_eq!(
                        op.probe_types.len(),
                        1,
                        "{}: add `returns \"Type\"`",
                        op.event
                    );
                    assert!(!op.probe_types[0].described, "{}", op.event);
                }
                (Callee::Method { .. }, Some(_)) => assert!(
                    !op.probe_types.is_empty(),
                    "{}: add its receiver to RECEIVER_TYPES",
                    op.event
                ),
                (_, None) => assert!(op.probe_types.is_empty(), "{}", op.event),
            }
            assert!(
                op.probe_types.iter().all(|t| !t.ty.is_empty()),
                "{}",
                op.event
            );
        }
    }

    #[test]
    fn every_receiver_type_row_is_used_once() {
        let mut seen = HashSet::new();
        for (receiver, types) in RECEIVER_TYPES {
            assert!(seen.insert(receiver), "{receiver} listed twice");
            assert!(!types.is_empty(), "{receiver}");
            assert!(
                CATALOG.iter().any(|op| op.shim.is_some()
                    && matches!(op.callee, Callee::Method { receiver: r, .. } if r == *receiver)),
                "{receiver} is the receiver of no routed method"
            );
        }
    }

    #[test]
    fn methods_of_receivers_generic_over_a_type_are_probed_by_traits() {
        let generic: HashSet<&str> = RECEIVER_TYPES
            .iter()
            .filter(|(_, types)| types.iter().any(ProbeType::is_generic_over_a_type))
            .map(|(receiver, _)| *receiver)
            .collect();
        let expected = [
            "std::sync::mpsc::Receiver",
            "std::sync::mpsc::SyncSender",
            "std::thread::JoinHandle",
            "std::thread::ScopedJoinHandle",
        ];
        assert_eq!(generic, HashSet::from(expected));
        for method in ["join", "recv", "recv_timeout", "iter", "send"] {
            assert!(probed_by_traits(method), "{method}");
        }
        // `StdinLock<'l>` is generic over a lifetime only: its type id is one constant.
        for method in [
            "read_line",
            "lines",
            "read",
            "exists",
            "to_socket_addrs",
            "block_on",
        ] {
            assert!(!probed_by_traits(method), "{method}");
        }
        let ty = |generics| ProbeType {
            generics,
            ty: "T",
            described: false,
        };
        assert!(!ty("").is_generic_over_a_type());
        assert!(!ty("'l").is_generic_over_a_type());
        assert!(!ty("'a, 'b").is_generic_over_a_type());
        assert!(ty("T").is_generic_over_a_type());
        assert!(ty("'s, T").is_generic_over_a_type());
    }

    #[test]
    fn entries_know_their_names() {
        assert_eq!(STD_FS_READ.name, "STD_FS_READ");
        assert_eq!(
            STD_IO_BUF_READER_FILE_READ_LINE.name,
            "STD_IO_BUF_READER_FILE_READ_LINE"
        );
        let mut names = HashSet::new();
        assert!(CATALOG.iter().all(|op| names.insert(op.name)));
        assert_eq!(
            STD_THREAD_JOIN_HANDLE_JOIN.probe_types,
            &[ProbeType {
                generics: "T",
                ty: "std::thread::JoinHandle<T>",
                described: false,
            }]
        );
        assert_eq!(STD_PATH_PATH_EXISTS.probe_types.len(), 2);
    }

    #[test]
    fn event_names_and_shim_paths_are_unique() {
        let mut events = HashSet::new();
        let mut shims = HashSet::new();
        for op in CATALOG {
            assert!(events.insert(op.event), "duplicate event {}", op.event);
            if let Some(shim) = op.shim {
                assert!(shims.insert(shim), "duplicate shim {shim}");
            }
        }
    }

    #[test]
    fn event_names_follow_the_callee() {
        for op in CATALOG {
            match op.callee {
                Callee::Function { path } => {
                    assert_eq!(op.event, path);
                    assert_eq!(op.self_kind, None, "{}", op.event);
                }
                Callee::Method {
                    receiver, method, ..
                } => {
                    assert_eq!(op.event, format!("{receiver}::{method}"));
                    assert!(op.self_kind.is_some(), "{}", op.event);
                }
            }
        }
    }

    #[test]
    fn weights_are_one_of_the_four_classes() {
        for op in CATALOG {
            assert!(
                [WEIGHT_HEAVY, WEIGHT_MODERATE, WEIGHT_LIGHT, WEIGHT_TRIVIAL].contains(&op.weight),
                "{} has weight {}",
                op.event,
                op.weight
            );
            assert!(
                !op.alternative.is_empty(),
                "{} has no alternative",
                op.event
            );
        }
    }

    #[test]
    fn every_std_operation_has_a_shim_and_only_those() {
        for op in CATALOG {
            let std_op = op.event.starts_with("std::");
            assert_eq!(op.shim.is_some(), std_op, "{}", op.event);
            assert_eq!(op.category == Category::Executor, !std_op, "{}", op.event);
        }
    }

    #[test]
    fn lookups_find_entries() {
        assert_eq!(find_event("std::fs::read"), Some(&STD_FS_READ));
        assert_eq!(
            find_function("std::fs::File::open"),
            Some(&STD_FS_FILE_OPEN)
        );
        assert_eq!(find_function("std::fs::File::read_to_end"), None);
        assert_eq!(
            find_method("std::fs::File", "read_to_end"),
            Some(&STD_FS_FILE_READ_TO_END)
        );
        assert_eq!(find_shim("path::path::exists"), Some(&STD_PATH_PATH_EXISTS));
        assert!(methods_named("exists").any(|op| op == &STD_PATH_PATH_EXISTS));
        assert!(methods_named("read_to_end").count() >= 5);
        assert_eq!(
            with_shims().count(),
            CATALOG.iter().filter(|op| op.shim.is_some()).count()
        );
    }

    #[test]
    fn covers_the_design_table() {
        for event in [
            "std::thread::sleep",
            "std::net::TcpStream::connect",
            "std::net::TcpStream::connect_timeout",
            "std::os::unix::net::UnixStream::connect",
            "std::net::ToSocketAddrs::to_socket_addrs",
            "std::net::TcpListener::accept",
            "std::net::TcpListener::incoming",
            "std::process::Command::output",
            "std::process::Command::status",
            "std::process::Command::spawn",
            "std::process::Child::wait",
            "std::process::Child::wait_with_output",
            "std::fs::remove_dir_all",
            "std::io::Stdin::read_line",
            "std::thread::JoinHandle::join",
            "std::sync::mpsc::Receiver::recv",
            "std::sync::mpsc::Receiver::recv_timeout",
            "std::sync::mpsc::SyncSender::send",
            "std::sync::Condvar::wait",
            "std::sync::Barrier::wait",
            "futures::executor::block_on",
            "tokio::runtime::Runtime::block_on",
            "tokio::runtime::Handle::block_on",
        ] {
            assert_eq!(
                find_event(event).map(|op| op.weight),
                Some(WEIGHT_HEAVY),
                "{event}"
            );
        }
        for event in [
            "std::fs::File::open",
            "std::fs::OpenOptions::open",
            "std::fs::read_dir",
            "std::os::unix::fs::symlink",
            "std::fs::File::sync_all",
            "std::fs::File::set_len",
            "std::net::UdpSocket::send_to",
            "std::net::UdpSocket::recv_from",
        ] {
            assert_eq!(
                find_event(event).map(|op| op.weight),
                Some(WEIGHT_MODERATE),
                "{event}"
            );
        }
        for event in [
            "std::fs::metadata",
            "std::fs::symlink_metadata",
            "std::fs::read_link",
            "std::path::Path::exists",
            "std::path::Path::try_exists",
            "std::fs::File::try_lock",
            "std::process::Child::kill",
        ] {
            assert_eq!(
                find_event(event).map(|op| op.weight),
                Some(WEIGHT_LIGHT),
                "{event}"
            );
        }
        for event in [
            "std::env::current_dir",
            "std::path::absolute",
            "std::net::TcpListener::bind",
            "std::net::UdpSocket::bind",
        ] {
            assert_eq!(
                find_event(event).map(|op| op.weight),
                Some(WEIGHT_TRIVIAL),
                "{event}"
            );
        }
        assert!(CATALOG.len() > 150);
    }
}
