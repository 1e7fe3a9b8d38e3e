//! Dependency manifests, the third kind of file: requirements files, `pyproject.toml`, `Pipfile`,
//! `setup.cfg`, conda `environment.yml` (and, read by their own kinds, `setup.py` and the
//! `pip install` lines of scripts and Dockerfiles). A dependency on `flytekit` becomes one on
//! `flyte` at [`FLYTE_VERSION`], and `flytekitplugins-X` becomes `flyteplugins-Y` at the same
//! version where Flyte 2 has it (FM801–FM803). Lock files are reported, never rewritten (FM804).
//!
//! Every fix is a set of byte-range edits of the name, the extras and the version constraint of
//! one requirement: comments, markers, ordering, quoting, indentation and line endings survive.

mod install;
mod lock;
pub mod requirement;
mod setup_script;
mod text;
mod toml;

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::fix::FixOutcome;
use crate::registry::Rule;
use crate::settings::{RuleSet, Settings};

pub use install::check as check_install_commands;
pub use install::check_in as check_install_commands_in;
pub use requirement::FLYTE_VERSION;
pub use setup_script::check as check_setup_script;

/// The kinds of manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestFile {
    /// `requirements*.txt`, `*.in`, constraints files: one requirement a line.
    Requirements,
    /// `pyproject.toml`: PEP 621, dependency groups, Poetry, uv.
    Pyproject,
    /// A Pipfile.
    Pipfile,
    /// `setup.cfg`: `install_requires` and `extras_require`.
    SetupCfg,
    /// A conda environment: the `pip:` list (and conda's own list, reported).
    CondaEnvironment,
    /// `poetry.lock`, `uv.lock`, `pdm.lock`, `Pipfile.lock`, `pylock.toml`, conda-lock files.
    Lock,
}

impl ManifestFile {
    /// The kind of manifest at `path`, by its name.
    pub fn of(path: &Path) -> Option<ManifestFile> {
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "pyproject.toml" => return Some(ManifestFile::Pyproject),
            "pipfile" => return Some(ManifestFile::Pipfile),
            "setup.cfg" => return Some(ManifestFile::SetupCfg),
            "poetry.lock" | "uv.lock" | "pdm.lock" | "pipfile.lock" => {
                return Some(ManifestFile::Lock);
            }
            _ => {}
        }
        let (stem, ext) = lower.rsplit_once('.')?;
        if (stem == "pylock" || stem.starts_with("pylock.")) && ext == "toml" {
            return Some(ManifestFile::Lock);
        }
        if matches!(ext, "yml" | "yaml") {
            if stem.starts_with("conda-lock") || stem.ends_with(".conda-lock") {
                return Some(ManifestFile::Lock);
            }
            if stem.starts_with("environment") || stem.starts_with("conda") || stem == "env" {
                return Some(ManifestFile::CondaEnvironment);
            }
            return None;
        }
        if matches!(ext, "txt" | "in") {
            let in_folder = path
                .parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
                .is_some_and(|n| {
                    let n = n.to_ascii_lowercase();
                    n == "requirements" || n == "reqs"
                });
            if stem.contains("requirements")
                || stem.contains("constraints")
                || stem.starts_with("reqs")
                || in_folder
            {
                return Some(ManifestFile::Requirements);
            }
        }
        None
    }
}

/// The manifest rules.
const RULES: [Rule; 4] = [
    Rule::FlytekitRequirement,
    Rule::FlytekitPluginRequirement,
    Rule::PluginWithoutFlyte2,
    Rule::LockedFlytekit,
];

/// Whether any manifest rule is enabled.
pub fn enabled(rules: &RuleSet) -> bool {
    RULES.into_iter().any(|r| rules.contains(r))
}

/// The gate: a manifest rule is enabled and the bytes mention `flytekit`.
pub fn worth_checking(bytes: &[u8], rules: &RuleSet) -> bool {
    enabled(rules) && crate::python::mentions_flytekit(bytes)
}

/// The dependencies on flytekit and its plugins that a manifest declares, diagnosed; sorted by
/// position, without the ones a `# noqa` comment on their line suppresses.
pub fn check(text: &str, kind: ManifestFile, rules: &RuleSet) -> Vec<Diagnostic> {
    if !worth_checking(text.as_bytes(), rules) {
        return Vec::new();
    }
    let diagnostics = match kind {
        ManifestFile::Requirements => text::requirements(text),
        ManifestFile::SetupCfg => text::setup_cfg(text),
        ManifestFile::CondaEnvironment => text::conda_environment(text),
        ManifestFile::Pyproject => toml::pyproject(text),
        ManifestFile::Pipfile => toml::pipfile(text),
        ManifestFile::Lock => lock::check(text),
    };
    keep(text, diagnostics, rules)
}

/// A text with every fix of a checker's diagnostics applied.
#[cfg(test)]
pub(crate) fn fixed(text: &str, check: fn(&str) -> Vec<Diagnostic>) -> String {
    let diagnostics = check(text);
    crate::fix::apply(text, diagnostics.iter().filter_map(|d| d.fix.as_ref()))
}

/// The diagnostics of enabled rules that no comment suppresses, sorted by position.
fn keep(text: &str, diagnostics: Vec<Diagnostic>, rules: &RuleSet) -> Vec<Diagnostic> {
    let mut kept: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|d| {
            rules.contains(d.rule)
                && !crate::noqa::line_suppresses(text, usize::from(d.range.start()), d.rule)
        })
        .collect();
    kept.sort_by_key(|d| (d.range.start(), d.rule));
    kept
}

/// Fix a manifest. A TOML file must still parse after each round.
pub fn fix(text: &str, kind: ManifestFile, settings: &Settings) -> FixOutcome {
    let diagnose = |(): &(), text: &str| Ok(check(text, kind, &settings.rules));
    let outcome = if matches!(kind, ManifestFile::Pyproject | ManifestFile::Pipfile) {
        crate::fix::fix_loop(text, settings, toml::validate, diagnose)
    } else {
        crate::fix::fix_loop(text, settings, |_| Ok(()), diagnose)
    };
    outcome.unwrap_or_else(|_| FixOutcome {
        text: text.to_string(),
        remaining: check(text, kind, &settings.rules),
        ..FixOutcome::default()
    })
}

/// The byte offsets of each line's start and end (without its line ending).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |line| {
        let start = offset;
        offset += line.len();
        (start, line.trim_end_matches(['\n', '\r']))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_kinds() {
        for (name, kind) in [
            ("requirements.txt", Some(ManifestFile::Requirements)),
            ("requirements-dev.in", Some(ManifestFile::Requirements)),
            ("dev-requirements.txt", Some(ManifestFile::Requirements)),
            ("constraints.txt", Some(ManifestFile::Requirements)),
            ("requirements/base.txt", Some(ManifestFile::Requirements)),
            ("MANIFEST.in", None),
            ("notes.txt", None),
            ("pyproject.toml", Some(ManifestFile::Pyproject)),
            ("Pipfile", Some(ManifestFile::Pipfile)),
            ("Pipfile.lock", Some(ManifestFile::Lock)),
            ("poetry.lock", Some(ManifestFile::Lock)),
            ("uv.lock", Some(ManifestFile::Lock)),
            ("setup.cfg", Some(ManifestFile::SetupCfg)),
            ("environment.yml", Some(ManifestFile::CondaEnvironment)),
            ("environment-gpu.yaml", Some(ManifestFile::CondaEnvironment)),
            (".github/workflows/ci.yml", None),
            ("setup.py", None),
        ] {
            assert_eq!(ManifestFile::of(Path::new(name)), kind, "{name}");
        }
    }
}
