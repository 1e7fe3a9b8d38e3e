//! `flyte-migrate summary` as a team runs it on a monorepo: real fixture files in several
//! directories, exact tables.

mod common;

use std::path::Path;
use std::process::Output;

use common::run;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("fixture")
}

/// A monorepo: two teams' pipelines, a nested package, a migrated file and a non-Flyte file.
fn monorepo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = [
        ("team_a/pipeline.py", fixture("examples/pipeline.py")),
        ("team_a/images.py", fixture("fixtures/FM501.py")),
        ("team_a/util.py", "import os\n".to_string()),
        ("team_b/flows/launch.py", fixture("fixtures/FM601.py")),
        (
            "team_b/flows/done.py",
            "import flyte\n\nenv = flyte.TaskEnvironment(name=\"done\")\n".to_string(),
        ),
        ("team_b/map.py", fixture("fixtures/FM304.py")),
        ("README.md", "flytekit\n".to_string()),
        // Scripts count when they hold `pyflyte` commands (FM7, "CLI commands").
        ("team_a/run.sh", "pyflyte run pipeline.py wf\n".to_string()),
        ("team_a/notes.md", "no commands here\n".to_string()),
    ];
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

#[test]
fn text_table_per_directory() {
    let dir = monorepo();
    let out = run(dir.path(), &["summary"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!("text", stdout(&out));
    // Named directories are counted as given.
    let out = run(dir.path(), &["summary", "team_b", "team_a/util.py"]);
    insta::assert_snapshot!("named_paths", stdout(&out));
}

#[test]
fn markdown_table_with_unsafe_fixes() {
    let dir = monorepo();
    let out = run(
        dir.path(),
        &["summary", "--format", "markdown", "--unsafe-fixes", "."],
    );
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("markdown_unsafe", stdout(&out));
}

#[test]
fn settings_are_those_of_check() {
    let dir = monorepo();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.flyte-migrate]\nignore = [\"FM1\"]\nextend-exclude = [\"flows\"]\n\
         per-file-ignores = { \"team_a/images.py\" = [\"FM5\"] }\n",
    )
    .expect("write");
    let out = run(dir.path(), &["summary", "--select", "FM2,FM5,FM6"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("configured", stdout(&out));
    // --isolated ignores the file; the problems in every area come back.
    let isolated = run(
        dir.path(),
        &["summary", "--isolated", "--select", "FM2,FM5,FM6"],
    );
    assert_ne!(stdout(&isolated), stdout(&out));
    assert!(stdout(&isolated).contains("team_b/flows"));
}

#[test]
fn files_at_the_top_are_in_dot() {
    let dir = monorepo();
    std::fs::write(dir.path().join("top.py"), "from flytekit import task\n").expect("write");
    let out = run(dir.path(), &["summary", "top.py", "./team_a/util.py"]);
    assert_eq!(
        stdout(&out),
        "directory  files  need changes  imports & names  problems   fixable\n\
         ---------  -----  ------------  ---------------  --------  --------\n\
         .              1             1                1         1  1 (100%)\n\
         team_a         1             0                0         0         -\n\
         ---------  -----  ------------  ---------------  --------  --------\n\
         total          2             1                1         1  1 (100%)\n"
    );
}

#[test]
fn a_migrated_tree_has_no_area_columns() {
    let dir = monorepo();
    let out = run(
        dir.path(),
        &["summary", "team_a/util.py", "team_b/flows/done.py"],
    );
    assert_eq!(
        stdout(&out),
        "directory     files  need changes  problems  fixable\n\
         ------------  -----  ------------  --------  -------\n\
         team_a            1             0         0        -\n\
         team_b/flows      1             0         0        -\n\
         ------------  -----  ------------  --------  -------\n\
         total             2             0         0        -\n"
    );
}

#[test]
fn usage_and_io_errors_exit_two() {
    let dir = monorepo();
    let out = run(dir.path(), &["summary", "team_a", "missing"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: missing: no such file or directory\n"
    );
    // The table of what could be read still comes.
    assert!(stdout(&out).starts_with("directory"), "{}", stdout(&out));
    let out = run(dir.path(), &["summary", "--format", "html"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(dir.path(), &["summary", "-"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(dir.path(), &["summary", "--select", "FM999"]);
    assert_eq!(out.status.code(), Some(2));
}
