//! flyte-migrate: a linter and fixer that moves flytekit (Flyte 1) code to the flyte (Flyte 2)
//! SDK.
//!
//! The library checks and fixes one source text at a time; the binary adds discovery,
//! parallelism, reporting and writing.

pub mod cli;
pub mod commands;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod fix;
pub mod kind;
pub mod manifest;
pub mod noqa;
pub mod python;
pub mod registry;
pub mod report;
pub mod settings;
pub mod source;

// The Python kind's modules, also at the crate root (`crate::checker`, ...).
pub use python::{checker, env, importer, known, project, rules, semantic};

use std::path::Path;

use ruff_text_size::TextRange;

use crate::diagnostic::Diagnostic;
use crate::kind::FileKind;
use crate::settings::Settings;

pub use crate::fix::{FixOutcome, fix_file, fix_file_in, fix_text};
pub use crate::project::Project;
pub use crate::python::{
    check_parsed, check_parsed_in, may_use_flytekit, mentions_flytekit, module_name, parse,
    worth_checking as python_worth_checking,
};

/// The gate for any file: whether its bytes may hold something a rule of its kind reports
/// (see [`kind::FileKind`]).
pub fn worth_checking(bytes: &[u8], path: Option<&Path>, settings: &Settings) -> bool {
    FileKind::detect(path, bytes).worth_checking(bytes, settings)
}

/// [`worth_checking`] for a file of `project`: a Python file may also reach flytekit through
/// a project module it imports ([`python::gate`]).
pub fn worth_checking_in(
    bytes: &[u8],
    path: Option<&Path>,
    settings: &Settings,
    project: Option<&Project>,
) -> bool {
    match FileKind::detect(path, bytes) {
        FileKind::Python => python::gate(bytes, path, settings, project),
        kind => kind.worth_checking(bytes, settings),
    }
}

/// Why a file could not be checked at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckError {
    /// Nesting deeper than the checker walks.
    TooDeep(TextRange),
}

impl std::fmt::Display for CheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CheckError::TooDeep(_) => write!(
                f,
                "nested more than {} levels deep; not checked",
                checker::MAX_DEPTH
            ),
        }
    }
}

/// Check one source text (without BOM). Diagnostics are sorted by position, then code.
pub fn check_text(text: &str, settings: &Settings) -> Result<Vec<Diagnostic>, CheckError> {
    check_file(text, None, settings)
}

/// Check one file's text; its path names the module (and so its environments).
pub fn check_file(
    text: &str,
    path: Option<&Path>,
    settings: &Settings,
) -> Result<Vec<Diagnostic>, CheckError> {
    check_file_in(text, path, settings, None)
}

/// Check one file's text as a part of `project`: its kind of file decides how (for Python, the
/// index names the module and gives the environments of tasks it imports from other modules).
pub fn check_file_in(
    text: &str,
    path: Option<&Path>,
    settings: &Settings,
    project: Option<&Project>,
) -> Result<Vec<Diagnostic>, CheckError> {
    FileKind::detect(path, text.as_bytes()).check(text, path, settings, project)
}
