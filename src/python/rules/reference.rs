//! FM622 `reference-entity`: `@reference_task(...)` (and `reference_workflow`,
//! `reference_launch_plan`) on a stub function is a lazy `flyte.remote.Task.get(...)` in Flyte 2.
//!
//! The lazy entity is called with `await` and keyword arguments only, so the fix applies when
//! every use of the stub is such a call inside an `async def`; a call from a sync task cannot be
//! made right (it would return an un-awaited coroutine) and keeps the Flyte 1 form.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::registry::Rule;

/// The reference decorators and what they point at.
pub const DECORATORS: &[(&str, &str)] = &[
    ("flytekit.reference_task", "reference task"),
    ("flytekit.reference_workflow", "reference workflow"),
    ("flytekit.reference_launch_plan", "reference launch plan"),
];

/// The keywords of the reference decorators; `flyte.remote.Task.get` takes the same ones.
const KEYWORDS: &[&str] = &["project", "domain", "name", "version"];

pub fn function(checker: &mut Checker, def: &StmtFunctionDef) {
    if !checker.enabled(Rule::ReferenceEntity) {
        return;
    }
    let Some((decorator, call, what)) = def.decorator_list.iter().find_map(|d| {
        let Expr::Call(call) = &d.expression else {
            return None;
        };
        let qualified = checker.resolve(&call.func)?;
        DECORATORS
            .iter()
            .find(|(name, _)| **name == *qualified)
            .map(|(_, what)| (d, call, *what))
    }) else {
        return;
    };
    let name = def.name.id.as_str();
    let mut diagnostic = Diagnostic::new(
        Rule::ReferenceEntity,
        format!(
            "`{name}` is a Flyte 1 {what}: in Flyte 2 it is a lazy `flyte.remote.Task.get(...)`"
        ),
        decorator.range(),
    );
    match fix(checker, def, decorator.range(), call) {
        Ok(fix) => {
            diagnostic = diagnostic
                .with_help(format!(
                    "Replace the stub with `{name} = flyte.remote.Task.get(...)` and await its calls; Flyte 2 task names are `<environment>.<function>` and versions are new, so point `name=` and `version=` at the deployed Flyte 2 task{}",
                    if what == "reference task" {
                        ""
                    } else {
                        " that replaced it (defaults a launch plan applied are not)"
                    }
                ))
                .with_fix(fix);
        }
        Err(why) => {
            diagnostic = diagnostic.with_help(format!(
                "Use `{name} = flyte.remote.Task.get(\"<environment>.<function>\", project=..., domain=..., version=...)` and call it as `await {name}(input=value)` from an `async` task; {why}"
            ));
        }
    }
    checker.report(diagnostic);
}

fn fix(
    checker: &Checker,
    def: &StmtFunctionDef,
    decorator: TextRange,
    call: &ExprCall,
) -> Result<Fix, String> {
    let mut edits = stub_edits(checker, def, decorator, call)?;
    let uses = uses(checker, def)?;
    for call in uses {
        if !call.asynchronous {
            return Err(format!(
                "`{}(...)` is called outside an `async` function, where a lazy entity cannot be awaited{}",
                def.name.id,
                if checker.style == crate::settings::Style::Sync && call.orchestrator.is_some() {
                    " (with `--style async` the workflow becomes an `async` task and the stub moves with it)"
                } else {
                    ""
                }
            ));
        }
        if call.positional {
            return Err(format!(
                "`{}(...)` is called with positional arguments, which a lazy entity rejects",
                def.name.id
            ));
        }
        if call.awaited {
            continue;
        }
        if call.parenthesize {
            edits.push(Edit::insert(call.range.start(), "(await "));
            edits.push(Edit::insert(call.range.end(), ")"));
        } else {
            edits.push(Edit::insert(call.range.start(), "await "));
        }
    }
    Ok(Fix::new(edits, Applicability::Unsafe))
}

/// The reference decorator of a function: the decorator's range and call.
pub fn decorator<'a>(
    checker: &Checker,
    def: &'a StmtFunctionDef,
) -> Option<(TextRange, &'a ExprCall)> {
    def.decorator_list.iter().find_map(|d| {
        let Expr::Call(call) = &d.expression else {
            return None;
        };
        let qualified = checker.resolve(&call.func)?;
        DECORATORS
            .iter()
            .any(|(name, _)| **name == *qualified)
            .then_some((d.range(), call))
    })
}

/// The edits that replace a stub by `name = flyte.remote.Task.get(...)` (with the import),
/// without touching its calls; why not when the stub is not one the fix understands.
pub fn stub_edits(
    checker: &Checker,
    def: &StmtFunctionDef,
    decorator: TextRange,
    call: &ExprCall,
) -> Result<Vec<Edit>, String> {
    if def.decorator_list.len() != 1 {
        return Err("the stub has other decorators".into());
    }
    if !call.arguments.args.is_empty()
        || call.arguments.keywords.iter().any(|k| {
            k.arg
                .as_ref()
                .is_none_or(|a| !KEYWORDS.contains(&a.id.as_str()))
        })
    {
        return Err(
            "its arguments are not `project=`, `domain=`, `name=` and `version=` keywords".into(),
        );
    }
    if !KEYWORDS[..3]
        .iter()
        .all(|k| super::keyword(&call.arguments, k).is_some())
    {
        return Err("it needs all of `project=`, `domain=` and `name=`".into());
    }
    // flytekit requires `version=`; code written without one (for a compatibility layer that
    // resolves the latest version) gets Flyte 2's `auto_version="latest"`.
    let latest = super::keyword(&call.arguments, "version").is_none();
    if !checker.semantic.scope_binds(0, def.name.id.as_str())
        || !def.body.iter().all(|s| match s {
            Stmt::Pass(_) => true,
            Stmt::Expr(e) => e.value.is_ellipsis_literal_expr() || e.value.is_string_literal_expr(),
            _ => false,
        })
        || !checker.module.iter().any(|s| s.range() == def.range)
    {
        return Err("the stub is not a module-level function with an empty body".into());
    }
    let body = TextRange::new(call.end(), def.end());
    if checker.text(body).contains('#') {
        return Err("the stub holds comments".into());
    }
    let bindings = checker
        .semantic
        .bindings_in(0, def.name.id.as_str())
        .count();
    if bindings != 1 {
        return Err("the name is bound more than once".into());
    }
    let mut edits = checker
        .import_module("flyte.remote")
        .ok_or_else(|| "the name `flyte` is taken".to_string())?;
    let open = call.arguments.start() + TextSize::from(1);
    let close = call.arguments.end() - TextSize::from(1);
    let arguments = match call.arguments.keywords.last() {
        Some(last) if latest => format!(
            "{}, auto_version=\"latest\"{}",
            checker.text(TextRange::new(open, last.end())),
            checker.text(TextRange::new(last.end(), close))
        ),
        _ => checker.text(TextRange::new(open, close)).to_string(),
    };
    edits.push(Edit::replace(
        TextRange::new(decorator.start(), def.end()),
        format!("{} = flyte.remote.Task.get({})", def.name.id, arguments),
    ));
    Ok(edits)
}

/// One call of a stub.
pub struct Call {
    pub range: TextRange,
    /// Whether the innermost enclosing function is `async` (and not a lambda or comprehension).
    pub asynchronous: bool,
    pub awaited: bool,
    /// Whether an `await` before it needs parentheses.
    pub parenthesize: bool,
    pub positional: bool,
    /// The module-level function whose own body holds the call (not a nested function, class,
    /// lambda or comprehension), by its start.
    pub orchestrator: Option<TextSize>,
}

/// Every use of a stub, all calls; why not when it is used otherwise.
pub fn uses(checker: &Checker, def: &StmtFunctionDef) -> Result<Vec<Call>, String> {
    let mut uses = Uses {
        checker,
        target: def.name.range,
        frames: Vec::new(),
        calls: Vec::new(),
        problem: None,
        depth: 0,
    };
    uses.visit_body(checker.module);
    match uses.problem {
        Some(problem) => Err(problem),
        None => Ok(uses.calls),
    }
}

/// Every use of the stub's name: its calls, or the first use that keeps the fix from applying.
struct Uses<'c, 'a> {
    checker: &'c Checker<'a>,
    target: TextRange,
    /// The enclosing scopes: a function's start and whether it is `async`, or `None` for a
    /// class body, lambda or comprehension (where `await` is an error or serialises a loop).
    frames: Vec<Option<(TextSize, bool)>>,
    calls: Vec<Call>,
    problem: Option<String>,
    depth: usize,
}

impl Uses<'_, '_> {
    fn is_target(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Name(name) if self
            .checker
            .semantic
            .binding_of(name.range.start())
            .is_some_and(|b| b.range == self.target))
    }

    fn call(&mut self, call: &ExprCall, awaited: bool, parenthesize: bool) {
        let innermost = self.frames.last().copied().flatten();
        self.calls.push(Call {
            range: call.range(),
            asynchronous: innermost.is_some_and(|(_, a)| a),
            awaited,
            parenthesize,
            positional: !call.arguments.args.is_empty(),
            orchestrator: match self.frames.as_slice() {
                [Some((start, _))] => Some(*start),
                _ => None,
            },
        });
    }

    fn within(&mut self, frame: Option<(TextSize, bool)>, f: impl FnOnce(&mut Self)) {
        self.frames.push(frame);
        f(self);
        self.frames.pop();
    }
}

impl<'a> Visitor<'a> for Uses<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.problem.is_some() || self.depth >= crate::checker::MAX_DEPTH {
            return;
        }
        self.depth += 1;
        if let Stmt::FunctionDef(def) = stmt {
            crate::checker::walk_signature(self, def);
            self.within(Some((def.range.start(), def.is_async)), |v| {
                v.visit_body(&def.body)
            });
        } else if let Stmt::ClassDef(_) = stmt {
            // A class body is not the enclosing `async def`'s: `await` there is an error.
            self.within(None, |v| visitor::walk_stmt(v, stmt));
        } else {
            visitor::walk_stmt(self, stmt);
        }
        self.depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.problem.is_some() || self.depth >= crate::checker::MAX_DEPTH {
            return;
        }
        self.depth += 1;
        match expr {
            Expr::Await(await_expr) => match &*await_expr.value {
                Expr::Call(call) if self.is_target(&call.func) => {
                    self.call(call, true, false);
                    self.visit_arguments(&call.arguments);
                }
                _ => visitor::walk_expr(self, expr),
            },
            Expr::Call(call) if self.is_target(&call.func) => {
                self.call(call, false, false);
                self.visit_arguments(&call.arguments);
            }
            // `stub(x=1).y`, `stub(x=1)[0]`, `stub(x=1)()`: the awaited call needs parentheses.
            Expr::Attribute(a) if matches!(&*a.value, Expr::Call(c) if self.is_target(&c.func)) => {
                if let Expr::Call(c) = &*a.value {
                    self.call(c, false, true);
                    self.visit_arguments(&c.arguments);
                }
            }
            Expr::Subscript(s) if matches!(&*s.value, Expr::Call(c) if self.is_target(&c.func)) => {
                if let Expr::Call(c) = &*s.value {
                    self.call(c, false, true);
                    self.visit_arguments(&c.arguments);
                }
                self.visit_expr(&s.slice);
            }
            Expr::Call(outer) if matches!(&*outer.func, Expr::Call(c) if self.is_target(&c.func)) =>
            {
                if let Expr::Call(c) = &*outer.func {
                    self.call(c, false, true);
                    self.visit_arguments(&c.arguments);
                }
                self.visit_arguments(&outer.arguments);
            }
            // Their bodies are not the `async def`'s: an `await` there is an error, an async
            // generator or a serialised loop.
            Expr::Lambda(_)
            | Expr::Generator(_)
            | Expr::ListComp(_)
            | Expr::SetComp(_)
            | Expr::DictComp(_) => {
                self.within(None, |v| visitor::walk_expr(v, expr));
            }
            // `asyncio.gather(stub(x=1))`: the coroutine may be what the callee wants (a task
            // or function of the module wants the value: `t(x=await stub(y=1))`).
            Expr::Call(outer)
                if !matches!(&*outer.func, Expr::Name(n) if self.checker.module_function(n).is_some())
                    && outer
                        .arguments
                        .args
                        .iter()
                        .map(|a| match a {
                            Expr::Starred(s) => &*s.value,
                            other => other,
                        })
                        .chain(outer.arguments.keywords.iter().map(|k| &k.value))
                        .any(|a| matches!(a, Expr::Call(c) if self.is_target(&c.func))) =>
            {
                let name = self.checker.text(outer.func.range());
                self.problem.get_or_insert(format!(
                    "a call is passed to `{name}(...)`, which may want the coroutine itself"
                ));
            }
            Expr::Name(_) if self.is_target(expr) => {
                let name = self.checker.text(expr.range());
                self.problem.get_or_insert(format!(
                    "`{name}` is used other than by calling it (a lazy entity cannot be mapped or passed where a task is expected)"
                ));
            }
            _ => visitor::walk_expr(self, expr),
        }
        self.depth -= 1;
    }
}
