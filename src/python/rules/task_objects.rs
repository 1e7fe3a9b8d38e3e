//! FM623 `task-object`: flytekit task objects that have a Flyte 2 home.
//!
//! `ContainerTask(...)`, `BigQueryTask(...)` and `SnowflakeTask(...)` are task objects, not
//! decorated functions: in Flyte 2 they are `flyte.extras.ContainerTask`,
//! `flyteplugins.bigquery.BigQueryTask` and `flyteplugins.snowflake.Snowflake`. Such a task
//! belongs to no `TaskEnvironment` until `flyte.TaskEnvironment.from_task(...)` puts it in one,
//! and the environments of its callers must depend on that one. It is called with `await` (a
//! sync task would get a coroutine back), so the fix waits until every caller in the module is
//! an `async` Flyte 2 task, and it awaits the calls that are not awaited yet.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::{keyword_name, quote, remove_arguments, string_literal};
use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;
use crate::semantic::BindingKind;

/// What a keyword of the Flyte 1 constructor becomes.
#[derive(Clone, Copy)]
enum Keyword {
    /// The same keyword, the same value.
    Keep,
    /// Another name, the same value.
    Rename(&'static str),
    /// `ContainerTask.MetadataFormat.JSON` → `"JSON"`.
    MetadataFormat,
    /// `TaskMetadata(retries=, timeout=, interruptible=, cache=, cache_version=)` → those
    /// keywords of the task.
    Metadata,
    /// `requests=`/`limits=`/`resources=` → one `resources=flyte.Resources(...)`.
    Resources,
    /// The plugin config, `task_config=Config(...)` → `plugin_config=<v2 Config>(...)`.
    Config,
}

/// A plugin config class and its Flyte 2 twin.
struct Config {
    v1: &'static str,
    v2: &'static str,
    /// The Flyte 1 fields in positional order (positional arguments become these keywords).
    fields: &'static [&'static str],
}

/// A flytekit task class with a Flyte 2 home.
struct Home {
    v1: &'static [&'static str],
    /// What the task is, for messages.
    what: &'static str,
    /// The Flyte 2 module to import and its class.
    module: &'static str,
    class: &'static str,
    /// Leading positional arguments that keep their meaning.
    positional: usize,
    keywords: &'static [(&'static str, Keyword)],
    config: Option<Config>,
    /// Keywords the Flyte 2 task needs to behave like the Flyte 1 one.
    extra: &'static str,
    /// What changes, for the help line.
    note: &'static str,
}

const HOMES: &[Home] = &[
    Home {
        v1: &["flytekit.ContainerTask"],
        what: "container task",
        module: "flyte.extras",
        class: "ContainerTask",
        positional: 4,
        keywords: &[
            ("name", Keyword::Keep),
            ("image", Keyword::Keep),
            ("command", Keyword::Keep),
            ("inputs", Keyword::Keep),
            ("arguments", Keyword::Keep),
            ("outputs", Keyword::Keep),
            ("input_data_dir", Keyword::Keep),
            ("output_data_dir", Keyword::Keep),
            ("local_logs", Keyword::Keep),
            ("pod_template", Keyword::Keep),
            ("metadata_format", Keyword::MetadataFormat),
            ("metadata", Keyword::Metadata),
            ("requests", Keyword::Resources),
            ("limits", Keyword::Resources),
            ("resources", Keyword::Resources),
        ],
        config: None,
        extra: "",
        note: "a local run prints the container's logs (`local_logs=True` is Flyte 2's default)",
    },
    Home {
        v1: &["flytekitplugins.bigquery.BigQueryTask"],
        what: "BigQuery task",
        module: "flyteplugins.bigquery",
        class: "BigQueryTask",
        positional: 5,
        keywords: &[
            ("name", Keyword::Keep),
            ("query_template", Keyword::Keep),
            ("inputs", Keyword::Keep),
            ("task_config", Keyword::Config),
            (
                "output_structured_dataset_type",
                Keyword::Rename("output_dataframe_type"),
            ),
        ],
        config: Some(Config {
            v1: "flytekitplugins.bigquery.BigQueryConfig",
            v2: "BigQueryConfig",
            fields: &["ProjectID", "Location", "QueryJobConfig"],
        }),
        extra: "",
        note: "the query's output is a `flyte.io.DataFrame`",
    },
    Home {
        v1: &["flytekitplugins.snowflake.SnowflakeTask"],
        what: "Snowflake task",
        module: "flyteplugins.snowflake",
        class: "Snowflake",
        positional: 5,
        keywords: &[
            ("name", Keyword::Keep),
            ("query_template", Keyword::Keep),
            ("inputs", Keyword::Keep),
            ("task_config", Keyword::Config),
            (
                "output_schema_type",
                Keyword::Rename("output_dataframe_type"),
            ),
        ],
        config: Some(Config {
            v1: "flytekitplugins.snowflake.SnowflakeConfig",
            v2: "SnowflakeConfig",
            fields: &["user", "account", "database", "schema", "warehouse"],
        }),
        extra: "snowflake_private_key=\"snowflake_private_key\"",
        note: "the private key is the task's secret `snowflake_private_key` (Flyte 1's connector \
               secret of that name): create it with `flyte create secret snowflake_private_key`",
    },
];

/// The Flyte 2 task objects the Flyte 1 ones become.
const V2_OBJECTS: &[&str] = &[
    "flyte.extras.ContainerTask",
    "flyteplugins.bigquery.BigQueryTask",
    "flyteplugins.snowflake.Snowflake",
];

/// The Flyte 1 task classes this rule reports (FM103 leaves them alone).
pub fn reports(qualified: &str) -> bool {
    HOMES.iter().any(|h| h.v1.contains(&qualified))
}

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::TaskObject) {
        return;
    }
    let Some(qualified) = checker.resolve(&call.func) else {
        return;
    };
    let Some(home) = HOMES.iter().find(|h| h.v1.contains(&&*qualified)) else {
        return;
    };
    let diagnostic = Diagnostic::new(
        Rule::TaskObject,
        format!(
            "A flytekit {} is a `{}.{}` in Flyte 2, in an environment made with `flyte.TaskEnvironment.from_task(...)`",
            home.what, home.module, home.class
        ),
        call.range(),
    );
    match rewrite(checker, call, home) {
        Ok(fix) => checker.report(
            diagnostic
                .with_help(format!(
                    "Use `{}.{}(...)`, put it in its own environment with \
                     `flyte.TaskEnvironment.from_task(...)`, make its callers' environments \
                     depend on it and `await` its calls; {}",
                    home.module, home.class, home.note
                ))
                .with_fix(fix),
        ),
        Err(why) => checker.report(diagnostic.with_help(format!(
            "Use `{}.{}(...)` (keywords: some changed), put it in its own environment with \
             `flyte.TaskEnvironment.from_task(...)`, add that environment to the callers' \
             `depends_on` and `await` its calls from `async` tasks; not automatic: {why}",
            home.module, home.class
        ))),
    }
}

/// The fix: the Flyte 2 task, its environment, its callers' dependencies and awaits.
fn rewrite(checker: &Checker, call: &ExprCall, home: &Home) -> Result<Fix, String> {
    // `name = Task(...)` at module level.
    let (stmt, target) = super::module_assignment(checker, call)?;
    let var = target.id.as_str();
    let mut edits = Vec::new();
    edits.extend(import(checker, "flyte")?);
    edits.extend(import(checker, home.module)?);
    edits.push(Edit::replace(
        call.func.range(),
        format!("{}.{}", home.module, home.class),
    ));
    edits.extend(arguments(checker, call, home)?);

    // The environment, right below.
    let module = crate::project::environment_name(checker.module_name);
    let base = crate::env::sanitize(var);
    let name = if module.is_empty() {
        base
    } else {
        format!("{module}-{base}")
    };
    let env_var = format!("{var}_env");
    if checker.semantic.scope_binds(0, &env_var) {
        return Err(format!("`{env_var}` is already a name of the module"));
    }
    let nl = checker.line_ending.as_str();
    let end = checker.locator.full_line_end(stmt.end());
    let arguments = format!("{}, {var}", quote(&name));
    let mut below = format!("{env_var} = flyte.TaskEnvironment.from_task({arguments}){nl}");
    if below.trim_end().len() > 88 {
        below = format!("{env_var} = flyte.TaskEnvironment.from_task({nl}    {arguments}{nl}){nl}");
    }

    // The callers: async Flyte 2 tasks of the module, whose environments depend on it.
    let uses = uses(checker, target.range)?;
    let mut callers_envs: Vec<String> = Vec::new();
    let mut to_async: Vec<&StmtFunctionDef> = Vec::new();
    for used in &uses {
        let Some(def) = used.function else {
            return Err(format!("`{var}` is used outside a task"));
        };
        let caller = def.name.id.as_str();
        if checker.flyte_kind(def).is_some() {
            return Err(format!(
                "`{caller}` calls it and is still on flytekit: it moves first"
            ));
        }
        let Some(env) = crate::env::environment_of(checker, def) else {
            return Err(format!("`{caller}` calls it and is not a task"));
        };
        if !def.is_async
            && !to_async
                .iter()
                .any(|d: &&StmtFunctionDef| d.range == def.range)
        {
            to_async.push(def);
        }
        match used.how {
            Use::Awaited | Use::Gathered => {}
            Use::Call { call, wrap } => {
                if wrap {
                    edits.push(Edit::insert(call.start(), "(await "));
                    edits.push(Edit::insert(call.end(), ")"));
                } else {
                    edits.push(Edit::insert(call.start(), "await "));
                }
            }
            Use::Run | Use::Other => {
                return Err(format!(
                    "`{caller}` uses `{var}` other than by calling it: migrate that use by hand"
                ));
            }
        }
        if !callers_envs.contains(&env) {
            callers_envs.push(env);
        }
    }
    // A sync caller becomes `async`: Flyte 2 awaits the task.
    for def in to_async {
        edits.extend(make_async(checker, def, target.range)?);
    }
    // `env.add_dependency(...)` after both definitions.
    for env in &callers_envs {
        let Some(defined) = module_assignment_end(checker, env) else {
            return Err(format!("`{env}` is not defined at module level"));
        };
        let line = format!("{env}.add_dependency({env_var}){nl}");
        if defined <= end {
            below.push_str(&line);
        } else {
            edits.push(Edit::insert(defined, line));
        }
    }
    edits.push(Edit::insert(end, below));
    Ok(Fix::unsafe_edits(edits))
}

fn import(checker: &Checker, module: &str) -> Result<Vec<Edit>, String> {
    checker.import_module(module).ok_or_else(|| {
        format!(
            "`{}` is bound to something else in this module",
            module.split('.').next().unwrap_or(module)
        )
    })
}

/// The edits of the constructor's arguments.
fn arguments(checker: &Checker, call: &ExprCall, home: &Home) -> Result<Vec<Edit>, String> {
    let args = &call.arguments;
    if args.args.len() > home.positional || args.args.iter().any(Expr::is_starred_expr) {
        return Err("its positional arguments are not those of Flyte 2: name them".to_string());
    }
    let mut edits = Vec::new();
    let mut removed = Vec::new();
    let mut resources = crate::env::ResourceSettings::default();
    let mut resource_keywords = Vec::new();
    let mut added: Vec<String> = Vec::new();
    for (i, arg) in args.args.iter().enumerate() {
        // The plugin config is the third positional argument of both SQL tasks.
        if i == 2 && home.config.is_some() {
            edits.extend(config(checker, arg, home)?);
        }
    }
    for kw in &args.keywords {
        let Some(name) = keyword_name(kw) else {
            return Err("it passes `**` arguments".to_string());
        };
        let Some((_, how)) = home.keywords.iter().find(|(k, _)| *k == name) else {
            return Err(format!("`{name}=` has no automatic migration"));
        };
        let arg = kw.arg.as_ref().map(Ranged::range).unwrap_or(kw.range);
        match how {
            Keyword::Keep => {}
            Keyword::Rename(new) => edits.push(Edit::replace(arg, *new)),
            Keyword::MetadataFormat => {
                let format = metadata_format(checker, &kw.value)?;
                edits.push(Edit::replace(kw.value.range(), quote(&format)));
            }
            Keyword::Metadata => {
                removed.push(kw.range);
                added.extend(metadata(checker, &kw.value)?);
            }
            Keyword::Resources => {
                removed.push(kw.range);
                resource_keywords.push(name);
                resources.add(checker, name, &kw.value);
            }
            Keyword::Config => {
                edits.push(Edit::replace(arg, "plugin_config"));
                edits.extend(config(checker, &kw.value, home)?);
            }
        }
    }
    if !resource_keywords.is_empty() {
        let merged = resources.finish(checker);
        if let Some(why) = resources.blocker {
            return Err(why);
        }
        if !resources.notes.is_empty() {
            return Err(resources.notes.join("; "));
        }
        if let Some(merged) = merged {
            added.push(format!("resources={merged}"));
        }
    }
    if !home.extra.is_empty() {
        added.push(home.extra.to_string());
    }
    if !removed.is_empty() {
        edits.extend(remove_arguments(checker.source(), args, &removed));
    }
    if !added.is_empty() {
        // After the last argument that stays (or at the start of an emptied call).
        let last = args
            .args
            .iter()
            .map(Ranged::range)
            .chain(args.keywords.iter().map(|k| k.range))
            .filter(|r| !removed.contains(r))
            .max_by_key(|r| r.end());
        let nl = checker.line_ending.as_str();
        match last {
            // One keyword a line when the arguments are one a line.
            Some(range)
                if checker.locator.row(range.start()) != checker.locator.row(call.start()) =>
            {
                let indent = checker.locator.indentation(range.start()).unwrap_or("    ");
                let text: String = added.iter().map(|a| format!(",{nl}{indent}{a}")).collect();
                edits.push(Edit::insert(range.end(), text));
            }
            Some(range) => edits.push(Edit::insert(range.end(), format!(", {}", added.join(", ")))),
            None => edits.push(Edit::insert(
                args.start() + TextSize::from(1),
                added.join(", "),
            )),
        }
    }
    Ok(edits)
}

/// `ContainerTask.MetadataFormat.JSON` (or a string) → `JSON`.
fn metadata_format(checker: &Checker, value: &Expr) -> Result<String, String> {
    if let Some(s) = string_literal(value) {
        return Ok(s.to_string());
    }
    let qualified = checker.resolve(value).unwrap_or_default();
    for format in ["JSON", "YAML", "PROTO"] {
        if qualified.starts_with("flytekit.") && qualified.ends_with(&format!(".{format}")) {
            return Ok(format.to_string());
        }
    }
    Err("`metadata_format=` is not a `MetadataFormat` member".to_string())
}

/// `TaskMetadata(...)` → the task keywords it stands for.
fn metadata(checker: &Checker, value: &Expr) -> Result<Vec<String>, String> {
    let Expr::Call(call) = value else {
        return Err("`metadata=` is not a `TaskMetadata(...)` call".to_string());
    };
    if !checker.resolves_to(&call.func, &["flytekit.TaskMetadata"])
        || !call.arguments.args.is_empty()
    {
        return Err("`metadata=` is not a `TaskMetadata(...)` call with keywords".to_string());
    }
    let mut out = Vec::new();
    let mut cache = None;
    let mut version = None;
    for kw in &call.arguments.keywords {
        let text = checker.text(kw.value.range());
        match keyword_name(kw) {
            Some(name @ ("retries" | "timeout" | "interruptible")) => {
                out.push(format!("{name}={text}"));
            }
            Some("cache") => cache = Some(super::bool_literal(&kw.value)),
            Some("cache_version") => version = Some(text),
            _ => {
                return Err(format!(
                    "`TaskMetadata({})` has no automatic migration",
                    checker.text(kw.range)
                ));
            }
        }
    }
    match (cache, version) {
        (None | Some(Some(false)), _) => {}
        (Some(Some(true)), Some(version)) => out.push(format!(
            "cache=flyte.Cache(behavior=\"auto\", version_override={version})"
        )),
        _ => return Err("the `TaskMetadata` cache settings are not literal".to_string()),
    }
    Ok(out)
}

/// `Config(...)` of the plugin → the Flyte 2 config, with keywords.
fn config(checker: &Checker, value: &Expr, home: &Home) -> Result<Vec<Edit>, String> {
    let Some(config) = &home.config else {
        return Err("the task has no plugin config".to_string());
    };
    let Expr::Call(call) = value else {
        return Err("`task_config=` is not a config call: write it inline".to_string());
    };
    if !checker.resolves_to(&call.func, &[config.v1]) {
        return Err("`task_config=` is not the plugin's config".to_string());
    }
    if call.arguments.args.len() > config.fields.len()
        || call.arguments.args.iter().any(Expr::is_starred_expr)
        || call.arguments.keywords.iter().any(|k| k.arg.is_none())
    {
        return Err("the config's arguments are not plain".to_string());
    }
    let mut edits = vec![Edit::replace(
        call.func.range(),
        format!("{}.{}", home.module, config.v2),
    )];
    for (arg, field) in call.arguments.args.iter().zip(config.fields) {
        edits.push(Edit::insert(arg.start(), format!("{field}=")));
    }
    Ok(edits)
}

/// Where the module-level assignment of `name` ends (its line).
fn module_assignment_end(checker: &Checker, name: &str) -> Option<TextSize> {
    checker.module.iter().find_map(|stmt| match stmt {
        Stmt::Assign(assign)
            if assign
                .targets
                .iter()
                .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == name)) =>
        {
            Some(checker.locator.full_line_end(stmt.end()))
        }
        _ => None,
    })
}

/// How a use reads the task object.
enum Use<'a> {
    /// `await t(...)`, `await t.aio(...)`.
    Awaited,
    /// `asyncio.gather(t(...), ...)`: the coroutine is awaited by the gather.
    Gathered,
    /// A call not awaited; `wrap` when `await` needs parentheses there.
    Call {
        call: &'a ExprCall,
        wrap: bool,
    },
    /// `flyte.run(t, ...)`: the first argument of a run.
    Run,
    Other,
}

struct Used<'a> {
    function: Option<&'a StmtFunctionDef>,
    how: Use<'a>,
}

/// Every read of the module-level name bound at `target`, with the function it is in.
fn uses<'a>(checker: &Checker<'a>, target: TextRange) -> Result<Vec<Used<'a>>, String> {
    struct Finder<'a, 'c> {
        checker: &'c Checker<'a>,
        target: TextRange,
        functions: Vec<&'a StmtFunctionDef>,
        /// Depth of lambdas and nested functions inside the innermost task.
        exprs: Vec<&'a Expr>,
        found: Vec<Used<'a>>,
        nested: bool,
    }
    impl<'a> Visitor<'a> for Finder<'a, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if let Stmt::FunctionDef(def) = stmt {
                for decorator in &def.decorator_list {
                    self.visit_decorator(decorator);
                }
                if !self.functions.is_empty() {
                    self.nested = true;
                }
                self.functions.push(def);
                self.visit_body(&def.body);
                self.functions.pop();
                return;
            }
            visitor::walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(name) = expr
                && let Some(binding) = self.checker.semantic.binding_of(name.range.start())
                && binding.range == self.target
                && matches!(binding.kind, BindingKind::Assignment { .. })
            {
                let how = self.how(expr);
                let function = if self.nested || self.in_lambda() {
                    None
                } else {
                    self.functions.last().copied()
                };
                self.found.push(Used { function, how });
            }
            self.exprs.push(expr);
            visitor::walk_expr(self, expr);
            self.exprs.pop();
        }
    }
    impl<'a> Finder<'a, '_> {
        fn in_lambda(&self) -> bool {
            self.exprs
                .iter()
                .any(|e| matches!(e, Expr::Lambda(_) | Expr::Generator(_)))
        }
        /// What the expressions around the name do with it.
        fn how(&self, name: &'a Expr) -> Use<'a> {
            let parents: Vec<&'a Expr> = self.exprs.iter().rev().copied().collect();
            // `t(...)` or `t.aio(...)`.
            let (call, rest) = match parents.as_slice() {
                [Expr::Call(call), rest @ ..] if call.func.range() == name.range() => (call, rest),
                [Expr::Attribute(attr), Expr::Call(call), rest @ ..]
                    if attr.attr.id.as_str() == "aio" && call.func.range() == attr.range =>
                {
                    (call, rest)
                }
                _ => return Use::Other,
            };
            // Inside `asyncio.gather(...)` (`gather(*[t(x=x) for x in xs])` too): the gather
            // awaits the coroutines.
            if rest.iter().any(|e| {
                matches!(e, Expr::Call(c) if self.checker.resolves_to(&c.func, &["asyncio.gather"]))
            }) {
                return Use::Gathered;
            }
            match rest.first() {
                Some(Expr::Await(_)) => Use::Awaited,
                Some(Expr::Attribute(_) | Expr::Subscript(_)) => Use::Call { call, wrap: true },
                Some(Expr::Call(outer)) if outer.func.range() == call.range() => {
                    Use::Call { call, wrap: true }
                }
                _ => Use::Call { call, wrap: false },
            }
        }
    }
    let mut finder = Finder {
        checker,
        target,
        functions: Vec::new(),
        exprs: Vec::new(),
        found: Vec::new(),
        nested: false,
    };
    for stmt in checker.module {
        finder.nested = false;
        finder.visit_stmt(stmt);
    }
    Ok(finder.found)
}

/// The edits that make the sync Flyte 2 task `def` async: `async def`, its calls of the module's
/// tasks awaited (`await t.aio(...)` for a sync one). Only for a task that nothing calls but
/// `flyte.run(...)`, whose body calls tasks only in plain calls.
fn make_async(
    checker: &Checker,
    def: &StmtFunctionDef,
    object: TextRange,
) -> Result<Vec<Edit>, String> {
    let caller = def.name.id.as_str();
    let why = |what: &str| {
        format!(
            "`{caller}` calls it and is sync: Flyte 2 calls it with `await`, from an `async` \
             task, and {what}: make `{caller}` `async` by hand (`await t.aio(...)` for its sync \
             tasks)"
        )
    };
    // Who reads the task itself: only `flyte.run(task, ...)`.
    for used in uses_of_def(checker, def) {
        if !matches!(used.how, Use::Run) {
            return Err(why("it is called or read elsewhere"));
        }
    }
    let mut edits = Vec::new();
    let mut finder = Calls {
        checker,
        object,
        exprs: Vec::new(),
        edits: &mut edits,
        blocker: None,
    };
    finder.visit_body(&def.body);
    if let Some(blocker) = finder.blocker {
        return Err(why(&blocker));
    }
    // `async ` before `def`.
    let from = def
        .decorator_list
        .last()
        .map_or(def.range.start(), |d| d.range.end());
    let head = checker.text(TextRange::new(from, def.name.range.start()));
    let Some(at) = head.rfind("def") else {
        return Err(why("its `def` was not found"));
    };
    let at = from + TextSize::try_from(at).unwrap_or_default();
    edits.push(Edit::insert(at, "async "));
    Ok(edits)
}

/// The reads of a function's name (a function definition is no assignment).
fn uses_of_def<'a>(checker: &Checker<'a>, def: &StmtFunctionDef) -> Vec<Used<'a>> {
    let mut found = Vec::new();
    let mut finder = Reads {
        checker,
        target: def.name.range,
        exprs: Vec::new(),
        found: &mut found,
    };
    for stmt in checker.module {
        finder.visit_stmt(stmt);
    }
    found
}

struct Reads<'a, 'c, 'f> {
    checker: &'c Checker<'a>,
    target: TextRange,
    exprs: Vec<&'a Expr>,
    found: &'f mut Vec<Used<'a>>,
}

impl<'a> Visitor<'a> for Reads<'a, '_, '_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Name(name) = expr
            && let Some(binding) = self.checker.semantic.binding_of(name.range.start())
            && binding.range == self.target
        {
            let run = match self.exprs.last() {
                Some(Expr::Call(call)) => {
                    call.arguments
                        .args
                        .first()
                        .is_some_and(|a| a.range() == expr.range())
                        && is_run(self.checker, &call.func)
                }
                _ => false,
            };
            self.found.push(Used {
                function: None,
                how: if run { Use::Run } else { Use::Other },
            });
        }
        self.exprs.push(expr);
        visitor::walk_expr(self, expr);
        self.exprs.pop();
    }
}

/// `flyte.run` or `flyte.with_runcontext(...).run`.
fn is_run(checker: &Checker, func: &Expr) -> bool {
    if checker.resolves_to(func, &["flyte.run"]) {
        return true;
    }
    matches!(func, Expr::Attribute(attr) if attr.attr.id.as_str() == "run"
        && matches!(&*attr.value, Expr::Call(c) if checker.resolves_to(&c.func, &["flyte.with_runcontext"])))
}

/// The calls of module tasks in a body that becomes async, awaited.
struct Calls<'a, 'c, 'e> {
    checker: &'c Checker<'a>,
    /// The task object whose fix this is (its calls are awaited by the fix itself).
    object: TextRange,
    exprs: Vec<&'a Expr>,
    edits: &'e mut Vec<Edit>,
    blocker: Option<String>,
}

impl<'a> Visitor<'a> for Calls<'a, '_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {
                self.blocker = Some("it defines a function or class in its body".to_string());
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }
    fn visit_expr(&mut self, expr: &'a Expr) {
        if matches!(expr, Expr::Lambda(_) | Expr::Generator(_)) {
            if contains_module_name(self.checker, expr) {
                self.blocker =
                    Some("it uses a name of the module in a lambda or a generator".to_string());
            }
            return;
        }
        if let Expr::Call(call) = expr
            && self.checker.resolves_to(&call.func, &["flyte.map"])
        {
            self.blocker = Some("it calls `flyte.map`".to_string());
        }
        if let Expr::Name(name) = expr
            && let Some(binding) = self.checker.semantic.binding_of(name.range.start())
            && binding.scope == 0
        {
            self.name(expr, name, binding.range);
        }
        self.exprs.push(expr);
        visitor::walk_expr(self, expr);
        self.exprs.pop();
    }
}

impl<'a> Calls<'a, '_, '_> {
    /// Whether `await` needs parentheses around the call being visited.
    fn wrapped(&self, call: &ExprCall) -> bool {
        match self.exprs.iter().rev().nth(1) {
            Some(Expr::Attribute(_) | Expr::Subscript(_)) => true,
            Some(Expr::Call(outer)) => outer.func.range() == call.range(),
            _ => false,
        }
    }

    fn await_call(&mut self, call: &ExprCall, wrap: bool, aio: bool) {
        let open = if wrap { "(await " } else { "await " };
        self.edits.push(Edit::insert(call.start(), open));
        if aio {
            self.edits.push(Edit::insert(call.func.end(), ".aio"));
        }
        if wrap {
            self.edits.push(Edit::insert(call.end(), ")"));
        }
    }

    fn name(&mut self, expr: &'a Expr, name: &ruff_python_ast::ExprName, bound: TextRange) {
        if bound == self.object {
            return;
        }
        let callee = match self.exprs.last().copied() {
            Some(Expr::Call(call)) if call.func.range() == expr.range() => Some(call),
            _ => None,
        };
        if let Some(def) = self.checker.module_function(name) {
            let task = crate::env::environment_of(self.checker, def).is_some();
            if self.checker.flyte_kind(def).is_some() {
                self.blocker = Some(format!("it calls `{}`, still on flytekit", name.id));
                return;
            }
            if !task {
                if calls_module_functions(self.checker, def) {
                    self.blocker = Some(format!(
                        "it calls `{}`, a helper that reads names of the module",
                        name.id
                    ));
                }
                return;
            }
            let Some(call) = callee else {
                self.blocker = Some(format!(
                    "it reads the task `{}` other than by calling it",
                    name.id
                ));
                return;
            };
            let wrap = self.wrapped(call);
            self.await_call(call, wrap, !def.is_async);
            return;
        }
        // Another module-level value: a task object (awaited too), or a flytekit name that a
        // Flyte 2 task cannot call sync.
        if let Some(binding) = self.checker.semantic.binding_of(name.range.start())
            && let BindingKind::Assignment {
                value: Expr::Call(value),
                ..
            } = &binding.kind
            && let Some(qualified) = self.checker.resolve(&value.func)
        {
            let object = reports(&qualified) || V2_OBJECTS.contains(&&*qualified);
            match callee {
                Some(call) if object => {
                    let wrap = self.wrapped(call);
                    self.await_call(call, wrap, false);
                }
                _ if object => {
                    self.blocker = Some(format!(
                        "it reads the task `{}` other than by calling it",
                        name.id
                    ));
                }
                _ if ["flytekit", "flyte.", "flyteplugins"]
                    .iter()
                    .any(|p| qualified.starts_with(p)) =>
                {
                    self.blocker =
                        Some(format!("it uses `{}`, which is no function task", name.id));
                }
                _ => {}
            }
        }
    }
}

/// Whether an expression reads a module-level name.
fn contains_module_name(checker: &Checker, expr: &Expr) -> bool {
    struct Find<'c, 'a> {
        checker: &'c Checker<'a>,
        found: bool,
    }
    impl<'a> Visitor<'a> for Find<'_, 'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(name) = expr
                && self
                    .checker
                    .semantic
                    .binding_of(name.range.start())
                    .is_some_and(|b| b.scope == 0 && !matches!(b.kind, BindingKind::Import { .. }))
            {
                self.found = true;
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut find = Find {
        checker,
        found: false,
    };
    find.visit_expr(expr);
    find.found
}

/// Whether a plain function's body reads a module-level function or task object (it may call
/// a task, which an `async` caller would then call sync).
fn calls_module_functions(checker: &Checker, def: &StmtFunctionDef) -> bool {
    struct Find<'c, 'a> {
        checker: &'c Checker<'a>,
        found: bool,
    }
    impl<'a> Visitor<'a> for Find<'_, 'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(name) = expr
                && let Some(b) = self.checker.semantic.binding_of(name.range.start())
                && b.scope == 0
                && !matches!(b.kind, BindingKind::Import { .. })
            {
                let is_function = self.checker.module_function(name).is_some();
                let is_object = matches!(
                    &b.kind,
                    BindingKind::Assignment {
                        value: Expr::Call(_),
                        ..
                    }
                );
                if is_function || is_object {
                    self.found = true;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut find = Find {
        checker,
        found: false,
    };
    find.visit_body(&def.body);
    find.found
}
