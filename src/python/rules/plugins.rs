//! `@task(task_config=...)` of a `flytekitplugins` package → `plugin_config=` of the
//! `flyteplugins` package on the task's `TaskEnvironment` (part of FM204).
//!
//! Spark and Ray configs have the same fields in both SDKs and move as they are, with their
//! class names now under `flyteplugins`. PyTorch `Elastic` moves too, with Flyte 1's defaults
//! written out, because Flyte 2's differ. Every other plugin config keeps its task where it is,
//! and the diagnostic says what replaces it.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::keyword_name;
use crate::checker::Checker;
use crate::diagnostic::Edit;

/// Plugin classes that are the same in Flyte 2, and the module that has them.
const SAME: &[(&str, &str, &str)] = &[
    (
        "flytekitplugins.spark.Spark",
        "flyteplugins.spark.Spark",
        "flyteplugins.spark",
    ),
    (
        "flytekitplugins.ray.RayJobConfig",
        "flyteplugins.ray.RayJobConfig",
        "flyteplugins.ray",
    ),
    (
        "flytekitplugins.ray.HeadNodeConfig",
        "flyteplugins.ray.HeadNodeConfig",
        "flyteplugins.ray",
    ),
    (
        "flytekitplugins.ray.WorkerNodeConfig",
        "flyteplugins.ray.WorkerNodeConfig",
        "flyteplugins.ray",
    ),
    (
        "flytekitplugins.kfpytorch.Elastic",
        "flyteplugins.pytorch.Elastic",
        "flyteplugins.pytorch",
    ),
];

/// Plugin configs with no automatic migration, and what to do instead.
const MANUAL: &[(&str, &str)] = &[
    (
        "flytekitplugins.kfpytorch.PyTorch",
        "Flyte 2 has no equivalent of a `PyTorch(...)` job (a PyTorchJob with master and worker replicas): port the training to `flyteplugins.pytorch.Elastic(nnodes=..., nproc_per_node=...)`, which starts the task function with torchrun on each node, or keep the task on Flyte 1",
    ),
    (
        "flytekitplugins.kfmpi.MPIJob",
        "Flyte 2 has no MPI plugin and no equivalent of `MPIJob`: port the training to `flyteplugins.pytorch.Elastic` (torchrun across nodes), or keep the task on Flyte 1",
    ),
    (
        "flytekitplugins.kftensorflow.TfJob",
        "Flyte 2 has no TensorFlow plugin and no equivalent of `TfJob`: train on one pod of a `TaskEnvironment` (with `resources=flyte.Resources(gpu=...)`), port the training to `flyteplugins.pytorch.Elastic`, or keep the task on Flyte 1",
    ),
    (
        "flytekitplugins.perian_job.PerianConfig",
        "Flyte 2 has no Perian plugin and no equivalent of `PerianConfig`: drop the config to run the task in a Kubernetes pod of its `TaskEnvironment` (`resources=` for its accelerators), or keep the task on Flyte 1",
    ),
    (
        "flytekitplugins.slurm.Slurm",
        "`flyteplugins.slurm.Slurm(...)` has other fields (`partition=`, `nodes=`, `sbatch_options=`, the SSH login as `host=`, `username=`, `ssh_private_key=` a Flyte secret): write it by hand as `plugin_config=` of the `TaskEnvironment`",
    ),
    (
        "flytekitplugins.slurm.SlurmFunction",
        "`flyteplugins.slurm.Slurm(...)` has other fields (`partition=`, `nodes=`, `sbatch_options=`, the SSH login as `host=`, `username=`, `ssh_private_key=` a Flyte secret): write it by hand as `plugin_config=` of the `TaskEnvironment`",
    ),
    (
        "flytekitplugins.slurm.SlurmRemoteScript",
        "a Slurm script task is `flyteplugins.slurm.SlurmScriptTask` in Flyte 2, with other fields: write it by hand",
    ),
];

/// Configs that only choose where a task runs, with no Flyte 2 equivalent: dropped, the task
/// runs in a Kubernetes pod of its environment (with its resources); and the backend, for the
/// note.
const ELSEWHERE: &[(&str, &str)] = &[
    ("flytekitplugins.awsbatch.AWSBatchConfig", "AWS Batch"),
    ("flytekitplugins.mmcloud.MMCloudConfig", "MemVerge MMCloud"),
];

/// The backend a `task_config=` value sends its task to, when Flyte 2 has no equivalent and the
/// task can run in a pod instead: the config written in the decorator, or a module-level name
/// bound once to it.
pub fn elsewhere(checker: &Checker, value: &Expr) -> Option<&'static str> {
    let call = match value {
        Expr::Call(call) => call,
        Expr::Name(_) => match super::module_value(checker, value)? {
            Expr::Call(call) => call,
            _ => return None,
        },
        _ => return None,
    };
    let qualified = checker.resolve(&call.func)?;
    ELSEWHERE
        .iter()
        .find(|(name, _)| **name == *qualified)
        .map(|(_, backend)| *backend)
}

/// The config a `task_config=<name>` reads: the value of a module-level name bound once, or of
/// the binding it reads when the name is bound again (`ray_config = RayJobConfig(...)` before
/// each task) and every read of that binding is a task's `task_config=`: the environment goes
/// between that binding and its first task, where the name still holds it.
fn config_value<'a>(checker: &Checker<'a>, value: &'a Expr) -> Option<&'a Expr> {
    if let Some(bound) = super::module_value(checker, value) {
        return Some(bound);
    }
    let Expr::Name(name) = value else {
        return None;
    };
    let binding = checker.semantic.binding_of(name.range.start())?;
    let crate::semantic::BindingKind::Assignment {
        value: bound,
        stmt: Stmt::Assign(assign),
    } = &binding.kind
    else {
        return None;
    };
    let [Expr::Name(target)] = assign.targets.as_slice() else {
        return None;
    };
    (binding.scope == 0 && target.range == binding.range && read_as_task_configs(checker, target))
        .then_some(*bound)
}

/// Whether every read of the module-level binding of `target` (there may be none) is the
/// `task_config=` of a flytekit task's decorator.
fn read_as_task_configs(checker: &Checker, target: &ruff_python_ast::ExprName) -> bool {
    checker
        .semantic
        .resolutions()
        .filter(|(_, b)| b.range == target.range)
        .all(|(at, _)| task_config_read(checker, at))
}

/// Whether the name read at `at` is the whole `task_config=` of a flytekit task's decorator.
fn task_config_read(checker: &Checker, at: ruff_text_size::TextSize) -> bool {
    checker.module.iter().any(|stmt| match stmt {
        Stmt::FunctionDef(def) if checker.flyte_kind(def).is_some() => {
            def.decorator_list.iter().any(|d| match &d.expression {
                Expr::Call(call) => super::keyword(&call.arguments, "task_config")
                    .is_some_and(|k| k.value.range().start() == at && k.value.is_name_expr()),
                _ => false,
            })
        }
        _ => false,
    })
}

/// Whether every read of the module-level name bound by `stmt` is a `task_config=` that
/// `elsewhere` drops (the config can go with those tasks' moves).
pub fn only_task_configs(checker: &Checker, target: &ruff_python_ast::ExprName) -> bool {
    let mut reads = checker
        .semantic
        .resolutions()
        .filter(|(_, b)| b.range == target.range)
        .peekable();
    if reads.peek().is_none() {
        return false;
    }
    reads.all(|(at, _)| task_config_read(checker, at))
}

/// `task_config=Pod(pod_spec, primary_container_name, labels, annotations)` as the
/// `pod_template=flyte.PodTemplate(...)` of the environment: the same fields, in the same order,
/// with what changes. `None` when the value is no `Pod(...)` call, an error when it cannot move.
///
/// Flyte 1 added a primary container to a pod spec that had none and replaced the primary
/// container's image with the task's; Flyte 2 adds one only to a spec without containers,
/// rejects a spec whose containers have none of that name, and keeps an image it sets. So the
/// pod spec must be written out, its primary container found, and its `image=` dropped.
pub fn pod_template(
    checker: &Checker,
    value: &Expr,
) -> Option<Result<(String, Vec<String>), String>> {
    let Expr::Call(call) = value else {
        return None;
    };
    if !checker.resolves_to(&call.func, &["flytekitplugins.pod.Pod"]) {
        return None;
    }
    let args = &call.arguments;
    if args.args.len() > 4
        || args.args.iter().any(Expr::is_starred_expr)
        || args.keywords.iter().any(|k| {
            !matches!(
                keyword_name(k),
                Some("pod_spec" | "primary_container_name" | "labels" | "annotations")
            )
        })
    {
        return Some(Err("`task_config=Pod(...)` has arguments `flyte.PodTemplate` does not take: write the pod template by hand".to_string()));
    }
    let field = |position: usize, name: &str| {
        super::keyword(args, name)
            .map(|k| &k.value)
            .or_else(|| args.args.get(position))
    };
    let primary = match field(1, "primary_container_name") {
        None => "primary",
        Some(value) => match super::string_literal(value) {
            Some(name) => name,
            None => {
                return Some(Err(
                    "the `Pod`'s primary container name is not a literal".to_string()
                ));
            }
        },
    };
    let mut notes = Vec::new();
    let mut edits = Vec::new();
    let unknown = || {
        Err(format!(
            "the `Pod`'s spec is not written out with its containers: Flyte 2 needs a container \
             named `{primary}` in it (or none at all), and keeps the image that one sets"
        ))
    };
    let Some(Expr::Call(spec)) = field(0, "pod_spec") else {
        return Some(unknown());
    };
    match super::keyword(&spec.arguments, "containers").map(|k| &k.value) {
        // No containers: Flyte 2 adds the primary one, as Flyte 1 did.
        None => {}
        Some(Expr::List(list)) if list.elts.is_empty() => {}
        Some(Expr::List(list)) => {
            let found = list.elts.iter().find_map(|item| match item {
                Expr::Call(container)
                    if super::keyword(&container.arguments, "name")
                        .and_then(|k| super::string_literal(&k.value))
                        == Some(primary) =>
                {
                    Some(container)
                }
                _ => None,
            });
            let Some(container) = found else {
                return Some(Err(format!(
                    "no container of the `Pod`'s spec is named `{primary}`: Flyte 1 added one, \
                     Flyte 2 rejects the spec; add `V1Container(name=\"{primary}\")` to it"
                )));
            };
            if let Some(image) = super::keyword(&container.arguments, "image") {
                notes.push(format!(
                    "the `{primary}` container's `image=` is dropped: Flyte 1 replaced it with \
                     the task's image, Flyte 2 would keep it"
                ));
                edits.extend(super::remove_arguments(
                    checker.source(),
                    &container.arguments,
                    &[image.range],
                ));
            }
        }
        Some(_) => return Some(unknown()),
    }
    let text = super::text_with_edits(checker.text(args.range()), args.range(), edits);
    Some(Ok((format!("flyte.PodTemplate{text}"), notes)))
}

/// Flyte 1's `Elastic` defaults, written out because Flyte 2's differ.
const ELASTIC_DEFAULTS: &[(&str, &str)] = &[
    ("nnodes", "1"),
    ("nproc_per_node", "1"),
    ("monitor_interval", "5"),
    ("max_restarts", "0"),
];

/// A `plugin_config=` value for a `TaskEnvironment`.
#[derive(Debug)]
pub struct PluginConfig {
    pub text: String,
    /// Modules the text uses.
    pub modules: Vec<&'static str>,
    /// What changes in behaviour (makes the move unsafe).
    pub notes: Vec<String>,
}

/// A module-level plugin config (`ray_config = RayJobConfig(...)`, bound once) in Flyte 2's
/// classes, for FM103 to rewrite in place: the value's new text and the modules it uses.
/// `None` when the value is not one that moves as it is.
pub fn module_config(checker: &Checker, call: &ExprCall) -> Option<PluginConfig> {
    let Some(Stmt::Assign(assign)) = checker.current_stmt() else {
        return None;
    };
    let [Expr::Name(target)] = assign.targets.as_slice() else {
        return None;
    };
    if checker.function().is_some()
        || assign.value.range() != call.range()
        || !checker.enabled(crate::registry::Rule::TaskDecorator)
    {
        return None;
    }
    let bound = checker.semantic.bindings_in(0, target.id.as_str()).count();
    if bound != 1 && !read_as_task_configs(checker, target) {
        return None;
    }
    let config = plugin_config(checker, &assign.value).ok()?;
    config.notes.is_empty().then_some(config)
}

/// The `plugin_config=` for a `task_config=` value, or why there is none.
pub fn plugin_config(checker: &Checker, value: &Expr) -> Result<PluginConfig, String> {
    // `task_config=ray_config`: a module-level config bound once, already in Flyte 2's classes
    // (FM103 moves a Flyte 1 one there first).
    if let Some(bound @ Expr::Call(call)) = config_value(checker, value) {
        let resolved = checker.resolve(&call.func);
        let qualified: &str = resolved.as_deref().unwrap_or_default();
        if SAME.iter().any(|(_, new, _)| *new == qualified) || qualified == "flyteplugins.dask.Dask"
        {
            return Ok(PluginConfig {
                text: checker.text(value.range()).to_string(),
                modules: Vec::new(),
                notes: Vec::new(),
            });
        }
        // FM103 rewrites the config in place, in the same round.
        let moves = SAME.iter().any(|(old, _, _)| *old == qualified) || qualified == DASK;
        if moves
            && checker.enabled(crate::registry::Rule::FlytekitConstruct)
            && plugin_config(checker, bound).is_ok_and(|c| c.notes.is_empty())
        {
            return Ok(PluginConfig {
                text: checker.text(value.range()).to_string(),
                modules: Vec::new(),
                notes: vec![format!(
                    "`{}` moves to Flyte 2's plugin classes (FM103)",
                    checker.text(value.range())
                )],
            });
        }
        if moves {
            return Err(format!(
                "`task_config={}` names a Flyte 1 plugin config: FM103 moves it to `flyteplugins` (an unsafe fix), then it moves to `plugin_config=` of the `TaskEnvironment`",
                checker.text(value.range())
            ));
        }
    }
    let Expr::Call(call) = value else {
        return Err(named_config(checker, value).unwrap_or_else(|| "`task_config=` is not a plugin config call: move it to `plugin_config=` of the `TaskEnvironment` by hand".to_string()));
    };
    let resolved = checker.resolve(&call.func);
    let qualified: &str = resolved.as_deref().unwrap_or_default();
    if let Some((_, what)) = MANUAL.iter().find(|(name, _)| *name == qualified) {
        return Err(format!("`task_config={}(...)`: {what}", short(qualified)));
    }
    if qualified == DASK {
        return dask(checker, call);
    }
    if DATABRICKS.contains(&qualified) {
        return databricks(checker, call, qualified);
    }
    if !SAME.iter().any(|(name, _, _)| *name == qualified) {
        let plugin = qualified
            .strip_prefix("flytekitplugins.")
            .and_then(|rest| rest.split('.').next());
        return Err(match plugin {
            Some(plugin) => format!(
                "`task_config=` of `flytekitplugins-{plugin}` has no automatic migration: use the `flyteplugins` package's config as `plugin_config=` of the `TaskEnvironment`, if there is one"
            ),
            None => "`task_config=` is not a known plugin config: move it to `plugin_config=` of the `TaskEnvironment` by hand".to_string(),
        });
    }
    let mut config = PluginConfig {
        text: String::new(),
        modules: Vec::new(),
        notes: Vec::new(),
    };
    // Rename every plugin class the value names (nested node configs too).
    let mut renames = Renames {
        checker,
        found: Vec::new(),
        other: None,
        handled: if qualified == "flytekitplugins.kfpytorch.Elastic" {
            RUN_POLICY
        } else {
            &[]
        },
    };
    renames.visit_expr(value);
    if let Some(other) = renames.other {
        return Err(other);
    }
    let mut edits: Vec<Edit> = Vec::new();
    for (range, new, module) in renames.found {
        edits.push(Edit::replace(range, new));
        if !config.modules.contains(&module) {
            config.modules.push(module);
        }
    }
    if qualified == "flytekitplugins.kfpytorch.Elastic" {
        edits.extend(elastic(checker, call, &mut config)?);
    }
    if qualified == "flytekitplugins.ray.RayJobConfig"
        && call
            .arguments
            .keywords
            .iter()
            .any(|k| keyword_name(k) == Some("autoscaler_options"))
    {
        return Err("`autoscaler_options=` takes one `resources=` in Flyte 2 instead of requests and limits: move the Ray config by hand".to_string());
    }
    let text = super::text_with_edits(checker.text(value.range()), value.range(), edits);
    config.text = text;
    Ok(config)
}

/// `Elastic(...)`: Flyte 1's defaults written out; dropped fields noted.
fn elastic(
    checker: &Checker,
    call: &ExprCall,
    config: &mut PluginConfig,
) -> Result<Vec<Edit>, String> {
    let notes = &mut config.notes;
    if call.arguments.args.len() > 2 {
        return Err("`Elastic(...)` with more than two positional arguments: Flyte 2's field order differs, write keywords by hand".to_string());
    }
    let mut given: Vec<&str> = ["nnodes", "nproc_per_node"]
        .into_iter()
        .take(call.arguments.args.len())
        .collect();
    let mut removed = Vec::new();
    let mut edits = Vec::new();
    for kw in &call.arguments.keywords {
        match keyword_name(kw) {
            Some("run_policy") => {
                edits.extend(run_policy(checker, &kw.value)?);
                config.modules.push("flyteplugins.pytorch.task");
                given.push("run_policy");
            }
            Some(name @ ("start_method" | "increase_shared_mem")) => {
                notes.push(format!("Flyte 2's `Elastic` has no `{name}`"));
                removed.push(kw.range);
            }
            Some(name) => given.push(name),
            None => {
                return Err("`Elastic(**...)`: write the fields out to migrate it".to_string());
            }
        }
    }
    edits.extend(super::remove_arguments(
        checker.source(),
        &call.arguments,
        &removed,
    ));
    let missing: Vec<String> = ELASTIC_DEFAULTS
        .iter()
        .filter(|(name, _)| !given.contains(name))
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    if !missing.is_empty() {
        notes.push(
            "Flyte 1's `Elastic` defaults are written out (Flyte 2's are `monitor_interval=3, max_restarts=3`)"
                .to_string(),
        );
        // First in the call, so no removal above touches it.
        let kept = call.arguments.args.len() + call.arguments.keywords.len() - removed.len();
        let at = call.arguments.range().start() + ruff_text_size::TextSize::from(1);
        let sep = if kept > 0 { ", " } else { "" };
        edits.push(Edit::insert(at, format!("{}{sep}", missing.join(", "))));
    }
    Ok(edits)
}

/// Flyte 1's Databricks configs (both subclass `Spark`).
const DATABRICKS: &[&str] = &[
    "flytekitplugins.spark.Databricks",
    "flytekitplugins.spark.DatabricksV2",
];

/// Fields both SDKs' Databricks configs have, with the same meaning.
const DATABRICKS_FIELDS: &[&str] = &[
    "spark_conf",
    "hadoop_conf",
    "executor_path",
    "applications_path",
    "driver_pod",
    "executor_pod",
    "databricks_conf",
    "databricks_instance",
];

/// The Kubernetes secret Flyte 1's Databricks connector reads the token from by default.
const DATABRICKS_TOKEN: &str = "databricks-token";

/// `Databricks(...)`/`DatabricksV2(...)` → `flyteplugins.databricks.Databricks(...)`, which runs
/// on Flyte 2's Databricks connector. The Spark and job fields are the same; the token is read
/// from the Flyte secret that `databricks_token=` names, where Flyte 1's connector read the
/// Kubernetes secret `databricks_token_secret=` named (default `databricks-token`). Flyte 2 has
/// token authentication only, so the OAuth and OIDC settings keep the config by hand.
fn databricks(checker: &Checker, call: &ExprCall, qualified: &str) -> Result<PluginConfig, String> {
    let class = short(qualified);
    let by_hand = |why: String| {
        Err(format!(
            "`task_config={class}(...)` {why}: write `flyteplugins.databricks.Databricks(...)` by hand (its `databricks_token=` names the Flyte secret that holds the token)"
        ))
    };
    let args = &call.arguments;
    if !args.args.is_empty() {
        return by_hand("has positional arguments".to_string());
    }
    let mut config = PluginConfig {
        text: String::new(),
        modules: vec!["flyteplugins.databricks"],
        notes: Vec::new(),
    };
    let mut edits = vec![Edit::replace(
        call.func.range(),
        "flyteplugins.databricks.Databricks",
    )];
    let mut token = None;
    for kw in &args.keywords {
        match keyword_name(kw) {
            Some(name) if DATABRICKS_FIELDS.contains(&name) => {}
            Some("databricks_token_secret") => {
                if let Some(arg) = &kw.arg {
                    edits.push(Edit::replace(arg.range, "databricks_token"));
                }
                token = Some(checker.text(kw.value.range()).to_string());
            }
            Some(name) => {
                return by_hand(format!(
                    "sets `{name}`, which Flyte 2's `Databricks` does not have (it authenticates with a token only)"
                ));
            }
            None => return by_hand("takes `**` arguments".to_string()),
        }
    }
    // Other plugin names inside (a Flyte 1 pod template) are not renamed here.
    let mut renames = Renames {
        checker,
        found: Vec::new(),
        other: None,
        handled: &[],
    };
    for kw in &args.keywords {
        renames.visit_expr(&kw.value);
    }
    if let Some(other) = renames.other {
        return Err(other);
    }
    if !renames.found.is_empty() {
        return by_hand("names other plugin classes in its fields".to_string());
    }
    let secret = match token {
        Some(token) => token,
        None => {
            let token = super::quote(DATABRICKS_TOKEN);
            match args.keywords.last() {
                Some(last) => edits.push(Edit::insert(
                    last.end(),
                    format!(", databricks_token={token}"),
                )),
                None => edits.push(Edit::insert(
                    args.start() + ruff_text_size::TextSize::from(1),
                    format!("databricks_token={token}"),
                )),
            }
            token
        }
    };
    if qualified == "flytekitplugins.spark.Databricks" {
        config.notes.push(
            "Flyte 1's deprecated `Databricks` ran as a `spark` task; Flyte 2's is a `databricks` task of the connector"
                .to_string(),
        );
    }
    config.notes.push(format!(
        "the Databricks token is read from the Flyte secret {secret} (`flyte create secret`), no longer from the connector's Kubernetes secret or `FLYTE_DATABRICKS_ACCESS_TOKEN`"
    ));
    config.notes.push(
        "the task runs on Flyte 2's Databricks connector: the image and the project need `flyteplugins-databricks`"
            .to_string(),
    );
    config.text = super::text_with_edits(checker.text(call.range()), call.range(), edits);
    Ok(config)
}

/// Why `task_config=<name>` does not move, when the name's binding here is a plugin config call
/// that is not bound once at module level.
fn named_config(checker: &Checker, value: &Expr) -> Option<String> {
    let Expr::Name(name) = value else {
        return None;
    };
    let binding = checker.semantic.binding_of(name.range.start())?;
    let crate::semantic::BindingKind::Assignment {
        value: Expr::Call(call),
        ..
    } = &binding.kind
    else {
        return None;
    };
    let resolved = checker.resolve(&call.func)?;
    let qualified: &str = &resolved;
    if let Some((_, what)) = MANUAL.iter().find(|(q, _)| *q == qualified) {
        return Some(format!(
            "`task_config={}` holds `{}(...)`: {what}",
            name.id,
            short(qualified)
        ));
    }
    qualified.starts_with("flytekitplugins.").then(|| {
        format!(
            "`task_config={}` names a `{}(...)` that is bound more than once (or not at module level): bind the config once, or write it in the decorator, to migrate it",
            name.id,
            short(qualified)
        )
    })
}

const DASK: &str = "flytekitplugins.dask.Dask";

/// The parts of a Dask config: Flyte 1's class, Flyte 2's, and Flyte 1's positional fields.
const DASK_PARTS: &[(&str, &str, &str, &[&str])] = &[
    (
        "scheduler",
        "flytekitplugins.dask.Scheduler",
        "flyteplugins.dask.Scheduler",
        &["image", "requests", "limits"],
    ),
    (
        "workers",
        "flytekitplugins.dask.WorkerGroup",
        "flyteplugins.dask.WorkerGroup",
        &["number_of_workers", "image", "requests", "limits"],
    ),
];

/// `Dask(scheduler=Scheduler(image, requests, limits), workers=WorkerGroup(number_of_workers,
/// image, requests, limits))` → Flyte 2's `Dask(scheduler=Scheduler(image, resources),
/// workers=WorkerGroup(number_of_workers, image, resources))`: each part's requests and limits
/// merge into one `flyte.Resources`, as a task's do. Both SDKs serialize the same `DaskJob`, so
/// only what the merge cannot express changes (a limit without a request becomes a request).
fn dask(checker: &Checker, call: &ExprCall) -> Result<PluginConfig, String> {
    let mut config = PluginConfig {
        text: String::new(),
        modules: vec!["flyteplugins.dask"],
        notes: Vec::new(),
    };
    let by_hand = |why: &str| {
        Err(format!(
            "`task_config=Dask(...)` {why}: write `flyteplugins.dask.Dask(scheduler=Scheduler(image, resources), workers=WorkerGroup(number_of_workers, image, resources))` by hand, requests and limits merged into one `flyte.Resources`"
        ))
    };
    let args = &call.arguments;
    if args.args.len() > DASK_PARTS.len()
        || args.args.iter().any(Expr::is_starred_expr)
        || args.keywords.iter().any(|k| {
            !keyword_name(k).is_some_and(|name| DASK_PARTS.iter().any(|(part, ..)| *part == name))
        })
    {
        return by_hand("has arguments other than `scheduler` and `workers`");
    }
    let mut edits = vec![Edit::replace(call.func.range(), "flyteplugins.dask.Dask")];
    let mut merged = false;
    for (position, (part, old, new, fields)) in DASK_PARTS.iter().enumerate() {
        let value = super::keyword(args, part)
            .map(|k| &k.value)
            .or_else(|| args.args.get(position));
        let Some(value) = value else {
            continue;
        };
        let Expr::Call(group) = value else {
            return by_hand(&format!(
                "takes a `{part}` that is not a `{}(...)` call",
                short(old)
            ));
        };
        if !checker.resolves_to(&group.func, &[old]) {
            return by_hand(&format!(
                "takes a `{part}` that is not a `{}(...)` call",
                short(old)
            ));
        }
        let gargs = &group.arguments;
        if gargs.args.len() > fields.len()
            || gargs.args.iter().any(Expr::is_starred_expr)
            || gargs
                .keywords
                .iter()
                .any(|k| !keyword_name(k).is_some_and(|name| fields.contains(&name)))
        {
            return by_hand(&format!(
                "has a `{}(...)` with arguments Flyte 1 does not take",
                short(old)
            ));
        }
        edits.push(Edit::replace(group.func.range(), *new));
        let mut resources = crate::env::ResourceSettings::default();
        resources.exact = true;
        let mut ranges = Vec::new();
        for kind in ["requests", "limits"] {
            let at = fields.iter().position(|f| *f == kind).unwrap_or_default();
            let (range, value) = match (super::keyword(gargs, kind), gargs.args.get(at)) {
                (Some(k), _) => (k.range, &k.value),
                (None, Some(v)) => (v.range(), v),
                (None, None) => continue,
            };
            ranges.push(range);
            if !value.is_none_literal_expr() {
                resources.add(checker, kind, value);
            }
        }
        let Some(first) = ranges.iter().min_by_key(|r| r.start()).copied() else {
            continue;
        };
        let text = resources.finish(checker);
        if let Some(why) = resources.blocker {
            return by_hand(&format!(
                "has a `{part}` whose resources cannot be merged ({why})"
            ));
        }
        config.notes.extend(
            resources
                .notes
                .into_iter()
                .map(|note| format!("{part}: {note}")),
        );
        let rest: Vec<TextRange> = ranges.into_iter().filter(|r| *r != first).collect();
        match text {
            Some(text) => {
                merged = true;
                edits.push(Edit::replace(first, format!("resources={text}")));
                edits.extend(super::remove_arguments(checker.source(), gargs, &rest));
            }
            None => {
                let mut all = rest;
                all.push(first);
                edits.extend(super::remove_arguments(checker.source(), gargs, &all));
            }
        }
    }
    if merged {
        config.modules.push("flyte");
        config.notes.push(
            "the Dask scheduler's and workers' requests and limits merge into one `resources=` each"
                .to_string(),
        );
    }
    config.text = super::text_with_edits(checker.text(call.range()), call.range(), edits);
    Ok(config)
}

/// The names `Elastic(run_policy=...)` uses, which [`run_policy`] rewrites.
const RUN_POLICY: &[&str] = &[
    "flytekitplugins.kfpytorch.RunPolicy",
    "flytekitplugins.kfpytorch.CleanPodPolicy",
];

/// Flyte 1's `CleanPodPolicy` members and the strings Flyte 2's `RunPolicy` takes for them
/// (it serializes `"CLEANPOD_POLICY_" + value.upper()`).
const CLEAN_POD_POLICIES: &[(&str, &str)] =
    &[("NONE", "None"), ("ALL", "all"), ("RUNNING", "Running")];

/// `run_policy=RunPolicy(clean_pod_policy=CleanPodPolicy.ALL, ...)` → Flyte 2's
/// `flyteplugins.pytorch.task.RunPolicy(clean_pod_policy="all", ...)` (the package exports only
/// `Elastic`): the same four fields, in the
/// same order, with the policy as a string.
fn run_policy(checker: &Checker, value: &Expr) -> Result<Vec<Edit>, String> {
    let by_hand = || {
        Err("`Elastic(run_policy=...)` is not a `RunPolicy(...)` call with a `CleanPodPolicy` member: write `flyteplugins.pytorch.task.RunPolicy(clean_pod_policy=\"None\"|\"all\"|\"Running\", ...)` by hand".to_string())
    };
    let Expr::Call(call) = value else {
        return by_hand();
    };
    if !checker.resolves_to(&call.func, &[RUN_POLICY[0]]) {
        return by_hand();
    }
    let args = &call.arguments;
    const FIELDS: &[&str] = &[
        "clean_pod_policy",
        "ttl_seconds_after_finished",
        "active_deadline_seconds",
        "backoff_limit",
    ];
    if args.args.len() > FIELDS.len()
        || args.args.iter().any(Expr::is_starred_expr)
        || args
            .keywords
            .iter()
            .any(|k| !keyword_name(k).is_some_and(|n| FIELDS.contains(&n)))
    {
        return by_hand();
    }
    let mut edits = vec![Edit::replace(
        call.func.range(),
        "flyteplugins.pytorch.task.RunPolicy",
    )];
    let policy = super::keyword(args, "clean_pod_policy")
        .map(|k| &k.value)
        .or_else(|| args.args.first());
    if let Some(policy) = policy
        && !policy.is_none_literal_expr()
    {
        let resolved = checker.resolve(policy);
        let member = resolved
            .as_deref()
            .and_then(|q| q.strip_prefix("flytekitplugins.kfpytorch.CleanPodPolicy."));
        let Some((_, text)) = CLEAN_POD_POLICIES
            .iter()
            .find(|(name, _)| Some(*name) == member)
        else {
            return by_hand();
        };
        edits.push(Edit::replace(policy.range(), super::quote(text)));
    }
    Ok(edits)
}

fn short(qualified: &str) -> &str {
    qualified.rsplit('.').next().unwrap_or(qualified)
}

/// The plugin class names an expression reads.
struct Renames<'c, 'a> {
    checker: &'c Checker<'a>,
    found: Vec<(TextRange, &'static str, &'static str)>,
    /// Another flytekit plugin name the value uses, which has no rename.
    other: Option<String>,
    /// Plugin names the caller rewrites itself.
    handled: &'static [&'static str],
}

impl<'x> Visitor<'x> for Renames<'_, '_> {
    fn visit_expr(&mut self, expr: &'x Expr) {
        if matches!(expr, Expr::Name(_) | Expr::Attribute(_))
            && let Some(resolved) = self.checker.resolve(expr)
        {
            let qualified: &str = &resolved;
            if let Some((_, new, module)) = SAME.iter().find(|(old, _, _)| *old == qualified) {
                self.found.push((expr.range(), new, module));
                return;
            }
            if self.handled.iter().any(|h| {
                qualified
                    .strip_prefix(h)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            }) {
                return;
            }
            if qualified.starts_with("flytekitplugins.") {
                self.other.get_or_insert_with(|| {
                    format!(
                        "`{qualified}` has no automatic migration: move the plugin config by hand"
                    )
                });
                return;
            }
        }
        visitor::walk_expr(self, expr);
    }
}
