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
use ruff_python_ast::{Expr, ExprCall, ExprName, Stmt, StmtFunctionDef};
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
    /// No Flyte 2 keyword, and none needed (what it did, Flyte 2 does anyway).
    Drop,
    /// Not automatic, for this reason.
    Refuse(&'static str),
    /// A shell task's `script=`: its template, the Flyte 2 way.
    Script,
    /// A shell task's `output_locs=[OutputLocation(...)]` → `outputs={...}`.
    OutputLocations,
    /// `container_image="uri"` → `image="uri"`.
    Image,
    /// A shell task's `shell=`: Flyte 2 runs bash.
    Shell,
}

/// Where the Flyte 2 task lives and how its callers call it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// An environment of its own (`flyte.TaskEnvironment.from_task(...)`) that the callers'
    /// environments depend on; an async task, awaited.
    Own,
    /// `task_environment=` the callers' environment; a sync task (`await t.aio(...)` from an
    /// async caller), whose outputs come back as a tuple in declaration order.
    Callers,
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
    /// The keywords the leading positional arguments become (Flyte 2 takes keywords only).
    keyword_only: &'static [&'static str],
    /// Keywords written when the Flyte 1 keyword is absent (Flyte 1's default, which is not
    /// Flyte 2's): the Flyte 1 keyword and the text written.
    defaults: &'static [(&'static str, &'static str)],
    /// What `flyte.TaskEnvironment.from_task(...)` takes: the object, then this.
    as_task: &'static str,
    placement: Placement,
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
        keyword_only: &[],
        defaults: &[],
        as_task: "",
        placement: Placement::Own,
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
        keyword_only: &[],
        defaults: &[],
        as_task: "",
        placement: Placement::Own,
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
        keyword_only: &[],
        defaults: &[],
        as_task: "",
        placement: Placement::Own,
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
    Home {
        v1: &["flytekit.extras.tasks.shell.ShellTask"],
        what: "shell task",
        module: "flyte.extras.shell",
        class: "create",
        positional: 1,
        keyword_only: &[],
        defaults: &[
            (
                "container_image",
                "image=flyte.Image.from_debian_base().uri",
            ),
            ("cache", "cache=\"disable\""),
        ],
        as_task: ".as_task()",
        placement: Placement::Own,
        keywords: &[
            ("name", Keyword::Keep),
            ("debug", Keyword::Keep),
            ("inputs", Keyword::Keep),
            ("script", Keyword::Script),
            ("output_locs", Keyword::OutputLocations),
            ("container_image", Keyword::Image),
            ("shell", Keyword::Shell),
            ("requests", Keyword::Resources),
            ("limits", Keyword::Resources),
            (
                "script_file",
                Keyword::Refuse(
                    "Flyte 2 takes the script inline: read the file into `script=` by hand",
                ),
            ),
            (
                "task_config",
                Keyword::Refuse("a pod config is `pod_template=` of the environment"),
            ),
        ],
        config: None,
        extra: "",
        note: "the script runs with bash in the container `image=` (Flyte 2's default image \
               when flytekit used its own: install the tools it calls), an input's value is one \
               quoted word and a file input a path under `/var/inputs`, outputs are written \
               under `/var/outputs`, and without `resources=` it asks for 1 CPU and 1Gi",
    },
    Home {
        v1: &["flytekitplugins.papermill.NotebookTask"],
        what: "notebook task",
        module: "flyteplugins.papermill",
        class: "NotebookTask",
        positional: 2,
        keyword_only: &["name", "notebook_path"],
        defaults: &[("output_notebooks", "output_notebooks=True")],
        as_task: "",
        placement: Placement::Callers,
        keywords: &[
            ("name", Keyword::Keep),
            ("notebook_path", Keyword::Keep),
            ("inputs", Keyword::Keep),
            ("outputs", Keyword::Keep),
            ("output_notebooks", Keyword::Keep),
            ("stream_logs", Keyword::Rename("log_output")),
            // Flyte 2 always renders the executed notebook into the task's report.
            ("render_deck", Keyword::Drop),
            ("enable_deck", Keyword::Drop),
            ("requests", Keyword::Resources),
            ("limits", Keyword::Resources),
            (
                "container_image",
                Keyword::Refuse(
                    "the notebook runs in the image of its environment: give that environment \
                     `image=` (with `flyteplugins-papermill`) and drop `container_image=`",
                ),
            ),
            (
                "task_config",
                Keyword::Refuse(
                    "a Spark notebook takes `plugin_config=flyteplugins.spark.Spark(...)`: move \
                     the config by hand",
                ),
            ),
        ],
        config: None,
        extra: "",
        note: "the task's report always shows the executed notebook; with `output_notebooks=True` \
               the outputs `output_notebook` (the source) and `output_notebook_executed` follow \
               the declared ones, and the notebook itself records its outputs with \
               `flyteplugins.papermill.record_outputs(...)` (change its import by hand)",
    },
];

/// The Flyte 2 task objects the Flyte 1 ones become.
const V2_OBJECTS: &[&str] = &[
    "flyte.extras.ContainerTask",
    "flyteplugins.bigquery.BigQueryTask",
    "flyteplugins.snowflake.Snowflake",
    "flyteplugins.papermill.NotebookTask",
    "flyte.extras.shell.create",
];

/// flytekit's echo task: the engine hands its inputs back as its outputs, in no container.
const ECHO: &str = "flytekit.core.task.Echo";

/// flytekit's file sensor: a node that waits for a path to exist, checking once a second.
const FILE_SENSOR: &str = "flytekit.sensor.file_sensor.FileSensor";

/// The Flyte 1 task classes this rule reports (FM103 leaves them alone).
pub fn reports(qualified: &str) -> bool {
    qualified == ECHO || qualified == FILE_SENSOR || HOMES.iter().any(|h| h.v1.contains(&qualified))
}

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::TaskObject) {
        return;
    }
    let Some(qualified) = checker.resolve(&call.func) else {
        return;
    };
    if &*qualified == ECHO {
        echo(checker, call);
        return;
    }
    if &*qualified == FILE_SENSOR {
        file_sensor(checker, call);
        return;
    }
    let Some(home) = HOMES.iter().find(|h| h.v1.contains(&&*qualified)) else {
        return;
    };
    let diagnostic = Diagnostic::new(
        Rule::TaskObject,
        match home.placement {
            Placement::Own => format!(
                "A flytekit {} is a `{}.{}` in Flyte 2, in an environment made with `flyte.TaskEnvironment.from_task(...)`",
                home.what, home.module, home.class
            ),
            Placement::Callers => format!(
                "A flytekit {} is a `{}.{}` in Flyte 2, in the environment of its callers",
                home.what, home.module, home.class
            ),
        },
        call.range(),
    );
    let (fixed, manual) = match home.placement {
        Placement::Own => (
            "put it in its own environment with `flyte.TaskEnvironment.from_task(...)`, make \
             its callers' environments depend on it and `await` its calls",
            "put it in its own environment with `flyte.TaskEnvironment.from_task(...)`, add \
             that environment to the callers' `depends_on` and `await` its calls from `async` \
             tasks",
        ),
        Placement::Callers => (
            "with `task_environment=` its callers' environment (keywords only), called as it \
             is from sync tasks and with `await t.aio(...)` from async ones, its outputs read by \
             position",
            "with `task_environment=` its callers' environment (keywords only), call it with \
             `await t.aio(...)` from `async` tasks and read its outputs by position (a tuple)",
        ),
    };
    match rewrite(checker, call, home) {
        Ok(fix) => checker.report(
            diagnostic
                .with_help(format!(
                    "Use `{}.{}(...)`, {fixed}; {}",
                    home.module, home.class, home.note
                ))
                .with_fix(fix),
        ),
        Err(why) => checker.report(diagnostic.with_help(format!(
            "Use `{}.{}(...)` (keywords: some changed), {manual}; not automatic: {why}",
            home.module, home.class
        ))),
    }
}

/// `sensor = FileSensor(name="...", timeout=...)`: Flyte 2 has no sensors, and a task that polls
/// is the same step: a sync task in an environment of its own (the callers' environments depend
/// on it) that checks once a second, as flytekit's sensor did, until the path exists.
fn file_sensor(checker: &mut Checker, call: &ExprCall) {
    let diagnostic = Diagnostic::new(
        Rule::TaskObject,
        "A flytekit file sensor is a task that polls in Flyte 2",
        call.range(),
    );
    match sensor_task(checker, call) {
        Ok(fix) => checker.report(
            diagnostic
                .with_help(
                    "Define a task that waits for the path (`flyte.storage.exists_sync`, checked \
                     once a second) in an environment of its own, which its callers' \
                     environments depend on; the wait now runs in a container of its own",
                )
                .with_fix(fix),
        ),
        Err(why) => checker.report(diagnostic.with_help(format!(
            "Write a task that checks `flyte.storage.exists_sync(path)` once a second until it \
             is true, in an environment the callers' environments depend on: {why}"
        ))),
    }
}

fn sensor_task(checker: &Checker, call: &ExprCall) -> Result<Fix, String> {
    let (stmt, target) = super::module_assignment(checker, call)?;
    let var = target.id.as_str();
    let mut timeout = None;
    if call.arguments.args.len() > 1 {
        return Err("it has positional arguments after its name".to_string());
    }
    for kw in &call.arguments.keywords {
        match keyword_name(kw) {
            Some("name") => {}
            Some("timeout") => timeout = Some(checker.text(kw.value.range())),
            Some(other) => return Err(format!("`{other}=` has no Flyte 2 form here")),
            None => return Err("it takes `**` arguments".to_string()),
        }
    }
    let mut edits = Vec::new();
    edits.extend(import(checker, "flyte")?);
    edits.extend(import(checker, "flyte.storage")?);
    edits.extend(import(checker, "time")?);
    let (name, env_var) = own_environment(checker, var)?;
    let nl = checker.line_ending.as_str();
    let decorator = match timeout {
        Some(timeout) => format!("@{env_var}.task(timeout={timeout})"),
        None => format!("@{env_var}.task"),
    };
    let mut definition = [
        format!("{env_var} = flyte.TaskEnvironment(name={})", quote(&name)),
        String::new(),
        String::new(),
        decorator,
        format!("def {var}(path: str) -> None:"),
        "    \"\"\"Wait until `path` exists, as flytekit's `FileSensor` did: check once a second.\"\"\""
            .to_string(),
        "    while not flyte.storage.exists_sync(path):".to_string(),
        "        time.sleep(1)".to_string(),
    ]
    .join(nl);
    let end = stmt.end();

    // The callers: Flyte 2 tasks of the module, whose environments depend on the sensor's.
    let mut callers_envs: Vec<String> = Vec::new();
    for used in uses(checker, target.range)? {
        let (def, env) = calling_task(checker, &used, var)?;
        call_sync_task(&used, def, var, &mut edits)?;
        if !callers_envs.contains(&env) {
            callers_envs.push(env);
        }
    }
    for env in &callers_envs {
        let Some(defined) = module_assignment_end(checker, env) else {
            return Err(format!("`{env}` is not defined at module level"));
        };
        let line = format!("{env}.add_dependency({env_var})");
        if defined <= end {
            definition.push_str(&format!("{nl}{nl}{nl}{line}"));
        } else {
            edits.push(Edit::insert(defined, format!("{line}{nl}")));
        }
    }
    edits.push(Edit::replace(stmt.range(), definition));
    Ok(Fix::unsafe_edits(edits))
}

/// `echo = Echo(name="echo", inputs={"x": float})`: Flyte 2 has no echo task, and needs none,
/// since a task's values are plain values: a function that returns its inputs (one value, or a
/// tuple in the order declared, as flytekit's `Echo.execute` returns them) is the same step.
fn echo(checker: &mut Checker, call: &ExprCall) {
    let diagnostic = Diagnostic::new(
        Rule::TaskObject,
        "A flytekit echo task is a plain function in Flyte 2: it returns its inputs",
        call.range(),
    );
    match echo_function(checker, call) {
        Ok((range, function)) => checker.report(
            diagnostic
                .with_help(
                    "Replace it with a function that returns its inputs, called as it is from \
                     the tasks",
                )
                .with_fix(Fix::safe_edits(vec![Edit::replace(range, function)])),
        ),
        Err(why) => checker.report(diagnostic.with_help(format!(
            "Write a function that returns its inputs and call it from the tasks; not \
             automatic: {why}"
        ))),
    }
}

/// The statement that binds the echo task, and the function that replaces it.
fn echo_function(checker: &Checker, call: &ExprCall) -> Result<(TextRange, String), String> {
    let (statement, target) = super::module_assignment(checker, call)?;
    let mut inputs = None;
    for (i, arg) in call.arguments.args.iter().enumerate() {
        match i {
            0 => {}
            1 => inputs = Some(arg),
            _ => return Err("unexpected positional arguments".to_string()),
        }
    }
    for kw in &call.arguments.keywords {
        match keyword_name(kw) {
            Some("name") => {}
            Some("inputs") => inputs = Some(&kw.value),
            Some(other) => return Err(format!("`{other}=` has no Flyte 2 equivalent")),
            None => return Err("`**` arguments".to_string()),
        }
    }
    let Some(Expr::Dict(inputs)) = inputs else {
        return Err("its inputs are not a `{\"name\": type}` literal".to_string());
    };
    let mut names = Vec::new();
    let mut types = Vec::new();
    for item in &inputs.items {
        let Some(key) = item.key.as_ref().and_then(string_literal) else {
            return Err("its inputs are not a `{\"name\": type}` literal".to_string());
        };
        if !super::is_identifier(key) {
            return Err(format!("the input `{key}` is not a Python name"));
        }
        names.push(key.to_string());
        types.push(checker.text(item.value.range()));
    }
    if names.is_empty() {
        return Err("it has no inputs".to_string());
    }
    for used in uses(checker, target.range)? {
        if !matches!(used.how, Use::Call { .. }) || used.aio {
            return Err(format!(
                "`{}` is used other than by calling it",
                target.id.as_str()
            ));
        }
    }
    let parameters: Vec<String> = names
        .iter()
        .zip(&types)
        .map(|(name, ty)| format!("{name}: {ty}"))
        .collect();
    let returns = match types.as_slice() {
        [one] => one.to_string(),
        many => format!("tuple[{}]", many.join(", ")),
    };
    let function = format!(
        "def {}({}) -> {returns}:{}    return {}",
        target.id.as_str(),
        parameters.join(", "),
        checker.line_ending.as_str(),
        names.join(", ")
    );
    Ok((statement.range(), function))
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
    if home.placement == Placement::Callers {
        return in_callers_environment(checker, call, home, stmt, target, edits);
    }
    edits.extend(arguments(checker, call, home, &[])?);

    // The environment, right below.
    let (name, env_var) = own_environment(checker, var)?;
    let nl = checker.line_ending.as_str();
    let end = checker.locator.full_line_end(stmt.end());
    let arguments = format!("{}, {var}{}", quote(&name), home.as_task);
    let mut below = format!("{env_var} = flyte.TaskEnvironment.from_task({arguments}){nl}");
    if below.trim_end().len() > 88 {
        below = format!("{env_var} = flyte.TaskEnvironment.from_task({nl}    {arguments}{nl}){nl}");
    }

    // The callers: async Flyte 2 tasks of the module, whose environments depend on it.
    let uses = uses(checker, target.range)?;
    let mut callers_envs: Vec<String> = Vec::new();
    let mut to_async: Vec<&StmtFunctionDef> = Vec::new();
    for used in &uses {
        let (def, env) = calling_task(checker, used, var)?;
        let caller = def.name.id.as_str();
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

/// The name and variable of the environment of its own a task object `var` gets:
/// `<module>-<var>`, in `<var>_env`.
fn own_environment(checker: &Checker, var: &str) -> Result<(String, String), String> {
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
    Ok((name, env_var))
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
fn arguments(
    checker: &Checker,
    call: &ExprCall,
    home: &Home,
    more: &[String],
) -> Result<Vec<Edit>, String> {
    let args = &call.arguments;
    if args.args.len() > home.positional || args.args.iter().any(Expr::is_starred_expr) {
        return Err("its positional arguments are not those of Flyte 2: name them".to_string());
    }
    let mut edits = Vec::new();
    let mut removed = Vec::new();
    let mut resources = crate::env::ResourceSettings::default();
    let mut resource_keywords = Vec::new();
    let mut added: Vec<String> = more.to_vec();
    for (i, arg) in args.args.iter().enumerate() {
        // The plugin config is the third positional argument of both SQL tasks.
        if i == 2 && home.config.is_some() {
            edits.extend(config(checker, arg, home)?);
        }
        // Flyte 2 takes keywords only.
        if let Some(name) = home.keyword_only.get(i) {
            edits.push(Edit::insert(arg.start(), format!("{name}=")));
        }
    }
    for (name, text) in home.defaults {
        if super::keyword(args, name).is_none() {
            added.push((*text).to_string());
        }
    }
    let shell = if home
        .keywords
        .iter()
        .any(|(_, k)| matches!(k, Keyword::Script))
    {
        Some(shell_spec(checker, call)?)
    } else {
        None
    };
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
            Keyword::Drop => removed.push(kw.range),
            Keyword::Refuse(why) => return Err((*why).to_string()),
            Keyword::Script => {
                let Some(spec) = &shell else {
                    return Err("the task has no script".to_string());
                };
                edits.extend(script(checker, &kw.value, spec)?);
            }
            Keyword::OutputLocations => {
                let Some(spec) = &shell else {
                    return Err("the task has no outputs".to_string());
                };
                let outputs: Vec<String> = spec
                    .outputs
                    .iter()
                    .map(|o| format!("{}: {}", quote(&o.name), o.kind_text))
                    .collect();
                edits.push(Edit::replace(
                    kw.range,
                    format!("outputs={{{}}}", outputs.join(", ")),
                ));
            }
            Keyword::Image => {
                if string_literal(&kw.value).is_none() {
                    return Err(
                        "`container_image=` is not a string: give `image=` an image URI \
                                (or a `flyte.Image`, built when the task is first called)"
                            .to_string(),
                    );
                }
                edits.push(Edit::replace(arg, "image"));
            }
            Keyword::Shell => match string_literal(&kw.value) {
                Some("/bin/sh" | "/bin/bash" | "bash" | "sh") => removed.push(kw.range),
                _ => {
                    return Err(
                        "`shell=` is not `/bin/sh` or `/bin/bash`: Flyte 2 runs the \
                                script with bash"
                            .to_string(),
                    );
                }
            },
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

/// The Flyte 2 task a use of the task object `var` is in, and that task's environment.
fn calling_task<'a>(
    checker: &Checker<'a>,
    used: &Used<'a>,
    var: &str,
) -> Result<(&'a StmtFunctionDef, String), String> {
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
    Ok((def, env))
}

struct Used<'a> {
    function: Option<&'a StmtFunctionDef>,
    how: Use<'a>,
    /// The call (`t(...)` or `t.aio(...)`), when the use is one.
    call: Option<&'a ExprCall>,
    /// Whether it calls `t.aio(...)`.
    aio: bool,
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
                let (how, call, aio) = self.how(expr);
                let function = if self.nested || self.in_lambda() {
                    None
                } else {
                    self.functions.last().copied()
                };
                self.found.push(Used {
                    function,
                    how,
                    call,
                    aio,
                });
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
        /// What the expressions around the name do with it: the use, the call, `.aio`.
        fn how(&self, name: &'a Expr) -> (Use<'a>, Option<&'a ExprCall>, bool) {
            let parents: Vec<&'a Expr> = self.exprs.iter().rev().copied().collect();
            // `t(...)` or `t.aio(...)`.
            let (call, rest, aio) = match parents.as_slice() {
                [Expr::Call(call), rest @ ..] if call.func.range() == name.range() => {
                    (call, rest, false)
                }
                [Expr::Attribute(attr), Expr::Call(call), rest @ ..]
                    if attr.attr.id.as_str() == "aio" && call.func.range() == attr.range =>
                {
                    (call, rest, true)
                }
                _ => return (Use::Other, None, false),
            };
            // Inside `asyncio.gather(...)` (`gather(*[t(x=x) for x in xs])` too): the gather
            // awaits the coroutines.
            if rest.iter().any(|e| {
                matches!(e, Expr::Call(c) if self.checker.resolves_to(&c.func, &["asyncio.gather"]))
            }) {
                return (Use::Gathered, Some(call), aio);
            }
            let how = match rest.first() {
                Some(Expr::Await(_)) => Use::Awaited,
                Some(Expr::Attribute(_) | Expr::Subscript(_)) => Use::Call { call, wrap: true },
                Some(Expr::Call(outer)) if outer.func.range() == call.range() => {
                    Use::Call { call, wrap: true }
                }
                _ => Use::Call { call, wrap: false },
            };
            (how, Some(call), aio)
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
                call: None,
                aio: false,
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
                    self.await_call(call, wrap, sync_object(&qualified));
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

/// Whether a task object (Flyte 1 or its Flyte 2 form) is a sync task: `await t.aio(...)`.
fn sync_object(qualified: &str) -> bool {
    HOMES
        .iter()
        .filter(|h| h.placement == Placement::Callers)
        .any(|h| h.v1.contains(&qualified) || qualified == format!("{}.{}", h.module, h.class))
}

/// The edits that make a use of a sync task object fit its caller `def`: an `async` caller
/// awaits its `.aio(...)`, a sync one calls it as it is; why not, for a use that is no call.
fn call_sync_task(
    used: &Used,
    def: &StmtFunctionDef,
    var: &str,
    edits: &mut Vec<Edit>,
) -> Result<(), String> {
    let caller = def.name.id.as_str();
    match used.how {
        Use::Awaited | Use::Gathered => {
            if !used.aio
                && let Some(called) = used.call
            {
                edits.push(Edit::insert(called.func.end(), ".aio"));
            }
        }
        Use::Call { call: c, wrap } if def.is_async => {
            edits.push(Edit::insert(
                c.start(),
                if wrap { "(await " } else { "await " },
            ));
            if !used.aio {
                edits.push(Edit::insert(c.func.end(), ".aio"));
            }
            if wrap {
                edits.push(Edit::insert(c.end(), ")"));
            }
        }
        Use::Call { .. } if used.aio => {
            return Err(format!(
                "`{caller}` is sync and calls `{var}.aio(...)`: call `{var}(...)`"
            ));
        }
        Use::Call { .. } => {}
        Use::Run | Use::Other => {
            return Err(format!(
                "`{caller}` uses `{var}` other than by calling it: migrate that use by hand"
            ));
        }
    }
    Ok(())
}

/// The fix of a task that joins its callers' environment (`task_environment=`): a sync task,
/// called as it is from sync tasks and with `await t.aio(...)` from async ones; the outputs a
/// caller reads by name (`out.x`) are read by position (`out[0]`), as Flyte 2 returns a tuple.
fn in_callers_environment(
    checker: &Checker,
    call: &ExprCall,
    home: &Home,
    stmt: &Stmt,
    target: &ExprName,
    mut edits: Vec<Edit>,
) -> Result<Fix, String> {
    let var = target.id.as_str();
    let outputs = notebook_outputs(checker, call)?;
    let mut env: Option<String> = None;
    for used in uses(checker, target.range)? {
        let (def, caller_env) = calling_task(checker, &used, var)?;
        let caller = def.name.id.as_str();
        match &env {
            Some(first) if *first != caller_env => {
                return Err(format!(
                    "tasks of `{first}` and of `{caller_env}` call it: it belongs to one \
                     environment, give it `task_environment=` and make the other depend on it"
                ));
            }
            _ => env = Some(caller_env),
        }
        let Some(called) = used.call else {
            return Err(format!(
                "`{caller}` uses `{var}` other than by calling it: migrate that use by hand"
            ));
        };
        if matches!(used.how, Use::Gathered) && !outputs.flyte2.is_empty() {
            return Err(format!(
                "`{caller}` gathers its outputs, which Flyte 2 returns in another shape: read \
                 them by position by hand"
            ));
        }
        call_sync_task(&used, def, var, &mut edits)?;
        let outer = match used.how {
            Use::Awaited | Use::Gathered => {
                awaited_range(def, called.range()).unwrap_or(called.range())
            }
            _ => called.range(),
        };
        edits.extend(results(checker, def, outer, &outputs, caller)?);
    }
    let Some(env) = env else {
        return Err(format!(
            "no task of the module calls `{var}`: give it `task_environment=` by hand"
        ));
    };
    match module_assignment_end(checker, &env) {
        Some(end) if end <= stmt.start() => {}
        _ => {
            return Err(format!(
                "`{env}` is not defined at module level above `{var}`: move it up"
            ));
        }
    }
    edits.extend(arguments(
        checker,
        call,
        home,
        &[format!("task_environment={env}")],
    )?);
    Ok(Fix::unsafe_edits(edits))
}

/// The outputs of a notebook task: the Flyte 2 ones in order, and where Flyte 1's names are.
struct Outputs {
    flyte2: Vec<String>,
    /// Flyte 1 output name → its position in Flyte 2 (`None`: no Flyte 2 output).
    flyte1: Vec<(String, Option<usize>)>,
}

fn notebook_outputs(checker: &Checker, call: &ExprCall) -> Result<Outputs, String> {
    let args = &call.arguments;
    let mut declared: Vec<String> = Vec::new();
    if let Some(kw) = super::keyword(args, "outputs") {
        match &kw.value {
            Expr::Call(c)
                if checker.resolves_to(&c.func, &["flytekit.kwtypes"])
                    && c.arguments.args.is_empty() =>
            {
                for k in &c.arguments.keywords {
                    let Some(name) = keyword_name(k) else {
                        return Err("`outputs=` passes `**` arguments".to_string());
                    };
                    declared.push(name.to_string());
                }
            }
            Expr::Dict(dict) => {
                for item in &dict.items {
                    let Some(name) = item.key.as_ref().and_then(string_literal) else {
                        return Err("`outputs=` has a key that is no string literal".to_string());
                    };
                    declared.push(name.to_string());
                }
            }
            Expr::NoneLiteral(_) => {}
            _ => return Err("`outputs=` is not a dict or `kwtypes(...)`".to_string()),
        }
    }
    let notebooks = match super::keyword(args, "output_notebooks") {
        None => true,
        Some(kw) => super::bool_literal(&kw.value)
            .ok_or_else(|| "`output_notebooks=` is not `True` or `False`".to_string())?,
    };
    let mut flyte2 = declared.clone();
    let mut flyte1: Vec<(String, Option<usize>)> = declared
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), Some(i)))
        .collect();
    if notebooks {
        // Flyte 1's `out_nb` is the executed notebook; its HTML rendering has no output.
        flyte1.push(("out_nb".to_string(), Some(declared.len() + 1)));
        flyte1.push(("out_rendered_nb".to_string(), None));
        flyte2.push("output_notebook".to_string());
        flyte2.push("output_notebook_executed".to_string());
    }
    Ok(Outputs { flyte2, flyte1 })
}

/// The range of `await <call>` around a call in a function.
fn awaited_range(def: &StmtFunctionDef, call: TextRange) -> Option<TextRange> {
    struct Find {
        call: TextRange,
        found: Option<TextRange>,
    }
    impl<'a> Visitor<'a> for Find {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Await(a) = expr
                && a.value.range() == self.call
            {
                self.found = Some(a.range);
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut find = Find { call, found: None };
    find.visit_body(&def.body);
    find.found
}

/// The edits that read a call's outputs the Flyte 2 way: `out.x` → `out[i]` (`out` when there
/// is one output), for the result assigned to a name or read right away.
fn results(
    checker: &Checker,
    def: &StmtFunctionDef,
    value: TextRange,
    outputs: &Outputs,
    caller: &str,
) -> Result<Vec<Edit>, String> {
    /// Where the value goes.
    enum Into<'a> {
        Dropped,
        Name(&'a ExprName),
        Attribute(&'a ruff_python_ast::ExprAttribute),
        Other,
    }
    struct Find<'a> {
        value: TextRange,
        into: Option<Into<'a>>,
    }
    impl<'a> Visitor<'a> for Find<'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::Expr(e) if e.value.range() == self.value => self.into = Some(Into::Dropped),
                Stmt::Assign(a) if a.value.range() == self.value => {
                    self.into = Some(match a.targets.as_slice() {
                        [Expr::Name(n)] => Into::Name(n),
                        _ => Into::Other,
                    });
                }
                _ => {}
            }
            visitor::walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Attribute(a) = expr
                && a.value.range() == self.value
            {
                self.into = Some(Into::Attribute(a));
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut find = Find { value, into: None };
    find.visit_body(&def.body);
    let attributes: Vec<&ruff_python_ast::ExprAttribute> = match find.into {
        Some(Into::Dropped) => return Ok(Vec::new()),
        Some(Into::Attribute(a)) => vec![a],
        Some(Into::Name(name)) => {
            let (reads, attributes) = reads_of(checker, def, name.range);
            if reads != attributes.len() {
                return Err(format!(
                    "`{caller}` reads `{}` other than by output name (`{}.<output>`): Flyte 2 \
                     returns the outputs as a tuple, read them by position by hand",
                    name.id, name.id
                ));
            }
            attributes
        }
        Some(Into::Other) | None if outputs.flyte2.is_empty() => return Ok(Vec::new()),
        Some(Into::Other) | None => {
            return Err(format!(
                "`{caller}` uses its outputs other than by name: Flyte 2 returns them as a \
                 tuple, read them by position by hand"
            ));
        }
    };
    let mut edits = Vec::new();
    for attribute in attributes {
        let name = attribute.attr.id.as_str();
        let Some((_, at)) = outputs.flyte1.iter().find(|(n, _)| n == name) else {
            return Err(format!("`{caller}` reads `.{name}`, which is no output"));
        };
        let Some(at) = at else {
            return Err(format!(
                "`{caller}` reads `.{name}`, which Flyte 2 has no output for: render \
                 `output_notebook_executed` by hand"
            ));
        };
        // From the dot (after any closing parenthesis) to the end.
        let between = checker.text(TextRange::new(
            attribute.value.end(),
            attribute.attr.start(),
        ));
        let Some(dot) = between.rfind('.') else {
            return Err(format!(
                "`{caller}` reads `.{name}` in a form not understood"
            ));
        };
        let dot = attribute.value.end() + TextSize::try_from(dot).unwrap_or_default();
        let index = if outputs.flyte2.len() == 1 {
            String::new()
        } else {
            format!("[{at}]")
        };
        edits.push(Edit::replace(
            TextRange::new(dot, attribute.range.end()),
            index,
        ));
    }
    Ok(edits)
}

/// How many times a function reads the name bound at `target`, and the reads that are
/// attributes of it (`out.x`).
fn reads_of<'a>(
    checker: &Checker<'a>,
    def: &'a StmtFunctionDef,
    target: TextRange,
) -> (usize, Vec<&'a ruff_python_ast::ExprAttribute>) {
    struct Find<'a, 'c> {
        checker: &'c Checker<'a>,
        target: TextRange,
        reads: usize,
        attributes: Vec<&'a ruff_python_ast::ExprAttribute>,
    }
    impl<'a> Find<'a, '_> {
        fn bound_here(&self, expr: &Expr) -> bool {
            matches!(expr, Expr::Name(n) if n.ctx.is_load()
                && self.checker.semantic.binding_of(n.range.start()).is_some_and(|b| b.range == self.target))
        }
    }
    impl<'a> Visitor<'a> for Find<'a, '_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.bound_here(expr) {
                self.reads += 1;
            }
            if let Expr::Attribute(a) = expr
                && self.bound_here(&a.value)
            {
                self.attributes.push(a);
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut find = Find {
        checker,
        target,
        reads: 0,
        attributes: Vec::new(),
    };
    find.visit_body(&def.body);
    (find.reads, find.attributes)
}

/// What a shell task's script may reference.
struct ShellSpec {
    /// Inputs, and whether each is a scalar (`str`, `int`).
    inputs: Vec<(String, bool)>,
    outputs: Vec<ShellOutput>,
}

struct ShellOutput {
    name: String,
    /// The type, as written.
    kind_text: String,
    directory: bool,
    /// Where Flyte 1 writes it.
    location: String,
}

/// The inputs and outputs of a `ShellTask(...)`, when Flyte 2's shell renders them the same way.
fn shell_spec(checker: &Checker, call: &ExprCall) -> Result<ShellSpec, String> {
    let args = &call.arguments;
    let mut inputs = Vec::new();
    if let Some(kw) = super::keyword(args, "inputs") {
        let items: Vec<(String, &Expr)> = match &kw.value {
            Expr::Call(c)
                if checker.resolves_to(&c.func, &["flytekit.kwtypes"])
                    && c.arguments.args.is_empty() =>
            {
                let mut items = Vec::new();
                for k in &c.arguments.keywords {
                    let Some(name) = keyword_name(k) else {
                        return Err("`inputs=` passes `**` arguments".to_string());
                    };
                    items.push((name.to_string(), &k.value));
                }
                items
            }
            Expr::Dict(dict) => {
                let mut items = Vec::new();
                for item in &dict.items {
                    let Some(name) = item.key.as_ref().and_then(string_literal) else {
                        return Err("`inputs=` has a key that is no string literal".to_string());
                    };
                    items.push((name.to_string(), &item.value));
                }
                items
            }
            _ => return Err("`inputs=` is not a dict or `kwtypes(...)`".to_string()),
        };
        for (name, value) in items {
            let qualified = checker.resolve(value).unwrap_or_default();
            let builtin = matches!(value, Expr::Name(n) if matches!(n.id.as_str(), "str" | "int")
                && checker.semantic.binding_of(n.range.start()).is_none());
            let scalar = match &*qualified {
                _ if builtin => true,
                "builtins.str" | "builtins.int" => true,
                _ if file_type(&qualified) || directory_type(&qualified) => false,
                _ => {
                    return Err(format!(
                        "the input `{name}` is a `{}`: Flyte 2's shell writes only `str`, `int`, \
                         files and directories into the script as flytekit did",
                        checker.text(value.range())
                    ));
                }
            };
            inputs.push((name, scalar));
        }
    }
    let mut outputs = Vec::new();
    if let Some(kw) = super::keyword(args, "output_locs") {
        let Expr::List(list) = &kw.value else {
            return Err("`output_locs=` is not a list of `OutputLocation(...)`".to_string());
        };
        for item in &list.elts {
            let Expr::Call(location) = item else {
                return Err(
                    "`output_locs=` holds something else than `OutputLocation(...)`".into(),
                );
            };
            if !checker.resolves_to(
                &location.func,
                &["flytekit.extras.tasks.shell.OutputLocation"],
            ) || location.arguments.args.len() > 3
                || location.arguments.args.iter().any(Expr::is_starred_expr)
            {
                return Err(
                    "`output_locs=` holds something else than `OutputLocation(...)`".into(),
                );
            }
            let mut fields: [Option<&Expr>; 3] = [None, None, None];
            for (i, arg) in location.arguments.args.iter().enumerate() {
                fields[i] = Some(arg);
            }
            for k in &location.arguments.keywords {
                let at = match keyword_name(k) {
                    Some("var") => 0,
                    Some("var_type") => 1,
                    Some("location") => 2,
                    _ => return Err("an `OutputLocation(...)` argument is not understood".into()),
                };
                fields[at] = Some(&k.value);
            }
            let [Some(var), Some(kind), Some(place)] = fields else {
                return Err(
                    "an `OutputLocation(...)` lacks `var`, `var_type` or `location`".into(),
                );
            };
            let (Some(name), Some(place)) = (string_literal(var), string_literal(place)) else {
                return Err(
                    "an `OutputLocation(...)` has a `var` or `location` that is no string".into(),
                );
            };
            let qualified = checker.resolve(kind).unwrap_or_default();
            let directory = directory_type(&qualified);
            if !directory && !file_type(&qualified) {
                return Err(format!(
                    "the output `{name}` is a `{}`: only plain files and directories have a \
                     Flyte 2 form here",
                    checker.text(kind.range())
                ));
            }
            outputs.push(ShellOutput {
                name: name.to_string(),
                kind_text: checker.text(kind.range()).to_string(),
                directory,
                location: place.to_string(),
            });
        }
    }
    Ok(ShellSpec { inputs, outputs })
}

fn file_type(qualified: &str) -> bool {
    matches!(
        qualified,
        "flytekit.types.file.FlyteFile" | "flytekit.FlyteFile" | "flyte.io.File"
    )
}

fn directory_type(qualified: &str) -> bool {
    matches!(
        qualified,
        "flytekit.types.directory.FlyteDirectory" | "flytekit.FlyteDirectory" | "flyte.io.Dir"
    )
}

/// A `{...}` field of a `str.format` template, or a `{{`/`}}` escape.
enum Piece<'s> {
    Text(&'s str),
    Brace(char),
    Field(&'s str),
}

/// The pieces of a `str.format` template.
fn pieces(text: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let (mut i, mut start) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b @ (b'{' | b'}') if bytes.get(i + 1) == Some(&b) => {
                out.push(Piece::Text(&text[start..i]));
                out.push(Piece::Brace(b as char));
                i += 2;
                start = i;
            }
            b'{' => {
                let Some(len) = text[i + 1..].find('}') else {
                    return Err("the script has a `{` that is not closed".to_string());
                };
                out.push(Piece::Text(&text[start..i]));
                out.push(Piece::Field(&text[i + 1..i + 1 + len]));
                i += len + 2;
                start = i;
            }
            b'}' => return Err("the script has a lone `}`".to_string()),
            _ => i += 1,
        }
    }
    out.push(Piece::Text(&text[start..]));
    Ok(out)
}

/// The edit of a shell task's `script=`: Flyte 1 formats it with `str.format` (`{{` is a brace),
/// Flyte 2 substitutes only `{inputs.x}`, `{flags.x}` and `{outputs.x}`. Only a script whose
/// every field is an input or output, with the inputs outside quotes (Flyte 2 quotes a value
/// itself and expands a file as a glob), and whose outputs are written through `{outputs.x}`.
fn script(checker: &Checker, value: &Expr, spec: &ShellSpec) -> Result<Option<Edit>, String> {
    let Expr::StringLiteral(literal) = value else {
        return Err("`script=` is not a string literal".to_string());
    };
    let [part] = literal.value.as_slice() else {
        return Err("`script=` is made of several strings".to_string());
    };
    let text = checker.text(part.range);
    let value = literal.value.to_str();
    // The text between the quotes.
    let prefix = text.find(['"', '\'']).unwrap_or(0);
    let quotes = if text[prefix..].starts_with("\"\"\"") || text[prefix..].starts_with("'''") {
        3
    } else {
        1
    };
    if text.len() < prefix + 2 * quotes {
        return Err("`script=` is not understood".to_string());
    }
    let inner = &text[prefix + quotes..text.len() - quotes];
    let count = |s: &str, c: char| s.chars().filter(|x| *x == c).count();
    if count(inner, '{') != count(value, '{') || count(inner, '}') != count(value, '}') {
        return Err("`script=` writes braces with escapes".to_string());
    }
    // The fields, in the value (for the quotes) and in the text (for the edit).
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut written: Vec<&str> = Vec::new();
    let mut rendered = String::new();
    for piece in pieces(value)? {
        match piece {
            Piece::Text(t) => {
                for c in t.chars() {
                    match (quote, c) {
                        _ if escaped => escaped = false,
                        (None | Some('"'), '\\') => escaped = true,
                        (None, '\'' | '"') => quote = Some(c),
                        (Some(q), c) if q == c => quote = None,
                        _ => {}
                    }
                }
                rendered.push_str(t);
            }
            Piece::Brace(c) => {
                rendered.push(c);
                // `{{inputs.x}}` would be a placeholder for Flyte 2.
                if c == '{' {
                    rendered.push('\u{1}');
                }
            }
            Piece::Field(field) => {
                let (space, name) = field.split_once('.').unwrap_or(("", field));
                match space {
                    "inputs" if spec.inputs.iter().any(|(n, _)| n == name) => {
                        if let Some(q) = quote {
                            return Err(format!(
                                "the script has `{{inputs.{name}}}` inside `{q}` quotes: Flyte \
                                 2 writes a value quoted and a file as a glob, so quote nothing \
                                 around it (by hand)"
                            ));
                        }
                    }
                    "outputs" if spec.outputs.iter().any(|o| o.name == name) => written.push(name),
                    _ => {
                        return Err(format!(
                            "the script's `{{{field}}}` is no input or output of the task"
                        ));
                    }
                }
                rendered.push('\u{2}');
            }
        }
    }
    if rendered.contains("\u{1}inputs.")
        || rendered.contains("\u{1}outputs.")
        || rendered.contains("\u{1}flags.")
    {
        return Err(
            "the script has `{{inputs.…}}`-like text, a placeholder for Flyte 2".to_string(),
        );
    }
    // Flyte 2 rejects any other `{a.b}` left in the script.
    let plain = rendered.replace('\u{1}', "");
    for (at, _) in plain.match_indices('{') {
        if plain[at + 1..]
            .split_once('}')
            .is_some_and(|(inside, _)| dotted(inside))
        {
            return Err("the script has a `{a.b}` in braces, which Flyte 2 rejects".to_string());
        }
    }
    // Outputs the script leaves at their location: copied to `{outputs.x}` when it succeeded.
    let mut copies: Vec<String> = Vec::new();
    for output in &spec.outputs {
        let name = output.name.as_str();
        if !written.contains(&name) {
            copies.push(copy_output(output, spec, value)?);
            continue;
        }
        if value.contains(&output.location) {
            return Err(format!(
                "the script names the output `{name}`'s location `{}` itself: Flyte 2 collects \
                 it from `{{outputs.{name}}}` only, write it there by hand",
                output.location
            ));
        }
        if output.directory
            && value.lines().any(|line| {
                line.contains(&format!("{{outputs.{name}}}"))
                    && line.contains("mkdir")
                    && !line.contains("mkdir -p")
            })
        {
            return Err(format!(
                "the script makes the directory `{{outputs.{name}}}`, which Flyte 2 makes \
                 first: use `mkdir -p`"
            ));
        }
    }
    // The edit: `{{` and `}}` become single braces, in the text as written.
    let mut out = String::with_capacity(inner.len());
    for piece in pieces(inner)? {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Brace(c) => out.push(c),
            Piece::Field(f) => {
                out.push('{');
                out.push_str(f);
                out.push('}');
            }
        }
    }
    if !copies.is_empty() {
        let raw = text[..prefix].contains(['r', 'R']);
        let (nl, at) = match inner.rfind('\n') {
            // Before the closing line, in the script's indentation.
            Some(at) if quotes == 3 && inner[at + 1..].trim().is_empty() => ("\n", at + 1),
            _ if quotes == 3 => ("\n", inner.len()),
            _ if !raw => ("\\n", inner.len()),
            _ => {
                return Err(
                    "the script is a raw one-line string: Flyte 2 needs the outputs \
                            copied to `{outputs.<name>}` after it, add that by hand"
                        .to_string(),
                );
            }
        };
        let indent = &inner[at..];
        let mut tail = String::new();
        if at == inner.len() {
            tail.push_str(nl);
        }
        tail.push_str(&format!(
            "_rc=$?; [ $_rc -eq 0 ] || exit $_rc; {}",
            copies.join("; ")
        ));
        if at < inner.len() {
            tail.push_str(nl);
            tail.push_str(indent);
        }
        let rest = out.len() - (inner.len() - at);
        out.truncate(rest);
        if at < inner.len() {
            out.push_str(indent);
        }
        out.push_str(&tail);
    }
    if out == inner {
        return Ok(None);
    }
    let start = part.range.start() + TextSize::try_from(prefix + quotes).unwrap_or_default();
    let end = part.range.end() - TextSize::try_from(quotes).unwrap_or_default();
    Ok(Some(Edit::replace(TextRange::new(start, end), out)))
}

/// `a.b` with identifiers.
fn dotted(text: &str) -> bool {
    let ident = |s: &str| {
        let mut chars = s.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    text.split_once('.')
        .is_some_and(|(a, b)| ident(a) && ident(b))
}

/// The command that copies an output the script leaves at its Flyte 1 location to
/// `{outputs.x}`: a location of plain path characters and input fields, in a script that does
/// not change directory or exit early.
fn copy_output(output: &ShellOutput, spec: &ShellSpec, script: &str) -> Result<String, String> {
    let name = output.name.as_str();
    let why = |what: &str| {
        format!(
            "the script leaves the output `{name}` at `{}`, and {what}: Flyte 2 collects it from \
             `{{outputs.{name}}}`, write or copy it there by hand",
            output.location
        )
    };
    if ["cd ", "pushd", "exit", "exec "]
        .iter()
        .any(|w| script.contains(w))
    {
        return Err(why(
            "the script changes directory or exits (a copy after it would miss it)",
        ));
    }
    for piece in pieces(&output.location)? {
        match piece {
            Piece::Text(t)
                if t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c)) => {}
            Piece::Field(f)
                if f.strip_prefix("inputs.")
                    .is_some_and(|n| spec.inputs.iter().any(|(i, _)| i == n)) => {}
            _ => return Err(why("that location is not a plain path")),
        }
    }
    if output.location.is_empty() {
        return Err(why("that location is empty"));
    }
    Ok(if output.directory {
        format!("cp -R {}/. {{outputs.{name}}}", output.location)
    } else {
        format!("cp {} {{outputs.{name}}}", output.location)
    })
}
