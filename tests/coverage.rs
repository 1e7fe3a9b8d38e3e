//! `docs/coverage.md` maps every Flyte 1 construct of the migration mapping to the rule that
//! reports it, with an example. Each example must trigger its row's rule; the rows without a rule
//! are listed here, so a gap stays visible and a new rule has to update the table.

mod common;

use std::path::Path;

use common::all_rules;
use flyte_migrate::check_file;
use flyte_migrate::registry::Rule;

const TABLE: &str = "docs/coverage.md";

/// At least this many rows: a parser that finds none cannot pass.
const MIN_ROWS: usize = 281;

/// The constructs no rule reports yet, as `section construct`.
const UNREPORTED: &[&str] = &[];

struct Row {
    section: String,
    construct: String,
    kind: String,
    /// `None` for a construct no rule reports.
    rule: Option<Rule>,
    example: String,
}

impl Row {
    fn name(&self) -> String {
        format!("{} {}", self.section, self.construct)
    }

    /// Command lines are checked as a shell script, everything else as Python.
    fn path(&self) -> &'static Path {
        if self.example.starts_with("pyflyte") {
            Path::new("run.sh")
        } else {
            Path::new("coverage.py")
        }
    }
}

/// The cells of a Markdown table row, split at the `|` that are not escaped.
fn cells(line: &str) -> Vec<&str> {
    let inner = line
        .trim()
        .strip_prefix('|')
        .and_then(|l| l.strip_suffix('|'))
        .unwrap_or_else(|| panic!("table row without outer pipes: {line}"));
    let mut cells = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in inner.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => {
                cells.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => escaped = false,
        }
    }
    cells.push(inner[start..].trim());
    cells
}

/// The example's source: `\n` is a newline and `\|` a `|`.
fn unescape(cell: &str, row: &str) -> String {
    let code = cell
        .strip_prefix('`')
        .and_then(|c| c.strip_suffix('`'))
        .unwrap_or_else(|| panic!("{row}: the example is not inline code: {cell}"));
    let mut out = String::new();
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some('n')) => {
                chars.next();
                out.push('\n');
            }
            ('\\', Some('|')) => {
                chars.next();
                out.push('|');
            }
            _ => out.push(c),
        }
    }
    out.push('\n');
    out
}

/// Every table row under a numbered `##` heading, up to "Not a construct".
fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(TABLE).expect("the coverage table is readable");
    let mut rows = Vec::new();
    let mut section: Option<String> = None;
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            if heading == "Not a construct" {
                break;
            }
            let number = heading.split_whitespace().next().unwrap_or_default();
            assert!(
                number.starts_with("2."),
                "heading without a mapping section number: {line}"
            );
            section = Some(number.to_string());
            continue;
        }
        if !line.starts_with('|') || line.starts_with("|---") {
            continue;
        }
        let cells = cells(line);
        if cells.first() == Some(&"Flyte 1 construct") {
            continue;
        }
        let section = section
            .clone()
            .unwrap_or_else(|| panic!("table row before any section: {line}"));
        let [construct, _flyte2, kind, rule, example] = cells[..] else {
            panic!("row without five cells: {line}");
        };
        let name = format!("{section} {construct}");
        let rule = match rule {
            "none" => None,
            code => Some(Rule::from_code(code).unwrap_or_else(|| panic!("{name}: no rule {code}"))),
        };
        assert!(!kind.is_empty(), "{name}: no kind");
        rows.push(Row {
            section,
            construct: construct.to_string(),
            kind: kind.to_string(),
            rule,
            example: unescape(example, &name),
        });
    }
    rows
}

#[test]
fn table_covers_every_section() {
    let rows = rows();
    assert!(
        rows.len() >= MIN_ROWS,
        "{TABLE} has {} rows, expected at least {MIN_ROWS}",
        rows.len()
    );
    for n in (1..=22).filter(|&n| n != 3) {
        let section = format!("2.{n}");
        assert!(
            rows.iter().any(|r| r.section == section),
            "{TABLE} has no row for §{section}"
        );
    }
    for row in &rows {
        assert!(
            ["safe", "unsafe", "manual", "diagnostic"]
                .iter()
                .any(|k| row.kind.starts_with(k)),
            "{}: unknown kind {}",
            row.name(),
            row.kind
        );
    }
}

#[test]
fn every_example_triggers_its_rule() {
    let settings = all_rules(true);
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in rows() {
        let Some(rule) = row.rule else { continue };
        let diagnostics =
            check_file(&row.example, Some(row.path()), &settings).expect("the example checks");
        checked += 1;
        if !diagnostics.iter().any(|d| d.rule == rule) {
            let found: Vec<_> = diagnostics.iter().map(|d| d.rule.code()).collect();
            failures.push(format!(
                "{}: expected {rule}, found {found:?}\n{}",
                row.name(),
                row.example
            ));
        }
    }
    assert!(checked >= MIN_ROWS - UNREPORTED.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn unreported_constructs_are_listed() {
    let settings = all_rules(true);
    let rows = rows();
    let unreported: Vec<String> = rows
        .iter()
        .filter(|r| r.rule.is_none())
        .map(Row::name)
        .collect();
    assert_eq!(
        unreported, UNREPORTED,
        "the rows of {TABLE} whose rule is `none` changed"
    );
    for row in rows.iter().filter(|r| r.rule.is_none()) {
        let diagnostics =
            check_file(&row.example, Some(row.path()), &settings).expect("the example checks");
        let found: Vec<_> = diagnostics.iter().map(|d| d.rule.code()).collect();
        assert!(
            found.is_empty(),
            "{}: a rule reports it now ({found:?}); put it in the table",
            row.name()
        );
    }
}
