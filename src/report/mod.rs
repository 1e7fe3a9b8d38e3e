//! Output formats. Every format reads the same [`FileResult`]s, in path order.

mod concise;
mod full;
mod github;
mod gitlab;
mod grouped;
mod json;
mod junit;
mod sarif;
pub mod summary;

use std::io::{self, Write};

use crate::diagnostic::{Applicability, Diagnostic};
use crate::source::Locator;

/// What checking or fixing one file produced, ready to print.
#[derive(Debug, Clone, Default)]
pub struct FileResult {
    /// The path as the user sees it.
    pub path: String,
    /// The text the diagnostics refer to.
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Source snippets with labels and help (rustc style).
    Full,
    /// One line per problem.
    Concise,
    /// Problems grouped under their file.
    Grouped,
    /// A JSON array with ruff's field names.
    Json,
    /// One JSON object per line.
    JsonLines,
    /// GitHub Actions annotations.
    Github,
    /// A GitLab Code Quality report.
    Gitlab,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
}

impl OutputFormat {
    /// Formats whose output for a part of the files is a valid part of the whole.
    pub fn is_streamable(self) -> bool {
        matches!(
            self,
            OutputFormat::Full
                | OutputFormat::Concise
                | OutputFormat::Grouped
                | OutputFormat::JsonLines
                | OutputFormat::Github
        )
    }

    /// Formats that are data for a program: no summary line after them.
    pub fn is_machine_readable(self) -> bool {
        !matches!(
            self,
            OutputFormat::Full | OutputFormat::Concise | OutputFormat::Grouped
        )
    }
}

/// A serialization error as an I/O error, keeping its kind (a closed pipe stays one).
pub(crate) fn json_error(error: serde_json::Error) -> io::Error {
    match error.io_error_kind() {
        Some(kind) => io::Error::new(kind, error),
        None => io::Error::other(error),
    }
}

/// Whether a diagnostic's fix would be applied with the given settings.
pub fn is_fixable(diagnostic: &Diagnostic, unsafe_fixes: bool) -> bool {
    diagnostic
        .fix
        .as_ref()
        .is_some_and(|f| f.is_applied_with(unsafe_fixes))
}

pub fn write(
    out: &mut dyn Write,
    format: OutputFormat,
    files: &[FileResult],
    unsafe_fixes: bool,
    color: bool,
) -> io::Result<()> {
    match format {
        OutputFormat::Full => full::write(out, files, unsafe_fixes, color),
        OutputFormat::Concise => concise::write(out, files, unsafe_fixes),
        OutputFormat::Grouped => grouped::write(out, files, unsafe_fixes),
        OutputFormat::Json => json::write(out, files),
        OutputFormat::JsonLines => json::write_lines(out, files),
        OutputFormat::Github => github::write(out, files),
        OutputFormat::Gitlab => gitlab::write(out, files),
        OutputFormat::Sarif => sarif::write(out, files),
        OutputFormat::Junit => junit::write(out, files),
    }
}

/// The help line with the fix's safety.
/// ` [*]` after the code of a problem that `fix` (with the given unsafe setting) can fix.
pub fn fix_mark(diagnostic: &Diagnostic, unsafe_fixes: bool) -> &'static str {
    if is_fixable(diagnostic, unsafe_fixes) {
        " [*]"
    } else {
        ""
    }
}

pub fn help_line(diagnostic: &Diagnostic) -> Option<String> {
    let help = diagnostic.help.as_deref()?;
    let suffix = match diagnostic.fix.as_ref().map(|f| f.applicability) {
        Some(Applicability::Safe) => " [safe fix]",
        Some(Applicability::Unsafe) => " [unsafe fix: --unsafe-fixes]",
        Some(Applicability::DisplayOnly) => " [suggestion]",
        None => "",
    };
    Some(format!("{help}{suffix}"))
}

/// (row, column), one-based.
pub fn location(locator: &Locator, offset: ruff_text_size::TextSize) -> (usize, usize) {
    let lc = locator.line_column(offset);
    (lc.line.get(), lc.column.get())
}

/// Counts for the summary line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub total: usize,
    pub safe: usize,
    pub unsafe_only: usize,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.total += other.total;
        self.safe += other.safe;
        self.unsafe_only += other.unsafe_only;
    }

    pub fn of<'a>(diagnostics: impl Iterator<Item = &'a Diagnostic>) -> Self {
        let mut counts = Counts::default();
        for d in diagnostics {
            counts.total += 1;
            match d.fix.as_ref().map(|f| f.applicability) {
                Some(Applicability::Safe) => counts.safe += 1,
                Some(Applicability::Unsafe) => counts.unsafe_only += 1,
                _ => {}
            }
        }
        counts
    }
}

pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// How many problems each rule found, most first: `    12  FM201  [*] resources-fields`.
/// Problems per rule, for `check --statistics`: tallied file by file, so nothing else is kept.
#[derive(Debug, Default)]
pub struct Statistics {
    /// (rule, problems, whether any is fixable).
    counts: Vec<(crate::registry::Rule, usize, bool)>,
}

impl Statistics {
    pub fn add(&mut self, files: &[FileResult], unsafe_fixes: bool) {
        for d in files.iter().flat_map(|f| f.diagnostics.iter()) {
            let fixable = is_fixable(d, unsafe_fixes);
            match self.counts.iter_mut().find(|(r, ..)| *r == d.rule) {
                Some(entry) => {
                    entry.1 += 1;
                    entry.2 |= fixable;
                }
                None => self.counts.push((d.rule, 1, fixable)),
            }
        }
    }

    /// Add another tally (of other files).
    pub fn merge(&mut self, other: Statistics) {
        for (rule, count, fixable) in other.counts {
            match self.counts.iter_mut().find(|(r, ..)| *r == rule) {
                Some(entry) => {
                    entry.1 += count;
                    entry.2 |= fixable;
                }
                None => self.counts.push((rule, count, fixable)),
            }
        }
    }

    pub fn write(mut self, out: &mut dyn Write) -> io::Result<()> {
        self.counts
            .sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (rule, count, fixable) in self.counts {
            let mark = if fixable { "[*] " } else { "    " };
            writeln!(out, "{count:>6}  {}  {mark}{}", rule.code(), rule.name())?;
        }
        Ok(())
    }
}

/// `Found 12 problems (9 fixable, 2 more with --unsafe-fixes).`
pub fn summary(counts: Counts, unsafe_fixes: bool, unreadable: usize) -> String {
    if unreadable > 0 {
        return format!(
            "Found {}; {} could not be checked.",
            plural(counts.total, "problem"),
            plural(unreadable, "path")
        );
    }
    if counts.total == 0 {
        return "All checks passed!".to_string();
    }
    let mut parts = Vec::new();
    let fixable = if unsafe_fixes {
        counts.safe + counts.unsafe_only
    } else {
        counts.safe
    };
    if fixable > 0 {
        parts.push(format!(
            "{fixable} fixable with `flyte-migrate fix{}`",
            if unsafe_fixes { " --unsafe-fixes" } else { "" }
        ));
    }
    if !unsafe_fixes && counts.unsafe_only > 0 {
        parts.push(format!("{} more with --unsafe-fixes", counts.unsafe_only));
    }
    let detail = if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    };
    format!("Found {}{detail}.", plural(counts.total, "problem"))
}
