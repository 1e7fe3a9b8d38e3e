//! Migrated code loads on Flyte 2: `tests/loadcheck/run.py` copies a directory of Flyte 1 code,
//! runs `flyte-migrate fix --unsafe-fixes` on the copy, imports every original module under
//! flytekit 1.16.31 and every migrated one under flyte 2.12.1 (each in a fresh process, missing
//! third-party modules stubbed), and fails on a file that loaded under flytekit and no longer
//! loads after the migration.
//!
//! The harness itself is tested on a small project of its own (`tests/loadcheck/fixtures`); the
//! real-world corpus runs when `../shared/corpus` is beside the repository.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run_check(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new("python3")
        .arg(repo().join("tests/loadcheck/run.py"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("python3 runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), text)
}

fn line_of<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{text}"))
}

#[test]
fn fixture_project_loads_on_both_sdks_after_migration() {
    let (code, text) = run_check(&[
        "--binary",
        env!("CARGO_BIN_EXE_flyte-migrate"),
        "tests/loadcheck/fixtures/project",
    ]);
    assert_eq!(code, Some(0), "{text}");
    // a module with a stubbed third-party import, base class, decorators and annotations
    line_of(&text, "both     pipeline/helpers.py");
    line_of(&text, "both     pipeline/tasks.py");
    // flyteplugins.pytorch imports torch, which the venvs stand in for with a stub
    line_of(&text, "both     pipeline/training.py");
    line_of(
        &text,
        "flytekit pipeline/scripts.py: imports flytekit.extras.tasks.shell",
    );
    // no flytekit of its own after the fix, but a project module it imports keeps it
    line_of(
        &text,
        "flytekit pipeline/reports.py: imports pipeline/scripts.py, which still uses flytekit",
    );
    // fails on both for the same reason: not a defect
    let no_load = line_of(&text, "no-load  reads_data_at_import.py: FileNotFoundError");
    assert!(no_load.contains("(at reads_data_at_import.py:5)"), "{text}");
    assert!(
        text.contains("fails only after migration (DEFECT)            0"),
        "{text}"
    );
}

#[test]
fn a_migration_that_breaks_an_import_is_a_defect() {
    let (code, text) = run_check(&[
        "--migrated-dir",
        "tests/loadcheck/fixtures/wrong_migration",
        "tests/loadcheck/fixtures/project",
    ]);
    assert_eq!(code, Some(1), "{text}");
    let defect = line_of(&text, "DEFECT   pipeline/tasks.py: TypeError:");
    assert!(defect.contains("'cache_version'"), "{text}");
    assert!(defect.contains("(at pipeline/tasks.py:13)"), "{text}");
    line_of(&text, "both     pipeline/helpers.py");
    assert!(
        text.contains("fails only after migration (DEFECT)            1"),
        "{text}"
    );
}

/// The corpus: `FLYTE_MIGRATE_CORPUS`, else `../shared/corpus` beside the repository.
#[test]
fn migrated_corpus_loads_under_flyte_2() {
    let corpus = std::env::var_os("FLYTE_MIGRATE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/corpus"));
    if !Path::new(&corpus).is_dir() {
        // written past the test harness's capture, so that a skipped step is seen
        let _ = writeln!(
            std::io::stderr(),
            "load check: no corpus at {}, the corpus step is skipped",
            corpus.display()
        );
        return;
    }
    let corpus = corpus.to_string_lossy().into_owned();
    let (code, text) = run_check(&["--binary", env!("CARGO_BIN_EXE_flyte-migrate"), &corpus]);
    println!("{text}");
    assert_eq!(
        code,
        Some(0),
        "files that loaded under flytekit fail under flyte 2 after the migration:\n{}",
        text.lines()
            .filter(|l| l.starts_with("DEFECT"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
