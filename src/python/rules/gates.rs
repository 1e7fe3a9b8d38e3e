//! FM313 `gate-node`: `sleep`, `wait_for_input` and `approve` gate nodes of a workflow.
//!
//! A Flyte 1 gate is a node of the workflow graph. A Flyte 2 workflow is a task whose body runs
//! as Python, so a sleep is a sleep of the orchestrating task and an input is a condition it
//! waits on (`flyte.new_condition(...).wait()`).

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprCall, Operator, Stmt, StmtFunctionDef};
use ruff_text_size::Ranged;

use super::keyword_name;
use crate::checker::Checker;
use crate::checker::FlyteKind;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;

/// The value types a Flyte 2 condition can carry (`flyte._condition.ConditionType`).
const CONDITION_TYPES: &[&str] = &["bool", "int", "float", "str"];

/// flytekit's gate nodes: their fixes are blocking calls of a sync task (so a body with one
/// stays sync in the async style).
pub const NODES: &[&str] = &[
    "flytekit.sleep",
    "flytekit.wait_for_input",
    "flytekit.approve",
];

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::GateNode) {
        return;
    }
    let Some(qualified) = checker.resolve(&call.func) else {
        return;
    };
    match &*qualified {
        "flytekit.sleep" => sleep(checker, call),
        "flytekit.wait_for_input" => wait_for_input(checker, call),
        "flytekit.approve" => approve(checker, call),
        _ => {}
    }
}

/// The workflow whose body the call is directly in (not a nested function), if it stays sync.
/// A sync `@env.task` counts too: it is a workflow that an earlier fix round rewrote, and a
/// flytekit gate cannot work in a Flyte 2 task anyway.
fn sync_workflow<'a>(checker: &Checker<'a>) -> Option<&'a StmtFunctionDef> {
    let function = checker.function()?;
    let workflow = match function.kind {
        Some(kind) => kind == FlyteKind::Workflow,
        None => crate::env::environment_of(checker, function.def).is_some(),
    };
    (workflow && !function.def.is_async).then_some(function.def)
}

/// The argument `name=` (or the `position`-th positional one).
fn argument<'a>(call: &'a ExprCall, position: usize, name: &str) -> Option<&'a Expr> {
    call.arguments
        .keywords
        .iter()
        .find(|k| keyword_name(k) == Some(name))
        .map(|k| &k.value)
        .or_else(|| call.arguments.args.get(position))
}

/// Whether the call's arguments are plain: positional, then keywords, no `*`/`**`.
fn plain_arguments(call: &ExprCall, names: &[&str]) -> bool {
    call.arguments.args.len() <= names.len()
        && !call.arguments.args.iter().any(Expr::is_starred_expr)
        && call.arguments.keywords.iter().all(|k| {
            keyword_name(k).is_some_and(|n| names[call.arguments.args.len()..].contains(&n))
        })
}

/// `sleep(duration)` as a statement of a workflow → `time.sleep(duration.total_seconds())`.
fn sleep(checker: &mut Checker, call: &ExprCall) {
    let diagnostic = Diagnostic::new(
        Rule::GateNode,
        "`sleep(...)` is a Flyte 1 gate node: the Flyte 2 workflow task sleeps itself",
        call.range(),
    );
    let workflow = sync_workflow(checker);
    // What the sleep replaces: the call of a statement, or a whole `node = sleep(...)` whose
    // node nothing reads any more (its `>>` orderings are gone: statements run in order).
    let replaced = match (checker.current_stmt(), workflow) {
        (Some(Stmt::Expr(e)), _) if e.value.range() == call.range() => Some(call.range()),
        (Some(stmt @ Stmt::Assign(a)), Some(_)) if a.value.range() == call.range() => {
            match a.targets.as_slice() {
                [Expr::Name(target)]
                    if !checker
                        .semantic
                        .bindings()
                        .iter()
                        .any(|b| b.range == target.range && b.uses > 0) =>
                {
                    Some(stmt.range())
                }
                _ => None,
            }
        }
        _ => None,
    };
    let duration = plain_arguments(call, &["duration"])
        .then(|| argument(call, 0, "duration"))
        .flatten();
    let (Some(duration), Some(replaced), Some(_)) = (duration, replaced, workflow) else {
        checker.report(diagnostic.with_help(
            "Sleep in the orchestrating task (`time.sleep(duration.total_seconds())`, or `await asyncio.sleep(...)` in an async one), or run a task of an environment with `plugin_config=flyte.extras.Sleep()`",
        ));
        return;
    };
    let Some(mut edits) = checker.import_module("time") else {
        checker.report(
            diagnostic
                .with_help("`time` is taken: sleep with `time.sleep(duration.total_seconds())`"),
        );
        return;
    };
    let text = checker.text(duration.range());
    let duration = if matches!(duration, Expr::Name(_) | Expr::Call(_) | Expr::Attribute(_)) {
        text.to_string()
    } else {
        format!("({text})")
    };
    let replacement = format!("time.sleep({duration}.total_seconds())");
    edits.push(Edit::replace(replaced, replacement.clone()));
    checker.report(
        diagnostic
            .with_help(format!("Replace with `{replacement}`"))
            .with_fix(Fix::unsafe_edits(edits)),
    );
}

/// `wait_for_input(name, timeout=..., expected_type=T)` in a workflow →
/// `flyte.new_condition(name, data_type=T, timeout=...).wait()`.
fn wait_for_input(checker: &mut Checker, call: &ExprCall) {
    let diagnostic = Diagnostic::new(
        Rule::GateNode,
        "`wait_for_input(...)` is a Flyte 1 gate node: Flyte 2 waits on a condition",
        call.range(),
    );
    let help = "In the orchestrating task: `flyte.new_condition(\"<name>\", data_type=<bool, int, float or str>, timeout=...).wait()`; signal it from the UI or `flyte.remote`";
    let names = ["name", "timeout", "expected_type"];
    let arguments = plain_arguments(call, &names).then(|| {
        [
            argument(call, 0, "name"),
            argument(call, 1, "timeout"),
            argument(call, 2, "expected_type"),
        ]
    });
    let Some([Some(name), Some(timeout), Some(expected)]) = arguments else {
        checker.report(diagnostic.with_help(help));
        return;
    };
    // A builtin type, not rebound.
    let builtin = matches!(expected, Expr::Name(n) if CONDITION_TYPES.contains(&n.id.as_str())
        && checker.semantic.binding_of(n.range.start()).is_none());
    let workflow = sync_workflow(checker);
    // The value must not be ordered as a node (`x >> t()`): it is a plain value now.
    let ordered = match (checker.current_stmt(), workflow) {
        (Some(Stmt::Assign(a)), Some(def)) if a.value.range() == call.range() => {
            match a.targets.as_slice() {
                [Expr::Name(target)] => ordered(def, target.id.as_str()),
                _ => true,
            }
        }
        _ => false,
    };
    let in_chain = checker.has_ancestor(
        |e| matches!(e, Expr::BinOp(b) if matches!(b.op, Operator::RShift | Operator::LShift)),
    );
    if !builtin || workflow.is_none() || ordered || in_chain {
        checker.report(diagnostic.with_help(help));
        return;
    }
    let Some(mut edits) = checker.import_module("flyte") else {
        checker.report(diagnostic.with_help(help));
        return;
    };
    let replacement = format!(
        "flyte.new_condition({}, data_type={}, timeout={}).wait()",
        checker.text(name.range()),
        checker.text(expected.range()),
        checker.text(timeout.range()),
    );
    edits.push(Edit::replace(call.range(), replacement.clone()));
    checker.report(
        diagnostic
            .with_help(format!("Replace with `{replacement}`"))
            .with_fix(Fix::unsafe_edits(edits)),
    );
}

/// Whether `name` is an operand of `>>`/`<<` (or calls `runs_before`) in the body.
fn ordered(def: &StmtFunctionDef, name: &str) -> bool {
    struct Finder<'n> {
        name: &'n str,
        found: bool,
    }
    impl<'x> Visitor<'x> for Finder<'_> {
        fn visit_expr(&mut self, expr: &'x Expr) {
            let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == self.name);
            match expr {
                Expr::BinOp(b)
                    if matches!(b.op, Operator::RShift | Operator::LShift)
                        && (is_name(&b.left) || is_name(&b.right)) =>
                {
                    self.found = true;
                }
                Expr::Attribute(a) if is_name(&a.value) => self.found = true,
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    let mut finder = Finder { name, found: false };
    finder.visit_body(&def.body);
    finder.found
}

/// `approve(value, name, timeout=...)` in a statement of a workflow → a condition checked
/// before the statement, which then reads `value`.
fn approve(checker: &mut Checker, call: &ExprCall) {
    let diagnostic = Diagnostic::new(
        Rule::GateNode,
        "`approve(...)` is a Flyte 1 gate node: Flyte 2 waits on a condition",
        call.range(),
    );
    let help = "In the orchestrating task: `if not flyte.new_condition(\"<name>\", data_type=bool, timeout=...).wait(): raise ...`, then use the approved value";
    let names = ["upstream_item", "name", "timeout"];
    let arguments = plain_arguments(call, &names).then(|| {
        [
            argument(call, 0, "upstream_item"),
            argument(call, 1, "name"),
            argument(call, 2, "timeout"),
        ]
    });
    let Some([Some(upstream @ Expr::Name(_)), Some(name), Some(timeout)]) = arguments else {
        checker.report(diagnostic.with_help(help));
        return;
    };
    // A simple statement directly in a sync workflow's body, outside `>>` chains.
    let statement = checker.current_stmt().filter(|stmt| {
        matches!(
            stmt,
            Stmt::Assign(_) | Stmt::AnnAssign(_) | Stmt::Return(_) | Stmt::Expr(_)
        )
    });
    let in_body = match (statement, sync_workflow(checker)) {
        (Some(stmt), Some(def)) => def.body.iter().any(|s| s.range() == stmt.range()),
        _ => false,
    };
    let in_chain = checker.has_ancestor(
        |e| matches!(e, Expr::BinOp(b) if matches!(b.op, Operator::RShift | Operator::LShift)),
    );
    let (Some(stmt), true, false) = (statement, in_body, in_chain) else {
        checker.report(diagnostic.with_help(help));
        return;
    };
    let line_start = checker.locator.line_start(stmt.range().start());
    let indent = checker.text(ruff_text_size::TextRange::new(
        line_start,
        stmt.range().start(),
    ));
    let Some(mut edits) = checker
        .import_module("flyte")
        .filter(|_| indent.trim().is_empty())
    else {
        checker.report(diagnostic.with_help(help));
        return;
    };
    let newline = checker.line_ending.as_str();
    let name = checker.text(name.range());
    edits.push(Edit::insert(
        line_start,
        format!(
            "{indent}if not flyte.new_condition({name}, data_type=bool, timeout={}).wait():{newline}{indent}    raise RuntimeError(\"not approved: \" + {name}){newline}",
            checker.text(timeout.range()),
        ),
    ));
    edits.push(Edit::replace(call.range(), checker.text(upstream.range())));
    checker.report(
        diagnostic
            .with_help(format!(
                "Check `flyte.new_condition({name}, data_type=bool, ...).wait()` before the statement, raise when it is false, and use `{}`",
                checker.text(upstream.range())
            ))
            .with_fix(Fix::unsafe_edits(edits)),
    );
}
