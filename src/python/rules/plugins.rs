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
        "flytekitplugins.spark.Databricks",
        "use `flyteplugins.databricks.Databricks(...)`, whose `databricks_token` is the secret's name",
    ),
    (
        "flytekitplugins.spark.DatabricksV2",
        "use `flyteplugins.databricks.Databricks(...)`, whose `databricks_token` is the secret's name",
    ),
    (
        "flytekitplugins.dask.Dask",
        "use `flyteplugins.dask.Dask(scheduler=Scheduler(image, resources), workers=WorkerGroup(number_of_workers, image, resources))`: requests and limits become one `resources=`",
    ),
    (
        "flytekitplugins.kfpytorch.PyTorch",
        "Flyte 2 has only `flyteplugins.pytorch.Elastic(nnodes=..., nproc_per_node=...)` for PyTorch jobs",
    ),
    (
        "flytekitplugins.kfmpi.MPIJob",
        "Flyte 2 has no MPI plugin: run the job with `flyteplugins.pytorch.Elastic` or a pod template",
    ),
    (
        "flytekitplugins.kftensorflow.TfJob",
        "Flyte 2 has no TensorFlow plugin: use a pod template, or `flyteplugins.pytorch.Elastic` for distributed training",
    ),
    (
        "flytekitplugins.awsbatch.AWSBatchConfig",
        "Flyte 2 has no AWS Batch plugin: run the task in a `TaskEnvironment`",
    ),
];

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
    if bound != 1 {
        return None;
    }
    let config = plugin_config(checker, &assign.value).ok()?;
    config.notes.is_empty().then_some(config)
}

/// The `plugin_config=` for a `task_config=` value, or why there is none.
pub fn plugin_config(checker: &Checker, value: &Expr) -> Result<PluginConfig, String> {
    // `task_config=ray_config`: a module-level config bound once, already in Flyte 2's classes
    // (FM103 moves a Flyte 1 one there first).
    if let Some(bound @ Expr::Call(call)) = super::module_value(checker, value) {
        let resolved = checker.resolve(&call.func);
        let qualified: &str = resolved.as_deref().unwrap_or_default();
        if SAME.iter().any(|(_, new, _)| *new == qualified) {
            return Ok(PluginConfig {
                text: checker.text(value.range()).to_string(),
                modules: Vec::new(),
                notes: Vec::new(),
            });
        }
        // FM103 rewrites the config in place, in the same round.
        if SAME.iter().any(|(old, _, _)| *old == qualified)
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
        if SAME.iter().any(|(old, _, _)| *old == qualified) {
            return Err(format!(
                "`task_config={}` names a Flyte 1 plugin config: FM103 moves it to `flyteplugins` (an unsafe fix), then it moves to `plugin_config=` of the `TaskEnvironment`",
                checker.text(value.range())
            ));
        }
    }
    let Expr::Call(call) = value else {
        return Err("`task_config=` is not a plugin config call: move it to `plugin_config=` of the `TaskEnvironment` by hand".to_string());
    };
    let resolved = checker.resolve(&call.func);
    let qualified: &str = resolved.as_deref().unwrap_or_default();
    if let Some((_, what)) = MANUAL.iter().find(|(name, _)| *name == qualified) {
        return Err(format!("`task_config={}(...)`: {what}", short(qualified)));
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
        edits.extend(elastic(checker, call, &mut config.notes)?);
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
    notes: &mut Vec<String>,
) -> Result<Vec<Edit>, String> {
    if call.arguments.args.len() > 2 {
        return Err("`Elastic(...)` with more than two positional arguments: Flyte 2's field order differs, write keywords by hand".to_string());
    }
    let mut given: Vec<&str> = ["nnodes", "nproc_per_node"]
        .into_iter()
        .take(call.arguments.args.len())
        .collect();
    let mut removed = Vec::new();
    for kw in &call.arguments.keywords {
        match keyword_name(kw) {
            Some("run_policy") => {
                return Err("`Elastic(run_policy=...)`: Flyte 2's `RunPolicy` takes `clean_pod_policy` as a string: migrate it by hand".to_string());
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
    let mut edits = super::remove_arguments(checker.source(), &call.arguments, &removed);
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

fn short(qualified: &str) -> &str {
    qualified.rsplit('.').next().unwrap_or(qualified)
}

/// The plugin class names an expression reads.
struct Renames<'c, 'a> {
    checker: &'c Checker<'a>,
    found: Vec<(TextRange, &'static str, &'static str)>,
    /// Another flytekit plugin name the value uses, which has no rename.
    other: Option<String>,
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
