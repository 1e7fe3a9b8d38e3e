//! FM308 `with-overrides`: `t(x=a).with_overrides(...)` is `t.override(...)(x=a)` in Flyte 2.

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use super::{bool_literal, keyword_name};
use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::env::ResourceSettings;
use crate::registry::Rule;

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::WithOverrides) {
        return;
    }
    let Expr::Attribute(attr) = &*call.func else {
        return;
    };
    if attr.attr.id.as_str() != "with_overrides" {
        return;
    }
    let Expr::Call(inner) = &*attr.value else {
        return;
    };
    let Expr::Name(task) = &*inner.func else {
        return;
    };
    let Some(def) = module_task(checker, task) else {
        return;
    };
    // A flytekit task that does not move keeps Flyte 1's `with_overrides` (FM312 reports the
    // call where a Flyte 2 task makes it).
    let stays = checker.flyte_kind(def).is_some()
        && checker
            .plan
            .functions
            .get(&def.range.start())
            .is_none_or(|p| p.fix.is_none());
    let diagnostic = Diagnostic::new(
        Rule::WithOverrides,
        "`.with_overrides(...)` is `task.override(...)` in Flyte 2, before the call",
        call.range(),
    );
    match overrides(checker, call) {
        Ok(_) if stays => checker.report(diagnostic.with_help(format!(
            "Rewrite as `{}.override(...)(...)` once `{}` is a Flyte 2 task: it stays on \
             flytekit for now (FM204)",
            task.id, task.id
        ))),
        Ok((args, notes)) => {
            let mut replacement = format!(
                "{}.override({}){}",
                task.id,
                args.join(", "),
                checker.text(inner.arguments.range())
            );
            if args.is_empty() {
                replacement = checker.text(inner.range()).to_string();
            }
            let mut help = format!("Replace with `{replacement}`");
            if !notes.is_empty() {
                help.push_str(&format!(" ({})", notes.join("; ")));
            }
            let diagnostic = diagnostic.with_help(help);
            let needs_flyte = replacement.contains("flyte.");
            let import = if needs_flyte {
                checker.import_module("flyte")
            } else {
                Some(Vec::new())
            };
            match import {
                Some(mut edits) => {
                    edits.push(Edit::replace(call.range(), replacement));
                    checker.report(diagnostic.with_fix(Fix::unsafe_edits(edits)));
                }
                None => checker.report(diagnostic),
            }
        }
        Err(why) => checker.report(diagnostic.with_help(format!(
            "Rewrite as `{}.override(...)(...)` by hand: {why}",
            task.id
        ))),
    }
}

/// The module-level task a name reads (not a parameter or local that shadows it).
fn module_task<'a>(
    checker: &Checker<'a>,
    name: &ruff_python_ast::ExprName,
) -> Option<&'a ruff_python_ast::StmtFunctionDef> {
    checker
        .module_function(name)
        .filter(|def| checker.is_task_function(def))
}

/// The `override(...)` arguments for the `with_overrides(...)` call, and what changes.
pub(super) fn overrides(
    checker: &Checker,
    call: &ExprCall,
) -> Result<(Vec<String>, Vec<String>), String> {
    if !call.arguments.args.is_empty() {
        return Err("it has positional arguments".to_string());
    }
    let mut args = Vec::new();
    let mut notes = Vec::new();
    let mut resources = ResourceSettings::default();
    let mut cache: Option<bool> = None;
    let mut cache_version = None;
    for kw in &call.arguments.keywords {
        let name = keyword_name(kw).ok_or("it takes `**` arguments")?;
        let text = checker.text(kw.value.range());
        match name {
            "retries" | "timeout" | "interruptible" | "pod_template" => {
                args.push(format!("{name}={text}"));
            }
            "name" | "node_name" => args.push(format!("short_name={text}")),
            "requests" | "limits" | "resources" | "accelerator" | "shared_memory" => {
                resources.add(checker, name, &kw.value);
            }
            "cache" => cache = Some(bool_literal(&kw.value).ok_or("`cache=` is not a literal")?),
            "cache_version" => cache_version = Some(text.to_string()),
            "container_image" => {
                return Err(
                    "a task's image cannot be overridden in Flyte 2: give the task an environment \
                     with that image"
                        .to_string(),
                );
            }
            other => return Err(format!("`{other}=` has no Flyte 2 override")),
        }
    }
    if let Some(merged) = resources.finish(checker) {
        args.push(format!("resources={merged}"));
    }
    if let Some(blocker) = resources.blocker {
        return Err(blocker);
    }
    notes.extend(resources.notes);
    match (cache, cache_version) {
        (Some(true), Some(version)) => args.push(format!(
            "cache=flyte.Cache(behavior=\"auto\", version_override={version})"
        )),
        (Some(true), None) => {
            args.push("cache=\"auto\"".to_string());
            notes.push("the cache version now follows the function body".to_string());
        }
        (Some(false), _) => args.push("cache=\"disable\"".to_string()),
        (None, Some(_)) => {
            return Err(
                "`cache_version=` alone changes the task's own cache setting: write \
                 `cache=flyte.Cache(behavior=\"auto\", version_override=...)` if the task is cached"
                    .to_string(),
            );
        }
        (None, None) => {}
    }
    Ok((args, notes))
}
