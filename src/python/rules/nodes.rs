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
    // `n.o0` of a task with one output is the call's value.
    let outputs = match (node_name, checker.function()) {
        (Some(name), Some(function)) => node_outputs(function.def, name)
            .filter(|o| o.is_empty() || single_output(checker, entity)),
        (Some(_), None) => None,
        (None, _) => Some(Vec::new()),
    };
    let Some(outputs) = outputs.filter(|_| rest.is_empty()) else {
        checker.report(diagnostic);
        return;
    };
    let mut edits = vec![Edit::replace(call.range(), replacement)];
    let name = node_name.unwrap_or_default();
    edits.extend(outputs.into_iter().map(|r| Edit::replace(r, name)));
    checker.report(diagnostic.with_fix(Fix::unsafe_edits(edits)));
}

/// The reads `name.o0` of a body's node, or `None` when it reads other attributes of it than
/// `runs_before` (its other outputs, `outputs`, ...).
fn node_outputs(def: &StmtFunctionDef, name: &str) -> Option<Vec<ruff_text_size::TextRange>> {
    struct Reads<'n> {
        name: &'n str,
        first: Vec<ruff_text_size::TextRange>,
        other: bool,
    }
    impl<'a> Visitor<'a> for Reads<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Attribute(attr) = expr
                && matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == self.name)
            {
                match attr.attr.id.as_str() {
                    "runs_before" => {}
                    "o0" if attr.ctx.is_load() => self.first.push(attr.range),
                    _ => self.other = true,
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut reads = Reads {
        name,
        first: Vec::new(),
        other: false,
    };
    reads.visit_body(&def.body);
    (!reads.other).then_some(reads.first)
}

/// Whether `entity` is a task of this module with one output: a return annotation that is no
/// tuple and names no class of the module (a `NamedTuple` has several).
fn single_output(checker: &Checker, entity: &Expr) -> bool {
    let Expr::Name(name) = entity else {
        return false;
    };
    let Some(def) = checker.module_function(name) else {
        return false;
    };
    let Some(returns) = def.returns.as_deref() else {
        return false;
    };
    let head = match returns {
        Expr::Subscript(s) => &*s.value,
        other => other,
    };
    let named = |n: &str| match head {
        Expr::Name(h) => h.id.as_str() == n,
        Expr::Attribute(a) => a.attr.id.as_str() == n,
        _ => false,
    };
    if named("tuple") || named("Tuple") || named("NamedTuple") {
        return false;
    }
    match head {
        Expr::Name(h) => !checker
            .module
            .iter()
            .any(|stmt| matches!(stmt, Stmt::ClassDef(c) if c.name.id.as_str() == h.id.as_str())),
        Expr::Attribute(_) => true,
        _ => false,
    }
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
