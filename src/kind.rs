//! The kinds of file flyte-migrate reads, in one list. Each kind is a module that detects its
//! files, gates them with a cheap byte search, checks them and fixes them; the rest of the tool
//! (diagnostics, edits, the fix loop, reports, the CLI, settings) knows no kind.
//!
//! A new kind is a module folder with those four functions and one entry in [`FileKind`].
//!
//! The kinds:
//! - `python`: the parser, the semantic model (`semantic`), the rule walk (`checker`, `rules`),
//!   `TaskEnvironment` synthesis (`env`), imports (`importer`), the project index (`project`);
//! - `commands`: `pyflyte` command lines in scripts, Makefiles, Dockerfiles, YAML, Markdown;
//! - `manifest`: dependency declarations (requirements, pyproject, setup.py/cfg, Pipfile, conda
//!   environments, lock files, `pip install` lines).
//!
//! A kind may read what another kind reads inside its files: Python string literals hold
//! `pyflyte` commands and `setup.py` requirements, command lines hold `pip install`s.
//!
//! The shared core: `diagnostic` (diagnostics, edits, fixes), `fix` (the fix loop), `noqa`
//! (suppression comments), `registry` (the rule table), `report`, `cli`, `config`, `settings`,
//! `discover`, `source`.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::fix::FixOutcome;
use crate::settings::Settings;
use crate::{CheckError, Project, commands, manifest, python};

/// A kind of file, with what its module needs to know of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Dependency manifests: requirements, pyproject, Pipfile, setup.cfg, conda environments,
    /// lock files.
    Manifest(manifest::ManifestFile),
    /// `pyflyte` command lines in shell scripts, Makefiles, Dockerfiles, YAML, Markdown.
    Commands(commands::CommandFile),
    /// Python source.
    Python,
}

impl FileKind {
    /// The kind of a walked file, by its name alone; `None` for a file no kind reads.
    pub fn of(path: &Path) -> Option<FileKind> {
        // Python first: most walked files are, and no other kind claims a Python file's name.
        if python::is_python(path) {
            return Some(FileKind::Python);
        }
        if let Some(kind) = manifest::ManifestFile::of(path) {
            return Some(FileKind::Manifest(kind));
        }
        commands::CommandFile::of(path).map(FileKind::Commands)
    }

    /// The kind of a file, by its name and content. A file no other kind claims (one named on
    /// the command line whatever its extension, standard input without a name) is Python.
    pub fn detect(path: Option<&Path>, bytes: &[u8]) -> FileKind {
        let Some(path) = path else {
            return FileKind::Python;
        };
        if let Some(kind) = manifest::ManifestFile::of(path) {
            return FileKind::Manifest(kind);
        }
        if let Some(kind) = commands::CommandFile::detect(path, bytes) {
            return FileKind::Commands(kind);
        }
        FileKind::Python
    }

    /// Whether a file of this kind that the gate skipped counts as checked and clean in the
    /// `summary` (Python code does; a script or a manifest counts only when it holds something).
    pub fn counts_when_skipped(self) -> bool {
        matches!(self, FileKind::Python)
    }

    /// The cheap gate: whether the file's bytes may hold something a rule reports.
    pub fn worth_checking(self, bytes: &[u8], settings: &Settings) -> bool {
        match self {
            FileKind::Manifest(_) => manifest::worth_checking(bytes, &settings.rules),
            FileKind::Commands(kind) => commands::worth_checking(bytes, kind, settings),
            FileKind::Python => python::worth_checking(bytes, settings),
        }
    }

    /// The file's diagnostics, sorted by position.
    pub fn check(
        self,
        text: &str,
        path: Option<&Path>,
        settings: &Settings,
        project: Option<&Project>,
    ) -> Result<Vec<Diagnostic>, CheckError> {
        match self {
            FileKind::Manifest(kind) => Ok(manifest::check(text, kind, &settings.rules)),
            FileKind::Commands(kind) => Ok(commands::check(text, kind, &settings.rules)),
            FileKind::Python => python::check(text, path, settings, project),
        }
    }

    /// The file fixed, with what remains.
    pub fn fix(
        self,
        text: &str,
        path: Option<&Path>,
        settings: &Settings,
        project: Option<&Project>,
    ) -> Result<FixOutcome, CheckError> {
        match self {
            FileKind::Manifest(kind) => Ok(manifest::fix(text, kind, settings)),
            FileKind::Commands(kind) => Ok(commands::fix(text, kind, settings)),
            FileKind::Python => python::fix(text, path, settings, project),
        }
    }
}
