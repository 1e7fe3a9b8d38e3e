//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::fmt::Write;

use flyte_migrate::diagnostic::Diagnostic;
use flyte_migrate::fix::apply_one;
use flyte_migrate::registry::{Rule, RuleSelector};
use flyte_migrate::report::help_line;
use flyte_migrate::settings::{RuleSet, Settings};
use flyte_migrate::source::Locator;

pub fn settings(select: &[&str], unsafe_fixes: bool) -> Settings {
    let select: Vec<RuleSelector> = select
        .iter()
        .map(|s| RuleSelector::parse(s).expect("valid selector"))
        .collect();
    Settings {
        rules: RuleSet::from_selectors(&select, &[]),
        unsafe_fixes,
        ..Settings::default()
    }
}

pub fn all_rules(unsafe_fixes: bool) -> Settings {
    Settings {
        rules: RuleSet::all(),
        unsafe_fixes,
        ..Settings::default()
    }
}

/// A unified diff of two texts, for snapshots.
pub fn diff(old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .to_string()
}

/// Each diagnostic as `row:col CODE message`, its help, and its own fix as a diff.
pub fn render(text: &str, diagnostics: &[Diagnostic]) -> String {
    let locator = Locator::new(text);
    let mut out = String::new();
    for d in diagnostics {
        let start = locator.line_column(d.range.start());
        let end = locator.line_column(d.range.end());
        let _ = writeln!(
            out,
            "{}:{}-{}:{} {} {}",
            start.line,
            start.column,
            end.line,
            end.column,
            d.rule.code(),
            d.message
        );
        if let Some(help) = help_line(d) {
            let _ = writeln!(out, "  help: {help}");
        }
        if let Some(fixed) = apply_one(text, d) {
            for line in diff(text, &fixed).lines().filter(|l| !l.starts_with("@@")) {
                let _ = writeln!(out, "  | {line}");
            }
        }
        out.push('\n');
    }
    out
}

/// The rule a fixture file is named after (`fixtures/FM201.py`).
pub fn fixture_rule(path: &std::path::Path) -> Option<Rule> {
    // `FM621.py`, or `FM621_script.py` for a rule with more than one fixture.
    let stem = path.file_stem()?.to_str()?;
    Rule::from_code(stem.split_once('_').map_or(stem, |(code, _)| code))
}

/// Whether Python would parse the text (our parser is ruff's).
pub fn parses(text: &str) -> bool {
    ruff_python_parser::parse_module(text).is_ok()
}

/// Run the built binary in `dir`.
pub fn run(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_flyte-migrate"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs")
}
