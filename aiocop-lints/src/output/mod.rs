//! The linter's output formats: rustc-style text for people, rustc's JSON diagnostics for
//! editors (rust-analyzer's check command), JSON lines for scripts, and SARIF 2.1.0 for
//! code-scanning services.

mod diagnostic;
mod human;
mod json;
mod sarif;

use std::path::Path;

pub use diagnostic::render_diagnostics;
pub use human::render_human;
pub use json::{finding_json, render_json};
pub use sarif::{SARIF_SCHEMA, render_sarif};

use crate::analyzer::{DenyLevel, Report};

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// rustc-style diagnostics and a summary line.
    Human,
    /// One JSON object per finding, one per line, with the linter's own fields.
    Json,
    /// rustc's JSON diagnostics, one per line, then cargo's `build-finished` record.
    Diagnostics,
    /// One SARIF 2.1.0 log.
    Sarif,
}

/// What every renderer needs besides the report.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions<'a> {
    /// Use ANSI colours (human format only).
    pub color: bool,
    /// The deny level in force, named in the summary.
    pub deny: DenyLevel,
    /// The folder relative paths are relative to (the workspace root, or the current
    /// directory); SARIF names it as `%SRCROOT%`.
    pub base: Option<&'a Path>,
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: Format, options: &RenderOptions<'_>) -> String {
    match format {
        Format::Human => render_human(report, options),
        Format::Json => render_json(report),
        Format::Diagnostics => render_diagnostics(report, options),
        Format::Sarif => render_sarif(report, options),
    }
}
