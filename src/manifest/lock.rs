//! Lock files (`poetry.lock`, `uv.lock`, `pdm.lock`, `Pipfile.lock`, `pylock.toml`, conda-lock):
//! each entry that pins flytekit or a plugin is reported, and the file is never rewritten: its
//! resolver writes it again from the manifest.

use super::lines;
use super::requirement::{Declared, diagnose_string};
use crate::diagnostic::Diagnostic;

const RELOCK: Declared =
    Declared::Locked("`poetry lock`, `uv lock`, `pdm lock`, `pipenv lock` or `conda-lock`");

/// The package entries of a lock file that name flytekit or a plugin.
pub fn check(text: &str) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for (start, line) in lines(text) {
        let indent = line.len() - line.trim_start().len();
        let body = &line[indent..];
        // TOML locks: `name = "flytekit"`; YAML locks: `- name: flytekit`; JSON: `"flytekit": {`.
        let name_start = if let Some(rest) = body.strip_prefix("name = \"") {
            Some(body.len() - rest.len())
        } else if let Some(rest) = body
            .strip_prefix("- name: ")
            .or_else(|| body.strip_prefix("name: "))
        {
            Some(body.len() - rest.len())
        } else if body.starts_with('"') && body.trim_end().ends_with('{') {
            Some(1)
        } else {
            None
        };
        let Some(name_start) = name_start else {
            continue;
        };
        let at = start + indent + name_start;
        let name_len = text[at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
            .unwrap_or(text.len() - at);
        diagnostics.extend(diagnose_string(text, at, at + name_len, RELOCK));
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Rule;

    #[test]
    fn lock_entries_are_reported() {
        let text = "[[package]]\nname = \"flytekit\"\nversion = \"1.13.0\"\ndependencies = [\n    { name = \"flyteidl\" },\n]\n\n[[package]]\nname = \"flytekitplugins-spark\"\nversion = \"1.13.0\"\n";
        let diagnostics = check(text);
        assert_eq!(diagnostics.len(), 2);
        assert!(
            diagnostics
                .iter()
                .all(|d| d.rule == Rule::LockedFlytekit && d.fix.is_none())
        );
        let json = "{\n    \"default\": {\n        \"flytekit\": {\n            \"version\": \"==1.13.0\"\n        }\n    }\n}\n";
        assert_eq!(check(json).len(), 1);
    }
}
