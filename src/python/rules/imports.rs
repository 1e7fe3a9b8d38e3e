//! FM101 `renamed-name` and FM102 `unused-flytekit-import`.

use std::collections::BTreeMap;

use ruff_python_ast::{Alias, Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::registry::Rule;
use crate::semantic::BindingKind;

/// Objects of [`RENAMES`] whose members are read through them: the object is renamed.
const RENAMED_OBJECTS: &[&str] = &["flytekit.logger"];

/// flytekit names that are the same object under a new name in Flyte 2:
/// (flytekit name, Flyte 2 name, the module to import, a rule that owns calls of it, and whether
/// the rename keeps every behaviour).
const RENAMES: &[(&str, &str, &str, Option<Rule>, Applicability)] = &[
    (
        "flytekit.PodTemplate",
        "flyte.PodTemplate",
        "flyte",
        None,
        Applicability::Safe,
    ),
    // What a failed child task raises in an async parent: on a cluster flytekit raised
    // `EagerException`, Flyte 2 raises `RuntimeUserError` (a local flytekit run raised the
    // task's own error, so an `except EagerException:` that never caught there now does).
    (
        "flytekit.exceptions.eager.EagerException",
        "flyte.errors.RuntimeUserError",
        "flyte.errors",
        None,
        Applicability::Unsafe,
    ),
    // The same `logging.Logger` API: records now go to the `flyte.user` logger, shown from
    // INFO (`USER_LOG_LEVEL`), where flytekit's showed WARNING and above by default.
    (
        "flytekit.logger",
        "flyte.logger",
        "flyte",
        None,
        Applicability::Unsafe,
    ),
    (
        "flytekit.Resources",
        "flyte.Resources",
        "flyte",
        Some(Rule::ResourcesFields),
        Applicability::Safe,
    ),
    (
        "flytekit.WorkflowExecutionPhase.ABORTED",
        "flyte.models.ActionPhase.ABORTED",
        "flyte.models",
        None,
        Applicability::Safe,
    ),
    (
        "flytekit.WorkflowExecutionPhase.FAILED",
        "flyte.models.ActionPhase.FAILED",
        "flyte.models",
        None,
        Applicability::Safe,
    ),
    (
        "flytekit.WorkflowExecutionPhase.SUCCEEDED",
        "flyte.models.ActionPhase.SUCCEEDED",
        "flyte.models",
        None,
        Applicability::Safe,
    ),
    (
        "flytekit.WorkflowExecutionPhase.TIMED_OUT",
        "flyte.models.ActionPhase.TIMED_OUT",
        "flyte.models",
        None,
        Applicability::Safe,
    ),
];

/// FM101: a reference to a flytekit name that Flyte 2 spells differently.
pub fn reference(checker: &mut Checker, expr: &Expr) {
    if !checker.enabled(Rule::RenamedName) {
        return;
    }
    // Only the whole dotted name: `flytekit.PodTemplate`, not its `flytekit` head; but an object
    // renamed whole is renamed where its members are read (`logger.info(...)`).
    let parent = checker.parent_expr();
    let head = matches!(parent, Some(Expr::Attribute(a)) if a.value.range() == expr.range());
    // Heads of attribute chains are most names: only those spelled like a renamed object are
    // resolved.
    if head && !spelled_like_renamed_object(checker, expr) {
        return;
    }
    let Some(qualified) = checker.resolve(expr) else {
        return;
    };
    let qualified: &str = &qualified;
    if head && !RENAMED_OBJECTS.contains(&qualified) {
        return;
    }
    let Some((old, new, module, owner, applicability)) =
        RENAMES.iter().find(|(old, ..)| *old == qualified)
    else {
        // Other members of `WorkflowExecutionPhase` have no Flyte 2 phase.
        if let Some(member) = qualified.strip_prefix("flytekit.WorkflowExecutionPhase.") {
            checker.report(
                Diagnostic::new(
                    Rule::RenamedName,
                    format!("`WorkflowExecutionPhase.{member}` has no Flyte 2 phase"),
                    expr.range(),
                )
                .with_help(
                    "Flyte 2's `flyte.models.ActionPhase` has SUCCEEDED, FAILED, TIMED_OUT and \
                     ABORTED: pick one by hand",
                ),
            );
        }
        return;
    };
    let called = matches!(parent, Some(Expr::Call(c)) if c.func.range() == expr.range());
    if called && owner.is_some() {
        return;
    }
    let mut diagnostic = Diagnostic::new(
        Rule::RenamedName,
        format!("`{old}` is `{new}` in Flyte 2"),
        expr.range(),
    );
    let note = match *old {
        "flytekit.logger" => {
            " (records go to the `flyte.user` logger, shown from INFO, where flytekit's showed \
             WARNING and above)"
        }
        _ => "",
    };
    diagnostic = diagnostic.with_help(format!("Replace with `{new}`{note}"));
    if let Some(import) = checker.import_module(module) {
        let mut edits = vec![Edit::replace(expr.range(), *new)];
        edits.extend(import);
        diagnostic = diagnostic.with_fix(Fix::new(edits, *applicability));
    }
    checker.report(diagnostic);
}

/// Whether an expression ends with the last name of a [`RENAMED_OBJECTS`] entry: `fk.logger`,
/// or a name imported as one (`log` of `from flytekit.loggers import logger as log`).
fn spelled_like_renamed_object(checker: &Checker, expr: &Expr) -> bool {
    fn last(dotted: &str) -> &str {
        dotted.rsplit('.').next().unwrap_or(dotted)
    }
    let spelled = match expr {
        Expr::Attribute(attr) => attr.attr.id.as_str(),
        Expr::Name(name) => match checker
            .semantic
            .binding_of(name.range.start())
            .map(|b| &b.kind)
        {
            Some(BindingKind::Import { qualified, .. }) => last(qualified),
            _ => return false,
        },
        _ => return false,
    };
    RENAMED_OBJECTS.iter().any(|object| last(object) == spelled)
}

fn is_flytekit(qualified: &str) -> bool {
    qualified == "flytekit" || qualified.starts_with("flytekit.")
}

/// An import statement and its unused aliases (with their full names).
type UnusedInStatement<'a> = (&'a Stmt, Vec<(&'a Alias, String)>);

/// FM104: `kwtypes(a=int, b=str)` is the plain dict `{"a": int, "b": str}` in Flyte 2.
pub fn kwtypes(checker: &mut Checker, call: &ruff_python_ast::ExprCall) {
    if !checker.enabled(Rule::Kwtypes) || !checker.resolves_to(&call.func, &["flytekit.kwtypes"]) {
        return;
    }
    let diagnostic = Diagnostic::new(
        Rule::Kwtypes,
        "`kwtypes(...)` is a plain dict in Flyte 2",
        call.range(),
    );
    if !call.arguments.args.is_empty() || call.arguments.keywords.iter().any(|k| k.arg.is_none()) {
        checker.report(diagnostic.with_help("Write the dict `{\"name\": type, ...}` by hand"));
        return;
    }
    // In an f-string, braces would read as escapes: `dict(...)` says the same.
    let in_fstring = checker.has_ancestor(|e| matches!(e, Expr::FString(_)));
    let replacement = if in_fstring {
        let items: Vec<&str> = call
            .arguments
            .keywords
            .iter()
            .map(|k| checker.text(k.range))
            .collect();
        format!("dict({})", items.join(", "))
    } else {
        let items: Vec<String> = call
            .arguments
            .keywords
            .iter()
            .filter_map(|k| {
                k.arg.as_ref().map(|a| {
                    format!(
                        "{}: {}",
                        checker.quote(a.id.as_str()),
                        checker.text(k.value.range())
                    )
                })
            })
            .collect();
        format!("{{{}}}", items.join(", "))
    };
    let (applicability, note) = if super::contains_comment(checker.text(call.range())) {
        (
            Applicability::Unsafe,
            " (the comments inside the call are dropped: move them by hand)",
        )
    } else {
        (Applicability::Safe, "")
    };
    checker.report(
        diagnostic
            .with_help(format!("Replace with `{replacement}`{note}"))
            .with_fix(Fix::new(
                vec![Edit::replace(call.range(), replacement)],
                applicability,
            )),
    );
}

/// FM102: flytekit imports nothing reads (any more): flytekit is not installed next to Flyte 2.
pub fn unused_flytekit_imports(checker: &mut Checker) {
    if !checker.enabled(Rule::UnusedFlytekitImport) {
        return;
    }
    // Unused aliases, grouped by their import statement (by position, for a stable order).
    let mut by_stmt: BTreeMap<TextSize, UnusedInStatement> = BTreeMap::new();
    for binding in checker.semantic.bindings() {
        let BindingKind::Import {
            qualified,
            stmt,
            alias,
        } = &binding.kind
        else {
            continue;
        };
        // A plugin's names, once moved to `flyteplugins`; a bare `import flytekitplugins.x`
        // may be there for what importing it registers, and stays.
        // The `union` package is Union's Flyte 1 SDK, built on flytekit.
        let plugin_name = (qualified.starts_with("flytekitplugins.")
            && matches!(&**stmt, Stmt::ImportFrom(_)))
            || qualified == "union"
            || qualified.starts_with("union.");
        if binding.uses > 0
            || !(is_flytekit(qualified) || plugin_name)
            || checker.semantic.name_in_strings(binding.name)
        {
            continue;
        }
        let full = match &**stmt {
            // A project module's name for a flytekit one (`from .sdk import task`): both.
            Stmt::ImportFrom(from)
                if from.level > 0
                    || from.module.as_ref().is_some_and(|m| {
                        !qualified.starts_with(m.id.split('.').next().unwrap_or_default())
                    }) =>
            {
                format!(
                    "`{}{}{}{}` (flytekit's `{qualified}`)",
                    ".".repeat(from.level as usize),
                    from.module.as_ref().map_or("", |m| m.id.as_str()),
                    if from.module.is_some() { "." } else { "" },
                    alias.name.id
                )
            }
            Stmt::ImportFrom(from) => format!(
                "`{}.{}`",
                from.module.as_ref().map_or("", |m| m.id.as_str()),
                alias.name.id
            ),
            _ => format!("`{}`", alias.name.id),
        };
        by_stmt
            .entry(stmt.start())
            .or_insert_with(|| (*stmt, Vec::new()))
            .1
            .push((*alias, full));
    }
    // What a package's `__init__.py` imports and does not use, it re-exports: the modules that
    // import those names from the package lose them (they move once those modules migrate).
    let package = checker
        .project
        .is_some_and(|p| p.path().file_name().is_some_and(|f| f == "__init__.py"));
    let (applicability, help) = if package {
        (
            Applicability::Unsafe,
            "Remove the import (a package re-exports it: modules that import it from here must \
             not use it any more)",
        )
    } else {
        (Applicability::Safe, "Remove the import")
    };
    for (stmt, aliases) in by_stmt.into_values() {
        let refs: Vec<&Alias> = aliases.iter().map(|(a, _)| *a).collect();
        let edits = checker
            .importer
            .remove_aliases(stmt, &refs, checker.locator);
        for (alias, full) in &aliases {
            checker.report(
                Diagnostic::new(
                    Rule::UnusedFlytekitImport,
                    format!(
                        "{full} is imported but not used (flytekit is not installed with Flyte 2)"
                    ),
                    alias.range(),
                )
                .with_help(help)
                .with_fix(Fix::new(edits.clone(), applicability)),
            );
        }
    }
}

/// FM103: `import flytekitplugins.x` that nothing reads, kept for what importing it registers
/// (type transformers): `import flyteplugins.x` when Flyte 2 has the plugin.
pub fn plugin_registrations(checker: &mut Checker) {
    if !checker.enabled(Rule::FlytekitConstruct) {
        return;
    }
    let mut found = Vec::new();
    for binding in checker.semantic.bindings() {
        let BindingKind::Import { stmt, alias, .. } = &binding.kind else {
            continue;
        };
        let name = alias.name.id.as_str();
        let Some(plugin) = name.strip_prefix("flytekitplugins.") else {
            continue;
        };
        if binding.uses > 0 || !matches!(&**stmt, Stmt::Import(_)) || plugin.contains('.') {
            continue;
        }
        found.push((alias.name.range(), plugin.to_string()));
    }
    for (range, plugin) in found {
        let diagnostic = Diagnostic::new(
            Rule::FlytekitConstruct,
            format!(
                "`import flytekitplugins.{plugin}` registers a Flyte 1 plugin (`flytekitplugins-{plugin}`)"
            ),
            range,
        );
        let diagnostic = match super::constructs::flyte2_plugin(&plugin) {
            Some(v2) => diagnostic
                .with_help(format!(
                    "Import `flyteplugins.{v2}` instead (install `flyteplugins-{v2}` at the version \
                     of `flyte`), which registers the Flyte 2 plugin"
                ))
                .with_fix(Fix::unsafe_edits(vec![Edit::replace(
                    range,
                    format!("flyteplugins.{v2}"),
                )])),
            None => match PICKLED.iter().find(|(name, _)| *name == plugin) {
                // A plugin that only taught flytekit a type: Flyte 2 pickles values of types
                // it does not know, so the import can go.
                Some((_, what)) => {
                    let stmt = checker.semantic.bindings().iter().find_map(|b| match &b.kind {
                        BindingKind::Import { stmt, alias, .. } if alias.name.range() == range => {
                            Some((*stmt, *alias))
                        }
                        _ => None,
                    });
                    let mut diagnostic = diagnostic.with_help(format!(
                        "Remove the import: Flyte 2 has no `{plugin}` plugin, and pickles {what} \
                         passed between tasks"
                    ));
                    if let Some((stmt, alias)) = stmt {
                        diagnostic = diagnostic.with_fix(Fix::unsafe_edits(
                            checker
                                .importer
                                .remove_aliases(stmt, &[alias], checker.locator),
                        ));
                    }
                    diagnostic
                }
                None => diagnostic.with_help(super::constructs::plugin_advice(&plugin)),
            },
        };
        checker.report(diagnostic);
    }
}

/// Plugins whose import only registered a type, with no Flyte 2 package: the values Flyte 2
/// pickles instead.
const PICKLED: &[(&str, &str)] = &[("modin", "Modin dataframes")];
