//! `--format sarif`: one SARIF 2.1.0 log with one run, the rules the linter checks, one result
//! per finding (with the chain as related locations and a code flow), and unparsable files as
//! tool execution notifications.

use std::path::Path;

use serde_json::{Value, json};

use super::RenderOptions;
use crate::analyzer::{Finding, Location, Report, Rule, weight_name};

/// The schema the log declares.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

const SRCROOT: &str = "%SRCROOT%";

/// Renders the report as a SARIF 2.1.0 log (pretty-printed JSON).
pub fn render_sarif(report: &Report, options: &RenderOptions<'_>) -> String {
    let rules: Vec<Value> = Rule::ALL.iter().map(|r| rule(*r)).collect();
    let results: Vec<Value> = report.findings.iter().map(result).collect();
    let notifications: Vec<Value> = report
        .file_errors
        .iter()
        .map(|e| {
            let mut region = json!({});
            if e.line > 0 {
                region = json!({"startLine": e.line, "startColumn": e.column.max(1)});
            }
            json!({
                "level": "error",
                "message": {"text": format!("{} (file skipped)", e.message)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact(&e.file),
                        "region": region,
                    }
                }],
            })
        })
        .collect();
    let mut run = json!({
        "tool": {
            "driver": {
                "name": "cargo-aiocop",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
        "invocations": [{
            "executionSuccessful": true,
            "toolExecutionNotifications": notifications,
        }],
    });
    if let Some(base) = options.base
        && let Some(uri) = directory_uri(base)
    {
        run["originalUriBaseIds"] = json!({ SRCROOT: {"uri": uri} });
    }
    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

fn rule(rule: Rule) -> Value {
    let name = match rule {
        Rule::BlockingCall => "BlockingCallInAsyncCode",
        Rule::BlockingChain => "BlockingFunctionCalledFromAsyncCode",
        Rule::AllowWithoutReason => "SuppressionWithoutReason",
        Rule::UnusedSuppression => "UnusedSuppression",
    };
    json!({
        "id": rule.id(),
        "name": name,
        "shortDescription": {"text": rule.description()},
        "fullDescription": {"text": rule.description()},
        "help": {
            "text": match rule {
                Rule::AllowWithoutReason => "Add a reason: #[aiocop::allow_blocking(reason = \"...\")] or // aiocop: allow(reason).",
                Rule::UnusedSuppression => "Remove the suppression: nothing under it blocks any more.",
                _ => "Use the async alternative named in the result, or move the call into tokio::task::spawn_blocking.",
            }
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["async", "blocking", "tokio"]},
    })
}

fn region(at: &Location) -> Value {
    json!({
        "startLine": at.line.max(1),
        "startColumn": at.column.max(1),
        "endLine": at.end_line.max(at.line).max(1),
        "endColumn": at.end_column.max(1),
    })
}

fn physical(at: &Location) -> Value {
    json!({
        "artifactLocation": artifact(&at.file),
        "region": region(at),
    })
}

fn result(f: &Finding) -> Value {
    let rule_index = Rule::ALL.iter().position(|r| *r == f.rule).unwrap_or(0);
    let mut location = physical(&f.at);
    location["region"]["snippet"] = json!({"text": f.source_line});
    let mut result = json!({
        "ruleId": f.rule.id(),
        "ruleIndex": rule_index,
        "level": if f.denied { "error" } else { "warning" },
        "message": {"text": message(f)},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {"aiocopFinding/v1": fingerprint(f)},
        "properties": {
            "event": f.event,
            "weight": f.weight,
            "severity": f.weight.map(weight_name),
            "category": f.category,
            "alternative": f.alternative,
            "chain": f.chain,
        },
    });
    if f.rule == Rule::BlockingChain && !f.related.is_empty() {
        let related: Vec<Value> = f
            .chain
            .iter()
            .skip(2)
            .zip(&f.related)
            .enumerate()
            .map(|(i, (step, at))| {
                json!({
                    "id": i + 1,
                    "physicalLocation": physical(at),
                    "message": {"text": format!("`{step}` is called here")},
                })
            })
            .collect();
        let mut flow = vec![json!({
            "location": {
                "physicalLocation": physical(&f.at),
                "message": {"text": format!("{} calls `{}`", f.chain[0], f.chain.get(1).map(String::as_str).unwrap_or("?"))},
            }
        })];
        for (step, at) in f.chain.iter().skip(2).zip(&f.related) {
            flow.push(json!({
                "location": {
                    "physicalLocation": physical(at),
                    "message": {"text": format!("calls `{step}`")},
                }
            }));
        }
        result["relatedLocations"] = Value::Array(related);
        result["codeFlows"] = json!([{"threadFlows": [{"locations": flow}]}]);
    }
    result
}

fn message(f: &Finding) -> String {
    let mut text = f.message.clone();
    if f.rule == Rule::BlockingChain {
        text.push_str(&format!(" (chain: {})", f.chain.join(" → ")));
    }
    if let Some(alt) = &f.alternative {
        text.push_str(&format!(". Use {alt} instead."));
    }
    text
}

/// A stable hash of what identifies a finding across runs and line shifts.
fn fingerprint(f: &Finding) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let parts = [
        f.rule.id(),
        &f.at.file,
        f.event.as_deref().unwrap_or(""),
        &f.chain.join("|"),
        f.source_line.trim(),
    ];
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

fn artifact(file: &str) -> Value {
    if Path::new(file).is_absolute() {
        json!({"uri": format!("file://{}", encode_path(file))})
    } else {
        json!({"uri": encode_path(file), "uriBaseId": SRCROOT})
    }
}

fn directory_uri(base: &Path) -> Option<String> {
    let base = base.to_str()?;
    if !base.starts_with('/') {
        return None;
    }
    let mut uri = format!("file://{}", encode_path(base));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    Some(uri)
}

/// Percent-encodes a path for a URI, keeping `/` and the unreserved characters.
fn encode_path(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uris() {
        assert_eq!(encode_path("src/a b.rs"), "src/a%20b.rs");
        assert_eq!(artifact("src/lib.rs")["uriBaseId"], SRCROOT);
        assert_eq!(artifact("/tmp/x.rs")["uri"], "file:///tmp/x.rs");
        assert_eq!(
            directory_uri(Path::new("/w/p")).as_deref(),
            Some("file:///w/p/")
        );
    }
}
