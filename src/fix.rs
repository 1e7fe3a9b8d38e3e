//! Applying fixes: non-overlapping fixes per round, re-parse, repeat to a fixpoint.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;
use crate::settings::Settings;
use std::path::Path;

use crate::CheckError;

/// Rounds before fixing gives up (a rule whose fix never settles).
pub const MAX_ROUNDS: usize = 20;

#[derive(Debug, Clone, Default)]
pub struct FixOutcome {
    /// The fixed text (equal to the input when nothing applied).
    pub text: String,
    /// How many fixes of each rule were applied.
    pub fixed: BTreeMap<Rule, usize>,
    /// What remains in the fixed text.
    pub remaining: Vec<Diagnostic>,
    /// Fixes that were rolled back because their result did not parse, and other warnings.
    pub warnings: Vec<String>,
}

impl FixOutcome {
    pub fn fixed_count(&self) -> usize {
        self.fixed.values().sum()
    }
}

/// Apply every applicable fix to `text` until nothing changes.
pub fn fix_text(text: &str, settings: &Settings) -> Result<FixOutcome, CheckError> {
    fix_file(text, None, settings)
}

/// Fix one file's text; its path names the module (and so its environments).
pub fn fix_file(
    text: &str,
    path: Option<&Path>,
    settings: &Settings,
) -> Result<FixOutcome, CheckError> {
    fix_file_in(text, path, settings, None)
}

/// Fix one file's text as a part of `project` (see [`crate::check_file_in`]): its kind of file
/// decides how.
pub fn fix_file_in(
    text: &str,
    path: Option<&Path>,
    settings: &Settings,
    project: Option<&crate::Project>,
) -> Result<FixOutcome, CheckError> {
    crate::kind::FileKind::detect(path, text.as_bytes()).fix(text, path, settings, project)
}

/// The fix loop of every kind of file: `parse` reads a text (or says why it is invalid: the input
/// then stays as it is, and a round whose result is invalid is rolled back), `diagnose` checks
/// what it read.
pub fn fix_loop<P>(
    text: &str,
    settings: &Settings,
    parse: impl Fn(&str) -> Result<P, Diagnostic>,
    diagnose: impl Fn(&P, &str) -> Result<Vec<Diagnostic>, CheckError>,
) -> Result<FixOutcome, CheckError> {
    let mut outcome = FixOutcome {
        text: text.to_string(),
        ..FixOutcome::default()
    };
    // Fixes that broke the syntax once are never tried again: by rule and own edits (the
    // import insertions many fixes share do not identify one).
    let mut rejected: Vec<(Rule, Vec<Edit>)> = Vec::new();
    // Only the input can be unparsable: every round's output is parsed before it is kept, and
    // that parse is the one the next round checks.
    let mut parsed = match parse(text) {
        Ok(parsed) => parsed,
        Err(syntax) => {
            outcome.remaining = if settings.rules.contains(syntax.rule) {
                vec![syntax]
            } else {
                Vec::new()
            };
            return Ok(outcome);
        }
    };
    for round in 0..=MAX_ROUNDS {
        let diagnostics = diagnose(&parsed, &outcome.text)?;
        let candidates: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.is_applied_with(settings.unsafe_fixes))
                    && !rejected.iter().any(|(rule, edits)| {
                        *rule == d.rule && d.fix.as_ref().is_some_and(|f| own_edits(f) == *edits)
                    })
            })
            .collect();
        if candidates.is_empty() || round == MAX_ROUNDS {
            if round == MAX_ROUNDS && !candidates.is_empty() {
                let rules: Vec<&str> = candidates.iter().map(|d| d.rule.code()).collect();
                outcome.warnings.push(format!(
                    "fixes did not settle after {MAX_ROUNDS} rounds ({}); this is a bug in flyte-migrate",
                    rules.join(", ")
                ));
            }
            outcome.remaining = diagnostics;
            if round > 0 {
                trim_new_trailing_blank_lines(text, &mut outcome.text, &parse);
            }
            return Ok(outcome);
        }
        let accepted = select_fixes(&candidates);
        let next = apply(&outcome.text, accepted.iter().map(|(_, f)| *f));
        if let Ok(next_parsed) = parse(&next) {
            for (rule, _) in &accepted {
                *outcome.fixed.entry(*rule).or_default() += 1;
            }
            outcome.text = next;
            parsed = next_parsed;
            continue;
        }
        // Roll the round back. Fixes that break the syntax on their own are dropped for good
        // (and reported); if each parses alone but not together, keep, in order, every fix
        // that still parses with the ones kept before it.
        let broken: Vec<(Rule, &Fix)> = accepted
            .iter()
            .filter(|(_, fix)| parse(&apply(&outcome.text, std::iter::once(*fix))).is_err())
            .copied()
            .collect();
        if broken.is_empty() {
            let mut kept: Vec<(Rule, &Fix)> = Vec::new();
            let mut last_good = None;
            for &(rule, fix) in &accepted {
                let trial = apply(
                    &outcome.text,
                    kept.iter().map(|(_, f)| *f).chain(std::iter::once(fix)),
                );
                if let Ok(trial_parsed) = parse(&trial) {
                    kept.push((rule, fix));
                    last_good = Some((trial, trial_parsed));
                }
            }
            for (rule, _) in &kept {
                *outcome.fixed.entry(*rule).or_default() += 1;
            }
            if let Some((text, text_parsed)) = last_good {
                outcome.text = text;
                parsed = text_parsed;
            }
            continue;
        }
        for (rule, fix) in broken {
            rejected.push((rule, own_edits(fix)));
            outcome.warnings.push(format!(
                "a fix of {} ({}) produced invalid syntax and was not applied; this is a bug in flyte-migrate",
                rule.code(),
                rule.name()
            ));
        }
    }
    Ok(outcome)
}

/// Blank lines that fixes left at the end of the file (a removed last statement leaves the blank
/// lines before it) go, unless the file ended with blank lines before.
fn trim_new_trailing_blank_lines<P>(
    original: &str,
    text: &mut String,
    parse: impl Fn(&str) -> Result<P, Diagnostic>,
) {
    let blank_end = |t: &str| t.ends_with("\n\n") || t.ends_with("\n\r\n");
    if blank_end(original) || !blank_end(text) {
        return;
    }
    let content_end = text.trim_end_matches(['\n', '\r']).len();
    let line_ending = if text[content_end..].starts_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let trimmed = format!("{}{line_ending}", &text[..content_end]);
    // Only whitespace goes, but a line continuation could make it matter: keep what parses.
    if parse(&trimmed).is_ok() {
        *text = trimmed;
    }
}

/// A fix's edits other than shared import insertions.
fn own_edits(fix: &Fix) -> Vec<Edit> {
    fix.edits.iter().filter(|e| e.order != 0).cloned().collect()
}

/// Choose fixes in position order (deferred ones last), skipping any whose edits conflict with one already chosen.
pub(crate) fn select_fixes<'d>(candidates: &[&'d Diagnostic]) -> Vec<(Rule, &'d Fix)> {
    let mut fixes: Vec<(Rule, &Fix)> = candidates
        .iter()
        .filter_map(|d| d.fix.as_ref().map(|f| (d.rule, f)))
        .collect();
    fixes.sort_by_key(|(rule, fix)| (fix.deferred, fix.min_start(), *rule));
    let mut accepted: Vec<(Rule, &Fix)> = Vec::new();
    let mut taken = Taken::default();
    for (rule, fix) in fixes {
        if fix.edits.iter().any(|e| taken.conflicts(e)) {
            continue;
        }
        for edit in &fix.edits {
            taken.add(edit);
        }
        accepted.push((rule, fix));
    }
    accepted
}

/// The edits chosen so far, indexed so that a conflict is found in logarithmic time (a file
/// can carry tens of thousands of fixes). Same semantics as `Edit::conflicts_with`.
#[derive(Default)]
struct Taken<'d> {
    /// Non-empty ranges by start; they are disjoint (identical edits are one).
    ranges: std::collections::BTreeMap<ruff_text_size::TextSize, &'d Edit>,
    /// Insertion points.
    points: std::collections::BTreeSet<ruff_text_size::TextSize>,
}

impl<'d> Taken<'d> {
    fn conflicts(&self, edit: &Edit) -> bool {
        use std::ops::Bound::Excluded;
        let (start, end) = (edit.range.start(), edit.range.end());
        if start == end {
            // An insertion conflicts with a range that strictly contains its point.
            return self
                .ranges
                .range(..start)
                .next_back()
                .is_some_and(|(_, t)| t.range.end() > start);
        }
        // The taken range that starts last before `end` is the only one that can overlap: the
        // ranges are disjoint, so their ends grow with their starts.
        if let Some((_, t)) = self.ranges.range(..end).next_back()
            && t.range.end() > start
            && *t != edit
        {
            return true;
        }
        self.points
            .range((Excluded(start), Excluded(end)))
            .next()
            .is_some()
    }

    fn add(&mut self, edit: &'d Edit) {
        if edit.range.is_empty() {
            self.points.insert(edit.range.start());
        } else {
            self.ranges.insert(edit.range.start(), edit);
        }
    }
}

/// Apply the edits of `fixes` (already free of conflicts) to `text`. Identical edits apply once;
/// insertions at one point keep a stable order.
pub fn apply<'f>(text: &str, fixes: impl Iterator<Item = &'f Fix>) -> String {
    let mut edits: Vec<&Edit> = fixes.flat_map(|f| f.edits.iter()).collect();
    edits.sort_by(|a, b| {
        (a.range.start(), a.range.end(), a.order, &a.content).cmp(&(
            b.range.start(),
            b.range.end(),
            b.order,
            &b.content,
        ))
    });
    edits.dedup();
    let mut out = String::with_capacity(text.len() + 64);
    let mut last = 0usize;
    for edit in edits {
        let start = usize::from(edit.range.start());
        let end = usize::from(edit.range.end());
        if end > text.len() {
            continue;
        }
        if start < last {
            // An insertion inside text an earlier edit replaced (a fix that removes an import
            // statement and adds one where it stood): its text follows that edit's.
            if start == end {
                out.push_str(&edit.content);
            }
            continue;
        }
        out.push_str(&text[last..start]);
        out.push_str(&edit.content);
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

/// Apply one diagnostic's fix alone (for previews).
pub fn apply_one(text: &str, diagnostic: &Diagnostic) -> Option<String> {
    diagnostic
        .fix
        .as_ref()
        .map(|fix| apply(text, std::iter::once(fix)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;
    use ruff_python_ast::ModModule;
    use ruff_python_parser::Parsed;

    /// A fix that deletes an import statement and inserts another where it stood keeps both
    /// edits: the insertion's text takes the deleted text's place.
    #[test]
    fn an_insertion_inside_a_replaced_range_is_kept() {
        use ruff_text_size::{TextRange, TextSize};
        let text = "from a import b\n\n@b\ndef f(): ...\n";
        let fix = Fix::safe_edits(vec![
            Edit::replace(TextRange::new(TextSize::from(0), TextSize::from(16)), ""),
            Edit::insert(TextSize::from(15), "\nimport c"),
            Edit::replace(
                TextRange::new(TextSize::from(18), TextSize::from(19)),
                "c.b",
            ),
        ]);
        assert_eq!(
            apply(text, std::iter::once(&fix)),
            "\nimport c\n@c.b\ndef f(): ...\n"
        );
    }

    /// The index finds exactly the conflicts the pairwise test finds, on random edits.
    #[test]
    fn taken_agrees_with_conflicts_with() {
        use ruff_text_size::{TextRange, TextSize};
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: u32| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            u32::try_from(state % u64::from(n)).unwrap_or(0)
        };
        for _ in 0..2000 {
            let edits: Vec<Edit> = (0..12)
                .map(|_| {
                    let start = next(40);
                    let len = if next(3) == 0 { 0 } else { next(6) };
                    let content = if next(2) == 0 { "a" } else { "b" };
                    Edit::replace(
                        TextRange::new(TextSize::from(start), TextSize::from(start + len)),
                        content,
                    )
                })
                .collect();
            let mut taken = Taken::default();
            let mut chosen: Vec<&Edit> = Vec::new();
            for edit in &edits {
                let naive = chosen.iter().any(|t| edit.conflicts_with(t));
                assert_eq!(taken.conflicts(edit), naive, "{edit:?} against {chosen:?}");
                if !naive {
                    taken.add(edit);
                    chosen.push(edit);
                }
            }
        }
    }
    use ruff_text_size::{TextRange, TextSize};

    fn range(a: u32, b: u32) -> TextRange {
        TextRange::new(TextSize::from(a), TextSize::from(b))
    }

    #[test]
    fn edits_apply_in_order_and_identical_edits_once() {
        let a = Fix::safe_edits(vec![
            Edit::replace(range(0, 1), "X"),
            Edit::insert(TextSize::from(3), "!"),
        ]);
        let b = Fix::safe_edits(vec![Edit::insert(TextSize::from(3), "!")]);
        assert_eq!(apply("abc", [&a, &b].into_iter()), "Xbc!");
    }

    #[test]
    fn insertions_at_one_offset_follow_their_order() {
        let at = TextSize::from(0);
        let late = Fix::safe_edits(vec![Edit::insert_ordered(at, "b\n", 3)]);
        let early = Fix::safe_edits(vec![Edit::insert_ordered(at, "z\n", 0)]);
        assert_eq!(apply("", [&late, &early].into_iter()), "z\nb\n");
    }

    /// A fix whose result does not parse is rolled back, named, and never retried; the other
    /// fixes of the round still apply.
    #[test]
    fn broken_fixes_are_rolled_back_and_named() {
        let text = "x = 1\ny = 2\n";
        let diagnose = |_: &Parsed<ModModule>, text: &str| {
            let mut found = Vec::new();
            if text.starts_with("x = 1") {
                found.push(
                    Diagnostic::new(Rule::ResourcesFields, "breaks", range(0, 5))
                        .with_fix(Fix::safe_edits(vec![Edit::replace(range(0, 5), "x = (")])),
                );
            }
            if let Some(at) = text.find("y = 2") {
                let at = u32::try_from(at).expect("small");
                found.push(
                    Diagnostic::new(Rule::MapTask, "fine", range(at, at + 5)).with_fix(
                        Fix::safe_edits(vec![Edit::replace(range(at, at + 5), "y = 3")]),
                    ),
                );
            }
            Ok(found)
        };
        let outcome = fix_loop(text, &Settings::default(), parse, diagnose).expect("fixes");
        assert_eq!(outcome.text, "x = 1\ny = 3\n");
        assert_eq!(outcome.fixed.get(&Rule::MapTask), Some(&1));
        assert_eq!(outcome.fixed.get(&Rule::ResourcesFields), None);
        assert_eq!(outcome.warnings.len(), 1);
        assert!(
            outcome.warnings[0].contains("FM201 (resources-fields)"),
            "{:?}",
            outcome.warnings
        );
    }

    /// A fix that never settles stops at the bound and says so.
    #[test]
    fn fixes_stop_at_the_bound() {
        let diagnose = |_: &Parsed<ModModule>, text: &str| {
            let len = u32::try_from(text.len()).expect("small");
            Ok(vec![
                Diagnostic::new(Rule::MapTask, "grows", range(0, 0)).with_fix(Fix::safe_edits(
                    vec![Edit::insert(TextSize::from(len), "#\n")],
                )),
            ])
        };
        let outcome = fix_loop("x = 1\n", &Settings::default(), parse, diagnose).expect("fixes");
        assert_eq!(outcome.fixed_count(), MAX_ROUNDS);
        assert!(
            outcome
                .warnings
                .iter()
                .any(|w| w.contains("did not settle")),
            "{:?}",
            outcome.warnings
        );
    }

    #[test]
    fn conflicts() {
        let e = |a, b| Edit::replace(range(a, b), "");
        assert!(e(0, 3).conflicts_with(&e(2, 4)));
        assert!(!e(0, 2).conflicts_with(&e(2, 4)));
        assert!(Edit::insert(TextSize::from(1), "x").conflicts_with(&e(0, 2)));
        assert!(!Edit::insert(TextSize::from(2), "x").conflicts_with(&e(0, 2)));
        assert!(!e(1, 2).conflicts_with(&e(1, 2)));
    }
}
