//! A workflow's failure handler, `@workflow(on_failure=handler)`, in Flyte 2.
//!
//! flytekit runs the handler when the workflow fails, with the workflow's inputs (and, when it
//! takes one, an `err: FlyteError` describing the failure), then fails the workflow with the
//! original error. Flyte 2 has no handler: the orchestrating task catches the error itself. The
//! move of the workflow (FM301) wraps its body in `try:` and calls the handler in
//! `except Exception as exc:`, then raises again.
//!
//! flytekit's `FlyteError` (a dataclass of `message` and `failed_node_id`) is not in Flyte 2
//! either: a module that imports it gets the same dataclass, defined there (FM103).

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprContext, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{Checker, FlyteKind};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;
use crate::semantic::BindingKind;

pub const FLYTE_ERROR: &[&str] = &[
    "flytekit.types.error.error.FlyteError",
    "flytekit.types.error.FlyteError",
];

/// The handler of a workflow's `on_failure=`, checked: the text that calls it with the
/// workflow's inputs (`handler(name=name, err=FlyteError(...))`, without the call's `await`).
pub struct Handler {
    /// The handler's name.
    pub name: String,
    /// The call's arguments.
    pub arguments: String,
}

/// The handler `on_failure=` names, or why the workflow cannot keep it.
pub fn handler(checker: &Checker, def: &StmtFunctionDef, value: &Expr) -> Result<Handler, String> {
    let Expr::Name(name) = value else {
        return Err("its `on_failure=` handler is not a name".to_string());
    };
    let handler = checker
        .module_function(name)
        .ok_or("its `on_failure=` handler is not a function of this module")?;
    let flyte2 = crate::env::environment_of(checker, handler).is_some();
    if !flyte2
        && !matches!(
            checker.flyte_kind(handler),
            Some(FlyteKind::Task | FlyteKind::Workflow)
        )
    {
        return Err(format!(
            "its `on_failure=` handler `{}` is not a task or a workflow",
            name.id
        ));
    }
    if handler.is_async {
        return Err(format!(
            "its `on_failure=` handler `{}` is `async`",
            name.id
        ));
    }
    let inputs: Vec<&str> = def.parameters.iter().map(|p| p.name().as_str()).collect();
    let mut arguments = Vec::new();
    for parameter in handler.parameters.iter() {
        let p = parameter.name().as_str();
        if p == "err" {
            // flytekit's, imported, or the dataclass FM103 writes in its place (a class of the
            // module).
            let mut bindings = checker.semantic.bindings_in(0, "FlyteError");
            let described = match (bindings.next(), bindings.next()) {
                (Some(binding), None) => match &binding.kind {
                    BindingKind::Import { qualified, .. } => {
                        FLYTE_ERROR.contains(&&*crate::known::canonical(qualified))
                    }
                    _ => checker.module.iter().any(
                        |s| matches!(s, Stmt::ClassDef(class) if class.name.range == binding.range),
                    ),
                },
                _ => false,
            };
            if !described {
                return Err(
                    "its handler takes `err`, and the module does not import flytekit's \
                     `FlyteError` to describe the failure"
                        .to_string(),
                );
            }
            arguments.push("err=FlyteError(message=str(exc), failed_node_id=\"\")".to_string());
        } else if inputs.contains(&p) {
            if assigns(&def.body, p) {
                return Err(format!(
                    "the workflow assigns its input `{p}`, which the handler takes as it came in"
                ));
            }
            arguments.push(format!("{p}={p}"));
        } else if parameter.default().is_none() {
            return Err(format!(
                "its handler takes `{p}`, which is not an input of the workflow"
            ));
        }
    }
    Ok(Handler {
        name: name.id.to_string(),
        arguments: arguments.join(", "),
    })
}

/// Whether a body assigns `name` (a parameter then no longer holds the input).
fn assigns(body: &[Stmt], name: &str) -> bool {
    struct Stores<'n>(&'n str, bool);
    impl<'a> Visitor<'a> for Stores<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(n) = expr
                && n.ctx != ExprContext::Load
                && n.id.as_str() == self.0
            {
                self.1 = true;
            }
            visitor::walk_expr(self, expr);
        }
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::Global(_) | Stmt::Nonlocal(_) => self.1 = true,
                Stmt::FunctionDef(d) if d.name.id.as_str() == self.0 => self.1 = true,
                Stmt::Import(_) | Stmt::ImportFrom(_) => self.1 = true,
                _ => visitor::walk_stmt(self, stmt),
            }
        }
    }
    let mut stores = Stores(name, false);
    stores.visit_body(body);
    stores.1
}

/// Wrap the body of `def` in `try:` / `except Exception as exc:` that calls the handler and
/// raises again, on top of the edits the move makes (`edits`, changed in place). The body is
/// replaced whole, its lines and the new lines of the move's edits four spaces further in, so
/// that the fixes of the body's own code, which conflict with it, land first (the move is
/// deferred to the next round, where it is planned again on their result). False, and `edits`
/// untouched, when the body cannot be indented safely.
pub fn wrap(
    checker: &Checker,
    def: &StmtFunctionDef,
    handler: &Handler,
    edits: &mut Vec<Edit>,
    awaited: bool,
) -> bool {
    let locator = checker.locator;
    let nl = checker.line_ending.as_str();
    let mut body: &[Stmt] = &def.body;
    // A docstring stays where it is.
    if let [first, rest @ ..] = body
        && crate::importer::is_docstring(first)
        && !rest.is_empty()
    {
        body = rest;
    }
    let (Some(first), Some(last)) = (body.first(), body.last()) else {
        return false;
    };
    let Some(indent) = locator.indentation(first.start()) else {
        return false;
    };
    // A body on the `def` line (`def f(): return t()`) has no lines of its own.
    if locator.line_start(first.start()) <= def.name.start() {
        return false;
    }
    let start = locator.line_start(first.start());
    let end = last.end();
    let range = TextRange::new(start, end);
    // An edit across the body's bounds cannot be indented with it.
    if edits.iter().any(|e| {
        e.range.intersect(range).is_some_and(|i| !i.is_empty()) && !range.contains_range(e.range)
    }) {
        return false;
    }
    let strings = multiline_strings(body);
    let (inside, outside): (Vec<Edit>, Vec<Edit>) =
        std::mem::take(edits).into_iter().partition(|e| {
            range.contains_range(e.range)
                && !(e.range.is_empty() && e.range.start() == start && e.order == 0)
        });
    let mut body_edits = Vec::new();
    // Each line of the body, four spaces further in: not inside a string that spans lines, nor
    // where an edit of the move replaces the text (its own new lines are indented instead).
    let mut at = start;
    while at < end {
        let inside_string = strings.iter().any(|s| s.start() < at && at < s.end());
        let replaced = inside
            .iter()
            .any(|e| !e.range.is_empty() && e.range.start() <= at && at < e.range.end());
        let blank = locator.text()[usize::from(at)..usize::from(locator.full_line_end(at))]
            .trim()
            .is_empty();
        if !inside_string && !replaced && !blank {
            body_edits.push(Edit::insert_ordered(at, "    ", 3));
        }
        at = locator.full_line_end(at);
    }
    // The move's own edits in the body: their new lines go four spaces further in, and one that
    // starts a line does too.
    for mut edit in inside {
        if !edit.content.is_empty() {
            let mut content = String::new();
            if locator.line_start(edit.range.start()) == edit.range.start() {
                content.push_str("    ");
            }
            let mut lines = edit.content.split_inclusive('\n').peekable();
            while let Some(line) = lines.next() {
                content.push_str(line);
                if line.ends_with('\n') && lines.peek().is_some_and(|l| !l.trim().is_empty()) {
                    content.push_str("    ");
                }
            }
            edit.content = content;
        }
        body_edits.push(edit);
    }
    let call = if awaited {
        format!("await {}.aio({})", handler.name, handler.arguments)
    } else {
        format!("{}({})", handler.name, handler.arguments)
    };
    // The error is named only when the handler is given it.
    let caught = if handler.arguments.contains("str(exc)") {
        "Exception as exc"
    } else {
        "Exception"
    };
    let text = format!(
        "{indent}try:{nl}{}{nl}{indent}except {caught}:{nl}{indent}    {call}{nl}{indent}    raise",
        super::render(checker.source(), range, &body_edits)
    );
    *edits = outside;
    edits.push(Edit::replace(range, text));
    true
}

/// The ranges of the string literals in a body that span lines.
fn multiline_strings(body: &[Stmt]) -> Vec<TextRange> {
    struct Strings(Vec<TextRange>);
    impl<'a> Visitor<'a> for Strings {
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::StringLiteral(_) | Expr::BytesLiteral(_) | Expr::FString(_) => {
                    self.0.push(expr.range());
                }
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    let mut strings = Strings(Vec::new());
    strings.visit_body(body);
    strings.0
}

/// The dataclass flytekit's `FlyteError` is, written into a module that imports it.
const FLYTE_ERROR_CLASS: &[&str] = &[
    "@dataclasses.dataclass",
    "class FlyteError:",
    "    \"\"\"What flytekit passed a failure handler: the error's message and the failed node.\"\"\"",
    "",
    "    message: str",
    "    failed_node_id: str",
];

/// FM103: `from flytekit.types.error import FlyteError`, used: the same dataclass, defined in
/// the module.
pub fn flyte_error(checker: &mut Checker) {
    if !checker.enabled(Rule::FlytekitConstruct) {
        return;
    }
    let imports: Vec<_> = super::used_from_imports(checker, FLYTE_ERROR)
        .into_iter()
        .filter(|(_, _, name)| *name == "FlyteError")
        .collect();
    for (stmt, alias, _) in imports {
        let diagnostic = Diagnostic::new(
            Rule::FlytekitConstruct,
            "flytekit's `FlyteError` is not part of Flyte 2",
            alias.range(),
        );
        let lines: Vec<String> = FLYTE_ERROR_CLASS.iter().map(|l| l.to_string()).collect();
        let edits = (checker.semantic.bindings_in(0, "FlyteError").count() == 1)
            .then(|| {
                super::define_in_place_of_import(checker, stmt, alias, &["dataclasses"], &lines)
            })
            .flatten();
        match edits {
            Some(edits) => checker.report(
                diagnostic
                    .with_help(
                        "Define `FlyteError` in the module, the dataclass flytekit's is (`message`, \
                         `failed_node_id`), and drop the import",
                    )
                    .with_fix(Fix::safe_edits(edits)),
            ),
            None => checker.report(diagnostic.with_help(
                "Describe the failure with a dataclass of your own (`message`, `failed_node_id`)",
            )),
        }
    }
}
