//! Blocking functions of common dependencies, known without reading their source: the
//! blocking HTTP clients, the synchronous database drivers, temporary files, configuration
//! loaders. Each is an operation like a configured `blocking` path (a configuration entry
//! with the same path wins), and the types they return are known receivers (`types.rs`).

use crate::catalog::{WEIGHT_HEAVY, WEIGHT_MODERATE};

use super::config::ExtraBlocking;

/// (path, weight, category, alternative). A path is a function or `Type::method`.
const DEPENDENCY_OPS: &[(&str, u32, &str, &str)] = &[
    (
        "reqwest::blocking::get",
        WEIGHT_HEAVY,
        "network",
        "reqwest::get(url).await",
    ),
    (
        "reqwest::blocking::RequestBuilder::send",
        WEIGHT_HEAVY,
        "network",
        "reqwest::RequestBuilder::send(..).await",
    ),
    (
        "reqwest::blocking::Client::execute",
        WEIGHT_HEAVY,
        "network",
        "reqwest::Client::execute(..).await",
    ),
    (
        "ureq::get",
        WEIGHT_HEAVY,
        "network",
        "an async HTTP client (reqwest::get(url).await)",
    ),
    (
        "ureq::Request::call",
        WEIGHT_HEAVY,
        "network",
        "an async HTTP client, or tokio::task::spawn_blocking",
    ),
    (
        "ureq::RequestBuilder::call",
        WEIGHT_HEAVY,
        "network",
        "an async HTTP client, or tokio::task::spawn_blocking",
    ),
    (
        "postgres::Client::connect",
        WEIGHT_HEAVY,
        "database",
        "tokio_postgres::connect(..).await",
    ),
    (
        "postgres::Client::query",
        WEIGHT_HEAVY,
        "database",
        "tokio_postgres::Client::query(..).await",
    ),
    (
        "postgres::Client::query_one",
        WEIGHT_HEAVY,
        "database",
        "tokio_postgres::Client::query_one(..).await",
    ),
    (
        "postgres::Client::query_opt",
        WEIGHT_HEAVY,
        "database",
        "tokio_postgres::Client::query_opt(..).await",
    ),
    (
        "postgres::Client::execute",
        WEIGHT_HEAVY,
        "database",
        "tokio_postgres::Client::execute(..).await",
    ),
    (
        "postgres::Client::batch_execute",
        WEIGHT_HEAVY,
        "database",
        "tokio_postgres::Client::batch_execute(..).await",
    ),
    (
        "postgres::Client::transaction",
        WEIGHT_HEAVY,
        "database",
        "tokio_postgres::Client::transaction(..).await",
    ),
    (
        "rusqlite::Connection::open",
        WEIGHT_MODERATE,
        "database",
        "tokio::task::spawn_blocking (or tokio-rusqlite)",
    ),
    (
        "rusqlite::Connection::execute",
        WEIGHT_MODERATE,
        "database",
        "tokio::task::spawn_blocking (or tokio-rusqlite)",
    ),
    (
        "rusqlite::Connection::query_row",
        WEIGHT_MODERATE,
        "database",
        "tokio::task::spawn_blocking (or tokio-rusqlite)",
    ),
    (
        "rusqlite::Connection::execute_batch",
        WEIGHT_MODERATE,
        "database",
        "tokio::task::spawn_blocking (or tokio-rusqlite)",
    ),
    (
        "redis::Client::get_connection",
        WEIGHT_HEAVY,
        "network",
        "redis::Client::get_multiplexed_async_connection().await",
    ),
    (
        "tempfile::tempfile",
        WEIGHT_MODERATE,
        "file",
        "tokio::task::spawn_blocking(tempfile::tempfile).await",
    ),
    (
        "tempfile::tempdir",
        WEIGHT_MODERATE,
        "file",
        "tokio::task::spawn_blocking(tempfile::tempdir).await",
    ),
    (
        "tempfile::TempDir::new",
        WEIGHT_MODERATE,
        "file",
        "tokio::task::spawn_blocking(tempfile::TempDir::new).await",
    ),
    (
        "tempfile::NamedTempFile::new",
        WEIGHT_MODERATE,
        "file",
        "tokio::task::spawn_blocking(tempfile::NamedTempFile::new).await",
    ),
    (
        "tempfile::NamedTempFile::persist",
        WEIGHT_MODERATE,
        "file",
        "tokio::task::spawn_blocking(move || file.persist(path)).await",
    ),
    (
        "config::ConfigBuilder::build",
        WEIGHT_MODERATE,
        "file",
        "build the configuration once at start-up, or in tokio::task::spawn_blocking",
    ),
];

/// The dependency operations, as configuration entries.
pub(crate) fn dependency_ops() -> impl Iterator<Item = ExtraBlocking> {
    DEPENDENCY_OPS
        .iter()
        .map(|(path, weight, category, alternative)| ExtraBlocking {
            path: path.to_string(),
            weight: *weight,
            category: Some(category.to_string()),
            alternative: Some(alternative.to_string()),
            event: None,
        })
}
