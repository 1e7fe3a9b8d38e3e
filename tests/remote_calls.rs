//! FlyteRemote scripts fixed by FM621 talk to a cluster, so they cannot run in a test: instead
//! every Flyte 2 call the fix wrote is bound to the signatures of the installed flyte 2.12.1
//! (`tests/remote/bind.py`, in the v2 venv that `tests/equivalence/venvs.sh` creates or reuses),
//! and the fixed script imports no flytekit.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::all_rules;
use flyte_migrate::fix_text;

#[test]
fn fixed_remote_scripts_bind_to_flyte_signatures() {
    let status = Command::new("bash")
        .args(["tests/equivalence/venvs.sh", "v2"])
        .status()
        .expect("bash runs");
    assert!(status.success(), "venvs.sh v2 failed");
    let venvs = std::env::var_os("FLYTE_MIGRATE_VENVS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME"))
                .join(".cache/flyte-migrate/venvs")
        });
    let dir = std::env::temp_dir().join(format!("flyte-migrate-remote-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut files = Vec::new();
    for name in ["FM621_script.py", "FM621_main.py"] {
        let text = std::fs::read_to_string(format!("fixtures/{name}")).expect("fixture");
        let fixed = fix_text(&text, &all_rules(true)).expect("fixes").text;
        assert_ne!(fixed, text, "{name}: not fixed");
        let path = dir.join(name);
        std::fs::write(&path, fixed).expect("written");
        files.push(path);
    }
    let output = Command::new(venvs.join("v2/bin/python"))
        .arg("tests/remote/bind.py")
        .args(&files)
        .output()
        .expect("the v2 python runs");
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("failures: 0"), "{text}");
}
