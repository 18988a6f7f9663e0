//! Suppressions: `#[aiocop::allow_blocking(reason = "...")]` on an item, and the line comment
//! `// aiocop: allow(reason)` on the line of the call or alone on the line above it. Both need a
//! reason; one without is reported (and still suppresses, so the report names one problem).

use std::collections::HashMap;

use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Lit, Meta, MetaNameValue, Token};

use super::resolve::{Resolver, path_segments};

/// Where an `allow` without a reason was written (1-based line and column, end column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MissingReason {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) end_column: usize,
}

/// Where an allow comment is: 1-based line, first column, column after its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CommentAt {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) end_column: usize,
}

/// The lines of one file that `// aiocop: allow(..)` comments cover.
#[derive(Debug, Default)]
pub(crate) struct LineAllows {
    /// Covered line → the allow comment covering it.
    lines: HashMap<usize, CommentAt>,
    pub(crate) missing_reasons: Vec<MissingReason>,
}

impl LineAllows {
    /// Whether findings on 1-based `line` are suppressed.
    pub(crate) fn covers(&self, line: usize) -> bool {
        self.lines.contains_key(&line)
    }

    /// The comment covering 1-based `line`, if any.
    pub(crate) fn comment(&self, line: usize) -> Option<CommentAt> {
        self.lines.get(&line).copied()
    }

    /// Every allow comment, once each, in line order.
    pub(crate) fn comments(&self) -> Vec<CommentAt> {
        let mut all: Vec<CommentAt> = self.lines.values().copied().collect();
        all.sort_by_key(|c| c.line);
        all.dedup();
        all
    }

    /// Finds the allow comments of a file's text.
    pub(crate) fn scan(text: &str) -> LineAllows {
        let mut allows = LineAllows::default();
        let mut pending_own_line: Option<CommentAt> = None;
        for (i, line) in text.lines().enumerate() {
            let number = i + 1;
            let comment = comment_start(line);
            let code = &line[..comment.unwrap_or(line.len())];
            let has_code = !code.trim().is_empty();
            if has_code && let Some(at) = pending_own_line.take() {
                allows.lines.insert(number, at);
            }
            let Some(start) = comment else { continue };
            let Some((reason, end)) = parse_allow(&line[start + 2..]) else {
                continue;
            };
            let reason_ok = reason.is_some_and(|r| !r.trim().is_empty());
            let at = CommentAt {
                line: number,
                column: line[..start].chars().count() + 1,
                end_column: line[..start + 2 + end].chars().count() + 1,
            };
            if !reason_ok {
                allows.missing_reasons.push(MissingReason {
                    line: at.line,
                    column: at.column,
                    end_column: at.end_column,
                });
            }
            if has_code {
                allows.lines.insert(number, at);
            } else {
                pending_own_line = Some(at);
            }
        }
        allows
    }
}

/// The byte offset of the `//` starting a line comment, skipping `//` inside string literals.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i + 1 < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            // A `'"'` char literal does not open a string.
            b'\'' if !in_string && bytes.get(i + 2) == Some(&b'\'') => i += 2,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes[i + 1] == b'/' => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Parses ` aiocop: allow(reason)` after `//`: Some((reason, end offset)) if it is an allow
/// comment, the reason None when the parentheses are missing.
fn parse_allow(comment: &str) -> Option<(Option<&str>, usize)> {
    let body = comment.trim_start();
    let rest = body.strip_prefix("aiocop:")?.trim_start();
    let rest = rest.strip_prefix("allow")?;
    let offset = comment.len() - rest.len();
    let trimmed = rest.trim_start();
    let Some(inner) = trimmed.strip_prefix('(') else {
        // `// aiocop: allowed` is not an allow comment; `// aiocop: allow` is, without reason.
        return rest
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric())
            .then_some((None, offset));
    };
    let close = inner.rfind(')')?;
    let end = comment.len() - inner.len() + close + 1;
    Some((Some(&inner[..close]), end))
}

/// What an item's attributes say about blocking.
#[derive(Debug, Default)]
pub(crate) struct ItemAllow {
    pub(crate) allowed: bool,
    /// Where the (first) allow attribute is, when there is one.
    pub(crate) at: Option<(proc_macro2::LineColumn, proc_macro2::LineColumn)>,
    pub(crate) missing_reason: Option<MissingReason>,
}

/// Looks for `#[aiocop::allow_blocking(reason = "...")]` (or the attribute imported under any
/// name) among `attrs`.
pub(crate) fn item_allow(attrs: &[Attribute], resolver: &Resolver<'_>) -> ItemAllow {
    let mut result = ItemAllow::default();
    for attr in attrs {
        let segs = path_segments(attr.path());
        let is_allow = resolver
            .resolve(&segs)
            .is_some_and(|p| p.len() == 2 && p[0] == "aiocop" && p[1] == "allow_blocking");
        if !is_allow {
            continue;
        }
        result.allowed = true;
        if result.at.is_none() {
            result.at = Some((
                attr.pound_token.span.start(),
                attr.bracket_token.span.close().end(),
            ));
        }
        if !has_reason(attr) {
            let start = attr.pound_token.span.start();
            let end = attr.bracket_token.span.close().end();
            result.missing_reason = Some(MissingReason {
                line: start.line,
                column: start.column + 1,
                end_column: if end.line == start.line {
                    end.column + 1
                } else {
                    start.column + 2
                },
            });
        }
    }
    result
}

fn has_reason(attr: &Attribute) -> bool {
    let Meta::List(list) = &attr.meta else {
        return false;
    };
    let Ok(args) = list.parse_args_with(Punctuated::<MetaNameValue, Token![,]>::parse_terminated)
    else {
        return false;
    };
    args.iter().any(|nv| {
        nv.path.is_ident("reason")
            && matches!(&nv.value, Expr::Lit(l) if matches!(&l.lit, Lit::Str(s) if !s.value().trim().is_empty()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_and_own_line_comments() {
        let text = "fn f() {\n    a(); // aiocop: allow(startup only)\n    // aiocop: allow(cached)\n\n    b();\n    c(); // not an allow\n    let s = \"// aiocop: allow(x)\";\n}\n";
        let allows = LineAllows::scan(text);
        assert!(allows.covers(2));
        assert!(allows.covers(5));
        assert!(!allows.covers(6));
        assert!(!allows.covers(7));
        assert!(allows.missing_reasons.is_empty());
    }

    #[test]
    fn a_missing_reason_is_reported() {
        let allows = LineAllows::scan(
            "x(); // aiocop: allow()\ny(); // aiocop: allow\nz(); // aiocop: allowed\n",
        );
        assert!(allows.covers(1));
        assert!(allows.covers(2));
        assert!(!allows.covers(3));
        let lines: Vec<_> = allows.missing_reasons.iter().map(|m| m.line).collect();
        assert_eq!(lines, [1, 2]);
        assert_eq!(allows.missing_reasons[0].column, 6);
    }
}
