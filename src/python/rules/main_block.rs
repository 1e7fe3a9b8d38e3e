//! FM305 `main-block-run`: `if __name__ == "__main__": wf(x=1)` runs a workflow locally in
//! Flyte 1; in Flyte 2 a local run is `flyte.init()` then `flyte.run(task, ...)`.
//!
//! Calling a Flyte 2 task directly is plain Python: no type engine, no run context (so
//! `flyte.map`, `File.from_local` and reports need one), and an async task returns a coroutine.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{CmpOp, Expr, ExprCall, Stmt, StmtFunctionDef, StmtIf};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;

/// How many values a task returns, judged from its annotation.
enum Outputs {
    None,
    One,
    Several,
}

pub fn statement(checker: &mut Checker, stmt: &StmtIf) {
    if !checker.enabled(Rule::MainBlockRun) || !is_main_guard(&stmt.test) {
        return;
    }
    let mut calls = Calls { found: Vec::new() };
    calls.visit_body(&stmt.body);
    let mut sites: Vec<(&ExprCall, &StmtFunctionDef)> = Vec::new();
    for call in calls.found {
        let Expr::Name(name) = &*call.func else {
            continue;
        };
        if let Some(def) = checker.module_function(name)
            && checker.flyte_kind(def).is_some()
        {
            sites.push((call, def));
        }
    }
    let Some(first) = stmt.body.first() else {
        return;
    };
    let nl = checker.line_ending.as_str();
    // `flyte.init()` goes first in the block: on its own line, or before the first statement
    // when the block sits on the `if` line.
    let init = match checker.locator.indentation(first.start()) {
        Some(indent) => Edit::insert(
            checker.locator.line_start(first.start()),
            format!("{indent}flyte.init(){nl}"),
        ),
        None => Edit::insert(first.start(), "flyte.init(); "),
    };
    let import = checker.import_module("flyte");
    let initialised = calls_init(checker, &stmt.body);
    for (call, def) in sites {
        let name = def.name.id.as_str();
        let outputs = outputs(checker, def);
        let mut args = vec![checker.text(call.func.range()).to_string()];
        args.extend(
            call.arguments
                .args
                .iter()
                .map(|a| checker.text(a.range()).to_string()),
        );
        args.extend(
            call.arguments
                .keywords
                .iter()
                .map(|k| checker.text(k.range).to_string()),
        );
        let run = format!("flyte.run({})", args.join(", "));
        let replacement = match outputs {
            Outputs::None => run,
            Outputs::One => format!("{run}.outputs()[0]"),
            Outputs::Several => format!("{run}.outputs()"),
        };
        let mut diagnostic = Diagnostic::new(
            Rule::MainBlockRun,
            format!("Calling `{name}` directly is plain Python in Flyte 2, not a local run"),
            call.range(),
        )
        .with_help(format!(
            "Run it with `flyte.init()` and `{replacement}` (a local run with Flyte's type engine)"
        ));
        // An async task (`@eager`) is run through `asyncio.run(...)`, which `flyte.run` replaces
        // whole: left to a hand edit.
        let movable = !def.is_async
            && checker
                .plan
                .functions
                .get(&def.range.start())
                .is_some_and(|p| p.fix.is_some());
        if movable && let Some(import) = &import {
            let mut edits = import.clone();
            edits.push(Edit::replace(call.range(), replacement));
            if !initialised {
                edits.push(init.clone());
            }
            diagnostic = diagnostic.with_fix(Fix::unsafe_edits(edits));
        }
        checker.report(diagnostic);
    }
}

/// Whether the block already initialises Flyte 2 (`flyte.init(...)` or `init_from_config`).
fn calls_init(checker: &Checker, body: &[Stmt]) -> bool {
    let mut calls = Calls { found: Vec::new() };
    calls.visit_body(body);
    calls.found.iter().any(|call| {
        matches!(&*call.func, Expr::Attribute(a)
            if matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "flyte")
                && a.attr.id.as_str().starts_with("init"))
            || checker.resolves_to(
                &call.func,
                &[
                    "flyte.init",
                    "flyte.init_from_config",
                    "flyte.init_from_api_key",
                ],
            )
    })
}

pub(crate) fn is_main_guard(test: &Expr) -> bool {
    let Expr::Compare(compare) = test else {
        return false;
    };
    let [CmpOp::Eq] = &*compare.ops else {
        return false;
    };
    let [right] = &*compare.comparators else {
        return false;
    };
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    (is_name(&compare.left) && is_main(right)) || (is_main(&compare.left) && is_name(right))
}

fn outputs(checker: &Checker, def: &StmtFunctionDef) -> Outputs {
    let Some(returns) = &def.returns else {
        return Outputs::None;
    };
    if let Expr::Name(name) = &**returns
        && super::promises::named_tuple_fields(checker, name.id.as_str()).is_some()
    {
        return Outputs::Several;
    }
    match &**returns {
        Expr::NoneLiteral(_) => Outputs::None,
        Expr::Subscript(s) => match &*s.value {
            Expr::Name(n) if matches!(n.id.as_str(), "Tuple" | "tuple") => Outputs::Several,
            Expr::Attribute(a) if a.attr.id.as_str() == "Tuple" => Outputs::Several,
            _ => Outputs::One,
        },
        Expr::Call(_) => Outputs::Several,
        _ => Outputs::One,
    }
}

/// Every call in a block, outside nested functions and classes.
struct Calls<'a> {
    found: Vec<&'a ExprCall>,
}

impl<'a> Visitor<'a> for Calls<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            visitor::walk_stmt(self, stmt);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            self.found.push(call);
        }
        visitor::walk_expr(self, expr);
    }
}
