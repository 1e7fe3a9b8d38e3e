//! Facts about flytekit's public names.

use std::borrow::Cow;

/// Deep import paths that flytekit re-exports at its top level (`flytekit/__init__.py`, 1.16.31),
/// so `flytekit.core.task.task` and `flytekit.task` are one object. Sorted for binary search.
pub const REEXPORTS: &[(&str, &str)] = &[
    ("flytekit._version.__version__", "flytekit.__version__"),
    ("flytekit.configuration.Config", "flytekit.Config"),
    (
        "flytekit.core.array_node_map_task.map_task",
        "flytekit.map_task",
    ),
    ("flytekit.core.artifact.Artifact", "flytekit.Artifact"),
    ("flytekit.core.base_sql_task.SQLTask", "flytekit.SQLTask"),
    (
        "flytekit.core.base_task.SecurityContext",
        "flytekit.SecurityContext",
    ),
    (
        "flytekit.core.base_task.TaskMetadata",
        "flytekit.TaskMetadata",
    ),
    ("flytekit.core.base_task.kwtypes", "flytekit.kwtypes"),
    ("flytekit.core.cache.Cache", "flytekit.Cache"),
    ("flytekit.core.cache.CachePolicy", "flytekit.CachePolicy"),
    (
        "flytekit.core.cache.VersionParameters",
        "flytekit.VersionParameters",
    ),
    (
        "flytekit.core.checkpointer.Checkpoint",
        "flytekit.Checkpoint",
    ),
    (
        "flytekit.core.condition.conditional",
        "flytekit.conditional",
    ),
    (
        "flytekit.core.container_task.ContainerTask",
        "flytekit.ContainerTask",
    ),
    (
        "flytekit.core.context_manager.ExecutionParameters",
        "flytekit.ExecutionParameters",
    ),
    (
        "flytekit.core.context_manager.FlyteContext",
        "flytekit.FlyteContext",
    ),
    (
        "flytekit.core.context_manager.FlyteContextManager",
        "flytekit.FlyteContextManager",
    ),
    (
        "flytekit.core.dynamic_workflow_task.dynamic",
        "flytekit.dynamic",
    ),
    (
        "flytekit.core.environment.Environment",
        "flytekit.Environment",
    ),
    ("flytekit.core.gate.approve", "flytekit.approve"),
    ("flytekit.core.gate.sleep", "flytekit.sleep"),
    (
        "flytekit.core.gate.wait_for_input",
        "flytekit.wait_for_input",
    ),
    ("flytekit.core.hash.HashMethod", "flytekit.HashMethod"),
    (
        "flytekit.core.launch_plan.LaunchPlan",
        "flytekit.LaunchPlan",
    ),
    (
        "flytekit.core.launch_plan.reference_launch_plan",
        "flytekit.reference_launch_plan",
    ),
    (
        "flytekit.core.legacy_map_task.map_task",
        "flytekit.map_task",
    ),
    ("flytekit.core.map_task.map_task", "flytekit.map_task"),
    ("flytekit.core.notification.Email", "flytekit.Email"),
    ("flytekit.core.notification.PagerDuty", "flytekit.PagerDuty"),
    ("flytekit.core.notification.Slack", "flytekit.Slack"),
    ("flytekit.core.options.Options", "flytekit.Options"),
    (
        "flytekit.core.pod_template.PodTemplate",
        "flytekit.PodTemplate",
    ),
    (
        "flytekit.core.python_function_task.PythonFunctionTask",
        "flytekit.PythonFunctionTask",
    ),
    (
        "flytekit.core.python_function_task.PythonInstanceTask",
        "flytekit.PythonInstanceTask",
    ),
    (
        "flytekit.core.reference.get_reference_entity",
        "flytekit.get_reference_entity",
    ),
    (
        "flytekit.core.reference_entity.LaunchPlanReference",
        "flytekit.LaunchPlanReference",
    ),
    (
        "flytekit.core.reference_entity.TaskReference",
        "flytekit.TaskReference",
    ),
    (
        "flytekit.core.reference_entity.WorkflowReference",
        "flytekit.WorkflowReference",
    ),
    ("flytekit.core.resources.Resources", "flytekit.Resources"),
    (
        "flytekit.core.schedule.CronSchedule",
        "flytekit.CronSchedule",
    ),
    ("flytekit.core.schedule.FixedRate", "flytekit.FixedRate"),
    ("flytekit.core.task.Secret", "flytekit.Secret"),
    ("flytekit.core.task.eager", "flytekit.eager"),
    (
        "flytekit.core.task.reference_task",
        "flytekit.reference_task",
    ),
    ("flytekit.core.task.task", "flytekit.task"),
    ("flytekit.core.type_engine.BatchSize", "flytekit.BatchSize"),
    (
        "flytekit.core.workflow.ImperativeWorkflow",
        "flytekit.Workflow",
    ),
    (
        "flytekit.core.workflow.WorkflowFailurePolicy",
        "flytekit.WorkflowFailurePolicy",
    ),
    (
        "flytekit.core.workflow.reference_workflow",
        "flytekit.reference_workflow",
    ),
    ("flytekit.core.workflow.workflow", "flytekit.workflow"),
    ("flytekit.deck.Deck", "flytekit.Deck"),
    ("flytekit.deck.deck.Deck", "flytekit.Deck"),
    ("flytekit.directory", "flytekit.types.directory"),
    (
        "flytekit.extend.context_manager",
        "flytekit.core.context_manager",
    ),
    ("flytekit.file", "flytekit.types.file"),
    ("flytekit.image_spec.ImageSpec", "flytekit.ImageSpec"),
    (
        "flytekit.image_spec.image_spec.ImageSpec",
        "flytekit.ImageSpec",
    ),
    ("flytekit.iterator", "flytekit.types.iterator"),
    (
        "flytekit.lazy_import.lazy_module.lazy_module",
        "flytekit.lazy_module",
    ),
    (
        "flytekit.loggers.LOGGING_RICH_FMT_ENV_VAR",
        "flytekit.LOGGING_RICH_FMT_ENV_VAR",
    ),
    ("flytekit.loggers.logger", "flytekit.logger"),
    ("flytekit.models.common.Annotations", "flytekit.Annotations"),
    ("flytekit.models.common.AuthRole", "flytekit.AuthRole"),
    ("flytekit.models.common.Labels", "flytekit.Labels"),
    (
        "flytekit.models.concurrency.ConcurrencyLimitBehavior",
        "flytekit.ConcurrencyLimitBehavior",
    ),
    (
        "flytekit.models.concurrency.ConcurrencyPolicy",
        "flytekit.ConcurrencyPolicy",
    ),
    (
        "flytekit.models.core.execution.WorkflowExecutionPhase",
        "flytekit.WorkflowExecutionPhase",
    ),
    ("flytekit.models.core.types.BlobType", "flytekit.BlobType"),
    (
        "flytekit.models.documentation.Description",
        "flytekit.Description",
    ),
    (
        "flytekit.models.documentation.Documentation",
        "flytekit.Documentation",
    ),
    (
        "flytekit.models.documentation.SourceCode",
        "flytekit.SourceCode",
    ),
    ("flytekit.models.literals.Blob", "flytekit.Blob"),
    (
        "flytekit.models.literals.BlobMetadata",
        "flytekit.BlobMetadata",
    ),
    ("flytekit.models.literals.Literal", "flytekit.Literal"),
    ("flytekit.models.literals.Scalar", "flytekit.Scalar"),
    ("flytekit.models.security.Secret", "flytekit.Secret"),
    ("flytekit.models.types.LiteralType", "flytekit.LiteralType"),
    ("flytekit.remote.FlyteRemote", "flytekit.FlyteRemote"),
    (
        "flytekit.sensor.sensor_engine.SensorEngine",
        "flytekit.SensorEngine",
    ),
    (
        "flytekit.types.directory.FlyteDirectory",
        "flytekit.FlyteDirectory",
    ),
    (
        "flytekit.types.directory.types.FlyteDirectory",
        "flytekit.FlyteDirectory",
    ),
    ("flytekit.types.file.FlyteFile", "flytekit.FlyteFile"),
    ("flytekit.types.file.file.FlyteFile", "flytekit.FlyteFile"),
    (
        "flytekit.types.schema.types.FlyteSchema",
        "flytekit.types.schema.FlyteSchema",
    ),
    (
        "flytekit.types.structured.StructuredDataset",
        "flytekit.StructuredDataset",
    ),
    (
        "flytekit.types.structured.structured_dataset.StructuredDataset",
        "flytekit.StructuredDataset",
    ),
    (
        "flytekit.types.structured.structured_dataset.StructuredDatasetFormat",
        "flytekit.StructuredDatasetFormat",
    ),
    (
        "flytekit.types.structured.structured_dataset.StructuredDatasetTransformerEngine",
        "flytekit.StructuredDatasetTransformerEngine",
    ),
    (
        "flytekit.types.structured.structured_dataset.StructuredDatasetType",
        "flytekit.StructuredDatasetType",
    ), // Plugin configs, defined in each plugin's `task` module and exported by the plugin.
    (
        "flytekitplugins.dask.task.Dask",
        "flytekitplugins.dask.Dask",
    ),
    (
        "flytekitplugins.dask.task.Scheduler",
        "flytekitplugins.dask.Scheduler",
    ),
    (
        "flytekitplugins.dask.task.WorkerGroup",
        "flytekitplugins.dask.WorkerGroup",
    ),
    (
        "flytekitplugins.kfpytorch.task.CleanPodPolicy",
        "flytekitplugins.kfpytorch.CleanPodPolicy",
    ),
    (
        "flytekitplugins.kfpytorch.task.Elastic",
        "flytekitplugins.kfpytorch.Elastic",
    ),
    (
        "flytekitplugins.kfpytorch.task.Master",
        "flytekitplugins.kfpytorch.Master",
    ),
    (
        "flytekitplugins.kfpytorch.task.PyTorch",
        "flytekitplugins.kfpytorch.PyTorch",
    ),
    (
        "flytekitplugins.kfpytorch.task.RestartPolicy",
        "flytekitplugins.kfpytorch.RestartPolicy",
    ),
    (
        "flytekitplugins.kfpytorch.task.RunPolicy",
        "flytekitplugins.kfpytorch.RunPolicy",
    ),
    (
        "flytekitplugins.kfpytorch.task.Worker",
        "flytekitplugins.kfpytorch.Worker",
    ),
    (
        "flytekitplugins.ray.task.AutoscalerOptionsConfig",
        "flytekitplugins.ray.AutoscalerOptionsConfig",
    ),
    (
        "flytekitplugins.ray.task.HeadNodeConfig",
        "flytekitplugins.ray.HeadNodeConfig",
    ),
    (
        "flytekitplugins.ray.task.RayJobConfig",
        "flytekitplugins.ray.RayJobConfig",
    ),
    (
        "flytekitplugins.ray.task.WorkerNodeConfig",
        "flytekitplugins.ray.WorkerNodeConfig",
    ),
    (
        "flytekitplugins.spark.task.Databricks",
        "flytekitplugins.spark.Databricks",
    ),
    (
        "flytekitplugins.spark.task.DatabricksV2",
        "flytekitplugins.spark.DatabricksV2",
    ),
    (
        "flytekitplugins.spark.task.Spark",
        "flytekitplugins.spark.Spark",
    ),
];

/// Deep import paths of names that `flyte` (2.12.1) re-exports at its top level or in `flyte.io`
/// (`flyte/__init__.py`, `flyte/io/__init__.py`), so `flyte._resources.Resources` and
/// `flyte.Resources` are one object. Sorted for binary search.
pub const FLYTE_REEXPORTS: &[(&str, &str)] = &[
    ("flyte._cache.Cache", "flyte.Cache"),
    ("flyte._cache.cache.Cache", "flyte.Cache"),
    ("flyte._context.ctx", "flyte.ctx"),
    ("flyte._doc.Documentation", "flyte.Documentation"),
    ("flyte._environment.Environment", "flyte.Environment"),
    ("flyte._image.Image", "flyte.Image"),
    ("flyte._map.map", "flyte.map"),
    ("flyte._pod.PodTemplate", "flyte.PodTemplate"),
    ("flyte._resources.Device", "flyte.Device"),
    ("flyte._resources.GPU", "flyte.GPU"),
    ("flyte._resources.Resources", "flyte.Resources"),
    ("flyte._resources.TPU", "flyte.TPU"),
    ("flyte._retry.RetryStrategy", "flyte.RetryStrategy"),
    (
        "flyte._reusable_environment.ReusePolicy",
        "flyte.ReusePolicy",
    ),
    ("flyte._run.run", "flyte.run"),
    ("flyte._secret.Secret", "flyte.Secret"),
    (
        "flyte._task_environment.TaskEnvironment",
        "flyte.TaskEnvironment",
    ),
    ("flyte._timeout.Timeout", "flyte.Timeout"),
    ("flyte._trigger.Cron", "flyte.Cron"),
    ("flyte._trigger.FixedRate", "flyte.FixedRate"),
    ("flyte._trigger.Trigger", "flyte.Trigger"),
    ("flyte.io._dir.Dir", "flyte.io.Dir"),
    ("flyte.io._file.File", "flyte.io.File"),
];

/// The `union` package (Union's Flyte 1 SDK) re-exports these flytekit names at its top level.
const UNION_REEXPORTS: &[(&str, &str)] = &[
    ("union.Cache", "flytekit.Cache"),
    ("union.CachePolicy", "flytekit.CachePolicy"),
    ("union.ContainerTask", "flytekit.ContainerTask"),
    ("union.Deck", "flytekit.Deck"),
    ("union.FlyteDirectory", "flytekit.FlyteDirectory"),
    ("union.FlyteFile", "flytekit.FlyteFile"),
    ("union.ImageSpec", "flytekit.ImageSpec"),
    ("union.LaunchPlan", "flytekit.LaunchPlan"),
    ("union.PodTemplate", "flytekit.PodTemplate"),
    ("union.Resources", "flytekit.Resources"),
    ("union.Secret", "flytekit.Secret"),
    ("union.StructuredDataset", "flytekit.StructuredDataset"),
    // A subclass of `FlyteRemote`, with the same methods; without `config=` it reads union's
    // configuration file, which `flyte.init_from_config()` finds too.
    ("union.UnionRemote", "flytekit.FlyteRemote"),
    ("union.VersionParameters", "flytekit.VersionParameters"),
    ("union.current_context", "flytekit.current_context"),
    ("union.dynamic", "flytekit.dynamic"),
    ("union.remote.UnionRemote", "flytekit.FlyteRemote"),
    // union's `map` is flytekit's `map_task` for tasks (with `bound_inputs=` for what a
    // `functools.partial` binds).
    ("union.map", "flytekit.map_task"),
    ("union.map_task", "flytekit.map_task"),
    ("union.task", "flytekit.task"),
    ("union.workflow", "flytekit.workflow"),
];

/// Whether the source may import the `union` package: `import union` or `from union`.
pub fn mentions_union(bytes: &[u8]) -> bool {
    may_import(bytes, b"union")
}

/// Whether the source may import the Flyte 2 SDK: `import flyte` or `from flyte` (also
/// `flyte.io`, ...). Half-migrated code may have no flytekit import left.
pub fn mentions_flyte(bytes: &[u8]) -> bool {
    may_import(bytes, b"flyte")
}

/// Whether `module` follows `import ` or `from ` somewhere, as a whole module name.
fn may_import(bytes: &[u8], module: &[u8]) -> bool {
    memchr::memmem::find_iter(bytes, module).any(|at| {
        let before = &bytes[..at];
        let after = bytes.get(at + module.len()).copied();
        (before.ends_with(b"import ") || before.ends_with(b"from "))
            && after.is_none_or(|b| b.is_ascii_whitespace() || b == b'.' || b == b',' || b == b';')
    })
}

/// The canonical name of a qualified name: its public flytekit spelling when it has one, also
/// for names inside a re-exported object (`flytekit.models.security.Secret.MountType.FILE` →
/// `flytekit.Secret.MountType.FILE`).
pub fn canonical(qualified: &str) -> Cow<'_, str> {
    // The short module aliases (`flytekit.file`) map to deep paths that may map again.
    match canonical_once(qualified) {
        Cow::Owned(text) => Cow::Owned(canonical_once(&text).into_owned()),
        borrowed => borrowed,
    }
}

fn canonical_once(qualified: &str) -> Cow<'_, str> {
    if qualified.starts_with("union.") {
        for (union, flytekit) in UNION_REEXPORTS {
            if let Some(rest) = qualified.strip_prefix(union)
                && (rest.is_empty() || rest.starts_with('.'))
            {
                return Cow::Owned(format!("{flytekit}{rest}"));
            }
        }
        return Cow::Borrowed(qualified);
    }
    let table = if qualified.starts_with("flytekit") {
        REEXPORTS
    } else if qualified.starts_with("flyte._") || qualified.starts_with("flyte.io._") {
        FLYTE_REEXPORTS
    } else {
        return Cow::Borrowed(qualified);
    };
    let mut prefix = qualified;
    loop {
        if let Ok(i) = table.binary_search_by(|(deep, _)| (*deep).cmp(prefix)) {
            let rest = &qualified[prefix.len()..];
            return if rest.is_empty() {
                Cow::Borrowed(table[i].1)
            } else {
                Cow::Owned(format!("{}{rest}", table[i].1))
            };
        }
        match prefix.rsplit_once('.') {
            Some((head, _)) if head.contains('.') => prefix = head,
            _ => return Cow::Borrowed(qualified),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_imports_are_noticed() {
        assert!(mentions_union(b"import union\n"));
        assert!(mentions_union(b"from union import task\n"));
        assert!(mentions_union(
            b"from union.actor import ActorEnvironment\n"
        ));
        assert!(!mentions_union(
            b"s = a.union(b)\nfrom typing import Union\n"
        ));
        assert!(!mentions_union(b"import unionfind\n"));
    }

    #[test]
    fn flyte_imports_are_noticed() {
        assert!(mentions_flyte(b"import flyte\n"));
        assert!(mentions_flyte(b"from flyte.io import File\n"));
        assert!(mentions_flyte(b"import flyte as fl\n"));
        assert!(!mentions_flyte(b"import flytekit\n"));
        assert!(!mentions_flyte(b"# flyte is great\nx = 1\n"));
    }

    #[test]
    fn reexports_are_sorted_and_unique() {
        assert!(REEXPORTS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(FLYTE_REEXPORTS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn flyte_deep_paths_resolve_to_public_names() {
        assert_eq!(
            canonical("flyte._task_environment.TaskEnvironment"),
            "flyte.TaskEnvironment"
        );
        assert_eq!(canonical("flyte._cache.cache.Cache"), "flyte.Cache");
        assert_eq!(canonical("flyte.io._file.File"), "flyte.io.File");
        assert_eq!(
            canonical("flyte._image.Image.from_debian_base"),
            "flyte.Image.from_debian_base"
        );
        assert_eq!(canonical("flyte.Resources"), "flyte.Resources");
        assert_eq!(canonical("flyte._nothing.X"), "flyte._nothing.X");
    }

    #[test]
    fn deep_paths_resolve_to_public_names() {
        assert_eq!(canonical("flytekit.core.task.task"), "flytekit.task");
        assert_eq!(
            canonical("flytekit.core.resources.Resources"),
            "flytekit.Resources"
        );
        assert_eq!(
            canonical("flytekit.core.workflow.ImperativeWorkflow"),
            "flytekit.Workflow"
        );
        assert_eq!(canonical("flytekit.Resources"), "flytekit.Resources");
        assert_eq!(canonical("union.task"), "flytekit.task");
        assert_eq!(canonical("union.Resources"), "flytekit.Resources");
        assert_eq!(canonical("union.taskx"), "union.taskx");
        assert_eq!(
            canonical("union.ActorEnvironment"),
            "union.ActorEnvironment"
        );
        assert_eq!(canonical("os.path"), "os.path");
        assert_eq!(canonical("flytekit.file.FlyteFile"), "flytekit.FlyteFile");
        assert_eq!(
            canonical("flytekit.file.CSVFile"),
            "flytekit.types.file.CSVFile"
        );
        assert_eq!(
            canonical("flytekit.types.file.CSVFile"),
            "flytekit.types.file.CSVFile"
        );
        assert_eq!(
            canonical("flytekit.models.security.Secret.MountType.FILE"),
            "flytekit.Secret.MountType.FILE"
        );
    }
}
