//! `--message-format json`: one JSON object per finding, one per line. The field names are
//! stable (documented in the crate's README); fields without a value are `null`.

use serde_json::{Value, json};

use crate::analyzer::{Finding, Location, Report, weight_name};

/// Renders every finding as one line of JSON.
pub fn render_json(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        out.push_str(&finding_json(finding).to_string());
        out.push('\n');
    }
    out
}

fn location(at: &Location) -> Value {
    json!({
        "file": at.file,
        "line": at.line,
        "column": at.column,
        "end_line": at.end_line,
        "end_column": at.end_column,
    })
}

/// The JSON object of one finding.
pub fn finding_json(f: &Finding) -> Value {
    json!({
        "rule": f.rule.id(),
        "level": if f.denied { "error" } else { "warning" },
        "message": f.message,
        "file": f.at.file,
        "line": f.at.line,
        "column": f.at.column,
        "end_line": f.at.end_line,
        "end_column": f.at.end_column,
        "source_line": f.source_line,
        "event": f.event,
        "weight": f.weight,
        "severity": f.weight.map(weight_name),
        "category": f.category,
        "alternative": f.alternative,
        "context": if f.context.is_empty() { None } else { Some(&f.context) },
        "chain": f.chain,
        "related": f.related.iter().map(location).collect::<Vec<_>>(),
    })
}
