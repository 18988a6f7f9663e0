//! `--message-format json`: rustc's JSON diagnostics, one per line, the format `cargo check
//! --message-format json` wraps in its `compiler-message` records and rust-analyzer reads from
//! a check command (`rust-analyzer.check.overrideCommand`), so findings show in editors as
//! diagnostics with their chain as related locations and the alternative as help. The stream
//! ends with cargo's `build-finished` record.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::RenderOptions;
use super::human::render_one;
use crate::analyzer::{FileError, Finding, Location, Report, weight_name};

/// Byte offsets of line starts, per file, read once each to give spans their byte ranges.
struct Lines {
    base: Option<PathBuf>,
    files: HashMap<String, Option<(String, Vec<usize>)>>,
}

impl Lines {
    /// The byte offset of 1-based `line`, 1-based character `column` in `file` (0 when the
    /// file cannot be read: editors use the line and column).
    fn byte(&mut self, file: &str, line: usize, column: usize) -> usize {
        let base = self.base.clone();
        let entry = self.files.entry(file.to_string()).or_insert_with(|| {
            let path = match &base {
                Some(base) if Path::new(file).is_relative() => base.join(file),
                _ => PathBuf::from(file),
            };
            let text = std::fs::read_to_string(path).ok()?;
            let starts = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            Some((text, starts))
        });
        let Some((text, starts)) = entry else {
            return 0;
        };
        let Some(&start) = starts.get(line.wrapping_sub(1)) else {
            return 0;
        };
        let rest = &text[start..];
        start
            + rest
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(rest.len(), |(i, _)| i)
    }

    fn span(
        &mut self,
        at: &Location,
        source_line: Option<&str>,
        primary: bool,
        label: Option<String>,
    ) -> Value {
        let text = source_line.map(|line| {
            let end = if at.end_line == at.line {
                at.end_column
            } else {
                line.chars().count() + 1
            };
            json!([{"text": line, "highlight_start": at.column, "highlight_end": end}])
        });
        json!({
            "file_name": at.file,
            "byte_start": self.byte(&at.file, at.line, at.column),
            "byte_end": self.byte(&at.file, at.end_line, at.end_column),
            "line_start": at.line,
            "line_end": at.end_line,
            "column_start": at.column,
            "column_end": at.end_column,
            "is_primary": primary,
            "text": text.unwrap_or_else(|| json!([])),
            "label": label,
            "suggested_replacement": null,
            "suggestion_applicability": null,
            "expansion": null,
        })
    }
}

fn child(level: &str, message: String, spans: Vec<Value>) -> Value {
    json!({
        "$message_type": "diagnostic",
        "message": message,
        "code": null,
        "level": level,
        "spans": spans,
        "children": [],
        "rendered": null,
    })
}

fn finding_diagnostic(f: &Finding, lines: &mut Lines) -> Value {
    let label = match (f.weight, &f.category) {
        (Some(w), Some(c)) => Some(format!("{} (weight {w}), {c}", weight_name(w))),
        _ => None,
    };
    let mut children = Vec::new();
    // Each further step of a chain: where the next function, or the operation, is called.
    for (i, at) in f.related.iter().enumerate() {
        let callee = f.chain.get(i + 2).map(String::as_str).unwrap_or("");
        let caller = f.chain.get(i + 1).map(String::as_str).unwrap_or("");
        children.push(child(
            "note",
            format!("`{caller}` calls `{callee}` here"),
            vec![lines.span(at, None, true, None)],
        ));
    }
    if f.chain.len() > 2 {
        children.push(child(
            "note",
            format!("chain: {}", f.chain.join(" → ")),
            Vec::new(),
        ));
    }
    if let Some(alternative) = &f.alternative {
        children.push(child(
            "help",
            format!("use `{alternative}` instead"),
            Vec::new(),
        ));
    }
    json!({
        "$message_type": "diagnostic",
        "message": f.message,
        "code": {"code": format!("aiocop::{}", f.rule.id()), "explanation": null},
        "level": if f.denied { "error" } else { "warning" },
        "spans": [lines.span(&f.at, Some(&f.source_line), true, label)],
        "children": children,
        "rendered": render_one(f, false),
    })
}

fn file_error_diagnostic(e: &FileError, lines: &mut Lines) -> Value {
    let (line, column) = (e.line.max(1), e.column.max(1));
    let at = Location {
        file: e.file.clone(),
        line,
        column,
        end_line: line,
        end_column: column,
    };
    let message = format!("{} (file skipped by cargo aiocop)", e.message);
    json!({
        "$message_type": "diagnostic",
        "message": message,
        "code": {"code": "aiocop::file-skipped", "explanation": null},
        "level": "warning",
        "spans": [lines.span(&at, None, true, None)],
        "children": [],
        "rendered": format!("warning: {}:{}:{}: {message}\n", e.file, e.line, e.column),
    })
}

/// Renders every finding (and every skipped file) as one rustc JSON diagnostic per line, then
/// cargo's `build-finished` record (`success`: nothing reaches the deny level).
pub fn render_diagnostics(report: &Report, options: &RenderOptions<'_>) -> String {
    let mut lines = Lines {
        base: options.base.map(Path::to_path_buf),
        files: HashMap::new(),
    };
    let mut out = String::new();
    for error in &report.file_errors {
        out.push_str(&file_error_diagnostic(error, &mut lines).to_string());
        out.push('\n');
    }
    for finding in &report.findings {
        out.push_str(&finding_diagnostic(finding, &mut lines).to_string());
        out.push('\n');
    }
    out.push_str(&json!({"reason": "build-finished", "success": report.denied() == 0}).to_string());
    out.push('\n');
    out
}
