//! The linter's configuration: `[workspace.metadata.aiocop]` and `[package.metadata.aiocop]` in
//! `Cargo.toml`, read from `cargo metadata`'s JSON, and the `--deny` level.
//!
//! ```toml
//! [package.metadata.aiocop]
//! deny = "moderate"                      # any | light | moderate | heavy | none, or a weight
//! allow = ["std::path::Path::exists"]    # operations or same-crate functions never reported
//! offload = ["mylib::pool::run"]         # calls whose closure arguments run off the worker
//! report_trivial = true                  # also report weight-0 operations (default: false)
//!
//! [package.metadata.aiocop.blocking]     # extra blocking paths
//! "reqwest::blocking::get" = "heavy"     # a weight: a name or a number
//! "mylib::Client::query" = { weight = 10, alternative = "mylib::AsyncClient::query" }
//! ```

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde_json::Value;

use crate::catalog::{WEIGHT_HEAVY, WEIGHT_LIGHT, WEIGHT_MODERATE, WEIGHT_TRIVIAL};

/// The smallest weight of a finding that makes the run fail (exit status 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DenyLevel {
    /// Any finding fails the run, whatever its weight (the default).
    #[default]
    Any,
    /// Findings of at least this weight fail the run.
    Weight(u32),
    /// No finding fails the run.
    Never,
}

impl DenyLevel {
    /// Whether a finding of `weight` (None: a finding without a weight, such as a suppression
    /// without a reason) reaches this level.
    pub fn denies(self, weight: Option<u32>) -> bool {
        match self {
            DenyLevel::Any => true,
            DenyLevel::Never => false,
            DenyLevel::Weight(min) => weight.is_none_or(|w| w >= min),
        }
    }
}

impl fmt::Display for DenyLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DenyLevel::Any => f.write_str("any"),
            DenyLevel::Never => f.write_str("none"),
            DenyLevel::Weight(w) => match weight_name(*w) {
                name if named_weight(name) == Some(*w) => f.write_str(name),
                _ => write!(f, "{w}"),
            },
        }
    }
}

impl FromStr for DenyLevel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "any" => Ok(DenyLevel::Any),
            "none" | "never" => Ok(DenyLevel::Never),
            _ => named_weight(s)
                .or_else(|| s.parse().ok())
                .map(DenyLevel::Weight)
                .ok_or_else(|| {
                    format!(
                        "expected one of `any`, `light`, `moderate`, `heavy`, `none` or a weight, \
                         found `{s}`"
                    )
                }),
        }
    }
}

/// The weight a level name stands for: `heavy` 50, `moderate` 10, `light` 1, `trivial` 0.
pub(crate) fn named_weight(name: &str) -> Option<u32> {
    match name {
        "heavy" => Some(WEIGHT_HEAVY),
        "moderate" => Some(WEIGHT_MODERATE),
        "light" => Some(WEIGHT_LIGHT),
        "trivial" => Some(WEIGHT_TRIVIAL),
        _ => None,
    }
}

/// The level name of a weight: at least 50 `heavy`, 10 `moderate`, 1 `light`, else `trivial`.
pub fn weight_name(weight: u32) -> &'static str {
    if weight >= WEIGHT_HEAVY {
        "heavy"
    } else if weight >= WEIGHT_MODERATE {
        "moderate"
    } else if weight >= WEIGHT_LIGHT {
        "light"
    } else {
        "trivial"
    }
}

/// An extra blocking path from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraBlocking {
    /// The function's or method's full path (`reqwest::blocking::get`, `mylib::Client::query`).
    pub path: String,
    /// Its weight.
    pub weight: u32,
    /// Its category as printed (default `custom`).
    pub category: Option<String>,
    /// What to use instead.
    pub alternative: Option<String>,
    /// The event name findings show (default: `path`): a table's `name = "db.query"`, or the
    /// `name` of a dependency's `#[aiocop::blocking(name = "db.query")]`.
    pub event: Option<String>,
}

/// The linter's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The deny level, if configured (the command line's `--deny` wins over it).
    pub deny: Option<DenyLevel>,
    /// Operations (event names, configured paths) and same-crate functions
    /// (`crate::config::load`) that are never reported.
    pub allow: Vec<String>,
    /// Extra blocking paths.
    pub blocking: Vec<ExtraBlocking>,
    /// Functions (`mylib::pool::run`) and methods (`mylib::Pool::install`) that run their
    /// closure arguments off the async worker, besides the known executors'.
    pub offload: Vec<String>,
    /// Whether operations of weight 0 (`TcpListener::bind`, `std::env::current_dir`) and
    /// calls that never wait (`UdpSocket::connect`) are reported; off unless configured.
    /// Even then a bind or connect on a literal address is not.
    pub report_trivial: Option<bool>,
}

/// A configuration that cannot be used, naming the offending key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The manifest the configuration came from, if any.
    pub manifest: Option<PathBuf>,
    /// The full key: `package.metadata.aiocop.deny`.
    pub key: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid configuration key `{}`", self.key)?;
        if let Some(manifest) = &self.manifest {
            write!(f, " in {}", manifest.display())?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads the `aiocop` table found at `prefix` (`package.metadata.aiocop` or
    /// `workspace.metadata.aiocop`), given as JSON (what `cargo metadata` prints).
    pub fn from_json(value: &Value, prefix: &str) -> Result<Config, ConfigError> {
        let err = |key: &str, message: String| ConfigError {
            manifest: None,
            key: key.to_string(),
            message,
        };
        let table = value
            .as_object()
            .ok_or_else(|| err(prefix, format!("expected a table, found {}", kind(value))))?;
        let mut config = Config::default();
        for (name, item) in table {
            let key = format!("{prefix}.{name}");
            match name.as_str() {
                "deny" => {
                    let level = match item {
                        Value::String(s) => s.parse::<DenyLevel>(),
                        Value::Number(n) => n
                            .as_u64()
                            .and_then(|n| u32::try_from(n).ok())
                            .map(DenyLevel::Weight)
                            .ok_or_else(|| format!("expected a weight, found `{n}`")),
                        other => Err(format!(
                            "expected a level name or a weight, found {}",
                            kind(other)
                        )),
                    };
                    config.deny = Some(level.map_err(|m| err(&key, m))?);
                }
                "allow" => {
                    let paths = path_list(&key, item).map_err(|(at, m)| err(&at, m))?;
                    config.allow.extend(paths);
                }
                "blocking" => {
                    let entries = item.as_object().ok_or_else(|| {
                        err(
                            &key,
                            format!("expected a table of paths to weights, found {}", kind(item)),
                        )
                    })?;
                    for (path, spec) in entries {
                        let entry_key = format!("{key}.\"{path}\"");
                        let extra = extra_blocking(path, spec)
                            .map_err(|(sub, m)| err(&format!("{entry_key}{sub}"), m))?;
                        config.blocking.push(extra);
                    }
                }
                "offload" => {
                    let paths = path_list(&key, item).map_err(|(at, m)| err(&at, m))?;
                    config.offload.extend(paths);
                }
                "report_trivial" => {
                    let on = item.as_bool().ok_or_else(|| {
                        err(&key, format!("expected a boolean, found {}", kind(item)))
                    })?;
                    config.report_trivial = Some(on);
                }
                _ => {
                    return Err(err(
                        &key,
                        "unknown key (expected `deny`, `allow`, `blocking`, `offload` or `report_trivial`)"
                            .to_string(),
                    ));
                }
            }
        }
        Ok(config)
    }

    /// This configuration with `other`'s settings layered on top: `other`'s deny level wins,
    /// allowed and extra paths add up (a path configured in both takes `other`'s weight).
    pub fn merged_with(mut self, other: &Config) -> Config {
        if other.deny.is_some() {
            self.deny = other.deny;
        }
        for path in &other.allow {
            if !self.allow.contains(path) {
                self.allow.push(path.clone());
            }
        }
        for extra in &other.blocking {
            self.blocking.retain(|e| e.path != extra.path);
            self.blocking.push(extra.clone());
        }
        for path in &other.offload {
            if !self.offload.contains(path) {
                self.offload.push(path.clone());
            }
        }
        if other.report_trivial.is_some() {
            self.report_trivial = other.report_trivial;
        }
        self
    }
}

/// An array of paths under `key`; an error names the key (or element) and what is wrong.
fn path_list(key: &str, item: &Value) -> Result<Vec<String>, (String, String)> {
    let list = item.as_array().ok_or_else(|| {
        (
            key.to_owned(),
            format!("expected an array of paths, found {}", kind(item)),
        )
    })?;
    list.iter()
        .enumerate()
        .map(|(i, path)| path_value(path).map_err(|m| (format!("{key}[{i}]"), m)))
        .collect()
}

fn path_value(value: &Value) -> Result<String, String> {
    let s = value
        .as_str()
        .ok_or_else(|| format!("expected a path string, found {}", kind(value)))?;
    check_path(s)?;
    Ok(s.to_string())
}

fn check_path(s: &str) -> Result<(), String> {
    let valid = !s.is_empty()
        && s.split("::").all(|seg| {
            let mut chars = seg.chars();
            chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
                && chars.all(|c| c.is_alphanumeric() || c == '_')
        });
    if valid {
        Ok(())
    } else {
        Err(format!("`{s}` is not a path such as `std::fs::read`"))
    }
}

fn weight_value(value: &Value) -> Result<u32, String> {
    match value {
        Value::Number(n) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| format!("expected a non-negative weight, found `{n}`")),
        Value::String(s) => named_weight(s).ok_or_else(|| {
            format!("expected `heavy`, `moderate`, `light`, `trivial` or a number, found `{s}`")
        }),
        other => Err(format!("expected a weight, found {}", kind(other))),
    }
}

fn extra_blocking(path: &str, spec: &Value) -> Result<ExtraBlocking, (String, String)> {
    check_path(path).map_err(|m| (String::new(), m))?;
    let mut extra = ExtraBlocking {
        path: path.to_string(),
        weight: WEIGHT_MODERATE,
        category: None,
        alternative: None,
        event: None,
    };
    match spec {
        Value::Object(fields) => {
            let mut has_weight = false;
            for (name, value) in fields {
                let sub = format!(".{name}");
                let text = || {
                    value.as_str().map(str::to_string).ok_or_else(|| {
                        (
                            sub.clone(),
                            format!("expected a string, found {}", kind(value)),
                        )
                    })
                };
                match name.as_str() {
                    "weight" => {
                        extra.weight = weight_value(value).map_err(|m| (sub.clone(), m))?;
                        has_weight = true;
                    }
                    "alternative" => extra.alternative = Some(text()?),
                    "category" => extra.category = Some(text()?),
                    "name" => extra.event = Some(text()?),
                    _ => {
                        return Err((
                            sub,
                            "unknown key (expected `weight`, `alternative`, `category` or `name`)"
                                .to_string(),
                        ));
                    }
                }
            }
            if !has_weight {
                return Err((".weight".to_string(), "missing".to_string()));
            }
        }
        other => extra.weight = weight_value(other).map_err(|m| (String::new(), m))?,
    }
    Ok(extra)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const P: &str = "package.metadata.aiocop";

    #[test]
    fn reads_every_key() {
        let config = Config::from_json(
            &json!({
                "deny": "moderate",
                "allow": ["std::path::Path::exists"],
                "offload": ["mylib::pool::run"],
                "report_trivial": true,
                "blocking": {
                    "reqwest::blocking::get": "heavy",
                    "mylib::Client::query": {"weight": 10, "alternative": "mylib::AsyncClient::query"}
                }
            }),
            P,
        )
        .unwrap();
        assert_eq!(config.deny, Some(DenyLevel::Weight(10)));
        assert_eq!(config.allow, ["std::path::Path::exists"]);
        assert_eq!(config.offload, ["mylib::pool::run"]);
        assert_eq!(config.report_trivial, Some(true));
        assert_eq!(config.blocking.len(), 2);
        let query = config
            .blocking
            .iter()
            .find(|b| b.path == "mylib::Client::query")
            .unwrap();
        assert_eq!(query.weight, 10);
        assert_eq!(
            query.alternative.as_deref(),
            Some("mylib::AsyncClient::query")
        );
    }

    #[test]
    fn errors_name_the_key() {
        let cases = [
            (json!({"deny": "sometimes"}), "package.metadata.aiocop.deny"),
            (json!({"alow": []}), "package.metadata.aiocop.alow"),
            (
                json!({"allow": "std::fs::read"}),
                "package.metadata.aiocop.allow",
            ),
            (
                json!({"allow": ["ok::path", 3]}),
                "package.metadata.aiocop.allow[1]",
            ),
            (
                json!({"blocking": {"a::b": {"weight": "huge"}}}),
                "package.metadata.aiocop.blocking.\"a::b\".weight",
            ),
            (
                json!({"blocking": {"a::b": {"alternative": "x"}}}),
                "package.metadata.aiocop.blocking.\"a::b\".weight",
            ),
            (
                json!({"blocking": {"not a path": 1}}),
                "package.metadata.aiocop.blocking.\"not a path\"",
            ),
            (json!(3), "package.metadata.aiocop"),
            (
                json!({"report_trivial": "yes"}),
                "package.metadata.aiocop.report_trivial",
            ),
            (
                json!({"offload": ["ok::path", "bad path"]}),
                "package.metadata.aiocop.offload[1]",
            ),
        ];
        for (value, key) in cases {
            let error = Config::from_json(&value, P).unwrap_err();
            assert_eq!(error.key, key, "{value}");
            assert!(error.to_string().contains(key));
        }
    }

    #[test]
    fn deny_levels() {
        assert!(DenyLevel::Any.denies(Some(0)));
        assert!(!DenyLevel::Weight(10).denies(Some(1)));
        assert!(DenyLevel::Weight(10).denies(Some(50)));
        assert!(!DenyLevel::Never.denies(Some(50)));
        assert_eq!("heavy".parse::<DenyLevel>(), Ok(DenyLevel::Weight(50)));
        assert_eq!("7".parse::<DenyLevel>(), Ok(DenyLevel::Weight(7)));
        assert!("loud".parse::<DenyLevel>().is_err());
    }

    #[test]
    fn package_settings_layer_over_workspace_ones() {
        let ws = Config::from_json(&json!({"deny": "heavy", "allow": ["a::b"]}), P).unwrap();
        let pkg = Config::from_json(&json!({"allow": ["c::d"]}), P).unwrap();
        let merged = ws.merged_with(&pkg);
        assert_eq!(merged.deny, Some(DenyLevel::Weight(50)));
        assert_eq!(merged.allow, ["a::b", "c::d"]);
    }
}
