//! FM601 `launch-plan`: `LaunchPlan.get_or_create(wf, ...)` is a `flyte.Trigger` on the
//! workflow's task in Flyte 2: `@env.task(triggers=flyte.Trigger(...))`.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprCall, ExprContext, ExprName, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::{keyword_name, quote, string_literal};
use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;

const CREATORS: &[&str] = &[
    "flytekit.LaunchPlan.get_or_create",
    "flytekit.LaunchPlan.create",
];

/// Cron aliases flytekit accepts, as five-field expressions.
const CRON_ALIASES: &[(&[&str], &str)] = &[
    (&["@hourly", "hourly", "hours"], "0 * * * *"),
    (&["@daily", "daily", "days"], "0 0 * * *"),
    (&["@weekly", "weekly", "weeks"], "0 0 * * 0"),
    (&["@monthly", "monthly", "months"], "0 0 1 * *"),
    (
        &["@yearly", "yearly", "years", "@annually", "annually"],
        "0 0 1 1 *",
    ),
];

pub fn statement(checker: &mut Checker, stmt: &Stmt) {
    if !checker.enabled(Rule::LaunchPlan) {
        return;
    }
    let (call, target) = match stmt {
        Stmt::Assign(assign) => match (&*assign.value, assign.targets.as_slice()) {
            (Expr::Call(call), [Expr::Name(name)]) => (call, Some(name)),
            _ => return,
        },
        Stmt::Expr(expr) => match &*expr.value {
            Expr::Call(call) => (call, None),
            _ => return,
        },
        _ => return,
    };
    let Some(creator) = checker.resolve(&call.func) else {
        return;
    };
    if !CREATORS.contains(&&*creator) {
        return;
    }
    let diagnostic = Diagnostic::new(
        Rule::LaunchPlan,
        "Launch plans are triggers in Flyte 2, declared on the task",
        call.range(),
    );
    let create = creator.ends_with(".create");
    // Calls of the launch plan in workflows come first: each becomes a direct call of the
    // workflow with the launch plan's inputs.
    let mut calls_left = None;
    // Whether the only uses of the name are in the statement itself (`wf = LaunchPlan...(wf)`).
    let mut only_itself = false;
    // `flyte.deploy(lp)` (code written for a compatibility layer whose launch plans are the
    // workflow's environment): it deploys the task's environment, with the trigger.
    let mut deploys = Vec::new();
    if let Some(target) = target {
        match calls(checker, stmt, call, create, target) {
            Ok((rewrites, _)) if !rewrites.is_empty() => {
                let n = rewrites.len();
                for (range, workflow, edits) in rewrites {
                    checker.report(
                        Diagnostic::new(
                            Rule::LaunchPlan,
                            format!(
                                "`{}(...)` runs launch plan `{}` as a child execution: in Flyte 2 it is a direct call of `{workflow}`",
                                target.id, target.id
                            ),
                            range,
                        )
                        .with_help(format!(
                            "Call `{workflow}(...)` with the launch plan's inputs: its defaults, then the call's arguments, then its fixed inputs"
                        ))
                        .with_fix(Fix::unsafe_edits(edits)),
                    );
                }
                calls_left = Some(if n == 1 {
                    "The launch plan is called in a workflow: that call becomes a direct call of \
                     the workflow first (the fix at the call), then the launch plan goes"
                        .to_string()
                } else {
                    "The launch plan is called in workflows: those calls become direct calls of \
                     the workflow first (the fix at each call), then the launch plan goes"
                        .to_string()
                });
            }
            Ok((_, found)) => {
                only_itself = true;
                deploys = found;
            }
            Err(why) => {
                calls_left = Some(format!(
                    "The launch plan object is used elsewhere: replace those uses first \
                     (`flyte.remote.Task.get(...)` or a direct call), then declare the trigger; {why}"
                ))
            }
        }
    }
    match trigger(checker, call, create) {
        Err(why) => checker.report(diagnostic.with_help(format!(
            "Declare `@env.task(triggers=flyte.Trigger(name=..., automation=flyte.Cron(...), \
             inputs={{...}}, auto_activate=False))` on the workflow's task by hand: {why}"
        ))),
        Ok(plan) => {
            let still_used = !only_itself
                && target.is_some_and(|t| {
                    checker
                        .semantic
                        .bindings()
                        .iter()
                        .any(|b| b.range == t.range && b.uses > 0)
                });
            let help = match &plan.trigger {
                None => "Remove it: every deployed Flyte 2 task can be run".to_string(),
                Some(trigger) => format!(
                    "Declare `triggers={trigger}` on `@env.task` of `{}` and remove the launch plan",
                    plan.workflow.name.id
                ),
            };
            let mut help = help;
            if !plan.notes.is_empty() {
                help.push_str(&format!(" ({})", plan.notes.join("; ")));
            }
            if !deploys.is_empty() {
                help.push_str(
                    "; `flyte.deploy(...)` of it deploys the task's environment, with the trigger",
                );
            }
            let diagnostic = diagnostic.with_help(help);
            if still_used {
                checker.report(diagnostic.with_help(calls_left.unwrap_or_else(|| {
                    "The launch plan object is used elsewhere: replace those uses first \
                     (`flyte.remote.Task.get(...)` or a direct call), then declare the trigger"
                        .to_string()
                })));
                return;
            }
            let Some(mut edits) = decorator_edits(checker, plan.workflow, plan.trigger.as_deref())
            else {
                // The workflow is still flytekit's: its move to an environment (FM301) comes first.
                checker.report(diagnostic);
                return;
            };
            edits.push(checker.importer.delete_stmt(stmt, checker.locator));
            if !deploys.is_empty() {
                let Some(env) = crate::env::environment_of(checker, plan.workflow) else {
                    checker.report(diagnostic);
                    return;
                };
                for range in &deploys {
                    edits.push(Edit::replace(*range, env.clone()));
                }
            }
            if let Some(trigger) = &plan.trigger {
                let module = if trigger.contains("flyte.notify.") {
                    "flyte.notify"
                } else {
                    "flyte"
                };
                match checker.import_module(module) {
                    Some(import) => edits.extend(import),
                    None => {
                        checker.report(diagnostic);
                        return;
                    }
                }
            }
            checker.report(diagnostic.with_fix(Fix::unsafe_edits(edits)));
        }
    }
}

/// `LaunchPlan.get_or_create(wf, "name", default_inputs=..., fixed_inputs=...)(a=1)` in a
/// workflow: a launch plan made and run in place, which Flyte 2 writes as a direct call of the
/// workflow's task with the launch plan's inputs (FM301's rewrite then awaits it).
pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::LaunchPlan) {
        return;
    }
    let Expr::Call(creation) = &*call.func else {
        return;
    };
    let Some(creator) = checker.resolve(&creation.func) else {
        return;
    };
    if !CREATORS.contains(&&*creator) {
        return;
    }
    let diagnostic = Diagnostic::new(
        Rule::LaunchPlan,
        "A launch plan made and run in place is a direct call of its workflow in Flyte 2",
        call.range(),
    );
    match in_place(checker, call, creation, creator.ends_with(".create")) {
        Ok((workflow, edits)) => checker.report(
            diagnostic
                .with_help(format!(
                    "Call `{workflow}(...)` with the launch plan's inputs: its defaults, then the \
                     call's arguments, then its fixed inputs"
                ))
                .with_fix(Fix::unsafe_edits(edits)),
        ),
        Err(why) => checker.report(diagnostic.with_help(format!(
            "Call the workflow's task directly with the launch plan's inputs, by hand: {why}"
        ))),
    }
}

/// The workflow's name and the edits of a launch plan made and run in place.
fn in_place(
    checker: &Checker,
    call: &ExprCall,
    creation: &ExprCall,
    create: bool,
) -> Result<(String, Vec<Edit>), String> {
    let positional: &[&str] = if create {
        &["name", "workflow", "default_inputs", "fixed_inputs"]
    } else {
        &["workflow", "name", "default_inputs", "fixed_inputs"]
    };
    // A schedule, notifications or other settings made the launch plan something a direct call
    // is not: that one becomes a trigger (a module-level launch plan, FM601), by hand.
    if let Some((other, _)) = fields(creation, positional)?
        .into_iter()
        .find(|(key, _)| !positional.contains(key))
    {
        return Err(format!(
            "it also sets `{other}=`: declare the launch plan at module level (a trigger on the \
             task) and call the workflow here"
        ));
    }
    let (workflow, defaults, fixed) = inputs(checker, creation, create)?;
    let caller = match checker.function() {
        Some(f)
            if checker
                .module_statement(f.def.range)
                .is_some_and(|s| s.range() == f.def.range) =>
        {
            f.def
        }
        _ => return Err("it is not in the body of a module-level workflow".to_string()),
    };
    let edits = direct_call(checker, call, caller, workflow, &defaults, &fixed)?;
    Ok((workflow.id.to_string(), edits))
}

/// The module-level workflow that a name bound to a launch plan of this module runs
/// (`lp = LaunchPlan.get_or_create(wf, ...)`): its calls become calls of the workflow.
pub fn workflow_of<'a>(checker: &Checker<'a>, name: &ExprName) -> Option<&'a StmtFunctionDef> {
    let binding = checker.semantic.binding_of(name.range.start())?;
    if binding.scope != 0 {
        return None;
    }
    let crate::semantic::BindingKind::Assignment {
        value: Expr::Call(call),
        stmt,
    } = &binding.kind
    else {
        return None;
    };
    let Stmt::Assign(assign) = stmt else {
        return None;
    };
    let [Expr::Name(target)] = assign.targets.as_slice() else {
        return None;
    };
    let creator = checker.resolve(&call.func)?;
    if !CREATORS.contains(&&*creator) {
        return None;
    }
    let create = creator.ends_with(".create");
    // Only when its calls are rewritten.
    calls(checker, stmt, call, create, target).ok()?;
    let (workflow, _, _) = inputs(checker, call, create).ok()?;
    checker.module_function(workflow)
}

/// A rewritten launch plan call: its range, the workflow's name and the edits.
type Rewritten = (TextRange, String, Vec<Edit>);

/// The inputs a launch plan call merges in, as `(name, value text)`.
type Inputs = Vec<(String, String)>;

/// The rewrites of every call of the launch plan bound to `target`: the call's range, the
/// workflow's name and the edits; empty when it is not used, and why not when a use cannot be
/// rewritten. A call `lp(a=1)` of `lp = LaunchPlan.get_or_create(wf, name, default_inputs=d,
/// fixed_inputs=f)` in a workflow runs `wf` with `d`, then the call's arguments, then `f`:
/// flytekit's `LaunchPlan.__call__` starts from the saved inputs (defaults updated by the
/// fixed ones) and updates them with the call's; a cluster drops the call's values for fixed
/// inputs, a local run keeps them, so a call that passes a fixed input is left alone.
fn calls(
    checker: &Checker,
    stmt: &Stmt,
    call: &ExprCall,
    create: bool,
    target: &ExprName,
) -> Result<(Vec<Rewritten>, Vec<TextRange>), String> {
    let Some(binding) = checker
        .semantic
        .bindings()
        .iter()
        .find(|b| b.range == target.range)
    else {
        return Ok((Vec::new(), Vec::new()));
    };
    if binding.uses == 0 || binding.scope != 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut finder = Calls {
        checker,
        target: target.range,
        skip: stmt.range(),
        frames: Vec::new(),
        found: Vec::new(),
        deploys: Vec::new(),
        problem: None,
    };
    finder.visit_body(checker.module);
    if let Some(problem) = finder.problem {
        return Err(problem);
    }
    if finder.found.is_empty() {
        return Ok((Vec::new(), finder.deploys));
    }
    if !finder.deploys.is_empty() {
        return Err("it is both called and deployed".to_string());
    }
    let (workflow, defaults, fixed) = inputs(checker, call, create)?;
    if checker
        .module_function(workflow)
        .is_some_and(|def| def.is_async)
    {
        return Err(format!(
            "`{}` is an `async` task, which the sync callers cannot call directly",
            workflow.id
        ));
    }
    let mut out = Vec::new();
    for (use_call, caller) in finder.found {
        let caller = caller.ok_or("it is called outside the body of a workflow")?;
        let edits = direct_call(checker, use_call, caller, workflow, &defaults, &fixed)?;
        out.push((use_call.range(), workflow.id.to_string(), edits));
    }
    Ok((out, Vec::new()))
}

/// The edits that make `use_call`, a run of a launch plan of `workflow` in `caller`, a direct
/// call of the workflow: its callee becomes the workflow's name, and the launch plan's default
/// and fixed inputs that the call does not pass are added. Why not, when it cannot be.
fn direct_call(
    checker: &Checker,
    use_call: &ExprCall,
    caller: &StmtFunctionDef,
    workflow: &ExprName,
    defaults: &Inputs,
    fixed: &Inputs,
) -> Result<Vec<Edit>, String> {
    if !matches!(
        checker.flyte_kind(caller),
        Some(crate::checker::FlyteKind::Workflow | crate::checker::FlyteKind::Dynamic)
    ) && crate::env::environment_of(checker, caller).is_none()
    {
        return Err(format!(
            "`{}` calls it, which is not a workflow or a task",
            caller.name.id
        ));
    }
    if caller.is_async {
        // Its task calls are awaited: the direct call would need `await` and the task's
        // colour.
        return Err(format!(
            "`{}` is `async`: await the workflow's task there by hand",
            caller.name.id
        ));
    }
    if binds(caller, workflow.id.as_str()) {
        return Err(format!(
            "`{}` binds `{}` itself",
            caller.name.id, workflow.id
        ));
    }
    if !use_call.arguments.args.is_empty() {
        return Err("a call passes positional arguments".to_string());
    }
    let mut passed = Vec::new();
    for kw in &use_call.arguments.keywords {
        passed.push(keyword_name(kw).ok_or("a call passes `**` arguments")?);
    }
    if let Some(key) = passed.iter().find(|k| fixed.iter().any(|(f, _)| f == *k)) {
        return Err(format!(
            "a call passes `{key}`, a fixed input (a cluster run keeps the fixed value, a local run the call's)"
        ));
    }
    let mut extra: Vec<String> = Vec::new();
    for (key, value) in defaults.iter().chain(fixed.iter()) {
        if !passed.contains(&key.as_str())
            && !extra.iter().any(|e| e.starts_with(&format!("{key}=")))
        {
            extra.push(format!("{key}={value}"));
        }
    }
    let mut edits = vec![Edit::replace(
        use_call.func.range(),
        workflow.id.to_string(),
    )];
    if !extra.is_empty() {
        let extra = extra.join(", ");
        match use_call.arguments.keywords.last() {
            Some(last) => edits.push(Edit::insert(last.end(), format!(", {extra}"))),
            None => edits.push(Edit::insert(
                use_call.arguments.start() + TextSize::from(1),
                extra,
            )),
        }
    }
    Ok(edits)
}

/// A launch plan call's arguments by field name: the positional ones named after `positional`.
fn fields<'a>(
    call: &'a ExprCall,
    positional: &[&'a str],
) -> Result<Vec<(&'a str, &'a Expr)>, String> {
    let mut fields = Vec::new();
    for (i, arg) in call.arguments.args.iter().enumerate() {
        fields.push((
            *positional.get(i).ok_or("unexpected positional arguments")?,
            arg,
        ));
    }
    for kw in &call.arguments.keywords {
        let name = kw.arg.as_ref().ok_or("`**` arguments")?;
        fields.push((name.id.as_str(), &kw.value));
    }
    Ok(fields)
}

/// A launch plan's workflow (a name the module binds once), default inputs and fixed inputs.
fn inputs<'a>(
    checker: &Checker<'a>,
    call: &'a ExprCall,
    create: bool,
) -> Result<(&'a ExprName, Inputs, Inputs), String> {
    let positional: &[&str] = if create {
        &["name", "workflow", "default_inputs", "fixed_inputs"]
    } else {
        &["workflow", "name", "default_inputs", "fixed_inputs"]
    };
    let mut workflow = None;
    let mut defaults = Vec::new();
    let mut fixed = Vec::new();
    let fields = fields(call, positional)?;
    for (key, value) in fields {
        match key {
            "workflow" => workflow = Some(value),
            "default_inputs" => defaults = literal_inputs(checker, value)?,
            "fixed_inputs" => fixed = literal_inputs(checker, value)?,
            _ => {}
        }
    }
    let Some(Expr::Name(workflow)) = workflow else {
        return Err("its workflow is not a name".to_string());
    };
    if checker
        .semantic
        .bindings_in(0, workflow.id.as_str())
        .count()
        != 1
    {
        return Err(format!(
            "`{}` is bound more than once in the module",
            workflow.id
        ));
    }
    Ok((workflow, defaults, fixed))
}

/// The items of a literal dict of inputs: identifier keys and literal values (evaluated where
/// the call is, as often as it runs, so nothing that could differ from one evaluation to the next).
fn literal_inputs(checker: &Checker, value: &Expr) -> Result<Inputs, String> {
    let Expr::Dict(dict) = value else {
        return Err("its inputs are not a literal dict".to_string());
    };
    let mut out = Vec::new();
    for item in &dict.items {
        let key = item
            .key
            .as_ref()
            .and_then(string_literal)
            .filter(|k| super::is_identifier(k))
            .ok_or("an input name is not a string literal")?;
        if !is_literal(&item.value) {
            return Err(format!("the value of input `{key}` is not a literal"));
        }
        out.push((
            key.to_string(),
            checker.text(item.value.range()).to_string(),
        ));
    }
    Ok(out)
}

/// A literal: numbers, strings, bytes, booleans, `None`, and lists, tuples, sets and dicts of them.
fn is_literal(e: &Expr) -> bool {
    match e {
        Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::BytesLiteral(_)
        | Expr::BooleanLiteral(_)
        | Expr::NoneLiteral(_) => true,
        Expr::UnaryOp(u) => matches!(&*u.operand, Expr::NumberLiteral(_)),
        Expr::List(l) => l.elts.iter().all(is_literal),
        Expr::Tuple(t) => t.elts.iter().all(is_literal),
        Expr::Set(s) => s.elts.iter().all(is_literal),
        Expr::Dict(d) => d
            .items
            .iter()
            .all(|i| i.key.as_ref().is_some_and(is_literal) && is_literal(&i.value)),
        _ => false,
    }
}

/// Whether a function binds `name` (a parameter or an assignment in its body).
fn binds(def: &StmtFunctionDef, name: &str) -> bool {
    struct Stores<'n>(&'n str, bool);
    impl<'a> Visitor<'a> for Stores<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(n) = expr
                && n.ctx == ExprContext::Store
                && n.id.as_str() == self.0
            {
                self.1 = true;
            }
            visitor::walk_expr(self, expr);
        }
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(d) if d.name.id.as_str() == self.0 => self.1 = true,
                Stmt::ClassDef(c) if c.name.id.as_str() == self.0 => self.1 = true,
                Stmt::Import(_) | Stmt::ImportFrom(_) => self.1 = true,
                Stmt::Global(_) | Stmt::Nonlocal(_) => self.1 = true,
                _ => {}
            }
            visitor::walk_stmt(self, stmt);
        }
    }
    if def
        .parameters
        .iter_non_variadic_params()
        .map(|p| &p.parameter)
        .chain(def.parameters.vararg.as_deref())
        .chain(def.parameters.kwarg.as_deref())
        .any(|p| p.name.id.as_str() == name)
    {
        return true;
    }
    let mut stores = Stores(name, false);
    stores.visit_body(&def.body);
    stores.1
}

/// The calls of a launch plan's name, each with the module-level function whose own body holds
/// it; the first other use is a problem.
struct Calls<'c, 'a> {
    checker: &'c Checker<'a>,
    target: TextRange,
    /// The launch plan's own statement.
    skip: TextRange,
    /// Enclosing scopes: a module-level function, or `None` (nested function, class, lambda,
    /// comprehension).
    frames: Vec<Option<&'a StmtFunctionDef>>,
    found: Vec<(&'a ExprCall, Option<&'a StmtFunctionDef>)>,
    /// Module-level `flyte.deploy(name)` arguments.
    deploys: Vec<TextRange>,
    problem: Option<String>,
}

impl Calls<'_, '_> {
    fn is_target(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Name(name) if self
            .checker
            .semantic
            .binding_of(name.range.start())
            .is_some_and(|b| b.range == self.target))
    }
}

impl<'a> Visitor<'a> for Calls<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.problem.is_some() || self.frames.len() > 64 || stmt.range() == self.skip {
            return;
        }
        match stmt {
            Stmt::FunctionDef(def) => {
                crate::checker::walk_signature(self, def);
                let frame = self.frames.is_empty().then_some(def);
                self.frames.push(frame);
                self.visit_body(&def.body);
                self.frames.pop();
            }
            Stmt::ClassDef(_) => {
                self.frames.push(None);
                visitor::walk_stmt(self, stmt);
                self.frames.pop();
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.problem.is_some() || self.frames.len() > 64 {
            return;
        }
        match expr {
            Expr::Call(call) if self.is_target(&call.func) => {
                let caller = match self.frames.as_slice() {
                    [Some(def)] => Some(*def),
                    _ => None,
                };
                self.found.push((call, caller));
                self.visit_arguments(&call.arguments);
            }
            Expr::Call(call)
                if self.frames.is_empty()
                    && self.checker.resolves_to(&call.func, &["flyte.deploy"]) =>
            {
                for arg in &call.arguments.args {
                    if self.is_target(arg) {
                        self.deploys.push(arg.range());
                    } else {
                        self.visit_expr(arg);
                    }
                }
                for kw in &call.arguments.keywords {
                    self.visit_expr(&kw.value);
                }
            }
            Expr::Lambda(_)
            | Expr::Generator(_)
            | Expr::ListComp(_)
            | Expr::SetComp(_)
            | Expr::DictComp(_) => {
                self.frames.push(None);
                visitor::walk_expr(self, expr);
                self.frames.pop();
            }
            Expr::Name(name) if name.ctx == ExprContext::Load && self.is_target(expr) => {
                self.problem.get_or_insert(format!(
                    "`{}` is used other than by calling it",
                    self.checker.text(expr.range())
                ));
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

struct Plan<'a> {
    workflow: &'a StmtFunctionDef,
    /// `flyte.Trigger(...)`, or `None` for a default launch plan (nothing to declare).
    trigger: Option<String>,
    notes: Vec<String>,
}

fn trigger<'a>(checker: &Checker<'a>, call: &ExprCall, create: bool) -> Result<Plan<'a>, String> {
    let text = |e: &Expr| checker.text(e.range()).to_string();
    let positional: &[&str] = if create {
        &["name", "workflow"]
    } else {
        &[
            "workflow",
            "name",
            "default_inputs",
            "fixed_inputs",
            "schedule",
        ]
    };
    let fields = fields(call, positional)?;
    let field = |n: &str| fields.iter().find(|(f, _)| *f == n).map(|(_, v)| *v);
    let workflow = field("workflow").ok_or("no workflow")?;
    let imported = matches!(workflow, Expr::Name(n) if checker
        .semantic
        .binding_of(n.range.start())
        .is_some_and(|b| matches!(b.kind, crate::semantic::BindingKind::Import { .. })));
    let workflow = module_function(checker, workflow)
        .or_else(|| defined_before(checker, workflow, call.start()))
        .ok_or(if imported {
            "the workflow is imported, and a fix edits this module only: declare the trigger on \
             its task in the module that defines it, and remove the launch plan here"
        } else {
            "the workflow is not defined in this module"
        })?;
    let mut notes = Vec::new();
    let mut args = Vec::new();
    let name = field("name");
    let mut inputs: Vec<String> = Vec::new();
    let mut automation = None;
    for (key, value) in &fields {
        match *key {
            "workflow" | "name" => {}
            "schedule" => automation = Some(schedule(checker, value, &mut inputs)?),
            "default_inputs" => inputs.extend(dict_items(checker, value)?),
            "fixed_inputs" => {
                inputs.extend(dict_items(checker, value)?);
                notes.push(
                    "fixed inputs become ordinary trigger inputs, which a run can override"
                        .to_string(),
                );
            }
            "auto_activate" => args.push(format!("auto_activate={}", text(value))),
            "labels" | "annotations" => {
                args.push(format!("{key}={}", unwrap_mapping(checker, value)))
            }
            "overwrite_cache" => args.push(format!("overwrite_cache={}", text(value))),
            "notifications" => {
                args.push(format!("notifications={}", notifications(checker, value)?));
                notes.push(
                    "notifications are Flyte 2 emails, with its own subject and body".to_string(),
                );
            }
            "max_parallelism" => {
                args.push(format!("max_action_concurrency={}", text(value)));
                notes.push("`max_action_concurrency` must be 0 or at least 2".to_string());
            }
            other => return Err(format!("`{other}=` has no automatic Flyte 2 equivalent")),
        }
    }
    let is_default = name.is_none() && automation.is_none() && inputs.is_empty() && args.is_empty();
    if is_default {
        return Ok(Plan {
            workflow,
            trigger: None,
            notes,
        });
    }
    let name = name.ok_or("a trigger needs a name")?;
    if !args.iter().any(|a| a.starts_with("auto_activate=")) {
        // Flyte 1 launch plans start inactive; Flyte 2 triggers start active.
        args.push("auto_activate=False".to_string());
    }
    let mut all = vec![format!("name={}", text(name))];
    if let Some(automation) = automation {
        all.push(format!("automation={automation}"));
    }
    if !inputs.is_empty() {
        all.push(format!("inputs={{{}}}", inputs.join(", ")));
    }
    all.extend(args);
    Ok(Plan {
        workflow,
        trigger: Some(format!("flyte.Trigger({})", all.join(", "))),
        notes,
    })
}

/// Flyte 1's notifications as a tuple of `flyte.notify.Email(...)`: `Email`, `Slack` and
/// `PagerDuty` all mail their `recipients_email` (Slack and PagerDuty take mail addresses).
fn notifications(checker: &Checker, value: &Expr) -> Result<String, String> {
    let items: Vec<&Expr> = match value {
        Expr::List(list) => list.elts.iter().collect(),
        Expr::Tuple(tuple) => tuple.elts.iter().collect(),
        call @ Expr::Call(_) => vec![call],
        _ => return Err("`notifications=` is not a list of notifications".to_string()),
    };
    let mut out = Vec::new();
    for item in items {
        let Expr::Call(call) = item else {
            return Err(
                "a notification is not an `Email(...)`, `Slack(...)` or `PagerDuty(...)` call"
                    .to_string(),
            );
        };
        if !checker.resolves_to(
            &call.func,
            &["flytekit.Email", "flytekit.Slack", "flytekit.PagerDuty"],
        ) {
            return Err(
                "a notification is not an `Email(...)`, `Slack(...)` or `PagerDuty(...)` call"
                    .to_string(),
            );
        }
        let mut phases = call.arguments.args.first();
        let mut recipients = call.arguments.args.get(1);
        if call.arguments.args.len() > 2 {
            return Err("a notification with more than two positional arguments".to_string());
        }
        for kw in &call.arguments.keywords {
            match keyword_name(kw) {
                Some("phases") => phases = Some(&kw.value),
                Some("recipients_email") => recipients = Some(&kw.value),
                _ => {
                    return Err(
                        "a notification argument other than `phases=` and `recipients_email=`"
                            .to_string(),
                    );
                }
            }
        }
        let (Some(phases), Some(recipients)) = (
            phases.and_then(literal_items),
            recipients.and_then(literal_items),
        ) else {
            return Err("a notification's phases or recipients are not a literal list".to_string());
        };
        let mut on_phase = Vec::new();
        for phase in phases {
            let resolved = checker.resolve(phase);
            let name = resolved
                .as_deref()
                .and_then(|q| {
                    // FM101 may have renamed the phase already.
                    q.strip_prefix("flytekit.WorkflowExecutionPhase.")
                        .or_else(|| q.strip_prefix("flyte.models.ActionPhase."))
                })
                .filter(|p| ["SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"].contains(p))
                .ok_or("a notification phase other than SUCCEEDED, FAILED, ABORTED or TIMED_OUT")?;
            on_phase.push(format!("flyte.models.ActionPhase.{name}"));
        }
        let recipients: Vec<&str> = recipients.iter().map(|r| checker.text(r.range())).collect();
        if on_phase.is_empty() || recipients.is_empty() {
            return Err("a notification without phases or recipients".to_string());
        }
        out.push(format!(
            "flyte.notify.Email(on_phase={}, recipients={})",
            tuple(&on_phase),
            tuple(&recipients)
        ));
    }
    Ok(tuple(&out))
}

/// The elements of a list or tuple literal.
fn literal_items(e: &Expr) -> Option<Vec<&Expr>> {
    match e {
        Expr::List(list) => Some(list.elts.iter().collect()),
        Expr::Tuple(tuple) => Some(tuple.elts.iter().collect()),
        _ => None,
    }
}

/// A Python tuple of the texts.
fn tuple<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [one] => format!("({},)", one.as_ref()),
        _ => format!(
            "({})",
            items
                .iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `CronSchedule(...)` / `FixedRate(...)` as a trigger automation.
fn schedule(checker: &Checker, value: &Expr, inputs: &mut Vec<String>) -> Result<String, String> {
    let Expr::Call(call) = value else {
        return Err(
            "the schedule is not a `CronSchedule(...)` or `FixedRate(...)` call".to_string(),
        );
    };
    let kind = checker.resolve(&call.func).ok_or("unknown schedule")?;
    let mut kickoff = None;
    let result = match &*kind {
        "flytekit.CronSchedule" => {
            if !call.arguments.args.is_empty() {
                return Err("a positional cron expression is AWS-style (six fields): convert it to five fields by hand".to_string());
            }
            let mut expression = None;
            for kw in &call.arguments.keywords {
                match keyword_name(kw) {
                    Some("schedule") => expression = Some(string_literal(super::module_constant(checker, &kw.value)).ok_or("the cron expression is not a literal")?),
                    Some("kickoff_time_input_arg") => kickoff = Some(&kw.value),
                    Some("cron_expression") => return Err("`cron_expression=` is AWS-style (six fields): convert it to five fields by hand".to_string()),
                    _ => return Err("`offset=` and other schedule options have no Flyte 2 equivalent".to_string()),
                }
            }
            let expression = expression.ok_or("no cron expression")?;
            let expression = CRON_ALIASES
                .iter()
                .find(|(names, _)| names.contains(&expression))
                .map_or(expression, |(_, cron)| *cron);
            format!("flyte.Cron({})", quote(expression))
        }
        "flytekit.FixedRate" => {
            let mut minutes = None;
            for (i, arg) in call.arguments.args.iter().enumerate() {
                if i == 0 {
                    minutes = Some(timedelta_minutes(checker, arg)?);
                }
            }
            for kw in &call.arguments.keywords {
                match keyword_name(kw) {
                    Some("duration") => minutes = Some(timedelta_minutes(checker, &kw.value)?),
                    Some("kickoff_time_input_arg") => kickoff = Some(&kw.value),
                    _ => return Err("unknown `FixedRate` option".to_string()),
                }
            }
            format!(
                "flyte.FixedRate(interval_minutes={})",
                minutes.ok_or("no duration")?
            )
        }
        _ => {
            return Err(
                "the schedule is not a `CronSchedule(...)` or `FixedRate(...)` call".to_string(),
            );
        }
    };
    if let Some(kickoff) = kickoff {
        inputs.push(format!(
            "{}: flyte.TriggerTime",
            checker.text(kickoff.range())
        ));
    }
    Ok(result)
}

/// A literal `timedelta(...)` in whole minutes, also through a module-level constant.
fn timedelta_minutes(checker: &Checker, value: &Expr) -> Result<u64, String> {
    // A module-level constant holding one (`INTERVAL = timedelta(hours=1)`) counts.
    let value = super::module_value(checker, value).unwrap_or(value);
    let Expr::Call(call) = value else {
        return Err("the duration is not a literal `timedelta(...)`".to_string());
    };
    if !checker.resolves_to(&call.func, &["datetime.timedelta"]) || !call.arguments.args.is_empty()
    {
        return Err("the duration is not a `timedelta(...)` with keyword arguments".to_string());
    }
    let mut seconds: u64 = 0;
    for kw in &call.arguments.keywords {
        let n =
            super::int_literal(&kw.value).ok_or("the duration is not made of integer literals")?;
        let unit = match keyword_name(kw) {
            Some("weeks") => 7 * 24 * 3600,
            Some("days") => 24 * 3600,
            Some("hours") => 3600,
            Some("minutes") => 60,
            Some("seconds") => 1,
            _ => return Err("unsupported `timedelta` field".to_string()),
        };
        seconds = seconds.saturating_add(n.saturating_mul(unit));
    }
    if seconds == 0 || !seconds.is_multiple_of(60) {
        return Err("`flyte.FixedRate` takes whole minutes".to_string());
    }
    Ok(seconds / 60)
}

/// The items of a literal dict, as `key: value` texts.
fn dict_items(checker: &Checker, value: &Expr) -> Result<Vec<String>, String> {
    let Expr::Dict(dict) = value else {
        return Err("inputs are not a literal dict".to_string());
    };
    dict.items
        .iter()
        .map(|item| match &item.key {
            Some(key) => Ok(format!(
                "{}: {}",
                checker.text(key.range()),
                checker.text(item.value.range())
            )),
            None => Err("inputs use `**`".to_string()),
        })
        .collect()
}

/// `Labels({...})` / `Annotations({...})` → the dict; anything else as written.
fn unwrap_mapping(checker: &Checker, value: &Expr) -> String {
    if let Expr::Call(call) = value
        && checker.resolves_to(&call.func, &["flytekit.Labels", "flytekit.Annotations"])
        && let [inner] = &*call.arguments.args
    {
        return checker.text(inner.range()).to_string();
    }
    checker.text(value.range()).to_string()
}

/// The module-level function a name reads.
fn module_function<'a>(checker: &Checker<'a>, expr: &Expr) -> Option<&'a StmtFunctionDef> {
    let Expr::Name(name) = expr else {
        return None;
    };
    checker.module_function(name)
}

/// The module-level function a name read at `at` stands for, when the statement holding `at`
/// rebinds the name (`wf = LaunchPlan.get_or_create(name="wf", workflow=wf)`): the last
/// top-level statement before it that binds the name, when that is a `def`.
fn defined_before<'a>(
    checker: &Checker<'a>,
    expr: &Expr,
    at: TextSize,
) -> Option<&'a StmtFunctionDef> {
    let Expr::Name(name) = expr else {
        return None;
    };
    let id = name.id.as_str();
    let mut last = None;
    for stmt in checker.module {
        if stmt.range().contains(at) {
            break;
        }
        match stmt {
            Stmt::FunctionDef(def) if def.name.id.as_str() == id => last = Some(def),
            Stmt::ClassDef(c) if c.name.id.as_str() == id => last = None,
            Stmt::Assign(a) if a.targets.iter().any(|t| binds_name(t, id)) => last = None,
            Stmt::AnnAssign(a) if binds_name(&a.target, id) => last = None,
            Stmt::Import(_)
            | Stmt::ImportFrom(_)
            | Stmt::If(_)
            | Stmt::Try(_)
            | Stmt::For(_)
            | Stmt::While(_)
            | Stmt::With(_)
                if checker
                    .semantic
                    .bindings_in(0, id)
                    .any(|b| stmt.range().contains_range(b.range)) =>
            {
                last = None
            }
            _ => {}
        }
    }
    last
}

fn binds_name(target: &Expr, id: &str) -> bool {
    match target {
        Expr::Name(n) => n.id.as_str() == id,
        Expr::Tuple(t) => t.elts.iter().any(|e| binds_name(e, id)),
        Expr::List(l) => l.elts.iter().any(|e| binds_name(e, id)),
        Expr::Starred(s) => binds_name(&s.value, id),
        _ => false,
    }
}

/// Edits adding `triggers=` to the function's `@env.task` decorator; `None` while the function
/// is not a Flyte 2 task yet.
fn decorator_edits(
    checker: &Checker,
    def: &StmtFunctionDef,
    trigger: Option<&str>,
) -> Option<Vec<Edit>> {
    crate::env::environment_of(checker, def)?;
    let Some(trigger) = trigger else {
        return Some(Vec::new());
    };
    let decorator = def.decorator_list.iter().find(|d| {
        let callee = super::decorator_callee(&d.expression);
        matches!(callee, Expr::Attribute(a) if a.attr.id.as_str() == "task")
    })?;
    // Every edit replaces a range two launch plans of one task would both touch, so their
    // fixes conflict and apply one per round, each seeing the other's trigger.
    Some(match &decorator.expression {
        Expr::Call(call) => match super::keyword(&call.arguments, "triggers") {
            Some(existing) => match &existing.value {
                Expr::Tuple(tuple) if !tuple.elts.is_empty() => {
                    let items: Vec<&str> =
                        tuple.elts.iter().map(|e| checker.text(e.range())).collect();
                    vec![Edit::replace(
                        tuple.range,
                        format!("({}, {trigger})", items.join(", ")),
                    )]
                }
                other => vec![Edit::replace(
                    other.range(),
                    format!("({}, {trigger})", checker.text(other.range())),
                )],
            },
            None => {
                let inner = TextRange::new(
                    call.arguments.start() + TextSize::from(1),
                    call.arguments.end() - TextSize::from(1),
                );
                let existing = checker.text(inner).trim().trim_end_matches(',');
                let arguments = if existing.is_empty() {
                    format!("(triggers={trigger})")
                } else {
                    format!("({existing}, triggers={trigger})")
                };
                vec![Edit::replace(call.arguments.range(), arguments)]
            }
        },
        other => vec![Edit::replace(
            other.range(),
            format!("{}(triggers={trigger})", checker.text(other.range())),
        )],
    })
}
