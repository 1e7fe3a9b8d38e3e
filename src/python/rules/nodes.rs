//! FM309 `create-node` and FM310 `async-task-from-sync`: calls inside orchestrating bodies.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;

const CREATE_NODE: &[&str] = &[
    "flytekit.core.node_creation.create_node",
    "flytekit.create_node",
];

pub fn call(checker: &mut Checker, call: &ExprCall) {
    create_node(checker, call);
    async_from_sync(checker, call);
}

/// FM309: `n = create_node(t, x=1)` is the call `t(x=1)` in Flyte 2.
fn create_node(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::CreateNode) || !checker.resolves_to(&call.func, CREATE_NODE) {
        return;
    }
    let mut diagnostic = Diagnostic::new(
        Rule::CreateNode,
        "`create_node(...)` does not exist in Flyte 2: call the task",
        call.range(),
    );
    let Some((entity, rest)) = call.arguments.args.split_first() else {
        checker.report(diagnostic.with_help("Call the task directly"));
        return;
    };
    let arguments: Vec<&str> = rest
        .iter()
        .map(|a| checker.text(a.range()))
        .chain(
            call.arguments
                .keywords
                .iter()
                .map(|k| checker.text(k.range)),
        )
        .collect();
    let replacement = format!("{}({})", checker.text(entity.range()), arguments.join(", "));
    diagnostic = diagnostic.with_help(format!(
        "Replace with `{replacement}`; use its value where the node's outputs were read"
    ));
    // The node must not be read as a node (`n.o0`, `n.outputs[...]`): only ordered or unused.
    let node_name = match checker.current_stmt() {
        Some(Stmt::Assign(a)) if a.value.range() == call.range() => match a.targets.as_slice() {
            [Expr::Name(n)] => Some(n.id.as_str()),
            _ => {
                checker.report(diagnostic);
                return;
            }
        },
        Some(Stmt::Expr(e)) if e.value.range() == call.range() => None,
        _ => {
            checker.report(diagnostic);
            return;
        }
    };
    let read_as_node = match (node_name, checker.function()) {
        (Some(name), Some(function)) => reads_node_attributes(function.def, name),
        (Some(_), None) => true,
        (None, _) => false,
    };
    if !rest.is_empty() || read_as_node {
        checker.report(diagnostic);
        return;
    }
    checker.report(diagnostic.with_fix(Fix::unsafe_edits(vec![Edit::replace(
        call.range(),
        replacement,
    )])));
}

/// Whether a body reads attributes of `name` other than `runs_before`.
fn reads_node_attributes(def: &StmtFunctionDef, name: &str) -> bool {
    struct Reads<'n> {
        name: &'n str,
        found: bool,
    }
    impl<'a> Visitor<'a> for Reads<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Attribute(attr) = expr
                && matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == self.name)
                && attr.attr.id.as_str() != "runs_before"
            {
                self.found = true;
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut reads = Reads { name, found: false };
    reads.visit_body(&def.body);
    reads.found
}

/// FM310: a sync task calling an async task gets an un-awaited coroutine in Flyte 2, silently.
fn async_from_sync(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::AsyncFromSync) {
        return;
    }
    let Some(function) = checker.function() else {
        return;
    };
    if function.def.is_async || !checker.is_task_function(function.def) {
        return;
    }
    let Expr::Name(name) = &*call.func else {
        return;
    };
    let Some(callee) = checker.module_function(name) else {
        return;
    };
    if !callee.is_async || !checker.is_task_function(callee) {
        return;
    }
    let caller = function.def.name.id.to_string();
    checker.report(
        Diagnostic::new(
            Rule::AsyncFromSync,
            format!(
                "`{caller}` is sync and calls the async task `{}`: in Flyte 2 the call returns a coroutine that never runs",
                name.id
            ),
            call.range(),
        )
        .with_help(format!(
            "Make `{caller}` `async` and `await` the call (and call its sync tasks as \
             `await t.aio(...)`), or make `{}` sync",
            name.id
        )),
    );
}
