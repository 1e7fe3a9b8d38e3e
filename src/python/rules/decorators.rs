//! FM204 `task-decorator`, FM205 `environment-level-setting`, FM301 `workflow-decorator`,
//! FM302 `dynamic-decorator`: what a flytekit-decorated function must become in Flyte 2.

use ruff_python_ast::StmtFunctionDef;
use ruff_text_size::Ranged;

use super::{cache, decorator_call, keyword_name, resources};
use crate::checker::{Checker, FlyteKind};
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;

/// `@task` keywords that belong to the `TaskEnvironment` in Flyte 2, with where they go.
const ENVIRONMENT_SETTINGS: &[(&str, &str)] = &[
    (
        "container_image",
        "`image=` (a `flyte.Image` or an image URI)",
    ),
    (
        "requests",
        "`resources=flyte.Resources(...)` (requests and limits merge into `(request, limit)` tuples for cpu and memory)",
    ),
    (
        "limits",
        "`resources=flyte.Resources(...)` (requests and limits merge into `(request, limit)` tuples for cpu and memory)",
    ),
    ("resources", "`resources=flyte.Resources(...)`"),
    (
        "secret_requests",
        "`secrets=[flyte.Secret(key=..., group=...)]`",
    ),
    ("environment", "`env_vars={...}`"),
    (
        "shared_memory",
        "`resources=flyte.Resources(shm=...)` (`True` is `shm=\"auto\"`)",
    ),
    (
        "task_config",
        "`plugin_config=` with the plugin's `flyteplugins` config",
    ),
];

pub fn function(checker: &mut Checker, def: &StmtFunctionDef, kind: Option<FlyteKind>) {
    let Some(kind) = kind else {
        return;
    };
    for decorator in &def.decorator_list {
        let expr = &decorator.expression;
        let callee = decorator_call(expr).map_or(expr, |c| &*c.func);
        let Some(qualified) = checker.resolve(callee) else {
            continue;
        };
        let (rule, message, help) = match &*qualified {
            "flytekit.task" => (
                Rule::TaskDecorator,
                format!(
                    "`@task` on `{}` becomes `@env.task` of a `flyte.TaskEnvironment`",
                    def.name.id
                ),
                "Define `env = flyte.TaskEnvironment(name=...)` with the task's image, resources, secrets and \
                 environment variables, and decorate the function with `@env.task`",
            ),
            "flytekit.workflow" => (
                Rule::WorkflowDecorator,
                format!(
                    "`@workflow` `{}` becomes an orchestrating `@env.task` in Flyte 2",
                    def.name.id
                ),
                "Decorate with `@env.task`: the body now runs as Python at run time, calls run in \
                 statement order (use `async` and `asyncio.gather` to keep branches parallel)",
            ),
            "flytekit.dynamic" => (
                Rule::DynamicDecorator,
                format!(
                    "`@dynamic` `{}` becomes a plain `@env.task` in Flyte 2",
                    def.name.id
                ),
                "Decorate with `@env.task`; child calls in a sync task run one after another",
            ),
            "flytekit.eager" => (
                Rule::DynamicDecorator,
                format!(
                    "`@eager` `{}` becomes an `async` `@env.task` in Flyte 2",
                    def.name.id
                ),
                "Decorate with `@env.task` and `await` child tasks",
            ),
            _ => continue,
        };
        let mut diagnostic = Diagnostic::new(rule, message, expr.range());
        match checker.plan.functions.get(&def.range.start()) {
            Some(plan) => {
                let mut text = format!(
                    "Decorate with `@{}.task` of a `flyte.TaskEnvironment` that carries its settings",
                    plan.env_var
                );
                if !plan.notes.is_empty() {
                    text.push_str(&format!(" ({})", plan.notes.join("; ")));
                }
                if let Some(why_not) = &plan.why_not {
                    text = format!("{help}; not automatic: {why_not}");
                }
                diagnostic = diagnostic.with_help(text);
                if let Some(fix) = &plan.fix {
                    diagnostic = diagnostic.with_fix(fix.clone());
                }
            }
            None => diagnostic = diagnostic.with_help(help),
        }
        checker.report(diagnostic);

        let Some(call) = decorator_call(expr) else {
            continue;
        };
        if matches!(
            kind,
            FlyteKind::Task | FlyteKind::Dynamic | FlyteKind::Eager
        ) {
            for kw in &call.arguments.keywords {
                let Some(name) = keyword_name(kw) else {
                    continue;
                };
                if let Some((_, target)) = ENVIRONMENT_SETTINGS.iter().find(|(n, _)| *n == name) {
                    checker.report(
                        Diagnostic::new(
                            Rule::EnvironmentLevelSetting,
                            format!("`{name}=` is a `TaskEnvironment` setting in Flyte 2, not a task setting"),
                            kw.range,
                        )
                        .with_help(format!("Move it to the task's `flyte.TaskEnvironment` as {target}")),
                    );
                }
            }
            if checker.enabled(Rule::AcceleratorToGpu) {
                resources::accelerator(checker, def, call);
            }
            cache::decorator(checker, call);
        }
    }
}

/// Whether a decorator expression is a flytekit `@workflow` or `@dynamic` (the functions whose
/// bodies build a DAG in Flyte 1).
pub fn is_orchestrator(kind: Option<FlyteKind>) -> bool {
    matches!(kind, Some(FlyteKind::Workflow | FlyteKind::Dynamic))
}
