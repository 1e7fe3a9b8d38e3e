//! The one AST walk per file: it keeps the context rules need (ancestors, enclosing functions)
//! and dispatches each node to the rules that care about it.

use rustc_hash::FxHashMap as HashMap;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprName, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::importer::Importer;
use crate::registry::Rule;
use crate::rules;
use crate::semantic::{self, BindingKind, ScopeId, SemanticModel};
use crate::settings::RuleSet;
use crate::source::{LineEnding, Locator};

/// How many of the last resolved expressions [`Checker::resolve`] remembers.
const RECENT: usize = 4;

/// A canonical qualified name, or none.
type Resolved = Option<Rc<str>>;

/// How deep the walk goes before it gives up on a file instead of exhausting the stack.
pub const MAX_DEPTH: usize = 2500;

/// What a function is to flytekit, judged by its decorators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlyteKind {
    Task,
    Workflow,
    Dynamic,
    Eager,
}

impl FlyteKind {
    /// The rule whose fix moves a function of this kind to an environment.
    pub fn decorator_rule(self) -> Rule {
        match self {
            FlyteKind::Task => Rule::TaskDecorator,
            FlyteKind::Workflow => Rule::WorkflowDecorator,
            FlyteKind::Dynamic | FlyteKind::Eager => Rule::DynamicDecorator,
        }
    }
}

#[derive(Debug, Clone)]
pub struct FunctionContext<'a> {
    pub def: &'a StmtFunctionDef,
    pub kind: Option<FlyteKind>,
}

pub struct Checker<'a> {
    pub locator: &'a Locator<'a>,
    pub line_ending: LineEnding,
    pub semantic: &'a SemanticModel<'a>,
    pub importer: &'a Importer<'a>,
    pub module: &'a [Stmt],
    /// The module's name (the file stem), empty when unknown.
    pub module_name: &'a str,
    /// How each flytekit function moves into a `TaskEnvironment`.
    pub plan: crate::env::ModulePlan,
    /// The project the module belongs to, when an index was built.
    pub project: Option<&'a crate::project::ModuleContext<'a>>,
    /// How migrated orchestrators are written.
    pub style: crate::settings::Style,
    rules: &'a RuleSet,
    diagnostics: Vec<Diagnostic>,
    exprs: Vec<&'a Expr>,
    stmts: Vec<&'a Stmt>,
    scopes: Vec<ScopeId>,
    functions: Vec<FunctionContext<'a>>,
    depth: usize,
    pub too_deep: Option<TextRange>,
    /// Qualified names already resolved, by expression range.
    resolved: RefCell<HashMap<TextRange, Option<Rc<str>>>>,
    /// The last few expressions resolved (the rules of one node ask about the same callee or
    /// name in a row), checked before any map: every result, a name of no import included.
    recent: RefCell<[(Option<TextRange>, Resolved); RECENT]>,
    recent_next: Cell<usize>,
    /// What each function is to flytekit, by the function's start.
    kinds: RefCell<HashMap<TextSize, Option<FlyteKind>>>,
    /// Whether each union `ActorEnvironment(...)` call moves (FM624), by the call's start: the
    /// question comes with every `@actor.task`, and the answer is a whole rewrite.
    actors: RefCell<HashMap<TextSize, bool>>,
    /// For each module-level statement whose names flytekit functions read, the least
    /// applicability of those functions' moves (see `pending`); built on first use.
    readers: std::cell::OnceCell<HashMap<TextSize, Applicability>>,
    /// The file's suppression comments, when known: a function whose move is suppressed
    /// (`# noqa: FM204` on its decorator) stays on flytekit.
    pub suppressions: Option<&'a crate::noqa::Suppressions>,
    /// `try:` statements that already import Flyte 2 and fall back on `ImportError`: code in
    /// them is compatibility code, not reported.
    compat: Vec<TextRange>,
    /// Every fix reported (of a selected rule or not), for `wait_for_calls`.
    fixes: Vec<FixSpan>,
}

/// What `wait_for_calls` knows of a reported fix.
struct FixSpan {
    /// The ranges its edits replace, imports left out.
    edits: Vec<TextRange>,
    applicability: Applicability,
    /// The innermost flytekit call whose arguments hold the diagnostic, and that call's callee.
    within: Option<(TextRange, TextRange)>,
    /// The diagnostic's index among the reported ones, when its rule is selected.
    reported: Option<usize>,
}

impl<'a> Checker<'a> {
    pub fn new(
        locator: &'a Locator<'a>,
        line_ending: LineEnding,
        semantic: &'a SemanticModel<'a>,
        importer: &'a Importer<'a>,
        module: &'a [Stmt],
        module_name: &'a str,
        settings: &'a crate::settings::Settings,
    ) -> Self {
        Self {
            locator,
            line_ending,
            semantic,
            importer,
            module,
            module_name,
            plan: crate::env::ModulePlan::default(),
            project: None,
            style: settings.style,
            rules: &settings.rules,
            diagnostics: Vec::new(),
            exprs: Vec::new(),
            stmts: Vec::new(),
            scopes: vec![0],
            functions: Vec::new(),
            depth: 0,
            too_deep: None,
            compat: compatibility_blocks(module),
            resolved: RefCell::new(HashMap::default()),
            recent: RefCell::new(Default::default()),
            recent_next: Cell::new(0),
            kinds: RefCell::new(HashMap::default()),
            actors: RefCell::new(HashMap::default()),
            readers: std::cell::OnceCell::new(),
            suppressions: None,
            fixes: Vec::new(),
        }
    }

    pub fn run(mut self) -> (Vec<Diagnostic>, Option<TextRange>) {
        // Planned whatever the selection: the plan also says when the code of a function is
        // Flyte 2 code (see `report`).
        self.plan = crate::env::plan(&self);
        self.visit_body(self.module);
        rules::imports::unused_flytekit_imports(&mut self);
        rules::imports::plugin_registrations(&mut self);
        rules::shell::subproc_execute(&mut self);
        rules::failure::flyte_error(&mut self);
        rules::context::unused_current_context(&mut self);
        let mut diagnostics = std::mem::take(&mut self.diagnostics);
        wait_for_calls(&self.fixes, &mut diagnostics);
        rules::orchestration::asyncify(&self, &mut diagnostics);
        (diagnostics, self.too_deep)
    }

    pub fn enabled(&self, rule: Rule) -> bool {
        self.rules.contains(rule)
    }

    pub fn report(&mut self, mut diagnostic: Diagnostic) {
        // Code that is Flyte 2 code only after another fix (a flytekit function's move to an
        // environment, an actor's call and its tasks) is rewritten no sooner than that fix
        // lands: a Flyte 2 body under a flytekit decorator runs on neither SDK.
        if let Some(fix) = &mut diagnostic.fix
            && fix.applicability != Applicability::DisplayOnly
            && let Some(pending) = self.stmts.first().and_then(|stmt| self.pending(stmt))
        {
            fix.applicability = fix.applicability.min(pending);
        }
        let reported = (self.enabled(diagnostic.rule)
            && !self
                .compat
                .iter()
                .any(|r| r.contains_range(diagnostic.range)))
        .then_some(self.diagnostics.len());
        if let Some(fix) = &diagnostic.fix
            && fix.applicability != Applicability::DisplayOnly
        {
            // Only a fix that writes Flyte 2 code waits for the flytekit call around it: one
            // that writes what both SDKs take (`kwtypes(a=int)` as `{"a": int}`) does not.
            let within = fix
                .edits
                .iter()
                .any(|e| names_flyte(&e.content))
                .then(|| self.enclosing_flytekit_call(diagnostic.range))
                .flatten();
            self.fixes.push(FixSpan {
                edits: fix
                    .edits
                    .iter()
                    .filter(|e| e.order != 0)
                    .map(|e| e.range)
                    .collect(),
                applicability: fix.applicability,
                within,
                reported,
            });
        }
        if reported.is_some() {
            self.diagnostics.push(diagnostic);
        }
    }

    /// The innermost call being walked whose arguments hold `range` and whose callee is a
    /// flytekit (or union) name, with its callee's range; calls that decorate a planned
    /// function are left out, as the plan already decides for the code they hold.
    fn enclosing_flytekit_call(&self, range: TextRange) -> Option<(TextRange, TextRange)> {
        self.exprs.iter().rev().find_map(|expr| {
            let Expr::Call(call) = expr else {
                return None;
            };
            if !call.arguments.range.contains_range(range) {
                return None;
            }
            let qualified = self.resolve(&call.func)?;
            (is_flytekit_name(&qualified) && !self.decorates_planned_function(call.range()))
                .then(|| (call.range(), call.func.range()))
        })
    }

    fn decorates_planned_function(&self, call: TextRange) -> bool {
        self.stmts.iter().any(|stmt| match stmt {
            Stmt::FunctionDef(def) => {
                self.plan.functions.contains_key(&def.range.start())
                    && def
                        .decorator_list
                        .iter()
                        .any(|d| d.expression.range() == call)
            }
            _ => false,
        })
    }

    /// The applicability of the fix a module-level statement waits for before its code is Flyte
    /// 2 code, `None` when it waits for nothing:
    /// - a flytekit function waits for its move (display-only when it cannot move);
    /// - a value bound to a name that flytekit functions read (a `Secret`, `Resources`, an
    ///   image) waits for the least of their moves, so no function that stays on flytekit reads
    ///   a Flyte 2 value;
    /// - an actor and its tasks wait for the actor's move.
    fn pending(&self, stmt: &Stmt) -> Option<Applicability> {
        if let Stmt::FunctionDef(def) = stmt
            && let Some(plan) = self.plan.functions.get(&def.range.start())
        {
            return Some(plan.applicability());
        }
        let read = match stmt {
            Stmt::Assign(_) | Stmt::AnnAssign(_) => self.readers().get(&stmt.start()).copied(),
            _ => None,
        };
        match (read, rules::actors::pending_in(self, stmt)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// See `readers`: module-level statement start → the least applicability of the moves of
    /// the planned functions that read a name it binds.
    fn readers(&self) -> &HashMap<TextSize, Applicability> {
        self.readers.get_or_init(|| {
            let mut readers: HashMap<TextSize, Applicability> = HashMap::default();
            if self.plan.functions.is_empty() {
                return readers;
            }
            for (at, binding) in self.semantic.resolutions().filter(|(_, b)| b.scope == 0) {
                let reader = match self.module_statement(TextRange::empty(at)) {
                    Some(Stmt::FunctionDef(def)) => self.plan.functions.get(&def.range.start()),
                    _ => None,
                };
                if let Some(plan) = reader
                    && let Some(defining @ (Stmt::Assign(_) | Stmt::AnnAssign(_))) =
                        self.module_statement(binding.range)
                {
                    let applicability = plan.applicability();
                    readers
                        .entry(defining.start())
                        .and_modify(|a| *a = (*a).min(applicability))
                        .or_insert(applicability);
                }
            }
            readers
        })
    }

    /// Whether a diagnostic of `rule` at `at` is suppressed by a comment.
    pub fn suppressed(&self, at: TextSize, rule: Rule) -> bool {
        self.suppressions
            .is_some_and(|s| s.suppresses(self.locator, at, rule))
    }

    /// The module-level statement holding `range`, by binary search (statements are in source
    /// order).
    pub fn module_statement(&self, range: TextRange) -> Option<&'a Stmt> {
        let module = self.module;
        let i = module.partition_point(|s| s.end() < range.end());
        module.get(i).filter(|s| s.range().contains_range(range))
    }

    pub fn source(&self) -> &'a str {
        self.locator.text()
    }

    pub fn text(&self, range: TextRange) -> &'a str {
        &self.locator.text()[range]
    }

    /// The expression that directly contains the one being visited.
    pub fn parent_expr(&self) -> Option<&'a Expr> {
        self.exprs.last().copied()
    }

    /// The `n`-th ancestor expression (0 = parent).
    pub fn ancestor_expr(&self, n: usize) -> Option<&'a Expr> {
        self.exprs.iter().rev().nth(n).copied()
    }

    /// The innermost statement being visited.
    pub fn current_stmt(&self) -> Option<&'a Stmt> {
        self.stmts.last().copied()
    }

    /// The innermost enclosing function.
    pub fn function(&self) -> Option<&FunctionContext<'a>> {
        self.functions.last()
    }

    /// The innermost enclosing function that flytekit decorates.
    pub fn flyte_function(&self) -> Option<&FunctionContext<'a>> {
        self.functions.iter().rev().find(|f| f.kind.is_some())
    }

    /// The canonical qualified name of an expression. Names imported inside compatibility
    /// code (a `try:` that imports Flyte 2, with an `ImportError` fallback) stand for either SDK
    /// and resolve to nothing.
    pub fn resolve(&self, expr: &Expr) -> Option<Rc<str>> {
        let key = expr.range();
        if let Some((_, known)) = self
            .recent
            .borrow()
            .iter()
            .find(|(range, _)| *range == Some(key))
        {
            return known.clone();
        }
        let resolved = self.resolve_uncached(expr);
        let next = self.recent_next.get();
        if let Some(slot) = self.recent.borrow_mut().get_mut(next) {
            *slot = (Some(key), resolved.clone());
        }
        self.recent_next.set((next + 1) % RECENT);
        resolved
    }

    fn resolve_uncached(&self, expr: &Expr) -> Option<Rc<str>> {
        // Most names are locals, parameters or builtins: no import, nothing to resolve.
        let binding = self.semantic.binding_of(head_name(expr)?.range.start())?;
        if !matches!(
            binding.kind,
            BindingKind::Import { .. } | BindingKind::Assignment { .. }
        ) {
            return None;
        }
        // Several rules ask about the same expression: resolve each once.
        let key = expr.range();
        if let Some(known) = self.resolved.borrow().get(&key) {
            return known.clone();
        }
        // Names bound inside compatibility code stand for either SDK: they resolve to nothing.
        let in_compat = self.compat.iter().any(|r| r.contains_range(binding.range));
        let resolved = if in_compat {
            None
        } else {
            self.semantic.resolve(expr).map(Rc::from)
        };
        self.resolved.borrow_mut().insert(key, resolved.clone());
        resolved
    }

    pub fn resolves_to(&self, expr: &Expr, names: &[&str]) -> bool {
        self.resolve(expr)
            .is_some_and(|q| names.iter().any(|n| **n == *q))
    }

    /// The edits that make `module` usable here: none when it is already imported, an insertion
    /// when it is not, and `None` when the name is taken by something else.
    pub fn import_module(&self, module: &str) -> Option<Vec<Edit>> {
        // `import flyte.report` binds `flyte`: that name must be free, or flyte itself.
        let head = module.split('.').next().unwrap_or(module);
        let shadowed = self
            .scopes
            .iter()
            .skip(1)
            .any(|&s| self.semantic.scope_binds(s, head));
        if shadowed || self.semantic.module_name_conflicts(head, head) {
            return None;
        }
        if self
            .semantic
            .has_module_import(module, self.importer.import_block_end())
        {
            Some(Vec::new())
        } else {
            Some(vec![self.importer.add_import(module)])
        }
    }

    /// The edits and local name that make `module.name` usable here, through
    /// `from module import name`; `None` when the name is taken by something else.
    pub fn import_from(&self, module: &str, name: &str) -> Option<(Vec<Edit>, String)> {
        let qualified = format!("{module}.{name}");
        let shadowed = self
            .scopes
            .iter()
            .skip(1)
            .any(|&s| self.semantic.scope_binds(s, name));
        if shadowed || self.semantic.module_name_conflicts(name, &qualified) {
            return None;
        }
        if self
            .semantic
            .has_import(name, &qualified, self.importer.import_block_end())
        {
            return Some((Vec::new(), name.to_string()));
        }
        Some((
            vec![self.importer.add_from_import(module, name)],
            name.to_string(),
        ))
    }

    /// The kind of a function from its decorators.
    pub fn flyte_kind(&self, def: &StmtFunctionDef) -> Option<FlyteKind> {
        let key = def.range.start();
        if let Some(&known) = self.kinds.borrow().get(&key) {
            return known;
        }
        let kind = self.flyte_kind_uncached(def);
        self.kinds.borrow_mut().insert(key, kind);
        kind
    }

    fn flyte_kind_uncached(&self, def: &StmtFunctionDef) -> Option<FlyteKind> {
        def.decorator_list.iter().find_map(|d| {
            let callee = crate::rules::decorator_callee(&d.expression);
            match &*self.resolve(callee)? {
                "flytekit.task" => Some(FlyteKind::Task),
                "flytekit.workflow" => Some(FlyteKind::Workflow),
                "flytekit.dynamic" => Some(FlyteKind::Dynamic),
                "flytekit.eager" => Some(FlyteKind::Eager),
                _ => None,
            }
        })
    }

    /// A string literal to insert where the walk is: inside an f-string it uses the quote
    /// character the f-string does not (Python before 3.12 cannot reuse it).
    pub fn quote(&self, s: &str) -> String {
        let q = self
            .exprs
            .iter()
            .rev()
            .find_map(|e| match e {
                Expr::FString(f) => f.value.iter().next().map(|p| p.quote_style().opposite()),
                _ => None,
            })
            .map_or('"', |q| q.as_char());
        rules::quote_with(s, q)
    }

    /// Whether `expr` is a decorator of the function being visited, or the callee of one
    /// (`@task`, `@task(...)`).
    pub fn in_decorator(&self, expr: &Expr) -> bool {
        let Some(Stmt::FunctionDef(def)) = self.current_stmt() else {
            return false;
        };
        def.decorator_list.iter().any(|d| match &d.expression {
            Expr::Call(call) => call.func.range() == expr.range(),
            other => other.range() == expr.range(),
        })
    }

    /// Whether `expr` sits inside the arguments of the flytekit decorator (`@task(...)`,
    /// `@workflow(...)`, ...) of the function being visited: among its settings, not in another
    /// decorator's arguments (`@pytest.mark.parametrize(...)`).
    pub fn in_decorator_arguments(&self, expr: &Expr) -> bool {
        let Some(Stmt::FunctionDef(def)) = self.current_stmt() else {
            return false;
        };
        self.flyte_kind(def).is_some()
            && def.decorator_list.iter().any(|d| match &d.expression {
                Expr::Call(call) => {
                    call.arguments.range().contains_range(expr.range())
                        && self.resolves_to(
                            &call.func,
                            &[
                                "flytekit.task",
                                "flytekit.workflow",
                                "flytekit.dynamic",
                                "flytekit.eager",
                            ],
                        )
                }
                _ => false,
            })
    }

    /// Whether an enclosing expression matches.
    pub fn has_ancestor(&self, predicate: impl Fn(&Expr) -> bool) -> bool {
        self.exprs.iter().any(|e| predicate(e))
    }

    /// Whether the expression being visited sits in a lambda or a generator expression, where
    /// `await` is not allowed (or makes an async generator).
    pub fn in_lambda_or_generator(&self) -> bool {
        self.exprs
            .iter()
            .any(|e| matches!(e, Expr::Lambda(_) | Expr::Generator(_)))
    }

    /// The innermost enclosing function, when it is a task (flytekit's or Flyte 2's).
    pub fn task_function(&self) -> Option<&FunctionContext<'a>> {
        self.function()
            .filter(|f| f.kind.is_some() || crate::env::environment_of(self, f.def).is_some())
    }

    /// The module-level function a name reads (not a local or parameter that shadows it).
    pub fn module_function(&self, name: &ExprName) -> Option<&'a StmtFunctionDef> {
        let binding = self.semantic.binding_of(name.range.start())?;
        if binding.scope != 0 {
            return None;
        }
        self.module.iter().find_map(|stmt| match stmt {
            Stmt::FunctionDef(def) if def.name.range == binding.range => Some(def),
            _ => None,
        })
    }

    /// Whether the `ActorEnvironment(...)` call starting at `at` moves, computed once.
    pub fn actor_moves(&self, at: TextSize, compute: impl FnOnce() -> bool) -> bool {
        if let Some(&known) = self.actors.borrow().get(&at) {
            return known;
        }
        let moves = compute();
        self.actors.borrow_mut().insert(at, moves);
        moves
    }

    /// Whether a function is a task: flytekit-decorated, or `@env.task` of a
    /// `flyte.TaskEnvironment` defined in this module.
    pub fn is_task_function(&self, def: &StmtFunctionDef) -> bool {
        self.flyte_kind(def).is_some() || crate::env::environment_of(self, def).is_some()
    }

    /// Whether a name reads a module-level `flyte.TaskEnvironment(...)`, also one made by
    /// `TaskEnvironment.from_task(...)` or `<environment>.clone_with(...)`.
    pub fn is_task_environment(&self, name: &ExprName) -> bool {
        self.task_environment_within(name, 0)
    }

    fn task_environment_within(&self, name: &ExprName, depth: usize) -> bool {
        let Some(binding) = self.semantic.binding_of(name.range.start()) else {
            return false;
        };
        let BindingKind::Assignment {
            value: Expr::Call(call),
            ..
        } = &binding.kind
        else {
            return false;
        };
        if binding.scope != 0 {
            return false;
        }
        if self.resolves_to(
            &call.func,
            &["flyte.TaskEnvironment", "flyte.TaskEnvironment.from_task"],
        ) || crate::rules::actors::converts(self, call)
        {
            return true;
        }
        match &*call.func {
            Expr::Attribute(attr) if attr.attr.id.as_str() == "clone_with" && depth < 8 => {
                matches!(&*attr.value, Expr::Name(base) if self.task_environment_within(base, depth + 1))
            }
            _ => false,
        }
    }

    fn enter(&mut self, range: TextRange) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            if self.too_deep.is_none() {
                self.too_deep = Some(range);
            }
            return false;
        }
        true
    }
}

/// Whether code names the `flyte` package (`flyte.Resources`, `import flyte`, `from flyte.io
/// import File`), not `flytekit` nor a longer name.
fn names_flyte(code: &str) -> bool {
    code.match_indices("flyte").any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + "flyte".len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// A Flyte 2 value passed to a flytekit call that stays is wrong on both SDKs
/// (`flytekit.Email(phases=[flyte.models.ActionPhase.FAILED])`, `union.App(limits=
/// flyte.Resources(...))`): a fix inside the arguments of a flytekit call waits for the fix
/// that rewrites that call's callee, and is never applied when no fix does. Outer calls are
/// settled first, so a wait passes down through nested calls.
fn wait_for_calls(fixes: &[FixSpan], diagnostics: &mut [Diagnostic]) {
    let mut waiting: Vec<usize> = (0..fixes.len())
        .filter(|&i| fixes[i].within.is_some())
        .collect();
    if waiting.is_empty() {
        return;
    }
    waiting.sort_by_key(|&i| {
        std::cmp::Reverse(
            fixes[i]
                .within
                .map(|(call, _)| call.len())
                .unwrap_or_default(),
        )
    });
    // Every edit by start, with the furthest end of the edits up to it: the edits that hold a
    // range start at or before it, and the walk back stops at the first edit before which
    // none reaches its end.
    let mut edits: Vec<(TextRange, usize)> = fixes
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.edits.iter().map(move |&e| (e, i)))
        .collect();
    edits.sort_by_key(|(e, _)| e.start());
    let reach: Vec<TextSize> = edits
        .iter()
        .scan(TextSize::default(), |furthest, (e, _)| {
            *furthest = (*furthest).max(e.end());
            Some(*furthest)
        })
        .collect();
    let mut applicability: Vec<Applicability> = fixes.iter().map(|f| f.applicability).collect();
    for i in waiting {
        let Some((_, callee)) = fixes[i].within else {
            continue;
        };
        let mut rewritten = Applicability::DisplayOnly;
        let mut k = edits.partition_point(|(e, _)| e.start() <= callee.start());
        while k > 0 && reach[k - 1] >= callee.end() {
            k -= 1;
            let (edit, j) = edits[k];
            if j != i && edit.contains_range(callee) {
                rewritten = rewritten.max(applicability[j]);
            }
        }
        applicability[i] = applicability[i].min(rewritten);
        if let Some(at) = fixes[i].reported
            && let Some(fix) = diagnostics.get_mut(at).and_then(|d| d.fix.as_mut())
        {
            fix.applicability = fix.applicability.min(applicability[i]);
        }
    }
}

/// Whether a qualified name is of flytekit, one of its plugins or union (the SDKs that Flyte 2
/// replaces).
pub fn is_flytekit_name(qualified: &str) -> bool {
    ["flytekit", "flytekitplugins", "union"].iter().any(|root| {
        qualified
            .strip_prefix(root)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    })
}

/// Every `try:` (at any depth) whose body imports `flyte` and which handles `ImportError` or
/// `ModuleNotFoundError`: the code of such a statement supports both SDKs on purpose.
fn compatibility_blocks(body: &[Stmt]) -> Vec<TextRange> {
    let mut found = Vec::new();
    for stmt in body {
        if let Stmt::Try(try_stmt) = stmt {
            let imports_flyte = try_stmt.body.iter().any(|s| match s {
                Stmt::Import(import) => import.names.iter().any(|a| {
                    let name = a.name.id.as_str();
                    name == "flyte" || name.starts_with("flyte.")
                }),
                Stmt::ImportFrom(from) => {
                    from.level == 0
                        && from.module.as_ref().is_some_and(|m| {
                            m.id.as_str() == "flyte" || m.id.as_str().starts_with("flyte.")
                        })
                }
                _ => false,
            });
            let handles_import_error = try_stmt.handlers.iter().any(|h| {
                let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                h.type_.as_deref().is_some_and(names_import_error)
            });
            if imports_flyte && handles_import_error {
                found.push(try_stmt.range);
                continue;
            }
        }
        for child in crate::importer::child_bodies(stmt) {
            found.extend(compatibility_blocks(child));
        }
    }
    found
}

/// The name an attribute chain starts with.
fn head_name(expr: &Expr) -> Option<&ruff_python_ast::ExprName> {
    match expr {
        Expr::Name(name) => Some(name),
        Expr::Attribute(attr) => head_name(&attr.value),
        _ => None,
    }
}

fn names_import_error(expr: &Expr) -> bool {
    match expr {
        Expr::Name(n) => matches!(n.id.as_str(), "ImportError" | "ModuleNotFoundError"),
        Expr::Tuple(t) => t.elts.iter().any(names_import_error),
        _ => false,
    }
}

impl<'a> Visitor<'a> for Checker<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if !self.enter(stmt.range()) {
            self.depth -= 1;
            return;
        }
        self.stmts.push(stmt);
        match stmt {
            Stmt::FunctionDef(def) => {
                let kind = self.flyte_kind(def);
                rules::decorators::function(self, def, kind);
                rules::io::parameter_defaults(self, def);
                rules::reference::function(self, def);
                rules::partials::function(self, def);
                walk_signature(self, def);
                let scope = self
                    .semantic
                    .scope_of_node(def.range.start(), semantic::TAG_FUNCTION);
                self.functions.push(FunctionContext { def, kind });
                if let Some(scope) = scope {
                    self.scopes.push(scope);
                }
                self.visit_body(&def.body);
                if scope.is_some() {
                    self.scopes.pop();
                }
                self.functions.pop();
            }
            Stmt::ClassDef(class) => {
                rules::dataclass_json::class(self, class);
                rules::io::field_defaults(self, class);
                for decorator in &class.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(arguments) = &class.arguments {
                    self.visit_arguments(arguments);
                }
                let scope = self
                    .semantic
                    .scope_of_node(class.range.start(), semantic::TAG_CLASS);
                if let Some(scope) = scope {
                    self.scopes.push(scope);
                }
                self.visit_body(&class.body);
                if scope.is_some() {
                    self.scopes.pop();
                }
            }
            Stmt::If(if_stmt) if self.functions.is_empty() => {
                rules::main_block::statement(self, if_stmt);
                visitor::walk_stmt(self, stmt);
            }
            Stmt::Expr(expr_stmt) => {
                rules::ordering::statement(self, stmt, &expr_stmt.value);
                rules::conditional::statement(self, stmt);
                rules::launch_plans::statement(self, stmt);
                visitor::walk_stmt(self, stmt);
            }
            Stmt::Return(_) | Stmt::Assign(_) | Stmt::AnnAssign(_) => {
                if let Stmt::Return(ret) = stmt {
                    rules::io::returned(self, ret);
                }
                rules::conditional::statement(self, stmt);
                rules::launch_plans::statement(self, stmt);
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
        self.stmts.pop();
        self.depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if !self.enter(expr.range()) {
            self.depth -= 1;
            return;
        }
        if let Expr::Subscript(subscript) = expr {
            rules::runtime::subscript(self, subscript);
        }
        match expr {
            Expr::Call(call) => {
                rules::resources::call(self, call);
                rules::cache::call(self, call);
                rules::map_task::call(self, call);
                rules::context::call(self, call);
                rules::secrets::call(self, call);
                rules::io::call(self, call);
                rules::overrides::call(self, call);
                rules::imports::kwtypes(self, call);
                rules::conditional::call(self, call);
                rules::runtime::call(self, call);
                rules::decks::call(self, call);
                rules::nodes::call(self, call);
                rules::io::path_use(self, call);
                rules::images::call(self, call);
                rules::images::method(self, call);
                rules::flyte2_api::call(self, call);
                rules::callees::call(self, call);
                rules::cli_runner::call(self, call);
                rules::remote::call(self, call);
                rules::errors::call(self, call);
                rules::gates::call(self, call);
                rules::task_objects::call(self, call);
                rules::actors::call(self, call);
                rules::apps::call(self, call);
                rules::partials::call(self, call);
                rules::launch_plans::call(self, call);
            }
            Expr::Attribute(attribute) => {
                rules::context::attribute(self, expr, attribute);
                rules::internal_context::attribute(self, expr, attribute);
                rules::promises::attribute(self, expr, attribute);
                rules::io::method(self, expr, attribute);
                rules::imports::reference(self, expr);
                rules::io::reference(self, expr);
                rules::constructs::reference(self, expr);
            }
            Expr::Name(name) => {
                rules::context::name(self, expr, name);
                rules::imports::reference(self, expr);
                rules::io::reference(self, expr);
                rules::constructs::reference(self, expr);
            }
            _ => {}
        }
        let scope = match expr {
            Expr::Lambda(e) => self
                .semantic
                .scope_of_node(e.range.start(), semantic::TAG_LAMBDA),
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_) => self
                .semantic
                .scope_of_node(expr.start(), semantic::TAG_COMPREHENSION),
            _ => None,
        };
        if let Some(scope) = scope {
            self.scopes.push(scope);
        }
        self.exprs.push(expr);
        visitor::walk_expr(self, expr);
        self.exprs.pop();
        if scope.is_some() {
            self.scopes.pop();
        }
        self.depth -= 1;
    }
}

/// Visit what a function definition holds outside its body, in source order: decorators,
/// parameter defaults and annotations, and the return annotation.
pub fn walk_signature<'a, V: Visitor<'a> + ?Sized>(visitor: &mut V, def: &'a StmtFunctionDef) {
    for decorator in &def.decorator_list {
        visitor.visit_decorator(decorator);
    }
    for p in def.parameters.iter() {
        if let Some(default) = p.default() {
            visitor.visit_expr(default);
        }
        if let Some(annotation) = p.annotation() {
            visitor.visit_annotation(annotation);
        }
    }
    if let Some(returns) = &def.returns {
        visitor.visit_annotation(returns);
    }
}
