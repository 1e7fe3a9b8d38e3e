//! Migrated dependencies install: a Flyte 1 requirements file and a PEP 621 project, after
//! `flyte-migrate fix`, are installed with pip into a fresh venv (a real resolve against the
//! package index, through pip's cache), and the flyte and plugins they now name import there.
//!
//! Without `python3 -m venv`, or when the package index cannot be reached, the test says it
//! skipped and passes.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const REQUIREMENTS: &str = "\
# The pipelines' runtime
flytekit==1.16.31
flytekitplugins-pandera>=1.10  # validation
flytekitplugins-slurm ; python_version >= \"3.10\"
";

const PYPROJECT: &str = r#"[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "migrated-pipelines"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = [
    "flytekit>=1.10,<2",  # orchestration
    "flytekitplugins-pandera",
]

[tool.setuptools]
py-modules = []
"#;

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string())
}

fn output_text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn pip(venv: &Path, args: &[&str]) -> Output {
    Command::new(venv.join("bin/python"))
        .args(["-m", "pip"])
        .args(args)
        .args([
            "--disable-pip-version-check",
            "--timeout",
            "30",
            "--retries",
            "2",
        ])
        .output()
        .expect("the venv's python runs")
}

fn fix(dir: &Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_flyte-migrate"))
        .current_dir(dir)
        .args(["fix", "--isolated", "--unsafe-fixes", "."])
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "fix failed:\n{}",
        output_text(&output)
    );
}

#[test]
fn fixed_manifests_install_flyte_2() {
    let work = tempfile::tempdir().expect("a temporary directory");
    let venv = work.path().join("venv");
    let created = Command::new(python())
        .args(["-m", "venv"])
        .arg(&venv)
        .output();
    if !created.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: `{} -m venv` is not available", python());
        return;
    }
    let probe = pip(&venv, &["index", "versions", "flyte"]);
    if !probe.status.success() {
        eprintln!(
            "skipped: the package index cannot be reached:\n{}",
            output_text(&probe)
        );
        return;
    }

    let project = work.path().join("project");
    fs::create_dir_all(&project).expect("project directory");
    fs::write(project.join("requirements.txt"), REQUIREMENTS).expect("write");
    fs::write(project.join("pyproject.toml"), PYPROJECT).expect("write");
    fix(&project);
    let requirements = fs::read_to_string(project.join("requirements.txt")).expect("read");
    assert_eq!(
        requirements,
        "# The pipelines' runtime\nflyte==2.12.1\nflyteplugins-pandera>=2.12.1,<3  # validation\nflyteplugins-slurm>=2.12.1,<3 ; python_version >= \"3.10\"\n"
    );
    let pyproject = fs::read_to_string(project.join("pyproject.toml")).expect("read");
    assert!(
        pyproject.contains("\"flyte>=2.12.1,<3\",  # orchestration")
            && pyproject.contains("\"flyteplugins-pandera>=2.12.1,<3\","),
        "{pyproject}"
    );

    let quiet = ["--quiet", "--no-compile"];
    let requirements_path = project.join("requirements.txt");
    let requirements_path = requirements_path.to_str().expect("UTF-8 path");
    let installed = pip(
        &venv,
        &[&["install"][..], &quiet, &["-r", requirements_path]].concat(),
    );
    assert!(
        installed.status.success(),
        "pip install -r of the fixed requirements failed:\n{}",
        output_text(&installed)
    );
    let project_path = project.to_str().expect("UTF-8 path");
    let installed = pip(&venv, &[&["install"][..], &quiet, &[project_path]].concat());
    assert!(
        installed.status.success(),
        "pip install of the fixed PEP 621 project failed:\n{}",
        output_text(&installed)
    );

    let imported = Command::new(venv.join("bin/python"))
        .args([
            "-c",
            "import importlib.metadata as m, flyte, flyteplugins.pandera, flyteplugins.slurm; \
             print(m.version('flyte'), m.version('migrated-pipelines'))",
        ])
        .output()
        .expect("the venv's python runs");
    assert!(imported.status.success(), "{}", output_text(&imported));
    assert_eq!(
        String::from_utf8_lossy(&imported.stdout).trim(),
        "2.12.1 0.1.0"
    );
    // flytekit is gone from what the project asks for.
    let check = pip(&venv, &["show", "flytekit"]);
    assert!(!check.status.success(), "flytekit was installed");
}
