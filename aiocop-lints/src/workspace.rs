//! Cargo mode: `cargo metadata` names the workspace's packages, every target's root file and
//! the `[workspace.metadata.aiocop]` / `[package.metadata.aiocop]` configuration.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::analyzer::{
    Config, ConfigError, DenyLevel, DepSummary, LintError, Linter, Member, Report, lint_members,
    summary,
};

/// One workspace member to lint.
struct Package {
    name: String,
    manifest: PathBuf,
    roots: Vec<PathBuf>,
    /// Its library target, if it has one: crate name and root file.
    lib: Option<(String, PathBuf)>,
    /// Whether it has targets that may call its library (binaries, tests, examples, benches).
    lib_callers: bool,
    /// The names of the packages it depends on.
    depends_on: Vec<String>,
    metadata: Option<Value>,
}

/// What `cargo metadata` says about the workspace.
pub(crate) struct Workspace {
    pub(crate) root: PathBuf,
    packages: Vec<Package>,
    metadata: Option<Value>,
    /// What the dependencies declare for the linter: the `blocking` and `offload` entries of
    /// their `[package.metadata.aiocop]` tables (empty when the dependency graph is unknown).
    dependencies: Config,
    /// Dependencies that depend on aiocop (so may declare `#[aiocop::blocking]` functions):
    /// their library's crate name and root file.
    aiocop_users: Vec<(String, PathBuf)>,
    /// Every dependency library (for `--deps`).
    libraries: Vec<Library>,
    /// Cargo's target directory (the summaries' cache lives in it).
    target_dir: Option<PathBuf>,
}

/// A dependency's library target.
struct Library {
    /// `name-version`: the cache's key.
    id: String,
    crate_name: String,
    root: PathBuf,
    /// The folder holding the package's folder: paths are shown from there.
    base: PathBuf,
    /// From a registry: immutable for its version, so its summary can be cached.
    registry: bool,
}

/// How the dependencies were summarized.
#[derive(Debug, Clone, Default)]
pub(crate) struct DepStats {
    pub(crate) libraries: usize,
    pub(crate) from_cache: usize,
    pub(crate) functions: usize,
}

impl Workspace {
    /// Runs `cargo metadata` for the manifest (or the current directory's): with the
    /// dependencies when the lock file and the local registry already have them (offline,
    /// locked: the run never downloads nor rewrites `Cargo.lock`), else the workspace alone.
    pub(crate) fn load(manifest: Option<&Path>) -> Result<Workspace, LintError> {
        let run = |extra: &[&str]| {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut cmd = Command::new(cargo);
            cmd.args(["metadata", "--format-version", "1"]).args(extra);
            if let Some(manifest) = manifest {
                cmd.arg("--manifest-path").arg(manifest);
            }
            cmd.output()
                .map_err(|e| LintError::Metadata(format!("cannot run cargo: {e}")))
        };
        // Without a lock file the graph cannot be resolved offline and locked: skip the try.
        let start = match manifest {
            Some(m) => m.parent().map(Path::to_path_buf).unwrap_or_default(),
            None => std::env::current_dir().unwrap_or_default(),
        };
        let start = start.canonicalize().unwrap_or(start);
        let has_lock = start
            .ancestors()
            .any(|dir| dir.join("Cargo.lock").is_file());
        let mut output = if has_lock {
            run(&["--offline", "--locked"])?
        } else {
            run(&["--no-deps"])?
        };
        if has_lock && !output.status.success() {
            // Packages only other platforms need are often not downloaded: resolve for this
            // one.
            if let Some(host) = host_triple() {
                output = run(&["--offline", "--locked", "--filter-platform", &host])?;
            }
        }
        if has_lock && !output.status.success() {
            output = run(&["--no-deps"])?;
        }
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(LintError::Metadata(stderr.trim().to_string()));
        }
        let json: Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| LintError::Metadata(format!("unexpected output: {e}")))?;
        let mut workspace = Self::from_metadata(&json)?;
        workspace.scan_dependency_sources();
        Ok(workspace)
    }

    fn from_metadata(json: &Value) -> Result<Workspace, LintError> {
        let bad = |what: &str| LintError::Metadata(format!("unexpected output: no {what}"));
        let root = PathBuf::from(
            json["workspace_root"]
                .as_str()
                .ok_or_else(|| bad("workspace_root"))?,
        );
        let members: Vec<&str> = json["workspace_members"]
            .as_array()
            .ok_or_else(|| bad("workspace_members"))?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let mut packages = Vec::new();
        let mut dependencies = Config::default();
        let mut aiocop_users = Vec::new();
        let mut libraries = Vec::new();
        for pkg in json["packages"].as_array().ok_or_else(|| bad("packages"))? {
            let id = pkg["id"].as_str().unwrap_or("");
            if !members.contains(&id) {
                if let Some(declared) = dependency_declarations(&pkg["metadata"]["aiocop"]) {
                    dependencies = dependencies.merged_with(&declared);
                }
                let uses_aiocop = pkg["dependencies"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|d| d["name"] == "aiocop");
                let lib = pkg["targets"].as_array().into_iter().flatten().find(|t| {
                    t["kind"]
                        .as_array()
                        .is_some_and(|k| k.iter().any(|k| k == "lib" || k == "rlib"))
                });
                if let Some(lib) = lib
                    && let (Some(name), Some(root), Some(manifest)) = (
                        lib["name"].as_str(),
                        lib["src_path"].as_str(),
                        pkg["manifest_path"].as_str(),
                    )
                {
                    let package_dir = Path::new(manifest).parent().unwrap_or(Path::new(""));
                    libraries.push(Library {
                        id: format!(
                            "{}-{}",
                            pkg["name"].as_str().unwrap_or(name),
                            pkg["version"].as_str().unwrap_or("0")
                        ),
                        crate_name: name.replace('-', "_"),
                        root: PathBuf::from(root),
                        base: package_dir.parent().unwrap_or(package_dir).to_path_buf(),
                        registry: pkg["source"]
                            .as_str()
                            .is_some_and(|s| s.starts_with("registry+")),
                    });
                }
                if uses_aiocop
                    && let Some(lib) = lib
                    && let (Some(name), Some(root)) =
                        (lib["name"].as_str(), lib["src_path"].as_str())
                {
                    aiocop_users.push((name.replace('-', "_"), PathBuf::from(root)));
                }
                continue;
            }
            let mut roots: Vec<PathBuf> = pkg["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t["src_path"].as_str().map(PathBuf::from))
                .collect();
            roots.sort();
            roots.dedup();
            let lib = pkg["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|t| {
                    t["kind"].as_array().is_some_and(|k| {
                        k.iter()
                            .any(|k| k == "lib" || k == "rlib" || k == "proc-macro")
                    })
                })
                .and_then(|t| {
                    Some((
                        t["name"].as_str()?.replace('-', "_"),
                        PathBuf::from(t["src_path"].as_str()?),
                    ))
                });
            let lib_callers = pkg["targets"].as_array().into_iter().flatten().any(|t| {
                t["kind"].as_array().is_some_and(|k| {
                    k.iter()
                        .any(|k| matches!(k.as_str(), Some("bin" | "test" | "example" | "bench")))
                })
            });
            let depends_on = pkg["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| d["name"].as_str().map(str::to_string))
                .collect();
            packages.push(Package {
                name: pkg["name"].as_str().unwrap_or("").to_string(),
                manifest: PathBuf::from(pkg["manifest_path"].as_str().unwrap_or("")),
                roots,
                lib,
                lib_callers,
                depends_on,
                metadata: pkg["metadata"].get("aiocop").cloned(),
            });
        }
        Ok(Workspace {
            root,
            packages,
            metadata: json["metadata"].get("aiocop").cloned(),
            dependencies,
            aiocop_users,
            libraries,
            target_dir: json["target_directory"].as_str().map(PathBuf::from),
        })
    }

    /// Summarizes every dependency library (`--deps`): read from the cache when a registry
    /// crate's summary is there, else analyzed from its source (and cached).
    pub(crate) fn summarize_dependencies(&self) -> (Vec<DepSummary>, DepStats) {
        let reader = Linter::new(Config::default());
        let cache_dir = self
            .target_dir
            .as_ref()
            .map(|t| t.join("aiocop").join("deps-v2"));
        let mut all = Vec::new();
        let mut stats = DepStats::default();
        for lib in &self.libraries {
            stats.libraries += 1;
            let cache = cache_dir
                .as_ref()
                .filter(|_| lib.registry)
                .map(|dir| dir.join(format!("{}.json", lib.id)));
            if let Some(cached) = cache.as_deref().and_then(summary::read_cache) {
                stats.from_cache += 1;
                all.extend(cached);
                continue;
            }
            let summaries = reader.summarize_dependency(&lib.crate_name, &lib.root, &lib.base);
            if let Some(cache) = &cache {
                summary::write_cache(cache, &summaries);
            }
            all.extend(summaries);
        }
        stats.functions = all.len();
        (all, stats)
    }

    /// Reads the sources of the dependencies that use aiocop for their `#[aiocop::blocking]`
    /// functions (only those: a crate without the dependency cannot use the attribute, so no
    /// other dependency's source is read).
    fn scan_dependency_sources(&mut self) {
        let reader = Linter::new(Config::default());
        for (name, root) in &self.aiocop_users {
            for declared in reader.declared_by_dependency(name, root) {
                if !self
                    .dependencies
                    .blocking
                    .iter()
                    .any(|b| b.path == declared.path)
                {
                    self.dependencies.blocking.push(declared);
                }
            }
        }
    }

    /// The workspace-wide configuration, on top of what the dependencies declare.
    pub(crate) fn config(&self) -> Result<Config, ConfigError> {
        match &self.metadata {
            None => Ok(self.dependencies.clone()),
            Some(value) => Config::from_json(value, "workspace.metadata.aiocop")
                .map(|own| self.dependencies.clone().merged_with(&own))
                .map_err(|mut e| {
                    e.manifest = Some(self.root.join("Cargo.toml"));
                    e
                }),
        }
    }

    /// The configuration for linting paths with `--manifest-path manifest`: the workspace's,
    /// with the package's own on top when the manifest is a member's.
    pub(crate) fn config_for(&self, manifest: &Path) -> Result<Config, LintError> {
        let config = self.config()?;
        let wanted = manifest
            .canonicalize()
            .unwrap_or_else(|_| manifest.to_path_buf());
        let package = self.packages.iter().find(|p| {
            p.manifest
                .canonicalize()
                .unwrap_or_else(|_| p.manifest.clone())
                == wanted
        });
        match package.and_then(|p| p.metadata.as_ref().map(|m| (p, m))) {
            None => Ok(config),
            Some((package, value)) => {
                let own =
                    Config::from_json(value, "package.metadata.aiocop").map_err(|mut e| {
                        e.manifest = Some(package.manifest.clone());
                        e
                    })?;
                Ok(config.merged_with(&own))
            }
        }
    }

    /// Lints the named packages (all members if `only` is empty). Each package uses the
    /// workspace configuration with its own layered on top; `deny` overrides both.
    pub(crate) fn lint(
        &self,
        only: &[String],
        deny: Option<DenyLevel>,
        dependencies: &[DepSummary],
        report_trivial: Option<bool>,
    ) -> Result<Report, LintError> {
        for name in only {
            if !self.packages.iter().any(|p| &p.name == name) {
                return Err(LintError::Metadata(format!(
                    "package `{name}` is not a member of the workspace"
                )));
            }
        }
        let workspace_config = self.config()?;
        let mut configs = Vec::with_capacity(self.packages.len());
        for package in &self.packages {
            let config = match &package.metadata {
                None => workspace_config.clone(),
                Some(value) => {
                    let own =
                        Config::from_json(value, "package.metadata.aiocop").map_err(|mut e| {
                            e.manifest = Some(package.manifest.clone());
                            e
                        })?;
                    workspace_config.clone().merged_with(&own)
                }
            };
            configs.push(config);
        }
        let members: Vec<Member> = self
            .packages
            .iter()
            .zip(configs)
            .map(|(package, mut config)| {
                if report_trivial.is_some() {
                    config.report_trivial = report_trivial;
                }
                // A library is summarized only when something may call it: its package's
                // other targets, or another member depending on it.
                let called = package.lib_callers
                    || self
                        .packages
                        .iter()
                        .any(|other| other.depends_on.contains(&package.name));
                Member {
                    config,
                    deny,
                    callable_lib: package.lib.clone().filter(|_| called),
                    roots: (only.is_empty() || only.contains(&package.name))
                        .then(|| package.roots.clone()),
                }
            })
            .collect();
        Ok(lint_members(&members, dependencies, &self.root))
    }

    /// The configured deny level of the selected packages, for the summary (the strictest).
    pub(crate) fn deny_level(&self, only: &[String]) -> DenyLevel {
        let workspace = self.config().ok().and_then(|c| c.deny);
        let mut levels = Vec::new();
        for package in &self.packages {
            if !only.is_empty() && !only.contains(&package.name) {
                continue;
            }
            let own = package
                .metadata
                .as_ref()
                .and_then(|v| Config::from_json(v, "package.metadata.aiocop").ok())
                .and_then(|c| c.deny);
            levels.push(own.or(workspace).unwrap_or_default());
        }
        levels
            .into_iter()
            .min_by_key(|l| match l {
                DenyLevel::Any => 0,
                DenyLevel::Weight(w) => u64::from(*w) + 1,
                DenyLevel::Never => u64::MAX,
            })
            .unwrap_or_default()
    }
}

/// The host's target triple, from `rustc -vV`.
fn host_triple() -> Option<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc).arg("-vV").output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|h| h.trim().to_string())
}

/// What a dependency's `[package.metadata.aiocop]` table declares for its users: its blocking
/// functions (`blocking`) and its offloading calls (`offload`). Its other settings (`deny`,
/// `allow`) are its own business; a malformed table is ignored (it is not the user's to fix).
fn dependency_declarations(table: &Value) -> Option<Config> {
    let table = table.as_object()?;
    let mut kept = serde_json::Map::new();
    for key in ["blocking", "offload"] {
        if let Some(value) = table.get(key) {
            kept.insert(key.to_string(), value.clone());
        }
    }
    if kept.is_empty() {
        return None;
    }
    Config::from_json(&Value::Object(kept), "package.metadata.aiocop").ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_members_targets_and_metadata() {
        let ws = Workspace::from_metadata(&json!({
            "workspace_root": "/w",
            "workspace_members": ["a 0.1.0 (path+file:///w/a)"],
            "metadata": {"aiocop": {"deny": "heavy"}},
            "packages": [
                {
                    "id": "a 0.1.0 (path+file:///w/a)",
                    "name": "a",
                    "manifest_path": "/w/a/Cargo.toml",
                    "targets": [{"src_path": "/w/a/src/lib.rs"}, {"src_path": "/w/a/src/main.rs"}],
                    "metadata": {"aiocop": {"allow": ["std::fs::read"]}}
                },
                {
                    "id": "other", "name": "dep", "manifest_path": "/x/Cargo.toml", "targets": [],
                    "metadata": {"aiocop": {
                        "deny": "any",
                        "blocking": {"dep::Client::query": "heavy"},
                        "offload": ["dep::pool::run"]
                    }}
                },
                {
                    "id": "broken", "name": "broken", "manifest_path": "/y/Cargo.toml", "targets": [],
                    "metadata": {"aiocop": {"blocking": {"not a path": 1}}}
                }
            ]
        }))
        .unwrap();
        assert_eq!(ws.packages.len(), 1);
        // The dependency's blocking functions and offloaders reach the workspace's
        // configuration, its deny level does not; a malformed table is ignored.
        let config = ws.config().unwrap();
        assert_eq!(config.blocking.len(), 1);
        assert_eq!(config.blocking[0].path, "dep::Client::query");
        assert_eq!(config.offload, ["dep::pool::run"]);
        assert_eq!(ws.packages[0].roots.len(), 2);
        assert_eq!(ws.config().unwrap().deny, Some(DenyLevel::Weight(50)));
        assert_eq!(ws.deny_level(&[]), DenyLevel::Weight(50));
    }

    #[test]
    fn a_malformed_workspace_table_names_its_key_and_manifest() {
        let ws = Workspace::from_metadata(&json!({
            "workspace_root": "/w",
            "workspace_members": [],
            "metadata": {"aiocop": {"deny": true}},
            "packages": []
        }))
        .unwrap();
        let error = ws.config().unwrap_err();
        assert_eq!(error.key, "workspace.metadata.aiocop.deny");
        assert!(error.to_string().contains("/w/Cargo.toml"));
    }
}
