//! Async orchestration: a migrated `@workflow` or `@dynamic` keeps the parallelism of its graph,
//! and FM314 `unawaited-task-call`.
//!
//! In Flyte 1 the nodes of a workflow that do not depend on each other run at the same time. A
//! sync Flyte 2 task runs its calls one after another, so by default (`style = "async"`) the fix
//! of FM301/FM302 also turns the orchestrator into an `async def` whose task calls are awaited:
//! sync tasks through `.aio(...)`, `async def` tasks directly. Calls that neither read each
//! other's results nor are ordered by `>>` start together, in waves (`asyncio.gather`): a call
//! starts once every call it reads has finished, so a graph of equally long tasks runs in its
//! critical path. Plain statements keep their order among themselves and run where their
//! inputs are ready. `list(flyte.map(...))` becomes `[r async for r in flyte.map.aio(...)]`,
//! a list comprehension of task calls a `gather` of them, and a loop that only appends task
//! calls to a list made empty before it collects the calls and `gather`s them after the loop.
//!
//! When other fixes are due inside the body (`conditional`, `map_task`, `with_overrides`, ...),
//! the FM301/FM302 fix only makes the function an `async def` (with its environment, in the
//! same round as the tasks it calls), and FM314 finishes the body once those fixes are in: an
//! `async` task that calls tasks without `await` is a Flyte 2 bug of its own (a sync task raises
//! `SyncTaskCallInAsyncContextError`, an async one returns a coroutine that never runs), so the
//! rule also reports it in hand-written code. The `>>` orderings of the body stay until then,
//! so the waves follow them.
//!
//! A body the rewrite does not fully understand keeps the sync form, and the help line says why:
//! sequential sync calls are always correct. An orchestrator called from code that stays sync
//! stays sync too, so no sync caller gets a coroutine.

use std::fmt::Write as _;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprCall, ExprContext, ExprName, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::checker::{Checker, FlyteKind};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::project::{Lookup, Reference, Symbol};
use crate::registry::Rule;
use crate::settings::Style;

/// Bodies longer than this keep the sync form (the schedule compares statements pairwise).
const MAX_NODES: usize = 400;

/// flytekit constructs of a workflow body whose own fixes leave forms the rewrite reads.
const REWRITTEN_ELSEWHERE: &[&str] = &[
    "flytekit.map_task",
    "flytekit.core.array_node_map_task.map_task",
    "flytekit.core.legacy_map_task.map_task",
    "flytekit.conditional",
    "flytekit.core.condition.conditional",
    "flytekit.create_node",
    "flytekit.core.node_creation.create_node",
];

type Outcome<T> = Result<T, String>;

/// Why a body without task calls stays sync (nothing to say about it).
const NO_TASK_CALL: &str = "it calls no task";

enum Decision {
    /// The whole rewrite, with the decorator's fix.
    Rewrite(Rewrite),
    /// Only `async def` now (with the reference stubs it calls): FM314 awaits the calls once
    /// the fixes inside the body are in.
    Keyword(Vec<Edit>, Vec<Stub>),
    Sync(String),
}

struct Rewrite {
    edits: Vec<Edit>,
    notes: Vec<String>,
    /// The reference stubs it calls, which move with it (their replacements are in `edits`).
    stubs: Vec<Stub>,
}

/// A reference stub (FM622) that an orchestrator calls: it becomes a lazy
/// `flyte.remote.Task.get(...)` in the fix that makes its callers `async`.
#[derive(Clone)]
struct Stub {
    /// The stub function's start.
    start: TextSize,
    /// The orchestrators that call it, by their starts.
    callers: Vec<TextSize>,
    edits: Vec<Edit>,
}

impl Decision {
    fn stubs(&self) -> &[Stub] {
        match self {
            Decision::Rewrite(r) => &r.stubs,
            Decision::Keyword(_, stubs) => stubs,
            Decision::Sync(_) => &[],
        }
    }
}

/// Whether a diagnostic's fix inside `body` is still due.
fn pending(diagnostics: &[Diagnostic], body: TextRange) -> bool {
    diagnostics.iter().any(|d| {
        !matches!(
            d.rule,
            Rule::WorkflowDecorator
                | Rule::DynamicDecorator
                | Rule::NodeOrdering
                | Rule::UnawaitedTaskCall
        ) && body.contains_range(d.range)
            && d.fix
                .as_ref()
                .is_some_and(|f| f.applicability != Applicability::DisplayOnly)
    })
}

/// Give every FM303 diagnostic inside `body` the fix that rewrites the body (it removes them).
fn share_with_orderings(diagnostics: &mut [Diagnostic], body: TextRange, fix: Option<&Fix>) {
    for d in diagnostics.iter_mut() {
        if d.rule == Rule::NodeOrdering && body.contains_range(d.range) {
            d.fix = fix.cloned();
        }
    }
}

/// Rewrite the fixes of FM301/FM302 (and FM303 inside their bodies) for the async style, and
/// report FM314.
pub fn asyncify(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    if checker.style == Style::Async {
        orchestrators(checker, diagnostics);
    }
    if checker.enabled(Rule::UnawaitedTaskCall) {
        unawaited(checker, diagnostics);
    }
    failure_handlers(checker, diagnostics);
}

/// The diagnostic of one of `rules` on a decorator of `def` that carries the fix moving it.
fn move_diagnostic(
    def: &StmtFunctionDef,
    diagnostics: &[Diagnostic],
    rules: &[Rule],
) -> Option<usize> {
    diagnostics.iter().position(|d| {
        rules.contains(&d.rule)
            && def
                .decorator_list
                .iter()
                .any(|dec| dec.expression.range() == d.range)
            && d.fix.is_some()
    })
}

/// A workflow with `on_failure=handler`: its move also wraps the body in `try:` and calls the
/// handler in `except`, then raises again (see `failure.rs`). The orderings in the body share
/// the move's fix, so they get the wrapped one too.
fn failure_handlers(checker: &Checker, diagnostics: &mut [Diagnostic]) {
    for stmt in checker.module {
        let Stmt::FunctionDef(def) = stmt else {
            continue;
        };
        if checker.flyte_kind(def) != Some(FlyteKind::Workflow) {
            continue;
        }
        let Some(value) = def.decorator_list.iter().find_map(|d| match &d.expression {
            Expr::Call(call) => super::keyword(&call.arguments, "on_failure").map(|k| &k.value),
            _ => None,
        }) else {
            continue;
        };
        let Ok(handler) = super::failure::handler(checker, def, value) else {
            continue;
        };
        let Some(position) = move_diagnostic(def, diagnostics, &[Rule::WorkflowDecorator]) else {
            continue;
        };
        let Some(old) = diagnostics[position].fix.clone() else {
            continue;
        };
        // Awaited when the move makes the workflow `async`.
        let header = TextRange::new(def.range.start(), def.name.range.start());
        let awaited = def.is_async
            || old
                .edits
                .iter()
                .any(|e| e.content == "async " && header.contains(e.range.start()));
        let mut edits = old.edits.clone();
        let fix = if super::failure::wrap(checker, def, &handler, &mut edits, awaited) {
            let mut fix = Fix::new(edits, old.applicability);
            fix.deferred = true;
            Some(fix)
        } else {
            None
        };
        for d in diagnostics.iter_mut() {
            if d.fix.as_ref() == Some(&old) {
                d.fix = fix.clone();
            }
        }
        if fix.is_none() {
            diagnostics[position].help = Some(format!(
                "{}; not automatic: its body cannot be wrapped in `try:` to call the `on_failure=` \
                 handler",
                diagnostics[position].help.clone().unwrap_or_default()
            ));
        }
    }
}

/// The module's `@workflow` and `@dynamic` functions that FM301/FM302 move to an environment.
fn candidates<'a>(checker: &Checker<'a>) -> Vec<&'a StmtFunctionDef> {
    checker
        .module
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::FunctionDef(def)
                if !def.is_async
                    && matches!(
                        checker.flyte_kind(def),
                        Some(FlyteKind::Workflow | FlyteKind::Dynamic)
                    )
                    && checker
                        .plan
                        .functions
                        .get(&def.range.start())
                        .is_some_and(|p| p.fix.is_some()) =>
            {
                Some(def)
            }
            _ => None,
        })
        .collect()
}

fn orchestrators(checker: &Checker, diagnostics: &mut [Diagnostic]) {
    let orchestrators = candidates(checker);
    if orchestrators.is_empty() {
        return;
    }
    let mut decisions: Vec<Decision> = orchestrators
        .iter()
        .map(|def| {
            let Some(body) = body_range(def) else {
                return Decision::Sync("its body is empty".to_string());
            };
            let tolerant = pending(diagnostics, body);
            let fixed = fixed_ranges(diagnostics, body);
            match analyze(checker, def, tolerant.then_some(&fixed[..])) {
                Ok(_) if tolerant && !checker.enabled(Rule::UnawaitedTaskCall) => Decision::Sync(
                    "other fixes are due in its body, and FM314, which awaits its calls after \
                     them, is not selected"
                        .to_string(),
                ),
                Ok(rewrite) if tolerant => match def_keyword(checker, def) {
                    Ok(at) => {
                        let mut edits = vec![Edit::insert(at, "async ")];
                        for stub in &rewrite.stubs {
                            edits.extend(stub.edits.iter().cloned());
                        }
                        Decision::Keyword(edits, rewrite.stubs)
                    }
                    Err(why) => Decision::Sync(why),
                },
                Ok(rewrite) => Decision::Rewrite(rewrite),
                Err(why) => Decision::Sync(why),
            }
        })
        .collect();

    // An orchestrator called from code that stays sync stays sync.
    let index: HashMap<TextSize, usize> = orchestrators
        .iter()
        .enumerate()
        .map(|(i, d)| (d.range.start(), i))
        .collect();
    let callers = callers(checker, &orchestrators);
    loop {
        let mut changed = false;
        for (i, sites) in callers.iter().enumerate() {
            if matches!(decisions[i], Decision::Sync(_)) {
                continue;
            }
            let sync_caller = sites.iter().any(|site| {
                match site {
                Caller::Function(start) => match index.get(start) {
                    Some(&c) => matches!(decisions[c], Decision::Sync(_)),
                    None => !checker.module.iter().any(|s| {
                        matches!(s, Stmt::FunctionDef(d) if d.range.start() == *start && d.is_async)
                    }),
                },
                Caller::Main => false,
                Caller::Other => true,
            }
            });
            if sync_caller {
                decisions[i] = Decision::Sync(
                    "it is called from code that stays sync, which would get a coroutine"
                        .to_string(),
                );
                changed = true;
                continue;
            }
            // A reference stub moves only when every workflow calling it becomes `async`.
            let stays = decisions[i].stubs().iter().find_map(|stub| {
                stub.callers.iter().find_map(|caller| {
                    let c = *index.get(caller)?;
                    matches!(decisions[c], Decision::Sync(_))
                        .then(|| (stub.start, orchestrators[c].name.id.as_str()))
                })
            });
            if let Some((stub, other)) = stays {
                let name = checker
                    .module
                    .iter()
                    .find_map(|s| match s {
                        Stmt::FunctionDef(d) if d.range.start() == stub => Some(d.name.id.as_str()),
                        _ => None,
                    })
                    .unwrap_or("a reference");
                decisions[i] = Decision::Sync(format!(
                    "it calls the reference `{name}`, which `{other}` calls too and which stays sync"
                ));
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }

    // The fix that moves each reference stub, for its FM622 diagnostic.
    let mut moved: Vec<(TextSize, String, Fix)> = Vec::new();
    for (def, decision) in orchestrators.iter().zip(decisions) {
        let Some(position) = move_diagnostic(
            def,
            diagnostics,
            &[Rule::WorkflowDecorator, Rule::DynamicDecorator],
        ) else {
            continue;
        };
        let Some(body) = body_range(def) else {
            continue;
        };
        let diagnostic = &mut diagnostics[position];
        let help = diagnostic.help.take().unwrap_or_default();
        let Some(fix) = diagnostic.fix.take() else {
            continue;
        };
        let decision_stubs = decision.stubs().to_vec();
        let (edits, text) = match decision {
            Decision::Sync(why) if why == NO_TASK_CALL => {
                diagnostic.help = Some(help);
                diagnostic.fix = Some(fix);
                continue;
            }
            Decision::Sync(why) => {
                diagnostic.help = Some(format!(
                    "{help}; it stays a sync `def` whose calls run one after another: {why}"
                ));
                diagnostic.fix = Some(fix);
                continue;
            }
            Decision::Keyword(edits, _) => (
                edits,
                format!(
                    "{help}; it becomes an `async def` (FM314 then awaits its calls, starting \
                     those that do not depend on each other together)"
                ),
            ),
            Decision::Rewrite(rewrite) => {
                let mut text = format!(
                    "{help}; it becomes an `async def`: task calls are awaited and calls that \
                     do not depend on each other start together"
                );
                for note in &rewrite.notes {
                    text.push_str("; ");
                    text.push_str(note);
                }
                (rewrite.edits, text)
            }
        };
        let stubs: Vec<TextSize> = decision_stubs.iter().map(|s| s.start).collect();
        let mut all = fix.edits;
        all.extend(edits);
        let fix = Fix::new(all, fix.applicability);
        for stub in stubs {
            if !moved.iter().any(|(s, _, _)| *s == stub) {
                moved.push((stub, def.name.id.to_string(), fix.clone()));
            }
        }
        diagnostic.help = Some(text);
        diagnostic.fix = Some(fix.clone());
        // The orderings go with the rewrite (or, with `Keyword`, stay for FM314 to read).
        share_with_orderings(diagnostics, body, Some(&fix));
    }
    for (stub, caller, fix) in moved {
        let Some((range, call)) = checker.module.iter().find_map(|s| match s {
            Stmt::FunctionDef(d) if d.range.start() == stub => {
                super::reference::decorator(checker, d)
            }
            _ => None,
        }) else {
            continue;
        };
        let replaced = if checker.resolves_to(&call.func, &["flytekit.reference_task"]) {
            ""
        } else {
            " that replaced it (defaults a launch plan applied are not)"
        };
        for d in diagnostics.iter_mut() {
            if d.rule == Rule::ReferenceEntity && d.range == range && d.fix.is_none() {
                d.help = Some(format!(
                    "It moves with `{caller}` (FM301), which becomes an `async` task: the stub \
                     becomes a lazy `flyte.remote.Task.get(...)` and its calls `await` it with \
                     keyword arguments; Flyte 2 task names are `<environment>.<function>` and \
                     versions are new, so point `name=` and `version=` at the deployed Flyte 2 \
                     task{replaced}"
                ));
                d.fix = Some(fix.clone());
            }
        }
    }
}

/// FM314: an `async` Flyte 2 task of the module that calls tasks without `await`.
fn unawaited(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    for stmt in checker.module {
        let Stmt::FunctionDef(def) = stmt else {
            continue;
        };
        if !def.is_async
            || checker.flyte_kind(def).is_some()
            || crate::env::environment_of(checker, def).is_none()
        {
            continue;
        }
        let Some(body) = body_range(def) else {
            continue;
        };
        if awaits_anything(def) {
            // Code that already awaits: a sync task awaited or gathered as `t(...)` raises
            // `SyncTaskCallInAsyncContextError`; it is called through `.aio(...)`.
            let (edits, first) = sync_calls_awaited(checker, def);
            if let Some(first) = first {
                diagnostics.push(
                    Diagnostic::new(
                        Rule::UnawaitedTaskCall,
                        format!(
                            "`async` task `{}` awaits sync task `{}` without `.aio`",
                            def.name.id,
                            checker.text(first)
                        ),
                        def.name.range,
                    )
                    .with_help("Call sync tasks as `await t.aio(...)` in an `async` task")
                    .with_fix(Fix::unsafe_edits(edits)),
                );
            }
            // A task call that is a statement's own value and not awaited is reported, without
            // a fix.
            if let Some(call) = statement_task_call(checker, def) {
                diagnostics.push(
                    Diagnostic::new(
                        Rule::UnawaitedTaskCall,
                        format!(
                            "`async` task `{}` calls `{}` without `await`",
                            def.name.id,
                            checker.text(call)
                        ),
                        call,
                    )
                    .with_help("Await it: `await t.aio(...)` for a sync task, `await t(...)` for an async one"),
                );
            }
            continue;
        }
        let Some(first) = first_task_call(checker, def) else {
            continue;
        };
        let mut diagnostic = Diagnostic::new(
            Rule::UnawaitedTaskCall,
            format!(
                "`async` task `{}` calls `{}` without `await`",
                def.name.id,
                checker.text(first)
            ),
            def.name.range,
        );
        if pending(diagnostics, body) {
            // The same text over the body: it overlaps every fix inside, which go first.
            let mut fix = Fix::unsafe_edits(vec![Edit::replace(body, checker.text(body))]);
            fix.deferred = true;
            diagnostic = diagnostic
                .with_help("Await every task call (after the other fixes inside the body)")
                .with_fix(fix.clone());
            share_with_orderings(diagnostics, body, Some(&fix));
        } else {
            match analyze(checker, def, None) {
                Ok(rewrite) => {
                    let mut text = "Await every task call (`.aio(...)` for sync tasks), starting \
                                    calls that do not depend on each other together"
                        .to_string();
                    for note in &rewrite.notes {
                        text.push_str("; ");
                        text.push_str(note);
                    }
                    let mut edits = rewrite.edits;
                    edits.retain(|e| !(e.content == "async " && e.range.is_empty()));
                    let fix = Fix::unsafe_edits(edits);
                    share_with_orderings(diagnostics, body, Some(&fix));
                    diagnostic = diagnostic.with_help(text).with_fix(fix);
                }
                Err(why) => {
                    diagnostic = diagnostic.with_help(format!(
                        "Await each task call by hand (`await t.aio(...)` for a sync task): {why}"
                    ));
                }
            }
        }
        diagnostics.push(diagnostic);
    }
}

/// Whether a function body already awaits or iterates asynchronously (hand-written async code).
fn awaits_anything(def: &StmtFunctionDef) -> bool {
    struct Any(bool);
    impl<'a> Visitor<'a> for Any {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::For(s) if s.is_async => self.0 = true,
                Stmt::With(s) if s.is_async => self.0 = true,
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                _ => {}
            }
            visitor::walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if matches!(expr, Expr::Await(_)) {
                self.0 = true;
            }
            visitor::walk_expr(self, expr);
        }
        fn visit_comprehension(&mut self, c: &'a ruff_python_ast::Comprehension) {
            if c.is_async {
                self.0 = true;
            }
            visitor::walk_comprehension(self, c);
        }
    }
    let mut any = Any(false);
    any.visit_body(&def.body);
    any.0
}

/// The first task call (or `flyte.map`) of a function body, by what the rewrite takes for one.
fn first_task_call(checker: &Checker, def: &StmtFunctionDef) -> Option<TextRange> {
    struct First<'x, 'c, 'a> {
        analyzer: &'x Analyzer<'c, 'a>,
        found: Option<TextRange>,
    }
    impl<'a> Visitor<'a> for First<'_, '_, 'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found.is_some() {
                return;
            }
            if let Expr::Call(call) = expr {
                let checker = self.analyzer.checker;
                if checker.resolves_to(&call.func, &["flyte.map"])
                    || matches!(
                        self.analyzer.kind(call),
                        Ok(CallKind::Aio | CallKind::Direct)
                    )
                {
                    self.found = Some(call.func.range());
                    return;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let analyzer = Analyzer::new(checker, def);
    let mut first = First {
        analyzer: &analyzer,
        found: None,
    };
    first.visit_body(&def.body);
    first.found
}

/// The `.aio` insertions for calls of the module's sync tasks that are awaited (`await t(...)`)
/// or gathered (`asyncio.gather(t(...), *(t(...) for ...))`) in a function body, and the first
/// such callee.
fn sync_calls_awaited(checker: &Checker, def: &StmtFunctionDef) -> (Vec<Edit>, Option<TextRange>) {
    struct Find<'c, 'a> {
        checker: &'c Checker<'a>,
        parents: Vec<&'a Expr>,
        edits: Vec<Edit>,
        first: Option<TextRange>,
    }
    impl<'a> Find<'_, 'a> {
        fn is_gather(&self, expr: &Expr) -> bool {
            matches!(expr, Expr::Call(c) if self.checker.resolves_to(&c.func, &["asyncio.gather"]))
        }
        fn awaited(&self, call: &Expr) -> bool {
            let n = self.parents.len();
            let parent = |i: usize| n.checked_sub(i).and_then(|k| self.parents.get(k)).copied();
            match parent(1) {
                Some(Expr::Await(_)) => true,
                Some(p @ Expr::Call(c)) if self.is_gather(p) => {
                    c.arguments.args.iter().any(|a| a.range() == call.range())
                }
                Some(Expr::Generator(g)) if g.elt.range() == call.range() => {
                    matches!(parent(2), Some(Expr::Starred(_)))
                        && parent(3).is_some_and(|p| self.is_gather(p))
                }
                _ => false,
            }
        }
    }
    impl<'a> Visitor<'a> for Find<'_, 'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                visitor::walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if matches!(expr, Expr::Lambda(_)) {
                return;
            }
            if let Expr::Call(call) = expr
                && let Expr::Name(name) = &*call.func
                && let Some(callee) = self.checker.module_function(name)
                && !callee.is_async
                && self.checker.is_task_function(callee)
                && self.awaited(expr)
            {
                self.edits.push(Edit::insert(call.func.end(), ".aio"));
                self.first.get_or_insert(call.func.range());
            }
            self.parents.push(expr);
            visitor::walk_expr(self, expr);
            self.parents.pop();
        }
    }
    let mut find = Find {
        checker,
        parents: Vec::new(),
        edits: Vec::new(),
        first: None,
    };
    find.visit_body(&def.body);
    (find.edits, find.first)
}

/// A task call that is the whole value of a statement (`x = t(...)`, `return t(...)`, `t(...)`)
/// in a function body, outside nested functions.
fn statement_task_call(checker: &Checker, def: &StmtFunctionDef) -> Option<TextRange> {
    struct Find<'x, 'c, 'a> {
        analyzer: &'x Analyzer<'c, 'a>,
        found: Option<TextRange>,
    }
    impl<'a> Visitor<'a> for Find<'_, '_, 'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.found.is_some() {
                return;
            }
            let value = match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                Stmt::Assign(s) => Some(&*s.value),
                Stmt::AnnAssign(s) => s.value.as_deref(),
                Stmt::AugAssign(s) => Some(&*s.value),
                Stmt::Expr(s) => Some(&*s.value),
                Stmt::Return(s) => s.value.as_deref(),
                _ => None,
            };
            if let Some(Expr::Call(call)) = value
                && matches!(
                    self.analyzer.kind(call),
                    Ok(CallKind::Aio | CallKind::Direct)
                )
            {
                self.found = Some(call.range());
                return;
            }
            visitor::walk_stmt(self, stmt);
        }
    }
    let analyzer = Analyzer::new(checker, def);
    let mut find = Find {
        analyzer: &analyzer,
        found: None,
    };
    find.visit_body(&def.body);
    find.found
}

fn body_range(def: &StmtFunctionDef) -> Option<TextRange> {
    let first = def.body.first()?;
    let last = def.body.last()?;
    Some(TextRange::new(first.start(), last.end()))
}

#[derive(Clone, Copy)]
enum Caller {
    /// A module-level function, by its start.
    Function(TextSize),
    /// The `if __name__ == "__main__":` block (FM305 makes it `flyte.run`).
    Main,
    Other,
}

/// Where each orchestrator is called in the module.
fn callers(checker: &Checker, orchestrators: &[&StmtFunctionDef]) -> Vec<Vec<Caller>> {
    struct Calls<'c, 'a> {
        checker: &'c Checker<'a>,
        targets: &'c [&'a StmtFunctionDef],
        found: Vec<usize>,
    }
    impl<'a> Visitor<'a> for Calls<'_, 'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            // A launch plan's call becomes a call of its workflow (FM601).
            if let Expr::Call(call) = expr
                && let Expr::Name(name) = &*call.func
                && let Some(def) = self
                    .checker
                    .module_function(name)
                    .or_else(|| super::launch_plans::workflow_of(self.checker, name))
                && let Some(i) = self
                    .targets
                    .iter()
                    .position(|t| t.range.start() == def.range.start())
            {
                self.found.push(i);
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut sites: Vec<Vec<Caller>> = orchestrators.iter().map(|_| Vec::new()).collect();
    for stmt in checker.module {
        let mut calls = Calls {
            checker,
            targets: orchestrators,
            found: Vec::new(),
        };
        let caller = match stmt {
            Stmt::FunctionDef(def) => {
                calls.visit_body(&def.body);
                Caller::Function(def.range.start())
            }
            Stmt::If(s) if super::main_block::is_main_guard(&s.test) => {
                calls.visit_stmt(stmt);
                Caller::Main
            }
            _ => {
                calls.visit_stmt(stmt);
                Caller::Other
            }
        };
        for i in calls.found {
            sites[i].push(caller);
        }
    }
    sites
}

/// How a call in an orchestrator body runs once it is async.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CallKind {
    /// A sync task (or one whose colour is not known here): `await t.aio(...)`.
    Aio,
    /// An `async def` task: `await t(...)`.
    Direct,
    /// Not a task: a plain Python call.
    Plain,
    /// `list(flyte.map(...))`: `[r async for r in flyte.map.aio(...)]`.
    Map,
    /// The sync twin of a Flyte 2 I/O method (`f.download_sync()`): its async form, awaited.
    AsyncIo(&'static str),
}

/// Sync I/O methods of `flyte.io.File`, `Dir` and `DataFrame` readers, with their async forms.
const SYNC_IO: &[(&str, &str)] = &[
    ("all_sync", "all"),
    ("download_sync", "download"),
    ("exists_sync", "exists"),
    ("from_local_sync", "from_local"),
    ("list_files_sync", "list_files"),
];

struct Analyzer<'c, 'a> {
    checker: &'c Checker<'a>,
    references: Vec<Reference>,
    /// Whether `_` is free in the function (a wave can bind results nobody reads to it).
    underscore_free: bool,
    /// With the ranges of the fixes due inside the body: flytekit constructs that those fixes
    /// rewrite are accepted as plain calls (the analysis only predicts whether the rewritten
    /// body will be understood).
    tolerant: Option<&'c [(Rule, TextRange)]>,
    gathers: bool,
    notes: Vec<String>,
    /// The module's orchestrators, by their starts: a reference stub they alone call moves
    /// with them.
    candidates: Vec<TextSize>,
    /// The reference stubs the body calls.
    stubs: std::cell::RefCell<Vec<Stub>>,
    /// The function analyzed.
    function: &'a StmtFunctionDef,
    /// Names a hoisted call's result must not take: every word of the function's text, the
    /// module's names, and the names the rewrite writes; gathered when a call is first hoisted.
    taken: Option<HashSet<String>>,
}

/// The ranges of the diagnostics with a fix inside `body`.
fn fixed_ranges(diagnostics: &[Diagnostic], body: TextRange) -> Vec<(Rule, TextRange)> {
    diagnostics
        .iter()
        .filter(|d| body.contains_range(d.range) && d.fix.is_some())
        .map(|d| (d.rule, d.range))
        .collect()
}

fn analyze(
    checker: &Checker,
    def: &StmtFunctionDef,
    tolerant: Option<&[(Rule, TextRange)]>,
) -> Outcome<Rewrite> {
    let mut names = Names::default();
    names.visit_body(&def.body);
    let mut analyzer = Analyzer {
        underscore_free: !names.mentions.contains("_"),
        tolerant,
        ..Analyzer::new(checker, def)
    };
    let (mut edits, awaits) = analyzer.block(&def.body)?;
    if !awaits {
        return Err(NO_TASK_CALL.to_string());
    }
    edits.push(Edit::insert(def_keyword(checker, def)?, "async "));
    if analyzer.gathers {
        let import = checker
            .import_module("asyncio")
            .ok_or("`asyncio` is bound to something else in this module")?;
        edits.extend(import);
    }
    let stubs = analyzer.stubs.into_inner();
    for stub in &stubs {
        edits.extend(stub.edits.iter().cloned());
    }
    let mut notes = analyzer.notes;
    notes.sort();
    notes.dedup();
    Ok(Rewrite {
        edits,
        notes,
        stubs,
    })
}

/// Where the `def` keyword of a function starts.
fn def_keyword(checker: &Checker, def: &StmtFunctionDef) -> Outcome<TextSize> {
    let from = def
        .decorator_list
        .last()
        .map_or(def.range.start(), |d| d.end());
    let text = &checker.source()[usize::from(from)..usize::from(def.name.start())];
    let at = text.rfind("def").ok_or("its `def` keyword was not found")?;
    Ok(from + TextSize::try_from(at).map_err(|_| "the function is too large")?)
}

/// One statement of a block (or a task call of an ordering statement) in the schedule.
struct Node<'a> {
    range: TextRange,
    kind: NodeKind,
    /// Edits inside `range` (without the `await` of a gatherable call).
    edits: Vec<Edit>,
    /// The `await ` insertion of a gatherable call (fine-grained mode).
    await_edit: Option<Edit>,
    mentions: HashSet<&'a str>,
    writes: HashSet<&'a str>,
    mutated: HashSet<&'a str>,
    /// Whether the node can move past statements that share no written name with it.
    pure: bool,
    /// The task it calls, when that task is cached: its calls run one after another, so later
    /// ones read what the first wrote (as in a Flyte 1 local run).
    cached: Option<TextSize>,
    barrier: bool,
    /// Leading own-line comments and the trailing comment, for regenerated blocks.
    leading: Vec<String>,
    trailing: Option<String>,
}

#[derive(Clone, PartialEq, Eq)]
enum NodeKind {
    /// A task call that can join a wave: its assignment target, when it has one, and the call.
    Call {
        target: Option<String>,
        call: TextRange,
    },
    /// A statement that awaits something but runs on its own.
    Timed,
    /// Plain Python.
    Plain,
}

impl<'a> Node<'a> {
    /// A statement as plain Python, with the names it reads and binds.
    fn plain(stmt: &'a Stmt) -> Self {
        let names = Names::of_stmt(stmt);
        Node {
            range: stmt.range(),
            kind: NodeKind::Plain,
            edits: Vec::new(),
            await_edit: None,
            mentions: names.mentions,
            writes: names.writes,
            mutated: names.mutated,
            pure: false,
            cached: None,
            barrier: is_barrier(stmt),
            leading: Vec::new(),
            trailing: None,
        }
    }

    fn takes_time(&self) -> bool {
        !matches!(self.kind, NodeKind::Plain)
    }

    fn class(&self) -> u8 {
        match self.kind {
            NodeKind::Plain => 0,
            NodeKind::Call { .. } => 1,
            NodeKind::Timed => 2,
        }
    }
}

impl<'c, 'a> Analyzer<'c, 'a> {
    /// The analysis of `def`'s body, strict, with `_` taken.
    fn new(checker: &'c Checker<'a>, def: &'a StmtFunctionDef) -> Self {
        Analyzer {
            checker,
            references: crate::project::references(checker, def),
            underscore_free: false,
            tolerant: None,
            gathers: false,
            notes: Vec::new(),
            candidates: candidates(checker)
                .iter()
                .map(|d| d.range.start())
                .collect(),
            stubs: std::cell::RefCell::new(Vec::new()),
            function: def,
            taken: None,
        }
    }
}

impl<'a> Analyzer<'_, 'a> {
    /// The edits of a block, and whether it awaits anything.
    fn block(&mut self, body: &'a [Stmt]) -> Outcome<(Vec<Edit>, bool)> {
        let mut nodes: Vec<Node<'a>> = Vec::new();
        let mut edges: Vec<(usize, usize)> = Vec::new();
        let mut ordering = false;
        let mut orphans: Vec<String> = Vec::new();
        // Whether a statement's nested calls became nodes of their own (the block is then
        // written anew).
        let mut hoisted = false;
        for (i, stmt) in body.iter().enumerate() {
            let (leading, trailing) = self.comments(body, i)?;
            if let Some(operands) = ordering_operands(stmt) {
                ordering = true;
                let mut ids: Vec<usize> = Vec::new();
                let mut comments = Some((leading, trailing));
                for operand in operands {
                    match operand {
                        Expr::Name(name) => {
                            let writer = nodes
                                .iter()
                                .rposition(|n| n.writes.contains(name.id.as_str()))
                                .ok_or_else(|| {
                                    format!(
                                        "`{}` in an ordering is not assigned earlier in its block",
                                        name.id
                                    )
                                })?;
                            if !nodes[writer].takes_time() {
                                return Err(format!(
                                    "an ordering names `{}`, which is not a task call",
                                    name.id
                                ));
                            }
                            ids.push(writer);
                        }
                        Expr::Call(call) => {
                            let mut node = self.call_node(call, None)?;
                            if let Some((l, t)) = comments.take() {
                                node.leading = l;
                                node.trailing = t;
                            }
                            ids.push(nodes.len());
                            nodes.push(node);
                        }
                        _ => {
                            return Err(
                                "an ordering orders something other than a task call or a name"
                                    .to_string(),
                            );
                        }
                    }
                }
                if let Some((l, t)) = comments {
                    orphans.extend(l);
                    orphans.extend(t);
                }
                edges.extend(
                    ids.windows(2)
                        .filter(|w| w[0] != w[1])
                        .map(|w| (w[0], w[1])),
                );
                continue;
            }
            if let Some((inner, mut node)) = self.hoisted(stmt)? {
                hoisted = true;
                let outer = nodes.len() + inner.len();
                for call in inner {
                    edges.push((nodes.len(), outer));
                    nodes.push(call);
                }
                let mut lead = std::mem::take(&mut orphans);
                lead.extend(leading);
                node.leading = lead;
                node.trailing = trailing;
                nodes.push(node);
                continue;
            }
            let mut node = self.statement(stmt)?;
            let mut lead = std::mem::take(&mut orphans);
            lead.extend(leading);
            node.leading = lead;
            node.trailing = trailing;
            nodes.push(node);
        }
        if nodes.len() > MAX_NODES {
            return Err(format!("its body has more than {MAX_NODES} statements"));
        }
        let awaits = nodes.iter().any(Node::takes_time);
        if !awaits && !ordering {
            return Ok((nodes.into_iter().flat_map(|n| n.edits).collect(), false));
        }
        let order = schedule(&nodes, &edges)?;
        let waves_of_one = order.iter().all(|wave| wave.len() == 1);
        let in_source_order = order.iter().flatten().copied().eq(0..nodes.len());
        if waves_of_one && in_source_order && !ordering && !hoisted {
            let mut edits = Vec::new();
            for node in nodes {
                edits.extend(node.edits);
                edits.extend(node.await_edit);
            }
            return Ok((edits, true));
        }
        let edit = self.regenerate(body, &nodes, &order, &orphans)?;
        Ok((vec![edit], true))
    }

    /// The own-line comments above statement `i` of a block and the comment after it.
    fn comments(&self, body: &[Stmt], i: usize) -> Outcome<(Vec<String>, Option<String>)> {
        let source = self.checker.source();
        let mut leading = Vec::new();
        if i > 0 {
            let gap = &source[usize::from(body[i - 1].end())..usize::from(body[i].start())];
            let mut lines = gap.lines();
            lines.next();
            for line in lines {
                let line = line.trim();
                if line.starts_with('#') {
                    leading.push(line.to_string());
                } else if !line.is_empty() {
                    return Err("statements share a line".to_string());
                }
            }
            let first = gap.lines().next().unwrap_or("").trim();
            if !first.is_empty() && !first.starts_with('#') {
                return Err("statements share a line".to_string());
            }
        }
        let end = usize::from(body[i].end());
        let line_end = source[end..]
            .find(['\n', '\r'])
            .map_or(source.len(), |n| end + n);
        let rest = source[end..line_end].trim();
        let trailing = rest.starts_with('#').then(|| rest.to_string());
        Ok((leading, trailing))
    }

    fn statement(&mut self, stmt: &'a Stmt) -> Outcome<Node<'a>> {
        let mut node = Node::plain(stmt);
        // A task call that can join a wave: `x = t(...)`, `a, b = t(...)`, `t(...)`.
        let gatherable = match stmt {
            Stmt::Assign(assign) if assign.targets.len() == 1 => {
                Some((Some(&assign.targets[0]), &*assign.value))
            }
            Stmt::Expr(e) => Some((None, &*e.value)),
            _ => None,
        };
        if let Some((target, Expr::Call(call))) = gatherable
            && matches!(self.kind(call)?, CallKind::Aio | CallKind::Direct)
            && !self.has_task_call_in_arguments(call)?
        {
            let target = target.map(|t| self.target_text(t));
            let call_node = self.call_node(call, target)?;
            node.kind = call_node.kind;
            node.edits = call_node.edits;
            node.await_edit = call_node.await_edit;
            node.pure = call_node.pure;
            node.cached = call_node.cached;
            return Ok(node);
        }
        let (edits, awaits) = self.inline(stmt)?;
        node.edits = edits;
        if awaits {
            node.kind = NodeKind::Timed;
        }
        Ok(node)
    }

    /// A statement whose value reads the results of two or more task calls that do not read
    /// each other (`t(a=s1(x=x), b=s2(x=x))`, `return s1(x=x), s2(x=x)`): those calls as nodes
    /// of their own, each bound to a fresh name, and the statement reading the names. The calls
    /// then start together, as Flyte 1's graph ran them, instead of one after another inside
    /// the expression. `None` when the statement is not of that form; every other part of the
    /// value must call nothing, so nothing else runs in another order.
    fn hoisted(&mut self, stmt: &'a Stmt) -> Outcome<Option<(Vec<Node<'a>>, Node<'a>)>> {
        let (target, value) = match stmt {
            Stmt::Assign(assign) if assign.targets.len() == 1 => {
                (Some(&assign.targets[0]), &*assign.value)
            }
            Stmt::Expr(e) => (None, &*e.value),
            Stmt::Return(r) => match &r.value {
                Some(value) => (None, &**value),
                None => return Ok(None),
            },
            _ => return Ok(None),
        };
        let is_task_call = |analyzer: &Self, call: &ExprCall| {
            matches!(analyzer.kind(call), Ok(CallKind::Aio | CallKind::Direct))
        };
        let (outer, operands): (Option<&'a ExprCall>, Vec<(&'a Expr, Option<&'a str>)>) =
            match value {
                Expr::Call(call) if is_task_call(self, call) => {
                    if let Expr::Call(inner) = &*call.func
                        && arguments_call_anything(inner)
                    {
                        return Ok(None);
                    }
                    let operands = call
                        .arguments
                        .args
                        .iter()
                        .map(|a| (a, None))
                        .chain(
                            call.arguments
                                .keywords
                                .iter()
                                .map(|k| (&k.value, k.arg.as_ref().map(|a| a.id.as_str()))),
                        )
                        .collect();
                    (Some(call), operands)
                }
                Expr::Tuple(t) => (None, t.elts.iter().map(|e| (e, None)).collect()),
                Expr::List(l) => (None, l.elts.iter().map(|e| (e, None)).collect()),
                _ => return Ok(None),
            };
        let mut inner: Vec<(&'a ExprCall, Option<&'a str>)> = Vec::new();
        for (operand, keyword) in operands {
            match operand {
                Expr::Call(call) if is_task_call(self, call) => {
                    if !matches!(self.has_task_call_in_arguments(call), Ok(false)) {
                        return Ok(None);
                    }
                    inner.push((call, keyword));
                }
                other if calls_anything(other) => return Ok(None),
                _ => {}
            }
        }
        if inner.len() < 2 {
            return Ok(None);
        }
        let mut nodes = Vec::new();
        let mut replacements = Vec::new();
        for (call, keyword) in inner {
            let name = self.fresh_name(call, keyword);
            nodes.push(self.call_node(call, Some(name.clone()))?);
            replacements.push(Edit::replace(call.range(), name));
        }
        let mut node = Node {
            edits: replacements,
            ..Node::plain(stmt)
        };
        if let Some(call) = outer {
            if self.kind(call)? == CallKind::Aio {
                node.edits.push(Edit::insert(call.func.end(), ".aio"));
            }
            if let Stmt::Return(_) = stmt {
                node.edits.push(Edit::insert(call.start(), "await "));
                node.kind = NodeKind::Timed;
            } else {
                let target = target.map(|t| self.target_text(t));
                node.kind = NodeKind::Call {
                    target,
                    call: call.range(),
                };
                node.await_edit = Some(Edit::insert(call.start(), "await "));
                node.pure = true;
            }
        }
        Ok(Some((nodes, node)))
    }

    /// A name for the result of a hoisted call that nothing in the function or module uses:
    /// the keyword it is passed as, else `<task>_result`, then the same with `_2`, `_3`, ...
    fn fresh_name(&mut self, call: &ExprCall, keyword: Option<&str>) -> String {
        let callee = called_task(call).map_or("task", |name| name.id.as_str());
        let (checker, function) = (self.checker, self.function);
        let taken = self
            .taken
            .get_or_insert_with(|| taken_names(checker, function));
        let base = match keyword {
            Some(keyword) if !taken.contains(keyword) => keyword.to_string(),
            Some(keyword) => format!("{callee}_{keyword}"),
            None => format!("{callee}_result"),
        };
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        taken.insert(name.clone());
        name
    }

    /// An assignment target as a gather's targets list it: a bare tuple parenthesized.
    fn target_text(&self, target: &Expr) -> String {
        let text = self.checker.text(target.range());
        match target {
            Expr::Tuple(_) if !text.starts_with('(') => format!("({text})"),
            _ => text.to_string(),
        }
    }

    /// A gatherable task call as a node.
    fn call_node(&mut self, call: &'a ExprCall, target: Option<String>) -> Outcome<Node<'a>> {
        let kind = self.kind(call)?;
        if !matches!(kind, CallKind::Aio | CallKind::Direct) {
            return Err("an ordering orders something other than a task call".to_string());
        }
        if self.has_task_call_in_arguments(call)? {
            return Err("a call nested in an ordering reads another task call".to_string());
        }
        let mut names = Names::default();
        names.visit_expr(&call.func);
        for arg in &*call.arguments.args {
            names.visit_expr(arg);
        }
        for kw in &*call.arguments.keywords {
            names.visit_expr(&kw.value);
        }
        let mut edits = Vec::new();
        if kind == CallKind::Aio {
            edits.push(Edit::insert(call.func.end(), ".aio"));
        }
        let pure = !arguments_call_anything(call);
        let cached = called_task(call)
            .and_then(|name| self.checker.module_function(name))
            .filter(|def| is_cached(def))
            .map(|def| def.range.start());
        Ok(Node {
            range: call.range(),
            kind: NodeKind::Call {
                target,
                call: call.range(),
            },
            edits,
            await_edit: Some(Edit::insert(call.start(), "await ")),
            mentions: names.mentions,
            writes: HashSet::default(),
            mutated: HashSet::default(),
            pure,
            cached,
            barrier: false,
            leading: Vec::new(),
            trailing: None,
        })
    }

    /// Edits that await every task call of a statement where it is (compound statements get
    /// their blocks scheduled), and whether there is any.
    fn inline(&mut self, stmt: &'a Stmt) -> Outcome<(Vec<Edit>, bool)> {
        let mut edits = Vec::new();
        let mut awaits = false;
        match stmt {
            Stmt::Assign(s) => {
                for t in &s.targets {
                    awaits |= self.expr_into(t, false, &mut edits)?;
                }
                awaits |= self.expr_into(&s.value, true, &mut edits)?;
            }
            Stmt::AnnAssign(s) => {
                if let Some(v) = &s.value {
                    awaits |= self.expr_into(v, true, &mut edits)?;
                }
            }
            Stmt::AugAssign(s) => awaits |= self.expr_into(&s.value, true, &mut edits)?,
            Stmt::Expr(s) => awaits |= self.expr_into(&s.value, true, &mut edits)?,
            Stmt::Return(s) => {
                if let Some(v) = &s.value {
                    awaits |= self.expr_into(v, true, &mut edits)?;
                }
            }
            Stmt::If(s) => {
                awaits |= self.expr_into(&s.test, true, &mut edits)?;
                let (more, found) = self.block(&s.body)?;
                edits.extend(more);
                awaits |= found;
                for clause in &s.elif_else_clauses {
                    if let Some(test) = &clause.test {
                        awaits |= self.expr_into(test, true, &mut edits)?;
                    }
                    let (more, found) = self.block(&clause.body)?;
                    edits.extend(more);
                    awaits |= found;
                }
            }
            Stmt::For(s) if !s.is_async => {
                if let Some(more) = self.collecting_loop(stmt, s)? {
                    edits.extend(more);
                    return Ok((edits, true));
                }
                awaits |= self.expr_into(&s.iter, true, &mut edits)?;
                for body in [&s.body, &s.orelse] {
                    let (more, found) = self.block(body)?;
                    edits.extend(more);
                    if found {
                        awaits = true;
                        self.notes.push(
                            "calls in a loop run one iteration after another (collect them in a \
                             list comprehension to start them together)"
                                .to_string(),
                        );
                    }
                }
            }
            Stmt::While(s) => {
                awaits |= self.expr_into(&s.test, true, &mut edits)?;
                for body in [&s.body, &s.orelse] {
                    let (more, found) = self.block(body)?;
                    edits.extend(more);
                    awaits |= found;
                }
            }
            Stmt::With(s) if !s.is_async => {
                for item in &s.items {
                    awaits |= self.expr_into(&item.context_expr, true, &mut edits)?;
                }
                let (more, found) = self.block(&s.body)?;
                edits.extend(more);
                awaits |= found;
            }
            Stmt::Try(s) => {
                let mut bodies: Vec<&'a [Stmt]> = vec![&s.body];
                for h in &s.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                    if let Some(t) = &h.type_ {
                        awaits |= self.expr_into(t, true, &mut edits)?;
                    }
                    bodies.push(&h.body);
                }
                bodies.push(&s.orelse);
                bodies.push(&s.finalbody);
                for body in bodies {
                    let (more, found) = self.block(body)?;
                    edits.extend(more);
                    awaits |= found;
                }
            }
            Stmt::Assert(s) => {
                awaits |= self.expr_into(&s.test, true, &mut edits)?;
                if let Some(m) = &s.msg {
                    awaits |= self.expr_into(m, true, &mut edits)?;
                }
            }
            Stmt::Raise(s) => {
                for e in s.exc.iter().chain(s.cause.iter()) {
                    awaits |= self.expr_into(e, true, &mut edits)?;
                }
            }
            Stmt::Delete(s) => {
                for t in &s.targets {
                    awaits |= self.expr_into(t, false, &mut edits)?;
                }
            }
            Stmt::Pass(_)
            | Stmt::Break(_)
            | Stmt::Continue(_)
            | Stmt::Import(_)
            | Stmt::ImportFrom(_)
            | Stmt::Global(_)
            | Stmt::Nonlocal(_) => {}
            other => {
                if self.contains_task_call(other)? {
                    return Err("a task is called inside a statement the rewrite does not handle (a nested function, `match`, or an `async` block)".to_string());
                }
            }
        }
        Ok((edits, awaits))
    }

    /// A loop whose only task calls are appended to a list made empty just before it
    /// (`out = []`, then `out.append(t(x=x))` in the loop, under `if`s or inner loops too):
    /// the loop collects the calls (`t.aio(x=x)`, not awaited) and one `gather` after it awaits
    /// them all, so they run together as the nodes of a Flyte 1 dynamic workflow did, and
    /// `out` holds their results in order. `None` when the loop is not of that form (the list
    /// is read in the loop other than by `append`, or between its `[]` and the loop; a call is
    /// of a cached task; the loop's last line has a comment).
    fn collecting_loop(
        &mut self,
        stmt: &'a Stmt,
        s: &'a ruff_python_ast::StmtFor,
    ) -> Outcome<Option<Vec<Edit>>> {
        struct Appends<'a> {
            list: Option<&'a str>,
            receivers: Vec<TextSize>,
            calls: Vec<&'a ExprCall>,
        }
        // The statements of a block: each calls no task, or is `list.append(<task call>)`, or
        // is a compound statement whose blocks are such.
        fn scan<'a>(
            analyzer: &mut Analyzer<'_, 'a>,
            body: &'a [Stmt],
            found: &mut Appends<'a>,
        ) -> Outcome<bool> {
            for stmt in body {
                let blocks = match stmt {
                    Stmt::If(_) | Stmt::While(_) => crate::importer::child_bodies(stmt),
                    Stmt::For(s) if !s.is_async => crate::importer::child_bodies(stmt),
                    _ => Vec::new(),
                };
                if !blocks.is_empty() {
                    // The statement's own expressions (tests, iterables) call no task.
                    let own: Vec<&Expr> = match stmt {
                        Stmt::If(s) => std::iter::once(&*s.test)
                            .chain(s.elif_else_clauses.iter().filter_map(|c| c.test.as_ref()))
                            .collect(),
                        Stmt::For(s) => vec![&*s.iter],
                        Stmt::While(s) => vec![&*s.test],
                        _ => Vec::new(),
                    };
                    for e in own {
                        if analyzer.expression(e, true)?.1 {
                            return Ok(false);
                        }
                    }
                    for block in blocks {
                        if !scan(analyzer, block, found)? {
                            return Ok(false);
                        }
                    }
                    continue;
                }
                if !analyzer.contains_task_call(stmt)? {
                    continue;
                }
                let Stmt::Expr(e) = stmt else {
                    return Ok(false);
                };
                let Expr::Call(append) = &*e.value else {
                    return Ok(false);
                };
                let (Expr::Attribute(attr), [Expr::Call(call)], []) = (
                    &*append.func,
                    &append.arguments.args[..],
                    &append.arguments.keywords[..],
                ) else {
                    return Ok(false);
                };
                let Expr::Name(list) = &*attr.value else {
                    return Ok(false);
                };
                if attr.attr.id.as_str() != "append"
                    || found.list.is_some_and(|l| l != list.id.as_str())
                    || !matches!(analyzer.kind(call)?, CallKind::Aio | CallKind::Direct)
                    || analyzer.has_task_call_in_arguments(call)?
                    || called_task(call)
                        .and_then(|name| analyzer.checker.module_function(name))
                        .is_some_and(is_cached)
                {
                    return Ok(false);
                }
                found.list = Some(list.id.as_str());
                found.receivers.push(list.range.start());
                found.calls.push(call);
            }
            Ok(true)
        }

        let checker = self.checker;
        let mut found = Appends {
            list: None,
            receivers: Vec::new(),
            calls: Vec::new(),
        };
        if self.expression(&s.iter, true)?.1
            || !scan(self, &s.body, &mut found)?
            || !scan(self, &s.orelse, &mut found)?
        {
            return Ok(None);
        }
        let (Some(list), Some(&first)) = (found.list, found.receivers.first()) else {
            return Ok(None);
        };
        // The list is made empty by a statement of the loop's own block, before it, in this
        // function, and is read nowhere between that statement and the end of the loop but by
        // the appends.
        let Some(binding) = checker.semantic.binding_of(first) else {
            return Ok(None);
        };
        let crate::semantic::BindingKind::Assignment {
            value: Expr::List(empty),
            stmt: made,
        } = &binding.kind
        else {
            return Ok(None);
        };
        if !empty.elts.is_empty()
            || !made_before(&self.function.body, made, stmt)
            || found
                .receivers
                .iter()
                .any(|&r| checker.semantic.binding_of(r).map(|b| b.range) != Some(binding.range))
            || checker
                .semantic
                .resolutions()
                .filter(|(_, b)| b.range == binding.range)
                .any(|(at, _)| at < s.end() && !found.receivers.contains(&at))
        {
            return Ok(None);
        }
        let source = checker.source();
        let end = usize::from(s.end());
        let rest = source[end..].lines().next().unwrap_or_default();
        if !rest.trim().is_empty() {
            return Ok(None);
        }
        let Some(indent) = checker.locator.indentation(stmt.start()) else {
            return Ok(None);
        };
        let mut edits = Vec::new();
        for call in found.calls {
            if self.kind(call)? == CallKind::Aio {
                edits.push(Edit::insert(call.func.end(), ".aio"));
            }
        }
        edits.push(Edit::insert(
            s.end(),
            format!(
                "{}{indent}{list} = list(await asyncio.gather(*{list}))",
                checker.line_ending.as_str()
            ),
        ));
        self.gathers = true;
        Ok(Some(edits))
    }

    fn expr_into(&mut self, e: &'a Expr, top: bool, edits: &mut Vec<Edit>) -> Outcome<bool> {
        let (more, found) = self.expression(e, top)?;
        edits.extend(more);
        Ok(found)
    }

    /// Edits that await the task calls of an expression, and whether there is any.
    fn expression(&mut self, expr: &'a Expr, top: bool) -> Outcome<(Vec<Edit>, bool)> {
        let mut finder = Finder {
            analyzer: self,
            parents: Vec::new(),
            top: top.then_some(expr.range()),
            edits: Vec::new(),
            found: 0,
            error: None,
        };
        finder.visit_expr(expr);
        let Finder {
            edits,
            found,
            error,
            ..
        } = finder;
        if let Some(error) = error {
            return Err(error);
        }
        if found > 1 {
            self.notes.push(
                "calls nested in one expression run one after another (assign them first to \
                 start them together)"
                    .to_string(),
            );
        }
        Ok((edits, found > 0))
    }

    fn has_task_call_in_arguments(&mut self, call: &'a ExprCall) -> Outcome<bool> {
        for arg in call
            .arguments
            .args
            .iter()
            .chain(call.arguments.keywords.iter().map(|k| &k.value))
        {
            let (_, found) = self.expression(arg, false)?;
            if found {
                return Ok(true);
            }
        }
        if let Expr::Call(inner) = &*call.func {
            return self.has_task_call_in_arguments(inner);
        }
        Ok(false)
    }

    fn contains_task_call(&mut self, stmt: &'a Stmt) -> Outcome<bool> {
        struct Any<'x, 'c, 'a> {
            analyzer: &'x mut Analyzer<'c, 'a>,
            found: Outcome<bool>,
        }
        impl<'a> Visitor<'a> for Any<'_, '_, 'a> {
            fn visit_expr(&mut self, expr: &'a Expr) {
                if let (Ok(false), Expr::Call(call)) = (&self.found, expr) {
                    match self.analyzer.kind(call) {
                        Ok(CallKind::Plain) => {}
                        Ok(_) => self.found = Ok(true),
                        Err(e) => self.found = Err(e),
                    }
                }
                visitor::walk_expr(self, expr);
            }
        }
        let mut any = Any {
            analyzer: self,
            found: Ok(false),
        };
        any.visit_stmt(stmt);
        any.found
    }

    /// What a call is, once the orchestrator is async.
    fn kind(&self, call: &ExprCall) -> Outcome<CallKind> {
        let checker = self.checker;
        // A launch plan call that FM601 makes a direct call of its workflow, a task.
        if self.tolerant.is_some_and(|fixed| {
            fixed
                .iter()
                .any(|(rule, r)| *rule == Rule::LaunchPlan && *r == call.range())
        }) {
            return Ok(CallKind::Aio);
        }
        // flytekit left in the body: accepted only where a fix due now rewrites it.
        let flytekit = |func: &Expr| {
            checker
                .resolve(func)
                .filter(|q| q.starts_with("flytekit.") || q.starts_with("flytekitplugins."))
        };
        let v1 = flytekit(&call.func).or_else(|| match &*call.func {
            Expr::Call(inner) => flytekit(&inner.func),
            _ => None,
        });
        let with_overrides =
            matches!(&*call.func, Expr::Attribute(a) if a.attr.id.as_str() == "with_overrides");
        if v1.is_some() || with_overrides {
            let construct = with_overrides
                || v1
                    .as_deref()
                    .is_some_and(|q| REWRITTEN_ELSEWHERE.contains(&q));
            // A construct goes when its own rule's fix covers it; another flytekit call when a
            // fix rewrites the call itself (`current_context()`), not only something inside it.
            // A gate's fix (FM313) writes a blocking sleep or wait: its body stays sync.
            let gate = v1
                .as_deref()
                .is_some_and(|q| super::gates::NODES.contains(&q));
            let fixed = !gate
                && self.tolerant.is_some_and(|fixed| {
                    fixed.iter().any(|(rule, r)| {
                        if construct {
                            matches!(
                                rule,
                                Rule::MapTask
                                    | Rule::Conditional
                                    | Rule::WithOverrides
                                    | Rule::CreateNode
                            ) && r.intersect(call.range()).is_some()
                        } else {
                            r.contains_range(call.func.range())
                        }
                    })
                });
            if fixed {
                // Predicted as what it becomes: a task call (a `with_overrides` receiver is
                // the call itself).
                return Ok(if with_overrides {
                    CallKind::Plain
                } else {
                    CallKind::Aio
                });
            }
            return Err(match v1 {
                Some(q) => format!("it still uses `{q}`"),
                None => "it still uses `with_overrides`".to_string(),
            });
        }
        match &*call.func {
            Expr::Name(name) => {
                if name.id.as_str() == "list"
                    && checker.semantic.binding_of(name.range.start()).is_none()
                    && let [Expr::Call(inner)] = &*call.arguments.args
                    && call.arguments.keywords.is_empty()
                    && checker.resolves_to(&inner.func, &["flyte.map"])
                {
                    let close =
                        &checker.source()[usize::from(inner.end())..usize::from(call.end())];
                    if close.trim() != ")" {
                        return Err("a `list(flyte.map(...))` has a trailing comma".to_string());
                    }
                    return Ok(CallKind::Map);
                }
                self.name_kind(name, &call.func)
            }
            Expr::Attribute(attr)
                if let Some((_, to)) = SYNC_IO
                    .iter()
                    .find(|(from, _)| *from == attr.attr.id.as_str()) =>
            {
                Ok(CallKind::AsyncIo(to))
            }
            Expr::Attribute(attr) => {
                let mut head = &*attr.value;
                while let Expr::Attribute(inner) = head {
                    head = &inner.value;
                }
                let Expr::Name(head) = head else {
                    return Ok(CallKind::Plain);
                };
                if let Some(def) = checker.module_function(head)
                    && checker.is_task_function(def)
                {
                    // `t.override(...)` itself is a plain call; `t.aio` is already Flyte 2.
                    return if attr.attr.id.as_str() == "override" {
                        Ok(CallKind::Plain)
                    } else {
                        Err(format!("it calls `{}`", checker.text(call.func.range())))
                    };
                }
                if checker.resolves_to(&call.func, &["flyte.map"]) {
                    return Err("it uses `flyte.map(...)` other than in `list(...)`".to_string());
                }
                match checker.semantic.binding_of(head.range.start()) {
                    Some(b)
                        if b.scope == 0
                            && matches!(
                                b.kind,
                                crate::semantic::BindingKind::Import { .. }
                                    | crate::semantic::BindingKind::Other
                            ) =>
                    {
                        self.imported(&call.func, checker.text(call.func.range()))
                    }
                    _ => Ok(CallKind::Plain),
                }
            }
            Expr::Call(inner) => {
                // `t.override(...)(...)`.
                if let Expr::Attribute(attr) = &*inner.func
                    && attr.attr.id.as_str() == "override"
                    && let Expr::Name(name) = &*attr.value
                {
                    return match self.name_kind(name, &attr.value)? {
                        CallKind::Aio | CallKind::Direct => Ok(CallKind::Aio),
                        _ => Err(format!(
                            "it calls `{}`, whose kind is not known",
                            checker.text(inner.range())
                        )),
                    };
                }
                Err(format!(
                    "it calls the result of `{}`",
                    checker.text(inner.range())
                ))
            }
            _ => Err(format!(
                "it calls `{}`, whose kind is not known",
                checker.text(call.func.range())
            )),
        }
    }

    /// What calling a name is.
    fn name_kind(&self, name: &ruff_python_ast::ExprName, func: &Expr) -> Outcome<CallKind> {
        let checker = self.checker;
        let id = name.id.as_str();
        if let Some(def) = checker.module_function(name) {
            if let Some((decorator, call)) = super::reference::decorator(checker, def) {
                return self.stub(def, decorator, call).map(|()| CallKind::Direct);
            }
            if !checker.is_task_function(def) {
                return Ok(CallKind::Plain);
            }
            if checker.flyte_kind(def).is_some()
                && checker
                    .plan
                    .functions
                    .get(&def.range.start())
                    .is_none_or(|p| p.fix.is_none())
            {
                return Err(format!("it calls `{id}`, which stays on flytekit"));
            }
            return Ok(if def.is_async {
                CallKind::Direct
            } else {
                CallKind::Aio
            });
        }
        let Some(binding) = checker.semantic.binding_of(name.range.start()) else {
            return Ok(CallKind::Plain);
        };
        if binding.scope != 0 {
            return Err(format!(
                "it calls `{id}`, a local name that could stand for a task"
            ));
        }
        match &binding.kind {
            crate::semantic::BindingKind::Import { .. } => self.imported(func, id),
            // A lazy entity: its call is a coroutine.
            crate::semantic::BindingKind::Assignment {
                value: Expr::Call(value),
                ..
            } if checker.resolves_to(
                &value.func,
                &["flyte.remote.Task.get", "flyte.remote.TaskDetails.get"],
            ) =>
            {
                Ok(CallKind::Direct)
            }
            crate::semantic::BindingKind::Other => {
                let class = checker
                    .module
                    .iter()
                    .any(|s| matches!(s, Stmt::ClassDef(c) if c.name.range == binding.range));
                if class {
                    Ok(CallKind::Plain)
                } else {
                    self.imported(func, id)
                }
            }
            _ => Err(format!(
                "it calls `{id}`, a module-level value that could stand for a task"
            )),
        }
    }

    /// A reference stub called from the body: it moves with the orchestrators when they alone
    /// call it, each call in its own body with keyword arguments.
    fn stub(&self, def: &StmtFunctionDef, decorator: TextRange, call: &ExprCall) -> Outcome<()> {
        let checker = self.checker;
        let id = def.name.id.as_str();
        if self
            .stubs
            .borrow()
            .iter()
            .any(|s| s.start == def.range.start())
        {
            return Ok(());
        }
        let stays =
            |why: &str| format!("it calls the reference `{id}`, which stays on flytekit: {why}");
        if !checker.enabled(Rule::ReferenceEntity) {
            return Err(stays("FM622 is not selected"));
        }
        let edits = super::reference::stub_edits(checker, def, decorator, call)
            .map_err(|why| stays(&why))?;
        let uses = super::reference::uses(checker, def).map_err(|why| stays(&why))?;
        let mut callers = Vec::new();
        for use_ in &uses {
            if use_.positional {
                return Err(stays(
                    "a call passes positional arguments, which a lazy entity rejects",
                ));
            }
            if use_.awaited {
                return Err(stays("a call is awaited already"));
            }
            match use_.orchestrator {
                Some(start) if self.candidates.contains(&start) => {
                    if !callers.contains(&start) {
                        callers.push(start);
                    }
                }
                _ => {
                    return Err(stays(
                        "it is called outside the body of a workflow this fix makes `async`",
                    ));
                }
            }
        }
        self.stubs.borrow_mut().push(Stub {
            start: def.range.start(),
            callers,
            edits,
        });
        Ok(())
    }

    /// A call of a name imported from another module: a task when the project says so.
    fn imported(&self, func: &Expr, text: &str) -> Outcome<CallKind> {
        // Flyte 2's own classes and functions (`flyte.Resources(...)`) are no tasks of the user.
        if self
            .checker
            .resolve(func)
            .is_some_and(|q| q.starts_with("flyte.") && !q.starts_with("flyte.remote."))
        {
            return Ok(CallKind::Plain);
        }
        let Some(project) = self.checker.project else {
            return Err(format!(
                "it calls `{text}`, imported from a module this run does not read"
            ));
        };
        let callee = self.checker.text(func.range());
        // The references of a body are listed once per spelling; the binding is the module's.
        let Some(reference) = self.references.iter().find(|r| r.text == callee) else {
            return Err(format!("it calls `{text}`, whose import is not understood"));
        };
        match project.lookup(reference) {
            Lookup::Nothing | Lookup::Image { .. } => Ok(CallKind::Plain),
            Lookup::Unknown { .. } => Err(format!(
                "it calls `{text}`, from a module that could not be read"
            )),
            Lookup::Task { symbol, .. } => match symbol {
                Symbol::Flytekit {
                    applicability: None,
                    ..
                } => Err(format!("it calls `{text}`, which stays on flytekit")),
                _ => Ok(CallKind::Aio),
            },
        }
    }

    /// The text of a regenerated block: its nodes in waves.
    fn regenerate(
        &mut self,
        body: &[Stmt],
        nodes: &[Node<'a>],
        order: &[Vec<usize>],
        orphans: &[String],
    ) -> Outcome<Edit> {
        let checker = self.checker;
        let (Some(first), Some(last)) = (body.first(), body.last()) else {
            return Err("an empty block".to_string());
        };
        let indent = checker
            .locator
            .indentation(first.start())
            .ok_or("a block starts on the line of its statement")?;
        let unit = if indent.contains('\t') { "\t" } else { "    " };
        let nl = checker.line_ending.as_str();
        // The trailing comment of the last statement moves with it.
        let source = checker.source();
        let end = usize::from(last.end());
        let line_end = source[end..]
            .find(['\n', '\r'])
            .map_or(source.len(), |n| end + n);
        let range_end = if source[end..line_end].trim().starts_with('#') {
            TextSize::try_from(line_end).map_err(|_| "the file is too large")?
        } else {
            last.end()
        };
        let mut out = String::new();
        for wave in order {
            let calls: Vec<usize> = wave
                .iter()
                .copied()
                .filter(|&n| matches!(nodes[n].kind, NodeKind::Call { .. }))
                .collect();
            let gather = calls.len() > 1
                && (self.underscore_free
                    || calls.iter().all(|&n| {
                        matches!(
                            &nodes[n].kind,
                            NodeKind::Call {
                                target: Some(_),
                                ..
                            }
                        )
                    }));
            for &n in wave {
                let node = &nodes[n];
                if gather && calls.contains(&n) {
                    continue;
                }
                for comment in &node.leading {
                    let _ = write!(out, "{indent}{comment}{nl}");
                }
                out.push_str(indent);
                match &node.kind {
                    NodeKind::Call { target: None, call } => {
                        out.push_str("await ");
                        out.push_str(&super::render(source, *call, &node.edits));
                    }
                    // A call hoisted out of a statement: bound to its name here.
                    NodeKind::Call {
                        target: Some(target),
                        call,
                    } if node.range == *call => {
                        let _ = write!(
                            out,
                            "{target} = await {}",
                            super::render(source, *call, &node.edits)
                        );
                    }
                    _ => {
                        let mut edits = node.edits.clone();
                        edits.extend(node.await_edit.clone());
                        out.push_str(&super::render(source, node.range, &edits));
                    }
                }
                if let Some(comment) = &node.trailing {
                    let _ = write!(out, "  {comment}");
                }
                out.push_str(nl);
            }
            if gather {
                self.gathers = true;
                let targets: Vec<&str> = calls
                    .iter()
                    .map(|&n| match &nodes[n].kind {
                        NodeKind::Call {
                            target: Some(t), ..
                        } => t.as_str(),
                        _ => "_",
                    })
                    .collect();
                out.push_str(indent);
                if targets.iter().any(|t| *t != "_") {
                    let _ = write!(out, "{} = ", targets.join(", "));
                }
                let _ = write!(out, "await asyncio.gather({nl}");
                for &n in &calls {
                    let node = &nodes[n];
                    let NodeKind::Call { call, .. } = &node.kind else {
                        continue;
                    };
                    for comment in &node.leading {
                        let _ = write!(out, "{indent}{unit}{comment}{nl}");
                    }
                    let _ = write!(
                        out,
                        "{indent}{unit}{},",
                        super::render(source, *call, &node.edits)
                    );
                    if let Some(comment) = &node.trailing {
                        let _ = write!(out, "  {comment}");
                    }
                    out.push_str(nl);
                }
                let _ = write!(out, "{indent}){nl}");
            }
        }
        // Comments of orderings at the end of the block stay at its end.
        for comment in orphans {
            let _ = write!(out, "{indent}{comment}{nl}");
        }
        let text = out
            .strip_prefix(indent)
            .unwrap_or(&out)
            .trim_end_matches(['\n', '\r'])
            .to_string();
        Ok(Edit::replace(
            TextRange::new(first.start(), range_end),
            text,
        ))
    }
}

/// Finds the task calls of one expression and makes their edits.
struct Finder<'x, 'c, 'a> {
    analyzer: &'x mut Analyzer<'c, 'a>,
    parents: Vec<&'a Expr>,
    /// The range of the statement's own value: a call there needs no parentheses.
    top: Option<TextRange>,
    edits: Vec<Edit>,
    found: usize,
    error: Option<String>,
}

impl<'a> Finder<'_, '_, 'a> {
    fn needs_parentheses(&self, expr: &Expr) -> bool {
        if self.top == Some(expr.range()) {
            return false;
        }
        match self.parents.last() {
            Some(Expr::Call(parent)) => parent.func.range() == expr.range(),
            Some(Expr::List(_) | Expr::Tuple(_) | Expr::Set(_) | Expr::Dict(_)) => false,
            _ => true,
        }
    }

    fn in_generator_or_lambda(&self) -> bool {
        self.parents
            .iter()
            .any(|e| matches!(e, Expr::Lambda(_) | Expr::Generator(_)))
    }
}

impl<'a> Visitor<'a> for Finder<'_, '_, 'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.error.is_some() {
            return;
        }
        match expr {
            Expr::Await(_) | Expr::Yield(_) | Expr::YieldFrom(_) => {
                self.error = Some("its body already awaits or yields".to_string());
                return;
            }
            Expr::ListComp(comp) => {
                // `[t(x=i) for i in xs]`: the calls start together.
                if let Expr::Call(call) = &*comp.elt
                    && let Ok(kind @ (CallKind::Aio | CallKind::Direct)) = self.analyzer.kind(call)
                    && !self.in_generator_or_lambda()
                {
                    let nested = match self.analyzer.has_task_call_in_arguments(call) {
                        Ok(n) => n,
                        Err(e) => {
                            self.error = Some(e);
                            return;
                        }
                    };
                    let mut clean = !nested;
                    for generator in &comp.generators {
                        for e in std::iter::once(&generator.iter).chain(generator.ifs.iter()) {
                            match self.analyzer.expression(e, false) {
                                Ok((_, false)) => {}
                                Ok((_, true)) => clean = false,
                                Err(e) => {
                                    self.error = Some(e);
                                    return;
                                }
                            }
                        }
                        if generator.is_async {
                            clean = false;
                        }
                    }
                    if clean {
                        let open = TextRange::at(comp.start(), TextSize::from(1));
                        let close = TextRange::new(comp.end() - TextSize::from(1), comp.end());
                        self.edits
                            .push(Edit::replace(open, "list(await asyncio.gather(*("));
                        self.edits.push(Edit::replace(close, ")))"));
                        if kind == CallKind::Aio {
                            self.edits.push(Edit::insert(call.func.end(), ".aio"));
                        }
                        self.analyzer.gathers = true;
                        self.found += 1;
                        return;
                    }
                }
            }
            Expr::Call(call) => match self.analyzer.kind(call) {
                Err(e) => {
                    self.error = Some(e);
                    return;
                }
                Ok(CallKind::Plain) => {}
                Ok(kind) => {
                    if self.in_generator_or_lambda() {
                        self.error = Some(
                            "a task is called in a lambda or a generator expression, where it \
                             cannot be awaited"
                                .to_string(),
                        );
                        return;
                    }
                    self.found += 1;
                    match kind {
                        CallKind::Map => {
                            let Expr::Call(inner) = &call.arguments.args[0] else {
                                return;
                            };
                            let map = self.analyzer.checker.text(inner.func.range());
                            self.edits.push(Edit::replace(
                                TextRange::new(call.start(), inner.func.end()),
                                format!("[result async for result in {map}.aio"),
                            ));
                            self.edits
                                .push(Edit::replace(TextRange::new(inner.end(), call.end()), "]"));
                            // The mapped arguments are plain values.
                            self.parents.push(expr);
                            for arg in &inner.arguments.args {
                                self.visit_expr(arg);
                            }
                            for kw in &inner.arguments.keywords {
                                self.visit_expr(&kw.value);
                            }
                            self.parents.pop();
                            return;
                        }
                        CallKind::Aio => {
                            self.edits.push(Edit::insert(call.func.end(), ".aio"));
                        }
                        CallKind::AsyncIo(to) => {
                            if let Expr::Attribute(attr) = &*call.func {
                                self.edits.push(Edit::replace(attr.attr.range, to));
                            }
                        }
                        CallKind::Direct | CallKind::Plain => {}
                    }
                    if self.needs_parentheses(expr) {
                        self.edits.push(Edit::insert(call.start(), "(await "));
                        self.edits.push(Edit::insert(call.end(), ")"));
                    } else {
                        self.edits.push(Edit::insert(call.start(), "await "));
                    }
                    // Arguments (and an override's arguments, an I/O method's receiver) may
                    // call tasks too.
                    self.parents.push(expr);
                    if let (CallKind::AsyncIo(_), Expr::Attribute(attr)) = (kind, &*call.func) {
                        self.visit_expr(&attr.value);
                    }
                    if let Expr::Call(inner) = &*call.func {
                        for arg in &inner.arguments.args {
                            self.visit_expr(arg);
                        }
                        for kw in &inner.arguments.keywords {
                            self.visit_expr(&kw.value);
                        }
                    }
                    for arg in &call.arguments.args {
                        self.visit_expr(arg);
                    }
                    for kw in &call.arguments.keywords {
                        self.visit_expr(&kw.value);
                    }
                    self.parents.pop();
                    return;
                }
            },
            _ => {}
        }
        self.parents.push(expr);
        visitor::walk_expr(self, expr);
        self.parents.pop();
    }
}

/// Whether a task's decorator turns its cache on (`cache=...` other than off, `cache_version=`).
fn is_cached(def: &StmtFunctionDef) -> bool {
    def.decorator_list.iter().any(|d| {
        let Expr::Call(call) = &d.expression else {
            return false;
        };
        call.arguments.keywords.iter().any(|k| {
            match k.arg.as_ref().map(|a| a.id.as_str()) {
                Some("cache_version") => true,
                Some("cache") => !matches!(
                    &k.value,
                    Expr::BooleanLiteral(b) if !b.value
                ) && !matches!(&k.value, Expr::StringLiteral(s) if s.value.to_str() == "disable")
                    && !k.value.is_none_literal_expr(),
                _ => false,
            }
        })
    })
}

/// Whether `earlier` is a statement of the block (in `body`, or nested in it) that holds
/// `later`, before it.
fn made_before(body: &[Stmt], earlier: &Stmt, later: &Stmt) -> bool {
    crate::importer::enclosing_body(body, later.range()).is_some_and(|block| {
        block
            .iter()
            .take_while(|s| s.range() != later.range())
            .any(|s| s.range() == earlier.range())
    })
}

/// The name of the task a call calls: `t` of `t(...)` and of `t.override(...)(...)`.
fn called_task(call: &ExprCall) -> Option<&ExprName> {
    match &*call.func {
        Expr::Name(name) => Some(name),
        Expr::Call(inner) => match &*inner.func {
            Expr::Attribute(a) => match &*a.value {
                Expr::Name(name) => Some(name),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// Whether the arguments of a call call anything (their evaluation could have effects).
fn arguments_call_anything(call: &ExprCall) -> bool {
    call.arguments
        .args
        .iter()
        .chain(call.arguments.keywords.iter().map(|k| &k.value))
        .any(calls_anything)
        || matches!(&*call.func, Expr::Call(inner) if arguments_call_anything(inner))
}

/// Whether evaluating an expression calls, awaits or binds anything.
fn calls_anything(expr: &Expr) -> bool {
    struct AnyCall(bool);
    impl<'a> Visitor<'a> for AnyCall {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if matches!(expr, Expr::Call(_) | Expr::Named(_) | Expr::Await(_)) {
                self.0 = true;
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut any = AnyCall(false);
    any.visit_expr(expr);
    any.0
}

/// The names a hoisted call's result must not take (see `Analyzer::taken`).
/// Every word of the function's text counts (a name, an attribute, a word in a string), except
/// where it names a keyword argument (`a` of `t(a=...)` is free to be the name of its value).
fn taken_names(checker: &Checker, def: &StmtFunctionDef) -> HashSet<String> {
    struct Keywords(Vec<TextRange>);
    impl<'a> Visitor<'a> for Keywords {
        fn visit_keyword(&mut self, keyword: &'a ruff_python_ast::Keyword) {
            if let Some(arg) = &keyword.arg {
                self.0.push(arg.range());
            }
            visitor::walk_keyword(self, keyword);
        }
    }
    let mut keywords = Keywords(Vec::new());
    for decorator in &def.decorator_list {
        keywords.visit_decorator(decorator);
    }
    keywords.visit_parameters(&def.parameters);
    keywords.visit_body(&def.body);
    keywords.0.sort_by_key(|r| r.start());
    let mut taken: HashSet<String> = HashSet::default();
    let mut segments = Vec::new();
    let mut from = def.start();
    for keyword in &keywords.0 {
        if keyword.start() >= from {
            segments.push(TextRange::new(from, keyword.start()));
        }
        from = from.max(keyword.end());
    }
    segments.push(TextRange::new(from, def.end()));
    for segment in segments {
        taken.extend(
            checker
                .text(segment)
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .map(str::to_string),
        );
    }
    taken.extend(
        checker
            .semantic
            .bindings()
            .iter()
            .filter(|b| b.scope == 0)
            .map(|b| b.name.to_string()),
    );
    for name in ["asyncio", "flyte", "list", "tuple", "_"] {
        taken.insert(name.to_string());
    }
    taken
}

/// Names a statement reads and binds.
#[derive(Default)]
pub(super) struct Names<'a> {
    pub(super) mentions: HashSet<&'a str>,
    pub(super) writes: HashSet<&'a str>,
    /// Names the statement may change without binding them: stored into (`x[0] = ...`), the
    /// receiver of a method call (`xs.append(...)`), or passed to a call.
    pub(super) mutated: HashSet<&'a str>,
}

impl<'a> Names<'a> {
    /// The names of one statement.
    pub(super) fn of_stmt(stmt: &'a Stmt) -> Self {
        let mut names = Names::default();
        names.visit_stmt(stmt);
        names.bound_by(stmt);
        names
    }

    /// The names of one expression.
    pub(super) fn of_expr(expr: &'a Expr) -> Self {
        let mut names = Names::default();
        names.visit_expr(expr);
        names
    }

    /// Whether running `self` before `other` (or after it) can change what either computes:
    /// one reads or changes what the other binds or changes.
    pub(super) fn conflicts(&self, other: &Names<'a>) -> bool {
        let touches = |a: &Names<'a>, b: &Names<'a>| {
            a.writes
                .iter()
                .chain(&a.mutated)
                .any(|n| b.mentions.contains(n))
        };
        touches(self, other) || touches(other, self)
    }
}

/// The name an expression's value is read from (`x` of `x.a[0]`).
fn base_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => base_name(&a.value),
        Expr::Subscript(s) => base_name(&s.value),
        _ => None,
    }
}

impl<'a> Names<'a> {
    /// Names bound by identifiers rather than expressions (imports, definitions, handlers).
    fn bound_by(&mut self, stmt: &'a Stmt) {
        let mut bind = |n: &'a str| {
            self.mentions.insert(n);
            self.writes.insert(n);
            self.mutated.insert(n);
        };
        match stmt {
            Stmt::Import(s) => {
                for a in &s.names {
                    let name = a.asname.as_ref().unwrap_or(&a.name);
                    bind(name.id.as_str().split('.').next().unwrap_or(""));
                }
            }
            Stmt::ImportFrom(s) => {
                for a in &s.names {
                    bind(a.asname.as_ref().unwrap_or(&a.name).id.as_str());
                }
            }
            Stmt::FunctionDef(s) => bind(s.name.id.as_str()),
            Stmt::ClassDef(s) => bind(s.name.id.as_str()),
            Stmt::Try(s) => {
                for h in &s.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                    if let Some(n) = &h.name {
                        bind(n.id.as_str());
                    }
                }
            }
            Stmt::Global(s) => s.names.iter().for_each(|n| bind(n.id.as_str())),
            Stmt::Nonlocal(s) => s.names.iter().for_each(|n| bind(n.id.as_str())),
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for Names<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(name) => {
                self.mentions.insert(name.id.as_str());
                if matches!(name.ctx, ExprContext::Store | ExprContext::Del) {
                    self.writes.insert(name.id.as_str());
                    self.mutated.insert(name.id.as_str());
                }
            }
            Expr::Attribute(a) if !matches!(a.ctx, ExprContext::Load) => {
                self.mutated.extend(base_name(&a.value));
            }
            Expr::Subscript(s) if !matches!(s.ctx, ExprContext::Load) => {
                self.mutated.extend(base_name(&s.value));
            }
            Expr::Call(call) => {
                if let Expr::Attribute(a) = &*call.func {
                    self.mutated.extend(base_name(&a.value));
                }
                for arg in call
                    .arguments
                    .args
                    .iter()
                    .chain(call.arguments.keywords.iter().map(|k| &k.value))
                {
                    self.mutated.extend(base_name(arg));
                }
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        self.bound_by(stmt);
        visitor::walk_stmt(self, stmt);
    }
}

/// Whether control can leave the block at this statement (or it must stay in place).
fn is_barrier(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Return(_)
        | Stmt::Raise(_)
        | Stmt::Break(_)
        | Stmt::Continue(_)
        | Stmt::Global(_)
        | Stmt::Nonlocal(_)
        | Stmt::Delete(_) => true,
        Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
        other => crate::importer::child_bodies(other)
            .iter()
            .any(|body| body.iter().any(is_barrier)),
    }
}

/// The operands of an ordering statement (`a >> b >> c`, `a.runs_before(b)`).
fn ordering_operands(stmt: &Stmt) -> Option<Vec<&Expr>> {
    let Stmt::Expr(e) = stmt else {
        return None;
    };
    super::ordering::ordering_operands(&e.value)
}

/// The waves of a block: each a list of nodes, in the order they are written. A node's wave is
/// the first after every node it depends on has finished (plain statements take no time).
fn schedule(nodes: &[Node], edges: &[(usize, usize)]) -> Outcome<Vec<Vec<usize>>> {
    let n = nodes.len();
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); n];
    for j in 0..n {
        for i in 0..j {
            let (a, b) = (&nodes[i], &nodes[j]);
            let changes = |x: &Node, y: &Node| x.mutated.iter().any(|m| y.mentions.contains(m));
            let conflicts = a.writes.iter().any(|w| b.mentions.contains(w))
                || b.writes.iter().any(|w| a.mentions.contains(w));
            let dependent = a.barrier
                || (a.cached.is_some() && a.cached == b.cached)
                || b.barrier
                || (!a.pure && !b.pure)
                || conflicts
                || (!a.pure && changes(a, b))
                || (!b.pure && changes(b, a));
            if dependent {
                deps[j].push(i);
            }
        }
    }
    for &(from, to) in edges {
        if from < n && to < n {
            deps[to].push(from);
        }
    }
    // Longest path in waves, by depth-first search (a cycle keeps the sync form).
    let mut start: Vec<Option<usize>> = vec![None; n];
    let mut state = vec![0u8; n];
    fn visit(
        v: usize,
        nodes: &[Node],
        deps: &[Vec<usize>],
        start: &mut [Option<usize>],
        state: &mut [u8],
    ) -> Outcome<usize> {
        if let Some(s) = start[v] {
            return Ok(s);
        }
        if state[v] == 1 {
            return Err("its ordering contradicts how its calls read each other".to_string());
        }
        state[v] = 1;
        let mut s = 0;
        for &d in &deps[v] {
            let finish = visit(d, nodes, deps, start, state)? + usize::from(nodes[d].takes_time());
            s = s.max(finish);
        }
        state[v] = 2;
        start[v] = Some(s);
        Ok(s)
    }
    for v in 0..n {
        visit(v, nodes, &deps, &mut start, &mut state)?;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&v| (start[v], nodes[v].class(), v));
    // Consecutive calls of one wave form a group; every other node is its own.
    let mut waves: Vec<Vec<usize>> = Vec::new();
    for v in order {
        let joins = matches!(nodes[v].kind, NodeKind::Call { .. })
            && waves.last().is_some_and(|w: &Vec<usize>| {
                w.iter().all(|&u| {
                    matches!(nodes[u].kind, NodeKind::Call { .. }) && start[u] == start[v]
                })
            });
        match waves.last_mut() {
            Some(wave) if joins => wave.push(v),
            _ => waves.push(vec![v]),
        }
    }
    Ok(waves)
}

/// A range of the source with edits inside it applied.
#[cfg(test)]
mod tests {
    use crate::settings::{Settings, Style};

    fn fixed(body: &str) -> String {
        let source = format!(
            "from flytekit import task, workflow\n\n\n@task\ndef t(x: int) -> int:\n    return x\n\n\n\
             @task(cache=True, cache_version=\"1\")\ndef cached(x: int) -> int:\n    return x\n\n\n\
             @workflow\ndef wf(x: int) -> int:\n{body}"
        );
        let settings = Settings {
            unsafe_fixes: true,
            style: Style::Async,
            ..Settings::default()
        };
        let out = crate::fix::fix_text(&source, &settings)
            .expect("fixes")
            .text;
        let start = out.find("def wf").expect("the workflow");
        out[start..].to_string()
    }

    #[test]
    fn an_ordering_against_the_statement_order_is_kept() {
        let out = fixed("    a = t(x=x)\n    b = t(x=x)\n    b >> a\n    return a\n");
        assert_eq!(
            out,
            "def wf(x: int) -> int:\n    b = await t.aio(x=x)\n    a = await t.aio(x=x)\n    return a\n"
        );
    }

    #[test]
    fn calls_of_a_cached_task_run_one_after_another() {
        let out = fixed(
            "    a = cached(x=x)\n    b = cached(x=x)\n    c = t(x=x)\n    return a + b + c\n",
        );
        assert!(
            out.contains("a, c = await asyncio.gather(\n        cached.aio(x=x),\n        t.aio(x=x),\n    )\n    b = await cached.aio(x=x)\n"),
            "{out}"
        );
    }

    #[test]
    fn plain_statements_keep_their_order_and_wait_for_their_inputs() {
        let out = fixed(
            "    a = t(x=x)\n    n = a + 1\n    m = x * 2\n    b = t(x=m)\n    c = t(x=n)\n    return c\n",
        );
        assert_eq!(
            out,
            "def wf(x: int) -> int:\n    a = await t.aio(x=x)\n    n = a + 1\n    m = x * 2\n    \
             b, c = await asyncio.gather(\n        t.aio(x=m),\n        t.aio(x=n),\n    )\n    return c\n"
        );
        // A plain statement that only reads what a call reads does not wait for it.
        let out = fixed("    a = t(x=x)\n    y = x + 1\n    b = t(x=y)\n    return a + b\n");
        assert!(
            out.contains("    y = x + 1\n    a, b = await asyncio.gather(\n"),
            "{out}"
        );
        // One that may change what a call reads does.
        let out = fixed(
            "    xs = [x]\n    a = t(x=len(xs))\n    xs.append(1)\n    b = t(x=len(xs))\n    return a + b\n",
        );
        assert!(!out.contains("gather"), "{out}");
    }

    #[test]
    fn a_body_with_a_call_of_unknown_kind_stays_sync() {
        let out = fixed("    f = t\n    return f(x=x)\n");
        assert!(
            out.starts_with("def wf(x: int) -> int:\n    f = t\n    return f(x=x)\n"),
            "{out}"
        );
    }

    #[test]
    fn task_calls_nested_in_one_statement_start_together() {
        let source = "from flytekit import task, workflow\n\n\n@task\ndef add(a: int, b: int) -> int:\n    return a + b\n\n\n\
             @task\ndef t(x: int) -> int:\n    return x\n\n\n\
             @workflow\ndef wf(x: int, a: int) -> int:\n    # together\n    s = add(a=t(x=x), b=t(x=a))  # sum\n    return s\n";
        let settings = Settings {
            unsafe_fixes: true,
            style: Style::Async,
            ..Settings::default()
        };
        let out = crate::fix::fix_text(source, &settings).expect("fixes").text;
        assert!(
            out.contains(
                "    # together\n    t_a, b = await asyncio.gather(\n        t.aio(x=x),\n        t.aio(x=a),\n    )\n    \
                 s = await add.aio(a=t_a, b=b)  # sum\n"
            ),
            "{out}"
        );
        for (body, expected) in [
            // A tuple of calls, returned.
            (
                "    return t(x=x), t(x=x + 1)\n",
                "    t_result, t_result_2 = await asyncio.gather(\n        t.aio(x=x),\n        t.aio(x=x + 1),\n    )\n    return t_result, t_result_2\n",
            ),
            // A chain, calls inside an operator, and calls beside a plain call stay in the
            // expression.
            (
                "    y = 1\n    return t(x=t(x=x) + t(x=y))\n",
                "await t.aio(x=(await t.aio(x=x)) + (await t.aio(x=y)))",
            ),
            (
                "    return t(x=t(x=x))\n",
                "return await t.aio(x=await t.aio(x=x))",
            ),
            (
                "    return [t(x=x), t(x=x), len(str(x))]\n",
                "return [await t.aio(x=x), await t.aio(x=x), len(str(x))]",
            ),
        ] {
            let out = fixed(body);
            assert!(out.contains(expected), "{out}");
        }
        // Calls of a cached task still run one after another.
        let out = fixed("    return cached(x=x), cached(x=x + 1)\n");
        assert!(!out.contains("gather"), "{out}");
        assert!(out.contains("    cached_result = await cached.aio(x=x)\n    cached_result_2 = await cached.aio(x=x + 1)\n"), "{out}");
    }

    #[test]
    fn results_nobody_reads_go_to_underscore_unless_it_is_taken() {
        let out = fixed("    a = t(x=x)\n    t(x=x + 1)\n    return a\n");
        assert!(out.contains("    a, _ = await asyncio.gather(\n"), "{out}");
        let out = fixed("    _ = 1\n    a = t(x=x)\n    t(x=x + 1)\n    return a + _\n");
        assert!(!out.contains("asyncio.gather"), "{out}");
        assert!(out.contains("await t.aio(x=x + 1)"), "{out}");
    }
}
