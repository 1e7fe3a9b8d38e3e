//! Suppression comments: `# noqa`, `# noqa: FM201, FM305`, `# flyte-migrate: ignore[FM201]`
//! on a line, and `# flyte-migrate: noqa` for a whole file.
//!
//! A suppression that suppresses nothing is itself reported (FM902), with a fix that removes it.
//! Bare `# noqa` and other tools' codes are left alone: they may serve other linters.

use ruff_python_ast::ModModule;
use ruff_python_ast::token::TokenKind;
use ruff_python_parser::Parsed;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;
use crate::settings::RuleSet;
use crate::source::Locator;

/// One suppression comment.
#[derive(Debug)]
struct Directive {
    /// The comment's range.
    range: TextRange,
    /// The line it suppresses (one-based).
    row: usize,
    /// `None` for a bare `# noqa`; otherwise the codes with their ranges.
    codes: Option<Vec<(String, TextRange)>>,
}

impl Directive {
    /// Whether the comment suppresses `rule` on its line: a bare `# noqa`, or one listing it.
    fn suppresses(&self, rule: Rule) -> bool {
        self.codes.as_ref().is_none_or(|codes| {
            codes
                .iter()
                .any(|(code, _)| code.eq_ignore_ascii_case(rule.code()))
        })
    }
}

/// The suppressions of one file.
#[derive(Debug, Default)]
pub struct Suppressions {
    file: bool,
    directives: Vec<Directive>,
}

impl Suppressions {
    pub fn parse(parsed: &Parsed<ModModule>, locator: &Locator) -> Self {
        let mut suppressions = Suppressions::default();
        for token in parsed.tokens().iter() {
            if token.kind() != TokenKind::Comment {
                continue;
            }
            let range = token.range();
            let text = locator.text().get(range.to_std_range()).unwrap_or("");
            let body = text.trim_start_matches('#').trim();
            if body.eq_ignore_ascii_case("flyte-migrate: noqa") {
                suppressions.file = true;
                continue;
            }
            if let Some(directive) = directive(text, range, locator) {
                suppressions.directives.push(directive);
            }
        }
        suppressions
    }

    /// Whether a diagnostic of `rule` starting at `at` would be suppressed.
    pub fn suppresses(&self, locator: &Locator, at: TextSize, rule: Rule) -> bool {
        if self.file {
            return true;
        }
        if self.directives.is_empty() {
            return false;
        }
        let row = locator.row(at);
        self.directives
            .iter()
            .any(|directive| directive.row == row && directive.suppresses(rule))
    }

    /// Drop suppressed diagnostics, and report suppressions of enabled rules that suppress
    /// nothing.
    pub fn apply(
        &self,
        diagnostics: Vec<Diagnostic>,
        locator: &Locator,
        rules: &RuleSet,
    ) -> Vec<Diagnostic> {
        if self.file {
            return Vec::new();
        }
        if self.directives.is_empty() {
            return diagnostics;
        }
        let mut used: Vec<Vec<bool>> = self
            .directives
            .iter()
            .map(|d| vec![false; d.codes.as_ref().map_or(0, Vec::len)])
            .collect();
        let mut kept = Vec::with_capacity(diagnostics.len());
        for diagnostic in diagnostics {
            let row = locator.row(diagnostic.range.start());
            let mut suppressed = false;
            for (i, directive) in self.directives.iter().enumerate() {
                if directive.row != row {
                    continue;
                }
                match &directive.codes {
                    None => suppressed = true,
                    Some(codes) => {
                        for (j, (code, _)) in codes.iter().enumerate() {
                            if code.eq_ignore_ascii_case(diagnostic.rule.code()) {
                                used[i][j] = true;
                                suppressed = true;
                            }
                        }
                    }
                }
            }
            if !suppressed {
                kept.push(diagnostic);
            }
        }
        if rules.contains(Rule::UnusedSuppression) {
            for (directive, used) in self.directives.iter().zip(&used) {
                kept.extend(unused(directive, used, locator, rules));
            }
        }
        kept
    }
}

/// Whether a comment (from its `#` to the end of its line) suppresses `rule`: a bare `# noqa`,
/// or one that lists the rule's code. For files that are not Python, where no FM902 applies.
pub fn comment_suppresses(comment: &str, rule: Rule) -> bool {
    let comment = comment.split(['\n', '\r']).next().unwrap_or("");
    let locator = Locator::new(comment);
    let range = TextRange::up_to(TextSize::try_from(comment.len()).unwrap_or_default());
    directive(comment, range, &locator).is_some_and(|d| d.suppresses(rule))
}

/// Whether a comment on the line of `at`, after it, suppresses `rule` (`# noqa`,
/// `# noqa: FM701`, `# flyte-migrate: ignore[FM701]`): the suppressions of files that are not
/// Python.
pub fn line_suppresses(text: &str, at: usize, rule: Rule) -> bool {
    let Some(rest) = text.get(at..) else {
        return false;
    };
    let line = rest.split('\n').next().unwrap_or("");
    line.match_indices('#')
        .any(|(i, _)| comment_suppresses(&line[i..], rule))
}

/// The suppression a comment holds, if it holds one.
fn directive(text: &str, range: TextRange, locator: &Locator) -> Option<Directive> {
    let row = locator.row(range.start());
    // `# flyte-migrate: ignore[FM201, FM202]` (most comments have no `[`: no search then)
    if let Some(at) =
        memchr::memchr(b'[', text.as_bytes()).and_then(|_| text.find("flyte-migrate: ignore["))
    {
        let start = at + "flyte-migrate: ignore[".len();
        let end = start + text[start..].find(']')?;
        return Some(Directive {
            range,
            row,
            codes: Some(codes(&text[start..end], range.start() + offset(start))),
        });
    }
    // `# noqa` / `# noqa: FM201, E501`, anywhere in the comment (after other tools' pragmas too).
    // Case-insensitive, without allocating: most comments hold no suppression.
    let at = text
        .as_bytes()
        .windows(4)
        .position(|w| w.eq_ignore_ascii_case(b"noqa"))?;
    let before = text[..at].trim_end();
    if !before.ends_with('#') {
        return None;
    }
    let rest = &text[at + 4..];
    let trimmed = rest.trim_start();
    match trimmed.strip_prefix(':') {
        Some(list) => {
            let list_start = at + 4 + (rest.len() - trimmed.len()) + 1;
            let end = list.find('#').unwrap_or(list.len());
            Some(Directive {
                range,
                row,
                codes: Some(codes(&list[..end], range.start() + offset(list_start))),
            })
        }
        None if trimmed.is_empty() || trimmed.starts_with('#') => Some(Directive {
            range,
            row,
            codes: None,
        }),
        None => None,
    }
}

fn offset(n: usize) -> TextSize {
    TextSize::try_from(n).unwrap_or_default()
}

/// The codes of a comma- or space-separated list, with their ranges (`base` is where it starts).
fn codes(list: &str, base: TextSize) -> Vec<(String, TextRange)> {
    let mut found = Vec::new();
    let mut start = None;
    for (i, c) in list
        .char_indices()
        .chain(std::iter::once((list.len(), ',')))
    {
        let part = c.is_ascii_alphanumeric();
        match (start, part) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                found.push((
                    list[s..i].to_string(),
                    TextRange::new(base + offset(s), base + offset(i)),
                ));
                start = None;
            }
            _ => {}
        }
    }
    found
}

/// FM902 for a directive's unused or unknown `FM` codes of enabled rules.
fn unused(
    directive: &Directive,
    used: &[bool],
    locator: &Locator,
    rules: &RuleSet,
) -> Vec<Diagnostic> {
    let Some(codes) = &directive.codes else {
        return Vec::new();
    };
    let ours = |code: &str| code.len() > 2 && code[..2].eq_ignore_ascii_case("FM");
    let stale: Vec<usize> = codes
        .iter()
        .enumerate()
        .filter(|(i, (code, _))| {
            ours(code) && !used[*i] && Rule::from_code(code).is_none_or(|rule| rules.contains(rule))
        })
        .map(|(i, _)| i)
        .collect();
    if stale.is_empty() {
        return Vec::new();
    }
    let names: Vec<String> = stale
        .iter()
        .map(|&i| {
            let code = &codes[i].0;
            if Rule::from_code(code).is_some() {
                format!("`{code}`")
            } else {
                format!("`{code}` (no such rule)")
            }
        })
        .collect();
    // Remove the whole comment when nothing in it stays, else just the stale codes.
    let fix = if stale.len() == codes.len() {
        let line_start = locator.line_start(directive.range.start());
        let before =
            &locator.text()[TextRange::new(line_start, directive.range.start()).to_std_range()];
        let blank = before.len() - before.trim_end().len();
        let start = directive.range.start() - offset(blank);
        let whole_line = before.trim().is_empty();
        let range = if whole_line {
            TextRange::new(line_start, locator.full_line_end(directive.range.end()))
        } else {
            TextRange::new(start, directive.range.end())
        };
        Fix::safe_edits(vec![Edit::delete(range)])
    } else {
        let ranges: Vec<TextRange> = codes.iter().map(|(_, r)| *r).collect();
        let keep: Vec<bool> = (0..codes.len()).map(|i| !stale.contains(&i)).collect();
        let edits = crate::rules::remove_list_items(locator.text(), &ranges, |r| {
            ranges.iter().position(|x| x == r).is_some_and(|i| !keep[i])
        });
        Fix::safe_edits(edits)
    };
    vec![
        Diagnostic::new(
            Rule::UnusedSuppression,
            format!("Unused suppression of {}", names.join(", ")),
            directive.range,
        )
        .with_help("Remove it")
        .with_fix(fix),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_lists() {
        let found = codes(" FM201, FM305  E501", TextSize::from(10));
        let names: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(names, ["FM201", "FM305", "E501"]);
        assert_eq!(
            found[0].1,
            TextRange::new(TextSize::from(11), TextSize::from(16))
        );
    }
}
