//! Bad input, file by file: each gives a clear message or a correct result, the rest of the tree
//! is still checked, nothing is written broken, and the exit code says what happened.

mod common;

const FLYTEKIT: &str =
    "from flytekit import Resources\n\nresources = Resources(cpu=\"1\", mem=\"2Gi\")\n";

use common::run;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Each case: a file name, its bytes, and whether `check` should report FM201 in it.
fn cases() -> Vec<(&'static str, Vec<u8>, bool)> {
    let mut nul = FLYTEKIT.as_bytes().to_vec();
    nul.extend_from_slice(b"x = '\0'\n");
    let mut latin1 = b"import flytekit\n# caf".to_vec();
    latin1.push(0xe9);
    latin1.push(b'\n');
    vec![
        ("empty.py", Vec::new(), false),
        // Module-level names bound to each other, read by settings the rules follow.
        (
            "cyclic.py",
            b"from flytekit import ImageSpec, Secret, task\n\nA = str(B)\nB = str(A)\nX = Y and Z\nY = X and Z\nS = [T]\nT = [S]\nimg = ImageSpec(name=\"x\", requirements=str(A), base_image=img)\n\n\n@task(cache=X, container_image=img, secret_requests=S, pod_template=T)\ndef t() -> None: ...\n".to_vec(),
            false,
        ),
        ("only_name.py", b"flytekit".to_vec(), false),
        ("syntax.py", b"import flytekit\ndef f(:\n".to_vec(), false),
        (
            "bom.py",
            [b"\xef\xbb\xbf".as_slice(), FLYTEKIT.as_bytes()].concat(),
            true,
        ),
        ("crlf.py", FLYTEKIT.replace('\n', "\r\n").into_bytes(), true),
        ("cr.py", FLYTEKIT.replace('\n', "\r").into_bytes(), true),
        (
            "mixed.py",
            b"from flytekit import Resources\r\n\nresources = Resources(mem=\"1Gi\")\r\n".to_vec(),
            true,
        ),
        (
            "tabs.py",
            b"from flytekit import Resources\nif True:\n\tr = Resources(mem=\"1Gi\")\n".to_vec(),
            true,
        ),
        (
            "formfeed.py",
            b"from flytekit import Resources\n\x0c\nr = Resources(mem=\"1Gi\")\n".to_vec(),
            true,
        ),
        ("nul.py", nul, false),
        ("latin1.py", latin1, false),
        (
            "no_newline.py",
            FLYTEKIT.trim_end().as_bytes().to_vec(),
            true,
        ),
        (
            "non_ascii_\u{e9}t\u{e9}.py",
            FLYTEKIT.as_bytes().to_vec(),
            true,
        ),
        (
            "deep.py",
            format!(
                "import flytekit\nx = {}1{}\n",
                "(".repeat(5000),
                ")".repeat(5000)
            )
            .into_bytes(),
            false,
        ),
        (
            "deep_calls.py",
            format!(
                "import flytekit\nx = {}1{}\n",
                "f(".repeat(3000),
                ")".repeat(3000)
            )
            .into_bytes(),
            false,
        ),
        (
            "long_chain.py",
            format!("import flytekit\nx = {}\n", vec!["1"; 20000].join(" + ")).into_bytes(),
            false,
        ),
    ]
}

#[test]
fn every_bad_file_is_handled_and_the_rest_is_checked() {
    let dir = tempfile::tempdir().expect("dir");
    for (name, bytes, _) in cases() {
        std::fs::write(dir.path().join(name), bytes).expect("write");
    }
    std::fs::write(dir.path().join("zz_ok.py"), FLYTEKIT).expect("write");
    let out = run(dir.path(), &["check", "--output-format", "concise", "."]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    // A file that cannot be decoded is an error naming it; the run still checks the others.
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("latin1.py: not valid UTF-8"), "{stderr}");
    assert!(
        stderr.contains("long_chain.py: nested more than"),
        "{stderr}"
    );
    assert!(
        stderr.contains("deep_calls.py: nested more than"),
        "{stderr}"
    );
    assert!(stdout.contains("./syntax.py:2:7: FM901"), "{stdout}");
    for (name, _, reported) in cases() {
        let line = format!("./{name}:");
        let found = stdout
            .lines()
            .any(|l| l.starts_with(&line) && l.contains("FM201"));
        assert_eq!(found, reported, "{name}: {stdout}");
    }
    assert!(stdout.contains("./zz_ok.py:3:13: FM201"), "{stdout}");
    // NUL bytes are not Python: reported as a syntax error, never a crash.
    assert!(
        stdout.contains("./nul.py:") && stdout.contains("FM901"),
        "{stdout}"
    );
}

#[test]
fn fixing_bad_files_never_writes_them_broken() {
    let dir = tempfile::tempdir().expect("dir");
    for (name, bytes, _) in cases() {
        std::fs::write(dir.path().join(name), bytes).expect("write");
    }
    let out = run(dir.path(), &["fix", "--unsafe-fixes", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    for (name, original, reported) in cases() {
        let now = std::fs::read(dir.path().join(name)).expect("read");
        // Files that cannot be checked are left exactly as they were.
        let unchecked = [
            "latin1.py",
            "syntax.py",
            "nul.py",
            "long_chain.py",
            "deep_calls.py",
            "empty.py",
            "only_name.py",
        ];
        if unchecked.contains(&name) {
            assert!(now == original, "{name} changed");
            continue;
        }
        if !reported {
            continue;
        }
        let decoded = String::from_utf8(now.clone()).expect("utf8");
        let body = decoded.trim_start_matches('\u{feff}');
        assert!(
            ruff_python_parser::parse_module(body).is_ok(),
            "{name}: {decoded}"
        );
        assert!(body.contains("flyte.Resources"), "{name}: {decoded}");
        // Line endings and BOM are kept.
        assert_eq!(
            now.starts_with(b"\xef\xbb\xbf"),
            original.starts_with(b"\xef\xbb\xbf"),
            "{name}"
        );
        let crlf = |b: &[u8]| b.windows(2).filter(|w| w == b"\r\n").count();
        assert!(
            crlf(&original) == 0 || crlf(&now) >= crlf(&original),
            "{name}: {decoded:?}"
        );
    }
}

#[test]
fn a_large_file_is_checked() {
    let dir = tempfile::tempdir().expect("dir");
    let mut big = String::from("from flytekit import Resources\n");
    let line = "value = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]\n";
    while big.len() < 50 * 1024 * 1024 {
        big.push_str(line);
    }
    big.push_str("r = Resources(mem=\"1Gi\")\n");
    std::fs::write(dir.path().join("big.py"), &big).expect("write");
    let out = run(
        dir.path(),
        &["check", "--output-format", "concise", "big.py"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("FM201"));
}

#[cfg(unix)]
#[test]
fn links_read_only_files_and_directories_named_like_files() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("loop/inner")).expect("mkdir");
    symlink(root.join("loop"), root.join("loop/inner/back")).expect("symlink");
    symlink(root.join("missing.py"), root.join("dangling.py")).expect("symlink");
    std::fs::create_dir_all(root.join("pkg.py")).expect("mkdir");
    std::fs::write(root.join("pkg.py/mod.py"), FLYTEKIT).expect("write");
    std::fs::write(root.join("readonly.py"), FLYTEKIT).expect("write");
    std::fs::set_permissions(
        root.join("readonly.py"),
        std::fs::Permissions::from_mode(0o444),
    )
    .expect("chmod");
    let out = run(root, &["check", "--output-format", "concise", "."]);
    let stdout = text(&out.stdout);
    // Links are not followed (no loop); the directory named `pkg.py` is walked into.
    assert!(stdout.contains("./pkg.py/mod.py:3:13: FM201"), "{stdout}");
    assert!(stdout.contains("./readonly.py:3:13: FM201"), "{stdout}");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    // A read-only file is fixed like any other (renamed over), keeping its mode.
    let out = run(root, &["fix", "readonly.py"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mode = std::fs::metadata(root.join("readonly.py"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o444);
    // A named path that vanished is an error naming it.
    let out = run(root, &["check", "dangling.py"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("dangling.py: no such file or directory"),
        "{}",
        text(&out.stderr)
    );
}
