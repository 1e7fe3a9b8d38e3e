//! FM406 `secret-declaration`: `flytekit.Secret(...)` → `flyte.Secret(key=..., group=...)`.
//!
//! The two classes take their first arguments in opposite orders (`Secret(group, key)` in
//! Flyte 1, `Secret(key, group)` in Flyte 2), so the rewrite always spells them as keywords.

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use super::keyword_name;
use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::registry::Rule;

/// Flyte 1 `Secret` fields in positional order.
const FIELDS: &[&str] = &[
    "group",
    "key",
    "group_version",
    "mount_requirement",
    "env_var",
];

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::SecretDeclaration)
        || !checker.resolves_to(&call.func, &["flytekit.Secret"])
    {
        return;
    }
    let diagnostic = Diagnostic::new(
        Rule::SecretDeclaration,
        "`flytekit.Secret` is `flyte.Secret` in Flyte 2, with its key first",
        call.range(),
    );
    let (replacement, applicability, derived) = match convert(checker, call) {
        Ok(converted) => converted,
        Err(problem) => {
            checker.report(diagnostic.with_help(format!(
                "Write `flyte.Secret(key=..., group=...)` by hand: {problem}"
            )));
            return;
        }
    };
    let help = match (applicability, &derived) {
        (Applicability::Safe, _) => format!("Replace with `{replacement}`"),
        (_, Some(derived)) => format!(
            "Replace with `{replacement}` (Flyte 2 would name its variable after the group and \
             key, which is no valid name: the task reads `{derived}`)"
        ),
        _ => format!(
            "Replace with `{replacement}` (the file layout under the mount is the backend's, \
             not Flyte 1's `<group>/<key>`)"
        ),
    };
    let diagnostic = diagnostic.with_help(help);
    match checker.import_module("flyte") {
        Some(import) => {
            let mut edits = vec![Edit::replace(call.range(), replacement)];
            edits.extend(import);
            checker.report(diagnostic.with_fix(Fix::new(edits, applicability)));
        }
        None => checker.report(diagnostic),
    }
}

/// Whether FM406 rewrites a `flytekit.Secret(...)` call.
pub(crate) fn converts(checker: &Checker, call: &ExprCall) -> bool {
    convert(checker, call).is_ok()
}

/// The `flyte.Secret(...)` text for a `flytekit.Secret(...)` call, how safe it is, and the
/// variable name it is given when Flyte 2 would derive an invalid one; or why there is none.
fn convert(
    checker: &Checker,
    call: &ExprCall,
) -> Result<(String, Applicability, Option<String>), String> {
    let mut group = None;
    let mut key = None;
    let mut env_var = None;
    let mut mount = None;
    let mut applicability = Applicability::Safe;
    let mut problem = None;
    let mut derived: Option<String> = None;
    let positional = call
        .arguments
        .args
        .iter()
        .enumerate()
        .map(|(i, a)| (FIELDS.get(i).copied(), a));
    let keywords = call
        .arguments
        .keywords
        .iter()
        .map(|k| (keyword_name(k), &k.value));
    for (field, value) in positional.chain(keywords) {
        match field {
            Some("group") => group = Some(value),
            Some("key") => key = Some(value),
            Some("env_var") => env_var = Some(value),
            Some("group_version") if !value.is_none_literal_expr() => {
                problem = Some("Flyte 2 secrets have no group version".to_string());
            }
            Some("group_version") => {}
            Some("mount_requirement") => match checker.resolve(value).as_deref() {
                Some("flytekit.Secret.MountType.ANY" | "flytekit.Secret.MountType.ENV_VAR") => {}
                Some("flytekit.Secret.MountType.FILE") => {
                    mount = Some("\"/etc/flyte/secrets\"");
                    applicability = Applicability::Unsafe;
                }
                _ => {
                    problem = Some("the mount requirement is not a `MountType` member".to_string())
                }
            },
            _ => problem = Some("an argument has no Flyte 2 equivalent".to_string()),
        }
    }
    if key.is_none() {
        problem.get_or_insert_with(|| {
            "a Flyte 2 secret needs a `key`: a group-only secret must be renamed by hand"
                .to_string()
        });
    }
    // Flyte 2 derives a variable name from a literal group and key, and rejects invalid ones.
    if problem.is_none()
        && env_var.is_none_or(Expr::is_none_literal_expr)
        && mount.is_none()
        && let Some(k) = key.and_then(|k| super::string_literal(super::module_constant(checker, k)))
    {
        let g = group.and_then(|g| super::string_literal(super::module_constant(checker, g)));
        let name = super::context::env_var_name(g, k);
        if !super::context::is_valid_env_var(&name) {
            // Flyte 2 rejects the name it would derive: the secret gets a valid one, which
            // FM401 then reads.
            derived = Some(valid_env_var(&name));
            applicability = Applicability::Unsafe;
        }
    }
    if let Some(problem) = problem {
        return Err(problem);
    }
    let text = |e: Option<&Expr>| e.map(|e| checker.text(e.range()).to_string());
    let mut args = Vec::new();
    if let Some(key) = text(key) {
        args.push(format!("key={key}"));
    }
    if let Some(group) = text(group).filter(|g| g != "None") {
        args.push(format!("group={group}"));
    }
    if let Some(mount) = mount {
        args.push(format!("mount={mount}"));
    }
    if let Some(env_var) = text(env_var).filter(|e| e != "None") {
        args.push(format!("as_env_var={env_var}"));
    }
    if let Some(derived) = &derived {
        args.push(format!("as_env_var={}", super::quote(derived)));
    }
    Ok((
        format!("flyte.Secret({})", args.join(", ")),
        applicability,
        derived,
    ))
}

/// A valid variable name for an invalid derived one: other characters become `_`, and a name
/// that starts with a digit gets a `_` first.
fn valid_env_var(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_uppercase() || c == '_') {
        out.insert(0, '_');
    }
    out
}
