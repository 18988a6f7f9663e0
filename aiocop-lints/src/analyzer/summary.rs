//! Summaries of dependencies (`--deps`): each dependency's library is read from the source cargo
//! has locally, analyzed like a crate being linted, and every function of it that blocks is
//! kept with the chain inside the dependency to the blocking operation
//! (`config::ConfigBuilder::build → ... → std::fs::read_to_string` at
//! `config-0.14.0/src/file/source/file.rs:42`). A call to such a function from async code is
//! reported with that chain. Summaries of registry crates (immutable per version) are cached
//! in the target directory, so a second run reads no dependency source.

use std::path::Path;

use serde_json::{Value, json};

use super::Location;

/// A dependency's function that blocks, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepSummary {
    /// The paths the function is called by: its definition path from the crate's name
    /// (`config::builder::ConfigBuilder::build`), and the short path (`config::ConfigBuilder::build`)
    /// when no other blocking function of the crate has it.
    pub paths: Vec<String>,
    /// The blocking operation at the end of the chain.
    pub event: String,
    /// Its weight.
    pub weight: u32,
    /// Its category.
    pub category: String,
    /// What to use instead, when known.
    pub alternative: Option<String>,
    /// The functions of the chain inside the dependency, the called one first.
    pub steps: Vec<String>,
    /// Where each further step happens: the call into each next function, then the blocking
    /// call (one per step after the first, then one for the operation).
    pub at: Vec<Location>,
}

fn location_json(at: &Location) -> Value {
    json!([at.file, at.line, at.column, at.end_line, at.end_column])
}

fn location_from(value: &Value) -> Option<Location> {
    let a = value.as_array()?;
    let n = |i: usize| a.get(i).and_then(Value::as_u64).map(|v| v as usize);
    Some(Location {
        file: a.first()?.as_str()?.to_string(),
        line: n(1)?,
        column: n(2)?,
        end_line: n(3)?,
        end_column: n(4)?,
    })
}

impl DepSummary {
    fn to_json(&self) -> Value {
        json!({
            "paths": self.paths,
            "event": self.event,
            "weight": self.weight,
            "category": self.category,
            "alternative": self.alternative,
            "steps": self.steps,
            "at": self.at.iter().map(location_json).collect::<Vec<_>>(),
        })
    }

    fn from_json(value: &Value) -> Option<DepSummary> {
        let strings = |v: &Value| -> Option<Vec<String>> {
            v.as_array()?
                .iter()
                .map(|s| s.as_str().map(str::to_string))
                .collect()
        };
        Some(DepSummary {
            paths: strings(&value["paths"])?,
            event: value["event"].as_str()?.to_string(),
            weight: u32::try_from(value["weight"].as_u64()?).ok()?,
            category: value["category"].as_str()?.to_string(),
            alternative: value["alternative"].as_str().map(str::to_string),
            steps: strings(&value["steps"])?,
            at: value["at"]
                .as_array()?
                .iter()
                .map(location_from)
                .collect::<Option<Vec<_>>>()?,
        })
    }
}

/// The cache format's version: a cache written by another version is ignored.
const CACHE_VERSION: u64 = 1;

/// Reads a cached summary list, if the file exists and is of this version.
pub(crate) fn read_cache(path: &Path) -> Option<Vec<DepSummary>> {
    let text = std::fs::read_to_string(path).ok()?;
    let value: Value = serde_json::from_str(&text).ok()?;
    if value["version"].as_u64() != Some(CACHE_VERSION) {
        return None;
    }
    value["summaries"]
        .as_array()?
        .iter()
        .map(DepSummary::from_json)
        .collect()
}

/// Writes a summary list to the cache (best effort: a cache that cannot be written only makes
/// the next run slower).
pub(crate) fn write_cache(path: &Path, summaries: &[DepSummary]) {
    let value = json!({
        "version": CACHE_VERSION,
        "summaries": summaries.iter().map(DepSummary::to_json).collect::<Vec<_>>(),
    });
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    // Written next to the final name, then renamed: a concurrent run never reads half a file.
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, value.to_string()).is_ok() {
        let _ = std::fs::rename(&tmp, path);
    }
}
