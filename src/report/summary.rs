//! `flyte-migrate summary`: migration progress per directory, as a text or Markdown table.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::diagnostic::Diagnostic;
use crate::registry::Rule;

use super::is_fixable;

/// A family of rules, named by the hundreds digit of their codes (`FM2xx` is 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Area(u8);

impl Area {
    /// The area of a rule: the digit after `FM`; a code without one falls under "other".
    pub fn of(rule: Rule) -> Self {
        let digit = rule
            .code()
            .as_bytes()
            .get(2)
            .filter(|b| b.is_ascii_digit())
            .map_or(9, |b| b - b'0');
        Area(digit)
    }

    pub fn name(self) -> &'static str {
        match self.0 {
            1 => "imports & names",
            2 => "tasks & environments",
            3 => "workflows",
            4 => "runtime & I/O",
            5 => "images",
            6 => "launch plans",
            7 => "CLI commands",
            _ => "other",
        }
    }

    /// Families without a name of their own (8xx, 9xx) share the "other" column.
    fn column(self) -> Self {
        if (1..=7).contains(&self.0) {
            self
        } else {
            Area(9)
        }
    }
}

/// The counts of one directory (or of all of them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Python files checked.
    pub files: usize,
    /// Files with at least one remaining problem.
    pub needing_changes: usize,
    pub problems: usize,
    /// Problems whose fix `fix` would apply (with the run's `--unsafe-fixes` setting).
    pub fixable: usize,
    pub by_area: BTreeMap<Area, usize>,
}

impl Progress {
    /// Count one checked file and its remaining problems.
    pub fn add_file(&mut self, diagnostics: &[Diagnostic], unsafe_fixes: bool) {
        self.files += 1;
        if !diagnostics.is_empty() {
            self.needing_changes += 1;
        }
        for d in diagnostics {
            self.problems += 1;
            if is_fixable(d, unsafe_fixes) {
                self.fixable += 1;
            }
            *self.by_area.entry(Area::of(d.rule).column()).or_default() += 1;
        }
    }

    fn add(&mut self, other: &Progress) {
        self.files += other.files;
        self.needing_changes += other.needing_changes;
        self.problems += other.problems;
        self.fixable += other.fixable;
        for (area, n) in &other.by_area {
            *self.by_area.entry(*area).or_default() += n;
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormat {
    /// An aligned plain-text table.
    Text,
    /// A GitHub-flavoured Markdown table (for a pull-request comment).
    Markdown,
}

/// The share of fixable problems: `8 (57%)`, or `-` when nothing remains.
fn fixable_cell(p: &Progress) -> String {
    // Rounded down, so 100% means every problem is fixable.
    match (p.fixable * 100).checked_div(p.problems) {
        Some(percent) => format!("{} ({percent}%)", p.fixable),
        None => "-".to_string(),
    }
}

/// Write the table: one row per directory, in order, then the total. Area columns appear for
/// the areas with remaining problems, so the table narrows as the migration goes on.
pub fn write(
    out: &mut dyn Write,
    format: SummaryFormat,
    dirs: &BTreeMap<String, Progress>,
) -> io::Result<()> {
    let mut total = Progress::default();
    for p in dirs.values() {
        total.add(p);
    }
    let areas: Vec<Area> = total.by_area.keys().copied().collect();
    let mut header = vec![
        "directory".to_string(),
        "files".to_string(),
        "need changes".to_string(),
    ];
    header.extend(areas.iter().map(|a| a.name().to_string()));
    header.extend(["problems".to_string(), "fixable".to_string()]);
    let row = |name: &str, p: &Progress| {
        let mut cells = vec![
            name.to_string(),
            p.files.to_string(),
            p.needing_changes.to_string(),
        ];
        cells.extend(
            areas
                .iter()
                .map(|a| p.by_area.get(a).copied().unwrap_or(0).to_string()),
        );
        cells.extend([p.problems.to_string(), fixable_cell(p)]);
        cells
    };
    let mut rows: Vec<Vec<String>> = dirs
        .iter()
        .map(|(name, p)| match format {
            // In code spans, `__init__` or `*` in a name is not emphasis.
            SummaryFormat::Markdown => row(&format!("`{}`", name.replace('`', "'")), p),
            SummaryFormat::Text => row(name, p),
        })
        .collect();
    rows.push(row("total", &total));
    match format {
        SummaryFormat::Markdown => {
            let escape = |s: &str| s.replace('\\', "\\\\").replace('|', "\\|");
            let line = |cells: &[String]| {
                let cells: Vec<String> = cells.iter().map(|c| escape(c)).collect();
                format!("| {} |", cells.join(" | "))
            };
            writeln!(out, "{}", line(&header))?;
            let rule: Vec<&str> = (0..header.len())
                .map(|i| if i == 0 { ":---" } else { "---:" })
                .collect();
            writeln!(out, "|{}|", rule.join("|"))?;
            let last = rows.len() - 1;
            for (i, cells) in rows.iter().enumerate() {
                if i == last {
                    // The total row stands out in bold.
                    let bold: Vec<String> = cells.iter().map(|c| format!("**{c}**")).collect();
                    writeln!(out, "{}", line(&bold))?;
                } else {
                    writeln!(out, "{}", line(cells))?;
                }
            }
        }
        SummaryFormat::Text => {
            let widths: Vec<usize> = (0..header.len())
                .map(|i| {
                    std::iter::once(&header)
                        .chain(rows.iter())
                        .map(|r| r[i].chars().count())
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let line = |cells: &[String]| {
                let padded: Vec<String> = cells
                    .iter()
                    .zip(&widths)
                    .enumerate()
                    .map(|(i, (c, w))| {
                        if i == 0 {
                            format!("{c:<w$}")
                        } else {
                            format!("{c:>w$}")
                        }
                    })
                    .collect();
                padded.join("  ").trim_end().to_string()
            };
            writeln!(out, "{}", line(&header))?;
            let separator: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            writeln!(out, "{}", separator.join("  "))?;
            let last = rows.len() - 1;
            for (i, cells) in rows.iter().enumerate() {
                if i == last {
                    writeln!(out, "{}", separator.join("  "))?;
                }
                writeln!(out, "{}", line(cells))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_falls_in_the_area_of_its_hundreds_digit() {
        for rule in Rule::ALL {
            let area = Area::of(*rule).column();
            let digit = rule.code().as_bytes()[2];
            let expected = match digit {
                b'1' => "imports & names",
                b'2' => "tasks & environments",
                b'3' => "workflows",
                b'4' => "runtime & I/O",
                b'5' => "images",
                b'6' => "launch plans",
                b'7' => "CLI commands",
                _ => "other",
            };
            assert_eq!(area.name(), expected, "{rule}");
        }
        assert_eq!(Area(8).column().name(), "other");
    }

    #[test]
    fn markdown_names_cannot_break_the_table() {
        let mut dirs = BTreeMap::new();
        let mut p = Progress::default();
        p.add_file(&[], false);
        dirs.insert("a|b/__pkg__/`x`".to_string(), p);
        let mut out = Vec::new();
        write(&mut out, SummaryFormat::Markdown, &dirs).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "| directory | files | need changes | problems | fixable |\n\
             |:---|---:|---:|---:|---:|\n\
             | `a\\|b/__pkg__/'x'` | 1 | 0 | 0 | - |\n\
             | **total** | **1** | **0** | **0** | **-** |\n"
        );
    }

    #[test]
    fn an_empty_table_has_a_total_row() {
        let mut out = Vec::new();
        write(&mut out, SummaryFormat::Text, &BTreeMap::new()).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "directory  files  need changes  problems  fixable\n\
             ---------  -----  ------------  --------  -------\n\
             ---------  -----  ------------  --------  -------\n\
             total          0             0         0        -\n"
        );
    }
}
