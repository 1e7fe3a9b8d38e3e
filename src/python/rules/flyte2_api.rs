//! FM206 `flyte1-argument`: Flyte 1 keyword arguments and value types on Flyte 2 APIs.
//!
//! Code already on `flyte` (written by hand, or left by a fix that moved a decorator and kept a
//! keyword) fails at import when a call still passes what only flytekit took:
//! `@env.task(cache_version="1")`, `flyte.TaskEnvironment(requests=...)`,
//! `flyte.Resources(mem=1024)`. The keywords each callee accepts are flyte 2.12.1's signatures;
//! a Flyte 1 keyword is a row of [`ROWS`] with its help and fix, any other keyword the callee does
//! not take is reported as such, and values whose type changed are checked (a name is followed to
//! its module-level constant).

use ruff_python_ast::{Expr, ExprCall, ExprName, Keyword};
use ruff_text_size::Ranged;

use super::{bool_literal, keyword, keyword_name, remove_arguments, string_literal};
use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::registry::Rule;
use crate::semantic::BindingKind;

/// A Flyte 2 callable whose arguments are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Callee {
    /// `env.task(...)` of a `flyte.TaskEnvironment`, as a decorator or a call.
    Task,
    TaskEnvironment,
    FromTask,
    CloneWith,
    /// `task.override(...)` of a Flyte 2 task.
    Override,
    Resources,
    Cache,
    Secret,
    Map,
    DebianBase,
    File,
    Dir,
    Documentation,
}

/// Keywords each callee accepts (flyte 2.12.1 signatures).
fn accepted(callee: Callee) -> &'static [&'static str] {
    match callee {
        Callee::Task => &[
            "_func",
            "short_name",
            "cache",
            "retries",
            "timeout",
            "docs",
            "pod_template",
            "report",
            "interruptible",
            "max_inline_io_bytes",
            "queue",
            "service_account",
            "triggers",
            "links",
            "task_resolver",
            "entrypoint",
            "produces_artifacts",
        ],
        Callee::TaskEnvironment => &[
            "name",
            "depends_on",
            "pod_template",
            "description",
            "secrets",
            "env_vars",
            "resources",
            "interruptible",
            "image",
            "include",
            "service_account",
            "cache",
            "reusable",
            "plugin_config",
            "queue",
        ],
        Callee::FromTask => &["name", "depends_on"],
        Callee::CloneWith => &[
            "name",
            "image",
            "resources",
            "env_vars",
            "secrets",
            "depends_on",
            "description",
            "interruptible",
            "include",
            "service_account",
            "cache",
            "reusable",
        ],
        Callee::Override => &[
            "short_name",
            "resources",
            "cache",
            "retries",
            "timeout",
            "reusable",
            "env_vars",
            "secrets",
            "service_account",
            "max_inline_io_bytes",
            "pod_template",
            "queue",
            "interruptible",
            "entrypoint",
            "produces_artifacts",
            "links",
            "plugin_config",
        ],
        Callee::Resources => &["cpu", "memory", "gpu", "disk", "shm"],
        Callee::Cache => &[
            "behavior",
            "version_override",
            "serialize",
            "ignored_inputs",
            "salt",
            "policies",
            "max_age",
        ],
        Callee::Secret => &["key", "group", "mount", "as_env_var"],
        Callee::Map => &["group_name", "concurrency", "return_exceptions"],
        Callee::DebianBase => &[
            "python_version",
            "flyte_version",
            "install_flyte",
            "registry",
            "registry_secret",
            "name",
            "platform",
        ],
        Callee::File => &["path", "name", "format", "hash", "hash_method"],
        Callee::Dir => &["path", "name", "format", "hash"],
        Callee::Documentation => &["description"],
    }
}

/// What the fix of a row does.
#[derive(Debug, Clone, Copy)]
enum Action {
    /// Rename the keyword, unless the call already passes the new one or one of these.
    Rename(&'static str, &'static [&'static str], Applicability),
    Remove(Applicability),
    /// Part of the cache settings: one `flyte.Cache` (FM203's rewrite).
    Cache,
    /// `enable_deck=` (true) or `disable_deck=` (false) → `report=True`.
    Deck(bool),
    /// `min_success_ratio=1.0` → `return_exceptions=False`.
    SuccessRatio,
    /// `python="3.11"` → `python_version=(3, 11)`.
    Python,
    /// No fix: the help says what to do.
    Manual,
}

/// One Flyte 1 keyword on Flyte 2 callees: what to do about it.
struct Row {
    callees: &'static [Callee],
    keyword: &'static str,
    action: Action,
    help: &'static str,
}

const TASK: &[Callee] = &[Callee::Task];
const ENVIRONMENT: &[Callee] = &[Callee::TaskEnvironment, Callee::CloneWith];
const ENVIRONMENT_AND_OVERRIDE: &[Callee] =
    &[Callee::TaskEnvironment, Callee::CloneWith, Callee::Override];
const ALL_TASK_SETTINGS: &[Callee] = &[
    Callee::Task,
    Callee::TaskEnvironment,
    Callee::CloneWith,
    Callee::Override,
];
const SAFE: Applicability = Applicability::Safe;
const UNSAFE: Applicability = Applicability::Unsafe;

const ON_ENVIRONMENT_RESOURCES: &str = "Flyte 2 sets resources on the environment: put \
    `resources=flyte.Resources(...)` on the task's `flyte.TaskEnvironment`, or give the task an \
    environment of its own (`env.clone_with(name=..., resources=...)`)";

/// The Flyte 1 keywords, by callee.
const ROWS: &[Row] = &[
    Row {
        callees: ALL_TASK_SETTINGS,
        keyword: "cache_version",
        action: Action::Cache,
        help: "",
    },
    Row {
        callees: ALL_TASK_SETTINGS,
        keyword: "cache_serialize",
        action: Action::Cache,
        help: "",
    },
    Row {
        callees: ALL_TASK_SETTINGS,
        keyword: "cache_ignore_input_vars",
        action: Action::Cache,
        help: "",
    },
    Row {
        callees: TASK,
        keyword: "container_image",
        action: Action::Manual,
        help: "Flyte 2 sets the image on the environment: put `image=` on the task's \
               `flyte.TaskEnvironment`, or give the task an environment of its own \
               (`env.clone_with(name=..., image=...)`)",
    },
    Row {
        callees: &[Callee::Override],
        keyword: "container_image",
        action: Action::Manual,
        help: "Flyte 2 cannot override a task's image: call a task of an environment with that \
               image",
    },
    Row {
        callees: ENVIRONMENT,
        keyword: "container_image",
        action: Action::Rename("image", &[], SAFE),
        help: "Rename it to `image=`",
    },
    Row {
        callees: TASK,
        keyword: "requests",
        action: Action::Manual,
        help: ON_ENVIRONMENT_RESOURCES,
    },
    Row {
        callees: TASK,
        keyword: "limits",
        action: Action::Manual,
        help: ON_ENVIRONMENT_RESOURCES,
    },
    Row {
        callees: TASK,
        keyword: "resources",
        action: Action::Manual,
        help: ON_ENVIRONMENT_RESOURCES,
    },
    Row {
        callees: ENVIRONMENT_AND_OVERRIDE,
        keyword: "requests",
        action: Action::Rename("resources", &["limits"], SAFE),
        help: "Rename it to `resources=` (requests alone are Flyte 2's scalar values); with \
               `limits=` too, merge both into one `flyte.Resources(cpu=(request, limit), \
               memory=(request, limit))`",
    },
    Row {
        callees: ENVIRONMENT_AND_OVERRIDE,
        keyword: "limits",
        action: Action::Rename("resources", &["requests"], UNSAFE),
        help: "Rename it to `resources=` (the limits become requests); with `requests=` too, \
               merge both into one `flyte.Resources(cpu=(request, limit), memory=(request, \
               limit))`",
    },
    Row {
        callees: ALL_TASK_SETTINGS,
        keyword: "accelerator",
        action: Action::Manual,
        help: "Flyte 2 names the GPU type in `flyte.Resources(gpu=\"T4:1\")`, in the \
               environment's `resources=`",
    },
    Row {
        callees: ALL_TASK_SETTINGS,
        keyword: "shared_memory",
        action: Action::Manual,
        help: "Flyte 2 sets shared memory as `flyte.Resources(shm=...)` (`True` is \
               `shm=\"auto\"`), in the environment's `resources=`",
    },
    Row {
        callees: TASK,
        keyword: "secret_requests",
        action: Action::Manual,
        help: "Flyte 2 sets secrets on the environment: put `secrets=[flyte.Secret(key=..., \
               group=...)]` on the task's `flyte.TaskEnvironment`, or give the task an \
               environment of its own (`env.clone_with(name=..., secrets=...)`)",
    },
    Row {
        callees: ENVIRONMENT_AND_OVERRIDE,
        keyword: "secret_requests",
        action: Action::Rename("secrets", &[], SAFE),
        help: "Rename it to `secrets=`",
    },
    Row {
        callees: TASK,
        keyword: "environment",
        action: Action::Manual,
        help: "Flyte 2 sets environment variables on the environment: put `env_vars={...}` on \
               the task's `flyte.TaskEnvironment`, or give the task an environment of its own \
               (`env.clone_with(name=..., env_vars=...)`)",
    },
    Row {
        callees: ENVIRONMENT_AND_OVERRIDE,
        keyword: "environment",
        action: Action::Rename("env_vars", &[], SAFE),
        help: "Rename it to `env_vars=`",
    },
    Row {
        callees: ALL_TASK_SETTINGS,
        keyword: "task_config",
        action: Action::Manual,
        help: "Flyte 2 takes the plugin's `flyteplugins` configuration as `plugin_config=` of \
               the environment (or of `task.override(...)`)",
    },
    Row {
        callees: TASK,
        keyword: "enable_deck",
        action: Action::Deck(true),
        help: "Flyte 2 reports replace decks: `report=True`",
    },
    Row {
        callees: TASK,
        keyword: "disable_deck",
        action: Action::Deck(false),
        help: "Flyte 2 reports replace decks: `report=True`",
    },
    Row {
        callees: &[Callee::Task, Callee::TaskEnvironment, Callee::Override],
        keyword: "pod_template_name",
        action: Action::Rename("pod_template", &[], SAFE),
        help: "Rename it to `pod_template=` (a string names a pod template)",
    },
    Row {
        callees: TASK,
        keyword: "pickle_untyped",
        action: Action::Remove(SAFE),
        help: "Remove it: Flyte 2 pickles untyped values by itself",
    },
    Row {
        callees: TASK,
        keyword: "execution_mode",
        action: Action::Remove(SAFE),
        help: "Remove it: Flyte 2 has no execution mode",
    },
    Row {
        callees: TASK,
        keyword: "deprecated",
        action: Action::Remove(UNSAFE),
        help: "Remove it (Flyte 2 has no deprecation message for tasks)",
    },
    Row {
        callees: TASK,
        keyword: "deck_fields",
        action: Action::Remove(UNSAFE),
        help: "Remove it (Flyte 2 reports do not render deck fields)",
    },
    Row {
        callees: ALL_TASK_SETTINGS,
        keyword: "labels",
        action: Action::Manual,
        help: "Put them on a `flyte.PodTemplate(labels=...)` given as `pod_template=`",
    },
    Row {
        callees: ALL_TASK_SETTINGS,
        keyword: "annotations",
        action: Action::Manual,
        help: "Put them on a `flyte.PodTemplate(annotations=...)` given as `pod_template=`",
    },
    Row {
        callees: TASK,
        keyword: "node_dependency_hints",
        action: Action::Manual,
        help: "List the environments of the tasks it launches in `depends_on=` of its \
               environment",
    },
    Row {
        callees: ENVIRONMENT,
        keyword: "retries",
        action: Action::Manual,
        help: "A task setting in Flyte 2: set it on each `@env.task(...)`",
    },
    Row {
        callees: ENVIRONMENT,
        keyword: "timeout",
        action: Action::Manual,
        help: "A task setting in Flyte 2: set it on each `@env.task(...)`",
    },
    Row {
        callees: &[Callee::Override],
        keyword: "name",
        action: Action::Rename("short_name", &[], SAFE),
        help: "Rename it to `short_name=` (Flyte 2 shows it as the task's name)",
    },
    Row {
        callees: &[Callee::Override],
        keyword: "node_name",
        action: Action::Rename("short_name", &[], SAFE),
        help: "Rename it to `short_name=` (Flyte 2 shows it as the task's name)",
    },
    Row {
        callees: &[Callee::Resources],
        keyword: "mem",
        action: Action::Rename("memory", &[], SAFE),
        help: "Rename it to `memory=`",
    },
    Row {
        callees: &[Callee::Resources],
        keyword: "ephemeral_storage",
        action: Action::Rename("disk", &[], SAFE),
        help: "Rename it to `disk=`",
    },
    Row {
        callees: &[Callee::Cache],
        keyword: "version",
        action: Action::Rename("version_override", &[], SAFE),
        help: "Rename it to `version_override=`",
    },
    Row {
        callees: &[Callee::Secret],
        keyword: "env_var",
        action: Action::Rename("as_env_var", &[], SAFE),
        help: "Rename it to `as_env_var=`",
    },
    Row {
        callees: &[Callee::Secret],
        keyword: "mount_requirement",
        action: Action::Manual,
        help: "Flyte 2 secrets are environment variables unless mounted: remove it, or for \
               `MountType.FILE` write `mount=\"/etc/flyte/secrets\"`",
    },
    Row {
        callees: &[Callee::Secret],
        keyword: "group_version",
        action: Action::Manual,
        help: "Flyte 2 secrets have no group version: remove it and check the secret's name",
    },
    Row {
        callees: &[Callee::Map],
        keyword: "min_success_ratio",
        action: Action::SuccessRatio,
        help: "Flyte 2 has no success threshold: use `return_exceptions=True` and check the share \
               of results that are not exceptions by hand",
    },
    Row {
        callees: &[Callee::Map],
        keyword: "min_successes",
        action: Action::Manual,
        help: "Flyte 2 has no success threshold: use `return_exceptions=True` and count the \
               results that are not exceptions by hand",
    },
    Row {
        callees: &[Callee::DebianBase],
        keyword: "python",
        action: Action::Python,
        help: "Write `python_version=(3, 11)`, a tuple",
    },
    Row {
        callees: &[Callee::Documentation],
        keyword: "short_description",
        action: Action::Rename("description", &[], SAFE),
        help: "Rename it to `description=`",
    },
    Row {
        callees: &[Callee::Documentation],
        keyword: "long_description",
        action: Action::Manual,
        help: "Flyte 2 keeps one `description=` (the docstring is the long one): remove it",
    },
];

/// The Flyte 2 callee of a call, if it is one whose arguments are checked.
fn callee(checker: &Checker, call: &ExprCall) -> Option<Callee> {
    if let Expr::Attribute(attr) = &*call.func
        && let Expr::Name(receiver) = &*attr.value
    {
        match attr.attr.id.as_str() {
            "task" if checker.is_task_environment(receiver) => return Some(Callee::Task),
            "clone_with" if checker.is_task_environment(receiver) => {
                return Some(Callee::CloneWith);
            }
            "override"
                if checker
                    .module_function(receiver)
                    .is_some_and(|def| crate::env::environment_of(checker, def).is_some()) =>
            {
                return Some(Callee::Override);
            }
            _ => {}
        }
    }
    let qualified = checker.resolve(&call.func)?;
    Some(match &*qualified {
        "flyte.TaskEnvironment" => Callee::TaskEnvironment,
        "flyte.TaskEnvironment.from_task" => Callee::FromTask,
        "flyte.Resources" => Callee::Resources,
        "flyte.Cache" => Callee::Cache,
        "flyte.Secret" => Callee::Secret,
        "flyte.map" => Callee::Map,
        "flyte.Image.from_debian_base" => Callee::DebianBase,
        "flyte.io.File" => Callee::File,
        "flyte.io.Dir" => Callee::Dir,
        "flyte.Documentation" => Callee::Documentation,
        _ => return None,
    })
}

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::Flyte1Argument) {
        return;
    }
    let Some(callee) = callee(checker, call) else {
        return;
    };
    let name = checker.text(call.func.range()).to_string();
    let mut diagnostics = Vec::new();
    let mut cache_done = false;
    for kw in &call.arguments.keywords {
        let Some(keyword_text) = keyword_name(kw) else {
            continue;
        };
        if keyword_text == "cache" && accepted(callee).contains(&"cache") {
            if !cache_done {
                cache_done = true;
                diagnostics.extend(cache(checker, call, &name));
            }
            continue;
        }
        if accepted(callee).contains(&keyword_text) {
            diagnostics.extend(value(checker, callee, &name, keyword_text, &kw.value));
            continue;
        }
        let row = ROWS
            .iter()
            .find(|r| r.keyword == keyword_text && r.callees.contains(&callee));
        match row {
            Some(row) if matches!(row.action, Action::Cache) => {
                if !cache_done {
                    cache_done = true;
                    diagnostics.extend(cache(checker, call, &name));
                }
            }
            Some(row) => diagnostics.push(flyte1_keyword(checker, call, &name, kw, row)),
            None => diagnostics.push(
                Diagnostic::new(
                    Rule::Flyte1Argument,
                    format!("`{name}` does not take `{keyword_text}=` in Flyte 2"),
                    kw.range,
                )
                .with_help(format!(
                    "Remove it, or use one of its keywords: {}",
                    accepted(callee)
                        .iter()
                        .filter(|k| !k.starts_with('_'))
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            ),
        }
    }
    diagnostics.extend(positional(checker, callee, call, &name));
    for diagnostic in diagnostics {
        checker.report(diagnostic);
    }
}

/// A Flyte 1 keyword the callee does not take, with its row's help and fix.
fn flyte1_keyword(
    checker: &Checker,
    call: &ExprCall,
    name: &str,
    kw: &Keyword,
    row: &Row,
) -> Diagnostic {
    let args = &call.arguments;
    let diagnostic = Diagnostic::new(
        Rule::Flyte1Argument,
        format!(
            "`{}=` is a Flyte 1 keyword: `{name}` does not take it in Flyte 2",
            row.keyword
        ),
        kw.range,
    )
    .with_help(row.help);
    let diagnostic = if matches!(row.action, Action::SuccessRatio) && is_one(&kw.value) {
        diagnostic.with_help(
            "Every item must succeed: that is `return_exceptions=False` (a failure raises)",
        )
    } else {
        diagnostic
    };
    let remove = || remove_arguments(checker.source(), args, &[kw.range]);
    let fix = match row.action {
        Action::Rename(new, conflicts, applicability) => {
            let taken = keyword(args, new).is_some()
                || conflicts.iter().any(|c| keyword(args, c).is_some());
            match (&kw.arg, taken) {
                (Some(arg), false) => {
                    Some(Fix::new(vec![Edit::replace(arg.range, new)], applicability))
                }
                _ => None,
            }
        }
        Action::Remove(applicability) => Some(Fix::new(remove(), applicability)),
        Action::Deck(enable) => match bool_literal(&kw.value) {
            Some(value) if value == enable => (keyword(args, "report").is_none())
                .then(|| Fix::safe_edits(vec![Edit::replace(kw.range, "report=True")])),
            Some(_) => Some(Fix::safe_edits(remove())),
            None => None,
        },
        Action::SuccessRatio => is_one(&kw.value).then(|| {
            if keyword(args, "return_exceptions").is_some() {
                Fix::safe_edits(remove())
            } else {
                Fix::safe_edits(vec![Edit::replace(kw.range, "return_exceptions=False")])
            }
        }),
        Action::Python => match (python_tuple(&kw.value), keyword(args, "python_version")) {
            (Some(tuple), None) => Some(Fix::safe_edits(vec![Edit::replace(
                kw.range,
                format!("python_version={tuple}"),
            )])),
            _ => None,
        },
        Action::Cache | Action::Manual => None,
    };
    match fix {
        Some(fix) => diagnostic.with_fix(fix),
        None => diagnostic,
    }
}

/// The cache keywords of `env.task(...)`, `TaskEnvironment(...)` and the like, rewritten as FM203
/// rewrites a flytekit decorator's.
fn cache(checker: &Checker, call: &ExprCall, name: &str) -> Option<Diagnostic> {
    if let Some(rewrite) = super::cache::rewrite(checker, &call.arguments) {
        let mut diagnostic = Diagnostic::new(
            Rule::Flyte1Argument,
            format!("{} (`{name}`)", rewrite.message),
            rewrite.range,
        )
        .with_help(rewrite.help);
        diagnostic.set_fix(rewrite.fix);
        return Some(diagnostic);
    }
    // A name that holds a bool: Flyte 2 rejects it as it rejects the literal.
    let value = &keyword(&call.arguments, "cache")?.value;
    let Expr::Name(var) = value else {
        return None;
    };
    let constant = constant(checker, var)?;
    let flag = bool_literal(constant)?;
    Some(
        Diagnostic::new(
            Rule::Flyte1Argument,
            format!(
                "`cache={}` is the bool `{}`: `{name}` rejects a bool in Flyte 2",
                var.id,
                if flag { "True" } else { "False" }
            ),
            value.range(),
        )
        .with_help(if flag {
            "Use `cache=\"auto\"`, or `flyte.Cache(behavior=\"auto\", version_override=...)` to \
             keep an explicit version"
        } else {
            "Use `cache=\"disable\"`"
        }),
    )
}

/// What a name holds, as far as this module shows.
enum Seen<'a> {
    /// The value of its assignment (following `A = B` a few times).
    Value(&'a Expr),
    /// A name imported from another module.
    Imported,
    /// A parameter, with its annotation.
    Parameter(Option<&'a Expr>),
    /// Anything else (a loop variable, a `with` target, ...).
    Opaque,
}

fn seen<'a>(checker: &Checker<'a>, name: &ExprName) -> Seen<'a> {
    let mut current = name.range.start();
    for _ in 0..8 {
        let Some(binding) = checker.semantic.binding_of(current) else {
            return Seen::Opaque;
        };
        match &binding.kind {
            BindingKind::Assignment {
                value: Expr::Name(next),
                ..
            } => current = next.range.start(),
            BindingKind::Assignment { value, .. } => return Seen::Value(value),
            BindingKind::Import { .. } => return Seen::Imported,
            BindingKind::Parameter { annotation } => return Seen::Parameter(*annotation),
            BindingKind::Other => return Seen::Opaque,
        }
    }
    Seen::Opaque
}

/// The value a name is assigned, if this module shows it.
fn constant<'a>(checker: &Checker<'a>, name: &ExprName) -> Option<&'a Expr> {
    match seen(checker, name) {
        Seen::Value(value) => Some(value),
        _ => None,
    }
}

/// The value of an accepted keyword, when its type is Flyte 1's.
fn value(
    checker: &Checker,
    callee: Callee,
    name: &str,
    keyword_name: &str,
    value: &Expr,
) -> Option<Diagnostic> {
    match (callee, keyword_name) {
        (Callee::Resources, field @ ("cpu" | "memory" | "gpu" | "disk" | "shm")) => {
            resources_value(checker, name, field, value)
        }
        (Callee::DebianBase, "python_version") if value.is_string_literal_expr() => {
            let diagnostic = Diagnostic::new(
                Rule::Flyte1Argument,
                format!("`{name}` takes `python_version=` as a tuple, not a string"),
                value.range(),
            )
            .with_help(
                "Write the version as a tuple, e.g. `(3, 11)` (a string gives a broken image tag)",
            );
            Some(match python_tuple(value) {
                Some(tuple) => {
                    diagnostic.with_fix(Fix::safe_edits(vec![Edit::replace(value.range(), tuple)]))
                }
                None => diagnostic,
            })
        }
        _ => None,
    }
}

/// One `flyte.Resources` field: `memory=1024`, `gpu="1"`, `cpu=["1", "2"]`, or a name that
/// holds such a value.
fn resources_value(checker: &Checker, name: &str, field: &str, value: &Expr) -> Option<Diagnostic> {
    let wants_string = matches!(field, "memory" | "disk" | "shm");
    if let Expr::Name(var) = value {
        return resources_name(checker, name, field, var, wants_string);
    }
    let mut edits = Vec::new();
    let mut changes = Vec::new();
    let mut manual = Vec::new();
    if field == "shm" {
        if matches!(value, Expr::NumberLiteral(_)) {
            edits.push(Edit::replace(
                value.range(),
                super::quote(checker.text(value.range())),
            ));
            changes.push("`shm` must be a string".to_string());
        }
    } else {
        super::resources::value_edits(checker, field, value, &mut edits, &mut changes, &mut manual);
    }
    if changes.is_empty() && manual.is_empty() {
        return None;
    }
    let mut what = changes;
    what.extend(manual.iter().cloned());
    let diagnostic = Diagnostic::new(
        Rule::Flyte1Argument,
        format!(
            "`{name}` rejects this `{field}=` value in Flyte 2: {}",
            what.join(", ")
        ),
        value.range(),
    );
    Some(if manual.is_empty() {
        diagnostic
            .with_help("Write the value as Flyte 2 takes it")
            .with_fix(Fix::safe_edits(edits))
    } else {
        diagnostic.with_help(
            "Write it by hand: `memory`, `disk` and `shm` are strings such as \"1Gi\", `gpu` an \
             int or a `\"T4:1\"`-style string, and only `cpu` and `memory` take a \
             `(request, limit)` tuple",
        )
    })
}

/// A `flyte.Resources` field given as a name: followed to its constant, or reported with what to
/// check.
fn resources_name(
    checker: &Checker,
    name: &str,
    field: &str,
    var: &ExprName,
    wants_string: bool,
) -> Option<Diagnostic> {
    let id = var.id.as_str();
    let (problem, wrap) = match seen(checker, var) {
        Seen::Value(Expr::NumberLiteral(_)) if wants_string => ("a number", "str"),
        Seen::Value(e @ Expr::StringLiteral(_))
            if field == "gpu"
                && string_literal(e).is_some_and(|s| !s.contains(':'))
                && super::count_literal(e).is_some() =>
        {
            ("a numeric string", "int")
        }
        // `gpu = str(COUNT)` with a number: what Flyte 1 took, a numeric string.
        Seen::Value(Expr::Call(c)) if field == "gpu" && is_str_of_number(checker, c) => {
            ("a numeric string", "int")
        }
        Seen::Value(Expr::List(l)) if field == "cpu" || field == "memory" => {
            if l.elts.iter().any(|e| matches!(e, Expr::NumberLiteral(_))) && field == "memory" {
                return Some(
                    Diagnostic::new(
                        Rule::Flyte1Argument,
                        format!("`{field}={id}` is a list: `{name}` takes a `(request, limit)` tuple of strings"),
                        var.range,
                    )
                    .with_help(format!("Make `{id}` a tuple of strings such as `(\"1Gi\", \"2Gi\")`")),
                );
            }
            ("a list", "tuple")
        }
        // A value this module computes (a call, an f-string, ...) is taken as it is.
        Seen::Value(_) | Seen::Opaque => return None,
        // An annotated parameter is trusted, unless a string field is annotated as a number.
        Seen::Parameter(Some(Expr::Name(n)))
            if wants_string && matches!(n.id.as_str(), "int" | "float") =>
        {
            ("a parameter annotated as a number", "str")
        }
        Seen::Parameter(Some(_)) => return None,
        Seen::Imported | Seen::Parameter(None) => {
            if !wants_string && field != "gpu" {
                return None;
            }
            let expect = if wants_string {
                "a string such as \"1Gi\" (Flyte 2 rejects a number)"
            } else {
                "an int count or a `\"T4:1\"`-style string (Flyte 2 rejects a numeric string)"
            };
            return Some(
                Diagnostic::new(
                    Rule::Flyte1Argument,
                    format!("`{field}={id}` may be a Flyte 1 value: `{name}` takes {expect}"),
                    var.range,
                )
                .with_help(format!("Check that `{id}` holds {expect}")),
            );
        }
    };
    let diagnostic = Diagnostic::new(
        Rule::Flyte1Argument,
        format!("`{field}={id}` is {problem}: `{name}` rejects it in Flyte 2"),
        var.range,
    );
    if checker.semantic.scope_binds(0, wrap) {
        return Some(diagnostic.with_help(format!("Convert it with `{wrap}(...)`")));
    }
    Some(
        diagnostic
            .with_help(format!("Convert it where it is used: `{wrap}({id})`"))
            .with_fix(Fix::safe_edits(vec![Edit::replace(
                var.range,
                format!("{wrap}({id})"),
            )])),
    )
}

/// `str(n)` where `n` is a number literal or a name assigned one.
fn is_str_of_number(checker: &Checker, call: &ExprCall) -> bool {
    let is_str = matches!(&*call.func, Expr::Name(f) if f.id.as_str() == "str")
        && !checker.semantic.scope_binds(0, "str");
    let [arg] = &*call.arguments.args else {
        return false;
    };
    if !is_str || !call.arguments.keywords.is_empty() {
        return false;
    }
    match arg {
        Expr::NumberLiteral(_) => true,
        Expr::Name(n) => matches!(constant(checker, n), Some(Expr::NumberLiteral(_))),
        _ => false,
    }
}

/// Positional arguments whose meaning is Flyte 1's.
fn positional(
    checker: &Checker,
    callee: Callee,
    call: &ExprCall,
    name: &str,
) -> Option<Diagnostic> {
    let args = &call.arguments.args;
    match callee {
        Callee::Secret if args.len() >= 2 && !args.iter().any(Expr::is_starred_expr) => {
            let diagnostic = Diagnostic::new(
                Rule::Flyte1Argument,
                format!(
                    "`{name}` takes the key first in Flyte 2; Flyte 1's `Secret` took the group first"
                ),
                call.arguments.range(),
            )
            .with_help(
                "Name the arguments: written for Flyte 1, `Secret(\"group\", \"key\")` is \
                 `flyte.Secret(key=\"key\", group=\"group\")` (the fix assumes Flyte 1's order)",
            );
            if args.len() > 2 {
                return Some(diagnostic);
            }
            let text = |e: &Expr| checker.text(e.range()).to_string();
            let mut edits = vec![
                Edit::replace(args[0].range(), format!("key={}", text(&args[1]))),
                Edit::replace(args[1].range(), format!("group={}", text(&args[0]))),
            ];
            // Keywords may follow; positional arguments come first, so the two edits suffice.
            edits.sort_by_key(|e| e.range.start());
            Some(diagnostic.with_fix(Fix::unsafe_edits(edits)))
        }
        Callee::Cache => {
            let behaviors = ["auto", "override", "disable"];
            match args.first() {
                Some(first) => {
                    let literal = string_literal(first)?;
                    if behaviors.contains(&literal) || args.len() > 1 {
                        return None;
                    }
                    Some(
                        Diagnostic::new(
                            Rule::Flyte1Argument,
                            format!(
                                "`{name}`'s first argument is its `behavior` in Flyte 2; Flyte 1's `Cache` took the version first"
                            ),
                            first.range(),
                        )
                        .with_help(format!(
                            "Replace with `behavior=\"auto\", version_override={}`",
                            checker.text(first.range())
                        ))
                        .with_fix(Fix::safe_edits(vec![Edit::replace(
                            first.range(),
                            format!("behavior=\"auto\", version_override={}", checker.text(first.range())),
                        )])),
                    )
                }
                None => {
                    let keywords = &call.arguments.keywords;
                    if keywords
                        .iter()
                        .any(|k| k.arg.is_none() || keyword_name(k) == Some("behavior"))
                    {
                        return None;
                    }
                    let versioned = keywords
                        .iter()
                        .any(|k| matches!(keyword_name(k), Some("version_override" | "version")));
                    let (applicability, help) = if versioned {
                        (SAFE, "Add `behavior=\"auto\"`")
                    } else {
                        (
                            UNSAFE,
                            "Add `behavior=\"auto\"` (without a version, Flyte 2 versions the cache by the function body)",
                        )
                    };
                    let edit = match keywords.first() {
                        Some(first) => Edit::insert(first.range.start(), "behavior=\"auto\", "),
                        None => Edit::insert(
                            call.arguments.end() - ruff_text_size::TextSize::from(1),
                            "behavior=\"auto\"",
                        ),
                    };
                    Some(
                        Diagnostic::new(
                            Rule::Flyte1Argument,
                            format!("`{name}` needs a `behavior` in Flyte 2"),
                            call.range(),
                        )
                        .with_help(help)
                        .with_fix(Fix::new(vec![edit], applicability)),
                    )
                }
            }
        }
        Callee::File | Callee::Dir if !args.is_empty() => Some(
            Diagnostic::new(
                Rule::Flyte1Argument,
                format!("`{name}` takes keywords only in Flyte 2"),
                call.arguments.range(),
            )
            .with_help(
                "`path=` names a file that is already remote; a local file is uploaded with \
                 `File.from_local_sync(...)` (`Dir.from_local_sync(...)`)",
            ),
        ),
        Callee::Documentation if args.len() > 1 => Some(
            Diagnostic::new(
                Rule::Flyte1Argument,
                format!("`{name}` takes one description in Flyte 2"),
                call.arguments.range(),
            )
            .with_help(
                "Keep the short description as `description=` (the docstring is the long one)",
            ),
        ),
        _ => None,
    }
}

/// `1`, `1.0` or `1.00`.
fn is_one(expr: &Expr) -> bool {
    match expr {
        Expr::NumberLiteral(n) => match &n.value {
            ruff_python_ast::Number::Int(i) => i.as_u64() == Some(1),
            ruff_python_ast::Number::Float(f) => *f == 1.0,
            ruff_python_ast::Number::Complex { .. } => false,
        },
        _ => false,
    }
}

/// `"3.11"` → `(3, 11)`.
fn python_tuple(expr: &Expr) -> Option<String> {
    let text = string_literal(expr)?;
    let mut parts = text.trim().split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Some(format!("({major}, {minor})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_name_keywords_their_callees_do_not_take() {
        for row in ROWS {
            for &callee in row.callees {
                assert!(
                    !accepted(callee).contains(&row.keyword),
                    "{} is accepted by {callee:?}",
                    row.keyword
                );
            }
            if let Action::Rename(new, _, _) = row.action {
                for &callee in row.callees {
                    assert!(accepted(callee).contains(&new), "{new} on {callee:?}");
                }
            }
        }
    }

    #[test]
    fn python_versions_become_tuples() {
        let parsed = ruff_python_parser::parse_expression("\"3.11\"").expect("parses");
        assert_eq!(python_tuple(parsed.expr()), Some("(3, 11)".to_string()));
    }
}
