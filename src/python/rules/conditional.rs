//! FM306 `conditional`: `conditional("n").if_(p).then(a).elif_(q).then(b).else_().then(c)` is
//! plain `if`/`elif`/`else` in Flyte 2, where task results are values.

use ruff_python_ast::{Expr, ExprCall, Operator, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;

/// One step of the chain after `conditional(...)`.
struct Step<'a> {
    method: &'a str,
    arg: Option<&'a Expr>,
}

/// What the statement does with the chain's value.
enum Use<'a> {
    Return,
    Assign(&'a str),
    /// `name: annotation = ...`: the annotation goes on a line of its own before the `if`.
    AnnAssign(&'a str, &'a str),
    Discard,
}

/// The chain of a statement holding a `conditional(...)` expression.
pub fn statement(checker: &mut Checker, stmt: &Stmt) {
    if !checker.enabled(Rule::Conditional) {
        return;
    }
    let (value, usage) = match stmt {
        Stmt::Return(ret) => match &ret.value {
            Some(value) => (&**value, Use::Return),
            None => return,
        },
        Stmt::Assign(assign) => match assign.targets.as_slice() {
            [target] if names_only(target) => {
                (&*assign.value, Use::Assign(checker.text(target.range())))
            }
            _ => (&*assign.value, Use::Discard),
        },
        Stmt::AnnAssign(assign) => match (&*assign.target, &assign.value) {
            (Expr::Name(name), Some(value)) => (
                &**value,
                Use::AnnAssign(name.id.as_str(), checker.text(assign.annotation.range())),
            ),
            _ => return,
        },
        Stmt::Expr(expr) => (&*expr.value, Use::Discard),
        _ => return,
    };
    let Some(steps) = chain(checker, value) else {
        return;
    };
    let mut diagnostic = Diagnostic::new(
        Rule::Conditional,
        "`conditional(...)` does not exist in Flyte 2: task results are values, so use `if`/`elif`/`else`",
        value.range(),
    );
    let manual = "Rewrite the chain as `if`/`elif`/`else` around the task calls by hand";
    let assigned_elsewhere =
        matches!(stmt, Stmt::Assign(a) if a.targets.len() != 1 || !names_only(&a.targets[0]));
    let Some(indent) = checker.locator.indentation(stmt.start()) else {
        checker.report(diagnostic.with_help(manual));
        return;
    };
    if assigned_elsewhere {
        checker.report(diagnostic.with_help(manual));
        return;
    }
    let Some(text) = render(checker, &steps, &usage, indent) else {
        checker.report(diagnostic.with_help(format!(
            "{manual}: a condition or branch has no direct Python spelling"
        )));
        return;
    };
    let mut help =
        "Replace with `if`/`elif`/`else`; `.fail(msg)` becomes `raise ValueError(msg)`".to_string();
    if super::contains_comment(checker.text(stmt.range())) {
        help.push_str(" (the comments inside the chain are dropped: move them by hand)");
    }
    diagnostic = diagnostic
        .with_help(help)
        .with_fix(Fix::unsafe_edits(vec![Edit::replace(stmt.range(), text)]));
    checker.report(diagnostic);
}

/// A target that each branch can assign as it stands: a name, or a tuple or list of names (the
/// outputs of a task with several).
fn names_only(target: &Expr) -> bool {
    match target {
        Expr::Name(_) => true,
        Expr::Tuple(t) => !t.elts.is_empty() && t.elts.iter().all(Expr::is_name_expr),
        Expr::List(l) => !l.elts.is_empty() && l.elts.iter().all(Expr::is_name_expr),
        _ => false,
    }
}

/// The steps of `conditional(...).if_(...)...` in source order, when `expr` is such a chain.
fn chain<'a>(checker: &Checker, expr: &'a Expr) -> Option<Vec<Step<'a>>> {
    let mut steps = Vec::new();
    let mut current = expr;
    loop {
        let Expr::Call(call) = current else {
            return None;
        };
        match &*call.func {
            func if checker.resolves_to(func, &["flytekit.conditional"]) => {
                steps.reverse();
                return Some(steps);
            }
            Expr::Attribute(attr) => {
                steps.push(Step {
                    method: attr.attr.id.as_str(),
                    arg: single_argument(call),
                });
                current = &attr.value;
            }
            _ => return None,
        }
    }
}

/// A `conditional(...)` chain that is not the whole value of a statement: reported without a
/// fix (the `if` needs a statement of its own).
pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::Conditional)
        || !checker.resolves_to(&call.func, &["flytekit.conditional"])
    {
        return;
    }
    // Climb to the end of the chain: `conditional(..).if_(..)...`.
    let mut top = call.range();
    let mut n = 0;
    while let (Some(Expr::Attribute(attr)), Some(Expr::Call(outer))) =
        (checker.ancestor_expr(n), checker.ancestor_expr(n + 1))
    {
        if attr.value.range() != top || outer.func.range() != attr.range {
            break;
        }
        top = outer.range();
        n += 2;
    }
    let whole_statement = match checker.current_stmt() {
        Some(Stmt::Return(r)) => r.value.as_ref().is_some_and(|v| v.range() == top),
        Some(Stmt::Assign(a)) => a.value.range() == top,
        Some(Stmt::AnnAssign(a)) => a.value.as_ref().is_some_and(|v| v.range() == top),
        Some(Stmt::Expr(e)) => e.value.range() == top,
        _ => false,
    };
    if whole_statement {
        return;
    }
    checker.report(
        Diagnostic::new(
            Rule::Conditional,
            "`conditional(...)` does not exist in Flyte 2: task results are values, so use `if`/`elif`/`else`",
            top,
        )
        .with_help(
            "Compute the value in an `if`/`elif`/`else` statement before this expression, by hand",
        ),
    );
}

fn single_argument(call: &ExprCall) -> Option<&Expr> {
    match (
        call.arguments.args.as_ref(),
        call.arguments.keywords.as_ref(),
    ) {
        ([arg], []) => Some(arg),
        ([], [kw]) => Some(&kw.value),
        _ => None,
    }
}

/// The `if`/`elif`/`else` statement for the chain.
fn render(checker: &Checker, steps: &[Step], usage: &Use, indent: &str) -> Option<String> {
    let nl = checker.line_ending.as_str();
    let inner = format!("{indent}    ");
    let mut out = match usage {
        Use::AnnAssign(name, annotation) => format!("{name}: {annotation}{nl}{indent}"),
        _ => String::new(),
    };
    let mut i = 0;
    let mut first = true;
    while i < steps.len() {
        let step = &steps[i];
        let header = match step.method {
            "if_" if first => format!("if {}:", enclosed(&predicate(checker, step.arg?)?)),
            "elif_" if !first => format!("elif {}:", enclosed(&predicate(checker, step.arg?)?)),
            "else_" if !first => "else:".to_string(),
            _ => return None,
        };
        let action = steps.get(i + 1)?;
        let body = match action.method {
            "then" => {
                let value = &enclosed(checker.text(action.arg?.range()));
                match usage {
                    Use::Return => format!("return {value}"),
                    Use::Assign(name) | Use::AnnAssign(name, _) => format!("{name} = {value}"),
                    Use::Discard => value.to_string(),
                }
            }
            "fail" => format!("raise ValueError({})", checker.text(action.arg?.range())),
            _ => return None,
        };
        if !first {
            out.push_str(nl);
            out.push_str(indent);
        }
        out.push_str(&header);
        out.push_str(nl);
        out.push_str(&inner);
        out.push_str(&body);
        first = false;
        i += 2;
    }
    (!first).then_some(out)
}

/// An expression's text as it can stand on its own: text that spans lines relied on the
/// parentheses of the call it came from, so it keeps a pair of its own.
fn enclosed(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(['\n', '\r']) {
        std::borrow::Cow::Owned(format!("({text})"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A flytekit predicate as a Python condition.
fn predicate(checker: &Checker, expr: &Expr) -> Option<String> {
    match expr {
        Expr::Compare(_) | Expr::Name(_) | Expr::Attribute(_) | Expr::BooleanLiteral(_) => {
            Some(checker.text(expr.range()).to_string())
        }
        Expr::BinOp(bin) => {
            let op = match bin.op {
                Operator::BitAnd => "and",
                Operator::BitOr => "or",
                _ => return None,
            };
            let left = predicate(checker, &bin.left)?;
            let right = predicate(checker, &bin.right)?;
            Some(format!("({left}) {op} ({right})"))
        }
        Expr::Call(call) if call.arguments.is_empty() => {
            let Expr::Attribute(attr) = &*call.func else {
                return None;
            };
            let subject = checker.text(attr.value.range());
            match attr.attr.id.as_str() {
                "is_true" => Some(format!("{subject} is True")),
                "is_false" => Some(format!("{subject} is False")),
                "is_none" => Some(format!("{subject} is None")),
                _ => None,
            }
        }
        _ => None,
    }
}
