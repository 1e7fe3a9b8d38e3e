//! FM208 `decorator-partial`: `functools.partial` of a flytekit decorator.
//!
//! `gpu_task = partial(task, requests=GPU)` then `@gpu_task` is `@task(requests=GPU)`, and
//! `@gpu_task(retries=2)` is `@task(requests=GPU, retries=2)` (a call's keywords win over the
//! partial's). The fix writes each decorator of the module out that way, so FM204 and FM301 move
//! the functions to environments with those settings.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Decorator, Expr, ExprCall, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::keyword_name;
use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;

/// The decorators a partial stands for.
pub const DECORATORS: &[&str] = &["flytekit.task", "flytekit.workflow", "flytekit.dynamic"];

/// Whether `expr` is the decorator a `functools.partial(...)` call wraps (FM208 reports it).
pub fn wrapped_decorator(checker: &Checker, expr: &Expr) -> bool {
    matches!(checker.parent_expr(), Some(Expr::Call(call))
        if checker.resolves_to(&call.func, &["functools.partial"])
            && call.arguments.args.first().is_some_and(|a| a.range() == expr.range()))
}

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::DecoratorPartial)
        || !checker.resolves_to(&call.func, &["functools.partial"])
    {
        return;
    }
    let Some(first) = call.arguments.args.first() else {
        return;
    };
    let Some(qualified) = checker.resolve(first) else {
        return;
    };
    if !DECORATORS.contains(&&*qualified) {
        return;
    }
    let decorator = qualified
        .rsplit('.')
        .next()
        .unwrap_or(&qualified)
        .to_string();
    let diagnostic = Diagnostic::new(
        Rule::DecoratorPartial,
        format!(
            "A `functools.partial` of flytekit's `@{decorator}` is that decorator with these settings"
        ),
        call.range(),
    );
    match expand(checker, call, first) {
        Ok((fix, kept)) => {
            let help = if kept {
                "Write the decorators of this module as the decorator with these settings, so \
                 FM204/FM301 move them; the partial stays for other modules that may import it: \
                 delete it once none does"
            } else {
                "Write the decorators as the decorator with these settings, so FM204/FM301 move \
                 them, and delete the partial"
            };
            checker.report(diagnostic.with_help(help).with_fix(fix));
        }
        Err(why) if why.starts_with("no function") => {
            checker.report(diagnostic.with_help(format!("Nothing to write out: {why}")));
        }
        Err(why) => checker.report(diagnostic.with_help(format!(
            "Decorate the functions with `@{decorator}(...)` and the settings themselves, so \
             FM204/FM301 move them, then delete the partial; not automatic: {why}"
        ))),
    }
}

/// The fix, and whether the partial's definition stays (a public name other modules may
/// import).
fn expand(checker: &Checker, call: &ExprCall, first: &Expr) -> Result<(Fix, bool), String> {
    let (stmt, target) = super::module_assignment(checker, call)?;
    let var = target.id.as_str();
    if call.arguments.args.len() != 1 || call.arguments.keywords.iter().any(|k| k.arg.is_none()) {
        return Err("the partial binds positional or `**` arguments".to_string());
    }
    // The settings' names must mean the same where the decorators are.
    for name in names(&call.arguments) {
        if checker.semantic.bindings_in(0, name).count() > 1 {
            return Err(format!("`{name}` is bound more than once in the module"));
        }
    }
    let settings: Vec<(&str, &str)> = call
        .arguments
        .keywords
        .iter()
        .filter_map(|k| Some((keyword_name(k)?, checker.text(k.range))))
        .collect();
    let func = checker.text(first.range());
    let mut edits = Vec::new();
    let mut uses = 0;
    let mut finder = Uses {
        checker,
        target: target.range,
        decorator: None,
        found: Vec::new(),
        other: false,
    };
    for stmt in checker.module {
        finder.visit_stmt(stmt);
    }
    if finder.other {
        return Err(format!(
            "`{var}` is used other than as the decorator of a module-level function"
        ));
    }
    for decorator in finder.found {
        uses += 1;
        let text = written_out(checker, &decorator.expression, func, &settings)
            .ok_or_else(|| format!("a `@{var}(...)` passes positional or `**` arguments"))?;
        edits.push(Edit::replace(decorator.expression.range(), text));
    }
    if uses == 0 {
        return Err(format!(
            "no function of this module is decorated with `{var}` any more: delete it once no \
             other module imports it (it keeps flytekit imported)"
        ));
    }
    // A private name is this module's own: it goes with its last use.
    let kept = !var.starts_with('_');
    if !kept {
        match super::dataclass_json::own_lines(checker, stmt.range()) {
            Some(delete) => {
                edits.push(with_blank_lines(checker.source(), delete));
                edits.extend(unused_import(checker, &call.func));
            }
            None => return Err("the partial shares its line with other code".to_string()),
        }
    }
    Ok((Fix::safe_edits(edits), kept))
}

/// Names the partial's keyword values read.
fn names(arguments: &ruff_python_ast::Arguments) -> Vec<&str> {
    struct Names<'a> {
        found: Vec<&'a str>,
    }
    impl<'a> Visitor<'a> for Names<'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(name) = expr {
                self.found.push(name.id.as_str());
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut names = Names { found: Vec::new() };
    for keyword in &arguments.keywords {
        names.visit_expr(&keyword.value);
    }
    names.found
}

/// The decorators that read the partial, and whether anything else does.
struct Uses<'a, 'c> {
    checker: &'c Checker<'a>,
    target: TextRange,
    /// The decorator being visited, when it is the name or its call.
    decorator: Option<&'a Decorator>,
    found: Vec<&'a Decorator>,
    other: bool,
}

impl<'a> Visitor<'a> for Uses<'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::FunctionDef(def) = stmt {
            for decorator in &def.decorator_list {
                let head = super::decorator_callee(&decorator.expression);
                if self.reads_target(head) {
                    // Only decorators of module-level functions.
                    if self
                        .checker
                        .module
                        .iter()
                        .any(|s| s.range() == stmt.range())
                    {
                        self.found.push(decorator);
                        self.decorator = Some(decorator);
                    } else {
                        self.other = true;
                    }
                }
                self.visit_decorator(decorator);
                self.decorator = None;
            }
            self.visit_parameters(&def.parameters);
            if let Some(returns) = &def.returns {
                self.visit_expr(returns);
            }
            self.visit_body(&def.body);
            return;
        }
        visitor::walk_stmt(self, stmt);
    }
    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.reads_target(expr) {
            let head = self.decorator.map(|d| match &d.expression {
                Expr::Call(call) => call.func.range(),
                other => other.range(),
            });
            if head != Some(expr.range()) {
                self.other = true;
            }
        }
        visitor::walk_expr(self, expr);
    }
}

impl Uses<'_, '_> {
    fn reads_target(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Name(name) if self
            .checker
            .semantic
            .binding_of(name.range.start())
            .is_some_and(|b| b.range == self.target))
    }
}

/// A deletion of whole lines, with as many of the blank lines after it as there are before it
/// (so the code around keeps its spacing).
fn with_blank_lines(source: &str, delete: Edit) -> Edit {
    let start = usize::from(delete.range.start());
    let mut end = usize::from(delete.range.end());
    let before = source
        .get(..start)
        .unwrap_or_default()
        .replace("\r\n", "\n");
    let blank_before = before.len() - before.trim_end_matches('\n').len();
    let mut budget = blank_before.saturating_sub(1);
    while budget > 0
        && let Some(rest) = source.get(end..)
    {
        let blank = if rest.starts_with("\r\n") {
            2
        } else if rest.starts_with('\n') {
            1
        } else {
            break;
        };
        end += blank;
        budget -= 1;
    }
    let end = ruff_text_size::TextSize::try_from(end).unwrap_or(delete.range.end());
    Edit::delete(TextRange::new(delete.range.start(), end))
}

/// The removal of the import `partial` (or `functools`) comes from, when the partial was its
/// only use.
fn unused_import(checker: &Checker, func: &Expr) -> Vec<Edit> {
    let head = match func {
        Expr::Attribute(attr) => &*attr.value,
        other => other,
    };
    let Expr::Name(name) = head else {
        return Vec::new();
    };
    let Some(binding) = checker.semantic.binding_of(name.range.start()) else {
        return Vec::new();
    };
    let crate::semantic::BindingKind::Import { stmt, alias, .. } = &binding.kind else {
        return Vec::new();
    };
    if binding.uses != 1 || checker.semantic.name_in_strings(binding.name) {
        return Vec::new();
    }
    checker
        .importer
        .remove_aliases(stmt, &[*alias], checker.locator)
}

/// What the project index records of `partial(<flytekit decorator>, kw=...)` at module level,
/// when another module can write its decorators out: plain keywords whose names are module-level
/// assignments bound once.
pub fn importable(checker: &Checker, call: &ExprCall) -> Option<crate::project::Symbol> {
    if !checker.resolves_to(&call.func, &["functools.partial"]) || call.arguments.args.len() != 1 {
        return None;
    }
    let decorator = checker.resolve(call.arguments.args.first()?)?;
    if !DECORATORS.contains(&&*decorator) {
        return None;
    }
    let mut keywords = Vec::new();
    for keyword in &call.arguments.keywords {
        let name = keyword_name(keyword)?;
        keywords.push((name.to_string(), checker.text(keyword.range).to_string()));
    }
    let mut read: Vec<String> = Vec::new();
    let mut imports: Vec<(String, Option<String>)> = Vec::new();
    for name in names(&call.arguments) {
        let mut bindings = checker.semantic.bindings_in(0, name);
        let binding = bindings.next()?;
        if bindings.next().is_some() {
            return None;
        }
        match &binding.kind {
            crate::semantic::BindingKind::Assignment { .. } => {
                if !read.iter().any(|r| r == name) {
                    read.push(name.to_string());
                }
            }
            crate::semantic::BindingKind::Import { stmt, alias, .. } => {
                let from = match &**stmt {
                    // `from flytekit import Resources`, as itself.
                    Stmt::ImportFrom(from)
                        if from.level == 0
                            && alias.asname.is_none()
                            && from.module.as_ref().is_some_and(|m| {
                                m.id.as_str() == "flytekit" || m.id.starts_with("flytekit.")
                            }) =>
                    {
                        Some(from.module.as_ref()?.id.to_string())
                    }
                    // `import flyte`.
                    Stmt::Import(_)
                        if alias.asname.is_none() && alias.name.id.as_str() == "flyte" =>
                    {
                        None
                    }
                    _ => return None,
                };
                if !imports.iter().any(|(n, _)| n == name) {
                    imports.push((name.to_string(), from));
                }
            }
            _ => return None,
        }
    }
    Some(crate::project::Symbol::Partial {
        decorator: decorator.to_string(),
        keywords,
        names: read,
        imports,
    })
}

/// FM208: the decorators of a function that read a partial imported from another module of
/// the project (`from .common import gpu_task`, `@gpu_task(retries=5)`).
pub fn function(checker: &mut Checker, def: &ruff_python_ast::StmtFunctionDef) {
    if !checker.enabled(Rule::DecoratorPartial) || checker.function().is_some() {
        return;
    }
    let Some(project) = checker.project else {
        return;
    };
    for decorator in &def.decorator_list {
        let head = super::decorator_callee(&decorator.expression);
        let Expr::Name(name) = head else {
            continue;
        };
        let Some(binding) = checker.semantic.binding_of(name.range.start()) else {
            continue;
        };
        if binding.scope != 0 {
            continue;
        }
        // The module-level `from ... import name` that binds it (relative imports too).
        let Some((from, alias)) = checker.module.iter().find_map(|stmt| match stmt {
            Stmt::ImportFrom(from) => from
                .names
                .iter()
                .find(|a| a.range.contains_range(binding.range))
                .map(|a| (from, a)),
            _ => None,
        }) else {
            continue;
        };
        let import = crate::project::ImportRef {
            level: from.level,
            module: from
                .module
                .as_ref()
                .map_or(String::new(), |m| m.id.to_string()),
            name: Some(alias.name.id.to_string()),
        };
        let Some(crate::project::Symbol::Partial {
            decorator: qualified,
            keywords,
            names,
            imports,
        }) = project.imported_symbol(&import)
        else {
            continue;
        };
        let short = qualified.rsplit('.').next().unwrap_or(qualified);
        let diagnostic = Diagnostic::new(
            Rule::DecoratorPartial,
            format!(
                "`{}` is a `functools.partial` of flytekit's `@{short}` (from `{}`): that decorator with its settings",
                name.id,
                import.spelling()
            ),
            decorator.expression.range(),
        );
        // Every decorator of the module that reads the partial is written out by one fix, which
        // also drops the import when nothing else reads it.
        let users: Vec<&Decorator> = checker
            .module
            .iter()
            .filter_map(|stmt| match stmt {
                Stmt::FunctionDef(def) => Some(def),
                _ => None,
            })
            .flat_map(|def| def.decorator_list.iter())
            .filter(|d| {
                let head = super::decorator_callee(&d.expression);
                matches!(head, Expr::Name(n) if checker
                    .semantic
                    .binding_of(n.range.start())
                    .is_some_and(|b| b.range == binding.range))
            })
            .collect();
        let unused_after = (binding.uses as usize == users.len())
            .then(|| {
                checker
                    .module
                    .iter()
                    .find(|s| s.range() == from.range)
                    .map(|stmt| {
                        checker
                            .importer
                            .remove_aliases(stmt, &[alias], checker.locator)
                    })
            })
            .flatten()
            .unwrap_or_default();
        match imported_fix(
            checker, &users, qualified, keywords, names, imports, &import,
        )
        .map(|mut fix_edits| {
            fix_edits.extend(unused_after);
            Fix::safe_edits(fix_edits)
        }) {
            Ok(fix) => checker.report(
                diagnostic
                    .with_help(format!(
                        "Write the decorator out as `@{short}(...)` with the partial's settings \
                         (imported from `{}`), so FM204/FM301 move the function",
                        import.spelling()
                    ))
                    .with_fix(fix),
            ),
            Err(why) => checker.report(diagnostic.with_help(format!(
                "Decorate the function with `@{short}(...)` and the partial's settings \
                 themselves; not automatic: {why}"
            ))),
        }
    }
}

/// A use of the partial (`@p` or `@p(k=v)`) written out as `func(...)` with the partial's
/// settings, the use's own keywords winning; `None` when the use passes positional or `**`
/// arguments.
fn written_out(
    checker: &Checker,
    used: &Expr,
    func: &str,
    settings: &[(&str, &str)],
) -> Option<String> {
    let Expr::Call(call) = used else {
        if settings.is_empty() {
            return Some(func.to_string());
        }
        let all: Vec<&str> = settings.iter().map(|(_, text)| *text).collect();
        return Some(format!("{func}({})", all.join(", ")));
    };
    let arguments = &call.arguments;
    if !arguments.args.is_empty() || arguments.keywords.iter().any(|k| k.arg.is_none()) {
        return None;
    }
    let given: Vec<&str> = arguments.keywords.iter().filter_map(keyword_name).collect();
    let mut merged: Vec<&str> = settings
        .iter()
        .filter(|(name, _)| !given.contains(name))
        .map(|(_, text)| *text)
        .collect();
    merged.extend(arguments.keywords.iter().map(|k| checker.text(k.range)));
    Some(format!("{func}({})", merged.join(", ")))
}

fn imported_fix(
    checker: &Checker,
    decorators: &[&Decorator],
    qualified: &str,
    keywords: &[(String, String)],
    names: &[String],
    imports: &[(String, Option<String>)],
    import: &crate::project::ImportRef,
) -> Result<Vec<Edit>, String> {
    let (module, short) = qualified
        .rsplit_once('.')
        .ok_or_else(|| "the decorator has no module".to_string())?;
    let (mut edits, local) = checker
        .import_from(module, short)
        .ok_or_else(|| format!("`{short}` is bound to something else in this module"))?;
    let spelling = import.spelling();
    for name in names {
        // The settings' names come from the partial's module, unless they are imported from
        // there already.
        if checker.semantic.scope_binds(0, name) {
            let same = checker.semantic.bindings_in(0, name).all(|b| {
                matches!(&b.kind, crate::semantic::BindingKind::Import { stmt, alias, .. }
                    if alias.asname.is_none()
                        && alias.name.id.as_str() == name
                        && matches!(&**stmt, Stmt::ImportFrom(f)
                            if f.level == import.level
                                && f.module.as_ref().map_or("", |m| m.id.as_str()) == import.module))
            });
            if !same {
                return Err(format!(
                    "the partial's settings read `{name}`, which this module binds to something else"
                ));
            }
            continue;
        }
        edits.push(checker.importer.add_from_import(&spelling, name));
    }
    // The names the settings read from flytekit, or `flyte`, imported here the same way.
    for (name, module) in imports {
        let found = match module {
            Some(module) => checker.import_from(module, name).map(|(e, _)| e),
            None => checker.import_module(name),
        };
        let found = found.ok_or_else(|| {
            format!(
                "the partial's settings read `{name}`, which this module binds to something else"
            )
        })?;
        edits.extend(found);
    }
    let settings: Vec<(&str, &str)> = keywords
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    for decorator in decorators {
        let text = written_out(checker, &decorator.expression, &local, &settings)
            .ok_or_else(|| "a decorator passes positional or `**` arguments".to_string())?;
        edits.push(Edit::replace(decorator.expression.range(), text));
    }
    Ok(edits)
}
