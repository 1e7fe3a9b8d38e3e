//! FM103 `flytekit-construct`: every other use of a flytekit name.
//!
//! The rules of this crate rewrite or report the constructs they know. Whatever flytekit name is
//! left is reported here, with the Flyte 2 replacement when there is one, so a migration never
//! leaves flytekit code behind silently.

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;

/// Where another rule reports a flytekit name, so this one does not.
#[derive(Clone, Copy)]
enum Owner {
    /// Every use.
    Always,
    /// As a decorator (`@task`, `@task(...)`).
    Decorator,
    /// Called (`map_task(...)`, `kwtypes(...)`).
    Called,
    /// Inside a decorator or a `with_overrides(...)` call (`accelerator=T4`, `docs=...`).
    InTaskSettings,
    /// Inside a `Secret(...)` call (`mount_requirement=Secret.MountType.FILE`).
    InSecret,
    /// Inside a `LaunchPlan.get_or_create(...)` or `LaunchPlan.create(...)` call.
    InLaunchPlan,
    /// Passed to a click runner's `invoke(...)`.
    Invoked,
    /// Inside a `FlyteRemote` constructor call.
    InFlyteRemote,
}

/// Names (and prefixes, ending in `.`) that other rules report, and where.
const HANDLED: &[(&str, Owner)] = &[
    ("flytekit.task", Owner::Decorator),
    ("flytekit.workflow", Owner::Decorator),
    ("flytekit.dynamic", Owner::Decorator),
    ("flytekit.eager", Owner::Decorator),
    ("flytekit.Resources", Owner::Always),
    ("flytekit.PodTemplate", Owner::Always),
    ("flytekit.Cache", Owner::Called),
    ("flytekit.current_context", Owner::Called),
    ("flytekit.map_task", Owner::Called),
    ("flytekit.conditional", Owner::Called),
    ("flytekit.create_node", Owner::Called),
    ("flytekit.core.node_creation.create_node", Owner::Called),
    ("flytekit.kwtypes", Owner::Called),
    ("flytekit.Secret", Owner::Called),
    ("flytekit.Secret.", Owner::InSecret),
    ("flytekit.ImageSpec", Owner::Always),
    ("flytekit.Documentation", Owner::InTaskSettings),
    ("flytekit.FlyteFile", Owner::Always),
    ("flytekit.FlyteDirectory", Owner::Always),
    ("flytekit.StructuredDataset", Owner::Always),
    ("flytekit.types.schema.FlyteSchema", Owner::Always),
    (
        "flytekit.exceptions.user.FlyteRecoverableException",
        Owner::Called,
    ),
    (
        "flytekit.types.structured.structured_dataset.PARQUET",
        Owner::Always,
    ),
    (
        "flytekit.types.structured.structured_dataset.CSV",
        Owner::Always,
    ),
    ("flytekit.WorkflowExecutionPhase.", Owner::Always),
    ("flytekit.types.file.", Owner::Always),
    ("flytekit.types.directory.", Owner::Always),
    ("flytekit.extras.accelerators.", Owner::InTaskSettings),
    ("flytekit.Deck", Owner::Called),
    ("flytekit.Deck.publish", Owner::Called),
    ("flytekit.LaunchPlan.get_or_create", Owner::Called),
    ("flytekit.LaunchPlan.create", Owner::Called),
    ("flytekit.CronSchedule", Owner::InLaunchPlan),
    ("flytekit.FixedRate", Owner::InLaunchPlan),
    ("flytekit.Labels", Owner::InLaunchPlan),
    ("flytekit.Annotations", Owner::InLaunchPlan),
    (super::cli_runner::PYFLYTE_MAIN, Owner::Invoked),
    ("flytekit.reference_task", Owner::Decorator),
    ("flytekit.reference_workflow", Owner::Decorator),
    ("flytekit.reference_launch_plan", Owner::Decorator),
    ("flytekit.FlyteRemote", Owner::Called),
    ("flytekit.FlyteRemote.for_endpoint", Owner::Called),
    ("flytekit.FlyteRemote.for_sandbox", Owner::Called),
    ("flytekit.FlyteRemote.from_config", Owner::Called),
    ("flytekit.Config.auto", Owner::InFlyteRemote),
    ("flytekit.Config.for_sandbox", Owner::InFlyteRemote),
    ("flytekit.Config.for_endpoint", Owner::InFlyteRemote),
];

/// flytekit names (or prefixes, ending in `.`) with their Flyte 2 replacement or advice.
const ADVICE: &[(&str, &str)] = &[
    // Not as a decorator: an alias (`my_task = task`) or a `functools.partial` of it.
    (
        "flytekit.task",
        "`task` used as a value: the decorators of a plain alias (`my_task = task`) are migrated, delete the alias once they are; those of a `functools.partial` are not: decorate with `@task(...)` itself, so FM204 moves it to `@env.task` (image, resources and secrets go to the `flyte.TaskEnvironment`, `retries`/`timeout`/`cache` to `@env.task(...)`), then delete the partial",
    ),
    (
        "flytekit.workflow",
        "`workflow` used as a value: the decorators of a plain alias are migrated, delete the alias once they are; those of a `functools.partial` are not: decorate with `@workflow` itself, so FM301 makes it an orchestrating `@env.task`, then delete the partial",
    ),
    (
        "flytekit.dynamic",
        "`dynamic` used as a value: the decorators of a plain alias are migrated, delete the alias once they are; those of a `functools.partial` are not: decorate with `@dynamic(...)` itself, so FM302 makes it an `@env.task`, then delete the partial",
    ),
    (
        "flytekit.LaunchPlan",
        "Launch plans are triggers in Flyte 2: `@env.task(triggers=flyte.Trigger(name=..., automation=flyte.Cron(...), inputs={...}, auto_activate=False))`; a default launch plan needs nothing",
    ),
    (
        "flytekit.CronSchedule",
        "Use `flyte.Cron(\"<5-field expression>\", timezone=...)` as a trigger's `automation`",
    ),
    (
        "flytekit.FixedRate",
        "Use `flyte.FixedRate(interval_minutes=<int>)` as a trigger's `automation` (whole minutes, not a timedelta)",
    ),
    (
        "flytekit.reference_task",
        "Use `flyte.remote.Task.get(\"<environment>.<function>\", project=..., domain=..., version=...)` (Flyte 2 task names are the environment's name and the function's, not the Flyte 1 module path); it is called with `await` and keyword arguments, so only from an `async` task",
    ),
    (
        "flytekit.reference_workflow",
        "Point `flyte.remote.Task.get(\"<environment>.<function>\", ...)` at the task that replaced the workflow; it is called with `await` and keyword arguments, so only from an `async` task",
    ),
    (
        "flytekit.reference_launch_plan",
        "Flyte 2 has no launch plans: point `flyte.remote.Task.get(\"<environment>.<function>\", ...)` at the task the launch plan ran and pass every input the launch plan fixed or defaulted; it is called with `await` and keyword arguments, so only from an `async` task",
    ),
    (
        "flytekit.approve",
        "Use `flyte.new_condition(\"name\", prompt=..., data_type=bool)` and `.wait()`, then raise when it is false",
    ),
    (
        "flytekit.wait_for_input",
        "Use `flyte.new_condition(\"name\", data_type=...)` and `.wait()` (bool, int, float or str); signal it with `flyte signal`",
    ),
    (
        "flytekit.sleep",
        "Sleep in the parent (`time.sleep`/`asyncio.sleep`), or run an environment with `plugin_config=flyte.extras.Sleep()`",
    ),
    (
        "flytekit.ContainerTask",
        "Use `flyte.extras.ContainerTask(name=, image=, command=, inputs={...}, outputs={...})` (keywords: the positional order differs), register it with `flyte.TaskEnvironment.from_task(...)`, add that environment to the caller's `depends_on`, and `await` it",
    ),
    (
        "flytekit.extras.tasks.shell.",
        "Use `flyte.extras.shell.create(name=, image=, inputs=, outputs=, script=)`",
    ),
    (
        "flytekit.SQLTask",
        "Flyte 2 has no generic SQL task: run the query in a task, or use a `flyteplugins` connector (BigQuery, Snowflake, Databricks)",
    ),
    (
        "flytekit.extras.sqlite3.",
        "Flyte 2 has no SQLite task: open the database with `sqlite3` in a task",
    ),
    ("flytekit.sensor.", "Flyte 2 has no sensors: poll in a task"),
    (
        "flytekit.SensorEngine",
        "Flyte 2 has no sensors: poll in a task",
    ),
    (
        "flytekit.Environment",
        "flytekit's `Environment` bundles `@task` keywords; Flyte 2's `flyte.TaskEnvironment(name=...)` carries image, resources, secrets and env vars (`clone_with(...)` forks it)",
    ),
    (
        "flytekit.Artifact",
        "Flyte 2 artifacts are offloaded outputs only (`File`, `Dir`, `DataFrame`; not primitives): return `flyte.artifacts.new(value, flyte.artifacts.Metadata(name=..., partitions={...}))` from a task, and read one with `flyte.remote.Artifact.get(name, version=...)` passed as a run input; `Artifact.query()` defaults have no equivalent",
    ),
    (
        "flytekit.Checkpoint",
        "Use `flyte.ctx().checkpoint` (`load`/`save`, `load_sync`/`save_sync`, `prev_exists`)",
    ),
    (
        "flytekit.Workflow",
        "Write an orchestrating `@env.task` that calls the tasks instead of building the workflow",
    ),
    (
        "flytekit.Labels",
        "Pass labels to `flyte.with_runcontext(labels={...})`, a `flyte.Trigger(labels=...)` or a `flyte.PodTemplate`",
    ),
    (
        "flytekit.Annotations",
        "Pass annotations to `flyte.with_runcontext(annotations={...})`, a `flyte.Trigger(annotations=...)` or a `flyte.PodTemplate`",
    ),
    (
        "flytekit.Options",
        "Pass run options to `flyte.with_runcontext(...)`",
    ),
    (
        "flytekit.Email",
        "Use `flyte.notify.Email(on_phase=(flyte.models.ActionPhase.FAILED, ...), recipients=(...))` on a trigger or run context",
    ),
    (
        "flytekit.Slack",
        "Use `flyte.notify.Slack(on_phase=..., webhook_url=..., message=...)`",
    ),
    (
        "flytekit.PagerDuty",
        "Use `flyte.notify.Email` to the PagerDuty address",
    ),
    (
        "flytekit.remote.",
        "Use `flyte.init_from_config(...)`, `flyte.run(task, ...)` and `flyte.remote` (`Task.get`, `Run.get`)",
    ),
    (
        "flytekit.FlyteRemote",
        "Flyte 2 has no remote object: call `flyte.init_from_config(path, project=..., domain=...)` once (or `flyte.init(endpoint=..., insecure=..., project=..., domain=...)`), then `run = flyte.run(task, **inputs)` (`run.wait()`, `run.outputs()`), `flyte.remote.Task.get(\"<environment>.<function>\", version=...)` for `fetch_task` (Flyte 2 task names are the environment's name and the function's), `flyte.remote.Run.get(name)` for `fetch_execution` and `flyte.remote.Run.listall(...)` for listing",
    ),
    (
        "flytekit.FlyteRemote.from_config",
        "flytekit 1.16 has no `FlyteRemote.from_config`; in Flyte 2 call `flyte.init_from_config(path, project=..., domain=...)` with a YAML config (`admin.endpoint`, `admin.insecure`, `task.project`, `task.domain`): flytekit's INI `.config` files are not read",
    ),
    (
        "flytekit.FlyteRemote.for_sandbox",
        "Call `flyte.init(endpoint=\"localhost:30080\", insecure=True, project=..., domain=...)` for a local Flyte 2 devbox (`flyte start devbox`); a Flyte 1 sandbox cannot run Flyte 2 tasks",
    ),
    (
        "flytekit.FlyteRemote.for_endpoint",
        "Call `flyte.init(endpoint=..., insecure=..., project=..., domain=...)`",
    ),
    (
        "flytekit.remote.executions.FlyteWorkflowExecution",
        "A Flyte 2 execution is a `flyte.remote.Run`: `flyte.run(...)` returns one, `flyte.remote.Run.get(name)` fetches one and `Run.listall(...)` lists them; it has `wait()`, `phase`, `done()`, `url` and `outputs()` (an `ActionOutputs` tuple with `named_outputs`); there is no `promote_from_model`",
    ),
    (
        "flytekit.remote.FlyteWorkflowExecution",
        "A Flyte 2 execution is a `flyte.remote.Run`: `flyte.run(...)` returns one, `flyte.remote.Run.get(name)` fetches one and `Run.listall(...)` lists them; it has `wait()`, `phase`, `done()`, `url` and `outputs()` (an `ActionOutputs` tuple with `named_outputs`); there is no `promote_from_model`",
    ),
    (
        "flytekit.models.filters.",
        "List runs with `flyte.remote.Run.listall(in_phase=(...), task_name=..., task_version=..., created_by_subject=..., created_at=..., with_labels={...}, limit=..., project=..., domain=...)` (actions of a run with `flyte.remote.Action.listall(for_run_name=...)`): its keywords replace admin filters, `Equal(\"phase\", \"SUCCEEDED\")` is `in_phase=(\"succeeded\",)`, a `ValueIn(\"phase\", [...])` is a longer tuple, and a workflow or launch plan name is the Flyte 2 task name `task_name=\"<environment>.<function>\"`; other fields have no filter",
    ),
    (
        "flytekit.models.admin.common.Sort",
        "Pass `sort_by=(\"created_at\", \"desc\")` (a field and `\"asc\"` or `\"desc\"`) to `flyte.remote.Run.listall(...)`; it sorts by `created_at` ascending by default",
    ),
    (
        "flytekit.models.literals.",
        "Flyte 2 passes Python values, not literal models: `flyte.run(task, **inputs)` takes them and `run.outputs()` returns them",
    ),
    (
        "flytekit.Literal",
        "Flyte 2 passes Python values, not literal models: `flyte.run(task, **inputs)` takes them and `run.outputs()` returns them",
    ),
    (
        "flytekit.clis.sdk_in_container.pyflyte",
        "Invoke the `flyte` CLI's click group `flyte.cli.main` with `flyte run` arguments (`--local` unless it was `--remote`; see FM701)",
    ),
    (
        "flytekit.Config",
        "Call `flyte.init_from_config()` (or `flyte.init(endpoint=..., insecure=...)`) instead of building a config",
    ),
    (
        "flytekit.Config.auto",
        "Call `flyte.init_from_config(path)` (or `flyte.init_from_config()`, which looks for `./config.yaml`, `./.flyte/config.yaml`, `<git root>/.flyte/config.yaml`, `$UCTL_CONFIG`, `$FLYTECTL_CONFIG`, `~/.union/config.yaml` and `~/.flyte/config.yaml`, not flytekit's INI `flytekit.config` or `~/.flyte/config`)",
    ),
    (
        "flytekit.Config.for_sandbox",
        "Call `flyte.init(endpoint=\"localhost:30080\", insecure=True, project=..., domain=...)` for a local Flyte 2 devbox (`flyte start devbox`); a Flyte 1 sandbox cannot run Flyte 2 tasks",
    ),
    (
        "flytekit.Config.for_endpoint",
        "Call `flyte.init(endpoint=..., insecure=..., project=..., domain=...)`",
    ),
    (
        "flytekit.configuration.",
        "Use `flyte.init_from_config()` (or `flyte.init(endpoint=..., insecure=...)`); Flyte 2 has no serialization settings",
    ),
    (
        "flytekit.configuration.SerializationSettings",
        "Flyte 2 has no serialization settings: images come from each `TaskEnvironment`, `flyte.deploy(env, version=...)` deploys, and `flyte.with_runcontext(version=..., copy_style=...)` sets a run's code bundle",
    ),
    (
        "flytekit.core.context_manager.SerializationSettings",
        "Flyte 2 has no serialization settings: images come from each `TaskEnvironment`, `flyte.deploy(env, version=...)` deploys, and `flyte.with_runcontext(version=..., copy_style=...)` sets a run's code bundle",
    ),
    (
        "flytekit.HashMethod",
        "Use `flyte.io.HashFunction.from_fn(fn)`",
    ),
    (
        "flytekit.Deck",
        "Use `flyte.report` (`flyte.report.get_tab(name).log(html)`, `flyte.report.log(html)`) with `@env.task(report=True)`",
    ),
    (
        "flytekit.deck.",
        "Use `flyte.report` with `@env.task(report=True)`; render HTML yourself",
    ),
    (
        "flytekit.types.pickle.",
        "Flyte 2 pickles values of unknown types by itself: annotate with the type",
    ),
    ("flytekit.types.structured.", "Use `flyte.io.DataFrame`"),
    ("flytekit.StructuredDatasetType", "Use `flyte.io.DataFrame`"),
    (
        "flytekit.StructuredDatasetFormat",
        "Use a format string (`Annotated[flyte.io.DataFrame, \"parquet\"]`)",
    ),
    (
        "flytekit.StructuredDatasetTransformerEngine",
        "Flyte 2 registers dataframe handlers itself: see `flyte.io.DataFrame`",
    ),
    (
        "flytekit.extras.accelerators.",
        "Use a typed GPU request: `flyte.Resources(gpu=\"T4:1\")`, or `flyte.GPU(...)`",
    ),
    (
        "flytekit.eager",
        "Decorate with `@env.task` of a `flyte.TaskEnvironment`, on an `async def`",
    ),
    (
        "flytekit.current_context",
        "Use `flyte.ctx()` for run information and `os.environ` for secrets",
    ),
    (
        "flytekit.map_task",
        "Use `flyte.map(task, xs, return_exceptions=False)`",
    ),
    ("flytekit.conditional", "Use `if`/`elif`/`else`"),
    (
        "flytekit.Cache",
        "Use `flyte.Cache(behavior=\"auto\", version_override=...)`",
    ),
    ("flytekit.kwtypes", "Use a dict `{\"name\": type}`"),
    ("flytekit.Secret", "Use `flyte.Secret(key=..., group=...)`"),
    (
        "flytekit.Documentation",
        "Use `flyte.Documentation(description=...)`",
    ),
    (
        "flytekit.FlyteContextManager",
        "flytekit's context internals have no Flyte 2 equivalent: use `flyte.ctx()` for the run (`.action`, `.checkpoint`, `.raw_data_path`), `flyte.storage` for files (`await flyte.storage.get(remote, local)`, `put(local, remote)`, `get_random_local_directory()`), `os.environ` for secrets; the compilation state has none",
    ),
    (
        "flytekit.FlyteContext",
        "flytekit's context internals have no Flyte 2 equivalent: use `flyte.ctx()` for the run (`.action`, `.checkpoint`, `.raw_data_path`), `flyte.storage` for files (`await flyte.storage.get(remote, local)`, `put(local, remote)`, `get_random_local_directory()`), `os.environ` for secrets; the compilation state has none",
    ),
    (
        "flytekit.WorkflowFailurePolicy",
        "Use `try`/`except` around the calls, or `asyncio.gather(..., return_exceptions=True)`",
    ),
    (
        "flytekit.TaskMetadata",
        "Pass `retries=`, `timeout=`, `cache=` and `interruptible=` to the task directly",
    ),
    (
        "flytekit.PythonFunctionTask",
        "Flyte 2 tasks are `@env.task` functions",
    ),
    ("flytekit.logger", "Use `flyte.logger`"),
    (
        "union.ActorEnvironment",
        "Use `flyte.TaskEnvironment(name=..., resources=..., reusable=flyte.ReusePolicy(replicas=<replica_count>, idle_ttl=<ttl_seconds>))` and `@env.task`; the image needs the `unionai-reuse` package",
    ),
    (
        "union.actor.",
        "Use `flyte.TaskEnvironment(..., reusable=flyte.ReusePolicy(...))`; the image needs the `unionai-reuse` package",
    ),
    (
        "union.actor.actor_cache",
        "Cache in a module-level variable of a reusable environment (`reusable=flyte.ReusePolicy(...)`), which lives as long as the container",
    ),
    (
        "union.actor_cache",
        "Cache in a module-level variable of a reusable environment (`reusable=flyte.ReusePolicy(...)`), which lives as long as the container",
    ),
    (
        "union.map",
        "Use `flyte.map(task, xs, return_exceptions=False)` (or `asyncio.gather` in an async task)",
    ),
    (
        "union.UnionRemote",
        "Use `flyte.init_from_config()` and `flyte.run(...)` / `flyte.remote`",
    ),
    (
        "union.remote.",
        "Use `flyte.init_from_config()` and `flyte.run(...)` / `flyte.remote`",
    ),
    (
        "union.Artifact",
        "Flyte 2 artifacts are offloaded outputs only (`File`, `Dir`, `DataFrame`; not primitives): return `flyte.artifacts.new(value, flyte.artifacts.Metadata(name=..., partitions={...}))` from a task, and read one with `flyte.remote.Artifact.get(name, version=...)` passed as a run input; `Artifact.query()` defaults have no equivalent",
    ),
    (
        "union.artifacts.",
        "Flyte 2 artifacts are offloaded outputs only (`File`, `Dir`, `DataFrame`; not primitives): return `flyte.artifacts.new(value, flyte.artifacts.Metadata(name=..., partitions={...}))` from a task, and read one with `flyte.remote.Artifact.get(name, version=...)` passed as a run input; `Artifact.query()` defaults have no equivalent",
    ),
    (
        "union.",
        "The `union` package is Union's Flyte 1 SDK: use the `flyte` package",
    ),
];

pub fn reference(checker: &mut Checker, expr: &Expr) {
    if !checker.enabled(Rule::FlytekitConstruct) {
        return;
    }
    // The whole dotted name only.
    if matches!(checker.parent_expr(), Some(Expr::Attribute(a)) if a.value.range() == expr.range())
    {
        return;
    }
    let Some(qualified) = checker.resolve(expr) else {
        return;
    };
    let qualified: &str = &qualified;
    if let Some(rest) = qualified.strip_prefix("flytekitplugins.") {
        // A plugin config in a task decorator is FM204's: it moves to `plugin_config=`.
        if !checker.in_decorator_arguments(expr) {
            let plugin = rest.split('.').next().unwrap_or(rest);
            checker.report(
                Diagnostic::new(
                    Rule::FlytekitConstruct,
                    format!("`{qualified}` is a Flyte 1 plugin (`flytekitplugins-{plugin}`)"),
                    expr.range(),
                )
                .with_help(plugin_advice(plugin)),
            );
        }
        return;
    }
    let union = qualified == "union" || qualified.starts_with("union.");
    if !(qualified == "flytekit" || qualified.starts_with("flytekit.") || union)
        || handled(checker, expr, qualified)
    {
        return;
    }
    let advice = ADVICE
        .iter()
        .filter(|(name, _)| matches(qualified, name))
        .max_by_key(|(name, _)| name.len())
        .map_or(
            "Flyte 2 has no automatic replacement: see the Flyte 2 migration guide",
            |(_, advice)| *advice,
        );
    checker.report(
        Diagnostic::new(
            Rule::FlytekitConstruct,
            format!("`{qualified}` has no automatic Flyte 2 migration"),
            expr.range(),
        )
        .with_help(advice),
    );
}

/// What replaces a `flytekitplugins` package in Flyte 2 (2.12.1's `flyteplugins-*` packages).
fn plugin_advice(plugin: &str) -> String {
    let same = |name: &str| {
        format!(
            "Use the `flyteplugins-{name}` package (`flyteplugins.{name}`), pinned to the version of `flyte`; plugin configs go to `plugin_config=` of a `TaskEnvironment`"
        )
    };
    match plugin {
        "spark" | "ray" | "dask" | "papermill" | "pandera" | "polars" | "wandb" | "mlflow"
        | "huggingface" | "dbt" | "slurm" | "omegaconf" | "hitl" | "jsonl" => same(plugin),
        "kfpytorch" => same("pytorch"),
        "bigquery" => "Use `flyteplugins.bigquery.BigQueryTask(name, query_template, plugin_config=BigQueryConfig(...), inputs={...}, output_dataframe_type=flyte.io.DataFrame)` and register it with `flyte.TaskEnvironment.from_task(...)`".to_string(),
        "snowflake" => "Use `flyteplugins.snowflake.Snowflake(name, query_template, plugin_config=SnowflakeConfig(...), ...)` (keyword config fields: their order changed; queries use `%(name)s` parameters) and register it with `flyte.TaskEnvironment.from_task(...)`".to_string(),
        "databricks" => same("databricks"),
        "k8s" | "pod" => "Flyte 2 has no pod plugin: use `pod_template=flyte.PodTemplate(...)` on the `TaskEnvironment`".to_string(),
        "deck" => "Flyte 2 has no deck renderers: write HTML to `flyte.report` yourself".to_string(),
        "envd" => "Flyte 2 builds images itself: use `flyte.Image` (see FM501)".to_string(),
        "kfmpi" | "kftensorflow" | "awsbatch" | "athena" | "hive" | "sqlalchemy" | "duckdb"
        | "sagemaker" | "openai" => format!(
            "Flyte 2 has no `{plugin}` plugin: run the work in a `TaskEnvironment` task, or keep this workflow on Flyte 1"
        ),
        _ => format!(
            "Look for a `flyteplugins-{plugin}` package at the version of `flyte`; otherwise run the work in a `TaskEnvironment` task"
        ),
    }
}

fn matches(qualified: &str, name: &str) -> bool {
    if let Some(prefix) = name.strip_suffix('.') {
        qualified.starts_with(name) || qualified == prefix
    } else {
        qualified
            .strip_prefix(name)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    }
}

/// Whether another rule reports this use.
fn handled(checker: &Checker, expr: &Expr, qualified: &str) -> bool {
    let owner = HANDLED
        .iter()
        .filter(|(name, _)| match name.strip_suffix('.') {
            Some(_) => qualified.starts_with(name),
            None => qualified == *name,
        })
        .max_by_key(|(name, _)| name.len())
        .map(|(_, owner)| *owner);
    let called =
        || matches!(checker.parent_expr(), Some(Expr::Call(c)) if c.func.range() == expr.range());
    match owner {
        None => false,
        Some(Owner::Always) => true,
        Some(Owner::Decorator) => checker.in_decorator(expr),
        Some(Owner::Called) => called(),
        Some(Owner::InTaskSettings) => {
            checker.in_decorator_arguments(expr)
                || checker.has_ancestor(|e| {
                    matches!(e, Expr::Call(c) if matches!(&*c.func, Expr::Attribute(a) if a.attr.id.as_str() == "with_overrides"))
                })
        }
        Some(Owner::InSecret) => checker.has_ancestor(|e| {
            matches!(e, Expr::Call(c) if checker.resolves_to(&c.func, &["flytekit.Secret"]))
        }),
        Some(Owner::Invoked) => super::cli_runner::is_invoked(checker, expr),
        Some(Owner::InFlyteRemote) => checker.has_ancestor(|e| {
            matches!(e, Expr::Call(c) if checker.resolves_to(&c.func, super::remote::CONSTRUCTORS))
        }),
        Some(Owner::InLaunchPlan) => checker.has_ancestor(|e| {
            matches!(e, Expr::Call(c) if checker.resolves_to(
                &c.func,
                &["flytekit.LaunchPlan.get_or_create", "flytekit.LaunchPlan.create"],
            ))
        }),
    }
}
