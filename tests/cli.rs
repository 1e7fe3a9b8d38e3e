//! The command line as a user runs it: real files, exit codes, exact output.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const FLYTEKIT: &str =
    "from flytekit import Resources\n\nresources = Resources(cpu=\"1\", mem=\"2Gi\")\n";
const FIXED: &str = "import flyte\n\nresources = flyte.Resources(cpu=\"1\", memory=\"2Gi\")\n";

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flyte-migrate"));
    cmd.env_remove("NO_COLOR");
    cmd
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().expect("runs")
}

fn run_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = bin()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("writes");
    child.wait_with_output().expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, content) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, content).expect("write");
    }
    dir
}

#[test]
fn clean_tree_exits_zero() {
    let dir = tree(&[("a.py", b"import os\n"), ("broken.py", b"def (:\n")]);
    let out = run(dir.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "All checks passed!\n");
}

#[test]
fn problems_exit_one_and_summarise() {
    let dir = tree(&[("wf.py", FLYTEKIT.as_bytes())]);
    let out = run(dir.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "./wf.py:3:13: FM201 [*] `flytekit.Resources` is `flyte.Resources` in Flyte 2: `mem` is `memory`\n\
         Found 1 problem (1 fixable with `flyte-migrate fix`).\n"
    );
    let out = run(dir.path(), &["check", "--exit-zero", "wf.py"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn full_output_is_rustc_style() {
    let dir = tree(&[("wf.py", FLYTEKIT.as_bytes())]);
    let out = run(dir.path(), &["check", "wf.py"]);
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn select_and_ignore() {
    let dir = tree(&[("wf.py", FLYTEKIT.as_bytes())]);
    let out = run(dir.path(), &["check", "--ignore", "FM2", "wf.py"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = run(
        dir.path(),
        &["check", "--ignore", "FM2", "--select", "FM201", "wf.py"],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = run(dir.path(), &["check", "--select", "XX9", "wf.py"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown rule selector `XX9`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn json_uses_ruff_field_names() {
    let dir = tree(&[("wf.py", FLYTEKIT.as_bytes())]);
    let out = run(dir.path(), &["check", "--output-format", "json", "wf.py"]);
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let first = &value[0];
    assert_eq!(first["code"], "FM201");
    assert_eq!(first["filename"], "wf.py");
    assert_eq!(first["location"]["row"], 3);
    assert_eq!(first["location"]["column"], 13);
    assert_eq!(first["end_location"]["row"], 3);
    assert_eq!(first["noqa_row"], 3);
    assert_eq!(first["fix"]["applicability"], "safe");
    assert!(first["fix"]["message"].is_string());
    let edits = first["fix"]["edits"].as_array().expect("edits");
    assert!(edits.iter().all(|e| e["content"].is_string()
        && e["location"]["row"].is_number()
        && e["end_location"]["column"].is_number()));
    assert!(first.get("url").is_some());
}

#[test]
fn fix_writes_and_second_fix_is_a_no_op() {
    let dir = tree(&[("wf.py", FLYTEKIT.as_bytes())]);
    let out = run(dir.path(), &["fix", "wf.py"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(stdout(&out), "Fixed 2 problems in 1 file.\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("wf.py")).expect("read"),
        FIXED
    );
    let out = run(dir.path(), &["fix", "wf.py"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "Fixed 0 problems in 0 files.\n");
}

#[test]
fn fix_keeps_crlf_bom_and_permissions() {
    let crlf = FLYTEKIT.replace('\n', "\r\n");
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend_from_slice(FLYTEKIT.as_bytes());
    let dir = tree(&[("crlf.py", crlf.as_bytes()), ("bom.py", &bom)]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.path().join("crlf.py");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o751)).expect("chmod");
    }
    let out = run(dir.path(), &["fix", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let fixed = std::fs::read(dir.path().join("crlf.py")).expect("read");
    assert_eq!(
        String::from_utf8(fixed).expect("utf8"),
        FIXED.replace('\n', "\r\n")
    );
    let fixed = std::fs::read(dir.path().join("bom.py")).expect("read");
    assert!(fixed.starts_with("\u{feff}".as_bytes()));
    assert_eq!(&fixed[3..], FIXED.as_bytes());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("crlf.py"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o751);
    }
}

#[test]
fn diff_writes_nothing_and_exits_one() {
    let dir = tree(&[("wf.py", FLYTEKIT.as_bytes())]);
    let out = run(dir.path(), &["fix", "--diff", "wf.py"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&out));
    assert_eq!(stderr(&out), "Would fix 2 problems in 1 file.\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("wf.py")).expect("read"),
        FLYTEKIT
    );
    // Nothing to fix (a syntax error cannot be fixed): no diff, exit 0, like ruff's `--diff`.
    let unfixable = tree(&[("a.py", b"import flytekit\ndef (:\n")]);
    let out = run(unfixable.path(), &["fix", "--diff", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
}

#[test]
fn stdin_check_and_fix() {
    let dir = tempfile::tempdir().expect("dir");
    let out = run_stdin(
        dir.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "pipe.py",
            "-",
        ],
        FLYTEKIT,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("pipe.py:3:13: FM201"),
        "{}",
        stdout(&out)
    );
    let out = run_stdin(dir.path(), &["fix", "-"], FLYTEKIT);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), FIXED);
    let out = run_stdin(dir.path(), &["fix", "-"], "import os\n");
    assert_eq!(stdout(&out), "import os\n");
}

#[test]
fn bad_files_are_named_and_the_rest_is_checked() {
    let mut latin1 = b"import flytekit\nname = '".to_vec();
    latin1.push(0xe9);
    latin1.extend_from_slice(b"'\n");
    let dir = tree(&[
        ("a_latin1.py", &latin1),
        ("b_syntax.py", b"import flytekit\ndef (:\n"),
        ("c_ok.py", FLYTEKIT.as_bytes()),
        ("x.py/inner.py", FLYTEKIT.as_bytes()),
    ]);
    let out = run(dir.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: ./a_latin1.py: not valid UTF-8 (invalid byte at offset 24)\n"
    );
    let text = stdout(&out);
    assert!(
        text.contains("./b_syntax.py:2:5: FM901 SyntaxError"),
        "{text}"
    );
    assert!(text.contains("./c_ok.py:3:13: FM201"), "{text}");
    assert!(text.contains("./x.py/inner.py:3:13: FM201"), "{text}");
    let out = run(dir.path(), &["check", "missing.py"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: missing.py: no such file or directory\n"
    );
}

#[test]
fn gitignored_and_excluded_files_are_skipped() {
    let dir = tree(&[
        (".gitignore", b"generated/\n"),
        ("generated/wf.py", FLYTEKIT.as_bytes()),
        (".venv/lib/wf.py", FLYTEKIT.as_bytes()),
        ("src/wf.pyi", FLYTEKIT.as_bytes()),
        ("src/notes.txt", FLYTEKIT.as_bytes()),
    ]);
    let out = run(dir.path(), &["check", "--output-format", "concise", "."]);
    let text = stdout(&out);
    assert!(text.contains("./src/wf.pyi:3:13: FM201"), "{text}");
    assert!(
        !text.contains("generated") && !text.contains(".venv") && !text.contains("notes"),
        "{text}"
    );
}

#[test]
fn output_order_is_stable() {
    let files: Vec<(String, &[u8])> = (0..40)
        .map(|i| (format!("m{i:02}.py"), FLYTEKIT.as_bytes()))
        .collect();
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    let dir = tree(&refs);
    let first = stdout(&run(
        dir.path(),
        &["check", "--output-format", "concise", "."],
    ));
    for _ in 0..3 {
        assert_eq!(
            first,
            stdout(&run(
                dir.path(),
                &["check", "--output-format", "concise", "."]
            ))
        );
    }
    let lines: Vec<&str> = first.lines().filter(|l| l.starts_with("./m")).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
    assert_eq!(lines.len(), 40);
}

#[test]
fn rule_command() {
    let dir = tempfile::tempdir().expect("dir");
    let out = run(dir.path(), &["rule", "FM201"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("# FM201: resources-fields\n"));
    let out = run(dir.path(), &["rule", "--all"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("FM201  resources-fields") && l.contains("fix: sometimes")),
        "{text}"
    );
    assert_eq!(
        text.lines().count(),
        flyte_migrate::registry::Rule::ALL.len()
    );
    let out = run(dir.path(), &["rule", "FM999"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn no_color_when_piped() {
    let dir = tree(&[("wf.py", FLYTEKIT.as_bytes())]);
    let out = run(dir.path(), &["check", "wf.py"]);
    assert!(!stdout(&out).contains('\u{1b}'));
}

#[test]
fn suppressions() {
    let source = "from flytekit import Resources\n\
        a = Resources(mem=\"1Gi\")  # noqa\n\
        b = Resources(mem=\"1Gi\")  # noqa: FM201\n\
        c = Resources(mem=\"1Gi\")  # flyte-migrate: ignore[FM201]\n\
        d = Resources(mem=\"1Gi\")  # noqa: E501\n\
        e = 1  # noqa: FM201\n";
    let dir = tree(&[("wf.py", source.as_bytes())]);
    let out = run(
        dir.path(),
        &["check", "--output-format", "concise", "wf.py"],
    );
    assert_eq!(
        stdout(&out),
        "wf.py:5:5: FM201 [*] `flytekit.Resources` is `flyte.Resources` in Flyte 2: `mem` is `memory`\n\
         wf.py:6:8: FM902 [*] Unused suppression of `FM201`\n\
         Found 2 problems (2 fixable with `flyte-migrate fix`).\n"
    );
    // Not reported as unused when the rule is not selected.
    let out = run(dir.path(), &["check", "--select", "FM902", "wf.py"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let whole = tree(&[(
        "wf.py",
        format!("# flyte-migrate: noqa\n{source}").as_bytes(),
    )]);
    let out = run(whole.path(), &["check", "wf.py"]);
    assert_eq!(out.status.code(), Some(0));
}

/// `fix` on a file whose task move is suppressed leaves the file as it was and says what stays.
#[test]
fn a_suppressed_move_is_not_fixed() {
    let source = "from flytekit import Resources, task\n\n\n\
        @task(requests=Resources(mem=\"1Gi\"))  # noqa: FM204\n\
        def t(x: int) -> int:\n    return x\n";
    let dir = tree(&[("wf.py", source.as_bytes())]);
    let out = run(dir.path(), &["fix", "--unsafe-fixes", "wf.py"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let after = std::fs::read_to_string(dir.path().join("wf.py")).expect("read");
    assert_eq!(after, source);
    assert!(stdout(&out).contains("FM201"), "{}", stdout(&out));
}

#[test]
fn configuration_files() {
    let pyproject = "[project]\nname = \"x\"\n\n[tool.flyte-migrate]\nextend-exclude = [\"gen\"]\nper-file-ignores = { \"tests/*\" = [\"FM2\"] }\n";
    let dir = tree(&[
        ("pyproject.toml", pyproject.as_bytes()),
        ("src/a.py", FLYTEKIT.as_bytes()),
        ("src/gen/b.py", FLYTEKIT.as_bytes()),
        ("tests/test_a.py", FLYTEKIT.as_bytes()),
    ]);
    let out = run(dir.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(
        stdout(&out),
        "./src/a.py:3:13: FM201 [*] `flytekit.Resources` is `flyte.Resources` in Flyte 2: `mem` is `memory`\n\
         Found 1 problem (1 fixable with `flyte-migrate fix`).\n"
    );
    // The nearest configuration applies from a subdirectory too.
    let out = run(
        &dir.path().join("src"),
        &["check", "--output-format", "concise", "."],
    );
    assert!(!stdout(&out).contains("gen"), "{}", stdout(&out));
    // Named files are checked unless --force-exclude, as pre-commit passes them.
    let out = run(dir.path(), &["check", "src/gen/b.py"]);
    assert_eq!(out.status.code(), Some(1));
    let out = run(dir.path(), &["check", "--force-exclude", "src/gen/b.py"]);
    assert_eq!(out.status.code(), Some(0));
    // --isolated ignores the file; the command line wins over it.
    let out = run(
        dir.path(),
        &["check", "--isolated", "--output-format", "concise", "."],
    );
    assert_eq!(
        stdout(&out).lines().filter(|l| l.contains("FM201")).count(),
        3
    );
    let out = run(dir.path(), &["check", "--select", "FM3", "."]);
    assert_eq!(out.status.code(), Some(0));
    let out = run(dir.path(), &["check", "--show-settings"]);
    assert!(
        stdout(&out).contains("extend-exclude: gen"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn bad_configuration_names_the_key() {
    let dir = tree(&[
        (
            "pyproject.toml",
            b"[tool.flyte-migrate]\nselct = [\"FM2\"]\n",
        ),
        ("a.py", FLYTEKIT.as_bytes()),
    ]);
    let out = run(dir.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown field `selct`"),
        "{}",
        stderr(&out)
    );
    let dir = tree(&[
        ("flyte-migrate.toml", b"ignore = [\"XX1\"]\n"),
        ("a.py", FLYTEKIT.as_bytes()),
    ]);
    let out = run(dir.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`ignore`: unknown rule selector `XX1`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn exit_non_zero_on_fix() {
    let dir = tree(&[("wf.py", FLYTEKIT.as_bytes())]);
    let out = run(dir.path(), &["fix", "--exit-non-zero-on-fix", "wf.py"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("wf.py")).expect("read"),
        FIXED
    );
    let out = run(dir.path(), &["fix", "--exit-non-zero-on-fix", "wf.py"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn pre_commit_hooks_are_declared() {
    let hooks = std::fs::read_to_string(".pre-commit-hooks.yaml").expect("hooks file");
    for id in ["flyte-migrate-check", "flyte-migrate-fix"] {
        assert!(hooks.contains(&format!("- id: {id}\n")), "{id}");
        // The same hook, installed with pip instead of cargo.
        assert!(hooks.contains(&format!("- id: {id}-python\n")), "{id}");
    }
    assert_eq!(hooks.matches("language: rust").count(), 2);
    assert_eq!(hooks.matches("language: python").count(), 2);
    // Python, and the files that hold `pyflyte` command lines (FM7).
    assert_eq!(
        hooks
            .matches("types_or: [python, pyi, shell, yaml, markdown, dockerfile, makefile]")
            .count(),
        4
    );
    assert_eq!(hooks.matches("require_serial: true").count(), 4);
    assert_eq!(hooks.matches("--force-exclude").count(), 4);
}

#[test]
fn every_output_format() {
    let dir = tree(&[("wf.py", FLYTEKIT.as_bytes())]);
    let format = |name: &str| {
        let out = run(dir.path(), &["check", "--output-format", name, "wf.py"]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        stdout(&out)
    };
    assert_eq!(
        format("grouped"),
        "wf.py:\n  3:13 FM201 [*] `flytekit.Resources` is `flyte.Resources` in Flyte 2: `mem` is `memory`\n\n\
         Found 1 problem (1 fixable with `flyte-migrate fix`).\n"
    );
    assert_eq!(
        format("github"),
        "::error title=flyte-migrate (FM201),file=wf.py,line=3,col=13,endLine=3,endColumn=42::\
         wf.py:3:13: FM201 `flytekit.Resources` is `flyte.Resources` in Flyte 2: `mem` is `memory`\n"
    );
    let lines = format("json-lines");
    assert_eq!(lines.lines().count(), 1);
    let value: serde_json::Value = serde_json::from_str(lines.trim()).expect("a JSON object");
    assert_eq!(value["code"], "FM201");
    let gitlab: serde_json::Value = serde_json::from_str(&format("gitlab")).expect("JSON");
    assert_eq!(gitlab[0]["check_name"], "FM201");
    assert_eq!(gitlab[0]["location"]["lines"]["begin"], 3);
    assert_eq!(gitlab[0]["fingerprint"].as_str().map(str::len), Some(16));
    let sarif: serde_json::Value = serde_json::from_str(&format("sarif")).expect("JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let run0 = &sarif["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "flyte-migrate");
    let result = &run0["results"][0];
    assert_eq!(result["ruleId"], "FM201");
    let index = result["ruleIndex"].as_u64().expect("index") as usize;
    assert_eq!(run0["tool"]["driver"]["rules"][index]["id"], "FM201");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    let junit = format("junit");
    assert!(junit.starts_with("<?xml"), "{junit}");
    assert!(junit.contains(r#"<testcase name="FM201" classname="wf.py" line="3" column="13">"#));
    assert_eq!(
        junit.matches("<testsuite ").count(),
        junit.matches("</testsuite>").count()
    );
}

#[test]
fn statistics_and_output_file() {
    let dir = tree(&[("wf.py", FLYTEKIT.as_bytes())]);
    let out = run(dir.path(), &["check", "--statistics", "wf.py"]);
    assert_eq!(
        stdout(&out),
        "     1  FM201  [*] resources-fields\nFound 1 problem (1 fixable with `flyte-migrate fix`).\n"
    );
    let out = run(
        dir.path(),
        &[
            "check",
            "--output-format",
            "json",
            "--output-file",
            "report.json",
            "wf.py",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    let report = std::fs::read_to_string(dir.path().join("report.json")).expect("report");
    assert!(report.contains("\"FM201\""));
    let out = run(dir.path(), &["fix", "--show-fixes", "wf.py"]);
    assert_eq!(
        stdout(&out),
        "Fixed in wf.py:\n  1 × FM102 (unused-flytekit-import)\n  1 × FM201 (resources-fields)\n\
         Fixed 2 problems in 1 file.\n"
    );
}

#[test]
fn in_house_wrappers_are_seen_through() {
    let pyproject = "[tool.flyte-migrate.mappings]\n\"mycompany.flyte.task\" = \"flytekit.task\"\n\"mycompany.flyte.Res\" = \"flytekit.Resources\"\n";
    let source = "from mycompany.flyte import Res, task\n\n@task\ndef f() -> int:\n    return 1\n\nr = Res(mem=\"1Gi\")\n";
    let dir = tree(&[
        ("pyproject.toml", pyproject.as_bytes()),
        ("wf.py", source.as_bytes()),
    ]);
    let out = run(
        dir.path(),
        &["check", "--output-format", "concise", "wf.py"],
    );
    let text = stdout(&out);
    assert!(text.contains("wf.py:3:2: FM204"), "{text}");
    assert!(text.contains("wf.py:7:5: FM201"), "{text}");
    // Without the mapping the file does not even mention flytekit.
    let out = run(dir.path(), &["check", "--isolated", "wf.py"]);
    assert_eq!(out.status.code(), Some(0));
    let bad = tree(&[
        (
            "pyproject.toml",
            b"[tool.flyte-migrate.mappings]\n\"x.y\" = \"os.path\"\n",
        ),
        ("wf.py", source.as_bytes()),
    ]);
    let out = run(bad.path(), &["check", "wf.py"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`mappings`: `x.y` must map to a flytekit name"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn command_lines_in_scripts_yaml_and_markdown() {
    let dir = tree(&[
        (
            "scripts/run.sh",
            b"#!/bin/sh\npyflyte run --remote wf.py wf\r\n",
        ),
        ("Makefile", b"run:\n\tpyflyte run wf.py wf\n"),
        (
            ".github/workflows/ci.yml",
            b"steps:\n  - run: pyflyte register -p p wf/\n",
        ),
        (
            "docs/usage.md",
            b"Run `pyflyte run wf.py wf`.\n\nSee pyflyte run in prose.\n",
        ),
        ("notes.txt", b"pyflyte run wf.py wf\n"),
    ]);
    let out = run(
        dir.path(),
        &["check", "--output-format", "concise", "--isolated"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "./.github/workflows/ci.yml:2:10: FM702 `pyflyte register` is `flyte deploy` in Flyte 2, with other arguments\n\
         ./Makefile:2:2: FM701 [*] `pyflyte run` (local by default) is `flyte run --local` in Flyte 2\n\
         ./docs/usage.md:1:6: FM701 [*] `pyflyte run` (local by default) is `flyte run --local` in Flyte 2\n\
         ./scripts/run.sh:2:1: FM701 [*] `pyflyte run --remote` is `flyte run` in Flyte 2\n\
         Found 4 problems (3 fixable with `flyte-migrate fix`).\n"
    );
    // Not selected: the files are not even read.
    let out = run(dir.path(), &["check", "--isolated", "--select", "FM1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let out = run(dir.path(), &["fix", "--isolated"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let read = |p: &str| std::fs::read(dir.path().join(p)).expect("reads");
    assert_eq!(read("scripts/run.sh"), b"#!/bin/sh\nflyte run wf.py wf\r\n");
    assert_eq!(read("Makefile"), b"run:\n\tflyte run --local wf.py wf\n");
    assert_eq!(
        read("docs/usage.md"),
        b"Run `flyte run --local wf.py wf`.\n\nSee pyflyte run in prose.\n"
    );
    assert_eq!(read("notes.txt"), b"pyflyte run wf.py wf\n");
}

/// What the README shows is what the tool does: its hooks exist, its sample table is current.
#[test]
fn readme_stays_true() {
    let readme = std::fs::read_to_string("README.md").expect("README");
    let hooks = std::fs::read_to_string(".pre-commit-hooks.yaml").expect("hooks file");
    for line in readme.lines() {
        if let Some(id) = line.trim().strip_prefix("- id: ") {
            let id = id.split_whitespace().next().unwrap_or_default();
            assert!(hooks.contains(&format!("- id: {id}\n")), "{id}");
        }
    }
    for newcomer in [
        "cargo install --path . && flyte-migrate check examples/\n",
        "```sh\ncargo test\n```\n",
    ] {
        assert!(readme.contains(newcomer), "{newcomer}");
    }
    let prompt = "$ flyte-migrate summary examples/\n";
    let start = readme.find(prompt).expect("a summary sample") + prompt.len();
    let sample = &readme[start..start + readme[start..].find("```").expect("its end")];
    let out = run(Path::new("."), &["summary", "examples/"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), sample);
}

/// Scripts without an extension, named as pre-commit names them (by shebang): a shell script is
/// read for its command lines, a Python one is parsed as Python.
#[test]
fn extensionless_shell_script_named_explicitly() {
    let dir = tree(&[
        (
            "deploy",
            b"#!/usr/bin/env bash\npyflyte run --remote wf.py wf\n",
        ),
        ("tool", b"#!/usr/bin/env python3\nimport flytekit\n"),
    ]);
    let out = run(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--output-format",
            "concise",
            "deploy",
            "tool",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "deploy:2:1: FM701 [*] `pyflyte run --remote` is `flyte run` in Flyte 2\n\
         tool:2:8: FM102 [*] `flytekit` is imported but not used (flytekit is not installed with Flyte 2)\n\
         Found 2 problems (2 fixable with `flyte-migrate fix`).\n"
    );
}

/// Standard input is read as the kind of file `--stdin-filename` names.
#[test]
fn stdin_named_as_a_makefile() {
    let dir = tree(&[]);
    let out = run_stdin(
        dir.path(),
        &["fix", "--isolated", "--stdin-filename", "Makefile", "-"],
        "run:\n\tpyflyte run wf.py wf\n",
    );
    assert_eq!(stdout(&out), "run:\n\tflyte run --local wf.py wf\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// `--style` (and `style` in the settings) chooses how migrated workflows are written; the
/// command line wins, and an unknown style is a usage error.
#[test]
fn style_option_and_setting() {
    const WF: &[u8] = b"from flytekit import task, workflow\n\n\n@task\ndef t(x: int) -> int:\n    return x\n\n\n@workflow\ndef wf(x: int) -> int:\n    a = t(x=x)\n    b = t(x=x + 1)\n    return a\n";
    let fixed = |dir: &Path, args: &[&str]| {
        let mut all = vec!["fix", "--unsafe-fixes", "-"];
        all.extend_from_slice(args);
        stdout(&run_stdin(
            dir,
            &all,
            std::str::from_utf8(WF).expect("utf-8"),
        ))
    };
    let dir = tree(&[]);
    let default = fixed(dir.path(), &["--isolated"]);
    assert!(
        default.contains("async def wf(x: int) -> int:\n    a, b = await asyncio.gather(\n"),
        "{default}"
    );
    let sync = fixed(dir.path(), &["--isolated", "--style", "sync"]);
    assert!(
        sync.contains("def wf(x: int) -> int:\n    a = t(x=x)\n    b = t(x=x + 1)\n"),
        "{sync}"
    );
    assert!(!sync.contains("async"), "{sync}");

    let configured = tree(&[(
        "pyproject.toml",
        b"[tool.flyte-migrate]\nstyle = \"sync\"\n",
    )]);
    assert!(!fixed(configured.path(), &[]).contains("async def"));
    assert!(fixed(configured.path(), &["--style", "async"]).contains("async def wf"));
    let shown = run(configured.path(), &["check", "--show-settings"]);
    assert!(
        stdout(&shown).contains("style: sync\n"),
        "{}",
        stdout(&shown)
    );

    let bad = tree(&[(
        "pyproject.toml",
        b"[tool.flyte-migrate]\nstyle = \"parallel\"\n",
    )]);
    assert_eq!(run(bad.path(), &["check"]).status.code(), Some(2));
    assert_eq!(
        run(dir.path(), &["check", "--isolated", "--style", "parallel"])
            .status
            .code(),
        Some(2)
    );
}

/// Dependency manifests in a walked directory are checked and fixed like code: discovery finds
/// them, `--ignore` and `[tool.flyte-migrate]` select their rules, `# noqa` suppresses, every
/// output format reports them, and files that only mention flytekit in prose are left alone.
#[test]
fn manifests_are_found_reported_and_fixed() {
    let dir = tree(&[
        (
            "requirements.txt",
            b"flytekit==1.13.0\nflytekitplugins-spark  # noqa: FM802\nflytekitplugins-ray\n",
        ),
        (
            "pyproject.toml",
            b"[project]\nname = \"x\"\ndependencies = [\"flytekit>=1.10\", \"flytekitplugins-deck-standard\"]\n\n[tool.flyte-migrate]\nignore = [\"FM803\"]\n",
        ),
        ("docker/Dockerfile", b"FROM python:3.11\nRUN pip install flytekit==1.13.0\n"),
        ("notes.txt", b"We use flytekit==1.13.0 today.\n"),
    ]);
    let out = run(dir.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "./docker/Dockerfile:2:17: FM801 [*] `flytekit` is `flyte` in Flyte 2\n\
         ./pyproject.toml:3:18: FM801 [*] `flytekit` is `flyte` in Flyte 2\n\
         ./requirements.txt:1:1: FM801 [*] `flytekit` is `flyte` in Flyte 2\n\
         ./requirements.txt:3:1: FM802 [*] `flytekitplugins-ray` is `flyteplugins-ray` in Flyte 2\n\
         Found 4 problems (4 fixable with `flyte-migrate fix`).\n"
    );
    let out = run(
        dir.path(),
        &[
            "check",
            "--ignore",
            "FM801",
            "--output-format",
            "concise",
            ".",
        ],
    );
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
    for format in [
        "json", "sarif", "github", "junit", "gitlab", "full", "grouped",
    ] {
        let out = run(dir.path(), &["check", "--output-format", format, "."]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        assert!(stdout(&out).contains("FM801"), "{format}: {}", stdout(&out));
    }
    let out = run(dir.path(), &["fix", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).expect("read");
    assert_eq!(
        read("requirements.txt"),
        "flyte==2.12.1\nflytekitplugins-spark  # noqa: FM802\nflyteplugins-ray>=2.12.1,<3\n"
    );
    assert!(
        read("pyproject.toml")
            .contains("dependencies = [\"flyte>=2.12.1,<3\", \"flytekitplugins-deck-standard\"]")
    );
    assert_eq!(
        read("docker/Dockerfile"),
        "FROM python:3.11\nRUN pip install flyte==2.12.1\n"
    );
    assert_eq!(read("notes.txt"), "We use flytekit==1.13.0 today.\n");
    let out = run(dir.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}
