//! TOML manifests: `pyproject.toml` (PEP 621, dependency groups, Poetry, uv, PDM, Hatch) and
//! `Pipfile`. `toml_edit` reads the document with the byte span of every key and value; the
//! edits replace the text inside those spans, so the rest of the file stays as it is.

use std::ops::Range;

use ruff_text_size::{TextRange, TextSize};
use toml_edit::{Document, Item, TableLike};

use super::requirement::{Declared, Style, Target, constraint, diagnose_string};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::registry::Rule;

/// Whether a text is a TOML document (the fix loop keeps only rounds whose result is).
pub fn validate(text: &str) -> Result<(), Diagnostic> {
    Document::parse(text).map(|_| ()).map_err(|error| {
        let span = error.span().unwrap_or(0..0);
        Diagnostic::new(
            Rule::SyntaxError,
            format!("TOML parse error: {}", error.message().trim()),
            text_range(span),
        )
        .with_help("Fix the syntax error; the file was not checked further")
    })
}

/// How the values of an array are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArrayOf {
    /// PEP 508 requirements.
    Requirements,
    /// Distribution names alone (Poetry's `extras`).
    Names,
}

/// `pyproject.toml`.
pub fn pyproject(text: &str) -> Vec<Diagnostic> {
    let keyed = |path: &[&str]| match path {
        ["tool", "poetry", "dependencies" | "dev-dependencies"]
        | ["tool", "poetry", "group", _, "dependencies"] => Some(Style::Poetry),
        // Where uv takes a package from (`git`, `path`, an index): reported, for by hand.
        ["tool", "uv", "sources"] => Some(Style::Pep440),
        _ => None,
    };
    let arrays = |path: &[&str]| match path {
        ["project", "dependencies"]
        | ["project", "optional-dependencies", _]
        | ["dependency-groups", _]
        | ["build-system", "requires"]
        | [
            "tool",
            "uv",
            "dev-dependencies"
            | "constraint-dependencies"
            | "override-dependencies"
            | "build-constraint-dependencies",
        ]
        | ["tool", "pdm", "dev-dependencies", _]
        | [
            "tool",
            "hatch",
            "envs",
            _,
            "dependencies" | "extra-dependencies",
        ] => Some(ArrayOf::Requirements),
        ["tool", "poetry", "extras", _] => Some(ArrayOf::Names),
        _ => None,
    };
    read(text, &keyed, &arrays)
}

/// `Pipfile`: every package table (`[packages]`, `[dev-packages]` and custom categories).
pub fn pipfile(text: &str) -> Vec<Diagnostic> {
    let keyed = |path: &[&str]| match path {
        [table] if !matches!(*table, "source" | "requires" | "scripts" | "pipenv") => {
            Some(Style::Pipfile)
        }
        _ => None,
    };
    read(text, &keyed, &|_| None)
}

type Keyed<'a> = &'a dyn Fn(&[&str]) -> Option<Style>;
type Arrays<'a> = &'a dyn Fn(&[&str]) -> Option<ArrayOf>;

fn read(text: &str, keyed: Keyed, arrays: Arrays) -> Vec<Diagnostic> {
    let document = match Document::parse(text) {
        Ok(document) => document,
        Err(_) => return validate(text).err().into_iter().collect(),
    };
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk(text, document.as_item(), &mut path, keyed, arrays, &mut out);
    out
}

fn walk<'d>(
    text: &str,
    item: &'d Item,
    path: &mut Vec<&'d str>,
    keyed: Keyed,
    arrays: Arrays,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(table) = item.as_table_like() {
        let style = keyed(path);
        for (name, value) in table.iter() {
            if let Some(style) = style
                && let Some(target) = Target::of(name)
            {
                out.push(keyed_entry(text, table, name, value, &target, style));
            }
            path.push(name);
            walk(text, value, path, keyed, arrays, out);
            path.pop();
        }
    } else if let Some(tables) = item.as_array_of_tables() {
        for table in tables.iter() {
            for (name, value) in table.iter() {
                path.push(name);
                walk(text, value, path, keyed, arrays, out);
                path.pop();
            }
        }
    } else if let Some(array) = item.as_array()
        && let Some(of) = arrays(path)
    {
        for value in array.iter() {
            let Some(inner) = value.span().and_then(|s| string_inner(text, s)) else {
                continue;
            };
            let declared = Declared::Editable(Style::Pep440);
            match of {
                ArrayOf::Requirements => {
                    out.extend(diagnose_string(text, inner.start, inner.end, declared));
                }
                ArrayOf::Names => out.extend(name_only(text, inner)),
            }
        }
    }
}

/// The text between a basic or literal string's quotes, when it holds no escapes.
fn string_inner(text: &str, span: Range<usize>) -> Option<Range<usize>> {
    let raw = text.get(span.clone())?;
    if raw.len() < 2 || raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        return None;
    }
    let quote = raw.chars().next()?;
    if !(quote == '"' || quote == '\'') || !raw.ends_with(quote) {
        return None;
    }
    if quote == '"' && raw.contains('\\') {
        return None;
    }
    Some(span.start + 1..span.end - 1)
}

fn text_range(r: Range<usize>) -> TextRange {
    TextRange::new(
        TextSize::try_from(r.start).unwrap_or_default(),
        TextSize::try_from(r.end).unwrap_or_default(),
    )
}

fn rule_of(target: &Target) -> Rule {
    match target {
        Target::Flyte => Rule::FlytekitRequirement,
        Target::Plugin { .. } => Rule::FlytekitPluginRequirement,
        Target::Missing { .. } => Rule::PluginWithoutFlyte2,
    }
}

/// A distribution name alone (an entry of Poetry's `extras`): renamed, no version.
fn name_only(text: &str, inner: Range<usize>) -> Option<Diagnostic> {
    let name = text.get(inner.clone())?.trim();
    let target = Target::of(name)?;
    let range = text_range(inner.clone());
    Some(match target.name() {
        None => Diagnostic::new(
            rule_of(&target),
            format!("`{name}` has no Flyte 2 package"),
            range,
        )
        .with_help(match &target {
            Target::Missing { hint, .. } => hint.clone(),
            _ => String::new(),
        }),
        Some(new) => Diagnostic::new(
            rule_of(&target),
            format!("`{name}` is `{new}` in Flyte 2"),
            range,
        )
        .with_help(format!("Name `{new}`"))
        .with_fix(Fix::new(
            vec![Edit::replace(range, new)],
            Applicability::Safe,
        )),
    })
}

/// `flytekit = "^1.10"` or `flytekit = { version = "^1.10", ... }` in a table of packages.
fn keyed_entry(
    text: &str,
    table: &dyn TableLike,
    name: &str,
    value: &Item,
    target: &Target,
    style: Style,
) -> Diagnostic {
    let key_span = table.get_key_value(name).and_then(|(key, _)| key.span());
    let range = key_span.clone().map_or_else(TextRange::default, text_range);
    let Some(new) = target.name() else {
        let hint = match target {
            Target::Missing { hint, .. } => hint.clone(),
            _ => String::new(),
        };
        return Diagnostic::new(
            Rule::PluginWithoutFlyte2,
            format!("`{name}` has no Flyte 2 package"),
            range,
        )
        .with_help(hint);
    };
    let diagnostic = Diagnostic::new(
        rule_of(target),
        format!("`{name}` is `{new}` in Flyte 2"),
        range,
    );
    // The version string: the value itself, or the `version` of a table.
    let (version, blocker) = match value.as_table_like() {
        Some(entry) => {
            let blocker = [
                "extras",
                "git",
                "path",
                "url",
                "file",
                "editable",
                "index",
                "workspace",
            ]
            .into_iter()
            .find(|k| entry.get(k).is_some());
            (entry.get("version"), blocker)
        }
        None => (Some(value), None),
    };
    let version = version
        .and_then(|v| v.as_value())
        .filter(|v| v.as_str().is_some())
        .and_then(|v| v.span())
        .and_then(|s| string_inner(text, s));
    let key_inner = key_span.and_then(|span| {
        let raw = text.get(span.clone())?;
        let start = raw.find(|c: char| c.is_ascii_alphanumeric())?;
        Some(span.start + start..span.start + start + name.len())
    });
    let written = version
        .as_ref()
        .map(|v| constraint(&text[v.clone()], style))
        .unwrap_or_default();
    match (key_inner, version, blocker) {
        (Some(key), Some(version), None) if text.get(key.clone()) == Some(name) => diagnostic
            .with_help(format!("Depend on `{new} = \"{written}\"`"))
            .with_fix(Fix::new(
                vec![
                    Edit::replace(text_range(key), new),
                    Edit::replace(text_range(version), written),
                ],
                Applicability::Safe,
            )),
        (_, _, Some(blocker)) => diagnostic.with_help(format!(
            "Depend on `{new}` at {} by hand: flyte-migrate does not rewrite an entry with `{blocker}`{}",
            constraint("", style),
            if blocker == "extras" {
                " (flytekit's extras have no flyte counterpart, except `connector`)"
            } else {
                ""
            }
        )),
        _ => diagnostic.with_help(format!(
            "Depend on `{new}` at {} by hand: this entry is written in a form flyte-migrate does not rewrite",
            constraint("", style)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::fixed;

    #[test]
    fn pep_621_and_groups() {
        let text = "[project]\nname = \"x\"\ndependencies = [\n    \"flytekit>=1.10,<2\",  # core\n    'flytekitplugins-pandera',\n]\n\n[project.optional-dependencies]\nray = [\"flytekitplugins-ray==1.10.0; python_version < '3.12'\"]\n\n[dependency-groups]\ndev = [\"flytekit[agent]\", { include-group = \"lint\" }]\n\n[tool.ruff.lint.isort]\nknown-third-party = [\"flytekit\"]\n";
        assert_eq!(
            fixed(text, pyproject),
            "[project]\nname = \"x\"\ndependencies = [\n    \"flyte>=2.12.1,<3\",  # core\n    'flyteplugins-pandera>=2.12.1,<3',\n]\n\n[project.optional-dependencies]\nray = [\"flyteplugins-ray==2.12.1; python_version < '3.12'\"]\n\n[dependency-groups]\ndev = [\"flyte[connector]>=2.12.1,<3\", { include-group = \"lint\" }]\n\n[tool.ruff.lint.isort]\nknown-third-party = [\"flytekit\"]\n"
        );
    }

    #[test]
    fn poetry_tables() {
        let text = "[tool.poetry.dependencies]\npython = \"^3.10\"\nflytekit = \"^1.10.3\"\nflytekitplugins-spark = { version = \"1.10.3\", optional = true }\nflytekitplugins-deck-standard = \"*\"\n\n[tool.poetry.group.dev.dependencies]\n\"flytekit\" = {version = \">=1.9\", extras = [\"all\"]}\n\n[tool.poetry.extras]\nspark = [\"flytekitplugins-spark\"]\n";
        assert_eq!(
            fixed(text, pyproject),
            "[tool.poetry.dependencies]\npython = \"^3.10\"\nflyte = \"^2.12.1\"\nflyteplugins-spark = { version = \"2.12.1\", optional = true }\nflytekitplugins-deck-standard = \"*\"\n\n[tool.poetry.group.dev.dependencies]\n\"flytekit\" = {version = \">=1.9\", extras = [\"all\"]}\n\n[tool.poetry.extras]\nspark = [\"flyteplugins-spark\"]\n"
        );
        let rules: Vec<Rule> = pyproject(text).iter().map(|d| d.rule).collect();
        assert_eq!(
            rules,
            [
                Rule::FlytekitRequirement,
                Rule::FlytekitPluginRequirement,
                Rule::PluginWithoutFlyte2,
                Rule::FlytekitRequirement,
                Rule::FlytekitPluginRequirement,
            ]
        );
    }

    #[test]
    fn uv_sources_are_reported() {
        let text =
            "[tool.uv.sources]\nflytekit = { git = \"https://github.com/flyteorg/flytekit\" }\n";
        let diagnostics = pyproject(text);
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].fix.is_none());
    }

    #[test]
    fn pipfiles() {
        let text = "[[source]]\nurl = \"https://example.com/simple\"\n\n[packages]\nflytekit = \"*\"\nflytekitplugins-dask = \"==1.10.0\"\n\n[requires]\npython_version = \"3.11\"\n";
        assert_eq!(
            fixed(text, pipfile),
            "[[source]]\nurl = \"https://example.com/simple\"\n\n[packages]\nflyte = \">=2.12.1,<3\"\nflyteplugins-dask = \"==2.12.1\"\n\n[requires]\npython_version = \"3.11\"\n"
        );
    }

    #[test]
    fn invalid_toml_is_a_syntax_error() {
        let diagnostics = pyproject("[project\ndependencies = [\"flytekit\"]\n");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].rule, Rule::SyntaxError);
    }
}
