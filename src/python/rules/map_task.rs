//! FM304 `map-task`: `map_task(t, ...)(x=xs)` → `list(flyte.map(t, xs, return_exceptions=False))`.
//!
//! `flyte.map` yields failures as list items unless `return_exceptions=False`, and it is lazy, so
//! the rewrite always passes the flag and wraps the call in `list(...)`. A success threshold
//! (`min_success_ratio=` below 1) keeps the failures (`return_exceptions=True`) and hands the
//! results to a function the module gets, which does what Flyte 1 did with them.

use ruff_python_ast::{Expr, ExprCall, ParameterWithDefault};
use ruff_text_size::Ranged;

use super::{int_literal, keyword_name};
use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::registry::Rule;
use crate::semantic::{BindingKind, ScopeId};

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
    let diagnostic = Diagnostic::new(
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
    // `min_success_ratio=` (other than 1), and `min_successes=` with it: failed items are `None`.
    let mut threshold: Vec<(&str, &Expr)> = Vec::new();
    // `metadata=TaskMetadata(retries=..., timeout=...)`: settings of every mapped run.
    let mut overrides: Vec<String> = Vec::new();
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
            Some("metadata") => match metadata_overrides(checker, &kw.value) {
                Ok(found) => overrides = found,
                Err(why) => {
                    checker.report(diagnostic.with_help(manual(&why)));
                    return;
                }
            },
            Some("min_success_ratio") if is_one(&kw.value) => {}
            Some(name @ ("min_success_ratio" | "min_successes")) => {
                threshold.push((name, &kw.value));
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
    // Without a ratio below 1, Flyte 1 kept the output a list of non-optional values, which a
    // failed item (`None`) does not fit.
    if threshold
        .iter()
        .all(|(name, _)| *name != "min_success_ratio")
        && !threshold.is_empty()
    {
        checker.report(diagnostic.with_help(
            "Flyte 2 has no success threshold, and Flyte 1 failed to return a failed item \
             unless `min_success_ratio` was below 1: map with `flyte.map(..., \
             return_exceptions=True)` and check the number of results that are not exceptions \
             by hand",
        ));
        return;
    }
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
    // `map_task(t)(xs).with_overrides(...)`: the overrides go onto the mapped task, and the
    // whole expression is the map.
    let mut replaced = outer.range();
    let mut override_notes: Vec<String> = Vec::new();
    if matches!(checker.parent_expr(), Some(Expr::Attribute(a)) if a.value.range() == outer.range())
    {
        let by_hand = |why: &str| {
            format!(
                "Move `.with_overrides(...)` onto the task as `task.override(...)` and map that: \
                 `list(flyte.map(task.override(...), xs, return_exceptions=False))`{why}"
            )
        };
        let with_overrides = match (checker.parent_expr(), checker.ancestor_expr(1)) {
            (Some(Expr::Attribute(a)), Some(Expr::Call(call)))
                if a.attr.id.as_str() == "with_overrides" && call.func.range() == a.range() =>
            {
                Some(call)
            }
            _ => None,
        };
        let Some(with_overrides) = with_overrides else {
            checker.report(diagnostic.with_help(by_hand("")));
            return;
        };
        match super::overrides::overrides(checker, with_overrides) {
            Ok((args, notes)) => {
                let key = |o: &str| o.split('=').next().unwrap_or_default().to_string();
                if let Some(both) = args
                    .iter()
                    .find(|a| overrides.iter().any(|o| key(o) == key(a)))
                {
                    let both = key(both);
                    checker.report(diagnostic.with_help(by_hand(&format!(
                        " (`{both}` is set by both `metadata=` and `with_overrides`)"
                    ))));
                    return;
                }
                overrides.extend(args);
                override_notes = notes;
                replaced = with_overrides.range();
            }
            Err(why) => {
                checker.report(diagnostic.with_help(by_hand(&format!(": {why}"))));
                return;
            }
        }
    }

    let mut plan = match plan(checker, target, outer) {
        Ok(plan) => plan,
        Err(why) => {
            checker.report(diagnostic.with_help(manual(&why)));
            return;
        }
    };
    let retries = overrides.iter().any(|o| o.starts_with("retries="));
    if !overrides.is_empty() {
        plan.target = format!("{}.override({})", plan.target, overrides.join(", "));
    }
    let concurrency = concurrency
        .filter(|c| !c.is_none_literal_expr())
        .map(|c| checker.text(c.range()));
    let mut replacement = plan.replacement(concurrency, !threshold.is_empty());
    let mut helper = Vec::new();
    if !threshold.is_empty() {
        match threshold_helper(checker) {
            Ok(edits) => helper = edits,
            Err(why) => {
                checker.report(diagnostic.with_help(why));
                return;
            }
        }
        let settings: Vec<String> = threshold
            .iter()
            .map(|(name, value)| format!("{name}={}", checker.text(value.range())))
            .collect();
        replacement = format!("{THRESHOLD_HELPER}({replacement}, {})", settings.join(", "));
    }
    let Some(mut imports) = checker.import_module("flyte") else {
        checker.report(diagnostic.with_help(format!(
            "Replace with `{}` (the name `flyte` is taken here)",
            replacement
        )));
        return;
    };
    if plan.repeat {
        let Some(itertools) = checker.import_module("itertools") else {
            checker.report(diagnostic.with_help(format!(
                "Replace with `{}` (the name `itertools` is taken here)",
                replacement
            )));
            return;
        };
        imports.extend(itertools);
    }
    let applicability = if plan.mapped > 1 || retries {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let mut notes = Vec::new();
    if plan.mapped > 1 {
        notes.push(
            "lists are passed in parameter order; unlike Flyte 1, lists of different lengths \
             are truncated to the shortest",
        );
    }
    if retries {
        notes.push(
            "Flyte 2 retries every user error except `flyte.errors.NonRecoverableError`, Flyte 1 \
             only recoverable ones",
        );
    }
    let notes: Vec<&str> = notes
        .into_iter()
        .chain(override_notes.iter().map(String::as_str))
        .collect();
    let help = if notes.is_empty() {
        format!("Replace with `{replacement}`")
    } else {
        format!("Replace with `{replacement}` ({})", notes.join("; "))
    };
    let mut edits = vec![Edit::replace(replaced, replacement)];
    edits.extend(plan.edits);
    edits.extend(imports);
    edits.extend(helper);
    checker.report(
        diagnostic
            .with_help(help)
            .with_fix(Fix::new(edits, applicability)),
    );
}

/// The `task.override(...)` keywords of `metadata=TaskMetadata(...)` on `map_task`:
/// `retries`, `timeout` (a timedelta or seconds, as in Flyte 2) and `interruptible`.
fn metadata_overrides(checker: &Checker, value: &Expr) -> Result<Vec<String>, String> {
    let Expr::Call(call) = value else {
        return Err("`metadata=` is not a `TaskMetadata(...)` call".to_string());
    };
    if !checker.resolves_to(&call.func, &["flytekit.TaskMetadata"]) {
        return Err("`metadata=` is not a `TaskMetadata(...)` call".to_string());
    }
    if !call.arguments.args.is_empty() {
        return Err("`TaskMetadata` has positional arguments: name them".to_string());
    }
    let mut overrides = Vec::new();
    for kw in &call.arguments.keywords {
        match keyword_name(kw) {
            Some(name @ ("retries" | "timeout" | "interruptible")) => {
                overrides.push(format!("{name}={}", checker.text(kw.value.range())));
            }
            _ => {
                return Err(format!(
                    "`TaskMetadata({})` is not moved (only `retries`, `timeout` and \
                     `interruptible` are): set it with `task.override(...)` by hand",
                    checker.text(kw.range)
                ));
            }
        }
    }
    Ok(overrides)
}

/// What the fix writes: `flyte.map(target, *lists)`, and the edits it needs elsewhere.
struct Plan {
    target: String,
    lists: Vec<String>,
    /// Edits outside the call: the `functools.partial(...)` a variable holds, reordered.
    edits: Vec<Edit>,
    /// A bound value is passed as `itertools.repeat(value)`.
    repeat: bool,
    /// How many lists the Flyte 1 map task mapped.
    mapped: usize,
}

impl Plan {
    fn replacement(&self, concurrency: Option<&str>, return_exceptions: bool) -> String {
        let mut args = vec![self.target.clone()];
        args.extend(self.lists.iter().cloned());
        if let Some(c) = concurrency {
            args.push(format!("concurrency={c}"));
        }
        args.push(if return_exceptions {
            "return_exceptions=True".to_string()
        } else {
            "return_exceptions=False".to_string()
        });
        format!("list(flyte.map({}))", args.join(", "))
    }
}

/// A `functools.partial(task, name=value, ...)` that is mapped.
struct Partial<'a> {
    call: &'a ExprCall,
    /// Written inside `map_task(...)`, not held in a variable.
    inline: bool,
    /// The variable holding it: how often it is read, and its scope.
    variable: Option<(u32, ScopeId)>,
    keywords: Vec<(&'a str, &'a Expr)>,
}

/// The mapped task and the partial around it, when there is one.
fn split_target<'a>(
    checker: &Checker<'a>,
    target: &'a Expr,
) -> Result<(&'a Expr, Option<Partial<'a>>), String> {
    let (current, variable) = follow(checker, target);
    let Expr::Call(call) = current else {
        return Ok((current, None));
    };
    if !is_partial_call(checker, current) {
        return Ok((current, None));
    }
    let Some(function) = call.arguments.args.first() else {
        return Err("the `functools.partial` names no task".to_string());
    };
    if call.arguments.args.len() > 1 {
        return Err(
            "a Flyte 1 map task binds only the keywords of a `functools.partial`: bind the \
             values by keyword"
                .to_string(),
        );
    }
    let mut keywords = Vec::with_capacity(call.arguments.keywords.len());
    for kw in &call.arguments.keywords {
        let Some(name) = keyword_name(kw) else {
            return Err("the `functools.partial` binds `**` keywords".to_string());
        };
        keywords.push((name, &kw.value));
    }
    Ok((
        function,
        Some(Partial {
            call,
            inline: variable.is_none(),
            variable,
            keywords,
        }),
    ))
}

fn is_partial_call(checker: &Checker, expr: &Expr) -> bool {
    matches!(expr, Expr::Call(call) if checker.resolves_to(&call.func, &["functools.partial"]))
}

/// The role of one task parameter in the map.
#[derive(Clone, Copy)]
enum Role<'a> {
    Mapped(&'a Expr),
    Bound(&'a Expr),
    Free { has_default: bool },
}

/// How `flyte.map` expresses the Flyte 1 map task. `flyte.map` passes each item positionally,
/// after the positional arguments of a partial, and accepts a partial only when it leaves
/// exactly one parameter unbound. So one mapped list with every other parameter bound keeps the
/// partial (the values before the mapped parameter become its positional arguments); otherwise
/// every parameter up to the last mapped or bound one is passed as an iterable, a bound value as
/// `itertools.repeat(value)`.
fn plan<'a>(checker: &Checker<'a>, target: &'a Expr, outer: &'a ExprCall) -> Result<Plan, String> {
    let arguments = &outer.arguments;
    if arguments.args.iter().any(Expr::is_starred_expr)
        || arguments.keywords.iter().any(|k| k.arg.is_none())
    {
        return Err("pass the mapped lists by name or position, without `*` or `**`".to_string());
    }
    if arguments.args.is_empty() && arguments.keywords.is_empty() {
        return Err("nothing is mapped".to_string());
    }
    let mapped_count = arguments.args.len() + arguments.keywords.len();
    let (function, partial) = split_target(checker, target)?;
    let def = match function {
        Expr::Name(name) => checker.module_function(name),
        _ => None,
    };
    let Some(def) = def else {
        // The parameters are unknown. A Flyte 1 map task maps every parameter a partial does
        // not bind, so one list by name is the task's only parameter, and lists by position
        // are in the task's order already.
        if partial.is_some() {
            return Err(
                "the task is defined in another file, so it is unknown whether the partial \
                 leaves its first parameter to `flyte.map` (which passes each item \
                 positionally)"
                    .to_string(),
            );
        }
        if !arguments.args.is_empty() && !arguments.keywords.is_empty()
            || arguments.keywords.len() > 1
        {
            return Err(
                "several lists are mapped and their positional order is unknown (the task is \
                 defined elsewhere)"
                    .to_string(),
            );
        }
        let lists = arguments
            .args
            .iter()
            .chain(arguments.keywords.iter().map(|k| &k.value))
            .map(|e| checker.text(e.range()).to_string())
            .collect();
        return Ok(Plan {
            target: checker.text(target.range()).to_string(),
            lists,
            edits: Vec::new(),
            repeat: false,
            mapped: mapped_count,
        });
    };

    let parameters = &def.parameters;
    let positional: Vec<&ParameterWithDefault> = parameters
        .posonlyargs
        .iter()
        .chain(&parameters.args)
        .collect();
    let keyword_only: Vec<&ParameterWithDefault> = parameters.kwonlyargs.iter().collect();
    let task = def.name.id.as_str();
    let is_parameter = |name: &str| {
        positional
            .iter()
            .chain(&keyword_only)
            .any(|p| p.parameter.name.id.as_str() == name)
    };

    let mut mapped: Vec<(&str, &Expr)> = Vec::with_capacity(mapped_count);
    for (i, value) in arguments.args.iter().enumerate() {
        let Some(p) = positional.get(i) else {
            return Err(format!(
                "more lists are mapped than `{task}` has parameters"
            ));
        };
        mapped.push((p.parameter.name.id.as_str(), value));
    }
    for kw in &arguments.keywords {
        let Some(name) = keyword_name(kw) else {
            continue;
        };
        if mapped.iter().any(|(n, _)| *n == name) {
            return Err(format!("`{name}` is mapped twice"));
        }
        if !is_parameter(name) {
            return Err(format!(
                "the mapped inputs do not match the task's parameters: `{name}` is not a \
                 parameter of `{task}`"
            ));
        }
        mapped.push((name, &kw.value));
    }
    let bound: &[(&str, &Expr)] = partial.as_ref().map_or(&[], |p| &p.keywords);
    for (name, _) in bound {
        if !is_parameter(name) {
            return Err(format!(
                "the partial binds `{name}`, which is not a parameter of `{task}`"
            ));
        }
        if mapped.iter().any(|(n, _)| n == name) {
            return Err(format!("`{name}` is both bound by the partial and mapped"));
        }
    }
    if let Some(p) = keyword_only.iter().find(|p| {
        mapped
            .iter()
            .any(|(n, _)| *n == p.parameter.name.id.as_str())
    }) {
        return Err(format!(
            "`{}` is keyword-only, and `flyte.map` passes the mapped lists positionally",
            p.parameter.name.id
        ));
    }
    let role = |p: &ParameterWithDefault| -> Role {
        let name = p.parameter.name.id.as_str();
        if let Some((_, value)) = mapped.iter().find(|(n, _)| *n == name) {
            Role::Mapped(value)
        } else if let Some((_, value)) = bound.iter().find(|(n, _)| *n == name) {
            Role::Bound(value)
        } else {
            Role::Free {
                has_default: p.default.is_some(),
            }
        }
    };

    // One list through a partial that binds everything else: keep the partial.
    if let Some(partial) = &partial
        && mapped.len() == 1
        && positional
            .iter()
            .chain(&keyword_only)
            .all(|p| !matches!(role(p), Role::Free { .. }))
        && let Some(index) = positional
            .iter()
            .position(|p| matches!(role(p), Role::Mapped(_)))
    {
        let list = checker.text(mapped[0].1.range()).to_string();
        let keep = |target: String| Plan {
            target,
            lists: vec![list.clone()],
            edits: Vec::new(),
            repeat: false,
            mapped: 1,
        };
        if index == 0 {
            return Ok(keep(checker.text(target.range()).to_string()));
        }
        let leading: Vec<&str> = positional[..index]
            .iter()
            .map(|p| p.parameter.name.id.as_str())
            .collect();
        let mut args = vec![checker.text(function.range()).to_string()];
        for name in &leading {
            if let Some((_, value)) = bound.iter().find(|(n, _)| n == name) {
                args.push(checker.text(value.range()).to_string());
            }
        }
        for (name, value) in bound {
            if !leading.contains(name) {
                args.push(format!("{name}={}", checker.text(value.range())));
            }
        }
        let rewritten = format!(
            "{}({})",
            checker.text(partial.call.func.range()),
            args.join(", ")
        );
        if partial.inline {
            return Ok(keep(rewritten));
        }
        if partial.variable.is_some_and(|(uses, _)| uses == 1) {
            let mut plan = keep(checker.text(target.range()).to_string());
            plan.edits
                .push(Edit::replace(partial.call.range(), rewritten));
            return Ok(plan);
        }
    }

    // Every parameter up to the last mapped or bound one, as an iterable.
    if let Some(partial) = &partial
        && !partial.inline
        && let Some((name, _)) = bound
            .iter()
            .find(|(_, value)| !stable_value(checker, value, partial.variable))
    {
        return Err(format!(
            "`flyte.map` needs the partial's value of `{name}` where the map is, and it may \
             differ there: bind it inline (`map_task(functools.partial(...))`)"
        ));
    }
    if let Some(p) = keyword_only
        .iter()
        .find(|p| matches!(role(p), Role::Bound(_)))
    {
        return Err(format!(
            "`{}` is keyword-only: `flyte.map` needs a partial that leaves exactly one \
             parameter unbound, and cannot pass it with several lists",
            p.parameter.name.id
        ));
    }
    let Some(last) = positional
        .iter()
        .rposition(|p| !matches!(role(p), Role::Free { .. }))
    else {
        return Err("nothing is mapped".to_string());
    };
    let mut lists = Vec::with_capacity(last + 1);
    let mut repeat = false;
    for p in &positional[..=last] {
        match role(p) {
            Role::Mapped(value) => lists.push(checker.text(value.range()).to_string()),
            Role::Bound(value) => {
                repeat = true;
                lists.push(format!("itertools.repeat({})", checker.text(value.range())));
            }
            Role::Free { .. } => {
                return Err(format!(
                    "`{}` is neither mapped nor bound, and `flyte.map` passes the lists \
                     positionally: the mapped inputs do not match the task's leading parameters",
                    p.parameter.name.id
                ));
            }
        }
    }
    if let Some(p) = positional
        .iter()
        .skip(last + 1)
        .chain(&keyword_only)
        .find(|p| matches!(role(p), Role::Free { has_default: false }))
    {
        return Err(format!(
            "`{}` is neither mapped nor bound and has no default",
            p.parameter.name.id
        ));
    }
    Ok(Plan {
        target: checker.text(function.range()).to_string(),
        lists,
        edits: Vec::new(),
        repeat,
        mapped: mapped.len(),
    })
}

/// Whether a value a partial binds reads the same where the map is: a literal, or a name bound
/// once, in the partial's scope or at module level.
fn stable_value(checker: &Checker, value: &Expr, variable: Option<(u32, ScopeId)>) -> bool {
    if value.is_literal_expr() {
        return true;
    }
    let Expr::Name(name) = value else {
        return false;
    };
    let Some(binding) = checker.semantic.binding_of(name.range.start()) else {
        return false;
    };
    let in_scope = binding.scope == 0 || variable.is_some_and(|(_, scope)| scope == binding.scope);
    let bindings = checker
        .semantic
        .bindings_in(binding.scope, binding.name)
        .count();
    in_scope && bindings == 1
}

/// The function that gives a Flyte 1 success threshold to `flyte.map`'s results.
const THRESHOLD_HELPER: &str = "map_with_min_successes";

/// Its definition, one line per entry. Flyte 1 made a failed item `None` and failed the map
/// once fewer items could succeed than `min_successes` (or `ceil(n * min_success_ratio)`),
/// with the error of the failure that crossed the line; `flyte.map(..., return_exceptions=True)`
/// returns every item's result or error, in order.
const THRESHOLD_DEFINITION: &[&str] = &[
    "def map_with_min_successes(results, min_successes=None, min_success_ratio=None):",
    "    \"\"\"Flyte 1's success threshold of a map task over `flyte.map(..., return_exceptions=True)`:",
    "    a failed item is `None`, and the map fails when fewer items succeed than `min_successes`",
    "    (or `ceil(len(results) * min_success_ratio)`).\"\"\"",
    "    if min_successes is None:",
    "        min_successes = math.ceil(len(results) * min_success_ratio)",
    "    failures = [result for result in results if isinstance(result, Exception)]",
    "    if failures and len(results) - len(failures) < min_successes:",
    "        raise failures[max(len(results) - min_successes, 0)]",
    "    return [None if isinstance(result, Exception) else result for result in results]",
];

/// The edits that define [`THRESHOLD_HELPER`] in the module (none when it is there already),
/// or why it cannot be.
fn threshold_helper(checker: &Checker) -> Result<Vec<Edit>, String> {
    let lines: Vec<String> = THRESHOLD_DEFINITION.iter().map(|l| l.to_string()).collect();
    let mut bindings = checker.semantic.bindings_in(0, THRESHOLD_HELPER);
    if let Some(binding) = bindings.next() {
        // Defined by an earlier fix: the same function, word for word.
        let ours = bindings.next().is_none()
            && checker.module.iter().any(|stmt| {
                matches!(stmt, ruff_python_ast::Stmt::FunctionDef(def)
                    if def.name.range == binding.range
                        && checker.text(stmt.range()).lines().eq(lines.iter().map(String::as_str)))
            });
        return if ours {
            Ok(Vec::new())
        } else {
            Err(format!(
                "Flyte 2 has no success threshold: `{THRESHOLD_HELPER}` is taken here, so map \
                 with `flyte.map(..., return_exceptions=True)` and check the share of results \
                 that are not exceptions by hand"
            ))
        };
    }
    super::define_after_imports(checker, &["math"], &lines).ok_or_else(|| {
        "Flyte 2 has no success threshold: the name `math` is taken here, so map with \
         `flyte.map(..., return_exceptions=True)` and check the share of results that are not \
         exceptions by hand"
            .to_string()
    })
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
    follow(checker, expr).0
}

/// [`dereference`], with the uses and scope of the first name followed (the variable that
/// holds the partial), when one was.
fn follow<'a>(checker: &Checker<'a>, expr: &'a Expr) -> (&'a Expr, Option<(u32, ScopeId)>) {
    let mut current = expr;
    let mut variable = None;
    for _ in 0..4 {
        let Expr::Name(name) = current else {
            break;
        };
        let Some(binding) = checker.semantic.binding_of(name.range.start()) else {
            break;
        };
        match &binding.kind {
            BindingKind::Assignment { value, .. }
                if matches!(value, Expr::Name(_)) || is_partial_call(checker, value) =>
            {
                variable.get_or_insert((binding.uses, binding.scope));
                current = value;
            }
            _ => break,
        }
    }
    (current, variable)
}
