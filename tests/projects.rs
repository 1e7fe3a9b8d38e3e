//! Environments across modules: a project fixed as a directory and file by file gives the same
//! bytes, with environment names unique across the project and `depends_on` listing the
//! environments of the tasks each environment calls in other modules; under flyte 2.12.1 the
//! migrated project computes what the flytekit original computed, and Flyte 2's deploy planning
//! of each entrypoint includes every task it ran.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_flyte-migrate");

fn project_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/projects")
        .join(name)
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("creates the copy");
    for entry in std::fs::read_dir(from).expect("reads the fixture") {
        let entry = entry.expect("reads an entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copies a file");
        }
    }
}

/// Every file below `root`, by relative path, with its bytes.
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("reads a directory") {
            let path = entry.expect("reads an entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .expect("below the root")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).expect("reads a file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn fix(cwd: &Path, paths: &[&str]) {
    run_fix(cwd, &["--unsafe-fixes"], paths);
}

/// A copy of `pristine` at `to`, fixed with `--unsafe-fixes` one path after another (`["."]`:
/// the whole directory at once); its files.
fn fixed_copy(pristine: &Path, to: &Path, order: &[&str]) -> BTreeMap<String, Vec<u8>> {
    copy_tree(pristine, to);
    for path in order {
        fix(to, &[path]);
    }
    files(to)
}

/// `fix` without `--unsafe-fixes`.
fn fix_safe(cwd: &Path, paths: &[&str]) {
    run_fix(cwd, &[], paths);
}

fn run_fix(cwd: &Path, options: &[&str], paths: &[&str]) {
    let output = Command::new(BIN)
        .current_dir(cwd)
        .arg("fix")
        .args(options)
        .args(["--isolated", "--quiet"])
        .args(paths)
        .output()
        .expect("runs");
    assert!(
        output.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Write `text` to `root/rel`, creating its directories.
fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("creates the directories");
    }
    std::fs::write(path, text).expect("writes");
}

/// `name="..."` of every environment the files define.
fn environment_names(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut names = Vec::new();
    for text in files.values() {
        let text = String::from_utf8_lossy(text);
        for (at, _) in text.match_indices("flyte.TaskEnvironment(") {
            let rest = &text[at..];
            if let Some(start) = rest.find("name=\"") {
                let rest = &rest[start + 6..];
                if let Some(end) = rest.find('"') {
                    names.push(rest[..end].to_string());
                }
            }
        }
    }
    names
}

#[test]
fn a_project_fixed_as_a_directory_or_file_by_file_gives_the_same_bytes() {
    let fixture = project_fixture("two_teams");
    let temp = tempfile::tempdir().expect("temp dir");
    let python: Vec<String> = files(&fixture)
        .into_keys()
        .filter(|p| p.ends_with(".py"))
        .collect();
    assert!(python.len() >= 6, "{python:?}");

    // The directory at once.
    let whole = temp.path().join("whole");
    copy_tree(&fixture, &whole);
    fix(&whole, &["."]);
    let expected = files(&whole);

    // Each file named alone, from the project root (as a pre-commit hook runs), in both orders,
    // and each alone on a pristine copy.
    for (label, order) in [
        ("forward", python.clone()),
        ("backward", python.iter().rev().cloned().collect()),
    ] {
        let dir = temp.path().join(label);
        copy_tree(&fixture, &dir);
        for file in &order {
            fix(&dir, &[file]);
        }
        assert_eq!(
            files(&dir),
            expected,
            "fixing file by file ({label}) differs from fixing the directory"
        );
    }
    let alone = temp.path().join("alone");
    copy_tree(&fixture, &alone);
    let mut combined = files(&alone);
    for file in &python {
        let pristine = temp
            .path()
            .join(format!("pristine-{}", file.replace('/', "-")));
        copy_tree(&fixture, &pristine);
        fix(&pristine, &[file]);
        combined.insert(file.clone(), files(&pristine).remove(file).expect("kept"));
    }
    assert_eq!(
        combined, expected,
        "fixing each file alone differs from fixing the directory"
    );

    // Standard input named as a file of the project gives the same text.
    let stdin = temp.path().join("stdin");
    copy_tree(&fixture, &stdin);
    for file in &python {
        let mut child = Command::new(BIN)
            .current_dir(&stdin)
            .args([
                "fix",
                "--unsafe-fixes",
                "--isolated",
                "--stdin-filename",
                file,
                "-",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("runs");
        let original = std::fs::read(stdin.join(file)).expect("reads");
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &original)
            .expect("writes");
        let output = child.wait_with_output().expect("finishes");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&expected[file]),
            "{file} from standard input"
        );
    }

    // Unique environment names, from the modules' dotted paths.
    let mut names = environment_names(&expected);
    names.sort();
    let count = names.len();
    names.dedup();
    assert_eq!(names.len(), count, "{names:?}");
    assert!(names.contains(&"team_a-workflows".to_string()), "{names:?}");
    assert!(names.contains(&"team_b-workflows".to_string()), "{names:?}");

    // Fixing again changes nothing.
    fix(&whole, &["."]);
    assert_eq!(files(&whole), expected);

    let mut snapshot = String::new();
    for (path, bytes) in &expected {
        if path.ends_with(".py") {
            snapshot.push_str(&format!("=== {path}\n{}\n", String::from_utf8_lossy(bytes)));
        }
    }
    insta::assert_snapshot!("two_teams_migrated", snapshot);
}

#[test]
fn a_task_whose_environment_cannot_be_known_keeps_its_caller_on_flyte_1() {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path();
    std::fs::create_dir_all(root.join("pkg")).expect("creates pkg");
    std::fs::write(root.join("pkg/__init__.py"), "").expect("writes");
    std::fs::write(
        root.join("pkg/tasks.py"),
        "from flytekit import task\n\n\n@task(node_dependency_hints=[])\ndef stuck(x: int) -> int:\n    return x\n",
    )
    .expect("writes");
    std::fs::write(
        root.join("pkg/broken.py"),
        "from flytekit import task\n\n\n@task\ndef half(x: int) -> int:\n    return x +\n",
    )
    .expect("writes");
    for (this, other) in [("left", "right"), ("right", "left")] {
        std::fs::write(
            root.join(format!("pkg/{this}.py")),
            format!(
                "from flytekit import task, workflow\n\nfrom . import {other}\n\n\n@task\ndef {this}_task(x: int) -> int:\n    return x\n\n\n@workflow\ndef {this}_wf(x: int) -> int:\n    return {other}.{other}_task(x=x)\n"
            ),
        )
        .expect("writes");
    }
    std::fs::write(
        root.join("pkg/quiet.py"),
        "from flytekit import task\n\n\n@task  # noqa: FM204\ndef hushed(x: int) -> int:\n    return x\n",
    )
    .expect("writes");
    std::fs::write(
        root.join("pkg/mid.py"),
        "from flytekit import workflow\n\nfrom .tasks import stuck\n\n\n@workflow\ndef mid_wf(x: int) -> int:\n    return stuck(x=x)\n",
    )
    .expect("writes");
    let workflows = "from flytekit import workflow\n\nfrom .broken import half\nfrom .mid import mid_wf\nfrom .quiet import hushed\nfrom .tasks import stuck\n\n\n@workflow\ndef uses_stuck(x: int) -> int:\n    return stuck(x=x)\n\n\n@workflow\ndef uses_half(x: int) -> int:\n    return half(x=x)\n\n\n@workflow\ndef uses_mid(x: int) -> int:\n    return mid_wf(x=x)\n\n\n@workflow\ndef uses_hushed(x: int) -> int:\n    return hushed(x=x)\n";
    std::fs::write(root.join("pkg/workflows.py"), workflows).expect("writes");
    let output = Command::new(BIN)
        .current_dir(root)
        .args([
            "check",
            "--isolated",
            "--unsafe-fixes",
            "--output-format",
            "full",
            "pkg/workflows.py",
        ])
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout).replace('\n', " ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains(
            "not automatic: it calls `stuck` of `pkg.tasks`, which stays a Flyte 1 function"
        ),
        "{text}"
    );
    assert!(
        text.contains("not automatic: it calls `half`, from `broken.py`, which cannot be read"),
        "{text}"
    );

    // A workflow of another module that stays because of what it calls keeps its caller too.
    assert!(
        text.contains("it calls `mid_wf` of `pkg.mid`, which stays a Flyte 1 function (it calls `stuck` of `pkg.tasks`, which stays a Flyte 1 function)"),
        "{text}"
    );

    // A task whose move is suppressed stays.
    assert!(
        text.contains("it calls `hushed` of `pkg.quiet`, which stays a Flyte 1 function (FM204 is not selected or suppressed)"),
        "{text}"
    );

    // Two modules whose workflows call each other's tasks would import each other's
    // environments: an import cycle.
    let output = Command::new(BIN)
        .current_dir(root)
        .args(["check", "--isolated", "--unsafe-fixes", "pkg/left.py"])
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("it calls `right_task` of `pkg.right`, whose tasks call this module's"),
        "{text}"
    );

    // A task imported in a `try:` with a fallback spelling: which import runs depends on how
    // the module is run, so its environment cannot be imported one way only.
    std::fs::write(
        root.join("pkg/fallback.py"),
        "from flytekit import task\n\n\n@task\ndef leaf(x: int) -> int:\n    return x\n",
    )
    .expect("writes");
    std::fs::write(
        root.join("pkg/guarded.py"),
        "from flytekit import workflow\n\ntry:\n    from .fallback import leaf\nexcept ImportError:\n    from fallback import leaf\n\n\n@workflow\ndef guarded_wf(x: int) -> int:\n    return leaf(x=x)\n",
    )
    .expect("writes");
    let output = Command::new(BIN)
        .current_dir(root)
        .args(["check", "--isolated", "--unsafe-fixes", "pkg/guarded.py"])
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("it calls `leaf` of `pkg.fallback`, imported in a `try:` with a fallback"),
        "{text}"
    );

    // Fixing leaves both workflows on Flyte 1 and writes nothing into the modules it read.
    fix(root, &["pkg/workflows.py"]);
    let after = std::fs::read_to_string(root.join("pkg/workflows.py")).expect("reads");
    assert_eq!(after.matches("@workflow").count(), 4, "{after}");
    assert!(
        std::fs::read_to_string(root.join("pkg/tasks.py"))
            .expect("reads")
            .contains("@task(node_dependency_hints=[])")
    );
}

#[test]
fn the_migrated_project_runs_and_deploys_under_flyte_2() {
    let fixture = project_fixture("two_teams");
    let temp = tempfile::tempdir().expect("temp dir");
    let migrated = temp.path().join("two_teams");
    copy_tree(&fixture, &migrated);
    fix(&migrated, &["."]);
    let output = Command::new("python3")
        .arg("tests/equivalence/project.py")
        .arg("--original")
        .arg(&fixture)
        .arg("--migrated")
        .arg(&migrated)
        .arg("-v")
        .output()
        .expect("python3 runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{text}");
    assert!(text.contains("2 passed, 0 failed"), "{text}");
}

/// The index says which environment each task of a module lands in; fixing the module must
/// put it there. Checked on every Python fixture (and, with `FLYTE_MIGRATE_INDEX_CORPUS=DIR`,
/// on every Python file below DIR).
#[test]
fn the_index_agrees_with_what_fixing_produces() {
    use flyte_migrate::project::{Input, Module, Project, Symbol};
    use flyte_migrate::settings::Settings;
    let settings = Settings {
        unsafe_fixes: true,
        ..Settings::default()
    };
    let mut roots = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
    if let Some(dir) = std::env::var_os("FLYTE_MIGRATE_INDEX_CORPUS") {
        roots = vec![PathBuf::from(dir)];
    }
    let mut paths = Vec::new();
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "py") {
                out.push(path);
            }
        }
    }
    for root in &roots {
        walk(root, &mut paths);
    }
    paths.sort();
    let temp = tempfile::tempdir().expect("temp dir");
    let (mut checked, mut disagreements) = (0, Vec::new());
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let by_settings = |_: &Path| std::borrow::Cow::Borrowed(&settings);
        let before = Project::build(
            &[Input {
                path,
                text: Some(&text),
            }],
            &[],
            &by_settings,
        );
        let module = Module::index(path, &text, &settings);
        let Ok(symbols) = &module.symbols else {
            continue;
        };
        let Ok(outcome) = flyte_migrate::fix_file_in(&text, Some(path), &settings, Some(&before))
        else {
            continue;
        };
        let fixed_path = temp.path().join(path.file_name().expect("a file name"));
        let after = Module::index(&fixed_path, &outcome.text, &settings);
        let Ok(fixed) = &after.symbols else {
            continue;
        };
        for (name, symbol) in symbols {
            if let Symbol::Flytekit {
                env_var,
                applicability: Some(_),
                ..
            } = symbol
            {
                checked += 1;
                let landed = match fixed.get(name) {
                    Some(Symbol::Flyte2 { env_var, .. }) => Some(env_var.as_str()),
                    _ => None,
                };
                if landed != Some(env_var.as_str()) {
                    disagreements.push(format!(
                        "{}: `{name}`: index says `{env_var}`, fixing gives {landed:?}",
                        path.display()
                    ));
                }
            }
        }
    }
    eprintln!("{checked} moving functions checked");
    assert!(checked > 50, "{checked}");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// A `functools.partial` of `@task` imported from another module of the project is written out
/// in the importing module (FM208), so its tasks move; fixing the files one by one, in either
/// order, gives the bytes of fixing the directory.
#[test]
fn a_partial_imported_from_another_module_is_written_out() {
    let temp = tempfile::tempdir().expect("temp dir");
    let pristine = temp.path().join("pristine");
    write(&pristine, "ml/__init__.py", "");
    write(
        &pristine,
        "ml/settings.py",
        "from functools import partial\n\nfrom flytekit import Resources, task\n\nBIG = Resources(cpu=\"4\", mem=\"8Gi\")\nbig_task = partial(task, requests=BIG, retries=3)\nsmall_task = partial(task, requests=Resources(cpu=\"1\"))\n",
    );
    // A module that imports only a partial, whose settings read flytekit's `Resources`.
    write(
        &pristine,
        "ml/lone.py",
        "from .settings import small_task\n\n\n@small_task\ndef solo(n: int) -> int:\n    return n\n",
    );
    write(
        &pristine,
        "ml/steps.py",
        "from flytekit import workflow\n\nfrom .settings import big_task\n\n\n@big_task\ndef embed(n: int) -> int:\n    return 2 * n\n\n\n@big_task(retries=1)\ndef rank(x: int) -> int:\n    return x + 1\n\n\n@workflow\ndef flow(n: int) -> int:\n    return rank(x=embed(n=n))\n",
    );
    let whole = temp.path().join("whole");
    let expected = fixed_copy(&pristine, &whole, &["."]);
    for (label, order) in [
        ("forward", ["ml/settings.py", "ml/steps.py", "ml/lone.py"]),
        ("backward", ["ml/lone.py", "ml/steps.py", "ml/settings.py"]),
    ] {
        let dir = temp.path().join(label);
        assert_eq!(fixed_copy(&pristine, &dir, &order), expected, "{label}");
    }
    let steps = String::from_utf8_lossy(&expected["ml/steps.py"]).to_string();
    assert!(!steps.contains("flytekit"), "{steps}");
    assert!(steps.contains("from .settings import BIG"), "{steps}");
    assert!(steps.contains(".task(retries=3)\ndef embed"), "{steps}");
    assert!(steps.contains(".task(retries=1)\ndef rank"), "{steps}");
    assert!(steps.contains("resources=BIG"), "{steps}");
    assert!(
        !steps.contains("big_task"),
        "the import of the partial goes: {steps}"
    );
    let lone = String::from_utf8_lossy(&expected["ml/lone.py"]).to_string();
    assert!(
        !lone.contains("flytekit") && !lone.contains("small_task"),
        "{lone}"
    );
    assert!(
        lone.contains("resources=flyte.Resources(cpu=\"1\")"),
        "{lone}"
    );
    assert!(lone.contains(".task\ndef solo"), "{lone}");
    fix(&whole, &["."]);
    assert_eq!(files(&whole), expected);
}

/// A module that takes flytekit's names from another module of the project, and never writes
/// `flytekit` itself, is checked and fixed like one that imports them from flytekit: the gate
/// lets it through and its imports resolve through the other module. Fixing it alone gives the
/// bytes of fixing the directory, and fixing again changes nothing.
#[test]
fn flytekit_names_imported_through_a_project_module_move() {
    let temp = tempfile::tempdir().expect("temp dir");
    let pristine = temp.path().join("pristine");
    write(&pristine, "shop/__init__.py", "");
    write(
        &pristine,
        "shop/sdk/__init__.py",
        "from .flyte import Resources, task, workflow  # re-exported\n",
    );
    write(
        &pristine,
        "shop/sdk/flyte.py",
        "from flytekit import Resources, task, workflow\n",
    );
    write(
        &pristine,
        "shop/orders.py",
        "from shop.sdk import Resources, task, workflow\n\n\n@task(requests=Resources(mem=\"1Gi\"))\ndef total(n: int) -> int:\n    return 2 * n\n\n\n@workflow\ndef nightly(n: int) -> int:\n    return total(n=n)\n",
    );
    // Another module calls the task: the index knows it is a task, though its `@task` came
    // through the re-export, so the caller's environment depends on the task's.
    write(
        &pristine,
        "shop/billing.py",
        "from shop.sdk import workflow\nfrom shop.orders import total\n\n\n@workflow\ndef monthly(n: int) -> int:\n    return total(n=n)\n",
    );
    let whole = temp.path().join("whole");
    let expected = fixed_copy(&pristine, &whole, &["."]);
    let billing = String::from_utf8_lossy(&expected["shop/billing.py"]).to_string();
    assert!(
        billing.contains("from shop.orders import total_env as shop_orders_total_env")
            && billing.contains("depends_on=[shop_orders_total_env]"),
        "{billing}"
    );
    assert!(billing.contains("await total.aio(n=n)"), "{billing}");
    let orders = String::from_utf8_lossy(&expected["shop/orders.py"]).to_string();
    assert!(orders.contains("@total_env.task\ndef total"), "{orders}");
    assert!(orders.contains("memory=\"1Gi\""), "{orders}");
    assert!(orders.contains("async def nightly"), "{orders}");
    assert!(
        !orders.contains("shop.sdk"),
        "the re-exported names are not used any more: {orders}"
    );
    for (file, what) in [
        ("shop/orders.py", "the module"),
        ("shop/billing.py", "the caller"),
    ] {
        let alone = temp
            .path()
            .join(format!("alone-{}", what.replace(' ', "-")));
        copy_tree(&pristine, &alone);
        fix(&alone, &[file]);
        assert_eq!(files(&alone)[file], expected[file], "fixing {what} alone");
    }
    fix(&whole, &["."]);
    assert_eq!(files(&whole), expected, "a second fix changes nothing");
    // The package's re-export names the project module it reads and flytekit's name.
    let output = Command::new(BIN)
        .current_dir(&pristine)
        .args(["check", "--isolated", "shop/sdk/__init__.py"])
        .output()
        .expect("runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        report.contains("`.flyte.task` (flytekit's `flytekit.task`) is imported but not used"),
        "{report}"
    );
    assert!(!report.contains("  not use it"), "{report}");
    // Safe fixes keep the package's re-export: removing it is unsafe (FM102).
    let safe = temp.path().join("safe");
    copy_tree(&pristine, &safe);
    fix_safe(&safe, &["."]);
    assert_eq!(
        files(&safe)["shop/sdk/__init__.py"],
        files(&pristine)["shop/sdk/__init__.py"],
        "the re-export stays without --unsafe-fixes"
    );
}

/// A union actor of one module is an environment once FM624 moves it: a task of another module
/// that calls the actor's task depends on it with `--unsafe-fixes`, and `fix` alone, which
/// leaves the actor on union, leaves the caller too (listing a union actor in `depends_on`
/// would fail at import), and the actor's own code (its secret, its task's keywords and body
/// are Flyte 2 code only once the actor is).
#[test]
fn a_task_calling_an_actor_of_another_module_moves_with_the_actor() {
    let temp = tempfile::tempdir().expect("temp dir");
    let pristine = temp.path().join("pristine");
    write(&pristine, "scoring/__init__.py", "");
    write(
        &pristine,
        "scoring/actors.py",
        "import flytekit\nfrom flytekit import Secret\nfrom union.actor import ActorEnvironment\n\nworker = ActorEnvironment(name=\"worker\", replica_count=2, ttl_seconds=60, secret_requests=[Secret(group=\"db\", key=\"token\")])\n\n\n@worker.task(cache=True, cache_version=\"1\")\ndef square(x: int) -> int:\n    return x * x + len(flytekit.current_context().secrets.get(group=\"db\", key=\"token\"))\n",
    );
    write(
        &pristine,
        "scoring/report.py",
        "from flytekit import task\nfrom scoring.actors import square\n\n\n@task\ndef shifted(x: int) -> int:\n    return square(x=x) + 1\n",
    );
    let safe = temp.path().join("safe");
    copy_tree(&pristine, &safe);
    fix_safe(&safe, &["."]);
    assert_eq!(
        files(&safe),
        files(&pristine),
        "safe fixes leave both modules"
    );
    let whole = temp.path().join("whole");
    copy_tree(&pristine, &whole);
    fix(&whole, &["."]);
    let migrated = files(&whole);
    let actors = String::from_utf8_lossy(&migrated["scoring/actors.py"]).to_string();
    assert!(
        actors.contains("worker = flyte.TaskEnvironment(name=\"worker\"")
            && actors.contains("reusable=flyte.ReusePolicy(replicas=2, idle_ttl=60)")
            && !actors.contains("from union"),
        "{actors}"
    );
    assert!(
        actors.contains("secrets=[flyte.Secret(key=\"token\", group=\"db\")]")
            && actors.contains("@worker.task(cache=flyte.Cache(")
            && actors.contains("os.environ[\"DB_TOKEN\"]"),
        "{actors}"
    );
    let report = String::from_utf8_lossy(&migrated["scoring/report.py"]).to_string();
    assert!(
        report.contains("from scoring.actors import worker as scoring_actors_worker")
            && report.contains("depends_on=[scoring_actors_worker]"),
        "{report}"
    );
    fix(&whole, &["."]);
    assert_eq!(files(&whole), migrated, "a second fix changes nothing");
}

/// `check --statistics` and the document formats check every file before any module is
/// indexed, and check again, with the index, only the files whose check looked up another
/// module of the project; the streamed formats index first. Both find the same problems, for
/// a directory, for files named one by one, and when a task a module calls stays on Flyte 1.
#[test]
fn checking_before_the_index_finds_what_checking_after_it_finds() {
    let dir = tempfile::tempdir().expect("creates a temporary directory");
    let root = dir.path();
    copy_tree(&project_fixture("two_teams"), root);
    std::fs::write(
        root.join("team_b/stuck.py"),
        "from flytekit import task, workflow\n\nfrom team_a.tasks import double\n\n\n@task(container_image=\"{{.image.x}}\")\ndef stuck(x: int) -> int:\n    return x\n\n\n@workflow\ndef both(x: int) -> int:\n    return stuck(x=double(x=x))\n",
    )
    .expect("writes");
    std::fs::write(
        root.join("team_b/calls_stuck.py"),
        "from flytekit import workflow\n\nfrom .stuck import stuck\n\n\n@workflow\ndef wf(x: int) -> int:\n    return stuck(x=x)\n",
    )
    .expect("writes");
    // A `functools.partial` of `@task` that another module imports (FM208).
    std::fs::create_dir_all(root.join("ml")).expect("creates a package");
    std::fs::write(root.join("ml/__init__.py"), "").expect("writes");
    std::fs::write(
        root.join("ml/settings.py"),
        "from functools import partial\n\nfrom flytekit import Resources, task\n\nbig_task = partial(task, requests=Resources(cpu=\"4\"), retries=3)\n",
    )
    .expect("writes");
    std::fs::write(
        root.join("ml/steps.py"),
        "from flytekit import workflow\n\nfrom .settings import big_task\n\n\n@big_task\ndef embed(n: int) -> int:\n    return 2 * n\n\n\n@workflow\ndef flow(n: int) -> int:\n    return embed(n=n)\n",
    )
    .expect("writes");
    // flytekit's names through another module, in a module that never writes `flytekit`.
    std::fs::write(
        root.join("ml/flyte_api.py"),
        "from flytekit import Resources, task, workflow\n",
    )
    .expect("writes");
    std::fs::write(
        root.join("ml/plain.py"),
        "from .flyte_api import Resources, task\n\n\n@task(requests=Resources(cpu=\"2\"))\ndef scale(n: int) -> int:\n    return 3 * n\n",
    )
    .expect("writes");
    // A chain of imports deeper than the index reads.
    std::fs::create_dir_all(root.join("deep")).expect("creates a package");
    std::fs::write(root.join("deep/__init__.py"), "").expect("writes");
    for i in 0..12 {
        let call = if i < 11 {
            format!(
                "from .d{} import t{}\n\n\n@workflow\ndef w{i}(x: int) -> int:\n    return t{}(x=x)\n\n\n",
                i + 1,
                i + 1,
                i + 1
            )
        } else {
            String::new()
        };
        let text = format!(
            "from flytekit import task, workflow\n{call}\n@task\ndef t{i}(x: int) -> int:\n    return x\n"
        );
        std::fs::write(root.join(format!("deep/d{i}.py")), text).expect("writes");
    }
    let problems = |format: &str, paths: &[&str]| -> Vec<serde_json::Value> {
        let output = Command::new(BIN)
            .current_dir(root)
            .args(["check", "--isolated", "--unsafe-fixes", "--exit-zero"])
            .args(["--output-format", format])
            .args(paths)
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&output.stdout);
        if format == "json" {
            serde_json::from_str::<Vec<serde_json::Value>>(&text).expect("a JSON array")
        } else {
            text.lines()
                .map(|line| serde_json::from_str(line).expect("a JSON object"))
                .collect()
        }
    };
    let cases: [&[&str]; 7] = [
        &["."],
        &["ml/steps.py"],
        &["ml/plain.py"],
        &["team_b/workflows.py", "team_b/calls_stuck.py"],
        &["team_a/tasks.py", "team_b/stuck.py"],
        &["deep/d0.py"],
        &["deep/d0.py", "deep/d9.py", "team_a"],
    ];
    for paths in cases {
        let (first, indexed) = (problems("json", paths), problems("json-lines", paths));
        assert!(!first.is_empty(), "{paths:?}");
        assert_eq!(first, indexed, "{paths:?}");
    }
}

/// An `ImageSpec` of another module: a task reading one that FM501 converts there moves (with
/// that unsafe fix, so not without `--unsafe-fixes`), one reading an `ImageSpec` FM501 cannot
/// convert keeps its Flyte 1 form, since a `TaskEnvironment` rejects an `ImageSpec`. An image
/// from outside the project may be an `ImageSpec` too: its task moves with an unsafe fix.
#[test]
fn an_image_of_another_module_moves_its_task_only_when_it_converts() {
    let temp = tempfile::tempdir().expect("temp dir");
    let pristine = temp.path().join("pristine");
    write(&pristine, "ml/__init__.py", "");
    write(
        &pristine,
        "ml/images.py",
        "from flytekit import ImageSpec\n\nplain = ImageSpec(packages=[\"pandas\"], registry=\"ghcr.io/acme\")\ncuda = ImageSpec(packages=[\"torch\"], cuda=\"12.1\", registry=\"ghcr.io/acme\")\n",
    );
    write(
        &pristine,
        "ml/steps.py",
        "from flytekit import task\n\nfrom ml import images\nfrom ml.images import plain\n\n\n@task(container_image=plain)\ndef load(n: int) -> int:\n    return n\n\n\n@task(container_image=images.cuda)\ndef train(n: int) -> int:\n    return 2 * n\n",
    );
    write(
        &pristine,
        "ml/serve.py",
        "from acme.images import SERVING\nfrom flytekit import task\n\n\n@task(container_image=SERVING)\ndef serve(n: int) -> int:\n    return n\n",
    );
    let safe = temp.path().join("safe");
    copy_tree(&pristine, &safe);
    fix_safe(&safe, &["."]);
    assert_eq!(files(&safe), files(&pristine), "no safe fix moves a task");
    let whole = temp.path().join("whole");
    let expected = fixed_copy(&pristine, &whole, &["."]);
    let images = String::from_utf8_lossy(&expected["ml/images.py"]).to_string();
    assert!(images.contains("plain = flyte.Image."), "{images}");
    assert!(images.contains("cuda = ImageSpec("), "{images}");
    let steps = String::from_utf8_lossy(&expected["ml/steps.py"]).to_string();
    assert!(steps.contains("image=plain"), "{steps}");
    assert!(steps.contains(".task\ndef load"), "{steps}");
    assert!(
        steps.contains("@task(container_image=images.cuda)\ndef train"),
        "{steps}"
    );
    let serve = String::from_utf8_lossy(&expected["ml/serve.py"]).to_string();
    assert!(
        serve.contains("image=SERVING") && serve.contains(".task\ndef serve"),
        "{serve}"
    );
    let single = temp.path().join("single");
    let file_by_file = fixed_copy(
        &pristine,
        &single,
        &["ml/steps.py", "ml/images.py", "ml/serve.py"],
    );
    assert_eq!(file_by_file, expected, "file by file");
}
