//! FM103 `flytekit-construct`: every other use of a flytekit name.
//!
//! The rules of this crate rewrite or report the constructs they know. Whatever flytekit name is
//! left is reported here, with the Flyte 2 replacement when there is one, so a migration never
//! leaves flytekit code behind silently.

use ruff_python_ast::Expr;
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
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
    (super::shell::SUBPROC_EXECUTE, Owner::Always),
    ("flytekit.types.error.error.FlyteError", Owner::Always),
    ("flytekit.types.error.FlyteError", Owner::Always),
    ("flytekit.WorkflowFailurePolicy.", Owner::InTaskSettings),
    ("flytekit.task", Owner::Decorator),
    ("flytekit.workflow", Owner::Decorator),
    ("flytekit.dynamic", Owner::Decorator),
    ("flytekit.eager", Owner::Decorator),
    ("flytekit.Resources", Owner::Always),
    ("flytekit.PodTemplate", Owner::Always),
    ("flytekit.logger", Owner::Always),
    ("flytekit.logger.", Owner::Always),
    ("flytekit.exceptions.eager.EagerException", Owner::Always),
    ("flytekit.Cache", Owner::Called),
    ("flytekit.current_context", Owner::Called),
    ("flytekit.map_task", Owner::Called),
    ("union.ActorEnvironment", Owner::Called),
    ("union.app.App", Owner::Called),
    ("union.actor.ActorEnvironment", Owner::Called),
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
    ("flytekit.sleep", Owner::Called),
    ("flytekit.wait_for_input", Owner::Called),
    ("flytekit.approve", Owner::Called),
];

/// flytekit names (or prefixes, ending in `.`) with their Flyte 2 replacement or advice.
const ADVICE: &[(&str, &str)] = &[
    // Not as a decorator: an alias (`my_task = task`) or a `functools.partial` of it.
    (
        "flytekit.task",
        "`task` used as a value: the decorators of a plain alias (`my_task = task`) are migrated, delete the alias once they are; a module-level `functools.partial` used as a decorator is FM208's; otherwise decorate with `@task(...)` itself, so FM204 moves it to `@env.task` (image, resources and secrets go to the `flyte.TaskEnvironment`, `retries`/`timeout`/`cache` to `@env.task(...)`)",
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
        "Flyte 2 has no SQLite task: run the query inside an `@env.task` with `sqlite3.connect(path)` (or `pandas.read_sql_query(query, conn)`) and return the rows or a dataframe",
    ),
    (
        "flytekit.sensor.",
        "Flyte 2 has no sensors: poll inside an `@env.task` (check, then `await asyncio.sleep(...)`), with a `timeout=` on the task",
    ),
    (
        "flytekit.SensorEngine",
        "Flyte 2 has no sensors: poll inside an `@env.task` (check, then `await asyncio.sleep(...)`), with a `timeout=` on the task",
    ),
    (
        "flytekit.extras.tasks.shell.OutputLocation",
        "Declare the outputs in `flyte.extras.shell.create(outputs={\"name\": flyte.io.File})`: the script writes each one to `/var/outputs/<name>`",
    ),
    (
        "flytekit.core.task.Echo",
        "Flyte 2 has no echo task: return the value from the calling task",
    ),
    (
        "flytekit.extend.backend.",
        "Flyte 1 agents are connectors in Flyte 2: subclass `flyte.connectors.AsyncConnector` (`create`, `get`, `delete`) and register it with `flyte.connectors.ConnectorRegistry.register(...)`",
    ),
    (
        "flytekitplugins.wandb.wandb_init",
        "Use `@flyteplugins.wandb.wandb_init(project=..., entity=...)` above `@env.task` (Flyte 1 put `@wandb_init` below `@task`), and give the task's `flyte.Secret` `as_env_var=\"WANDB_API_KEY\"`: Flyte 2's `wandb.init` reads the key from that variable. A key from a callable, `host=`/`api_host=` (set `WANDB_BASE_URL` in `env_vars=` instead) and `dir=` are written by hand",
    ),
    (
        "flytekitplugins.mlflow.mlflow_autolog",
        "Use `@flyteplugins.mlflow.mlflow_run(autolog=True, framework=\"<mlflow module name, e.g. sklearn>\", experiment_name=...)` above `@env.task` (Flyte 1 put `@mlflow_autolog` below `@task`); it renders no metrics deck",
    ),
    (
        "flytekitplugins.papermill.NotebookTask",
        "Use `flyteplugins.papermill.NotebookTask(name=..., notebook_path=..., task_environment=env, inputs={...}, outputs={...})` (keywords only); the notebook records its outputs with `flyteplugins.papermill.record_outputs(...)`",
    ),
    (
        "flytekitplugins.flyteinteractive.jupyter",
        "Flyte 2 has no Jupyter task decorator: run notebooks with `flyteplugins.papermill.NotebookTask`, or debug the task with `flyte run --debug`",
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
        "Use `flyte.notify.Email(on_phase=(flyte.models.ActionPhase.FAILED, ...), recipients=(...))` in `notifications=` of a `flyte.Trigger` or of `flyte.with_runcontext(...)`",
    ),
    (
        "flytekit.Slack",
        "Flyte 1 mailed Slack addresses: keep them with `flyte.notify.Email(on_phase=..., recipients=(...))`, or post with `flyte.notify.Slack(on_phase=..., webhook_url=...)`, in `notifications=` of a `flyte.Trigger` or of `flyte.with_runcontext(...)`",
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
    ("flytekit.BatchSize", BATCH_SIZE),
    (
        "flytekit.PythonFunctionTask",
        "Flyte 2 tasks are `@env.task` functions",
    ),
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
    // FM208 reports a partial of a decorator.
    if super::partials::DECORATORS.contains(&qualified)
        && super::partials::wrapped_decorator(checker, expr)
    {
        return;
    }
    // FM404 rewrites what tasks read from flytekit's internal context.
    if super::internal_context::INTERNAL.contains(&qualified)
        && checker.enabled(Rule::CurrentContextAttribute)
        && super::internal_context::handles(checker, expr)
    {
        return;
    }
    // FM413 reports the deck renderers, where they are made.
    if super::decks::is_renderer(qualified)
        && checker.enabled(Rule::Deck)
        && matches!(checker.parent_expr(), Some(Expr::Call(c)) if c.func.range() == expr.range())
    {
        return;
    }
    // FM623 reports the task objects it knows, where they are made, and FM411 `HashMethod(...)`.
    if (super::task_objects::reports(qualified) || qualified == super::io::HASH_METHOD)
        && matches!(checker.parent_expr(), Some(Expr::Call(c)) if c.func.range() == expr.range())
    {
        return;
    }
    if let Some(rest) = qualified.strip_prefix("flytekitplugins.") {
        // A plugin config in a task decorator is FM204's: it moves to `plugin_config=`.
        if !checker.in_decorator_arguments(expr) {
            let plugin = rest.split('.').next().unwrap_or(rest);
            let help = advice(qualified).map_or_else(|| plugin_advice(plugin), str::to_string);
            let diagnostic = Diagnostic::new(
                Rule::FlytekitConstruct,
                format!("`{qualified}` is a Flyte 1 plugin (`flytekitplugins-{plugin}`)"),
                expr.range(),
            );
            let diagnostic = if let Some(edit) = unused_elsewhere_config(checker, expr) {
                diagnostic
                    .with_help(
                        "Remove it: the tasks that read it as `task_config=` run in Kubernetes pods \
                         of their environments in Flyte 2 (FM204), which has no such backend",
                    )
                    .with_fix(Fix::unsafe_edits(vec![edit]))
            } else if let Some((edits, text)) = module_config(checker, expr) {
                diagnostic
                    .with_help(format!(
                        "Use `{}`, with the same fields; `task_config=` then moves to `plugin_config=` of the `TaskEnvironment`",
                        text.split('(').next().unwrap_or(&text)
                    ))
                    .with_fix(Fix::unsafe_edits(edits))
            } else if let Some((edits, help)) = task_decorator_of(checker, expr)
                .and_then(|(def, at)| plugin_decorator(checker, def, at, qualified))
            {
                diagnostic
                    .with_help(help)
                    .with_fix(Fix::unsafe_edits(edits))
            } else {
                diagnostic.with_help(help)
            };
            checker.report(diagnostic);
        }
        return;
    }
    let union = qualified == "union" || qualified.starts_with("union.");
    if !(qualified == "flytekit" || qualified.starts_with("flytekit.") || union)
        || handled(checker, expr, qualified)
    {
        return;
    }
    let advice = advice(qualified)
        .unwrap_or("Flyte 2 has no automatic replacement: see the Flyte 2 migration guide");
    let diagnostic = Diagnostic::new(
        Rule::FlytekitConstruct,
        format!("`{qualified}` has no automatic Flyte 2 migration"),
        expr.range(),
    );
    let diagnostic = match drop_batch_size(checker, expr, qualified) {
        Some(edit) => diagnostic
            .with_help(BATCH_SIZE)
            .with_fix(Fix::unsafe_edits(vec![edit])),
        None => diagnostic.with_help(advice),
    };
    checker.report(diagnostic);
}

const BATCH_SIZE: &str = "Remove `BatchSize(...)` from the annotation: Flyte 2 has no batch size (a pickled list is stored as one value, a directory is transferred in Flyte 2's own batches)";

/// `Annotated[list[T], BatchSize(n)]`: the annotation without `BatchSize(n)`.
fn drop_batch_size(checker: &Checker, expr: &Expr, qualified: &str) -> Option<Edit> {
    if qualified != "flytekit.BatchSize" {
        return None;
    }
    match checker.ancestor_expr(0) {
        Some(Expr::Call(call)) if call.func.range() == expr.range() => {
            super::drop_annotated_metadata(checker, call, 1)
        }
        _ => None,
    }
}

/// What replaces a `flytekitplugins` package in Flyte 2 (2.12.1's `flyteplugins-*` packages), or
/// what to do where there is none. Sorted for binary search.
const PLUGIN_HOMES: &[(&str, &str)] = &[
    (
        "athena",
        "Flyte 2 has no Athena task: submit the query with `boto3` (or `pyathena`) inside an `@env.task`",
    ),
    (
        "awsbatch",
        "Flyte 2 has no AWS Batch plugin: run the task in a `TaskEnvironment`, or submit the job with `boto3` inside an `@env.task`",
    ),
    (
        "awssagemaker_inference",
        "Flyte 2 has no SageMaker plugin: call SageMaker with `boto3` inside an `@env.task`, or serve the model with a `flyte.app.AppEnvironment`",
    ),
    (
        "bigquery",
        "Use `flyteplugins.bigquery.BigQueryTask(name, query_template, plugin_config=BigQueryConfig(...), inputs={...}, output_dataframe_type=flyte.io.DataFrame)` and register it with `flyte.TaskEnvironment.from_task(...)`",
    ),
    (
        "chatgpt",
        "Flyte 2 has no ChatGPT task (no `flyteplugins-openai` for this version of `flyte`): call the `openai` client inside an `@env.task`, with the API key from a `flyte.Secret`",
    ),
    (
        "comet_ml",
        "Flyte 2 has no Comet plugin: call `comet_ml.login(...)` and log inside the `@env.task`, with the API key from a `flyte.Secret`",
    ),
    (
        "deck",
        "Flyte 2 has no deck renderers: render the HTML yourself (`df.to_html()`, `markdown.markdown(text)`, ...) and write it with `flyte.report.log(html)` in an `@env.task(report=True)`",
    ),
    (
        "dolt",
        "Flyte 2 has no Dolt plugin: read and write the tables with the `doltcli`/`doltpy` client inside an `@env.task`, passing dataframes (`flyte.io.DataFrame`) between tasks",
    ),
    (
        "duckdb",
        "Flyte 2 has no DuckDB task: run the query with `duckdb.connect()` / `duckdb.sql(...)` inside an `@env.task` and return a dataframe",
    ),
    (
        "envd",
        "Flyte 2 builds images itself: use `flyte.Image` (see FM501)",
    ),
    (
        "flyteinteractive",
        "Flyte 2 has no interactive-task decorator: drop it and start the run with `flyte run --debug` (or `flyte.with_runcontext(debug=True)`), which serves VS Code in the task's container",
    ),
    (
        "great_expectations",
        "Flyte 2 has no Great Expectations plugin: run the validation with `great_expectations` inside an `@env.task` and raise when it fails (or validate dataframes with `flyteplugins-pandera`)",
    ),
    (
        "hive",
        "Flyte 2 has no Hive task: submit the query with a Hive client (`pyhive`) inside an `@env.task`",
    ),
    (
        "inference",
        "Flyte 2 has no inference sidecars: serve the model with a `flyte.app.AppEnvironment` (`flyteplugins-vllm`, `flyteplugins-sglang`), or start the server inside the task",
    ),
    (
        "k8s",
        "Flyte 2 has no pod plugin: use `pod_template=flyte.PodTemplate(...)` on the `TaskEnvironment`",
    ),
    (
        "kfmpi",
        "Flyte 2 has no MPI plugin: run the job with `flyteplugins.pytorch.Elastic` or a pod template",
    ),
    (
        "kftensorflow",
        "Flyte 2 has no TensorFlow plugin: use a pod template, or `flyteplugins.pytorch.Elastic` for distributed training",
    ),
    (
        "memray",
        "Flyte 2 has no memray plugin: profile with `memray.Tracker(...)` inside the `@env.task` and write the flame graph to `flyte.report`",
    ),
    (
        "mmcloud",
        "Flyte 2 has no MemVerge plugin: run the task in a `TaskEnvironment`",
    ),
    (
        "modin",
        "Flyte 2 has no Modin type: pass pandas dataframes (`flyte.io.DataFrame`) and use Modin inside the task",
    ),
    (
        "neptune",
        "Flyte 2 has no Neptune plugin: call `neptune.init_run(...)` inside the `@env.task`, with the API token from a `flyte.Secret`",
    ),
    (
        "onnxpytorch",
        "Flyte 2 has no ONNX types: export with `torch.onnx.export(...)` inside the task and return a `flyte.io.File`",
    ),
    (
        "onnxscikitlearn",
        "Flyte 2 has no ONNX types: convert with `skl2onnx` inside the task and return a `flyte.io.File`",
    ),
    (
        "onnxtensorflow",
        "Flyte 2 has no ONNX types: convert with `tf2onnx` inside the task and return a `flyte.io.File`",
    ),
    (
        "openai",
        "Flyte 2 has no OpenAI tasks (no `flyteplugins-openai` for this version of `flyte`): call the `openai` client (chat or batch API) inside an `@env.task`, with the API key from a `flyte.Secret`",
    ),
    (
        "perian_job",
        "Flyte 2 has no Perian plugin: run the task in a `TaskEnvironment`",
    ),
    (
        "pod",
        "Flyte 2 has no pod plugin: use `pod_template=flyte.PodTemplate(...)` on the `TaskEnvironment`",
    ),
    (
        "sagemaker",
        "Flyte 2 has no SageMaker plugin: call SageMaker with `boto3` inside an `@env.task`",
    ),
    (
        "snowflake",
        "Use `flyteplugins.snowflake.Snowflake(name, query_template, plugin_config=SnowflakeConfig(...), ...)` (keyword config fields: their order changed; queries use `%(name)s` parameters) and register it with `flyte.TaskEnvironment.from_task(...)`",
    ),
    (
        "sqlalchemy",
        "Flyte 2 has no SQLAlchemy task: run the query with `sqlalchemy` (or `pandas.read_sql`) inside an `@env.task`, with credentials from a `flyte.Secret`",
    ),
    (
        "whylogs",
        "Flyte 2 has no whylogs plugin: profile with `whylogs` inside the `@env.task` and write the report to `flyte.report`",
    ),
];

/// `flytekitplugins` packages whose `flyteplugins` package has the same name minus the prefix
/// (`kfpytorch` is `pytorch`).
const SAME_PLUGIN: &[&str] = &[
    "dask",
    "databricks",
    "dbt",
    "hitl",
    "huggingface",
    "jsonl",
    "mlflow",
    "omegaconf",
    "pandera",
    "papermill",
    "polars",
    "pytorch",
    "ray",
    "slurm",
    "spark",
    "wandb",
];

/// The `flyteplugins` package of a `flytekitplugins` one with the same plugin, if any.
pub fn flyte2_plugin(plugin: &str) -> Option<&'static str> {
    let name = if plugin == "kfpytorch" {
        "pytorch"
    } else {
        plugin
    };
    SAME_PLUGIN
        .iter()
        .chain(["bigquery", "snowflake"].iter())
        .find(|p| **p == name)
        .copied()
}

/// What replaces a `flytekitplugins` package in Flyte 2.
pub fn plugin_advice(plugin: &str) -> String {
    if let Ok(i) = PLUGIN_HOMES.binary_search_by(|(name, _)| (*name).cmp(plugin)) {
        return PLUGIN_HOMES[i].1.to_string();
    }
    let name = if plugin == "kfpytorch" {
        "pytorch"
    } else {
        plugin
    };
    if SAME_PLUGIN.contains(&name) {
        return format!(
            "Use the `flyteplugins-{name}` package (`flyteplugins.{name}`), pinned to the version of `flyte`; plugin configs go to `plugin_config=` of a `TaskEnvironment`"
        );
    }
    format!(
        "Flyte 2 may have no equivalent of `flytekitplugins-{plugin}`: look for a `flyteplugins-{plugin}` package at the version of `flyte`, otherwise do the work inside an `@env.task` with the library directly"
    )
}

/// `ray_config = RayJobConfig(...)` at module level: the same config in Flyte 2's classes, as
/// edits and the new text, when `expr` is the called class.
fn module_config(checker: &Checker, expr: &Expr) -> Option<(Vec<Edit>, String)> {
    let Some(Expr::Call(call)) = checker.parent_expr() else {
        return None;
    };
    if call.func.range() != expr.range() {
        return None;
    }
    let config = super::plugins::module_config(checker, call)?;
    let mut edits = Vec::new();
    for module in &config.modules {
        edits.extend(checker.import_module(module)?);
    }
    edits.push(Edit::replace(call.range(), config.text.clone()));
    Some((edits, config.text))
}

/// `config = AWSBatchConfig(...)` at module level, read only as the `task_config=` of tasks that
/// run in pods of their environments in Flyte 2: the statement goes (with those tasks' moves,
/// which the checker makes it wait for).
fn unused_elsewhere_config(checker: &Checker, expr: &Expr) -> Option<Edit> {
    let Some(Expr::Call(call)) = checker.parent_expr() else {
        return None;
    };
    if call.func.range() != expr.range() {
        return None;
    }
    // The tasks drop it in FM204's fix: without that rule, they would read a deleted name.
    if !checker.enabled(Rule::TaskDecorator) {
        return None;
    }
    super::plugins::elsewhere(checker, &Expr::Call(call.clone()))?;
    let (stmt, target) = super::module_assignment(checker, call).ok()?;
    super::plugins::only_task_configs(checker, target)
        .then(|| checker.importer.delete_stmt(stmt, checker.locator))
}

/// The function whose decorator `expr` (the decorator's callee) is, and the decorator's index.
fn task_decorator_of<'a>(
    checker: &Checker<'a>,
    expr: &Expr,
) -> Option<(&'a ruff_python_ast::StmtFunctionDef, usize)> {
    let Some(ruff_python_ast::Stmt::FunctionDef(def)) = checker.current_stmt() else {
        return None;
    };
    let at = def
        .decorator_list
        .iter()
        .position(|d| super::decorator_callee(&d.expression).range() == expr.range())?;
    Some((def, at))
}

/// The Flyte 2 form of a flytekit plugin decorator of a task (decorator `at` of `def`), as
/// edits and the help line: `@mlflow_autolog`, `@wandb_init` and `@vscode`.
fn plugin_decorator(
    checker: &Checker,
    def: &ruff_python_ast::StmtFunctionDef,
    at: usize,
    qualified: &str,
) -> Option<(Vec<Edit>, String)> {
    match qualified {
        "flytekitplugins.mlflow.mlflow_autolog" => mlflow_run(checker, def, at).map(|(edits, text)| {
            (
                edits,
                format!("Decorate the task with `@{text}` above the task decorator (Flyte 2's order); it renders no metrics deck"),
            )
        }),
        "flytekitplugins.wandb.wandb_init" | "flytekitplugins.wandb.tracking.wandb_init" => {
            wandb_init(checker, def, at).map(|(edits, text)| {
                (
                    edits,
                    format!("Decorate the task with `@{text}` above the task decorator (Flyte 2's order), and expose its secret as `WANDB_API_KEY`, the variable Flyte 2's W&B reads the key from"),
                )
            })
        }
        // A profiler that only adds a report: the task computes the same without it.
        "flytekitplugins.memray.memray_profiling" | "flytekitplugins.memray.profiling.memray_profiling" => {
            drop_decorator(checker, def, at, true).map(|edit| {
                (
                    vec![edit],
                    "Remove the decorator: Flyte 2 has no memray plugin, so the task no longer \
                     renders a memory profile in its report (profile with `memray.Tracker(...)` \
                     in the task and log the flame graph with `flyte.report` to keep one)"
                        .to_string(),
                )
            })
        }
        "flytekitplugins.flyteinteractive.vscode" => drop_decorator(checker, def, at, false).map(|edit| {
            (
                vec![edit],
                "Remove the decorator and start the run with `flyte run --debug` (or `flyte.with_runcontext(debug=True)`), which serves VS Code in the task's container".to_string(),
            )
        }),
        _ => None,
    }
}

/// Whether every flytekit decorator of a flytekit function other than its own (`@task`) has a
/// Flyte 2 form this rule writes; `Err` names the first that has none. The function moves to an
/// environment only then: a flytekit decorator around a Flyte 2 task runs on neither SDK.
pub(crate) fn other_decorators_convert(
    checker: &Checker,
    def: &ruff_python_ast::StmtFunctionDef,
    own: &ruff_python_ast::Decorator,
) -> Result<(), String> {
    for (at, decorator) in def.decorator_list.iter().enumerate() {
        if decorator.range() == own.range() {
            continue;
        }
        let Some(qualified) = checker.resolve(super::decorator_callee(&decorator.expression))
        else {
            continue;
        };
        let flytekit =
            qualified.starts_with("flytekit.") || qualified.starts_with("flytekitplugins.");
        if flytekit
            && (!checker.enabled(Rule::FlytekitConstruct)
                || plugin_decorator(checker, def, at, &qualified).is_none())
        {
            return Err(format!(
                "it is also decorated with `@{}`, which has no Flyte 2 form here (FM103)",
                checker.text(super::decorator_callee(&decorator.expression).range())
            ));
        }
    }
    Ok(())
}

/// Whether a decorator is a task decorator: flytekit's, or an environment's.
fn is_task_decorator(checker: &Checker, decorator: &ruff_python_ast::Decorator) -> bool {
    checker.resolves_to(
        super::decorator_callee(&decorator.expression),
        &["flytekit.task"],
    ) || crate::env::decorator_environment(checker, decorator).is_some()
}

/// The edits that move decorator `at` of `def`, below its task decorator (Flyte 1's order: the
/// task wraps the decorated function), above it as `text` (Flyte 2's: the decorator wraps the
/// task); `None` when the order is not Flyte 1's.
fn move_above_task(
    checker: &Checker,
    def: &ruff_python_ast::StmtFunctionDef,
    at: usize,
    text: &str,
) -> Option<Vec<Edit>> {
    let task = def
        .decorator_list
        .iter()
        .position(|d| is_task_decorator(checker, d))?;
    if at < task {
        return None;
    }
    let task_decorator = &def.decorator_list[task];
    let line_start = checker.locator.line_start(task_decorator.range().start());
    let indent = checker.text(TextRange::new(line_start, task_decorator.range().start()));
    let indent = indent.strip_suffix('@').unwrap_or(indent);
    if !indent.trim().is_empty() {
        return None;
    }
    Some(vec![
        super::dataclass_json::own_lines(checker, def.decorator_list[at].range())?,
        Edit::insert(
            line_start,
            format!("{indent}@{text}{}", checker.line_ending.as_str()),
        ),
    ])
}

/// `@mlflow_autolog(framework=mlflow.keras, experiment_name=...)` below a task decorator:
/// `@flyteplugins.mlflow.mlflow_run(autolog=True, framework="keras", ...)` above it, as edits
/// and the new decorator's text.
fn mlflow_run(
    checker: &Checker,
    def: &ruff_python_ast::StmtFunctionDef,
    at: usize,
) -> Option<(Vec<Edit>, String)> {
    let decorator = &def.decorator_list[at];
    let mut framework = "sklearn".to_string();
    let mut experiment = None;
    if let Expr::Call(call) = &decorator.expression {
        if !call.arguments.args.is_empty() {
            return None;
        }
        for keyword in &call.arguments.keywords {
            match super::keyword_name(keyword) {
                Some("framework") => match &keyword.value {
                    Expr::Attribute(a) if checker.resolves_to(&a.value, &["mlflow"]) => {
                        framework = a.attr.id.to_string();
                    }
                    _ => return None,
                },
                Some("experiment_name") => experiment = Some(checker.text(keyword.value.range())),
                _ => return None,
            }
        }
    }
    let experiment = experiment
        .map(|e| format!(", experiment_name={e}"))
        .unwrap_or_default();
    let text = format!(
        "flyteplugins.mlflow.mlflow_run(autolog=True, framework={}{experiment})",
        checker.quote(&framework)
    );
    let mut edits = move_above_task(checker, def, at, &text)?;
    edits.extend(checker.import_module("flyteplugins.mlflow")?);
    Some((edits, text))
}

/// The variable Flyte 2's W&B plugin reads the API key from (`wandb.init` reads it).
const WANDB_API_KEY: &str = "WANDB_API_KEY";

/// `@wandb_init(project=..., entity=..., secret=wandb_secret)` below a task decorator, with
/// `wandb_secret` a module-level `Secret(...)` the task requests:
/// `@flyteplugins.wandb.wandb_init(project=..., entity=...)` above it, and the secret given
/// `as_env_var="WANDB_API_KEY"`. Flyte 1 logged in with the secret's value; Flyte 2's
/// `wandb.init` reads that variable. As edits and the new decorator's text.
fn wandb_init(
    checker: &Checker,
    def: &ruff_python_ast::StmtFunctionDef,
    at: usize,
) -> Option<(Vec<Edit>, String)> {
    let Expr::Call(call) = &def.decorator_list[at].expression else {
        return None;
    };
    if !call.arguments.args.is_empty() {
        return None;
    }
    let mut kept = Vec::new();
    let mut secret = None;
    for keyword in &call.arguments.keywords {
        match super::keyword_name(keyword)? {
            "secret" => secret = Some(&keyword.value),
            // Flyte 2 logs in to the default host; `dir=` named a `FlyteDirectory` input.
            "host" | "api_host" | "dir" => return None,
            _ => kept.push(checker.text(keyword.range())),
        }
    }
    let secret = secret?;
    let Expr::Name(name) = secret else {
        return None;
    };
    let Some(Expr::Call(secret_call)) = super::module_value(checker, secret) else {
        return None;
    };
    if !checker.resolves_to(&secret_call.func, &["flytekit.Secret", "flyte.Secret"])
        || !secret_call.arguments.args.is_empty()
        || !requests(checker, def, name.id.as_str())
        // Another read of the secret by its group and key would no longer find it.
        || checker.source().contains("secrets.get")
        || checker.source().contains("get_secret")
    {
        return None;
    }
    // flytekit's `Secret` names the variable `env_var=`, which FM406 renames.
    let field = if checker.resolves_to(&secret_call.func, &["flyte.Secret"]) {
        "as_env_var"
    } else {
        "env_var"
    };
    let mut edits = Vec::new();
    match super::keyword(&secret_call.arguments, field) {
        Some(keyword) if super::string_literal(&keyword.value) == Some(WANDB_API_KEY) => {}
        Some(_) => return None,
        None => {
            let last = secret_call.arguments.keywords.last()?;
            edits.push(Edit::insert(
                last.end(),
                format!(", {field}={}", checker.quote(WANDB_API_KEY)),
            ));
        }
    }
    let text = format!("flyteplugins.wandb.wandb_init({})", kept.join(", "));
    edits.extend(move_above_task(checker, def, at, &text)?);
    edits.extend(checker.import_module("flyteplugins.wandb")?);
    Some((edits, text))
}

/// Whether the task `def` requests the secret bound to `name`: its flytekit decorator lists it
/// in `secret_requests=`, or its environment in `secrets=`.
fn requests(checker: &Checker, def: &ruff_python_ast::StmtFunctionDef, name: &str) -> bool {
    let lists = |call: &ruff_python_ast::ExprCall, keyword: &str| {
        matches!(
            super::keyword(&call.arguments, keyword).map(|k| &k.value),
            Some(Expr::List(list)) if list.elts.iter().any(|e| matches!(e, Expr::Name(n) if n.id.as_str() == name))
        )
    };
    def.decorator_list.iter().any(|d| match &d.expression {
        Expr::Call(call) if checker.resolves_to(&call.func, &["flytekit.task"]) => {
            lists(call, "secret_requests")
        }
        _ => matches!(
            crate::env::decorator_environment(checker, d)
                .and_then(|env| super::name_value(checker, env)),
            Some(Expr::Call(env)) if lists(env, "secrets")
        ),
    })
}

/// A plugin decorator of a task that Flyte 2 does without, `@vscode` (bare, or called without
/// arguments: Flyte 2 debugs any task with `flyte run --debug`) or a profiler that only adds a
/// report (`with_arguments`: whatever its options): the deletion of its lines.
fn drop_decorator(
    checker: &Checker,
    def: &ruff_python_ast::StmtFunctionDef,
    at: usize,
    with_arguments: bool,
) -> Option<Edit> {
    if !checker.is_task_function(def) {
        return None;
    }
    let decorator = &def.decorator_list[at];
    if !with_arguments
        && matches!(&decorator.expression, Expr::Call(call) if !call.arguments.is_empty())
    {
        return None;
    }
    super::dataclass_json::own_lines(checker, decorator.range())
}

/// The most specific advice of [`ADVICE`] for a qualified name.
fn advice(qualified: &str) -> Option<&'static str> {
    ADVICE
        .iter()
        .filter(|(name, _)| matches(qualified, name))
        .max_by_key(|(name, _)| name.len())
        .map(|(_, advice)| *advice)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_homes_are_sorted() {
        assert!(PLUGIN_HOMES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    /// Every plugin package of flytekit's repository gets its own help.
    #[test]
    fn every_flytekit_plugin_has_help() {
        for plugin in [
            "athena",
            "awsbatch",
            "awssagemaker_inference",
            "bigquery",
            "chatgpt",
            "comet_ml",
            "dask",
            "databricks",
            "dbt",
            "deck",
            "dolt",
            "duckdb",
            "envd",
            "flyteinteractive",
            "great_expectations",
            "hive",
            "huggingface",
            "inference",
            "k8s",
            "kfmpi",
            "kfpytorch",
            "kftensorflow",
            "memray",
            "mlflow",
            "mmcloud",
            "modin",
            "neptune",
            "omegaconf",
            "onnxpytorch",
            "onnxscikitlearn",
            "onnxtensorflow",
            "openai",
            "pandera",
            "papermill",
            "perian_job",
            "polars",
            "pod",
            "ray",
            "sagemaker",
            "slurm",
            "snowflake",
            "spark",
            "sqlalchemy",
            "wandb",
            "whylogs",
        ] {
            assert!(
                !plugin_advice(plugin).starts_with("Flyte 2 may have no equivalent"),
                "{plugin}"
            );
        }
    }
}
