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
use crate::diagnostic::Diagnostic;
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
    ("sync", "`run.sync()`"),
    ("sync_execution", "`run.sync()`"),
    ("fetch_execution", "`flyte.remote.Run.get(name)`"),
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
    checker.report(
        Diagnostic::new(
            Rule::FlyteRemote,
            "Flyte 2 has no `FlyteRemote`: the process is initialised once and `flyte.run` and `flyte.remote` do the rest",
            call.range(),
        )
        .with_help(help),
    );
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
            let config = argument(call, "config", Some(0))?;
            let project = argument(call, "default_project", Some(1));
            let domain = argument(call, "default_domain", Some(2));
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
