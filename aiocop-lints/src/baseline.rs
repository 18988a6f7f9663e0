//! `--baseline FILE`: findings already known (an earlier run's `--format json` or
//! `--format sarif` output) are not reported, so an existing codebase fails CI only on new
//! findings; entries of the baseline that no longer match anything are reported as stale, so
//! the baseline shrinks as the code is fixed.
//!
//! A finding matches a baseline entry with the same file, rule, operation, chain and source
//! line text (trimmed): line numbers are not compared, so code moving up or down does not make
//! old findings new. Two identical findings need two entries.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::analyzer::{Finding, Report};

/// What identifies a finding across edits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BaselineKey {
    /// The file, as the report shows it.
    pub file: String,
    /// The rule id (`blocking-call`).
    pub rule: String,
    /// The operation's event name.
    pub event: Option<String>,
    /// The chain, joined with ` > `.
    pub chain: String,
    /// The finding's source line, trimmed.
    pub text: String,
}

impl BaselineKey {
    /// The key of a finding.
    pub fn of(f: &Finding) -> BaselineKey {
        BaselineKey {
            file: f.at.file.clone(),
            rule: f.rule.id().to_string(),
            event: f.event.clone(),
            chain: f.chain.join(" > "),
            text: f.source_line.trim().to_string(),
        }
    }
}

/// The known findings, each with how many times it may occur.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: HashMap<BaselineKey, usize>,
}

/// What applying a baseline did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaselineOutcome {
    /// Findings the baseline knew (left out of the report).
    pub known: usize,
    /// Baseline entries nothing matches any more, sorted.
    pub stale: Vec<BaselineKey>,
}

impl Baseline {
    /// Reads a baseline: a SARIF log, or JSON lines of `--format json`.
    pub fn read(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
        Baseline::parse(&text).map_err(|e| format!("baseline {}: {e}", path.display()))
    }

    /// Parses a baseline's text (SARIF or JSON lines).
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let mut baseline = Baseline::default();
        let trimmed = text.trim_start();
        // A SARIF log is one object with `runs`; JSON lines have one finding per line.
        if let Ok(log) = serde_json::from_str::<Value>(trimmed)
            && log.get("runs").is_some()
        {
            for run in log["runs"].as_array().into_iter().flatten() {
                for result in run["results"].as_array().into_iter().flatten() {
                    baseline.add(sarif_key(result)?);
                }
            }
            return Ok(baseline);
        }
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let value: Value = serde_json::from_str(line)
                .map_err(|e| format!("line {}: not JSON ({e})", i + 1))?;
            baseline.add(json_key(&value).map_err(|e| format!("line {}: {e}", i + 1))?);
        }
        Ok(baseline)
    }

    fn add(&mut self, key: BaselineKey) {
        *self.entries.entry(key).or_default() += 1;
    }

    /// How many entries the baseline has.
    pub fn len(&self) -> usize {
        self.entries.values().sum()
    }

    /// Whether the baseline has no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes the findings the baseline knows from `report`; returns how many, and the
    /// entries left unmatched.
    pub fn apply(&self, report: &mut Report) -> BaselineOutcome {
        let mut left = self.entries.clone();
        let before = report.findings.len();
        report
            .findings
            .retain(|f| match left.get_mut(&BaselineKey::of(f)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            });
        let mut stale: Vec<BaselineKey> = left
            .into_iter()
            .flat_map(|(key, n)| std::iter::repeat_n(key, n))
            .collect();
        stale.sort();
        BaselineOutcome {
            known: before - report.findings.len(),
            stale,
        }
    }
}

fn text_field(value: &Value, field: &str) -> Result<String, String> {
    value[field]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no `{field}`"))
}

fn chain_field(value: &Value) -> String {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(" > ")
}

fn json_key(value: &Value) -> Result<BaselineKey, String> {
    Ok(BaselineKey {
        file: text_field(value, "file")?,
        rule: text_field(value, "rule")?,
        event: value["event"].as_str().map(str::to_string),
        chain: chain_field(&value["chain"]),
        text: text_field(value, "source_line")?.trim().to_string(),
    })
}

/// A SARIF artifact URI back to the path the report shows: `file://` dropped, `%XX` decoded.
fn uri_to_path(uri: &str) -> String {
    let uri = uri.strip_prefix("file://").unwrap_or(uri);
    let bytes = uri.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn sarif_key(result: &Value) -> Result<BaselineKey, String> {
    let location = &result["locations"][0]["physicalLocation"];
    Ok(BaselineKey {
        file: location["artifactLocation"]["uri"]
            .as_str()
            .map(uri_to_path)
            .ok_or("a result without a location")?,
        rule: text_field(result, "ruleId")?,
        event: result["properties"]["event"].as_str().map(str::to_string),
        chain: chain_field(&result["properties"]["chain"]),
        text: location["region"]["snippet"]["text"]
            .as_str()
            .unwrap_or("")
            .trim()
            .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::{Config, Linter};

    const CODE: &str =
        "async fn h() {\n    std::thread::sleep(D);\n    std::fs::read(\"x\").ok();\n}\n";

    #[test]
    fn known_findings_are_left_out_whatever_their_line() {
        let linter = Linter::new(Config::default());
        let old = linter.lint_source("src/lib.rs", CODE);
        let lines = crate::output::render_json(&old);
        let baseline = Baseline::parse(&lines).unwrap();
        assert_eq!(baseline.len(), 2);
        // Two lines inserted above, one new blocking call, one old one fixed.
        let new_code = "// a\n// b\nasync fn h() {\n    std::thread::sleep(D);\n    std::fs::write(\"x\", b\"\").ok();\n}\n";
        let mut report = linter.lint_source("src/lib.rs", new_code);
        let outcome = baseline.apply(&mut report);
        assert_eq!(outcome.known, 1);
        assert_eq!(report.findings.len(), 1);
        assert_eq!(report.findings[0].event.as_deref(), Some("std::fs::write"));
        assert_eq!(outcome.stale.len(), 1);
        assert_eq!(outcome.stale[0].event.as_deref(), Some("std::fs::read"));
    }

    #[test]
    fn a_sarif_log_is_a_baseline_too() {
        let linter = Linter::new(Config::default());
        let old = linter.lint_source("src/lib.rs", CODE);
        let options = crate::output::RenderOptions {
            color: false,
            deny: Default::default(),
            base: None,
        };
        let sarif = crate::output::render_sarif(&old, &options);
        let baseline = Baseline::parse(&sarif).unwrap();
        let mut report = linter.lint_source("src/lib.rs", CODE);
        let outcome = baseline.apply(&mut report);
        assert_eq!((outcome.known, report.findings.len()), (2, 0));
        assert!(outcome.stale.is_empty());
    }

    #[test]
    fn duplicates_need_as_many_entries() {
        let linter = Linter::new(Config::default());
        let one = linter.lint_source("a.rs", "async fn h() { std::fs::read(\"x\").ok(); }\n");
        let baseline = Baseline::parse(&crate::output::render_json(&one)).unwrap();
        let mut two = linter.lint_source(
            "a.rs",
            "async fn h() { std::fs::read(\"x\").ok(); }\nasync fn g() { std::fs::read(\"x\").ok(); }\n",
        );
        // `h` and `g` differ in their chains: only `h`'s is known.
        assert_eq!(baseline.apply(&mut two).known, 1);
        assert_eq!(two.findings.len(), 1);
        assert!(Baseline::parse("not json").is_err());
        assert_eq!(uri_to_path("src/a%20b%C3%A9.rs"), "src/a bé.rs");
        assert_eq!(uri_to_path("file:///w/x.rs"), "/w/x.rs");
    }
}
