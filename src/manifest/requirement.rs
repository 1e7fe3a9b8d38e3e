//! One dependency on flytekit or a flytekit plugin: what it becomes in Flyte 2 (a table of
//! facts), and the edits that write it in the style of the file it is in.

use std::ops::Range;

use ruff_text_size::{TextRange, TextSize};

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::registry::Rule;

/// The Flyte 2 release a migrated project depends on: the one flyte-migrate targets.
pub const FLYTE_VERSION: &str = "2.12.1";
/// The first major release a migrated project excludes.
const FLYTE_NEXT_MAJOR: &str = "3";

/// `flytekitplugins-X` packages whose Flyte 2 package `flyteplugins-Y` exists (on the package
/// index at [`FLYTE_VERSION`]).
const PLUGINS: &[(&str, &str)] = &[
    ("bigquery", "bigquery"),
    ("dask", "dask"),
    ("databricks", "databricks"),
    ("dbt", "dbt"),
    ("huggingface", "huggingface"),
    ("kfpytorch", "pytorch"),
    ("mlflow", "mlflow"),
    ("pandera", "pandera"),
    ("papermill", "papermill"),
    ("polars", "polars"),
    ("ray", "ray"),
    ("slurm", "slurm"),
    ("snowflake", "snowflake"),
    ("spark", "spark"),
    ("wandb", "wandb"),
];

/// Plugins without a Flyte 2 package, with what to do instead.
const WITHOUT_PACKAGE: &[(&str, &str)] = &[
    (
        "deck-standard",
        "Flyte 2 has no deck renderers package: write the report's HTML with `flyte.report`, then drop this dependency",
    ),
    (
        "kfmpi",
        "Flyte 2 has no MPI plugin: run the job with `flyteplugins-pytorch` (`Elastic`) or a pod template, then drop this dependency",
    ),
    (
        "kftensorflow",
        "Flyte 2 has no TensorFlow plugin: use a pod template, or `flyteplugins-pytorch` (`Elastic`) for distributed training, then drop this dependency",
    ),
    (
        "pod",
        "Flyte 2 needs no pod plugin: `pod_template=` of a `flyte.TaskEnvironment` does its work; drop this dependency",
    ),
    (
        "openai",
        "`flyteplugins-openai` is another plugin (agent tools), not the batch and chat tasks of `flytekitplugins-openai`: port those tasks to plain Flyte 2 tasks that call the OpenAI client, then drop this dependency",
    ),
];

/// What a dependency on a package becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `flytekit` → `flyte`.
    Flyte,
    /// `flytekitplugins-X` → `flyteplugins-Y`.
    Plugin { from: String, to: &'static str },
    /// A plugin without a Flyte 2 package, and what to do.
    Missing { from: String, hint: String },
}

impl Target {
    /// The target of a distribution name, when it is flytekit's or a flytekit plugin's.
    pub fn of(name: &str) -> Option<Target> {
        let normalized: String = name
            .chars()
            .map(|c| match c {
                '_' | '.' => '-',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        if normalized == "flytekit" {
            return Some(Target::Flyte);
        }
        let plugin = normalized.strip_prefix("flytekitplugins-")?;
        if plugin.is_empty() {
            return None;
        }
        if let Some((_, to)) = PLUGINS.iter().find(|(v1, _)| *v1 == plugin) {
            return Some(Target::Plugin {
                from: name.to_string(),
                to,
            });
        }
        let hint = WITHOUT_PACKAGE
            .iter()
            .find(|(v1, _)| *v1 == plugin)
            .map_or_else(
                || {
                    format!(
                        "Flyte 2 has no `flyteplugins-{plugin}` package: port the tasks that use `flytekitplugins.{}` to plain Flyte 2 tasks (with the library they need in the image), then drop this dependency",
                        plugin.replace('-', "_")
                    )
                },
                |(_, hint)| (*hint).to_string(),
            );
        Some(Target::Missing {
            from: name.to_string(),
            hint,
        })
    }

    /// The Flyte 2 distribution name, when there is one.
    pub fn name(&self) -> Option<String> {
        match self {
            Target::Flyte => Some("flyte".to_string()),
            Target::Plugin { to, .. } => Some(format!("flyteplugins-{to}")),
            Target::Missing { .. } => None,
        }
    }

    /// The name as the dependency spelled it.
    pub fn from(&self) -> &str {
        match self {
            Target::Flyte => "flytekit",
            Target::Plugin { from, .. } | Target::Missing { from, .. } => from,
        }
    }
}

/// How a file writes version constraints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// PEP 440 specifiers (`>=1.10,<2`), as in requirements files and PEP 621.
    Pep440,
    /// Poetry's constraints (`^1.10`, `~1.10`, `1.10.0` for an exact pin).
    Poetry,
    /// A Pipfile: PEP 440 specifiers, or `*` for any version.
    Pipfile,
    /// An unquoted shell word: `<` and `>` would be redirections, so such a word gets quotes,
    /// the given quote character (the other one inside a quoted string).
    ShellWord(u8),
}

/// The constraint on flyte that replaces `old` (a constraint on flytekit) in `style`.
pub fn constraint(old: &str, style: Style) -> String {
    let old = old.trim();
    let v = FLYTE_VERSION;
    let range = format!(">={v},<{FLYTE_NEXT_MAJOR}");
    let clauses: Vec<&str> = old
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    let single = clauses.len() == 1;
    if style == Style::Poetry {
        return match old {
            "" | "*" => format!("^{v}"),
            _ if single && old.starts_with('^') => format!("^{v}"),
            _ if single && old.starts_with("~=") => format!("~={v}"),
            _ if single && old.starts_with('~') => format!("~{v}"),
            _ if single && old.starts_with("==") && !old.contains('*') => format!("=={v}"),
            _ if single && old.starts_with(|c: char| c.is_ascii_digit()) && !old.contains('*') => {
                v.to_string()
            }
            _ => range,
        };
    }
    if single && (old.starts_with("===") || (old.starts_with("==") && !old.contains('*'))) {
        format!("=={v}")
    } else if single && old.starts_with("~=") {
        format!("~={v}")
    } else {
        range
    }
}

/// A PEP 508 requirement's parts, as byte ranges of the string it was read from.
#[derive(Debug, Clone)]
pub struct Requirement {
    pub name: Range<usize>,
    /// `[extra, ...]`, with its brackets.
    pub extras: Option<Range<usize>>,
    /// The version specifiers (empty, at the point they would go, when there are none).
    pub spec: Range<usize>,
    /// A direct reference (`name @ URL`): no version to write.
    pub url: bool,
    /// Whether everything after the specifiers is a marker, a comment or an option: a
    /// requirement that does not read cleanly gets no fix.
    pub clean: bool,
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

/// Read a requirement at the start of `s` (after blanks). `None` when `s` does not start with
/// a distribution name.
pub fn parse(s: &str) -> Option<Requirement> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let skip = |i: &mut usize| {
        while bytes.get(*i).is_some_and(|b| *b == b' ' || *b == b'\t') {
            *i += 1;
        }
    };
    skip(&mut i);
    let start = i;
    if !bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    while bytes.get(i).is_some_and(|b| is_name_byte(*b)) {
        i += 1;
    }
    let name = start..i;
    skip(&mut i);
    let mut extras = None;
    if bytes.get(i) == Some(&b'[') {
        let close = s[i..].find(']').map(|n| i + n + 1)?;
        extras = Some(i..close);
        i = close;
        skip(&mut i);
    }
    if bytes.get(i) == Some(&b'@') {
        return Some(Requirement {
            name,
            extras,
            spec: i..i,
            url: true,
            clean: false,
        });
    }
    let parenthesized = bytes.get(i) == Some(&b'(');
    if parenthesized {
        i += 1;
    }
    let spec_start = i;
    let spec_end_limit = if parenthesized {
        s[i..].find(')').map_or(s.len(), |n| i + n)
    } else {
        s.len()
    };
    while i < spec_end_limit
        && bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || b" \t<>=!~.*+,".contains(b))
    {
        i += 1;
    }
    // A blank before an option (`--hash`) or a comment is not the specifiers'.
    let spec_end = spec_start + s[spec_start..i].trim_end().len();
    // No specifiers: they go right after the name (and extras).
    let spec = if spec_end == spec_start && !parenthesized {
        let at = extras.as_ref().map_or(name.end, |e| e.end);
        at..at
    } else {
        spec_start..spec_end
    };
    let specifiers = &s[spec_start..spec_end];
    let valid = specifiers.trim().is_empty()
        || specifiers.split(',').all(|clause| {
            let clause = clause.trim();
            let version = clause.trim_start_matches(['<', '>', '=', '!', '~']);
            version.len() < clause.len()
                && clause.len() - version.len() <= 3
                && version
                    .trim()
                    .starts_with(|c: char| c.is_ascii_digit() || c == '*')
        });
    let mut rest = &s[spec_end..];
    if parenthesized {
        rest = rest.trim_start().strip_prefix(')').unwrap_or("?");
    }
    let rest = rest.trim_start();
    let clean = valid
        && (rest.is_empty()
            || rest.starts_with([';', '#', '\\', '\r', '\n'])
            || rest.starts_with("--"));
    Some(Requirement {
        name,
        extras,
        spec,
        url: false,
        clean,
    })
}

/// flytekit's extras in Flyte 2: `agent` and `connector` are flyte's `connector`; the rest have
/// no counterpart. The extras to write, and a note on the change.
fn map_extras(extras: &str) -> (String, Option<String>) {
    let names: Vec<&str> = extras
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    let kept = names
        .iter()
        .any(|e| e.eq_ignore_ascii_case("connector") || e.eq_ignore_ascii_case("agent"));
    let quote = |list: &[&str]| {
        list.iter()
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let agent: Vec<&str> = names
        .iter()
        .copied()
        .filter(|e| e.eq_ignore_ascii_case("agent"))
        .collect();
    let dropped: Vec<&str> = names
        .iter()
        .copied()
        .filter(|e| !e.eq_ignore_ascii_case("connector") && !e.eq_ignore_ascii_case("agent"))
        .collect();
    let new = if kept { "[connector]" } else { "" };
    let mut notes = Vec::new();
    if !agent.is_empty() {
        notes.push("flytekit's `agent` extra is flyte's `connector`".to_string());
    }
    if !dropped.is_empty() {
        notes.push(format!(
            "flytekit's extras {} have no flyte counterpart and are dropped",
            quote(&dropped)
        ));
    }
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    (new.to_string(), note)
}

fn text_range(r: Range<usize>) -> TextRange {
    TextRange::new(
        TextSize::try_from(r.start).unwrap_or_default(),
        TextSize::try_from(r.end).unwrap_or_default(),
    )
}

/// Where a dependency is declared, for the diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    /// A manifest that flyte-migrate may edit.
    Editable(Style),
    /// A file that pins versions for a resolver (`--hash`es, compiled requirements, a lock):
    /// reported, never rewritten; the argument names the command that re-locks it.
    Locked(&'static str),
}

/// The diagnostic of a requirement string that `text[at..]` holds (up to `end`), if it names
/// flytekit or a plugin.
pub fn diagnose_string(
    text: &str,
    at: usize,
    end: usize,
    declared: Declared,
) -> Option<Diagnostic> {
    let s = text.get(at..end)?;
    if let Some(diagnostic) = from_repository(s, at) {
        return Some(diagnostic);
    }
    let req = parse(s)?;
    let shift = |r: &Range<usize>| at + r.start..at + r.end;
    let name = shift(&req.name);
    let target = Target::of(&text[name.clone()])?;
    let reported = name.start..at + req.spec.end.max(req.extras.as_ref().map_or(0, |e| e.end));
    let edits = |req: &Requirement| -> Option<(Vec<Edit>, Option<String>)> {
        if req.url || !req.clean {
            return None;
        }
        let Declared::Editable(style) = declared else {
            return None;
        };
        let new_name = target.name()?;
        let mut edits = vec![Edit::replace(text_range(name.clone()), new_name.clone())];
        let mut note = None;
        let mut extras_text = String::new();
        if let (Target::Flyte, Some(extras)) = (&target, &req.extras) {
            let (new, n) = map_extras(&s[extras.clone()]);
            note = n;
            extras_text.clone_from(&new);
            edits.push(Edit::replace(text_range(shift(extras)), new));
        } else if let Some(extras) = &req.extras {
            extras_text = s[extras.clone()].to_string();
        }
        let old_spec = &s[req.spec.clone()];
        let spec = constraint(
            old_spec,
            if matches!(style, Style::ShellWord(_)) {
                Style::Pep440
            } else {
                style
            },
        );
        edits.push(Edit::replace(text_range(shift(&req.spec)), spec.clone()));
        if let Style::ShellWord(quote) = style
            && spec.contains(['<', '>'])
        {
            // `<` and `>` would be redirections: the word is quoted.
            let end = at + req.spec.end.max(req.extras.as_ref().map_or(0, |e| e.end));
            let quote = char::from(quote);
            edits = vec![Edit::replace(
                text_range(name.start..end),
                format!("{quote}{new_name}{extras_text}{spec}{quote}"),
            )];
        }
        Some((
            edits,
            note.map(|n| format!("`{new_name}{extras_text}{spec}` ({n})")),
        ))
    };
    let from = target.from().to_string();
    let range = text_range(reported);
    let diagnostic = match (&target, declared) {
        (_, Declared::Locked(relock)) => {
            let what = match target.name() {
                Some(new) => format!("`{new}`"),
                None => "its Flyte 2 replacement".to_string(),
            };
            Diagnostic::new(
                Rule::LockedFlytekit,
                format!("`{from}` is pinned here for a resolver; this file is not edited"),
                range,
            )
            .with_help(format!(
                "Move the manifest it is built from to {what}, then re-lock ({relock})"
            ))
        }
        (Target::Missing { hint, .. }, _) => Diagnostic::new(
            Rule::PluginWithoutFlyte2,
            format!("`{from}` has no Flyte 2 package"),
            range,
        )
        .with_help(hint.clone()),
        (Target::Flyte | Target::Plugin { .. }, Declared::Editable(style)) => {
            let new = target.name().unwrap_or_default();
            let rule = if target == Target::Flyte {
                Rule::FlytekitRequirement
            } else {
                Rule::FlytekitPluginRequirement
            };
            let shown_spec = constraint(
                &s[req.spec.clone()],
                if matches!(style, Style::ShellWord(_)) {
                    Style::Pep440
                } else {
                    style
                },
            );
            let message = format!("`{from}` is `{new}` in Flyte 2");
            let diagnostic = Diagnostic::new(rule, message, range);
            match edits(&req) {
                Some((edits, note)) => {
                    let help = match note {
                        Some(note) => format!("Depend on {note}"),
                        None => format!("Depend on `{new}{shown_spec}`"),
                    };
                    diagnostic
                        .with_help(help)
                        .with_fix(Fix::new(edits, Applicability::Safe))
                }
                None => diagnostic.with_help(format!(
                    "Depend on `{new}{shown_spec}` by hand: this requirement is written in a form flyte-migrate does not rewrite"
                )),
            }
        }
    };
    Some(diagnostic)
}

/// An install from flytekit's source repository (`git+https://github.com/flyteorg/flytekit.git`,
/// with `#subdirectory=plugins/flytekit-X` for a plugin): reported without a fix, since Flyte 2
/// is installed from the package index.
fn from_repository(s: &str, at: usize) -> Option<Diagnostic> {
    let word = s.trim_start();
    let start = at + (s.len() - word.len());
    let word = word.split_whitespace().next()?;
    let lower = word.to_ascii_lowercase();
    if !lower.contains("flyteorg/flytekit") || lower.contains("flyteorg/flytekit-") {
        return None;
    }
    let name_at = |marker: &str| {
        let i = lower.find(marker)? + marker.len();
        let rest = &lower[i..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        Some(rest[..len].to_string())
    };
    let name = match name_at("subdirectory=plugins/") {
        Some(dir) => match dir.strip_prefix("flytekit-") {
            Some(plugin) => format!("flytekitplugins-{plugin}"),
            None => dir,
        },
        None => name_at("egg=").unwrap_or_else(|| "flytekit".to_string()),
    };
    let target = Target::of(&name)?;
    let range = text_range(start..start + word.len());
    let message = format!("`{name}` is installed from flytekit's source repository");
    let diagnostic = match &target {
        Target::Missing { hint, .. } => {
            Diagnostic::new(Rule::PluginWithoutFlyte2, message, range).with_help(hint.clone())
        }
        _ => {
            let rule = if target == Target::Flyte {
                Rule::FlytekitRequirement
            } else {
                Rule::FlytekitPluginRequirement
            };
            Diagnostic::new(rule, message, range).with_help(format!(
                "Install `{}=={FLYTE_VERSION}` from the package index instead",
                target.name().unwrap_or_default()
            ))
        }
    };
    Some(diagnostic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(line: &str, style: Style) -> String {
        let d = diagnose_string(line, 0, line.len(), Declared::Editable(style)).expect("reported");
        crate::fix::apply(line, d.fix.iter())
    }

    #[test]
    fn constraints_keep_their_style() {
        assert_eq!(constraint("==1.13.0", Style::Pep440), "==2.12.1");
        assert_eq!(constraint(">=1.10,<2", Style::Pep440), ">=2.12.1,<3");
        assert_eq!(constraint("", Style::Pep440), ">=2.12.1,<3");
        assert_eq!(constraint("~=1.10", Style::Pep440), "~=2.12.1");
        assert_eq!(constraint("^1.10", Style::Poetry), "^2.12.1");
        assert_eq!(constraint("1.10.2", Style::Poetry), "2.12.1");
        assert_eq!(constraint("*", Style::Poetry), "^2.12.1");
        assert_eq!(constraint("*", Style::Pipfile), ">=2.12.1,<3");
    }

    #[test]
    fn requirements_keep_markers_and_comments() {
        assert_eq!(
            fixed(
                "flytekit==1.13.0 ; python_version < \"3.12\"  # pinned",
                Style::Pep440
            ),
            "flyte==2.12.1 ; python_version < \"3.12\"  # pinned"
        );
        assert_eq!(
            fixed("flytekit[agent] >= 1.10, < 2", Style::Pep440),
            "flyte[connector] >=2.12.1,<3"
        );
        assert_eq!(
            fixed("flytekitplugins-kfpytorch", Style::Pep440),
            "flyteplugins-pytorch>=2.12.1,<3"
        );
        assert_eq!(
            fixed("flytekit", Style::ShellWord(b'"')),
            "\"flyte>=2.12.1,<3\""
        );
        assert_eq!(
            fixed("flytekit==1.12.0", Style::ShellWord(b'"')),
            "flyte==2.12.1"
        );
        assert_eq!(
            fixed("flytekit (>=1.0)", Style::Pep440),
            "flyte (>=2.12.1,<3)"
        );
    }

    #[test]
    fn installs_from_the_repository_are_reported() {
        let line = "git+https://github.com/flyteorg/flytekit.git@v1.13.0#subdirectory=plugins/flytekit-spark";
        let d = diagnose_string(line, 0, line.len(), Declared::Editable(Style::Pep440))
            .expect("reported");
        assert_eq!(d.rule, Rule::FlytekitPluginRequirement);
        assert!(d.fix.is_none());
        let line = "git+https://github.com/flyteorg/flytekit.git@master";
        let d = diagnose_string(line, 0, line.len(), Declared::Editable(Style::Pep440))
            .expect("reported");
        assert_eq!(d.rule, Rule::FlytekitRequirement);
    }

    #[test]
    fn other_names_are_not_reported() {
        for line in [
            "flytekitten==1",
            "flyte==2.0",
            "flytekitplugins-",
            "-r base.txt",
            "",
        ] {
            assert!(
                diagnose_string(line, 0, line.len(), Declared::Editable(Style::Pep440)).is_none(),
                "{line}"
            );
        }
    }

    #[test]
    fn unreadable_requirements_keep_a_diagnostic_without_fix() {
        let line = "flytekit @ git+https://example.com/flytekit.git";
        let d = diagnose_string(line, 0, line.len(), Declared::Editable(Style::Pep440))
            .expect("reported");
        assert!(d.fix.is_none());
        let line = "flytekitplugins-whylogs";
        let d = diagnose_string(line, 0, line.len(), Declared::Editable(Style::Pep440))
            .expect("reported");
        assert_eq!(d.rule, Rule::PluginWithoutFlyte2);
    }
}
