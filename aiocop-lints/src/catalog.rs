//! One table of every known blocking operation: what to call it, how heavy it is, how the code
//! reaches it (a path or a method on a std type), and what to use instead in async code.
//!
//! The macro rewrites the calls listed here, the runtime reports them under their `event` names
//! with their weights, and the linter reports them with their `alternative`.

/// Weight of an operation that blocks for an unbounded or long time.
pub const WEIGHT_HEAVY: u32 = 50;
/// Weight of an operation that usually completes quickly but touches the disk or network.
pub const WEIGHT_MODERATE: u32 = 10;
/// Weight of a cheap metadata operation.
pub const WEIGHT_LIGHT: u32 = 1;
/// Weight of an operation that practically never blocks.
pub const WEIGHT_TRIVIAL: u32 = 0;

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
    /// The audited shim under `aiocop::shim` (`fs::read`), if there is one.
    pub shim: Option<&'static str>,
}

/// Every known blocking operation.
pub static CATALOG: &[BlockingOp] = &[
    BlockingOp {
        event: "std::thread::sleep",
        callee: Callee::Function {
            path: "std::thread::sleep",
        },
        weight: WEIGHT_HEAVY,
        category: Category::Sleep,
        alternative: "tokio::time::sleep(..).await",
        shim: Some("thread::sleep"),
    },
    BlockingOp {
        event: "std::fs::read",
        callee: Callee::Function {
            path: "std::fs::read",
        },
        weight: WEIGHT_MODERATE,
        category: Category::File,
        alternative: "tokio::fs::read(..).await",
        shim: Some("fs::read"),
    },
    BlockingOp {
        event: "std::fs::File::open",
        callee: Callee::Function {
            path: "std::fs::File::open",
        },
        weight: WEIGHT_MODERATE,
        category: Category::File,
        alternative: "tokio::fs::File::open(..).await",
        shim: Some("fs::File::open"),
    },
    BlockingOp {
        event: "std::fs::File::read_to_end",
        callee: Callee::Method {
            receiver: "std::fs::File",
            method: "read_to_end",
            via_trait: Some("std::io::Read"),
        },
        weight: WEIGHT_MODERATE,
        category: Category::File,
        alternative: "tokio::io::AsyncReadExt::read_to_end on a tokio::fs::File",
        shim: None,
    },
    BlockingOp {
        event: "std::path::Path::exists",
        callee: Callee::Method {
            receiver: "std::path::Path",
            method: "exists",
            via_trait: None,
        },
        weight: WEIGHT_LIGHT,
        category: Category::FsMetadata,
        alternative: "tokio::fs::try_exists(..).await",
        shim: None,
    },
];

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

/// The method operations with this method name, on any receiver.
pub fn methods_named(method: &str) -> impl Iterator<Item = &'static BlockingOp> + '_ {
    CATALOG
        .iter()
        .filter(move |op| matches!(op.callee, Callee::Method { method: m, .. } if m == method))
}
