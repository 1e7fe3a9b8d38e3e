//! Every rule fixture: snapshots of its diagnostics and of its fixed source, plus the invariants
//! every fix must keep.

mod common;

use std::path::Path;

use common::{all_rules, diff, fixture_rule, parses, render, settings};
use flyte_migrate::registry::{FixAvailability, Rule};
use flyte_migrate::settings::{Settings, Style};
use flyte_migrate::{check_file, check_text, fix_file, fix_text};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("fixture is readable UTF-8")
}

/// The rules a fixture runs with: its own, or all of them for FM902, whose diagnostics are about
/// the suppressions of the other rules.
fn fixture_selection(rule: Rule) -> Vec<&'static str> {
    if rule == Rule::UnusedSuppression {
        vec!["FM"]
    } else {
        vec![rule.code()]
    }
}

/// Diagnostics of the fixture's own rule, each with its fix.
#[test]
fn diagnostics() {
    insta::glob!("../fixtures", "FM*.py", |path| {
        let rule = fixture_rule(path).expect("fixture named after a rule");
        let text = read(path);
        let diagnostics =
            check_text(&text, &settings(&fixture_selection(rule), true)).expect("checks");
        let diagnostics: Vec<_> = diagnostics.into_iter().filter(|d| d.rule == rule).collect();
        assert!(
            diagnostics.iter().any(|d| d.rule == rule),
            "{} never triggers {rule}",
            path.display()
        );
        insta::assert_snapshot!(render(&text, &diagnostics));
    });
}

/// The fixture after `fix --unsafe-fixes` with its own rule (and import clean-up), as a diff.
#[test]
fn fixed() {
    insta::glob!("../fixtures", "FM*.py", |path| {
        let rule = fixture_rule(path).expect("fixture named after a rule");
        let text = read(path);
        let mut selection = fixture_selection(rule);
        selection.push("FM102");
        let outcome = fix_text(&text, &settings(&selection, true)).expect("fixes");
        insta::assert_snapshot!(diff(&text, &outcome.text));
    });
}

/// The workflow fixtures migrated with every rule, in both styles: `async` (the default:
/// orchestrators become `async def`, independent calls start together) and `sync` (calls in
/// statement order), so a review sees both outputs. The launch plan and reference fixtures too:
/// their calls in workflows move with the workflows.
#[test]
fn workflow_styles() {
    insta::glob!("../fixtures", "FM*.py", |path| {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if !(stem.starts_with("FM3") || ["FM601", "FM622", "FM624"].contains(&stem)) {
            return;
        }
        let text = read(path);
        for style in [Style::Async, Style::Sync] {
            let settings = Settings {
                style,
                ..all_rules(true)
            };
            let outcome = fix_text(&text, &settings).expect("fixes");
            insta::assert_snapshot!(
                format!("style_{}", style.as_str()),
                diff(&text, &outcome.text)
            );
        }
    });
}

/// For every fixture and every rule at once: fixes converge, the result parses, fixing again
/// changes nothing, what remains is what `check` reports, and no fix is lost silently.
/// Every Python file of the fixtures, the equivalence programs and the examples.
fn all_python_files() -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for dir in ["fixtures", "fixtures/equivalence", "examples"] {
        for entry in std::fs::read_dir(dir).expect("directory") {
            let path = entry.expect("entry").path();
            if path.extension().and_then(|e| e.to_str()) == Some("py") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn fix_invariants() {
    let mut seen = 0;
    for path in all_python_files() {
        let text = read(&path);
        if !parses(&text) {
            continue;
        }
        seen += 1;
        for unsafe_fixes in [false, true] {
            let settings = all_rules(unsafe_fixes);
            let once = fix_text(&text, &settings).expect("fixes");
            let name = path.display();
            assert!(once.warnings.is_empty(), "{name}: {:?}", once.warnings);
            assert!(
                parses(&once.text),
                "{name}: fixed output does not parse:\n{}",
                once.text
            );
            let twice = fix_text(&once.text, &settings).expect("fixes");
            assert_eq!(
                once.text, twice.text,
                "{name}: a second fix changed the output"
            );
            assert_eq!(twice.fixed_count(), 0, "{name}: a second fix applied fixes");
            let checked = check_text(&once.text, &settings).expect("checks");
            let codes = |ds: &[flyte_migrate::diagnostic::Diagnostic]| {
                ds.iter().map(|d| (d.rule, d.range)).collect::<Vec<_>>()
            };
            assert_eq!(
                codes(&once.remaining),
                codes(&checked),
                "{name}: remaining differs from check"
            );
            assert!(
                !checked.iter().any(|d| d
                    .fix
                    .as_ref()
                    .is_some_and(|f| f.is_applied_with(unsafe_fixes))),
                "{name}: an applicable fix was left unapplied"
            );
        }
    }
    assert!(seen > 0, "no fixtures found");
}

/// The code of a flytekit function is Flyte 2 code only once the function moves to an
/// environment: while its move cannot be made, or needs `--unsafe-fixes`, no other fix rewrites
/// its decorator or body before it (a `flyte.Secret` in a flytekit decorator, `flyte.ctx()` in a
/// flytekit task run on neither SDK).
#[test]
fn fixes_in_a_function_wait_for_its_move() {
    let blocked = "from flytekit import Resources, Secret, current_context, task\n\n\
        @task(secret_requests=[Secret(group=\"g\", key=\"k\")], task_config=object(), \
        requests=Resources(mem=\"1Gi\"), cache=True, cache_version=\"1\")\n\
        def t(x: int) -> int:\n    return x + len(current_context().secrets.get(\"g\", \"k\"))\n";
    for unsafe_fixes in [false, true] {
        let outcome = fix_text(blocked, &all_rules(unsafe_fixes)).expect("fixes");
        assert_eq!(
            outcome.text, blocked,
            "a task that cannot move keeps its code"
        );
        let remaining: Vec<_> = outcome.remaining.iter().map(|d| d.rule.code()).collect();
        for code in ["FM204", "FM406", "FM201", "FM203", "FM401"] {
            assert!(
                remaining.contains(&code),
                "{code} still reported: {remaining:?}"
            );
        }
    }

    // The workflow's move is unsafe (it becomes `async`): removing its `>>` waits for it.
    let unsafe_move = "from flytekit import task, workflow\n\n\n@task\ndef t(x: int) -> int:\n    return x\n\n\n\
        @workflow\ndef wf(x: int) -> int:\n    a = t(x=x)\n    b = t(x=x)\n    a >> b\n    return b\n";
    let safe = fix_text(unsafe_move, &all_rules(false)).expect("fixes");
    assert!(safe.text.contains("a >> b"), "{}", safe.text);
    assert!(safe.text.contains("@workflow"), "{}", safe.text);
    let whole = fix_text(unsafe_move, &all_rules(true)).expect("fixes");
    assert!(
        !whole.text.contains(">>") && !whole.text.contains("flytekit"),
        "{}",
        whole.text
    );
}

/// A Flyte 2 value passed to a flytekit call that stays runs on neither SDK: a fix inside the
/// arguments of a flytekit call waits for the fix of that call, and is not applied without one.
/// A fix that writes what both SDKs take goes ahead.
#[test]
fn fixes_in_a_flytekit_call_wait_for_the_call() {
    let staying = "from flytekit import Email, Resources, kwtypes\n\
        from flytekit.models.core.execution import WorkflowExecutionPhase\n\
        from flytekitplugins.hive import HiveTask\n\n\
        alert = Email(phases=[WorkflowExecutionPhase.FAILED], recipients_email=[\"a@b.c\"])\n\
        query = HiveTask(name=\"q\", inputs=kwtypes(ds=str), cluster_label=\"c\", \
        query_template=\"select 1\", requests=Resources(mem=\"1Gi\"))\n";
    for unsafe_fixes in [false, true] {
        let outcome = fix_text(staying, &all_rules(unsafe_fixes)).expect("fixes");
        assert!(
            outcome.text.contains("WorkflowExecutionPhase.FAILED")
                && outcome.text.contains("Resources(mem=\"1Gi\")")
                && !outcome.text.contains("flyte."),
            "no Flyte 2 value in a flytekit call that stays:\n{}",
            outcome.text
        );
        assert!(
            outcome.text.contains("inputs={\"ds\": str}"),
            "`kwtypes` is a plain dict for both SDKs:\n{}",
            outcome.text
        );
        let remaining: Vec<_> = outcome.remaining.iter().map(|d| d.rule.code()).collect();
        assert!(
            remaining.contains(&"FM201") && remaining.contains(&"FM103"),
            "{remaining:?}"
        );
    }

    // An `ImageSpec` written inline as another's base moves with it, in one fix.
    let nested = "from flytekit import ImageSpec\n\n\
        image = ImageSpec(name=\"etl\", base_image=ImageSpec(name=\"base\", python_version=\"3.12\"), \
        packages=[\"polars\"])\n";
    let outcome = fix_text(nested, &all_rules(false)).expect("fixes");
    assert!(
        outcome.text.contains(
            "image = (flyte.Image.from_debian_base(python_version=(3, 12), name=\"base\"))\
             .clone(name=\"etl\").with_pip_packages(\"polars\")"
        ),
        "{}",
        outcome.text
    );
}

/// A plugin config that only chose where tasks ran (AWS Batch, MMCloud) has no Flyte 2 form: with
/// unsafe fixes the tasks run in pods of their environment, and a module-level config that only
/// they read goes with them; without, everything stays.
#[test]
fn a_backend_config_goes_with_its_tasks() {
    let source = "from flytekit import task\nfrom flytekitplugins.awsbatch import AWSBatchConfig\n\n\
        config = AWSBatchConfig(platformCapabilities=\"EC2\")\n\n\n\
        @task(task_config=config)\ndef t1(a: int) -> int:\n    return a + 2\n\n\n\
        @task(task_config=config)\ndef t2(b: int) -> int:\n    return b * 10\n";
    let safe = fix_text(source, &all_rules(false)).expect("fixes");
    assert_eq!(safe.text, source, "the moves are unsafe");
    let outcome = fix_text(source, &all_rules(true)).expect("fixes");
    assert!(
        !outcome.text.contains("flytekit")
            && !outcome.text.contains("config")
            && outcome.text.matches("@env.task").count() == 2,
        "{}",
        outcome.text
    );
    assert!(outcome.remaining.is_empty(), "{:?}", outcome.remaining);
}

/// A plugin config bound again further down (`ray_config = RayJobConfig(...)` before each task,
/// as documentation does): each task's environment goes between the binding it reads and the
/// task, so it takes that config, and a binding read outside a `task_config=` stays.
#[test]
fn a_config_bound_again_moves_with_the_task_that_reads_it() {
    let source = "from flytekit import task\nfrom flytekitplugins.ray import RayJobConfig, WorkerNodeConfig\n\n\
        ray_config = RayJobConfig(worker_node_config=[WorkerNodeConfig(group_name=\"a\", replicas=1)])\n\n\n\
        @task(task_config=ray_config)\ndef first(n: int) -> int:\n    return n\n\n\n\
        ray_config = RayJobConfig(worker_node_config=[WorkerNodeConfig(group_name=\"b\", replicas=3)])\n\n\n\
        @task(task_config=ray_config)\ndef second(n: int) -> int:\n    return n\n";
    let outcome = fix_text(source, &all_rules(true)).expect("fixes");
    let text = &outcome.text;
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle}: {text}"))
    };
    assert!(!text.contains("flytekit"), "{text}");
    assert!(outcome.remaining.is_empty(), "{:?}", outcome.remaining);
    // Each environment sits between the config it reads and its task.
    assert!(at("group_name=\"a\"") < at("\nenv = ") && at("\nenv = ") < at("def first"));
    assert!(at("group_name=\"b\"") < at("second_env = ") && at("second_env = ") < at("def second"));
    assert!(
        text.matches("plugin_config=ray_config").count() == 2,
        "{text}"
    );

    // Read outside a `task_config=` as well, the second binding keeps its Flyte 1 classes.
    let printed = source.replace("replicas=3)])\n", "replicas=3)])\nprint(ray_config)\n");
    let outcome = fix_text(&printed, &all_rules(true)).expect("fixes");
    assert!(
        outcome.text.contains("_env.task\ndef first"),
        "{}",
        outcome.text
    );
    assert!(
        outcome.text.contains(
            "ray_config = RayJobConfig(worker_node_config=[WorkerNodeConfig(group_name=\"b\""
        ),
        "{}",
        outcome.text
    );
}

/// A move suppressed with `# noqa` is a move not made: the task keeps its Flyte 1 code, and the
/// other fixes in it wait for the move as they would for a move that cannot be made.
#[test]
fn a_suppressed_move_keeps_the_task_code() {
    let hushed = "from flytekit import Resources, current_context, task\n\n\n\
        @task(requests=Resources(mem=\"1Gi\"))  # noqa: FM204\n\
        def t(x: int) -> int:\n    return x + current_context().execution_id.name.count(\"a\")\n";
    let outcome = fix_text(hushed, &all_rules(true)).expect("fixes");
    assert_eq!(
        outcome.text, hushed,
        "a suppressed move keeps the task's code"
    );
    let remaining: Vec<_> = outcome.remaining.iter().map(|d| d.rule.code()).collect();
    assert!(!remaining.contains(&"FM204"), "{remaining:?}");
    assert!(
        remaining.contains(&"FM201") && remaining.contains(&"FM403"),
        "the fixes that wait are still reported: {remaining:?}"
    );

    // Without the comment, the same task moves with its body.
    let moving = hushed.replace("  # noqa: FM204", "");
    let outcome = fix_text(&moving, &all_rules(true)).expect("fixes");
    assert!(
        outcome.text.contains("@env.task") && outcome.text.contains("flyte.ctx()"),
        "{}",
        outcome.text
    );
}

/// A task that keeps a flytekit decorator with no Flyte 2 form keeps its `@task` too, and one
/// whose decorator has a Flyte 2 form moves with it, in the same fix.
#[test]
fn a_task_moves_only_with_its_other_decorators() {
    let kept = "from flytekit import task\nfrom flytekitplugins.flyteinteractive import vscode\n\n\n\
        @task\n@vscode(max_idle_seconds=60)\ndef debug() -> int:\n    return 1\n";
    let outcome = fix_text(kept, &all_rules(true)).expect("fixes");
    assert_eq!(outcome.text, kept);
    assert!(
        outcome
            .remaining
            .iter()
            .any(|d| d.rule == Rule::TaskDecorator
                && d.help.as_deref().is_some_and(|h| h.contains("`@vscode`"))),
        "{:?}",
        outcome.remaining
    );

    let moved = "from flytekit import Secret, task\nfrom flytekitplugins.wandb import wandb_init\n\n\
        key = Secret(key=\"api-key\", group=\"wandb\")\n\n\n\
        @task(secret_requests=[key])\n@wandb_init(project=\"p\", entity=\"e\", secret=key)\n\
        def train() -> int:\n    return 1\n";
    let outcome = fix_text(moved, &all_rules(true)).expect("fixes");
    let text = &outcome.text;
    assert!(
        text.contains(
            "key = flyte.Secret(key=\"api-key\", group=\"wandb\", as_env_var=\"WANDB_API_KEY\")"
        ) && text.contains(
            "@flyteplugins.wandb.wandb_init(project=\"p\", entity=\"e\")\n@env.task\ndef train"
        ) && !text.contains("flytekit"),
        "{text}"
    );
    assert!(outcome.remaining.is_empty(), "{:?}", outcome.remaining);
    // Without --unsafe-fixes nothing moves: the decorator's fix is unsafe.
    let safe = fix_text(moved, &all_rules(false)).expect("fixes");
    assert!(
        safe.text
            .contains("@task(secret_requests=[key])\n@wandb_init("),
        "{}",
        safe.text
    );
}

/// A file written with CRLF line endings keeps them: every line a fix writes, for every
/// fixture with every rule, ends the way the file's lines do.
#[test]
fn fixes_keep_crlf_line_endings() {
    let mut seen = 0;
    for path in all_python_files() {
        let text = read(&path);
        if !parses(&text) || text.contains('\r') {
            continue;
        }
        seen += 1;
        let crlf = text.replace('\n', "\r\n");
        let fixed = fix_text(&crlf, &all_rules(true)).expect("fixes").text;
        let bare: Vec<usize> = fixed
            .match_indices('\n')
            .map(|(i, _)| i)
            .filter(|&i| !fixed[..i].ends_with('\r'))
            .map(|i| fixed[..i].matches('\n').count() + 1)
            .collect();
        assert!(
            bare.is_empty(),
            "{}: lines {bare:?} end with a bare LF",
            path.display()
        );
    }
    assert!(seen > 40, "only {seen} files read");
}

/// Declared fix availability matches what each rule does, and every fix explains itself.
#[test]
fn declared_fixability() {
    for path in all_python_files() {
        let text = read(&path);
        let diagnostics = check_text(&text, &all_rules(true)).expect("checks");
        for d in &diagnostics {
            let name = format!("{} {}", path.display(), d.rule);
            match d.rule.fix_availability() {
                FixAvailability::None => assert!(d.fix.is_none(), "{name}: declared without fix"),
                FixAvailability::Always => {
                    assert!(d.fix.is_some(), "{name}: declared always fixable")
                }
                FixAvailability::Sometimes => {}
            }
            assert!(d.help.is_some(), "{name}: no help line");
            assert!(!d.message.is_empty(), "{name}: empty message");
        }
    }
}

/// Every rule has a fixture and documentation.
#[test]
fn every_rule_has_a_fixture_and_docs() {
    for rule in Rule::ALL {
        // A manifest rule's fixtures are a folder of files named as the manifests they are.
        let found = ["py", "sh", "yml", "md"]
            .iter()
            .any(|ext| Path::new(&format!("fixtures/{}.{ext}", rule.code())).exists())
            || Path::new(&format!("fixtures/{}", rule.code())).is_dir();
        assert!(found, "missing fixtures/{}.*", rule.code());
        let doc = rule.documentation();
        for heading in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Fix safety",
        ] {
            assert!(
                doc.contains(heading),
                "{rule}: documentation lacks {heading}"
            );
        }
        assert!(!rule.summary().is_empty(), "{rule}: no summary");
    }
}

/// `pyflyte` command lines in shell scripts, YAML, Markdown, Makefiles and Dockerfiles: the
/// diagnostics of every rule, the fixed file as a diff, and the fix invariants.
fn command_file(path: &Path) {
    let text = read(path);
    let diagnostics = check_file(&text, Some(path), &all_rules(true)).expect("checks");
    assert!(
        !diagnostics.is_empty(),
        "{} reports nothing",
        path.display()
    );
    insta::assert_snapshot!("diagnostics", render(&text, &diagnostics));
    let once = fix_file(&text, Some(path), &all_rules(true)).expect("fixes");
    insta::assert_snapshot!("fixed", diff(&text, &once.text));
    let twice = fix_file(&once.text, Some(path), &all_rules(true)).expect("fixes");
    assert_eq!(once.text, twice.text, "{}: fixing twice", path.display());
    assert_eq!(twice.fixed_count(), 0);
    let checked = check_file(&once.text, Some(path), &all_rules(true)).expect("checks");
    let codes = |ds: &[flyte_migrate::diagnostic::Diagnostic]| {
        ds.iter().map(|d| (d.rule, d.range)).collect::<Vec<_>>()
    };
    assert_eq!(
        codes(&once.remaining),
        codes(&checked),
        "{}: remaining differs",
        path.display()
    );
    // Python rules never run on these files, and safe fixing is a subset of unsafe fixing.
    let safe = fix_file(&text, Some(path), &all_rules(false)).expect("fixes");
    assert!(safe.fixed_count() <= once.fixed_count());
}

#[test]
fn command_fixtures() {
    insta::glob!("../fixtures", "FM7*.*", command_file);
    insta::glob!("../fixtures", "commands/*", command_file);
}

/// Dependency manifests, and the install lines of scripts and Dockerfiles: the same snapshots
/// and invariants as command files.
#[test]
fn manifest_fixtures() {
    insta::glob!("../fixtures", "FM8*/*", command_file);
    insta::glob!("../fixtures", "manifests/*", command_file);
}
