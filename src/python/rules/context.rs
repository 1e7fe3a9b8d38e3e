//! `current_context()` has no Flyte 2 equivalent object: each use becomes what Flyte 2 offers.
//!
//! FM401 `secrets-get`, FM402 `working-directory`, FM403 `execution-id`,
//! FM404 `current-context-attribute`, FM405 `unused-current-context`.

use ruff_python_ast::{Expr, ExprAttribute, ExprCall, ExprContext, ExprName, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::{keyword_name, string_literal};
use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::registry::Rule;
use crate::semantic::{BindingKind, ScopeKind};

const CURRENT_CONTEXT: &[&str] = &["flytekit.current_context"];

/// `current_context()` attributes other than secrets, working directory and execution id:
/// (attribute, replacement, applicability, advice when there is no replacement).
const ATTRIBUTES: &[(&str, Option<&str>, Applicability, &str)] = &[
    ("logging", Some("flyte.logger"), Applicability::Safe, ""),
    (
        "raw_output_prefix",
        Some("flyte.ctx().raw_data_path.path"),
        Applicability::Safe,
        "",
    ),
    (
        "execution_date",
        Some("flyte.ctx().run_start_time"),
        Applicability::Unsafe,
        "",
    ),
    (
        "output_metadata_prefix",
        Some("flyte.ctx().output_path"),
        Applicability::Unsafe,
        "",
    ),
    (
        "task_id",
        None,
        Applicability::DisplayOnly,
        "Flyte 2 has no task id: `flyte.ctx().action` identifies the running action",
    ),
    (
        "stats",
        None,
        Applicability::DisplayOnly,
        "Flyte 2 has no stats client: emit metrics with your own client",
    ),
    (
        "decks",
        None,
        Applicability::DisplayOnly,
        "Use `flyte.report` with `@env.task(report=True)`",
    ),
    (
        "timeline_deck",
        None,
        Applicability::DisplayOnly,
        "Flyte 2 has no timeline deck: log to `flyte.report` instead",
    ),
    (
        "enable_deck",
        None,
        Applicability::DisplayOnly,
        "Use `@env.task(report=True)`",
    ),
    (
        "get",
        None,
        Applicability::DisplayOnly,
        "Use `flyte.ctx().custom_context` (set with `flyte.custom_context(...)`): a different concept",
    ),
];

/// Whether `expr` is a `current_context()` value: the call itself or a local bound to it.
fn is_context(checker: &Checker, expr: &Expr) -> bool {
    match expr {
        Expr::Call(call) => is_context_call(checker, call),
        Expr::Name(name) => context_binding(checker, name),
        _ => false,
    }
}

fn is_context_call(checker: &Checker, call: &ExprCall) -> bool {
    call.arguments.is_empty() && checker.resolves_to(&call.func, CURRENT_CONTEXT)
}

fn context_binding(checker: &Checker, name: &ExprName) -> bool {
    checker
        .semantic
        .binding_of(name.range.start())
        .is_some_and(|b| matches!(b.kind, BindingKind::Assignment { value: Expr::Call(call), .. } if is_context_call(checker, call)))
}

pub fn attribute(checker: &mut Checker, expr: &Expr, attr: &ExprAttribute) {
    if !is_context(checker, &attr.value) {
        return;
    }
    if attr.ctx != ExprContext::Load {
        checker.report(
            Diagnostic::new(
                Rule::CurrentContextAttribute,
                format!(
                    "`current_context().{}` cannot be assigned or deleted in Flyte 2",
                    attr.attr.id
                ),
                expr.range(),
            )
            .with_help("Keep the value in a variable of your own"),
        );
        return;
    }
    match attr.attr.id.as_str() {
        "secrets" => secrets(checker, expr),
        "working_directory" => working_directory(checker, expr),
        "execution_id" => execution_id(checker, expr),
        // `default_deck.append(html)` is FM413's.
        "default_deck"
            if matches!(
                (checker.parent_expr(), checker.ancestor_expr(1)),
                (Some(Expr::Attribute(a)), Some(Expr::Call(c)))
                    if a.attr.id.as_str() == "append" && c.func.range() == a.range
            ) => {}
        other => other_attribute(checker, expr, other),
    }
}

/// FM401: `current_context().secrets.get(group, key)` and `.secrets.group.key`.
fn secrets(checker: &mut Checker, secrets: &Expr) {
    let parent = checker.parent_expr();
    let grandparent = checker.ancestor_expr(1);
    let (site, group, key, problem): (TextRange, Option<&Expr>, Option<&Expr>, Option<String>) =
        match (parent, grandparent) {
            (Some(Expr::Attribute(get)), Some(Expr::Call(call)))
                if get.attr.id.as_str() == "get" && call.func.range() == get.range =>
            {
                let mut group = None;
                let mut key = None;
                let mut problem = None;
                for (i, arg) in call.arguments.args.iter().enumerate() {
                    match i {
                        0 => group = Some(arg),
                        1 => key = Some(arg),
                        2 => problem = Some("Flyte 2 secrets have no group version".to_string()),
                        _ => {
                            problem = Some(
                                "`encode_mode` reads a mounted file: read it by hand".to_string(),
                            )
                        }
                    }
                }
                for kw in &call.arguments.keywords {
                    match keyword_name(kw) {
                        Some("group") => group = Some(&kw.value),
                        Some("key") => key = Some(&kw.value),
                        Some("group_version") => {
                            problem = Some("Flyte 2 secrets have no group version".to_string())
                        }
                        Some("encode_mode") if string_literal(&kw.value) == Some("r") => {}
                        _ => {
                            problem = Some(format!(
                                "`{}` has no Flyte 2 equivalent",
                                checker.text(kw.range)
                            ))
                        }
                    }
                }
                (call.range(), group, key, problem)
            }
            (Some(Expr::Attribute(group)), Some(Expr::Attribute(key)))
                if key.value.range() == group.range =>
            {
                let site = key.range;
                let (g, k) = (group.attr.id.as_str(), key.attr.id.as_str());
                return report_secret(checker, site, Some(g), Some(k), None);
            }
            _ => {
                checker.report(
                    Diagnostic::new(
                        Rule::SecretsGet,
                        "`current_context().secrets` does not exist in Flyte 2",
                        secrets.range(),
                    )
                    .with_help("Declare `flyte.Secret(key=..., group=...)` on the TaskEnvironment and read `os.environ[\"GROUP_KEY\"]`"),
                );
                return;
            }
        };
    let literal = |e: Option<&Expr>| -> Result<Option<String>, ()> {
        match e {
            None => Ok(None),
            Some(e) if e.is_none_literal_expr() => Ok(None),
            Some(e) => string_literal(super::module_constant(checker, e))
                .map(|s| Some(s.to_string()))
                .ok_or(()),
        }
    };
    match (literal(group), literal(key)) {
        (Ok(g), Ok(k)) => report_secret(checker, site, g.as_deref(), k.as_deref(), problem),
        _ => report_secret(
            checker,
            site,
            None,
            None,
            Some(
                "the group and key are not string literals (or module-level constants holding \
                 one), so the variable name is unknown"
                    .to_string(),
            ),
        ),
    }
}

fn report_secret(
    checker: &mut Checker,
    site: TextRange,
    group: Option<&str>,
    key: Option<&str>,
    problem: Option<String>,
) {
    let mut diagnostic = Diagnostic::new(
        Rule::SecretsGet,
        "`current_context().secrets` does not exist in Flyte 2: secrets are environment variables",
        site,
    );
    let declared = key.and_then(|k| declared_env_var(checker, group, k));
    let name = declared.or_else(|| key.map(|k| env_var_name(group, k)));
    let problem = problem.or_else(|| match (&name, key) {
        (_, None) => Some("a secret without a key has no Flyte 2 spelling: give `flyte.Secret` a `key`".to_string()),
        (Some(n), _) if !is_valid_env_var(n) => Some(format!(
            "`{n}` is not a valid variable name: declare the secret with `as_env_var=\"...\"` and read that"
        )),
        _ => None,
    });
    if let Some(problem) = problem {
        checker.report(diagnostic.with_help(format!(
            "Declare `flyte.Secret(key=..., group=...)` on the TaskEnvironment and read its \
             environment variable; {problem}"
        )));
        return;
    }
    let Some(name) = name else {
        return;
    };
    // flytekit strips the value; a read that strips it already (`.strip()`) is not stripped twice.
    let stripped = (1..=3).any(|n| {
        matches!(
            (checker.ancestor_expr(n), checker.ancestor_expr(n + 1)),
            (Some(Expr::Attribute(a)), Some(Expr::Call(c)))
                if a.value.range() == site
                    && a.attr.id.as_str() == "strip"
                    && c.func.range() == a.range
                    && c.arguments.is_empty()
        )
    });
    let strip = if stripped { "" } else { ".strip()" };
    let replacement = format!("os.environ[{}]{strip}", checker.quote(&name));
    let Some(import) = checker.import_module("os") else {
        checker.report(diagnostic.with_help(format!(
            "Read `{replacement}` (`os` is bound to something else here)"
        )));
        return;
    };
    let mut edits = vec![Edit::replace(site, replacement.clone())];
    edits.extend(import);
    diagnostic = diagnostic
        .with_help(format!(
            "Replace with `{replacement}`, the variable `flyte.Secret(key=..., group=...)` sets"
        ))
        .with_fix(Fix::safe_edits(edits));
    checker.report(diagnostic);
}

/// The variable the enclosing task's secret declaration names (`env_var=` in Flyte 1,
/// `as_env_var=` in Flyte 2), when it names one for this group and key.
fn declared_env_var(checker: &Checker, group: Option<&str>, key: &str) -> Option<String> {
    let function = checker.flyte_function().map(|f| f.def).or_else(|| {
        checker
            .function()
            .map(|f| f.def)
            .filter(|def| crate::env::environment_of(checker, def).is_some())
    })?;
    let mut lists: Vec<&Expr> = Vec::new();
    for decorator in &function.decorator_list {
        if let Expr::Call(call) = &decorator.expression
            && let Some(kw) = super::keyword(&call.arguments, "secret_requests")
        {
            lists.push(&kw.value);
        }
    }
    if let Some(env) = crate::env::environment_of(checker, function) {
        for stmt in checker.module {
            if let Stmt::Assign(assign) = stmt
                && matches!(assign.targets.as_slice(), [Expr::Name(n)] if n.id.as_str() == env)
                && let Expr::Call(call) = &*assign.value
                && let Some(kw) = super::keyword(&call.arguments, "secrets")
            {
                lists.push(&kw.value);
            }
        }
    }
    for list in lists {
        let items: &[Expr] = match list {
            Expr::List(l) => &l.elts,
            Expr::Tuple(t) => &t.elts,
            _ => continue,
        };
        for item in items {
            let Expr::Call(secret) = item else {
                continue;
            };
            let v1 = checker.resolves_to(&secret.func, &["flytekit.Secret"]);
            let v2 = checker.resolves_to(&secret.func, &["flyte.Secret"]);
            if !v1 && !v2 {
                continue;
            }
            let positional: &[&str] = if v1 {
                &["group", "key"]
            } else {
                &["key", "group"]
            };
            let mut fields: Vec<(&str, &Expr)> = secret
                .arguments
                .args
                .iter()
                .zip(positional)
                .map(|(a, n)| (*n, a))
                .collect();
            fields.extend(
                secret
                    .arguments
                    .keywords
                    .iter()
                    .filter_map(|k| keyword_name(k).map(|n| (n, &k.value))),
            );
            let field = |n: &str| {
                fields
                    .iter()
                    .find(|(f, _)| *f == n)
                    .and_then(|(_, v)| string_literal(super::module_constant(checker, v)))
            };
            if field("key") == Some(key) && field("group") == group {
                return field(if v1 { "env_var" } else { "as_env_var" }).map(str::to_string);
            }
        }
    }
    None
}

/// Flyte 2's variable for a secret: `GROUP_KEY` (or `KEY`), `-` → `_`, upper-cased.
pub fn env_var_name(group: Option<&str>, key: &str) -> String {
    let raw = match group {
        Some(g) if !g.is_empty() => format!("{g}_{key}"),
        _ => key.to_string(),
    };
    raw.replace('-', "_").to_uppercase()
}

/// `^[A-Z_][A-Z0-9_]*$`, which `flyte.Secret` enforces.
pub fn is_valid_env_var(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// FM402: `current_context().working_directory` → `tempfile.mkdtemp()`.
fn working_directory(checker: &mut Checker, expr: &Expr) {
    let mut diagnostic = Diagnostic::new(
        Rule::WorkingDirectory,
        "`current_context().working_directory` does not exist in Flyte 2",
        expr.range(),
    );
    diagnostic = diagnostic.with_help(
        "Replace with `tempfile.mkdtemp()`, a fresh directory at each use (Flyte 1 gave one \
         directory per task run)",
    );
    if let Some(import) = checker.import_module("tempfile") {
        let mut edits = vec![Edit::replace(expr.range(), "tempfile.mkdtemp()")];
        edits.extend(import);
        diagnostic = diagnostic.with_fix(Fix::unsafe_edits(edits));
    }
    checker.report(diagnostic);
}

/// FM403: `current_context().execution_id.name|.project|.domain` → `flyte.ctx().action...`.
fn execution_id(checker: &mut Checker, expr: &Expr) {
    let field = match checker.parent_expr() {
        Some(Expr::Attribute(field)) if field.value.range() == expr.range() => Some(field),
        _ => None,
    };
    let replacement = field.and_then(|f| match f.attr.id.as_str() {
        "name" => Some((f.range, "flyte.ctx().action.run_name")),
        "project" => Some((f.range, "flyte.ctx().action.project")),
        "domain" => Some((f.range, "flyte.ctx().action.domain")),
        _ => None,
    });
    let site = replacement.map_or(expr.range(), |(range, _)| range);
    let mut diagnostic = Diagnostic::new(
        Rule::ExecutionId,
        "`current_context().execution_id` is `flyte.ctx().action` in Flyte 2",
        site,
    );
    let Some((site, replacement)) = replacement else {
        // Kept whole, its `.name` would silently become the action's name, not the run's.
        checker.report(diagnostic.with_help(
            "Read the fields where they are used: `flyte.ctx().action.run_name` (the run), \
             `.project` and `.domain`",
        ));
        return;
    };
    diagnostic = diagnostic.with_help(format!(
        "Replace with `{replacement}` (outside a task `flyte.ctx()` is an empty context)"
    ));
    if let Some(import) = checker.import_module("flyte") {
        let mut edits = vec![Edit::replace(site, replacement)];
        edits.extend(import);
        diagnostic = diagnostic.with_fix(Fix::unsafe_edits(edits));
    }
    checker.report(diagnostic);
}

/// FM404: every other attribute of `current_context()`.
fn other_attribute(checker: &mut Checker, expr: &Expr, name: &str) {
    let row = ATTRIBUTES.iter().find(|(attr, ..)| *attr == name);
    let mut diagnostic = Diagnostic::new(
        Rule::CurrentContextAttribute,
        format!("`current_context().{name}` does not exist in Flyte 2"),
        expr.range(),
    );
    // The Spark plugin's session is the task context's data in Flyte 2, in a Flyte 2 task: a
    // task still on flytekit (its Spark config did not move) keeps reading flytekit's.
    if name == "spark_session" {
        let in_flyte2_task = checker
            .function()
            .is_some_and(|f| crate::env::environment_of(checker, f.def).is_some());
        let replacement = "flyte.ctx().data[\"spark_session\"]";
        diagnostic = diagnostic.with_help(format!(
            "Replace with `{replacement}` in a task of an environment with \
             `plugin_config=flyteplugins.spark.Spark(...)` (the plugin puts the session there)"
        ));
        if in_flyte2_task && let Some(import) = checker.import_module("flyte") {
            let mut edits = vec![Edit::replace(expr.range(), replacement)];
            edits.extend(import);
            diagnostic = diagnostic.with_fix(Fix::safe_edits(edits));
        }
        checker.report(diagnostic);
        return;
    }
    if name == "checkpoint" {
        checkpoint(checker, expr, diagnostic);
        return;
    }
    // The default deck kept as a value is the report's main tab (its `append` is FM413's).
    if name == "default_deck" {
        let replacement = "flyte.report.get_tab(\"main\")";
        diagnostic = diagnostic.with_help(format!(
            "Replace with `{replacement}`, the report's main tab, with `@env.task(report=True)`"
        ));
        if let Some(import) = checker.import_module("flyte.report") {
            let mut edits = vec![Edit::replace(expr.range(), replacement)];
            edits.extend(import);
            diagnostic = diagnostic.with_fix(Fix::safe_edits(edits));
        }
        checker.report(diagnostic);
        return;
    }
    match row {
        Some((_, Some(replacement), applicability, _)) => {
            diagnostic = diagnostic.with_help(format!("Replace with `{replacement}`"));
            if let Some(import) = checker.import_module("flyte") {
                let mut edits = vec![Edit::replace(expr.range(), *replacement)];
                edits.extend(import);
                diagnostic = diagnostic.with_fix(Fix::new(edits, *applicability));
            }
        }
        Some((_, None, _, advice)) => diagnostic = diagnostic.with_help(*advice),
        None => {
            diagnostic = diagnostic
                .with_help("Flyte 2 has no such field: see `flyte.ctx()` for what a task can read")
        }
    }
    checker.report(diagnostic);
}

/// FM404: the `current_context()` object itself passed on or kept (not read through an attribute).
pub fn name(checker: &mut Checker, expr: &Expr, name: &ExprName) {
    if !context_binding(checker, name) || read_through_attribute(checker, expr.range()) {
        return;
    }
    report_object_use(checker, expr.range());
}

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !is_context_call(checker, call) {
        return;
    }
    if checker.function().is_none() {
        checker.report(
            Diagnostic::new(
                Rule::CurrentContextAttribute,
                "`current_context()` at module level has no task to describe",
                call.range(),
            )
            .with_help("Read the context inside a task with `flyte.ctx()`"),
        );
        return;
    }
    let assigned = matches!(checker.current_stmt(), Some(Stmt::Assign(a))
        if a.value.range() == call.range() && a.targets.len() == 1 && a.targets[0].is_name_expr());
    if assigned || read_through_attribute(checker, call.range()) {
        return;
    }
    report_object_use(checker, call.range());
}

fn read_through_attribute(checker: &Checker, range: TextRange) -> bool {
    matches!(checker.parent_expr(), Some(Expr::Attribute(a)) if a.value.range() == range)
}

fn report_object_use(checker: &mut Checker, range: TextRange) {
    checker.report(
        Diagnostic::new(
            Rule::CurrentContextAttribute,
            "The `current_context()` object does not exist in Flyte 2",
            range,
        )
        .with_help(
            "Pass what is needed instead: `flyte.ctx()` fields, or `os.environ` for secrets",
        ),
    );
}

/// FM405: `ctx = current_context()` whose name is never read.
pub fn unused_current_context(checker: &mut Checker) {
    if !checker.enabled(Rule::UnusedCurrentContext) {
        return;
    }
    let mut found = Vec::new();
    for binding in checker.semantic.bindings() {
        if binding.uses > 0 || checker.semantic.scope_kind(binding.scope) == ScopeKind::Module {
            continue;
        }
        if let BindingKind::Assignment {
            value: Expr::Call(call),
            stmt,
        } = &binding.kind
            && (is_context_call(checker, call)
                || (call.arguments.is_empty()
                    && checker.resolves_to(&call.func, super::internal_context::INTERNAL)))
        {
            found.push((binding.name, checker.text(call.func.range()), *stmt));
        }
    }
    // A body whose statements would all go keeps a `pass`.
    let deleted: Vec<ruff_text_size::TextRange> = found.iter().map(|(_, _, s)| s.range()).collect();
    for (name, callee, stmt) in found {
        let body = crate::importer::enclosing_body(checker.module, stmt.range()).unwrap_or(&[]);
        let last_standing = body.len() > 1
            && body.iter().all(|s| deleted.contains(&s.range()))
            && body
                .first()
                .is_some_and(|first| first.range() == stmt.range());
        let edit = if last_standing {
            Edit::replace(stmt.range(), "pass")
        } else {
            checker.importer.delete_stmt(stmt, checker.locator)
        };
        checker.report(
            Diagnostic::new(
                Rule::UnusedCurrentContext,
                format!("`{name} = {callee}()` is not used"),
                stmt.range(),
            )
            .with_help("Remove the assignment")
            .with_fix(Fix::safe_edits(vec![edit])),
        );
    }
}

const CHECKPOINT_HELP: &str = "Use `flyte.ctx().checkpoint` (`load_sync()` returns the restored path, `save_sync(data)` \
     uploads bytes or a path, `prev_exists()`): its API differs";

/// FM404: `current_context().checkpoint` in a sync function, read through `read()`, `write(b)`
/// and `prev_exists()` only, there or through one local name (`cp = current_context().checkpoint`):
/// `flyte.ctx().checkpoint`, whose `load_sync()` gives the path of the single blob that
/// `save_sync(b)` wrote. `read()` becomes `cp.load_sync() and cp.load_sync().read_bytes()`
/// (`None` when no earlier attempt saved one, as before; the second load is the first one's),
/// and `prev_exists()` `cp.load_sync() is not None`.
fn checkpoint(checker: &mut Checker, expr: &Expr, diagnostic: Diagnostic) {
    let diagnostic = diagnostic.with_help(CHECKPOINT_HELP);
    match checkpoint_edits(checker, expr) {
        Some(mut edits) => match checker.import_module("flyte") {
            Some(import) => {
                edits.extend(import);
                checker.report(
                    diagnostic
                        .with_help(
                            "Replace with `flyte.ctx().checkpoint`: `read()` is \
                             `load_sync() and load_sync().read_bytes()`, `write(b)` is \
                             `save_sync(b)`, `prev_exists()` is `load_sync() is not None`",
                        )
                        .with_fix(Fix::unsafe_edits(edits)),
                );
            }
            None => checker.report(diagnostic),
        },
        None => checker.report(diagnostic),
    }
}

/// A checkpoint method call on `receiver` (the text that names the checkpoint) as Flyte 2 writes
/// it; `nested` when the call is part of a larger expression (the `and` is parenthesized).
fn checkpoint_method(
    checker: &Checker,
    call: &ExprCall,
    method: &str,
    receiver: &str,
    nested: bool,
) -> Option<String> {
    let args = &call.arguments;
    match (method, args.args.as_ref(), args.keywords.is_empty()) {
        ("read", [], true) => {
            let read = format!("{receiver}.load_sync() and {receiver}.load_sync().read_bytes()");
            Some(if nested { format!("({read})") } else { read })
        }
        ("write", [data], true) => Some(format!(
            "{receiver}.save_sync({})",
            checker.text(data.range())
        )),
        // Flyte 2's `prev_exists()` says whether the runtime gave a previous prefix (a local
        // run always does), not whether an attempt saved one.
        ("prev_exists", [], true) => {
            let exists = format!("{receiver}.load_sync() is not None");
            Some(if nested {
                format!("({exists})")
            } else {
                exists
            })
        }
        _ => None,
    }
}

fn checkpoint_edits(checker: &Checker, expr: &Expr) -> Option<Vec<Edit>> {
    let function = checker.function()?;
    if function.def.is_async {
        return None;
    }
    // `current_context().checkpoint.read()`: the whole call.
    if let (Some(Expr::Attribute(method)), Some(Expr::Call(call))) =
        (checker.parent_expr(), checker.ancestor_expr(1))
        && method.value.range() == expr.range()
        && call.func.range() == method.range
    {
        let text = checkpoint_method(
            checker,
            call,
            method.attr.id.as_str(),
            "flyte.ctx().checkpoint",
            checker.ancestor_expr(2).is_some(),
        )?;
        return Some(vec![Edit::replace(call.range(), text)]);
    }
    // `cp = current_context().checkpoint`, then only `cp.read()`, `cp.write(b)`, `cp.prev_exists()`.
    let Some(Stmt::Assign(assign)) = checker.current_stmt() else {
        return None;
    };
    let [Expr::Name(target)] = assign.targets.as_slice() else {
        return None;
    };
    if assign.value.range() != expr.range() {
        return None;
    }
    let binding = checker
        .semantic
        .bindings()
        .iter()
        .find(|b| b.range == target.range)?;
    let mut calls = Vec::new();
    let mut reads = CheckpointReads {
        checker,
        target: binding.range,
        exprs: Vec::new(),
        calls: &mut calls,
        other: false,
    };
    use ruff_python_ast::visitor::Visitor;
    reads.visit_body(&function.def.body);
    if reads.other || calls.is_empty() {
        return None;
    }
    // The name must be bound once in the function: every read is this checkpoint.
    let scope_names = checker
        .semantic
        .bindings()
        .iter()
        .filter(|b| b.scope == binding.scope && b.name == binding.name)
        .count();
    if scope_names != 1 {
        return None;
    }
    let mut edits = vec![Edit::replace(expr.range(), "flyte.ctx().checkpoint")];
    for (call, method, nested) in calls {
        edits.push(Edit::replace(
            call.range(),
            checkpoint_method(checker, call, method, target.id.as_str(), nested)?,
        ));
    }
    Some(edits)
}

/// The reads of a local checkpoint name: method calls, or something else.
struct CheckpointReads<'c, 'a> {
    checker: &'c Checker<'a>,
    target: TextRange,
    exprs: Vec<&'a Expr>,
    /// Each method call, its name, and whether it is part of a larger expression.
    calls: &'c mut Vec<(&'a ExprCall, &'a str, bool)>,
    other: bool,
}

impl<'a> ruff_python_ast::visitor::Visitor<'a> for CheckpointReads<'_, 'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Name(name) = expr
            && name.ctx == ExprContext::Load
            && self
                .checker
                .semantic
                .binding_of(name.range.start())
                .is_some_and(|b| b.range == self.target)
        {
            match (self.exprs.last(), self.exprs.iter().rev().nth(1)) {
                (Some(Expr::Attribute(method)), Some(Expr::Call(call)))
                    if call.func.range() == method.range
                        && matches!(method.attr.id.as_str(), "read" | "write" | "prev_exists") =>
                {
                    let nested = self.exprs.len() > 2;
                    self.calls.push((call, method.attr.id.as_str(), nested));
                }
                _ => self.other = true,
            }
        }
        self.exprs.push(expr);
        ruff_python_ast::visitor::walk_expr(self, expr);
        self.exprs.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_follow_flyte_2() {
        assert_eq!(
            env_var_name(Some("my-group"), "api-key"),
            "MY_GROUP_API_KEY"
        );
        assert_eq!(env_var_name(None, "token"), "TOKEN");
        assert_eq!(env_var_name(Some(""), "token"), "TOKEN");
        assert!(is_valid_env_var("MY_GROUP_API_KEY"));
        assert!(!is_valid_env_var("1TOKEN"));
        assert!(!is_valid_env_var("A.B"));
        assert!(!is_valid_env_var(""));
    }
}
