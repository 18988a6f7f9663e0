//! rustc-style diagnostics: the message, `--> file:line:col`, the source line with an
//! underline, the weight and category, the chain, the suggested alternative; then a summary.

use std::fmt::Write;

use super::RenderOptions;
use crate::analyzer::{Finding, Report, Rule, weight_name};

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn error(&self, t: &str) -> String {
        self.paint("1;31", t)
    }
    fn warning(&self, t: &str) -> String {
        self.paint("1;33", t)
    }
    fn gutter(&self, t: &str) -> String {
        self.paint("1;34", t)
    }
    fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    fn help(&self, t: &str) -> String {
        self.paint("1;36", t)
    }
}

/// Renders the report as text for a terminal or a log.
pub fn render_human(report: &Report, options: &RenderOptions<'_>) -> String {
    let style = Style { on: options.color };
    let mut out = String::new();
    for error in &report.file_errors {
        let place = if error.line > 0 {
            format!("{}:{}:{}", error.file, error.line, error.column)
        } else {
            error.file.clone()
        };
        let _ = writeln!(
            out,
            "{}: {place}: {} (file skipped)\n",
            style.warning("warning"),
            error.message
        );
    }
    for finding in &report.findings {
        render_finding(&mut out, finding, &style);
    }
    out.push_str(&summary(report, options, &style));
    out.push('\n');
    out
}

/// One finding as rustc renders a diagnostic (the `rendered` text of the JSON diagnostics).
pub(crate) fn render_one(f: &Finding, color: bool) -> String {
    let mut out = String::new();
    render_finding(&mut out, f, &Style { on: color });
    out
}

fn render_finding(out: &mut String, f: &Finding, style: &Style) {
    let level = if f.denied {
        style.error(&format!("error[{}]", f.rule.id()))
    } else {
        style.warning(&format!("warning[{}]", f.rule.id()))
    };
    let _ = writeln!(out, "{level}{}", style.bold(&format!(": {}", f.message)));
    let number = f.at.line.to_string();
    let pad = " ".repeat(number.len());
    let _ = writeln!(
        out,
        "{pad}{} {}:{}:{}",
        style.gutter("-->"),
        f.at.file,
        f.at.line,
        f.at.column
    );
    let _ = writeln!(out, "{pad} {}", style.gutter("|"));
    let _ = writeln!(
        out,
        "{} {} {}",
        style.gutter(&number),
        style.gutter("|"),
        f.source_line
    );
    let (prefix, width) = underline(
        &f.source_line,
        f.at.column,
        f.at.end_line,
        f.at.line,
        f.at.end_column,
    );
    let label = match (f.rule, f.weight) {
        (Rule::AllowWithoutReason, _) => "no reason given".to_string(),
        (Rule::UnusedSuppression, _) => "nothing under it blocks".to_string(),
        (Rule::BlockingChain, Some(w)) => format!(
            "calls `{}`, which blocks: {} (weight {w})",
            f.chain.get(1).map(String::as_str).unwrap_or("?"),
            weight_name(w)
        ),
        (_, Some(w)) => format!(
            "{} (weight {w}), {}",
            weight_name(w),
            f.category.as_deref().unwrap_or("")
        ),
        (_, None) => String::new(),
    };
    let marks = "^".repeat(width);
    let painted = if f.denied {
        style.error(&format!("{marks} {label}"))
    } else {
        style.warning(&format!("{marks} {label}"))
    };
    let _ = writeln!(out, "{pad} {} {prefix}{painted}", style.gutter("|"));
    let _ = writeln!(out, "{pad} {}", style.gutter("|"));
    if f.rule == Rule::BlockingChain {
        let _ = writeln!(
            out,
            "{pad} {} {}: {}",
            style.gutter("="),
            style.bold("chain"),
            f.chain.join(" → ")
        );
        for (step, at) in f.chain.iter().skip(2).zip(&f.related) {
            let _ = writeln!(
                out,
                "{pad} {} {}: `{step}` is called at {}:{}:{}",
                style.gutter("="),
                style.bold("note"),
                at.file,
                at.line,
                at.column
            );
        }
    }
    if let Some(category) = &f.category
        && f.rule == Rule::BlockingChain
    {
        let _ = writeln!(
            out,
            "{pad} {} {}: {category}",
            style.gutter("="),
            style.bold("category")
        );
    }
    match (&f.alternative, f.rule) {
        (Some(alt), Rule::BlockingChain) => {
            let _ = writeln!(
                out,
                "{pad} {} {}: use `{alt}` in `{}`, or run `{}` inside `tokio::task::spawn_blocking`",
                style.gutter("="),
                style.help("help"),
                f.chain
                    .get(f.chain.len().saturating_sub(2))
                    .map(String::as_str)
                    .unwrap_or("?"),
                f.chain.get(1).map(String::as_str).unwrap_or("?"),
            );
        }
        (Some(alt), _) => {
            let _ = writeln!(
                out,
                "{pad} {} {}: use `{alt}` instead",
                style.gutter("="),
                style.help("help")
            );
        }
        (None, Rule::AllowWithoutReason) => {
            let _ = writeln!(
                out,
                "{pad} {} {}: say why blocking is acceptable here: `#[aiocop::allow_blocking(reason = \"...\")]` or `// aiocop: allow(reason)`",
                style.gutter("="),
                style.help("help"),
            );
        }
        (None, Rule::UnusedSuppression) => {
            let _ = writeln!(
                out,
                "{pad} {} {}: remove the suppression (it never fails the run)",
                style.gutter("="),
                style.help("help"),
            );
        }
        (None, _) => {
            let _ = writeln!(
                out,
                "{pad} {} {}: move the call into `tokio::task::spawn_blocking`",
                style.gutter("="),
                style.help("help"),
            );
        }
    }
    out.push('\n');
}

/// The spaces (tabs kept, so the marks line up) before the underline, and its width.
fn underline(
    line: &str,
    column: usize,
    end_line: usize,
    start_line: usize,
    end_column: usize,
) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    let start = column.saturating_sub(1).min(chars.len());
    let end = if end_line == start_line {
        end_column.saturating_sub(1).min(chars.len())
    } else {
        chars.len()
    };
    let prefix: String = chars[..start]
        .iter()
        .map(|c| if *c == '\t' { '\t' } else { ' ' })
        .collect();
    (prefix, end.saturating_sub(start).max(1))
}

fn summary(report: &Report, options: &RenderOptions<'_>, style: &Style) -> String {
    let files = match report.files_analyzed {
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    };
    let skipped = match report.file_errors.len() {
        0 => String::new(),
        1 => ", 1 file skipped".to_string(),
        n => format!(", {n} files skipped"),
    };
    if report.findings.is_empty() {
        return format!(
            "{}: no blocking calls in async code ({files} analyzed{skipped})",
            style.bold("aiocop")
        );
    }
    let mut by_weight: Vec<(&str, usize)> = Vec::new();
    for f in &report.findings {
        let name = match (f.weight, f.rule) {
            (Some(w), _) => weight_name(w),
            (None, Rule::UnusedSuppression) => "unused-suppression",
            (None, _) => "allow-without-reason",
        };
        match by_weight.iter_mut().find(|(n, _)| *n == name) {
            Some((_, count)) => *count += 1,
            None => by_weight.push((name, 1)),
        }
    }
    let order = [
        "heavy",
        "moderate",
        "light",
        "trivial",
        "allow-without-reason",
        "unused-suppression",
    ];
    by_weight.sort_by_key(|(n, _)| order.iter().position(|o| o == n));
    let kinds: Vec<String> = by_weight.iter().map(|(n, c)| format!("{c} {n}")).collect();
    let total = report.findings.len();
    let denied = report.denied();
    let noun = if total == 1 { "finding" } else { "findings" };
    let verdict = if denied > 0 {
        style.error(&format!(
            "{denied} at or above the deny level `{}`",
            options.deny
        ))
    } else {
        format!("none at or above the deny level `{}`", options.deny)
    };
    format!(
        "{}: {total} {noun} ({}) in {files}{skipped}; {verdict}",
        style.bold("aiocop"),
        kinds.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underline_keeps_tabs_and_clamps() {
        assert_eq!(
            underline("\tlet x = f();", 10, 1, 1, 13),
            ("\t        ".to_string(), 3)
        );
        assert_eq!(underline("abc", 2, 2, 1, 1), (" ".to_string(), 2));
        assert_eq!(underline("", 5, 1, 1, 9), (String::new(), 1));
    }
}
