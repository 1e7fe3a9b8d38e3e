//! FM621 `flyte-remote`: a `FlyteRemote` object is built. Flyte 2 has no remote object: the
//! process is initialised once (`flyte.init_from_config(...)` or `flyte.init(...)`) and the
//! module functions and `flyte.remote` classes do the rest.
//!
//! The diagnostic names the exact initialisation call for the arguments given, and what replaces
//! each method the file calls on the object. There is no fix: the objects the methods return
//! (executions, fetched entities) have other shapes in Flyte 2, so the code around them changes
//! too.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::registry::Rule;

/// The constructors of `FlyteRemote`.
pub const CONSTRUCTORS: &[&str] = &[
    "flytekit.FlyteRemote",
    "flytekit.FlyteRemote.for_endpoint",
    "flytekit.FlyteRemote.for_sandbox",
    "flytekit.FlyteRemote.from_config",
];

/// The endpoint of a local cluster: flytekit's `Config.for_sandbox()`, and what a Flyte 2 devbox
/// (`flyte start devbox`) publishes.
const SANDBOX: &str = "endpoint=\"localhost:30080\", insecure=True";

/// `FlyteRemote` methods and what replaces them.
const METHODS: &[(&str, &str)] = &[
    (
        "fetch_task",
        "`flyte.remote.Task.get(\"<environment>.<function>\", project=..., domain=..., version=...)` (Flyte 2 task names are the environment's name and the function's)",
    ),
    (
        "fetch_workflow",
        "`flyte.remote.Task.get(...)` of the task that replaced the workflow",
    ),
    (
        "fetch_launch_plan",
        "`flyte.remote.Task.get(...)` of the task the launch plan ran (schedules are `flyte.remote.Trigger`)",
    ),
    (
        "execute",
        "`run = flyte.run(entity, **inputs)` (`flyte.with_runcontext(overwrite_cache=..., name=..., project=..., domain=...).run(...)` for options; `run.wait()` for `wait=True`)",
    ),
    ("wait", "`run.wait()`"),
    (
        "sync",
        "`flyte.remote.Run.get(run.name)`, fetched again (`run.sync()` does nothing in Flyte 2.12)",
    ),
    (
        "sync_execution",
        "`flyte.remote.Run.get(run.name)`, fetched again (`run.sync()` does nothing in Flyte 2.12)",
    ),
    ("fetch_execution", "`flyte.remote.Run.get(name)`"),
    ("fetch_workflow_execution", "`flyte.remote.Run.get(name)`"),
    (
        "recent_executions",
        "`list(flyte.remote.Run.listall(sort_by=(\"created_at\", \"desc\"), limit=...))`",
    ),
    ("generate_console_url", "`run.url`"),
    ("terminate", "`run.abort(reason)`"),
    (
        "client",
        "`flyte.remote.Run.listall(...)` and `flyte.remote.Action.listall(for_run_name=...)` (no raw admin client)",
    ),
    (
        "register_script",
        "`flyte.deploy(env, version=...)` (`flyte deploy` on the command line)",
    ),
    (
        "register_workflow",
        "`flyte.deploy(env, version=...)` (`flyte deploy` on the command line)",
    ),
    (
        "register_task",
        "`flyte.deploy(env, version=...)` (`flyte deploy` on the command line)",
    ),
    (
        "register_launch_plan",
        "a `flyte.Trigger` on the task, deployed with `flyte.deploy(env)`",
    ),
    (
        "file_access",
        "`flyte.storage.get(from_path, to_path)` and `flyte.storage.put(...)`",
    ),
    ("upload_file", "`flyte.storage.put(from_path)`"),
    (
        "download",
        "`run.outputs()` for outputs, `flyte.storage.get(...)` for files",
    ),
];

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::FlyteRemote) {
        return;
    }
    let Some(qualified) = checker.resolve(&call.func) else {
        return;
    };
    if !CONSTRUCTORS.contains(&&*qualified) {
        return;
    }
    let init = init_call(checker, &qualified, call);
    let mut help = match &init {
        Some(init) => format!("Call `{init}` once instead of building a remote object"),
        None => "Call `flyte.init_from_config(path, project=..., domain=...)` (or `flyte.init(endpoint=..., insecure=..., project=..., domain=...)`) once instead of building a remote object".to_string(),
    };
    if qualified.ends_with(".from_config") {
        help.push_str(" (`FlyteRemote.from_config` is gone from flytekit 1.16; Flyte 2 reads YAML configs, not flytekit's INI `.config` files)");
    }
    if qualified.ends_with(".for_sandbox") || init.as_deref().is_some_and(|i| i.contains(SANDBOX)) {
        help.push_str(" (a local Flyte 2 devbox, `flyte start devbox`, listens there; a Flyte 1 sandbox cannot run Flyte 2 tasks)");
    }
    let methods = methods_used(checker, call);
    if !methods.is_empty() {
        let mapped: Vec<String> = methods
            .iter()
            .map(|m| match METHODS.iter().find(|(name, _)| name == m) {
                Some((_, what)) => format!("`.{m}` is {what}"),
                None => format!("`.{m}` has no direct equivalent: see `flyte.remote`"),
            })
            .collect();
        help.push_str("; ");
        help.push_str(&mapped.join("; "));
    }
    let fix = match &init {
        Some(init) => match script_fix(checker, call, init) {
            Ok(fix) => Some(fix),
            Err(why) => {
                help.push_str(&format!(" (not rewritten: {why})"));
                None
            }
        },
        None => None,
    };
    let mut diagnostic = Diagnostic::new(
        Rule::FlyteRemote,
        "Flyte 2 has no `FlyteRemote`: the process is initialised once and `flyte.run` and `flyte.remote` do the rest",
        call.range(),
    )
    .with_help(help);
    diagnostic.set_fix(fix);
    checker.report(diagnostic);
}

/// The argument passed by keyword `name` or at `position`.
fn argument<'a>(call: &'a ExprCall, name: &str, position: Option<usize>) -> Option<&'a Expr> {
    match position {
        Some(p) => call.arguments.find_argument_value(name, p),
        None => call.arguments.find_keyword(name).map(|k| &k.value),
    }
}

/// `flyte.init_from_config(...)` or `flyte.init(...)` for the constructor's arguments, when they
/// are understood.
fn init_call(checker: &Checker, qualified: &str, call: &ExprCall) -> Option<String> {
    let text = |e: &Expr| checker.text(e.range()).to_string();
    // `project=` and `domain=`, from the constructor's defaults.
    let scope = |project: Option<&Expr>, domain: Option<&Expr>| {
        let mut parts = Vec::new();
        if let Some(p) = project {
            parts.push(format!("project={}", text(p)));
        }
        if let Some(d) = domain {
            parts.push(format!("domain={}", text(d)));
        }
        parts
    };
    let join =
        |function: &str, parts: Vec<String>| format!("flyte.{function}({})", parts.join(", "));
    if call.arguments.args.iter().any(|a| a.is_starred_expr())
        || call.arguments.keywords.iter().any(|k| k.arg.is_none())
    {
        return None;
    }
    match qualified.rsplit('.').next()? {
        "FlyteRemote" => {
            let project = argument(call, "default_project", Some(1));
            let domain = argument(call, "default_domain", Some(2));
            // union's `UnionRemote` (a `FlyteRemote`) takes no config, or a file's path, and
            // then reads union's configuration file, as `flyte.init_from_config` does.
            let Some(config) = argument(call, "config", Some(0)) else {
                return Some(join("init_from_config", scope(project, domain)));
            };
            if config.is_string_literal_expr() {
                let mut parts = vec![text(config)];
                parts.extend(scope(project, domain));
                return Some(join("init_from_config", parts));
            }
            let config = super::module_value(checker, config).unwrap_or(config);
            let Expr::Call(config) = config else {
                return None;
            };
            match &*checker.resolve(&config.func)? {
                "flytekit.Config.auto" => {
                    let mut parts: Vec<String> = argument(config, "config_file", Some(0))
                        .map(text)
                        .into_iter()
                        .collect();
                    parts.extend(scope(project, domain));
                    Some(join("init_from_config", parts))
                }
                "flytekit.Config.for_sandbox" => {
                    let mut parts = vec![SANDBOX.to_string()];
                    parts.extend(scope(project, domain));
                    Some(join("init", parts))
                }
                "flytekit.Config.for_endpoint" => {
                    if argument(config, "data_config", Some(2)).is_some()
                        || argument(config, "config_file", Some(3)).is_some()
                    {
                        return None;
                    }
                    let endpoint = argument(config, "endpoint", Some(0))?;
                    let mut parts = vec![format!("endpoint={}", text(endpoint))];
                    if let Some(insecure) = argument(config, "insecure", Some(1)) {
                        parts.push(format!("insecure={}", text(insecure)));
                    }
                    parts.extend(scope(project, domain));
                    Some(join("init", parts))
                }
                _ => None,
            }
        }
        "for_endpoint" => {
            if argument(call, "data_config", Some(2)).is_some()
                || argument(call, "config_file", Some(3)).is_some()
            {
                return None;
            }
            let endpoint = argument(call, "endpoint", Some(0))?;
            let mut parts = vec![format!("endpoint={}", text(endpoint))];
            if let Some(insecure) = argument(call, "insecure", Some(1)) {
                parts.push(format!("insecure={}", text(insecure)));
            }
            parts.extend(scope(
                argument(call, "default_project", Some(4)),
                argument(call, "default_domain", Some(5)),
            ));
            Some(join("init", parts))
        }
        "for_sandbox" => {
            let mut parts = vec![SANDBOX.to_string()];
            parts.extend(scope(
                argument(call, "default_project", Some(0)),
                argument(call, "default_domain", Some(1)),
            ));
            Some(join("init", parts))
        }
        "from_config" => {
            let mut parts: Vec<String> = argument(call, "config_file_path", Some(2))
                .map(text)
                .into_iter()
                .collect();
            parts.extend(scope(
                argument(call, "default_project", Some(0)),
                argument(call, "default_domain", Some(1)),
            ));
            Some(join("init_from_config", parts))
        }
        _ => None,
    }
}

/// The attributes the file reads from the name the remote object is assigned to, in order.
fn methods_used(checker: &Checker, call: &ExprCall) -> Vec<String> {
    let Some(Stmt::Assign(assign)) = checker.current_stmt() else {
        return Vec::new();
    };
    if assign.value.range() != call.range() {
        return Vec::new();
    }
    let [Expr::Name(target)] = assign.targets.as_slice() else {
        return Vec::new();
    };
    let mut finder = Attributes {
        checker,
        target: target.range,
        found: Vec::new(),
        depth: 0,
    };
    finder.visit_body(checker.module);
    finder.found
}

struct Attributes<'c, 'a> {
    checker: &'c Checker<'a>,
    /// The assigned name.
    target: TextRange,
    found: Vec<String>,
    /// How deep the walk is: it stops where the checker's walk would.
    depth: usize,
}

impl<'a> Visitor<'a> for Attributes<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.depth < crate::checker::MAX_DEPTH {
            self.depth += 1;
            visitor::walk_stmt(self, stmt);
            self.depth -= 1;
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.depth >= crate::checker::MAX_DEPTH {
            return;
        }
        if let Expr::Attribute(attribute) = expr
            && let Expr::Name(name) = &*attribute.value
            && self
                .checker
                .semantic
                .binding_of(name.range.start())
                .is_some_and(|b| b.range == self.target)
        {
            let attr = attribute.attr.id.to_string();
            if !self.found.contains(&attr) {
                self.found.push(attr);
            }
        }
        self.depth += 1;
        visitor::walk_expr(self, expr);
        self.depth -= 1;
    }
}

// ---------------------------------------------------------------------------------------------
// The unsafe fix: a whole script that talks to the backend through one remote object.
// ---------------------------------------------------------------------------------------------

/// What a tracked name holds once the script is rewritten.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Held {
    /// The remote object itself: every use is a method call the fix rewrites.
    Remote,
    /// A fetched task, workflow or launch plan: a lazy `flyte.remote.Task`.
    Entity,
    /// An execution: a `flyte.remote.Run`.
    Run,
    /// A list of runs, read only by `for` loops.
    Runs,
    /// A name the rewrite binds to something the file must not use (`*rest` of a run list).
    Opaque,
}

struct Tracked {
    /// The range of the bound name where it is bound.
    binding: TextRange,
    held: Held,
}

/// How a producer call sits in its statement: `wait=True` needs a statement to wait in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place<'a> {
    /// `name = <call>`.
    Assigned(&'a str),
    /// `<call>` as a statement.
    Statement,
    /// Anywhere else.
    Inside,
}

/// The class of an execution.
const EXECUTIONS: &[&str] = &[
    "flytekit.remote.executions.FlyteWorkflowExecution",
    "flytekit.remote.FlyteWorkflowExecution",
];

/// The phases of a Flyte 1 execution that have a Flyte 2 run phase of the same meaning, as the
/// strings `flytekit.models.filters` compares (`WorkflowExecutionPhase` names).
const PHASES: &[(&str, &str)] = &[
    ("QUEUED", "queued"),
    ("RUNNING", "running"),
    ("SUCCEEDED", "succeeded"),
    ("FAILED", "failed"),
    ("ABORTED", "aborted"),
    ("TIMED_OUT", "timed_out"),
];

/// Execution list fields that a Flyte 2 run list sorts by under the same meaning.
const SORT_KEYS: &[(&str, &str)] = &[
    ("created_at", "created_at"),
    ("execution_created_at", "created_at"),
];

/// The Flyte 2 name of the task that a Flyte 1 entity name (`package.module.function`) becomes
/// when its module is migrated: the module's main environment is named after the module
/// (`package-module`), and a task's name is the environment's and the function's.
pub fn task_name(v1: &str) -> Option<String> {
    let (module, function) = v1.rsplit_once('.')?;
    if !super::is_identifier(function) {
        return None;
    }
    let env = crate::project::environment_name(module);
    (!env.is_empty()).then(|| format!("{env}.{function}"))
}

fn string(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str()),
        _ => None,
    }
}

/// The unsafe fix of a `name = FlyteRemote(...)`, when every use of `name` (and
/// of the entities and executions it hands out) is one the rewrite understands; else why not.
fn script_fix(checker: &Checker, call: &ExprCall, init: &str) -> Result<Fix, String> {
    let Some(Stmt::Assign(assign)) = checker.current_stmt() else {
        return Err("the remote object is not assigned to a name".into());
    };
    let [Expr::Name(target)] = assign.targets.as_slice() else {
        return Err("the remote object is not assigned to one name".into());
    };
    if assign.value.range() != call.range() {
        return Err("the remote object is not assigned to one name".into());
    }
    let mut constructors = Constructors {
        checker,
        count: 0,
        depth: 0,
    };
    constructors.visit_body(checker.module);
    if constructors.count != 1 {
        return Err(format!(
            "the file builds {} remote objects, and Flyte 2 has one configuration per process",
            constructors.count
        ));
    }
    // Built at module level or in a function, its name bound once there: every use reads it.
    let scope = checker
        .semantic
        .bindings()
        .iter()
        .find(|b| b.range == target.range)
        .map(|b| b.scope)
        .ok_or("the remote object's name has no binding")?;
    if !matches!(
        checker.semantic.scope_kind(scope),
        crate::semantic::ScopeKind::Module | crate::semantic::ScopeKind::Function
    ) {
        return Err("the remote object is a class attribute".into());
    }
    if checker
        .semantic
        .bindings_in(scope, target.id.as_str())
        .count()
        != 1
    {
        return Err(format!("`{}` is bound more than once", target.id));
    }
    if checker.locator.indentation(assign.start()).is_none() {
        return Err("the assignment does not start its line".into());
    }
    let mut script = Script {
        checker,
        skip: assign.range,
        tracked: vec![Tracked {
            binding: target.range,
            held: Held::Remote,
        }],
        edits: Vec::new(),
        problem: None,
        depth: 0,
    };
    // Names handed out are found as the walk goes; walk until none is new, so a function that
    // reads a name bound further down is checked against it too.
    let mut known = 0;
    for _ in 0..8 {
        script.edits.clear();
        script.problem = None;
        script.visit_body(checker.module);
        if script.tracked.len() == known {
            break;
        }
        known = script.tracked.len();
    }
    if script.tracked.len() != known {
        return Err("the uses of the remote object do not settle".into());
    }
    if let Some(problem) = script.problem {
        return Err(problem);
    }
    // A name the rewrite retypes must hold what it says wherever it is read: every binding of it
    // in its scope is one the rewrite made.
    for tracked in script.tracked.iter().filter(|t| t.held != Held::Opaque) {
        let Some(binding) = checker
            .semantic
            .bindings()
            .iter()
            .find(|b| b.range == tracked.binding)
        else {
            return Err("a name the rewrite follows has no binding".into());
        };
        let others = checker
            .semantic
            .bindings_in(binding.scope, binding.name)
            .any(|b| !script.tracked.iter().any(|t| t.binding == b.range));
        if others {
            return Err(format!(
                "`{}` is also bound to something else",
                binding.name
            ));
        }
    }
    // `flyte.remote` when the rewritten script reads it, `flyte` for the rest.
    let module = if script
        .edits
        .iter()
        .any(|e| e.content.contains("flyte.remote."))
    {
        "flyte.remote"
    } else {
        "flyte"
    };
    let mut edits = checker
        .import_module(module)
        .ok_or_else(|| "the name `flyte` is taken".to_string())?;
    edits.push(Edit::replace(assign.range, init.to_string()));
    edits.append(&mut script.edits);
    Ok(Fix::new(edits, Applicability::Unsafe))
}

struct Script<'c, 'a> {
    checker: &'c Checker<'a>,
    /// The constructor's statement, which becomes the initialisation call.
    skip: TextRange,
    tracked: Vec<Tracked>,
    edits: Vec<Edit>,
    problem: Option<String>,
    depth: usize,
}

impl<'a> Script<'_, 'a> {
    fn fail(&mut self, why: impl Into<String>) {
        if self.problem.is_none() {
            self.problem = Some(why.into());
        }
    }

    /// What `expr` holds, when it is a tracked name.
    fn held(&self, expr: &Expr) -> Option<Held> {
        let Expr::Name(name) = expr else {
            return None;
        };
        let semantic = self.checker.semantic;
        let mut binding = semantic.binding_of(name.range.start())?;
        // In `run = remote.sync(run)` the argument reads the `run` bound before the statement
        // (the model resolves it to the target, which starts first).
        if let crate::semantic::BindingKind::Assignment { value, .. } = &binding.kind
            && value.range().contains_range(name.range)
        {
            binding = semantic
                .bindings_in(binding.scope, binding.name)
                .filter(|b| b.range.start() < binding.range.start())
                .last()?;
        }
        self.tracked
            .iter()
            .find(|t| t.binding == binding.range)
            .map(|t| t.held)
    }

    fn track(&mut self, name: &Expr, held: Held) {
        let Expr::Name(name) = name else {
            return;
        };
        if !self.tracked.iter().any(|t| t.binding == name.range) {
            self.tracked.push(Tracked {
                binding: name.range,
                held,
            });
        }
    }

    /// A string literal, or a module-level name assigned one once.
    fn constant(&self, expr: &'a Expr) -> Option<&'a str> {
        string(expr).or_else(|| string(super::module_value(self.checker, expr)?))
    }

    fn text(&self, expr: &Expr) -> &'a str {
        self.checker.text(expr.range())
    }

    /// The source of `expr`, when it reads no tracked name (its text is then kept as is).
    fn render(&self, expr: &Expr) -> Option<String> {
        let mut mentions = Mentions {
            script: self,
            found: false,
        };
        mentions.visit_expr(expr);
        (!mentions.found).then(|| self.text(expr).to_string())
    }

    /// The method called when `expr` is `<remote>.<method>(...)`.
    fn remote_method<'e>(&self, expr: &'e Expr) -> Option<(&'e str, &'e ExprCall)> {
        let Expr::Call(call) = expr else {
            return None;
        };
        let Expr::Attribute(attribute) = &*call.func else {
            return None;
        };
        (self.held(&attribute.value) == Some(Held::Remote))
            .then(|| (attribute.attr.id.as_str(), call))
    }

    /// `remote.execute(...).outputs`, maybe subscripted: the `execute` call, and the range of
    /// what follows `.outputs` (`["count"]`, empty).
    fn waited_outputs<'e>(&self, value: &'e Expr) -> Option<(&'e ExprCall, TextRange)> {
        let (outputs, rest) = match value {
            Expr::Subscript(subscript) => match &*subscript.value {
                Expr::Attribute(outputs) => {
                    (outputs, TextRange::new(outputs.end(), subscript.end()))
                }
                _ => return None,
            },
            Expr::Attribute(outputs) => (outputs, TextRange::empty(outputs.end())),
            _ => return None,
        };
        if outputs.attr.id.as_str() != "outputs" {
            return None;
        }
        match self.remote_method(&outputs.value) {
            Some(("execute", call)) => Some((call, rest)),
            _ => None,
        }
    }

    /// `X = remote.execute(..., wait=True).outputs[...]` as `X_run = flyte.run(...)`,
    /// `X_run.wait()` and `X = X_run.outputs().named_outputs[...]`.
    fn waited_outputs_fix(
        &mut self,
        stmt: &Stmt,
        target: &Expr,
        call: &ExprCall,
        rest: TextRange,
    ) -> Result<(), String> {
        let Expr::Name(name) = target else {
            return Err("its outputs are unpacked".into());
        };
        let (run, wait) = self.execute(call)?;
        if !wait {
            return Err("the outputs of a run that is not waited for".into());
        }
        let after = self
            .statement_after(call)
            .ok_or("the statement shares its line")?;
        let var = format!("{}_run", name.id);
        if self.checker.source().contains(var.as_str()) {
            return Err(format!("`{var}` is taken"));
        }
        let rest = self.checker.text(rest);
        let (nl, indent) = (after.newline, after.indent.as_str());
        self.edits.push(Edit::replace(
            stmt.range(),
            format!(
                "{var} = {run}{nl}{indent}{var}.wait(){nl}{indent}{} = {var}.outputs().named_outputs{rest}",
                name.id
            ),
        ));
        Ok(())
    }

    /// The tracked run name passed as `execution` (first) to a remote method.
    fn run_argument<'e>(&self, call: &'e ExprCall, keyword: &str) -> Option<&'e str> {
        let arg = call.arguments.find_argument_value(keyword, 0)?;
        match arg {
            Expr::Name(name) if self.held(arg) == Some(Held::Run) => Some(name.id.as_str()),
            _ => None,
        }
    }

    /// Only the keywords in `allowed`, and at most `positional` positional arguments.
    fn only(call: &ExprCall, positional: usize, allowed: &[&str]) -> bool {
        call.arguments.args.len() <= positional
            && !call.arguments.args.iter().any(Expr::is_starred_expr)
            && call.arguments.keywords.iter().all(|k| {
                k.arg
                    .as_ref()
                    .is_some_and(|a| allowed.contains(&a.as_str()))
            })
    }

    /// `flyte.remote.Task.get(...)` for `fetch_task`/`fetch_workflow`/`fetch_launch_plan`.
    fn fetch_entity(&self, call: &ExprCall) -> Result<String, String> {
        let keywords = ["project", "domain", "name", "version"];
        if !Self::only(call, 4, &keywords) {
            return Err("the fetch has arguments the rewrite does not know".into());
        }
        let arg = |k: &str, p: usize| call.arguments.find_argument_value(k, p);
        let name = arg("name", 2)
            .and_then(|n| self.constant(n))
            .ok_or("the fetched name is not a string")?;
        let name =
            task_name(name).ok_or_else(|| format!("`{name}` is not a `module.function` name"))?;
        let mut parts = vec![self.checker.quote(&name)];
        for (k, p) in [("project", 0), ("domain", 1)] {
            if let Some(v) = arg(k, p) {
                parts.push(format!("{k}={}", self.render(v).ok_or("nested use")?));
            }
        }
        match arg("version", 3) {
            Some(v) if !v.is_none_literal_expr() => {
                parts.push(format!("version={}", self.render(v).ok_or("nested use")?));
            }
            // flytekit fetches the latest version when none is given.
            _ => parts.push("auto_version=\"latest\"".to_string()),
        }
        Ok(format!("flyte.remote.Task.get({})", parts.join(", ")))
    }

    /// `flyte.run(...)` (through `flyte.with_runcontext(...)` for options) for `execute`, and
    /// whether it waits.
    fn execute(&self, call: &ExprCall) -> Result<(String, bool), String> {
        let allowed = [
            "entity",
            "inputs",
            "wait",
            "overwrite_cache",
            "interruptible",
            "envs",
            "execution_name",
            "project",
            "domain",
        ];
        if !Self::only(call, 2, &allowed) {
            return Err("`execute` has arguments with no Flyte 2 run option".into());
        }
        let entity = call
            .arguments
            .find_argument_value("entity", 0)
            .ok_or("`execute` has no entity")?;
        let entity = match entity {
            Expr::Name(name) if self.held(entity) == Some(Held::Entity) => name.id.to_string(),
            _ => match self.remote_method(entity) {
                Some(("fetch_task" | "fetch_workflow" | "fetch_launch_plan", fetch)) => {
                    self.fetch_entity(fetch)?
                }
                // A task or workflow of this module: `flyte.run` of the Flyte 2 task it
                // becomes runs it remotely, as `FlyteRemote.execute` registered and ran it.
                _ => match entity {
                    Expr::Name(name)
                        if self
                            .checker
                            .module_function(name)
                            .is_some_and(|def| self.checker.is_task_function(def)) =>
                    {
                        name.id.to_string()
                    }
                    _ => {
                        return Err(
                            "the executed entity is neither one the remote fetched nor a task or \
                             workflow of this module"
                                .into(),
                        );
                    }
                },
            },
        };
        let mut arguments = vec![entity];
        match call.arguments.find_argument_value("inputs", 1) {
            None => {}
            Some(v) if v.is_none_literal_expr() => {}
            Some(Expr::Dict(dict)) => {
                let mut keys: Vec<&str> = Vec::new();
                for item in &dict.items {
                    let key = item
                        .key
                        .as_ref()
                        .and_then(string)
                        .filter(|k| super::is_identifier(k) && *k != "task")
                        .ok_or("an input name is not a plain string")?;
                    if keys.contains(&key) {
                        return Err(format!("the input `{key}` is given twice"));
                    }
                    keys.push(key);
                    let value = self.render(&item.value).ok_or("nested use")?;
                    arguments.push(format!("{key}={value}"));
                }
            }
            Some(other) => {
                arguments.push(format!("**{}", self.render(other).ok_or("nested use")?));
            }
        }
        let mut options = Vec::new();
        for (v1, v2) in [
            ("overwrite_cache", "overwrite_cache"),
            ("interruptible", "interruptible"),
            ("envs", "env_vars"),
            ("execution_name", "name"),
            ("project", "project"),
            ("domain", "domain"),
        ] {
            if let Some(k) = call.arguments.find_keyword(v1) {
                options.push(format!(
                    "{v2}={}",
                    self.render(&k.value).ok_or("nested use")?
                ));
            }
        }
        let wait = match call.arguments.find_keyword("wait").map(|k| &k.value) {
            None => false,
            Some(Expr::BooleanLiteral(b)) => b.value,
            Some(_) => return Err("`wait=` is not a literal".into()),
        };
        let run = if options.is_empty() {
            format!("flyte.run({})", arguments.join(", "))
        } else {
            format!(
                "flyte.with_runcontext({}).run({})",
                options.join(", "),
                arguments.join(", ")
            )
        };
        Ok((run, wait))
    }

    /// `flyte.remote.Run.listall(...)` arguments for execution list filters and a sort order.
    fn listall(
        &self,
        project: Option<&Expr>,
        domain: Option<&Expr>,
        limit: Option<&Expr>,
        filters: Option<&Expr>,
        sort: Result<(String, String), String>,
    ) -> Result<String, String> {
        let mut parts = Vec::new();
        let mut phases: Option<Vec<String>> = None;
        let mut task: Option<String> = None;
        match filters {
            None => {}
            Some(f) if f.is_none_literal_expr() => {}
            Some(Expr::List(list)) => {
                for filter in &list.elts {
                    let Expr::Call(filter) = filter else {
                        return Err("a filter is not a `flytekit.models.filters` call".into());
                    };
                    let kind = self.checker.resolve(&filter.func);
                    if filter.arguments.len() != 2 || filter.arguments.args.len() != 2 {
                        return Err("a filter is not `Filter(key, value)`".into());
                    }
                    let key =
                        string(&filter.arguments.args[0]).ok_or("a filter key is not a string")?;
                    let value = &filter.arguments.args[1];
                    match (kind.as_deref(), key) {
                        (Some("flytekit.models.filters.Equal"), "phase") if phases.is_none() => {
                            phases = Some(vec![phase(value)?]);
                        }
                        (Some("flytekit.models.filters.ValueIn"), "phase") if phases.is_none() => {
                            let Expr::List(values) = value else {
                                return Err("the phases are not a list".into());
                            };
                            phases = Some(values.elts.iter().map(phase).collect::<Result<_, _>>()?);
                        }
                        (
                            Some("flytekit.models.filters.Equal"),
                            "launch_plan.name" | "workflow.name",
                        ) if task.is_none() => {
                            let name = self
                                .constant(value)
                                .ok_or("the filtered name is not a string")?;
                            task = Some(task_name(name).ok_or_else(|| {
                                format!("`{name}` is not a `module.function` name")
                            })?);
                        }
                        _ => {
                            return Err(format!(
                                "the filter on `{key}` has no Flyte 2 run list equivalent"
                            ));
                        }
                    }
                }
            }
            Some(_) => return Err("the filters are not a list".into()),
        }
        if let Some(phases) = phases {
            if phases.is_empty() {
                return Err("an empty phase filter".into());
            }
            let quoted: Vec<String> = phases.iter().map(|p| self.checker.quote(p)).collect();
            let tuple = match quoted.as_slice() {
                [one] => format!("({one},)"),
                many => format!("({})", many.join(", ")),
            };
            parts.push(format!("in_phase={tuple}"));
        }
        if let Some(task) = task {
            parts.push(format!("task_name={}", self.checker.quote(&task)));
        }
        let (key, direction) = sort?;
        parts.push(format!(
            "sort_by=({}, {})",
            self.checker.quote(&key),
            self.checker.quote(&direction)
        ));
        if let Some(limit) = limit {
            parts.push(format!("limit={}", self.render(limit).ok_or("nested use")?));
        }
        for (k, v) in [("project", project), ("domain", domain)] {
            if let Some(v) = v.filter(|v| !v.is_none_literal_expr()) {
                parts.push(format!("{k}={}", self.render(v).ok_or("nested use")?));
            }
        }
        Ok(format!(
            "list(flyte.remote.Run.listall({}))",
            parts.join(", ")
        ))
    }

    /// The sort key and direction of a `flytekit.models.admin.common.Sort`.
    fn sort(&self, sort: Option<&Expr>) -> Result<(String, String), String> {
        let Some(Expr::Call(sort)) = sort else {
            return Err(
                "the list has no sort order (Flyte 1 and Flyte 2 sort differently by default)"
                    .into(),
            );
        };
        let kind = self.checker.resolve(&sort.func);
        let (key, direction) = match kind.as_deref() {
            Some("flytekit.models.admin.common.Sort.from_python_std") => {
                let [text] = &*sort.arguments.args else {
                    return Err("`Sort.from_python_std` is not given one string".into());
                };
                let text = string(text).ok_or("the sort order is not a string")?.trim();
                let inner = text
                    .strip_suffix(')')
                    .ok_or("the sort order does not parse")?;
                if let Some(key) = inner.strip_prefix("asc(") {
                    (key.trim().to_string(), "asc")
                } else if let Some(key) = inner.strip_prefix("desc(") {
                    (key.trim().to_string(), "desc")
                } else {
                    return Err("the sort order does not parse".into());
                }
            }
            Some("flytekit.models.admin.common.Sort") => {
                if !Self::only(sort, 2, &["key", "direction"]) {
                    return Err("`Sort` has arguments the rewrite does not know".into());
                }
                let key = sort
                    .arguments
                    .find_argument_value("key", 0)
                    .and_then(string)
                    .ok_or("the sort key is not a string")?;
                let direction = sort
                    .arguments
                    .find_argument_value("direction", 1)
                    .and_then(|d| self.checker.resolve(d));
                let direction = match direction.as_deref() {
                    Some("flytekit.models.admin.common.Sort.Direction.ASCENDING") => "asc",
                    Some("flytekit.models.admin.common.Sort.Direction.DESCENDING") => "desc",
                    _ => return Err("the sort direction is not a `Sort.Direction`".into()),
                };
                (key.to_string(), direction)
            }
            _ => return Err("the sort order is not a `Sort`".into()),
        };
        let key = SORT_KEYS
            .iter()
            .find(|(v1, _)| *v1 == key)
            .map(|(_, v2)| v2.to_string())
            .ok_or_else(|| format!("Flyte 2 runs do not sort by `{key}`"))?;
        Ok((key, direction.to_string()))
    }

    /// Rewrites a remote method call where it stands; what it hands out is tracked by the
    /// caller.
    fn method(&mut self, method: &str, call: &ExprCall, place: Place) -> Option<Held> {
        let result = self.method_text(method, call, place);
        match result {
            Ok((text, held)) => {
                self.edits.push(Edit::replace(call.range(), text));
                held
            }
            Err(why) => {
                self.fail(format!("`.{method}(...)`: {why}"));
                None
            }
        }
    }

    fn method_text(
        &mut self,
        method: &str,
        call: &ExprCall,
        place: Place,
    ) -> Result<(String, Option<Held>), String> {
        match method {
            "fetch_task" | "fetch_workflow" | "fetch_launch_plan" => {
                Ok((self.fetch_entity(call)?, Some(Held::Entity)))
            }
            "fetch_execution" | "fetch_workflow_execution" => {
                if !Self::only(call, 0, &["name"]) {
                    return Err("`flyte.remote.Run.get` takes the run name only (the project and domain are `flyte.init`'s)".into());
                }
                let name = call.arguments.find_keyword("name").ok_or("no run name")?;
                let name = match &name.value {
                    // `latest.id.name` of a run is its name.
                    Expr::Attribute(outer)
                        if outer.attr.id.as_str() == "name"
                            && matches!(&*outer.value, Expr::Attribute(inner)
                                if inner.attr.id.as_str() == "id"
                                    && self.held(&inner.value) == Some(Held::Run)) =>
                    {
                        let Expr::Attribute(inner) = &*outer.value else {
                            return Err("no run name".into());
                        };
                        format!("{}.name", self.text(&inner.value))
                    }
                    other => self.render(other).ok_or("nested use")?,
                };
                Ok((format!("flyte.remote.Run.get({name})"), Some(Held::Run)))
            }
            "execute" => {
                let (run, wait) = self.execute(call)?;
                match (wait, place) {
                    (false, _) => Ok((run, Some(Held::Run))),
                    (true, Place::Statement) => Ok((format!("{run}.wait()"), None)),
                    (true, Place::Assigned(name)) => {
                        let stmt = self
                            .statement_after(call)
                            .ok_or("`wait=True` is not a statement of its own")?;
                        Ok((run, Some(Held::Run))).inspect(|_| {
                            self.edits.push(stmt.wait(name));
                        })
                    }
                    (true, Place::Inside) => Err("`wait=True` inside an expression".into()),
                }
            }
            "wait" => {
                if !Self::only(
                    call,
                    1,
                    &["execution", "timeout", "poll_interval", "sync_nodes"],
                ) || call.arguments.find_argument_value("timeout", 1).is_some()
                {
                    return Err("`run.wait()` has no timeout".into());
                }
                let run = self
                    .run_argument(call, "execution")
                    .ok_or("the waited execution is not a run the script made")?;
                match place {
                    Place::Statement => Ok((format!("{run}.wait()"), None)),
                    _ => Err("`run.wait()` returns nothing".into()),
                }
            }
            "sync" | "sync_execution" => {
                if !Self::only(call, 1, &["execution", "sync_nodes"]) {
                    return Err("`sync` has arguments the rewrite does not know".into());
                }
                let run = self
                    .run_argument(call, "execution")
                    .ok_or("the synced execution is not a run the script made")?;
                let fetch = format!("flyte.remote.Run.get({run}.name)");
                match place {
                    // The run is bound again where it was bound: in another function the new
                    // binding would make the name local there.
                    Place::Statement => {
                        let arg = call
                            .arguments
                            .find_argument_value("execution", 0)
                            .ok_or("no execution")?;
                        let bound = self
                            .binding_start(arg)
                            .ok_or("the synced execution has no binding")?;
                        let looped = matches!(
                            self.statement_of(TextRange::empty(bound)),
                            Some(Stmt::For(f)) if f.target.range().contains(bound)
                        );
                        if looped {
                            return Err(
                                "a run of a list is synced in place (the list keeps the old one)"
                                    .into(),
                            );
                        }
                        if self.enclosing_function(bound) != self.enclosing_function(call.start()) {
                            return Err("the run is synced in another function than it is bound in (write `run = flyte.remote.Run.get(run.name)` where it is bound)".into());
                        }
                        Ok((format!("{run} = {fetch}"), None))
                    }
                    _ => Ok((fetch, Some(Held::Run))),
                }
            }
            "generate_console_url" => {
                if !Self::only(call, 1, &["entity"]) {
                    return Err("unknown arguments".into());
                }
                let run = self
                    .run_argument(call, "entity")
                    .ok_or("the entity is not a run the script made")?;
                Ok((format!("{run}.url"), None))
            }
            "terminate" => {
                if !Self::only(call, 2, &["execution", "cause"]) {
                    return Err("unknown arguments".into());
                }
                let run = self
                    .run_argument(call, "execution")
                    .ok_or("the execution is not a run the script made")?;
                let cause = call
                    .arguments
                    .find_argument_value("cause", 1)
                    .ok_or("no cause")?;
                let cause = self.render(cause).ok_or("nested use")?;
                Ok((format!("{run}.abort({cause})"), None))
            }
            "recent_executions" => {
                if !Self::only(call, 4, &["project", "domain", "limit", "filters"]) {
                    return Err("unknown arguments".into());
                }
                let arg = |k: &str, p: usize| call.arguments.find_argument_value(k, p);
                // flytekit lists the most recent first.
                let text = self.listall(
                    arg("project", 0),
                    arg("domain", 1),
                    arg("limit", 2),
                    arg("filters", 3),
                    Ok(("created_at".into(), "desc".into())),
                )?;
                Ok((text, Some(Held::Opaque)))
            }
            _ => Err("no Flyte 2 counterpart the rewrite knows".into()),
        }
    }

    /// Where the name `expr` reads was bound.
    fn binding_start(&self, expr: &Expr) -> Option<ruff_text_size::TextSize> {
        let Expr::Name(name) = expr else {
            return None;
        };
        let binding = self.checker.semantic.binding_of(name.range.start())?;
        Some(binding.range.start())
    }

    /// The innermost function (or lambda-free `def`) holding `offset`.
    fn enclosing_function(&self, offset: ruff_text_size::TextSize) -> Option<TextRange> {
        fn find(body: &[Stmt], offset: ruff_text_size::TextSize) -> Option<TextRange> {
            let stmt = body.iter().find(|s| s.range().contains_inclusive(offset))?;
            let inner = crate::python::importer::child_bodies(stmt)
                .into_iter()
                .find_map(|b| find(b, offset));
            inner.or_else(|| matches!(stmt, Stmt::FunctionDef(_)).then(|| stmt.range()))
        }
        find(self.checker.module, offset)
    }

    /// The statement holding `call` as its whole value, to add a line after.
    fn statement_after(&self, call: &ExprCall) -> Option<After> {
        let stmt = self.statement_of(call.range())?;
        let indent = self.checker.locator.indentation(stmt.start())?;
        let end = stmt.end();
        let rest = &self.checker.source()
            [usize::from(end)..usize::from(self.checker.locator.full_line_end(end))];
        let rest = rest.trim_start_matches([' ', '\t']);
        if !(rest.is_empty() || rest.starts_with(['\n', '\r', '#'])) {
            return None;
        }
        Some(After {
            at: end,
            indent: indent.to_string(),
            newline: self.checker.line_ending.as_str(),
        })
    }

    fn statement_of(&self, range: TextRange) -> Option<&'a Stmt> {
        fn find(body: &[Stmt], range: TextRange) -> Option<&Stmt> {
            let stmt = body.iter().find(|s| s.range().contains_range(range))?;
            crate::python::importer::child_bodies(stmt)
                .into_iter()
                .find_map(|b| find(b, range))
                .or(Some(stmt))
        }
        find(self.checker.module, range)
    }

    /// `[first, *rest], _token = <remote>.client.list_executions_paginated(...)`.
    fn paginated(&mut self, targets: &'a Expr, call: &'a ExprCall) -> Result<(), String> {
        let Expr::Tuple(pair) = targets else {
            return Err("the page and token are not unpacked".into());
        };
        let [page, Expr::Name(token)] = &*pair.elts else {
            return Err("the page and token are not unpacked".into());
        };
        if !token.id.starts_with('_') {
            return Err("the next page token is used (Flyte 2 lists pages itself)".into());
        }
        let names: &[Expr] = match page {
            Expr::List(l) => &l.elts,
            Expr::Tuple(t) => &t.elts,
            Expr::Name(_) => &[],
            _ => return Err("the page is not unpacked into names".into()),
        };
        if !Self::only(
            call,
            6,
            &["project", "domain", "limit", "filters", "sort_by"],
        ) || call.arguments.find_argument_value("token", 3).is_some()
        {
            return Err("unknown arguments".into());
        }
        let arg = |k: &str, p: usize| call.arguments.find_argument_value(k, p);
        let sort = self.sort(arg("sort_by", 5));
        let text = self.listall(
            arg("project", 0),
            arg("domain", 1),
            arg("limit", 2),
            arg("filters", 4),
            sort,
        )?;
        for name in names {
            match name {
                Expr::Name(_) => self.track(name, Held::Run),
                Expr::Starred(s) if s.value.is_name_expr() => self.track(&s.value, Held::Opaque),
                _ => return Err("the page is not unpacked into names".into()),
            }
        }
        if page.is_name_expr() {
            self.track(page, Held::Runs);
        }
        self.track(&pair.elts[1], Held::Opaque);
        self.edits.push(Edit::replace(
            TextRange::new(targets.start(), call.end()),
            format!("{} = {text}", self.text(page)),
        ));
        Ok(())
    }

    /// `<remote>.client.<method>(...)`.
    fn client_call<'e>(&self, expr: &'e Expr) -> Option<(&'e str, &'e ExprCall)> {
        let Expr::Call(call) = expr else {
            return None;
        };
        let Expr::Attribute(method) = &*call.func else {
            return None;
        };
        let Expr::Attribute(client) = &*method.value else {
            return None;
        };
        (client.attr.id.as_str() == "client" && self.held(&client.value) == Some(Held::Remote))
            .then(|| (method.attr.id.as_str(), call))
    }
}

/// A line added after a statement.
struct After {
    at: ruff_text_size::TextSize,
    indent: String,
    newline: &'static str,
}

impl After {
    fn wait(&self, name: &str) -> Edit {
        Edit::insert(
            self.at,
            format!("{}{}{name}.wait()", self.newline, self.indent),
        )
    }
}

fn phase(value: &Expr) -> Result<String, String> {
    let v1 = string(value).ok_or("a phase is not a string")?;
    PHASES
        .iter()
        .find(|(name, _)| *name == v1)
        .map(|(_, v2)| v2.to_string())
        .ok_or_else(|| format!("the Flyte 1 phase `{v1}` has no Flyte 2 run phase"))
}

/// Whether an expression reads a tracked name.
struct Mentions<'s, 'c, 'a> {
    script: &'s Script<'c, 'a>,
    found: bool,
}

impl<'e> Visitor<'e> for Mentions<'_, '_, '_> {
    fn visit_expr(&mut self, expr: &'e Expr) {
        if self.script.held(expr).is_some() {
            self.found = true;
        } else if !self.found {
            visitor::walk_expr(self, expr);
        }
    }
}

impl<'a> Visitor<'a> for Script<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if stmt.range() == self.skip {
            return;
        }
        if self.depth >= crate::checker::MAX_DEPTH {
            self.fail("the file nests too deep");
            return;
        }
        self.depth += 1;
        match stmt {
            Stmt::Assign(assign) if assign.targets.len() == 1 => {
                let target = &assign.targets[0];
                if let Some((method, call)) = self.client_call(&assign.value) {
                    if method == "list_executions_paginated" {
                        if let Err(why) = self.paginated(target, call) {
                            self.fail(format!("`.client.{method}(...)`: {why}"));
                        }
                    } else {
                        self.fail(format!("`.client.{method}(...)` is the raw admin client, which Flyte 2 does not have"));
                    }
                } else if let Some((call, rest)) = self.waited_outputs(&assign.value) {
                    // `out = remote.execute(..., wait=True).outputs[...]`: the run, its wait and
                    // its outputs, one statement each.
                    if let Err(why) = self.waited_outputs_fix(stmt, target, call, rest) {
                        self.fail(format!("`.execute(...)`: {why}"));
                    }
                } else if let Some((method, call)) = self.remote_method(&assign.value) {
                    match target {
                        // `execution = remote.wait(execution)`: the run waits in place.
                        Expr::Name(name)
                            if method == "wait"
                                && self.run_argument(call, "execution")
                                    == Some(name.id.as_str()) =>
                        {
                            self.track(target, Held::Run);
                            match self.method_text(method, call, Place::Statement) {
                                Ok((text, _)) => self.edits.push(Edit::replace(stmt.range(), text)),
                                Err(why) => self.fail(format!("`.wait(...)`: {why}")),
                            }
                        }
                        Expr::Name(name) => {
                            if let Some(held) =
                                self.method(method, call, Place::Assigned(name.id.as_str()))
                            {
                                self.track(target, held);
                            }
                        }
                        _ => self.fail(format!("the result of `.{method}(...)` is unpacked")),
                    }
                } else {
                    visitor::walk_stmt(self, stmt);
                }
            }
            // `execution: FlyteWorkflowExecution = remote.execute(...)`: the annotation is the
            // run's class.
            Stmt::AnnAssign(ann)
                if ann.target.is_name_expr()
                    && ann.value.as_deref().is_some_and(|v| {
                        self.remote_method(v)
                            .is_some_and(|(m, _)| m != "wait" && m != "recent_executions")
                    }) =>
            {
                let Some((method, call)) = ann.value.as_deref().and_then(|v| self.remote_method(v))
                else {
                    return;
                };
                let annotation = self.checker.resolve(&ann.annotation);
                if !annotation
                    .as_deref()
                    .is_some_and(|a| EXECUTIONS.contains(&a))
                {
                    self.fail("an execution is annotated with something other than `FlyteWorkflowExecution`");
                } else if let Expr::Name(name) = &*ann.target
                    && let Some(held) = self.method(method, call, Place::Assigned(name.id.as_str()))
                {
                    if held == Held::Run {
                        self.edits
                            .push(Edit::replace(ann.annotation.range(), "flyte.remote.Run"));
                        self.track(&ann.target, held);
                    } else {
                        self.fail("an annotated name holds an entity");
                    }
                }
            }
            Stmt::Expr(expr) => {
                if let Some((method, call)) = self.remote_method(&expr.value) {
                    self.method(method, call, Place::Statement);
                } else {
                    visitor::walk_stmt(self, stmt);
                }
            }
            Stmt::For(for_stmt) if self.held(&for_stmt.iter) == Some(Held::Runs) => {
                if for_stmt.target.is_name_expr() {
                    self.track(&for_stmt.target, Held::Run);
                } else {
                    self.fail("the runs are unpacked");
                }
                self.visit_body(&for_stmt.body);
                self.visit_body(&for_stmt.orelse);
            }
            Stmt::For(for_stmt) => {
                if let Some(("recent_executions", call)) = self.remote_method(&for_stmt.iter) {
                    if for_stmt.target.is_name_expr() {
                        self.method("recent_executions", call, Place::Inside);
                        self.track(&for_stmt.target, Held::Run);
                    } else {
                        self.fail("the executions are unpacked");
                    }
                    self.visit_body(&for_stmt.body);
                    self.visit_body(&for_stmt.orelse);
                } else {
                    visitor::walk_stmt(self, stmt);
                }
            }
            _ => visitor::walk_stmt(self, stmt),
        }
        self.depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.depth >= crate::checker::MAX_DEPTH {
            self.fail("the file nests too deep");
            return;
        }
        if let Some((method, call)) = self.remote_method(expr) {
            if self.method(method, call, Place::Inside).is_some() {
                self.fail(format!(
                    "the result of `.{method}(...)` is not assigned to a name"
                ));
            }
            return;
        }
        match expr {
            Expr::Name(name) => {
                if let Some(held) = self.held(expr) {
                    let what = match held {
                        Held::Remote => "the remote object",
                        Held::Entity => "a fetched entity",
                        Held::Run => "an execution",
                        Held::Runs => "a list of executions",
                        Held::Opaque => "a name the rewrite drops",
                    };
                    self.fail(format!(
                        "`{}` ({what}) is used in a way the rewrite does not know",
                        name.id
                    ));
                }
                return;
            }
            Expr::Attribute(attribute) if self.held(&attribute.value) == Some(Held::Run) => {
                match attribute.attr.id.as_str() {
                    "is_done" => {
                        let run = self.text(&attribute.value);
                        self.edits
                            .push(Edit::replace(attribute.range, format!("{run}.done()")));
                        return;
                    }
                    // The outputs by name, as flytekit's resolver maps them.
                    "outputs" => {
                        let run = self.text(&attribute.value);
                        self.edits.push(Edit::replace(
                            attribute.range,
                            format!("{run}.outputs().named_outputs"),
                        ));
                        return;
                    }
                    attr => {
                        self.fail(format!(
                            "an execution's `.{attr}` has no `flyte.remote.Run` counterpart the rewrite knows"
                        ));
                        return;
                    }
                }
            }
            Expr::Attribute(outer)
                if outer.attr.id.as_str() == "name"
                    && matches!(&*outer.value, Expr::Attribute(inner)
                        if inner.attr.id.as_str() == "id" && self.held(&inner.value) == Some(Held::Run)) =>
            {
                if let Expr::Attribute(inner) = &*outer.value {
                    let run = self.text(&inner.value);
                    self.edits
                        .push(Edit::replace(outer.range, format!("{run}.name")));
                }
                return;
            }
            Expr::Subscript(subscript)
                if matches!(&*subscript.value, Expr::Attribute(outputs)
                    if outputs.attr.id.as_str() == "outputs" && self.held(&outputs.value) == Some(Held::Run)) =>
            {
                if let Expr::Attribute(outputs) = &*subscript.value {
                    let run = self.text(&outputs.value);
                    self.edits.push(Edit::replace(
                        outputs.range,
                        format!("{run}.outputs().named_outputs"),
                    ));
                }
                self.visit_expr(&subscript.slice);
                return;
            }
            _ => {}
        }
        self.depth += 1;
        visitor::walk_expr(self, expr);
        self.depth -= 1;
    }
}

/// How many `FlyteRemote` objects the file builds.
struct Constructors<'c, 'a> {
    checker: &'c Checker<'a>,
    count: usize,
    depth: usize,
}

impl<'e> Visitor<'e> for Constructors<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'e Stmt) {
        if self.depth < crate::checker::MAX_DEPTH {
            self.depth += 1;
            visitor::walk_stmt(self, stmt);
            self.depth -= 1;
        }
    }

    fn visit_expr(&mut self, expr: &'e Expr) {
        if self.depth >= crate::checker::MAX_DEPTH {
            return;
        }
        if let Expr::Call(call) = expr
            && self
                .checker
                .resolve(&call.func)
                .is_some_and(|q| CONSTRUCTORS.contains(&&*q))
        {
            self.count += 1;
        }
        self.depth += 1;
        visitor::walk_expr(self, expr);
        self.depth -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::task_name;

    #[test]
    fn flyte1_entity_names_become_the_names_of_migrated_tasks() {
        assert_eq!(
            task_name("workflows.square").as_deref(),
            Some("workflows.square")
        );
        assert_eq!(
            task_name("final.workflows.main").as_deref(),
            Some("final-workflows.main")
        );
        assert_eq!(
            task_name("My.Team-A.train").as_deref(),
            Some("my-team_a.train")
        );
        assert_eq!(task_name("daily_launch_plan"), None);
        assert_eq!(task_name("pkg.module."), None);
    }
}
