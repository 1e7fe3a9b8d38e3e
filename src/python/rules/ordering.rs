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

    let (positions, calls) = match placement(body, index, &operands) {
        Ok(placed) => placed,
        Err(why) => {
            checker.report(diagnostic.with_help(why));
            return;
        }
    };
    let ordered = in_order(&positions);
    // A body with several orderings is fixed only when all of them already hold: a move for
    // one could break another, also one that an earlier fix removed.
    let other_orderings = orderings_in(body) > 1;
    if ordered && other_orderings && others_out_of_order(body, index) {
        checker.report(diagnostic.with_help(
            "Remove the ordering once the calls of the other orderings in this body are moved so \
             that statement order gives them",
        ));
        return;
    }
    if !ordered {
        let reordered = if other_orderings {
            None
        } else {
            reorder(checker, body, index, &operands, &positions)
        };
        match reordered {
            Some((edits, moved)) => checker.report(
                diagnostic
                    .with_help(format!(
                        "Statement order differs from the order `>>` asks for: move `{moved}` up \
                         to where the ordering needs it, and remove the ordering (nothing in \
                         between reads or changes what it uses)"
                    ))
                    .with_fix(Fix::unsafe_edits(edits)),
            ),
            None => checker.report(diagnostic.with_help(if other_orderings {
                "Statement order differs from the order `>>` asks for: move the calls so they \
                 run in that order, then remove the ordering (with several orderings in this \
                 body, none is moved automatically)"
            } else {
                "Statement order differs from the order `>>` asks for: move the calls so they \
                 run in that order, then remove the ordering"
            })),
        }
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

/// `a >> b` where `a` runs after `b` in statement order: `a` (the call, or the statement that
/// assigns the node) moves up to just before the statement that assigns `b`, and the ordering
/// goes. Flyte 1 ordered nodes by their data and by `>>` only, so any statement order that keeps
/// both is the same workflow; the move is made only when no statement it passes reads or
/// changes what it uses, or uses what it binds. The edits, and the text moved.
fn reorder<'a>(
    checker: &Checker<'a>,
    body: &'a [Stmt],
    index: usize,
    operands: &[&'a Expr],
    positions: &[(usize, bool)],
) -> Option<(Vec<Edit>, String)> {
    use super::orchestration::Names;
    // The one operand that runs too late: the first of a pair whose order statement order
    // reverses. It moves to just before the next operand, and then every pair must be in order.
    let k = positions.windows(2).position(|w| w[0].0 > w[1].0)?;
    let (first, (at, first_is_call), (target, _)) = (operands[k], &positions[k], &positions[k + 1]);
    let other_calls = positions
        .iter()
        .enumerate()
        .any(|(i, (_, is_call))| i != k && *is_call);
    if other_calls {
        return None;
    }
    let mut after: Vec<(usize, u8)> = positions.iter().map(|(p, _)| (*p, 1)).collect();
    after[k] = (*target, 0);
    if !after.windows(2).all(|w| w[0] < w[1]) {
        return None;
    }
    // What moves: the call in the ordering statement, or the statement assigning the node.
    let (moved, names, from) = if *first_is_call {
        (first.range(), Names::of_expr(first), index)
    } else {
        let stmt = &body[*at];
        if !matches!(stmt, Stmt::Assign(_) | Stmt::AnnAssign(_)) {
            return None;
        }
        (stmt.range(), Names::of_stmt(stmt), *at)
    };
    let passed = body.get(*target..from)?;
    let simple = |s: &Stmt| matches!(s, Stmt::Assign(_) | Stmt::AnnAssign(_) | Stmt::Expr(_));
    if !passed.iter().all(simple) || passed.iter().any(|s| Names::of_stmt(s).conflicts(&names)) {
        return None;
    }
    let indent = checker.locator.indentation(body[*target].start())?;
    let text = checker.text(moved);
    let mut edits = vec![Edit::insert(
        body[*target].start(),
        format!("{text}{}{indent}", checker.line_ending.as_str()),
    )];
    let ordering = &body[index];
    if !*first_is_call {
        edits.push(checker.importer.delete_stmt(&body[*at], checker.locator));
    }
    edits.push(checker.importer.delete_stmt(ordering, checker.locator));
    Some((edits, text.to_string()))
}

/// Where each operand of an ordering runs (a statement index, and whether it is a call written in
/// the ordering), and the ranges of those calls.
type Placement = (Vec<(usize, bool)>, Vec<TextRange>);

/// The position at which each operand runs, and the calls written in the ordering: a name runs
/// when its defining statement runs, a call here; why not, when an operand is neither.
fn placement(body: &[Stmt], index: usize, operands: &[&Expr]) -> Result<Placement, String> {
    let mut positions = Vec::with_capacity(operands.len());
    let mut calls: Vec<TextRange> = Vec::new();
    for operand in operands {
        match operand {
            Expr::Name(name) => match defining_statement(&body[..index], name.id.as_str()) {
                Some(at) => positions.push((at, false)),
                None => {
                    return Err(format!(
                        "`{}` is not a node assigned earlier in this body: remove the ordering \
                         and order the calls by hand",
                        name.id
                    ));
                }
            },
            Expr::Call(call) => {
                positions.push((index, true));
                calls.push(call.range());
            }
            // `await t.aio() >> n`, as a body made async before the ordering was removed has it.
            Expr::Await(awaited) if awaited.value.is_call_expr() => {
                positions.push((index, true));
                calls.push(awaited.range);
            }
            _ => {
                return Err(
                    "Remove the ordering and make sure the calls run in the wanted order"
                        .to_string(),
                );
            }
        }
    }
    Ok((positions, calls))
}

/// Whether an ordering statement of `body` other than the one at `index` asks for another order
/// than statement order gives.
fn others_out_of_order(body: &[Stmt], index: usize) -> bool {
    body.iter().enumerate().any(|(i, s)| {
        i != index
            && matches!(s, Stmt::Expr(e) if ordering_operands(&e.value)
                .is_some_and(|ops| placement(body, i, &ops).is_ok_and(|(p, _)| !in_order(&p))))
    })
}

/// How many ordering statements a body holds, also inside its blocks.
fn orderings_in(body: &[Stmt]) -> usize {
    use ruff_python_ast::visitor::{self, Visitor};
    struct Count(usize);
    impl<'a> Visitor<'a> for Count {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::Expr(e) if ordering_operands(&e.value).is_some() => self.0 += 1,
                // Nested functions and classes are not this body.
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                _ => visitor::walk_stmt(self, stmt),
            }
        }
    }
    let mut count = Count(0);
    count.visit_body(body);
    count.0
}

/// Whether the positions never go backwards (a call after a name of the same statement is in
/// order: the name was assigned before).
fn in_order(positions: &[(usize, bool)]) -> bool {
    positions.windows(2).all(|w| {
        let ((a, _), (b, b_is_call)) = (w[0], w[1]);
        a < b || (a == b && b_is_call)
    })
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
