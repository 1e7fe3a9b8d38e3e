//! FM304 `map-task`: `map_task(t, ...)(x=xs)` → `list(flyte.map(t, xs, return_exceptions=False))`.
//!
//! `flyte.map` yields failures as list items unless `return_exceptions=False`, and it is lazy, so
//! the rewrite always passes the flag and wraps the call in `list(...)`.

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use super::{int_literal, keyword_name};
use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::registry::Rule;
use crate::semantic::BindingKind;

const MAP_TASK: &[&str] = &["flytekit.map_task"];

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::MapTask) {
        return;
    }
    if let Expr::Call(inner) = &*call.func
        && checker.resolves_to(&inner.func, MAP_TASK)
    {
        mapped_call(checker, call, inner);
        return;
    }
    if checker.resolves_to(&call.func, MAP_TASK) {
        // `map_task(t)(...)` is handled at the outer call; anything else is reported here.
        let called = matches!(checker.parent_expr(), Some(Expr::Call(outer)) if outer.func.range() == call.range());
        if !called {
            checker.report(
                Diagnostic::new(
                    Rule::MapTask,
                    "`map_task` is `flyte.map` in Flyte 2",
                    call.range(),
                )
                .with_help(
                    "Call `list(flyte.map(task, xs, return_exceptions=False))` where the mapped \
                     task is called",
                ),
            );
        }
    }
}

fn mapped_call(checker: &mut Checker, outer: &ExprCall, inner: &ExprCall) {
    let mut diagnostic = Diagnostic::new(
        Rule::MapTask,
        "`map_task(...)(...)` is `flyte.map` in Flyte 2",
        outer.range(),
    );
    let manual = |why: &str| {
        format!("{why}; rewrite as `list(flyte.map(task, xs, return_exceptions=False))` by hand")
    };

    // The mapped target and `map_task`'s own options.
    let mut target: Option<&Expr> = inner.arguments.args.first();
    let mut concurrency: Option<&Expr> = None;
    if inner.arguments.args.len() > 2 {
        checker
            .report(diagnostic.with_help(manual("`map_task` has unexpected positional arguments")));
        return;
    }
    if let Some(second) = inner.arguments.args.get(1) {
        concurrency = Some(second);
    }
    for kw in &inner.arguments.keywords {
        match keyword_name(kw) {
            Some("target") => target = Some(&kw.value),
            Some("concurrency") => concurrency = Some(&kw.value),
            Some("run_all_sub_nodes") => {}
            Some("min_success_ratio") if is_one(&kw.value) => {}
            Some("min_success_ratio" | "min_successes") => {
                checker.report(diagnostic.with_help(
                    "Flyte 2 has no success threshold: use `flyte.map(..., return_exceptions=True)` \
                     and check the share of results that are not exceptions by hand",
                ));
                return;
            }
            _ => {
                checker.report(diagnostic.with_help(manual(&format!(
                    "`map_task` option `{}` has no Flyte 2 equivalent",
                    checker.text(kw.range)
                ))));
                return;
            }
        }
    }
    let Some(target) = target else {
        checker.report(diagnostic.with_help(manual("the mapped task is not given")));
        return;
    };
    if matches!(checker.parent_expr(), Some(Expr::Await(_))) {
        checker.report(diagnostic.with_help(
            "In an async task, gather the calls instead: \
             `await asyncio.gather(*(task(x) for x in xs))`, or iterate `flyte.map.aio(...)`",
        ));
        return;
    }
    if let Some(why) = unmappable_target(checker, target) {
        checker.report(diagnostic.with_help(manual(&why)));
        return;
    }
    if matches!(checker.parent_expr(), Some(Expr::Attribute(a)) if a.value.range() == outer.range())
    {
        checker.report(diagnostic.with_help(
            "Move `.with_overrides(...)` onto the task as `task.override(...)` and map that: \
             `list(flyte.map(task.override(...), xs, return_exceptions=False))`",
        ));
        return;
    }

    // The mapped lists, in the order `flyte.map` takes them: the target's parameter order.
    let mapped: Vec<(&str, &Expr)> = outer
        .arguments
        .keywords
        .iter()
        .filter_map(|k| keyword_name(k).map(|n| (n, &k.value)))
        .collect();
    if !outer.arguments.args.is_empty() || mapped.len() != outer.arguments.keywords.len() {
        checker.report(diagnostic.with_help(manual("pass the mapped lists by keyword")));
        return;
    }
    let (lists, applicability) = match mapped.len() {
        0 => {
            checker.report(diagnostic.with_help(manual("nothing is mapped")));
            return;
        }
        1 => (vec![mapped[0].1], Applicability::Safe),
        _ if is_partial(checker, target) => {
            checker.report(diagnostic.with_help(manual(
                "`flyte.map` maps a `functools.partial` over exactly one list: bind all but one \
                 parameter, or map a task that takes the lists",
            )));
            return;
        }
        _ => match parameter_order(
            checker,
            target,
            &mapped.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        ) {
            Some(order) => {
                let mut lists = Vec::with_capacity(mapped.len());
                for param in &order {
                    if let Some((_, value)) = mapped.iter().find(|(n, _)| n == param) {
                        lists.push(*value);
                    }
                }
                if lists.len() != mapped.len() {
                    checker.report(diagnostic.with_help(manual(
                        "the mapped inputs do not match the task's leading parameters",
                    )));
                    return;
                }
                (lists, Applicability::Unsafe)
            }
            None => {
                checker.report(diagnostic.with_help(manual(
                    "several lists are mapped and their positional order is unknown (the task \
                     is defined elsewhere, or the mapped inputs are not its leading parameters)",
                )));
                return;
            }
        },
    };
    let import = checker.import_module("flyte");

    let mut args = vec![checker.text(target.range()).to_string()];
    args.extend(lists.iter().map(|e| checker.text(e.range()).to_string()));
    if let Some(c) = concurrency
        && !c.is_none_literal_expr()
    {
        args.push(format!("concurrency={}", checker.text(c.range())));
    }
    args.push("return_exceptions=False".to_string());
    let replacement = format!("list(flyte.map({}))", args.join(", "));
    let help = if applicability == Applicability::Safe {
        format!("Replace with `{replacement}`")
    } else {
        format!(
            "Replace with `{replacement}` (lists are passed in parameter order; unlike Flyte 1, \
             lists of different lengths are truncated to the shortest)"
        )
    };
    diagnostic = diagnostic.with_help(help);
    if let Some(import) = import {
        let mut edits = vec![Edit::replace(outer.range(), replacement)];
        edits.extend(import);
        diagnostic = diagnostic.with_fix(Fix::new(edits, applicability));
    }
    checker.report(diagnostic);
}

fn is_partial(checker: &Checker, target: &Expr) -> bool {
    matches!(dereference(checker, target), Expr::Call(call) if checker.resolves_to(&call.func, &["functools.partial"]))
}

fn is_one(expr: &Expr) -> bool {
    int_literal(expr) == Some(1)
        || matches!(expr, Expr::NumberLiteral(n) if matches!(n.value, ruff_python_ast::Number::Float(f) if f == 1.0))
}

/// Why the mapped target cannot go to `flyte.map`, when it cannot: only tasks can (a launch
/// plan or a reference task must be called through `flyte.remote` instead).
fn unmappable_target(checker: &Checker, target: &Expr) -> Option<String> {
    let target = dereference(checker, target);
    let function = match target {
        Expr::Call(call) if checker.resolves_to(&call.func, &["functools.partial"]) => {
            call.arguments.args.first()?
        }
        other => other,
    };
    let Expr::Name(name) = function else {
        return None;
    };
    let binding = checker.semantic.binding_of(name.range.start())?;
    match &binding.kind {
        BindingKind::Import { .. } => None,
        BindingKind::Other if binding.scope == 0 => {
            let def = checker.module_function(name)?;
            (!checker.is_task_function(def)).then(|| {
                format!(
                    "`{}` is not a task of this module (a reference task or launch plan is run \
                     with `flyte.remote` and `asyncio.gather`)",
                    name.id
                )
            })
        }
        _ => Some(format!(
            "`{}` is not a task (a launch plan is a Flyte 2 trigger; map the task itself)",
            name.id
        )),
    }
}

/// What a local name stands for when it is assigned a `functools.partial(...)` or another name
/// (`scorer = functools.partial(task, k=1)`), followed a few times.
fn dereference<'a>(checker: &Checker<'a>, expr: &'a Expr) -> &'a Expr {
    let mut current = expr;
    for _ in 0..4 {
        let Expr::Name(name) = current else {
            break;
        };
        let Some(binding) = checker.semantic.binding_of(name.range.start()) else {
            break;
        };
        match &binding.kind {
            BindingKind::Assignment { value, .. }
                if matches!(value, Expr::Name(_))
                    || matches!(value, Expr::Call(c) if checker.resolves_to(&c.func, &["functools.partial"])) =>
            {
                current = value;
            }
            _ => break,
        }
    }
    current
}

/// The order in which `flyte.map` takes the mapped lists: the task's leading positional
/// parameters (after those a `functools.partial` binds), when the mapped names are exactly those
/// and every later parameter has a default.
fn parameter_order<'a>(
    checker: &Checker<'a>,
    target: &Expr,
    mapped: &[&str],
) -> Option<Vec<&'a str>> {
    let target = dereference(checker, target);
    let (function, bound): (&Expr, Vec<&str>) = match target {
        Expr::Call(call) if checker.resolves_to(&call.func, &["functools.partial"]) => (
            call.arguments.args.first()?,
            call.arguments
                .keywords
                .iter()
                .filter_map(keyword_name)
                .collect(),
        ),
        other => (other, Vec::new()),
    };
    let Expr::Name(name) = function else {
        return None;
    };
    let def = checker.module_function(name)?;
    let parameters = &def.parameters;
    let positional: Vec<_> = parameters
        .posonlyargs
        .iter()
        .chain(&parameters.args)
        .filter(|p| !bound.contains(&p.parameter.name.id.as_str()))
        .collect();
    if positional.len() < mapped.len() {
        return None;
    }
    let (leading, rest) = positional.split_at(mapped.len());
    let order: Vec<&'a str> = leading
        .iter()
        .map(|p| p.parameter.name.id.as_str())
        .collect();
    let same_names = {
        let mut a = order.clone();
        let mut b = mapped.to_vec();
        a.sort_unstable();
        b.sort_unstable();
        a == b
    };
    let rest_defaulted = rest.iter().all(|p| p.default.is_some())
        && parameters
            .kwonlyargs
            .iter()
            .all(|p| p.default.is_some() || bound.contains(&p.parameter.name.id.as_str()));
    (same_names && rest_defaulted).then_some(order)
}
