//! The promise, tested: every program in `fixtures/equivalence/` computes the same result under
//! flytekit 1.16.31 and, after `flyte-migrate fix --unsafe-fixes`, under flyte 2.12.1, in both
//! styles (async orchestrators, the default, and `--style sync`).
//!
//! `tests/equivalence/run.py` creates (or reuses) the two venvs in
//! `$FLYTE_MIGRATE_VENVS` (default `~/.cache/flyte-migrate/venvs`), runs both sides of every
//! program and compares their normalized results. Under flyte 2 the driver also checks that
//! Flyte 2's deploy planning of the entry's environment includes the environment of every task
//! that ran.

use std::process::Command;

fn run_suite(args: &[&str]) -> (bool, String) {
    let output = Command::new("python3")
        .arg("tests/equivalence/run.py")
        .args(args)
        .output()
        .expect("python3 runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn migrated_programs_compute_what_the_originals_computed() {
    let migrate = format!(
        "{} fix --unsafe-fixes -",
        env!("CARGO_BIN_EXE_flyte-migrate")
    );
    let migrate_sync = format!(
        "{} fix --unsafe-fixes --style sync -",
        env!("CARGO_BIN_EXE_flyte-migrate")
    );
    let (ok, text) = run_suite(&["--migrate-cmd", &migrate, "--migrate-cmd", &migrate_sync]);
    assert!(ok, "{text}");
    assert!(
        text.lines().any(|l| l.ends_with(" passed, 0 failed")),
        "{text}"
    );

    // The suite can fail: an unmigrated program does not run under Flyte 2.
    let (ok, text) = run_suite(&["--no-setup", "--expect-fail-unmigrated"]);
    assert!(ok, "{text}");
}
