//! FM312 `flytekit-callee`: a Flyte 2 task that calls something still on flytekit.
//!
//! A task of a `flyte.TaskEnvironment` cannot run a flytekit task, workflow, map task, launch
//! plan or reference entity: the callee has to move to Flyte 2 first. The rule looks at the text
//! as it is, so when a fix migrates the callee in the same run, the diagnostic goes with it, and
//! when the callee stays on flytekit, it stays.

use ruff_python_ast::{Expr, ExprCall, ExprName};

use crate::checker::{Checker, FlyteKind};
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;
use crate::semantic::BindingKind;

/// flytekit calls whose result is a flytekit entity, and what to call it.
const ENTITIES: &[(&str, &str)] = &[
    ("flytekit.ContainerTask", "container task"),
    ("flytekit.LaunchPlan.create", "launch plan"),
    ("flytekit.LaunchPlan.get_default_launch_plan", "launch plan"),
    ("flytekit.LaunchPlan.get_or_create", "launch plan"),
    ("flytekit.SQLTask", "SQL task"),
    ("flytekit.Workflow", "imperative workflow"),
    ("flytekit.dynamic", "dynamic workflow"),
    ("flytekit.eager", "eager workflow"),
    ("flytekit.extras.sqlite3.task.SQLite3Task", "SQLite task"),
    ("flytekit.extras.tasks.shell.ShellTask", "shell task"),
    ("flytekit.get_reference_entity", "reference entity"),
    ("flytekit.map_task", "map task"),
    ("flytekit.reference_launch_plan", "reference launch plan"),
    ("flytekit.reference_task", "reference task"),
    ("flytekit.reference_workflow", "reference workflow"),
    ("flytekit.task", "task"),
    ("flytekit.workflow", "workflow"),
];

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::FlytekitCallee) {
        return;
    }
    // Only in the body of a Flyte 2 task itself (a nested helper is not a task).
    let Some(function) = checker.function() else {
        return;
    };
    if function.kind.is_some() || crate::env::environment_of(checker, function.def).is_none() {
        return;
    }
    // `t(...)`, `t.aio(...)`, `t.override(...)(...)`, and the task `flyte.map(t, ...)` maps.
    let target = if checker.resolves_to(&call.func, &["flyte.map"]) {
        call.arguments.args.first()
    } else {
        match &*call.func {
            Expr::Attribute(attr) if attr.attr.id.as_str() == "aio" => Some(&*attr.value),
            Expr::Call(overridden) => match &*overridden.func {
                Expr::Attribute(attr) if attr.attr.id.as_str() == "override" => Some(&*attr.value),
                _ => None,
            },
            other => Some(other),
        }
    };
    let Some(Expr::Name(name)) = target else {
        return;
    };
    let Some(what) = flytekit_entity(checker, name) else {
        return;
    };
    checker.report(
        Diagnostic::new(
            Rule::FlytekitCallee,
            format!(
                "`{}` is a flytekit {what}: a Flyte 2 task cannot call it",
                name.id
            ),
            name.range,
        )
        .with_help(format!(
            "Migrate `{}` to Flyte 2 first (an `@env.task`, `flyte.map`, a trigger or \
             `flyte.remote.Task.get(...)`), then call it from here",
            name.id
        )),
    );
}

/// What flytekit entity a name stands for: a module-level function with a flytekit decorator, or
/// a module-level name bound to a flytekit entity (`map_task(t)`, `LaunchPlan.get_or_create(...)`).
fn flytekit_entity(checker: &Checker, name: &ExprName) -> Option<&'static str> {
    if let Some(def) = checker.module_function(name) {
        if let Some(kind) = checker.flyte_kind(def) {
            return Some(match kind {
                FlyteKind::Task => "task",
                FlyteKind::Workflow => "workflow",
                FlyteKind::Dynamic => "dynamic workflow",
                FlyteKind::Eager => "eager workflow",
            });
        }
        // A task of a union actor that FM624 cannot move stays a flytekit task.
        if crate::rules::actors::pending_task(checker, def)
            == Some(crate::diagnostic::Applicability::DisplayOnly)
        {
            return Some("task (of a union actor)");
        }
        return def.decorator_list.iter().find_map(|d| {
            let callee = super::decorator_callee(&d.expression);
            let qualified = checker.resolve(callee)?;
            ENTITIES
                .iter()
                .find(|(q, _)| *q == &*qualified && q.starts_with("flytekit.reference"))
                .map(|(_, what)| *what)
        });
    }
    let binding = checker.semantic.binding_of(name.range.start())?;
    if binding.scope != 0 {
        return None;
    }
    let BindingKind::Assignment {
        value: Expr::Call(value),
        ..
    } = &binding.kind
    else {
        return None;
    };
    // `map_task(t)(...)`'s callee, `LaunchPlan.get_or_create(...)`, `ContainerTask(...)`.
    let qualified = checker.resolve(&value.func)?;
    if let Some((_, what)) = ENTITIES.iter().find(|(q, _)| *q == &*qualified) {
        return Some(what);
    }
    qualified
        .starts_with("flytekitplugins.")
        .then_some("plugin task")
}
