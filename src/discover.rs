//! Finding the files to check: gitignore-aware, parallel, in a stable order.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

/// Directories never worth walking into (the same defaults ruff uses).
const DEFAULT_EXCLUDES: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "_build",
    "buck-out",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
];

/// Whether a walked file is checked: a kind of file reads it (see [`crate::kind::FileKind`]).
pub fn is_checked(path: &Path) -> bool {
    crate::kind::FileKind::of(path).is_some()
}

/// The files under `paths`, sorted, and the paths that could not be walked (with why).
/// Files named explicitly are kept whatever their extension.
pub fn discover(
    paths: &[PathBuf],
    excluded: &(dyn Fn(&Path) -> bool + Sync),
    force_exclude: bool,
) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let files = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let mut roots = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => roots.push(path.clone()),
            Ok(_) if force_exclude && excluded(path) => {}
            Ok(_) => push(&files, path.clone()),
            Err(e) => push(&errors, (path.clone(), io_message(&e))),
        }
    }
    if let Some((first, rest)) = roots.split_first() {
        let mut builder = WalkBuilder::new(first);
        for root in rest {
            builder.add(root);
        }
        builder
            .hidden(false)
            .require_git(false)
            .follow_links(false)
            .filter_entry(|entry| {
                !(entry.file_type().is_some_and(|t| t.is_dir())
                    && entry.depth() > 0
                    && entry
                        .file_name()
                        .to_str()
                        .is_some_and(|name| DEFAULT_EXCLUDES.contains(&name)))
            });
        builder.build_parallel().run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry) if entry.depth() > 0 && excluded(entry.path()) => {
                        return WalkState::Skip;
                    }
                    Ok(entry) => {
                        let is_file = entry.file_type().is_some_and(|t| t.is_file());
                        if is_file && is_checked(entry.path()) {
                            push(&files, entry.into_path());
                        }
                    }
                    Err(error) => {
                        let path = error_path(&error).unwrap_or_default();
                        push(&errors, (path, walk_message(&error)));
                    }
                }
                WalkState::Continue
            })
        });
    }
    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort();
    files.dedup();
    let mut errors = errors.into_inner().unwrap_or_else(|e| e.into_inner());
    errors.sort();
    (files, errors)
}

fn push<T>(vec: &Mutex<Vec<T>>, item: T) {
    match vec.lock() {
        Ok(mut v) => v.push(item),
        Err(poisoned) => poisoned.into_inner().push(item),
    }
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn walk_message(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => walk_message(err),
        ignore::Error::Io(e) => io_message(e),
        other => other.to_string(),
    }
}

/// An I/O error as a short lower-case phrase.
pub fn io_message(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::NotFound => "no such file or directory".to_string(),
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let text = error.to_string();
            // Drop the "(os error N)" suffix the standard library adds.
            match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}
