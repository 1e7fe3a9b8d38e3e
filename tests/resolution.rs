//! Name resolution as the rules see it: every import style, and shadowing.

mod common;

use common::settings;
use flyte_migrate::check_text;

fn fires(source: &str, code: &str) -> usize {
    check_text(source, &settings(&[code], true))
        .expect("checks")
        .iter()
        .filter(|d| d.rule.code() == code)
        .count()
}

#[test]
fn every_import_style_resolves() {
    let cases = [
        "from flytekit import Resources\nr = Resources(mem='1Gi')\n",
        "from flytekit import Resources as R\nr = R(mem='1Gi')\n",
        "import flytekit\nr = flytekit.Resources(mem='1Gi')\n",
        "import flytekit as fk\nr = fk.Resources(mem='1Gi')\n",
        "from flytekit.core.resources import Resources\nr = Resources(mem='1Gi')\n",
        "import flytekit.core.resources\nr = flytekit.core.resources.Resources(mem='1Gi')\n",
        "import flytekit.core.resources as res\nr = res.Resources(mem='1Gi')\n",
        "from flytekit import core\nr = core.resources.Resources(mem='1Gi')\n",
        "def f():\n    from flytekit import Resources\n    return Resources(mem='1Gi')\n",
        "from flytekit import Resources\ndef f():\n    return Resources(mem='1Gi')\n",
        "from flytekit import Resources\nclass C:\n    r = Resources(mem='1Gi')\n",
        "from flytekit import Resources\nrs = [Resources(mem=m) for m in ('1Gi',)]\n",
        // Module-level aliases are followed.
        "from flytekit import Resources\nR = Resources\nr = R(mem='1Gi')\n",
        "import flytekit as fk\nR = fk.Resources\nS = R\ndef f():\n    return S(mem='1Gi')\n",
    ];
    for case in cases {
        assert_eq!(fires(case, "FM201"), 1, "not resolved:\n{case}");
    }
}

#[test]
fn decorators_resolve_through_aliases_and_deep_paths() {
    let cases = [
        "from flytekit import task\n@task\ndef f(): ...\n",
        "from flytekit import task as t\n@t(retries=1)\ndef f(): ...\n",
        "import flytekit as fk\n@fk.task\ndef f(): ...\n",
        "from flytekit.core.task import task\n@task\ndef f(): ...\n",
        "import flytekit\n@flytekit.core.task.task()\ndef f(): ...\n",
    ];
    for case in cases {
        assert_eq!(fires(case, "FM204"), 1, "not resolved:\n{case}");
    }
}

#[test]
fn shadowing_names_are_not_flytekit() {
    let cases = [
        // A parameter shadows the import.
        "from flytekit import Resources\ndef f(Resources):\n    return Resources(mem='1Gi')\n",
        // A local assignment shadows it.
        "from flytekit import Resources\ndef f():\n    Resources = dict\n    return Resources(mem='1Gi')\n",
        // Rebound at module level before the use.
        "from flytekit import Resources\nResources = dict\nr = Resources(mem='1Gi')\n",
        // Another library's name.
        "import flytekit\nfrom kubernetes import Resources\nr = Resources(mem='1Gi')\n",
        // A comprehension variable.
        "from flytekit import Resources\nr = [Resources(mem='1Gi') for Resources in (dict,)]\n",
        // A lambda parameter.
        "from flytekit import Resources\nf = lambda Resources: Resources(mem='1Gi')\n",
        // Spelled like flytekit, but not imported.
        "# flytekit\nr = Resources(mem='1Gi')\nflytekit.Resources(mem='1Gi')\n",
        // A relative import of a module that happens to be called flytekit.
        "from .flytekit import Resources\nr = Resources(mem='1Gi')\n",
    ];
    for case in cases {
        assert_eq!(fires(case, "FM201"), 0, "false positive:\n{case}");
    }
    // A local `task` decorator is not flytekit's.
    let local = "from flytekit import workflow\ndef task(f):\n    return f\n@task\ndef f(): ...\n";
    assert_eq!(fires(local, "FM204"), 0);
}

#[test]
fn global_declarations_reach_the_module_binding() {
    let case = "from flytekit import Resources\ndef f():\n    global Resources\n    return Resources(mem='1Gi')\n";
    assert_eq!(fires(case, "FM201"), 1);
}

#[test]
fn modern_syntax_parses() {
    let case = r#"import flytekit
type Pair = tuple[int, int]
def f[T](x: T) -> T:
    width = 4
    return f"{x!r:>{width}} {"nested" + f'{x}'}"
match flytekit:
    case {"a": 1, **rest}:
        pass
"#;
    let found = check_text(case, &settings(&["FM901"], true)).expect("checks");
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn files_without_flytekit_are_not_parsed() {
    // Not even a syntax error is reported: the file is skipped before parsing.
    assert_eq!(fires("def (:\n", "FM901"), 0);
    assert_eq!(fires("import flytekit\ndef (:\n", "FM901"), 1);
}

fn fixed(source: &str) -> String {
    flyte_migrate::fix_text(source, &settings(&["FM"], true))
        .expect("fixes")
        .text
}

#[test]
fn fixes_reuse_existing_imports_and_add_each_once() {
    let source = "import os.path\nfrom flytekit import Resources, current_context, task\n\n@task\ndef f() -> str:\n    a = current_context().secrets.get('g', 'a')\n    b = current_context().secrets.get('g', 'b')\n    return a + b\n\nr1 = Resources(mem='1Gi')\nr2 = Resources(cpu='1')\n";
    let out = fixed(source);
    assert_eq!(out.matches("import os").count(), 1, "{out}");
    assert_eq!(out.matches("import flyte\n").count(), 1, "{out}");
    assert!(out.contains("a = os.environ[\"G_A\"].strip()\n"), "{out}");
    assert!(!out.contains("Resources,"), "{out}");
}

#[test]
fn no_fix_when_the_module_name_is_taken() {
    let local = "from flytekit import Resources\ndef f(flyte):\n    return Resources(mem='1Gi')\n";
    let found = check_text(local, &settings(&["FM201"], true)).expect("checks");
    assert_eq!(found.len(), 1);
    assert!(found[0].fix.is_none());
    let global = "from flytekit import Resources\nflyte = 1\nr = Resources(mem='1Gi')\n";
    let found = check_text(global, &settings(&["FM201"], true)).expect("checks");
    assert!(found[0].fix.is_none());
}

#[test]
fn imports_still_in_use_are_kept() {
    let source = "from flytekit import Resources, conditional\n\nc = conditional('x')\nr = Resources(mem='1Gi')\n";
    let out = fixed(source);
    assert!(
        out.starts_with("from flytekit import conditional\nimport flyte\n"),
        "{out}"
    );
    // A name used only in a quoted annotation counts as used.
    let quoted = "from flytekit import FlyteFile\ndef f(x: 'FlyteFile') -> None: ...\n";
    assert_eq!(fixed(quoted), quoted);
}

#[test]
fn compatibility_code_is_not_reported() {
    let source = "try:\n    import flyte\n    env = flyte.TaskEnvironment(name=\"x\")\n    task = env.task\nexcept ImportError:\n    from flytekit import Resources, task\n    R = Resources(mem=\"1Gi\")\n\n@task\ndef f() -> int:\n    return 1\n";
    let found = check_text(source, &settings(&["FM"], true)).expect("checks");
    assert!(found.is_empty(), "{found:?}");
    // Without the Flyte 2 import in the `try`, it is ordinary flytekit code.
    let plain = source.replace("    import flyte\n", "    import json\n");
    assert!(fires(&plain, "FM201") == 1 && fires(&plain, "FM204") == 1);
}

/// A plugin config bound once at module level moves to Flyte 2's classes (FM103) in the round
/// its task moves to an environment with `plugin_config=` naming it (FM204); neither moves alone.
#[test]
fn module_level_plugin_config_moves_with_its_task() {
    let source = "from flytekit import task\nfrom flytekitplugins.ray import RayJobConfig, WorkerNodeConfig\n\nray_config = RayJobConfig(worker_node_config=[WorkerNodeConfig(group_name=\"g\", replicas=2)])\n\n\n@task(task_config=ray_config)\ndef f(n: int) -> int:\n    return n\n";
    let out = fixed(source);
    assert_eq!(
        out,
        "import flyte\nimport flyteplugins.ray\n\nray_config = flyteplugins.ray.RayJobConfig(worker_node_config=[flyteplugins.ray.WorkerNodeConfig(group_name=\"g\", replicas=2)])\n\nenv = flyte.TaskEnvironment(name=\"main\", plugin_config=ray_config)\n\n\n@env.task\ndef f(n: int) -> int:\n    return n\n",
    );
    // Safe fixes only: both stay.
    let safe = flyte_migrate::fix_text(source, &settings(&["FM"], false))
        .expect("fixes")
        .text;
    assert!(
        safe.contains("ray_config = RayJobConfig(") && safe.contains("task_config=ray_config"),
        "{safe}"
    );
    // One of the two rules alone: neither moves.
    for only in ["FM103", "FM204"] {
        let alone = flyte_migrate::fix_text(source, &settings(&[only, "FM102"], true))
            .expect("fixes")
            .text;
        assert_eq!(alone, source, "{only}");
    }
}

/// A dotted module import added in one fix round (`import flyte.notify`) is reused by the next.
#[test]
fn dotted_module_imports_are_added_once_across_rounds() {
    let source = "from flytekit import Email, LaunchPlan, WorkflowExecutionPhase, task, workflow\n\n\n@task\ndef t(a: int) -> int:\n    return a\n\n\n@workflow\ndef wf(a: int) -> int:\n    return t(a=a)\n\n\nLaunchPlan.get_or_create(workflow=wf, name=\"one\", default_inputs={\"a\": 1}, notifications=[Email(phases=[WorkflowExecutionPhase.FAILED], recipients_email=[\"a@example.com\"])])\nLaunchPlan.get_or_create(workflow=wf, name=\"two\", default_inputs={\"a\": 2}, notifications=[Email(phases=[WorkflowExecutionPhase.SUCCEEDED], recipients_email=[\"b@example.com\"])])\n";
    let out = fixed(source);
    assert_eq!(out.matches("import flyte.notify\n").count(), 1, "{out}");
    assert_eq!(out.matches("flyte.Trigger(").count(), 2, "{out}");
}
