//! FM303 `node-ordering`: `a >> b` and `a.runs_before(b)` between nodes of a workflow.
//!
//! A Flyte 2 task body runs its calls in statement order, so an ordering statement whose order
//! statement order already gives is removed; calls inside it stay as statements of their own.

use ruff_python_ast::{Expr, Operator, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::decorators::is_orchestrator;
use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;

pub fn statement(checker: &mut Checker, stmt: &Stmt, value: &Expr) {
    if !checker.enabled(Rule::NodeOrdering) {
        return;
    }
    let Some(operands) = ordering_operands(value) else {
        return;
    };
    // Only directly in a workflow body (or one already migrated), not in helpers nested in it.
    let Some(function) = checker.function() else {
        return;
    };
    if !is_orchestrator(function.kind)
        && crate::env::environment_of(checker, function.def).is_none()
    {
        return;
    }
    let body = &function.def.body;
    let mut diagnostic = Diagnostic::new(
        Rule::NodeOrdering,
        "Node ordering with `>>` does not exist in Flyte 2: calls run in statement order",
        value.range(),
    );
    let Some(index) = body.iter().position(|s| s.range() == stmt.range()) else {
        checker.report(
            diagnostic
                .with_help("Remove the ordering and make sure the calls run in the wanted order"),
        );
        return;
    };

    // The position at which each operand runs: a name when its defining statement runs, a call
    // here. The ordering holds when those positions never go backwards.
    let mut positions = Vec::with_capacity(operands.len());
    let mut calls: Vec<TextRange> = Vec::new();
    for operand in &operands {
        match operand {
            Expr::Name(name) => match defining_statement(&body[..index], name.id.as_str()) {
                Some(at) => positions.push((at, false)),
                None => {
                    checker.report(diagnostic.with_help(format!(
                        "`{}` is not a node assigned earlier in this body: remove the ordering \
                         and order the calls by hand",
                        name.id
                    )));
                    return;
                }
            },
            Expr::Call(call) => {
                positions.push((index, true));
                calls.push(call.range());
            }
            _ => {
                checker.report(diagnostic.with_help(
                    "Remove the ordering and make sure the calls run in the wanted order",
                ));
                return;
            }
        }
    }
    let ordered = positions.windows(2).all(|w| {
        let ((a, _), (b, b_is_call)) = (w[0], w[1]);
        a < b || (a == b && b_is_call)
    });
    if !ordered {
        checker.report(diagnostic.with_help(
            "Statement order differs from the order `>>` asks for: move the calls so they run in \
             that order, then remove the ordering",
        ));
        return;
    }
    let edit = if calls.is_empty() {
        checker.importer.delete_stmt(stmt, checker.locator)
    } else {
        let Some(indent) = checker.locator.indentation(stmt.start()) else {
            checker
                .report(diagnostic.with_help(
                    "Remove the ordering and keep its calls as statements of their own",
                ));
            return;
        };
        let separator = format!("{}{indent}", checker.line_ending.as_str());
        let text: Vec<&str> = calls.iter().map(|r| checker.text(*r)).collect();
        Edit::replace(stmt.range(), text.join(&separator))
    };
    diagnostic = diagnostic
        .with_help("Remove the ordering: statement order already runs the calls in this order")
        .with_fix(Fix::safe_edits(vec![edit]));
    checker.report(diagnostic);
}

/// The operands of `a >> b >> c` or `a.runs_before(b)`, left to right.
pub(crate) fn ordering_operands(expr: &Expr) -> Option<Vec<&Expr>> {
    match expr {
        Expr::BinOp(bin) if bin.op == Operator::RShift => {
            let mut operands = match &*bin.left {
                left @ Expr::BinOp(inner) if inner.op == Operator::RShift => {
                    ordering_operands(left)?
                }
                left => vec![left],
            };
            operands.push(&bin.right);
            Some(operands)
        }
        Expr::Call(call)
            if call.arguments.args.len() == 1
                && call.arguments.keywords.is_empty()
                && matches!(&*call.func, Expr::Attribute(a) if a.attr.id.as_str() == "runs_before") =>
        {
            let Expr::Attribute(attr) = &*call.func else {
                return None;
            };
            Some(vec![&attr.value, &call.arguments.args[0]])
        }
        _ => None,
    }
}

/// The index of the last statement in `body` that assigns `name`.
fn defining_statement(body: &[Stmt], name: &str) -> Option<usize> {
    body.iter().rposition(|stmt| match stmt {
        Stmt::Assign(assign) => assign.targets.iter().any(|t| binds(t, name)),
        Stmt::AnnAssign(assign) => binds(&assign.target, name),
        _ => false,
    })
}

fn binds(target: &Expr, name: &str) -> bool {
    match target {
        Expr::Name(n) => n.id.as_str() == name,
        Expr::Tuple(t) => t.elts.iter().any(|e| binds(e, name)),
        Expr::List(l) => l.elts.iter().any(|e| binds(e, name)),
        Expr::Starred(s) => binds(&s.value, name),
        _ => false,
    }
}
