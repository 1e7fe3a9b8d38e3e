//! FM624 `actor-environment`: union's `ActorEnvironment(...)` is a reusable
//! `flyte.TaskEnvironment` in Flyte 2.
//!
//! An actor is an environment whose containers stay up between tasks: Flyte 2 spells it
//! `flyte.TaskEnvironment(..., reusable=flyte.ReusePolicy(replicas=..., idle_ttl=...))`, and
//! `@actor.task` is then already the Flyte 2 decorator. The checker treats an actor this rule can
//! rewrite as a task environment, so workflows that call its tasks await them and depend on it
//! in the round the actor moves.

use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef};
use ruff_text_size::Ranged;

use super::string_literal;
use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::registry::Rule;

/// Where union defines the class (`union.ActorEnvironment` re-exports it).
pub const ACTOR_ENVIRONMENT: &[&str] = &["union.ActorEnvironment", "union.actor.ActorEnvironment"];

/// The fields of union's `ActorEnvironment` dataclass, in order (positional arguments).
const FIELDS: &[&str] = &[
    "name",
    "container_image",
    "replica_count",
    "ttl_seconds",
    "environment",
    "requests",
    "limits",
    "accelerator",
    "secret_requests",
    "pod_template",
    "interruptible",
];

/// The package a reusable environment's image needs.
const REUSE_PACKAGE: &str = "unionai-reuse";

/// The Flyte 2 environment an actor becomes.
pub struct Rewrite {
    /// The `flyte.TaskEnvironment(...)` call text.
    pub text: String,
    /// What changes in behaviour.
    pub notes: Vec<String>,
}

/// `flyte.TaskEnvironment(...)` for an `ActorEnvironment(...)` call, or why there is none.
pub fn rewrite(checker: &Checker, call: &ExprCall) -> Result<Rewrite, String> {
    let values = super::dataclass_arguments(call, FIELDS, "ActorEnvironment")?;
    let value = |field: &str| values.iter().find(|(f, _)| *f == field).map(|(_, v)| *v);
    let text = |e: &Expr| checker.text(e.range()).to_string();

    let name = value("name").ok_or("it has no `name=`")?;
    match string_literal(super::module_constant(checker, name)) {
        Some(literal) if is_environment_name(literal) => {}
        Some(literal) => {
            return Err(format!(
                "Flyte 2 environment names are snake_case or kebab-case: rename `{literal}`"
            ));
        }
        None => return Err("its `name=` is not a string".to_string()),
    }

    let mut notes = Vec::new();
    let mut args = vec![
        format!("name={}", text(name)),
        format!("image={}", image(checker, value("container_image"))?),
    ];
    let mut resources = crate::env::ResourceSettings::default();
    let mut rest = Vec::new();
    for (field, v) in &values {
        match *field {
            "name" | "container_image" | "replica_count" | "ttl_seconds" => {}
            "requests" | "limits" | "accelerator" => resources.add(checker, field, v),
            "environment" => rest.push(format!("env_vars={}", text(v))),
            "secret_requests" => rest.push(format!("secrets={}", text(v))),
            "interruptible" => rest.push(format!("interruptible={}", text(v))),
            "pod_template" => {
                return Err(
                    "Flyte 2 takes no pod template with `reusable=`: move its settings to the \
                     environment's `resources=`, `env_vars=` and `secrets=` by hand"
                        .to_string(),
                );
            }
            other => return Err(format!("`{other}=` is not an `ActorEnvironment` field")),
        }
    }
    if let Some(merged) = resources.finish(checker) {
        args.push(format!("resources={merged}"));
    }
    if let Some(blocker) = resources.blocker.take() {
        return Err(blocker);
    }
    notes.append(&mut resources.notes);
    args.append(&mut rest);

    // union's default is one replica; Flyte 2's is two.
    let replicas = value("replica_count").map_or_else(|| "1".to_string(), text);
    let reuse = match value("ttl_seconds") {
        Some(Expr::NoneLiteral(_)) | None => {
            notes.push(
                "without `ttl_seconds=`, idle replicas stop after Flyte 2's 30 seconds, not the \
                 backend's actor default"
                    .to_string(),
            );
            format!("flyte.ReusePolicy(replicas={replicas})")
        }
        Some(ttl) => format!(
            "flyte.ReusePolicy(replicas={replicas}, idle_ttl={})",
            text(ttl)
        ),
    };
    args.push(format!("reusable={reuse}"));

    // Laid out as the call was: on one line, or an argument per line.
    let text = super::call_text(
        "flyte.TaskEnvironment",
        &args,
        checker.text(call.range()).contains(['\n', '\r']),
        checker.line_ending.as_str(),
    );
    Ok(Rewrite { text, notes })
}

/// Whether a module-level `ActorEnvironment(...)` call moves to Flyte 2: the checker then treats
/// it as the task environment it becomes.
pub fn converts(checker: &Checker, call: &ExprCall) -> bool {
    checker.enabled(Rule::ActorEnvironment)
        && checker.resolves_to(&call.func, ACTOR_ENVIRONMENT)
        && checker.actor_moves(call.start(), || rewrite(checker, call).is_ok())
}

/// Whether a module-level name is bound to a union `ActorEnvironment(...)` call.
pub fn is_actor(checker: &Checker, var: &str) -> bool {
    let mut bindings = checker.semantic.bindings_in(0, var);
    let (Some(binding), None) = (bindings.next(), bindings.next()) else {
        return false;
    };
    matches!(&binding.kind, crate::semantic::BindingKind::Assignment { value: Expr::Call(call), .. }
        if checker.resolves_to(&call.func, ACTOR_ENVIRONMENT))
}

/// For a task environment of the module, the applicability of the fix it is one only after:
/// `None` for a `flyte.TaskEnvironment`, FM624's for an actor. A fix that relies on the
/// environment (lists it in `depends_on`, passes Flyte 2 keywords to its `task`) is no safer.
pub fn pending(checker: &Checker, var: &str) -> Option<Applicability> {
    is_actor(checker, var).then_some(Applicability::Unsafe)
}

/// For the module-level statement being checked, the applicability of the fix its code is
/// Flyte 2 code after: an actor's call and the functions decorated with `@actor.task` wait for
/// FM624's (unsafe) fix, or for a hand migration when FM624 cannot move the actor.
pub fn pending_in(checker: &Checker, stmt: &Stmt) -> Option<Applicability> {
    match stmt {
        Stmt::Assign(assign) => match &*assign.value {
            Expr::Call(call) if checker.resolves_to(&call.func, ACTOR_ENVIRONMENT) => {
                Some(moves(checker, call))
            }
            _ => None,
        },
        Stmt::FunctionDef(def) => pending_task(checker, def),
        _ => None,
    }
}

/// For a function decorated with `@actor.task` (`actor` a module-level union actor): `Unsafe`
/// when FM624 moves the actor, `DisplayOnly` when it stays on union.
pub fn pending_task(checker: &Checker, def: &StmtFunctionDef) -> Option<Applicability> {
    def.decorator_list.iter().find_map(|d| {
        let callee = super::decorator_callee(&d.expression);
        let Expr::Attribute(attr) = callee else {
            return None;
        };
        if attr.attr.id.as_str() != "task" {
            return None;
        }
        match super::module_value(checker, &attr.value) {
            Some(Expr::Call(call)) if checker.resolves_to(&call.func, ACTOR_ENVIRONMENT) => {
                Some(moves(checker, call))
            }
            _ => None,
        }
    })
}

/// The applicability of FM624's fix of an actor call: none when it cannot move.
fn moves(checker: &Checker, call: &ExprCall) -> Applicability {
    if converts(checker, call) {
        Applicability::Unsafe
    } else {
        Applicability::DisplayOnly
    }
}

/// The image of the environment: the actor's image with `unionai-reuse` added.
fn image(checker: &Checker, value: Option<&Expr>) -> Result<String, String> {
    let with_reuse = format!(".with_pip_packages({})", super::quote(REUSE_PACKAGE));
    let Some(value) = value else {
        // flytekit's default image; Flyte 2's default one, with the package.
        return Ok(format!("flyte.Image.from_debian_base(){with_reuse}"));
    };
    let text = checker.text(value.range());
    let built = match super::module_value(checker, value).unwrap_or(value) {
        Expr::Call(image) => {
            if checker.resolves_to(&image.func, &["flytekit.ImageSpec"]) {
                if !super::images::converts(checker, image) {
                    return Err(
                        "its image is an `ImageSpec` FM501 cannot rewrite yet: migrate it first"
                            .to_string(),
                    );
                }
                Some(image)
            } else if super::images::is_flyte_image(checker, image) {
                Some(image)
            } else {
                None
            }
        }
        _ => None,
    };
    match built {
        Some(image) if checker.text(image.range()).contains(REUSE_PACKAGE) => Ok(text.to_string()),
        Some(_) if value.is_name_expr() => Ok(format!("{text}{with_reuse}")),
        Some(_) => Ok(format!("({text}){with_reuse}")),
        None => Err(format!(
            "its image is not an `ImageSpec` or `flyte.Image` of this module: use a \
             `flyte.Image` that installs `{REUSE_PACKAGE}` by hand"
        )),
    }
}

/// Flyte 2's rule for environment names: lower-case letters and digits, in words joined by one
/// `_` or `-`.
fn is_environment_name(name: &str) -> bool {
    !name.is_empty()
        && name.split(['_', '-']).all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::ActorEnvironment)
        || !checker.resolves_to(&call.func, ACTOR_ENVIRONMENT)
    {
        return;
    }
    let qualified = checker.resolve(&call.func).unwrap_or_default();
    let diagnostic = Diagnostic::new(
        Rule::ActorEnvironment,
        format!("`{qualified}` is a reusable `flyte.TaskEnvironment` in Flyte 2"),
        call.range(),
    );
    let rewritten = super::module_assignment(checker, call)
        .and_then(|_| rewrite(checker, call))
        .and_then(|rewrite| match checker.import_module("flyte") {
            Some(imports) => Ok((rewrite, imports)),
            None => Err("the name `flyte` is taken in this module".to_string()),
        });
    let diagnostic = match rewritten {
        Ok((rewrite, mut edits)) => {
            let mut help =
                "Replace with `flyte.TaskEnvironment(..., reusable=flyte.ReusePolicy(...))` \
                 (its image gains `unionai-reuse`); `@actor.task` stays"
                    .to_string();
            for note in &rewrite.notes {
                help.push_str("; ");
                help.push_str(note);
            }
            edits.push(Edit::replace(call.range(), rewrite.text));
            diagnostic
                .with_help(help)
                .with_fix(Fix::unsafe_edits(edits))
        }
        Err(why) => diagnostic.with_help(format!(
            "Write `flyte.TaskEnvironment(name=..., resources=..., reusable=flyte.ReusePolicy(\
             replicas=<replica_count>, idle_ttl=<ttl_seconds>))` by hand, with `unionai-reuse` \
             in its image: {why}"
        )),
    };
    checker.report(diagnostic);
}
